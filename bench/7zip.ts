/**
 * node dist/bench/7zip.js [RUNS] [MB] [mt,st,x]: 7-Zip's 7za.exe (npm 7zip-bin) archiving and extracting
 * ~40 MB of mixed deterministic data, under winrun, under Wine (if installed) and with Debian's
 * native 7-Zip (`7z`/`7zz`, package 7zip) as references; alternating runs (who goes first
 * alternates too), medians and ratios. Issue 9's targets: creation (-mx=5, multi-threaded and
 * -mmt=off) ≤ 1.02 × Wine, extraction ≤ 1.05 × Wine. A missing reference is skipped with a note.
 * The third argument picks scenarios: mt (creation, multi-threaded), st (-mmt=off), x (extraction).
 *
 * The data: compressible text in files of several sizes, seeded random bytes (incompressible),
 * structured records (half-compressible) and 400 small files.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const ROOT = new URL('../../', import.meta.url).pathname;
const RUNS = Number(process.argv[2] ?? 3);
const MB = Number(process.argv[3] ?? 40);
const PICK = (process.argv[4] ?? 'mt,st,x').split(',');
const WINE = '/usr/lib/wine/wine64';
const SEVEN_ZA = createRequire(import.meta.url).resolve('7zip-bin/win/x64/7za.exe');

interface Runner {
  readonly name: string;
  readonly cmd: string;
  readonly prefix: readonly string[];
  readonly env?: Record<string, string>;
}

function which(cmd: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

const runners: Runner[] = [{ name: 'winrun', cmd: process.execPath, prefix: [`${ROOT}bin/winrun`, SEVEN_ZA] }];
const WINE_ENV = { WINEDEBUG: '-all', WINEPREFIX: '/tmp/winrun-bench-wineprefix' };
const WINESERVER = '/usr/lib/wine/wineserver';
if (existsSync(WINE)) runners.push({ name: 'wine', cmd: WINE, prefix: [SEVEN_ZA], env: WINE_ENV });
else console.log(`note: ${WINE} not found, Wine is not measured`);
const native = which('7zz') ?? which('7z');
if (native) runners.push({ name: 'native', cmd: native, prefix: [] });
else console.log('note: no native 7z/7zz (Debian package 7zip), the native reference is not measured');

/** xorshift32: the same data on every machine. */
function seeded(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>>= 0);
  };
}

function makeData(dir: string, mb: number): number {
  const next = seeded(0x5eed);
  const words = 'the of and to in is was for on that with as by at from archive data winrun seven zip stream block window dictionary match literal'.split(' ');
  let total = 0;
  const put = (name: string, b: Buffer): void => {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), b);
    total += b.length;
  };
  const text = (n: number): Buffer => {
    const parts: string[] = [];
    let len = 0;
    while (len < n) {
      const w = words[next() % words.length]! + (next() % 13 === 0 ? '.\n' : ' ');
      parts.push(w);
      len += w.length;
    }
    return Buffer.from(parts.join('').slice(0, n));
  };
  const random = (n: number): Buffer => {
    const b = Buffer.alloc(n);
    for (let i = 0; i + 4 <= n; i += 4) b.writeUInt32LE(next(), i);
    return b;
  };
  const records = (n: number): Buffer => {
    const b = Buffer.alloc(n);
    for (let i = 0; i + 16 <= n; i += 16) {
      b.writeUInt32LE(i / 16, i);
      b.writeUInt32LE(next() & 0xffff, i + 4);
      b.write('REC-', i + 8);
      b.writeUInt32LE(next() % 100, i + 12);
    }
    return b;
  };
  const unit = (mb * 1024 * 1024) / 40;
  for (let i = 0; i < 4; i++) put(`text/part${i}.txt`, text(unit * (2 + i))); // 14 units
  put('text/big.log', text(unit * 6)); // 20
  put('binary/random.bin', random(unit * 8)); // 28
  put('binary/records.dat', records(unit * 10)); // 38
  for (let i = 0; i < 400; i++) put(`small/d${i % 20}/f${i}.txt`, i % 3 === 0 ? random(1 + (next() % 6000)) : text(1 + (next() % 8000)));
  return total;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function timed(r: Runner, args: readonly string[], cwd: string): number {
  const t0 = performance.now();
  // No pipes: a wineserver that wine64 starts would inherit them and spawnSync would wait for it.
  const p = spawnSync(r.cmd, [...r.prefix, ...args], { cwd, env: { ...process.env, ...r.env }, stdio: 'ignore' });
  const t = performance.now() - t0;
  if (p.status !== 0) throw new Error(`${r.name} 7z ${args.join(' ')} failed (${p.status}); run it by hand in ${cwd} to see why`);
  return t / 1000;
}

interface Scenario {
  readonly key: string;
  readonly label: string;
  /** Arguments, given the runner's name (its own output path). */
  readonly args: (name: string) => string[];
  readonly cleanup: (name: string) => void;
}

const dir = mkdtempSync(join(tmpdir(), 'winrun-bench-7zip-'));
const bytes = makeData(join(dir, 'data'), MB);
// The archive the extraction runs read: made once, by the first runner.
const ref = 'ref.7z';

const scenarios: Scenario[] = [
  { key: 'mt', label: 'a -mx=5 (multi-threaded)', args: (n) => ['a', '-mx=5', '-bd', `mt-${n}.7z`, 'data'], cleanup: (n) => rmSync(join(dir, `mt-${n}.7z`), { force: true }) },
  { key: 'st', label: 'a -mx=5 -mmt=off', args: (n) => ['a', '-mx=5', '-mmt=off', '-bd', `st-${n}.7z`, 'data'], cleanup: (n) => rmSync(join(dir, `st-${n}.7z`), { force: true }) },
  { key: 'x', label: 'x (extraction)', args: (n) => ['x', '-y', '-bd', `-oout-${n}`, ref], cleanup: (n) => rmSync(join(dir, `out-${n}`), { recursive: true, force: true }) },
];

console.log(`data: ${(bytes / 1024 / 1024).toFixed(1)} MB in ${dir}; ${RUNS} alternating runs each, median wall time`);
// Warm Wine's server and prefix, and the page cache, before anything is timed; the server stays
// up for the whole run (-p), as it would between commands in a session, instead of exiting 3 s
// after each 7za and starting again (~0.5 s) for the next.
if (existsSync(WINE) && existsSync(WINESERVER)) spawn(WINESERVER, ['-p'], { env: { ...process.env, ...WINE_ENV }, stdio: 'ignore', detached: true }).unref();
for (const r of runners) timed(r, ['i'], dir);
if (PICK.includes('x')) timed(runners[0]!, ['a', '-mx=5', '-bd', ref, 'data'], dir);

const table: string[] = [];
for (const s of scenarios.filter((x) => PICK.includes(x.key))) {
  const results = new Map<string, number[]>();
  for (let i = 0; i < RUNS; i++) {
    for (const r of i % 2 === 0 ? runners : [...runners].reverse()) {
      s.cleanup(r.name);
      results.set(r.name, [...(results.get(r.name) ?? []), timed(r, s.args(r.name), dir)]);
      s.cleanup(r.name);
    }
  }
  const w = median(results.get('winrun')!);
  const cells = [`| ${s.label} | ${w.toFixed(2)} s`];
  for (const ref of ['wine', 'native']) {
    const v = results.get(ref);
    cells.push(v ? `${median(v).toFixed(2)} s | ${(w / median(v)).toFixed(2)}×` : '— | —');
  }
  const line = cells.join(' | ') + ' |';
  table.push(line);
  console.log(line, '  runs:', [...results].map(([k, v]) => `${k} ${v.map((x) => x.toFixed(2)).join('/')}`).join(', '));
}
console.log('\n| command | winrun | Wine | winrun / Wine | native 7z | winrun / native |\n|---|---|---|---|---|---|');
for (const l of table) console.log(l);
rmSync(dir, { recursive: true, force: true });
if (existsSync(WINE) && existsSync(WINESERVER)) spawnSync(WINESERVER, ['-k'], { env: { ...process.env, ...WINE_ENV } });
