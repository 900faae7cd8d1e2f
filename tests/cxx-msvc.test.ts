// C++ exceptions of MSVC-built programs (issue 7 §3): _CxxThrowException and __CxxFrameHandler3
// from vcruntime140.dll, exercised by clang's MSVC ABI (tests/fixtures/SEH-FIXTURES.md). The
// expected output is Wine 8's; every guest runs in a child process.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { FIXTURES, WINRUN, runGuest, wineOutput } from './helpers.js';

const lines = (s: string): string[] => s.replace(/\r\n/g, '\n').split('\n').slice(0, -1);

describe('MSVC C++ exceptions', () => {
  it('catch by type through the ThrowInfo hierarchy, rethrow, nested try, destructors (cxx_msvc.exe)', () => {
    const r = runGuest(FIXTURES + 'cxx_msvc.exe');
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
    assert.deepEqual(lines(r.stdout), wineOutput('cxx_msvc'));
  });

  it('object lifetimes when catches nest, rethrow and are left by exceptions (cxx_msvc_life.exe)', () => {
    const r = runGuest(FIXTURES + 'cxx_msvc_life.exe');
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
    assert.deepEqual(lines(r.stdout), wineOutput('cxx_msvc_life'));
  });

  it('an old MSVC program with msvcrt.dll as its C++ runtime: exceptions, type_info, undecorated type names (cxx_msvcrt.exe)', () => {
    const r = runGuest(FIXTURES + 'cxx_msvcrt.exe');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.deepEqual(lines(r.stdout), wineOutput('cxx_msvcrt'));
  });

  it('dynamic_cast and typeid of polymorphic objects: single, multiple and virtual inheritance (cxx_msvc_rtti.exe)', () => {
    const r = runGuest(FIXTURES + 'cxx_msvc_rtti.exe');
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
    assert.deepEqual(lines(r.stdout), wineOutput('cxx_msvc_rtti'));
  });

  // The C++ standard's count (Wine 8 cannot run this mode: its api-ms-win-crt-runtime set lacks
  // __uncaught_exceptions): 1 while a destructor runs during the unwind, 0 once a catch has it.
  it('std::uncaught_exceptions counts thrown exceptions no catch block has taken', () => {
    const r = runGuest(FIXTURES + 'cxx_msvc_life.exe', ['uncaught']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(lines(r.stdout), ['uncaught exceptions: before 0 raise in unwind 1 in catch 0 after 0 | made 1 copied 0 destroyed 1']);
  });

  it('__CxxFrameHandler4: compressed metadata, the three unwind actions, continuation indexes (cxx_fh4.exe)', () => {
    const r = runGuest(FIXTURES + 'cxx_fh4.exe');
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
    assert.deepEqual(lines(r.stdout), wineOutput('cxx_fh4'));
  });

  it('__CxxFrameHandler4: nothing is unwound when nobody catches (the filter sees the C++ code)', () => {
    const r = runGuest(FIXTURES + 'cxx_fh4.exe', ['uncaught']);
    assert.equal(r.status, 9, r.stderr);
    assert.deepEqual(lines(r.stdout), ['unhandled: code 0xe06d7363, cleanups: none']);
  });

  // Wine's and winrun's abort() end with exit code 3; Windows' release UCRT reports through a
  // fast fail instead (0xC0000409), which winrun's abort does not imitate yet.
  for (const mode of ['terminate', 'noexcept']) {
    it(`${mode}: an exception nobody catches ends in terminate() and abort()`, () => {
      const r = runGuest(FIXTURES + 'cxx_msvc.exe', [mode]);
      assert.equal(r.status, 3, r.stderr);
      assert.match(lines(r.stdout)[0]!, /^throwing /);
      assert.doesNotMatch(r.stdout, /not reached/);
      assert.match(r.stderr, /terminate it in an unusual way/);
    });
  }

  // C++ [except.terminate]: an exception leaving a destructor that stack unwinding runs calls
  // std::terminate(). (Wine 8 ends this run with exit code 1 and no message; winrun used to
  // recurse until its own stack overflowed, as the catch took the exception again.)
  it('an exception leaving a destructor during an unwind ends in terminate() and abort()', () => {
    const r = runGuest(FIXTURES + 'cxx_msvc_life.exe', ['escape']);
    assert.equal(r.status, 3, r.stderr);
    assert.deepEqual(lines(r.stdout), ['escape']);
    assert.match(r.stderr, /terminate it in an unusual way/);
  });

  // The program's .pdata names the linker's import stub for __CxxFrameHandler3 (jmp through
  // the import address table); the dispatcher follows it to winrun's handler and calls that as
  // JS, except under a relay trace, which shows the handler's call.
  it("winrun's frame handler is called as JS, through the program's import stub", () => {
    const run = (flags: string): string => spawnSync(process.execPath, [WINRUN, '--debug', flags, FIXTURES + 'cxxbench_msvc.exe', '1'], { encoding: 'utf8', timeout: 60_000 }).stderr;
    const seh = run('+seh');
    assert.match(seh, /calling handler cxxbench_msvc\.exe\+0x[0-9a-f]+ for frame[^\n]*\n[^\n]*\(winrun's own handler: called as JS\)/);
    assert.match(seh, /calling termination handler cxxbench_msvc\.exe\+0x[0-9a-f]+ for frame[^\n]*\n[^\n]*\(winrun's own handler: called as JS\)/);
    const relay = run('+seh,+relay');
    assert.doesNotMatch(relay, /called as JS/);
    assert.match(relay, /Call VCRUNTIME140\.dll!__CxxFrameHandler3\(/i);
  });

  it('100 throws across 10 frames are all caught (cxxbench_msvc.exe)', () => {
    const r = runGuest(FIXTURES + 'cxxbench_msvc.exe', ['100']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /caught 100 of 100/);
  });
});
