// A program walking its own stack from a callback that a DLL (msvcrt's qsort, JS in winrun)
// called: the walk must pass the place where JS called guest code (issue 7 §2).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, runGuest, wineOutput } from './helpers.js';

const lines = (s: string): string[] => s.replace(/\r\n/g, '\n').split('\n').slice(0, -1);

describe('stack walks from guest code', () => {
  it('RtlVirtualUnwind and RtlCaptureStackBackTrace from a qsort comparator reach main (Wine 8 output)', () => {
    const r = runGuest(FIXTURES + 'stackwalk.exe');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(lines(r.stdout), wineOutput('stackwalk'));
  });
});
