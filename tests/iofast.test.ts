// ReadFile, WriteFile and FindNextFile run as machine code for ordinary files
// (src/native/iofast.ts) and fall back to JS at every edge; iofast.exe walks those edges.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, openSync, readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import koffi from 'koffi';
import { sharedBufferAddress } from '../src/native/ffi.js';
import { FIXTURES, runGuest, scratchDir, wineOutput, WINRUN } from './helpers.js';

const EXE = FIXTURES + 'iofast.exe';

/** Where Wine 8 is not Windows: WriteFile from a NULL buffer. kernel32's WriteFile checks the
 *  buffer before any I/O and fails with ERROR_NOACCESS (998); Wine passes it to write(2) and
 *  turns EFAULT into STATUS_INVALID_USER_BUFFER (1784). */
function expected(): string[] {
  return wineOutput('iofast').map((l) => (l === 'write from NULL: 0 err 1784 size 100000' ? 'write from NULL: 0 err 998 size 100000' : l));
}

describe('file I/O fast paths', () => {
  it('behave as the JS implementations and as Wine at every edge', () => {
    const dir = scratchDir();
    const r = runGuest(EXE, [], dir);
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
    assert.deepEqual(r.stdout.split('\r\n'), [...expected(), '']);
    assert.deepEqual(readdirSync(dir), []);
  });
  it('print the same with the fast paths off (a relay trace turns them off)', () => {
    const on = runGuest(EXE, [], scratchDir());
    const off = spawnSync(process.execPath, [WINRUN, '--debug', '+relay', EXE], { encoding: 'utf8', timeout: 60_000, cwd: scratchDir() });
    assert.equal(off.status, 0);
    assert.match(off.stderr, /KERNEL32\.dll!ReadFile\(/);
    assert.match(off.stderr, /KERNEL32\.dll!FindNextFileA\(/);
    assert.equal(off.stdout, on.stdout);
  });
  it('write to standard output redirected to a file the same as to a pipe', () => {
    const dir = scratchDir();
    const out = `${scratchDir()}/stdout.txt`;
    const fd = openSync(out, 'w');
    const r = spawnSync(process.execPath, [WINRUN, EXE], { cwd: dir, stdio: ['ignore', fd, 'pipe'], timeout: 60_000 });
    closeSync(fd);
    assert.equal(r.status, 0);
    assert.deepEqual(readFileSync(out, 'utf8').split('\r\n'), [...expected(), '']);
  });
});

it('sharedBufferAddress is where the SharedArrayBuffer keeps its bytes (the machine code reads the tables there)', () => {
  const sab = new SharedArrayBuffer(64);
  const words = new Int32Array(sab);
  const native = new Int32Array(koffi.view(sharedBufferAddress(sab), 64) as ArrayBuffer);
  words[3] = 1234;
  assert.equal(native[3], 1234);
  native[5] = -7;
  assert.equal(words[5], -7);
});
