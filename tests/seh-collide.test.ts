// Collided unwinds (issue 7 §2): a termination handler run by one unwind raises an exception that
// an outer __except takes; the second unwind takes over the first one's frames where it was.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, runGuest, wineOutput } from './helpers.js';

const lines = (s: string): string[] => s.replace(/\r\n/g, '\n').split('\n').slice(0, -1);

describe('collided unwinds', () => {
  it('run each __finally once and continue in the __except of the second exception', () => {
    const r = runGuest(FIXTURES + 'seh_collide.exe');
    assert.equal(r.status, 0, r.stderr);
    // Wine 8 enters the __except block with EAX 0 after a collided unwind. The code in EAX is
    // RtlUnwindEx's return value, which __C_specific_handler sets to the exception code of the
    // unwind that reaches the block: the second exception's.
    const want = wineOutput('seh_collide').map((l) => (l === 'caught 0x0' ? 'caught 0xe0000002' : l));
    assert.deepEqual(lines(r.stdout), want);
  });
});
