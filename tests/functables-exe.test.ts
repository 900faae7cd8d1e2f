// The unwinder's exports end to end: functables.exe walks its own frames and generated code
// registered through each kind of function table, and must print what it prints under Wine 8
// (tests/fixtures/expected/functables.wine.txt), except where Wine 8 is not Windows.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, runGuest, wineOutput } from './helpers.js';

/** Where Wine 8 is not Windows, functables.exe expects Windows: RtlLookupFunctionEntry leaves
 *  *ImageBase alone for a PC inside a run-time table's range that no entry covers (Wine's own
 *  later tests, run on Windows, check this); Wine 8 sets it to 0. */
function expected(): string[] {
  const fixed = 'a PC in the table\'s range but in no function leaves ImageBase alone';
  const lines = wineOutput('functables');
  assert.ok(lines.includes(`FAIL: ${fixed}`), 'the recorded Wine output still has the known difference');
  return lines.map((line) => (line === `FAIL: ${fixed}` ? `ok: ${fixed}` : line.replace(/, 1 failures$/, ', 0 failures')));
}

describe('ntdll/kernel32 unwinder exports', () => {
  it('functables.exe: RtlLookupFunctionEntry, RtlVirtualUnwind, RtlPcToFileHeader and the function tables', () => {
    const r = runGuest(FIXTURES + 'functables.exe');
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
    assert.deepEqual(r.stdout.split('\r\n'), [...expected(), '']);
  });
});
