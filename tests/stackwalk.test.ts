// A program walking its own stack from a callback that a DLL (msvcrt's qsort, JS in winrun)
// called: the walk must pass the place where JS called guest code (issue 7 §2).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, runGuest, wineOutput } from './helpers.js';

const lines = (s: string): string[] => s.replace(/\r\n/g, '\n').split('\n').slice(0, -1);

describe('stack walks from guest code', () => {
  it('RtlCaptureStackBackTrace from a qsort comparator reaches main', () => {
    const r = runGuest(FIXTURES + 'stackwalk.exe');
    assert.equal(r.status, 0, r.stderr);
    const want = wineOutput('stackwalk');
    const got = lines(r.stdout);
    for (const prefix of ['RtlCaptureStackBackTrace', 'skipping', 'sorted']) {
      assert.deepEqual(
        got.filter((l) => l.startsWith(prefix)),
        want.filter((l) => l.startsWith(prefix)),
      );
    }
  });
});
