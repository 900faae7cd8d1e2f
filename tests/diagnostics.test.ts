// Diagnostics as a user meets them: the relay trace, `winrun imports`, and the reports for a
// missing function or DLL. Each case runs winrun in a child process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import { FIXTURES, WINRUN } from './helpers.js';

function winrun(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [WINRUN, ...args], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, WINRUN_DEBUG: '', WINRUN_RELAY: '', ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const RELAY_OUTPUT = 'got=0 err=203 len=15 k32=yes first=apple\r\n';

describe('relay trace', () => {
  it('shows calls in order with decoded strings, return values and last errors; output is unchanged', () => {
    const r = winrun(['--debug', '+relay', FIXTURES + 'relay.exe']);
    assert.equal(r.status, 0);
    assert.equal(r.stdout, RELAY_OUTPUT);
    const lines = r.stderr.split('\n').map((l) => l.replace(/^[0-9a-f]{4,}:/, ''));
    const want = [
      'Call KERNEL32.dll!GetEnvironmentVariableA("WINRUN_RELAY_UNSET_VARIABLE", 0x',
      'Ret  KERNEL32.dll!GetEnvironmentVariableA → 0 (last error 203)',
      'Call KERNEL32.dll!lstrlenA("quote\\" tab\\t nl\\n") from relay.exe+0x',
      'Ret  KERNEL32.dll!lstrlenA → 15',
      'Call KERNEL32.dll!GetModuleHandleW(L"kernel32.dll") from relay.exe+0x',
      'Ret  KERNEL32.dll!GetModuleHandleW → 0x',
      'Call msvcrt.dll!qsort(0x',
      '  Call KERNEL32.dll!lstrcmpA("pear", "apple") from ',
      '  Ret  KERNEL32.dll!lstrcmpA → 1',
      'Ret  msvcrt.dll!qsort',
    ];
    let at = 0;
    for (const w of want) {
      const i = lines.findIndex((l, k) => k >= at && l.startsWith(w));
      assert.ok(i >= 0, `missing (in order): ${w}\n${r.stderr}`);
      at = i + 1;
    }
    // Every line is prefixed with the thread id.
    assert.ok(r.stderr.split('\n').filter(Boolean).every((l) => /^[0-9a-f]{4,}:/.test(l)));
  });
  it('writes the same events as JSON to a file, filtered by WINRUN_RELAY', () => {
    const file = mkdtempSync(`${tmpdir()}/winrun-`) + '/trace.json';
    const r = winrun(['--debug', '+relay', '--trace-format', 'json', '--trace-file', file, FIXTURES + 'relay.exe'], { WINRUN_RELAY: 'include:kernel32,exclude:lstrlenA' });
    assert.equal(r.status, 0);
    assert.equal(r.stdout, RELAY_OUTPUT);
    assert.equal(r.stderr, '');
    const events = readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(events.every((e) => e.dll === 'KERNEL32.dll' && e.function !== 'lstrlenA'));
    for (const e of events) for (const k of ['event', 'time', 'tid', 'dll', 'function', 'depth']) assert.ok(k in e, k);
    const env = events.filter((e) => e.function === 'GetEnvironmentVariableA');
    assert.deepEqual(env.map((e) => e.event), ['call', 'ret']);
    assert.equal((env[0]!.args as string[])[0], '"WINRUN_RELAY_UNSET_VARIABLE"');
    assert.equal(env[1]!.ret, '0');
    assert.equal(env[1]!.lastError, 203);
    assert.ok(events.some((e) => e.function === 'lstrcmpA' && e.event === 'call'));
  });
  it('is off unless asked for, and rejects bad specs as usage errors', () => {
    assert.equal(winrun([FIXTURES + 'relay.exe']).stderr, '');
    assert.equal(winrun(['--debug', 'relay', FIXTURES + 'relay.exe']).status, 2);
    assert.equal(winrun(['--trace-format', 'xml', FIXTURES + 'relay.exe']).status, 2);
  });
});

describe('missing functions and DLLs', () => {
  it('a bogus import does not stop a program that never calls it', () => {
    const r = winrun([FIXTURES + 'bogus.exe']);
    assert.equal(r.status, 0);
    assert.equal(r.stdout, 'before\r\nafter\r\n');
    assert.equal(r.stderr, '');
  });
  it('calling it is reported by name and caller, with STATUS_PROCEDURE_NOT_FOUND', () => {
    const r = winrun([FIXTURES + 'bogus.exe', 'call']);
    assert.equal(r.status, 0xc000007a & 0xff);
    assert.equal(r.stdout, 'before\r\n');
    assert.match(r.stderr, /^winrun: unimplemented function KERNEL32\.dll!WinrunBogusExport called from bogus\.exe\+0x[0-9a-f]+\n$/);
  });
  it('a missing DLL stops loading with its name, the places searched and status 53', () => {
    const r = winrun([FIXTURES + 'missingdll.exe']);
    assert.equal(r.status, 53);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^winrun: missingdll\.exe needs winrun_missing\.dll, which was not found \(searched: .*tests\/fixtures\/bin, /);
  });
});

interface Report {
  totals: { dlls: number; functions: number; implemented: number; stub: number; missing: number };
  missing: string[];
  missingDlls: string[];
  modules: { module: string; dlls: { dll: string; kind: string; implemented: number; missing: number; delayLoad: boolean }[] }[];
}

function importCount(file: string): number {
  const info = JSON.parse(winrun(['info', file, '--json']).stdout) as { imports: { functions: unknown[] }[]; delayImports: { functions: unknown[] }[] };
  return [...info.imports, ...info.delayImports].reduce((n, d) => n + d.functions.length, 0);
}

describe('winrun imports', () => {
  it('marks the bogus export missing, exits 3, and counts every import', () => {
    const r = winrun(['imports', FIXTURES + 'bogus.exe', '--json']);
    assert.equal(r.status, 3);
    const j = JSON.parse(r.stdout) as Report;
    assert.deepEqual(j.missing, ['KERNEL32.dll!WinrunBogusExport']);
    assert.deepEqual(j.missingDlls, []);
    assert.equal(j.totals.functions, importCount(FIXTURES + 'bogus.exe'));
    assert.equal(j.totals.missing, 1);
    assert.equal(j.totals.implemented, j.totals.functions - 1);
  });
  it('follows the program’s own DLLs recursively', () => {
    const r = winrun(['imports', FIXTURES + 'dll_user.exe', '--json']);
    const j = JSON.parse(r.stdout) as Report;
    assert.deepEqual(j.modules.map((m) => m.module), ['dll_user.exe', 'exports.dll']);
    const ex = j.modules[0]!.dlls.find((d) => d.dll === 'exports.dll')!;
    assert.deepEqual([ex.kind, ex.implemented, ex.missing], ['pe', 4, 0]);
    assert.equal(j.totals.functions, importCount(FIXTURES + 'dll_user.exe') + importCount(FIXTURES + 'exports.dll'));
  });
  it('reports a DLL that does not exist', () => {
    const r = winrun(['imports', FIXTURES + 'missingdll.exe']);
    assert.equal(r.status, 3);
    assert.match(r.stdout, /^ {2}winrun_missing\.dll +NOT FOUND +0 implemented +1 missing$/m);
    assert.match(r.stdout, /^DLLs not found \(1\): winrun_missing\.dll$/m);
    assert.match(r.stdout, /^ {2}winrun_missing\.dll!missing_function$/m);
  });
  it('includes delay-loaded DLLs', () => {
    const j = JSON.parse(winrun(['imports', FIXTURES + 'delayload.exe', '--json']).stdout) as Report;
    const d = j.modules[0]!.dlls.find((x) => x.dll === 'exports.dll')!;
    assert.equal(d.delayLoad, true);
  });
  it('rejects a bad file with one line and exit 1', () => {
    const r = winrun(['imports', FIXTURES + '../malformed/machine-i386.exe']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^winrun: .*32-bit Windows programs are not supported.*\n$/);
  });
});
