// __try/__except/__finally compiled by clang (scope tables run by __C_specific_handler), in a
// mingw build (msvcrt) and an MSVC-ABI build (vcruntime140): tests/fixtures/src/seh_c.c.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, runGuest, wineOutput } from './helpers.js';

const lines = (s: string): string[] => s.replace(/\r/g, '').split('\n').slice(0, -1);

/** Windows chains STATUS_NONCONTINUABLE_EXCEPTION's record to the one that was continued;
 *  Wine 8 leaves ExceptionRecord NULL. */
function windowsNested(want: string[]): string[] {
  const i = want.findIndex((l) => l.startsWith('continuing a noncontinuable exception:'));
  assert.ok(i >= 0);
  want[i] = want[i]!.replace('flags=0x1 outer handler', 'flags=0x1 nested record code=0xe0000008 outer handler');
  return want;
}

describe('structured exception scopes', () => {
  it('seh_c.exe (mingw, msvcrt): filters, handlers, __finally, nested dispatch, longjmp out of __try', () => {
    const r = runGuest(FIXTURES + 'seh_c.exe');
    assert.equal(r.status, 0, r.stderr);
    const want = windowsNested(wineOutput('seh_c'));
    // msvcrt's longjmp unwinds to the setjmp frame, so the __finally runs.
    assert.ok(want.includes('longjmp through __finally: finally(abnormal) back at setjmp'));
    assert.deepEqual(lines(r.stdout), want);
  });
  it('seh_c_msvc.exe (vcruntime140 __C_specific_handler)', () => {
    const r = runGuest(FIXTURES + 'seh_c_msvc.exe');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(lines(r.stdout), windowsNested(wineOutput('seh_c_msvc')));
  });
});
