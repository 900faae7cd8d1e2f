// g++ exceptions (libgcc's SEH unwinder over RtlUnwindEx): tests/fixtures/src/cxx_gcc.cpp,
// cxx_dll.cpp, cxxthrow.cpp. The shared builds use libstdc++-6.dll and libgcc_s_seh-1.dll,
// the static ones carry their own unwinder per module. Wine 8 output.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, runGuest, wineOutput } from './helpers.js';

const lines = (s: string): string[] => s.replace(/\r/g, '').split('\n').slice(0, -1);

for (const exe of ['cxx_gcc', 'cxx_gcc_static']) {
  describe(`${exe}.exe`, () => {
    it('throw/catch across frames, bases, rethrow, exception_ptr, destructors in order', () => {
      const r = runGuest(FIXTURES + `${exe}.exe`);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(lines(r.stdout), wineOutput('cxx_gcc'));
    });
    it('qsort: thrown from a comparator through msvcrt’s qsort', () => {
      const r = runGuest(FIXTURES + `${exe}.exe`, ['qsort']);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(lines(r.stdout), wineOutput('cxx_gcc.qsort'));
    });
    for (const [mode, type] of [['terminate', 'Derived'], ['noexcept', 'int']] as const) {
      it(`${mode}: std::terminate aborts with exit code 3`, () => {
        const r = runGuest(FIXTURES + `${exe}.exe`, [mode]);
        assert.equal(r.status, 3);
        assert.match(r.stderr, new RegExp(`terminate called after throwing an instance of '${type}'`));
      });
    }
  });
}

describe('exceptions between an exe and a DLL', () => {
  for (const exe of ['cxx_dll', 'cxx_dll_static']) {
    it(`${exe}.exe: thrown in the DLL and caught in the exe, and back`, () => {
      const r = runGuest(FIXTURES + `${exe}.exe`);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(lines(r.stdout), wineOutput('cxx_dll'));
    });
  }
});
