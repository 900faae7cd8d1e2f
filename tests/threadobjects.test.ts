// Named synchronization objects and DuplicateHandle within the process (issue 8). The fixture
// thread_objects checks itself: CreateX of an existing name (ERROR_ALREADY_EXISTS, the object's
// state kept), OpenX (Local\, Global\, case, a name of another kind, no name), a thread opening
// by an ANSI name, a name gone with the last handle, DuplicateHandle of an event (the duplicate
// outliving the original, DUPLICATE_CLOSE_SOURCE), of a file (one file position) and of
// GetCurrentThread() (waitable, exit code), and 40 short threads whose slots are recycled.
// Its output is Wine 8's.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, runGuest, scratchDir, wineOutput } from './helpers.js';

describe('named objects and DuplicateHandle', () => {
  it('behave as under Wine', () => {
    const r = runGuest(FIXTURES + 'thread_objects.exe', [], scratchDir());
    assert.equal(r.stderr, '');
    assert.deepEqual(r.stdout.replace(/\r\n/g, '\n').split('\n').slice(0, -1), wineOutput('thread_objects'));
    assert.equal(r.status, 0);
  });
});
