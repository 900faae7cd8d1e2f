// Vectored exception and continue handlers, RaiseException and the unhandled-exception filter
// (tests/fixtures/src/veh.c, SEH-FIXTURES.md): Wine 8's output with Windows' values where
// Wine differs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, runGuest, wineOutput } from './helpers.js';

const lines = (s: string): string[] => s.replace(/\r/g, '').split('\n').slice(0, -1);

/** Replaces the line starting with `prefix` (which must exist) by `line`. */
function replaceLine(want: string[], prefix: string, line: string): void {
  const i = want.findIndex((l) => l.startsWith(prefix));
  assert.ok(i >= 0, prefix);
  want[i] = line;
}

describe('veh.exe', () => {
  it('handler order, removal, fixes, continue handlers, RaiseException records', () => {
    const r = runGuest(FIXTURES + 'veh.exe');
    assert.equal(r.status, 0, r.stderr);
    const want = wineOutput('veh');
    // Wine 8 never calls vectored continue handlers. Windows' RtlDispatchException calls the
    // continue list after a handler returns EXCEPTION_CONTINUE_EXECUTION, with the same walker
    // as the exception list (it stops at one returning CONTINUE_EXECUTION); the list exists for
    // nothing else. First=1 goes in front: 2 before 1; then 3 in front ends the walk.
    replaceLine(want, 'continue handlers', 'continue handlers (S = the fix, 1 = first 0, 2 = first 1): S21');
    replaceLine(want, 'with 3', 'with 3 (first 1, returns CONTINUE_EXECUTION) in front: S3');
    assert.deepEqual(lines(r.stdout), want);
    // RaiseException's address is inside RaiseException (Windows: KERNELBASE), not the exe.
    assert.ok(want.includes('address in the exe: no, context rip == address: yes'));
  });
  it('noncontinuable: the filter cannot continue it; STATUS_NONCONTINUABLE_EXCEPTION chains the original', () => {
    const r = runGuest(FIXTURES + 'veh.exe', ['noncontinuable']);
    assert.equal(r.status, 0x25); // 0xC0000025 at the shell
    const want = wineOutput('veh.noncontinuable');
    // Windows points the new record's ExceptionRecord at the one that was continued; Wine 8
    // leaves it NULL.
    replaceLine(want, 'handler: code 0xc0000025', 'handler: code 0xc0000025 flags 0x1 nested code 0xe0000002 flags 0x1');
    replaceLine(want, 'filter: code 0xc0000025', 'filter: code 0xc0000025 flags 0x1 nested yes (code 0xe0000002)');
    assert.deepEqual(lines(r.stdout), want);
  });
  it('uef_exec: EXECUTE_HANDLER ends the process with the code, no report', () => {
    const r = runGuest(FIXTURES + 'veh.exe', ['uef_exec']);
    assert.equal(r.status, 0x05);
    assert.deepEqual(lines(r.stdout), wineOutput('veh.uef_exec'));
    assert.equal(r.stderr, '');
  });
  it('uef_continue: the filter moves RIP and continues', () => {
    const r = runGuest(FIXTURES + 'veh.exe', ['uef_continue']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(lines(r.stdout), wineOutput('veh.uef_continue'));
  });
  it('uef_search: CONTINUE_SEARCH gives the default crash', () => {
    const r = runGuest(FIXTURES + 'veh.exe', ['uef_search']);
    assert.equal(r.status, 0x05);
    assert.deepEqual(lines(r.stdout), wineOutput('veh.uef_search'));
    assert.match(r.stderr, /^winrun: unhandled exception 0xc0000005 \(EXCEPTION_ACCESS_VIOLATION\): writing address 0x0\n {2}at veh\.exe\+0x/);
    assert.match(r.stderr, /the process exits with code 0xc0000005\n$/);
  });
});
