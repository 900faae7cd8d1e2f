// Structured exceptions (issue 7): guest faults become Windows exceptions, vectored and frame
// handlers see what Windows shows them, unwinding runs destructors, and an unhandled exception
// ends the process with a report and its NTSTATUS. Every guest runs in a child process.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, runGuest, wineOutput } from './helpers.js';

const lines = (s: string): string[] => s.replace(/\r\n/g, '\n').split('\n').slice(0, -1);

describe('vectored handlers and RaiseException', () => {
  it('report each fault as Windows does and continue where the handler says (Wine 8 output)', () => {
    const r = runGuest(FIXTURES + 'seh_veh.exe');
    assert.equal(r.status, 0, r.stderr);
    // Wine 8 implements AddVectoredContinueHandler as a stub; Windows calls the continue
    // handlers after a vectored handler returns EXCEPTION_CONTINUE_EXECUTION.
    const want = wineOutput('seh_veh');
    want.splice(want.indexOf('returned from RaiseException'), 0, '  continue handler');
    // INT_MIN / -1: Windows reports a divide error with a non-zero divisor as
    // STATUS_INTEGER_OVERFLOW; Wine 8 as a divide by zero.
    want[want.indexOf('divide overflow') + 1] = '  code c0000095 flags 0 params 0 rip==address 1';
    assert.deepEqual(lines(r.stdout), want);
  });
  it('an unhandled-exception filter can fix the context and continue', () => {
    const r = runGuest(FIXTURES + 'seh_veh.exe', ['uef-continue']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(lines(r.stdout), ['  top-level filter: c0000005', 'continued after the filter']);
  });
  it('a filter returning EXCEPTION_EXECUTE_HANDLER ends the process with the code, without a report', () => {
    const r = runGuest(FIXTURES + 'seh_veh.exe', ['uef-exit']);
    assert.equal(r.status, 0x42); // 0xE0000042 at the shell
    assert.equal(r.stderr, '');
  });
  it('RtlCaptureContext/RtlRestoreContext loop, and RtlVirtualUnwind walks the program’s frames', () => {
    const r = runGuest(FIXTURES + 'seh_veh.exe', ['context']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(lines(r.stdout), ['restored context: n = 3', '  frame 0: returns into the program', '  frame 1: returns into the program', '  frame 2: returns into the program']);
  });
});

describe('unhandled exceptions', () => {
  const cases: [mode: string, code: number, name: string][] = [
    ['nullwrite', 0xc0000005, 'EXCEPTION_ACCESS_VIOLATION\\): writing address 0x0'],
    ['nullread', 0xc0000005, 'EXCEPTION_ACCESS_VIOLATION\\): reading address 0x8'],
    ['div0', 0xc0000094, 'EXCEPTION_INT_DIVIDE_BY_ZERO'],
    ['int3', 0x80000003, 'EXCEPTION_BREAKPOINT'],
    ['ud2', 0xc000001d, 'EXCEPTION_ILLEGAL_INSTRUCTION'],
    ['stackoverflow', 0xc00000fd, 'EXCEPTION_STACK_OVERFLOW'],
    ['raise', 0xe0001234, ''],
  ];
  for (const [mode, code, name] of cases) {
    it(`${mode}: a report on stderr and exit code 0x${code.toString(16)}`, () => {
      const r = runGuest(FIXTURES + 'seh_fault.exe', [mode]);
      // The shell sees the low 8 bits of the NTSTATUS.
      assert.equal(r.status, code & 0xff, r.stderr);
      assert.deepEqual(lines(r.stdout), [`mode ${mode}`]);
      assert.match(r.stderr, new RegExp(`^winrun: unhandled exception 0x${code.toString(16).padStart(8, '0')}${name ? ` \\(${name}` : '\n'}`));
      // A fault shows its instruction; a software exception where it was raised.
      // RaiseException's exception happens inside RaiseException, as on Windows (KERNELBASE).
      assert.match(r.stderr, mode === 'raise' ? /\n {2}at KERNEL32\.dll\+0x[0-9a-f]+ \(RaiseException\+0x[0-9a-f]+\)\n {2}raised by software \(RaiseException\)\n/ : /\n {2}at seh_fault\.exe\+0x[0-9a-f]+\n {2}instruction: /);
      assert.match(r.stderr, /\n {2}rax=[0-9a-f]{16} rbx=/);
      // The stack trace unwinds through .pdata into the CRT's startup code.
      const frames = r.stderr.split('\n').filter((l) => /^ {4}#\d+ /.test(l));
      assert.ok(frames.length >= 3, r.stderr);
      assert.ok(frames.slice(mode === 'raise' ? 1 : 0).every((f) => f.includes('seh_fault.exe+0x')), r.stderr);
      assert.match(r.stderr, new RegExp(`the process exits with code 0x${code.toString(16).padStart(8, '0')}\\n$`));
    });
  }
  it('the disassembled instruction names what faulted', () => {
    const r = runGuest(FIXTURES + 'seh_fault.exe', ['nullwrite']);
    // GCC writes the store to address 0 as `mov [0], reg`.
    assert.match(r.stderr, /\n {2}instruction: mov \[0\], [a-z0-9]+ {4}\(89 [0-9a-f ]+\)\n/);
  });
  it('__fastfail ends the process at once with STATUS_STACK_BUFFER_OVERRUN, no handlers', () => {
    const r = runGuest(FIXTURES + 'seh_fault.exe', ['fastfail']);
    assert.equal(r.status, 0x09);
    assert.match(r.stderr, /__fastfail\(7\) at seh_fault\.exe\+0x/);
  });
});

describe('g++ exceptions (SEH unwinding through libgcc)', () => {
  it('throw across frames, catch by base class, rethrow, catch(...), destructors in order (Wine 8 output)', () => {
    const r = runGuest(FIXTURES + 'seh_cxx.exe');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(lines(r.stdout), wineOutput('seh_cxx'));
  });
  it('an uncaught exception reaches std::terminate: abort, exit code 3', () => {
    const r = runGuest(FIXTURES + 'seh_cxx.exe', ['uncaught']);
    assert.equal(r.status, 3);
    assert.match(r.stderr, /terminate called after throwing an instance of 'int'/);
  });
});
