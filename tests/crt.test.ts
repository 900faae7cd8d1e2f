// The C runtimes' stdio on files, locales, math errors and start-up variables, end to end.
// Expected output is Wine 8's (tests/fixtures/expected/) except where noted.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { FIXTURES, WINRUN, runGuest, scratchDir, wineOutput } from './helpers.js';

/** Runs a fixture and compares its lines with the expected ones. */
function matches(exe: string, expected: string[], args: string[] = [], cwd?: string): void {
  const r = runGuest(FIXTURES + exe, args, cwd);
  assert.equal(r.stderr, '');
  assert.equal(r.status, 0);
  assert.deepEqual(r.stdout.split('\r\n'), [...expected, '']);
}

describe('C runtime stdio on files', () => {
  for (const name of ['stdio', 'stdio_ucrt']) {
    it(`${name}.exe: modes, text translation, positioning, buffering, low-level I/O, stat, fscanf`, () => matches(`${name}.exe`, wineOutput(name), [], scratchDir()));
  }
  it('stdout and stderr on a pipe are fully buffered, flushed by fflush and at exit, in stream order', () => {
    // Windows' msvcrt buffers both when they are not a console; Wine flushes after each printf.
    const r = spawnSync('/bin/sh', ['-c', `"${process.execPath}" "${WINRUN}" "${FIXTURES}stdio.exe" order 2>&1`], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0);
    assert.equal(r.stdout, 'out-1\r\nout-2\r\nout-3\r\nerr-1\r\nerr-2\r\n');
  });
  it('stdout and stderr on a terminal are written through at each call', { skip: !existsSync('/usr/bin/script') && 'util-linux script(1) is not installed' }, () => {
    const r = spawnSync('/usr/bin/script', ['-qc', `"${process.execPath}" "${WINRUN}" "${FIXTURES}stdio.exe" order`, '/dev/null'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0);
    // The terminal turns each LF into CR LF after msvcrt's CR: lines end CR CR LF.
    assert.equal(r.stdout.replace(/\r+\n/g, '\n'), 'out-1\nerr-1\nout-2\nerr-2\nout-3\n');
  });
});

describe('C runtime locales', () => {
  it('locale.exe: setlocale categories, queries, invalid names, code-page getters (msvcrt has no UTF-8 locale)', () => matches('locale.exe', wineOutput('locale')));
  it('locale_ucrt.exe: the same with the UCRT, which has UTF-8', () => {
    // Windows 10 names the UTF-8 locale "English_United States.utf8"; Wine 8 says ".65001".
    matches('locale_ucrt.exe', wineOutput('locale_ucrt').map((l) => l.replaceAll('English_United States.65001', 'English_United States.utf8')));
  });
});

describe('C runtime math errors', () => {
  it('matherr.exe: the __setusermatherr handler sees struct _exception and may replace the result', () => matches('matherr.exe', wineOutput('matherr')));
});

describe('C runtime start-up variables', () => {
  it('pargs_ucrt.exe: __p___argc, __p___argv and __p__environ agree with main (x64 msvcrt.dll has no such exports, as on Windows)', () => {
    const r = runGuest(FIXTURES + 'pargs_ucrt.exe', ['one', 'two words']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'argc=3 argv-match=1 last=[two words] environ-match=1\r\n');
  });
});

describe('C runtime invalid parameters', () => {
  const lines = (calls: boolean): string =>
    [
      'fopen(NULL) = 0000000000000000 errno 22 calls 1',
      'fopen(bad mode) = 0000000000000000 errno 22 calls 2',
      'fputs(NULL) = -1 errno 22 calls 3',
      'setvbuf(mode 7) = -1 errno 22 calls 4',
      '_aligned_malloc(align 3) = 0000000000000000 errno 22 calls 5',
      '',
    ]
      .map((l) => (calls ? l : l.replace(/calls \d/, 'calls 0')))
      .join('\r\n');
  // Wine neither validates these parameters nor ends the process (it crashes in fputs(NULL));
  // the expectations are Microsoft's documented parameter validation.
  it('the UCRT calls the installed handler, then fails with EINVAL', () => {
    const r = runGuest(FIXTURES + 'invarg_ucrt.exe');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, lines(true));
  });
  it('without a handler the UCRT ends the process with STATUS_STACK_BUFFER_OVERRUN (fast fail), at the first bad call', () => {
    const r = runGuest(FIXTURES + 'invarg_ucrt.exe', ['nohandler']);
    assert.equal(r.status, 0xc0000409 & 0xff);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /invalid parameter passed to a C runtime function/);
  });
  it('msvcrt.dll fails with EINVAL and goes on (mingw-w64 keeps its own handler for msvcrt)', () => {
    for (const args of [[], ['nohandler']]) {
      const r = runGuest(FIXTURES + 'invarg.exe', args);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, lines(false));
    }
  });
});

describe('C runtime Unicode text streams', () => {
  // Wine 8's output, byte for byte (stdout turns UTF-16LE and back to UTF-8 midway).
  const wine = readFileSync(`${FIXTURES}../expected/widetext.wine.bin`);
  for (const exe of ['widetext.exe', 'widetext_ucrt.exe']) {
    it(`${exe}: ccs=UTF-8/UTF-16LE/UNICODE write byte order marks, read by them, and _setmode switches stdout`, () => {
      const dir = scratchDir();
      const r = spawnSync(process.execPath, [WINRUN, FIXTURES + exe], { cwd: dir, timeout: 60_000 });
      assert.equal(r.status, 0, r.stderr.toString());
      assert.deepEqual(r.stdout, wine);
    });
  }
});

describe('TerminateProcess', () => {
  it('on the current process ends it at once with the code: no atexit, no stdio flush (Windows: "DLLs are not notified")', () => {
    const r = runGuest(FIXTURES + 'terminate.exe');
    assert.equal(r.status, 7);
    // Wine 8 still writes the buffered stdout line; Windows, like winrun, loses it.
    assert.equal(r.stdout, '');
    assert.doesNotMatch(r.stderr, /atexit ran|after/);
  });
});
