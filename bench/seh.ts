/**
 * node dist/bench/seh.js [RUNS]: a C++ exception thrown through frames and caught, under winrun
 * and Wine alternately; medians and the ratio for each program. Issue 7's target: within 3 × Wine.
 *
 * - seh_cxxbench.exe (tests/fixtures/src/seh_cxxbench.cpp, g++, static libgcc): times its own
 *   loop with QueryPerformanceCounter and prints ns per throw+catch (g++ -O2 turns its recursion
 *   into a loop, so only a few frames lie between throw and catch).
 * - cxxbench.exe (src/cxxbench.cpp, g++, libgcc_s_seh-1.dll and libstdc++-6.dll) and
 *   cxxbench_msvc.exe (clang's MSVC ABI: _CxxThrowException, __CxxFrameHandler3): ten real frames
 *   between throw and catch; they print only a count, so each run is timed from outside as
 *   (wall time of N throws − wall time of 0 throws) / N, the two runs back to back.
 *   cxxbench_msvc.exe is skipped while winrun cannot run it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const ROOT = new URL('../../', import.meta.url).pathname;
const RUNS = Number(process.argv[2] ?? 5);
const WINE = '/usr/lib/wine/wine64';
const BIN = `${ROOT}tests/fixtures/bin/`;
const WINE_ENV = { WINEDEBUG: '-all', WINEPREFIX: '/tmp/winrun-bench-wineprefix' };

interface Runner {
  readonly name: string;
  readonly cmd: string;
  readonly args: (exe: string, n: number) => string[];
  readonly env?: Record<string, string>;
}

const runners: Runner[] = [{ name: 'winrun', cmd: process.execPath, args: (exe, n) => [`${ROOT}bin/winrun`, exe, String(n)] }];
if (existsSync(WINE)) runners.push({ name: 'wine', cmd: WINE, args: (exe, n) => [exe, String(n)], env: WINE_ENV });

function run(r: Runner, exe: string, n: number): { ok: boolean; stdout: string; ms: number; stderr: string } {
  const t0 = process.hrtime.bigint();
  const p = spawnSync(r.cmd, r.args(exe, n), { encoding: 'utf8', env: { ...process.env, ...r.env } });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  return { ok: p.status === 0, stdout: p.stdout, ms, stderr: p.stderr };
}

/** ns per throw+catch: printed by the program itself. */
function timedInside(r: Runner, exe: string, n: number): number {
  const p = run(r, exe, n);
  if (!p.ok) throw new Error(`${r.name} ${exe} failed: ${p.stderr}`);
  return Number(p.stdout.trim().split(' ')[1]);
}

/** ns per throw+catch: the difference of two whole runs. */
function timedOutside(r: Runner, exe: string, n: number): number {
  const empty = run(r, exe, 0);
  const full = run(r, exe, n);
  if (!empty.ok || !full.ok || !full.stdout.includes(`caught ${n} of ${n}`)) throw new Error(`${r.name} ${exe} failed: ${full.stderr || empty.stderr}`);
  return ((full.ms - empty.ms) * 1e6) / n;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function bench(label: string, exe: string, n: number, measure: (r: Runner, exe: string, n: number) => number): void {
  if (!existsSync(exe)) return;
  // winrun must run the program at all (cxxbench_msvc needs MSVC C++ exception support).
  const probe = run(runners[0]!, exe, 1);
  if (!probe.ok) {
    console.log(`${label.padEnd(34)} skipped: winrun cannot run it (${probe.stderr.trim().split('\n')[0]})`);
    return;
  }
  const results = new Map<string, number[]>();
  for (let i = 0; i < RUNS; i++) {
    for (const r of i % 2 === 0 ? runners : [...runners].reverse()) results.set(r.name, [...(results.get(r.name) ?? []), measure(r, exe, n)]);
  }
  const w = median(results.get('winrun')!);
  const line = [`${label.padEnd(34)} winrun ${(w / 1000).toFixed(2).padStart(7)} µs`];
  const wine = results.get('wine');
  if (wine) line.push(`wine ${(median(wine) / 1000).toFixed(2).padStart(6)} µs`, `ratio ${(w / median(wine)).toFixed(1)}×`);
  console.log(line.join('   '));
}

console.log(`${RUNS} alternating runs each, median time per throw+catch`);
bench('seh_cxxbench (g++ static, 5000)', `${BIN}seh_cxxbench.exe`, 5000, timedInside);
bench('cxxbench (g++ DLLs, 10 frames)', `${BIN}cxxbench.exe`, 20000, timedOutside);
bench('cxxbench_msvc (MSVC ABI, 10 frames)', `${BIN}cxxbench_msvc.exe`, 20000, timedOutside);
