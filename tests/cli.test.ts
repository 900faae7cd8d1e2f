// `winrun info` and the CLI's error handling, run as a user would: bin/winrun in a child process.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { FIXTURES, MALFORMED, WINRUN } from './helpers.js';

function winrun(...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [WINRUN, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('winrun info', () => {
  it('describes an executable in aligned, readable text', () => {
    const r = winrun('info', FIXTURES + 'hello.exe');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Format: +PE32\+ executable, machine x86-64$/m);
    assert.match(r.stdout, /^Subsystem: +windows-cui /m);
    assert.match(r.stdout, /^Image base: +0x140000000, size 0x/m);
    assert.match(r.stdout, /^Stack: +reserve 0x200000, commit 0x1000$/m);
    assert.match(r.stdout, /^ {2}\.text +0x1000 +0x[0-9a-f]+ +0x400 +0x[0-9a-f]+ +R-X +code/m);
    assert.match(r.stdout, /^ {2}msvcrt\.dll \(\d+\)$/m);
    assert.match(r.stdout, /^ {4}__getmainargs +hint \d+$/m);
  });
  it('shows exports with ordinals and forwarders', () => {
    const r = winrun('info', FIXTURES + 'exports.dll');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Exports of exports\.dll \(5, ordinal base 1\):$/m);
    assert.match(r.stdout, /^ {2}7 +0x[0-9a-f]+ +\(by ordinal only\)$/m);
    assert.match(r.stdout, /^ {2}10 +forward +GetTickCountForwarded -> KERNEL32\.GetTickCount$/m);
  });
  it('shows TLS callbacks, the PDB path and delay-load imports', () => {
    assert.match(winrun('info', FIXTURES + 'tls.exe').stdout, /^TLS: +template 0x[0-9a-f]+\.\.0x[0-9a-f]+ \(\d+ bytes \+ 0 zero-fill\), index at 0x[0-9a-f]+, [4-9] callbacks: /m);
    assert.match(winrun('info', FIXTURES + 'pdbpath.exe').stdout, /^PDB: +pdbpath\.pdb \([0-9A-F-]{36}, age 1\)$/m);
    assert.match(winrun('info', FIXTURES + 'delayload.exe').stdout, /^Delay-load imports \(1 DLLs, 1 functions\):\n {2}exports\.dll \(1\)\n {4}add_numbers/m);
  });
  it('writes stable JSON with --json', () => {
    const r = winrun('info', FIXTURES + 'dll_user.exe', '--json');
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as Record<string, unknown> & { imports: { dll: string; functions: { name?: string; ordinal?: number }[] }[] };
    assert.equal(j.schema, 1);
    assert.equal(j.machine, 'x86-64');
    assert.equal(j.kind, 'exe');
    assert.equal(j.imageBase, '0x140000000');
    assert.equal(typeof j.entryPoint, 'string');
    const ex = j.imports.find((d) => d.dll === 'exports.dll')!;
    assert.deepEqual(ex.functions.filter((f) => f.ordinal !== undefined).map((f) => f.ordinal), [7]);
    for (const key of ['sections', 'delayImports', 'exports', 'tls', 'relocations', 'exceptions', 'resources', 'loadConfig', 'debug']) assert.ok(key in j, key);
  });
  it('lists resources', () => {
    const r = winrun('info', FIXTURES + 'resources.exe', '--json');
    const j = JSON.parse(r.stdout) as { resources: { type: string; name: string; language: number }[] };
    assert.ok(j.resources.some((x) => x.type === 'RT_RCDATA' && x.name === 'CONFIG'));
    assert.ok(j.resources.some((x) => x.type === 'RT_STRING' && x.language === 1031));
  });
});

describe('errors are one line and a non-zero exit', () => {
  const expected = JSON.parse(readFileSync(MALFORMED + 'expected.json', 'utf8')) as Record<string, unknown>;
  for (const file of ['machine-i386.exe', 'trunc-optional.exe', 'forwarder-loop.dll', 'resource-cycle.exe', 'reloc-highlow.exe']) {
    it(`info ${file}`, () => {
      assert.ok(file in expected);
      const r = winrun('info', MALFORMED + file);
      assert.equal(r.status, 1);
      assert.equal(r.stdout, '');
      assert.equal(r.stderr.split('\n').filter(Boolean).length, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`^winrun: .*${file.replace('.', '\\.')}: `));
    });
  }
  it('says plainly that 32-bit programs are not supported', () => {
    assert.match(winrun(MALFORMED + 'machine-i386.exe').stderr, /32-bit Windows programs are not supported \(machine i386\)/);
  });
  it('reports a missing file', () => {
    const r = winrun('info', '/nonexistent/prog.exe');
    assert.equal(r.status, 1);
    assert.equal(r.stderr, 'winrun: /nonexistent/prog.exe: no such file\n');
  });
  it('rejects a non-PE file', () => {
    const r = winrun('info', WINRUN);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /no MZ signature/);
  });
  it('gives usage errors exit status 2', () => {
    assert.equal(winrun().status, 2);
    assert.equal(winrun('info').status, 2);
    assert.equal(winrun('info', '--bogus', 'x').status, 2);
    assert.equal(winrun('--bogus').status, 2);
  });
  it('prints help and version', () => {
    assert.match(winrun('--help').stdout, /^usage: winrun \[OPTIONS\] PROG\.exe/);
    assert.match(winrun('--version').stdout, /^winrun \d+\.\d+\.\d+\n$/);
  });
});
