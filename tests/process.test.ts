// Processes and pipes (issue 10): proc_pipes.exe starts itself as a child in several modes
// (pipes for stdin/stdout, an environment block and directory, an inherited file,
// CREATE_SUSPENDED, TerminateProcess, a crash, a Linux program, errors) and is checked against
// Wine 8's output, with the places where winrun deliberately differs from Wine replaced.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runGuest, wineOutput, FIXTURES } from './helpers.js';

/** Wine 8's lines where Windows 10 (and winrun) answer otherwise. */
const WINDOWS_NOT_WINE: Record<string, string> = {
  // Wine reports a negative "bytes left in this message"; Windows documents 0 for byte pipes.
  'PeekNamedPipe: 1 read 3 avail 5 left 4294967293 data 123': 'PeekNamedPipe: 1 read 3 avail 5 left 0 data 123',
  // TerminateProcess of a process that has already ended fails with ERROR_ACCESS_DENIED on
  // Windows; Wine succeeds.
  'TerminateProcess again: 1 error 0': 'TerminateProcess again: 0 error 5',
  // Wine starts Z:\bin\echo but gives no handle on it: no output, no exit code.
  'echo said: echo exit code 99': 'echo said: hello from linux\necho exit code 0',
};

describe('CreateProcess, pipes and process objects', () => {
  it('proc_pipes.exe: every check against Wine 8 (with Windows 10 where Wine differs)', () => {
    const r = runGuest(FIXTURES + 'proc_pipes.exe');
    assert.equal(r.stderr, '');
    const expected = wineOutput('proc_pipes').flatMap((l) => (WINDOWS_NOT_WINE[l] ?? l).split('\n'));
    assert.deepEqual(r.stdout.replace(/\r\n/g, '\n').split('\n').slice(0, -1), expected);
    assert.equal(r.status, 0);
  });
});
