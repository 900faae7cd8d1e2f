// Processes and pipes (issue 10): proc_pipes.exe starts itself as a child in several modes
// (pipes for stdin/stdout, an environment block and directory, an inherited file,
// CREATE_SUSPENDED, TerminateProcess, a crash, a Linux program, errors) and is checked against
// Wine 8's output, with the places where winrun deliberately differs from Wine replaced.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { runGuest, scratchDir, wineOutput, FIXTURES, WINRUN } from './helpers.js';

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

describe('the CRT: _spawn*, _cwait, system, _popen', () => {
  const lines = (out: string): string[] => out.replace(/\r\n/g, '\n').split('\n').slice(0, -1);
  it('proc_crt.exe: as Wine 8 where a command interpreter is needed, none is there', () => {
    const r = runGuest(FIXTURES + 'proc_crt.exe');
    assert.equal(r.stderr, '');
    // Wine has a cmd.exe; winrun has none, and the CRT then fails the Windows way (ENOENT).
    const wine = wineOutput('proc_crt');
    const cut = wine.findIndex((l) => l.startsWith('system(NULL)'));
    assert.deepEqual(lines(r.stdout), [...wine.slice(0, cut), 'system(NULL): 0 errno 2', 'system(echo): -1 errno 2', '_popen: NULL errno 2']);
    assert.equal(r.status, 0);
  });
  it('proc_crt.exe: system and _popen through COMSPEC (here a Linux script standing in for cmd.exe)', () => {
    const dir = scratchDir();
    // "cmd.exe /c COMMAND…" → run COMMAND…
    writeFileSync(`${dir}/cmd`, '#!/bin/sh\nshift\nexec "$@"\n');
    chmodSync(`${dir}/cmd`, 0o755);
    const r = spawnSync(process.execPath, [WINRUN, FIXTURES + 'proc_crt.exe'], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ComSpec: `Z:${dir.replace(/\//g, '\\')}\\cmd` } });
    assert.equal(r.stderr, '');
    assert.deepEqual(lines(r.stdout), wineOutput('proc_crt'));
  });
});
