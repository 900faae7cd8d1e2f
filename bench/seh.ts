/**
 * node dist/bench/seh.js [RUNS]: a C++ exception thrown through frames and caught, under winrun
 * and Wine alternately (who goes first alternates too); medians and the ratio for each program.
 * Issue 7's target: within 3 × Wine. Each program times its own loop with
 * QueryPerformanceCounter, so start-up is not counted.
 *
 * - seh_cxxbench.exe (tests/fixtures/src/seh_cxxbench.cpp, g++, static libgcc): g++ -O2 turns
 *   its recursion into a loop, so only a few frames lie between throw and catch. Run with 5000
 *   throws (the first measurements; V8 is still compiling winrun's code during the first
 *   thousand) and with 20000.
 * - cxxbench.exe (src/cxxbench.cpp, g++, libgcc and libstdc++ linked statically) and
 *   cxxbench_msvc.exe (clang's MSVC ABI: _CxxThrowException, __CxxFrameHandler3): ten real
 *   frames between throw and catch; the first throw alone (a program that throws once), 20000
 *   timed from the start (V8 compiles winrun's exception path during the first few thousand
 *   throws), and 100000 after 20000 untimed throws (the steady cost per throw). For cxxbench the process's CPU time per throw is compared too: on this
 *   shared machine it moves less than the elapsed time.
 * - cxxbench_cleanups.exe and cxxbench_cleanups_msvc.exe: the same with a destructor in each of
 *   the ten frames (each frame's cleanup runs during the unwind), 20000 timed from the start.
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
  readonly args: (exe: string, n: string[]) => string[];
  readonly env?: Record<string, string>;
}

const runners: Runner[] = [{ name: 'winrun', cmd: process.execPath, args: (exe, n) => [`${ROOT}bin/winrun`, exe, ...n] }];
if (existsSync(WINE)) runners.push({ name: 'wine', cmd: WINE, args: (exe, n) => [exe, ...n], env: WINE_ENV });

function run(r: Runner, exe: string, n: string[]): { ok: boolean; stdout: string; stderr: string } {
  const p = spawnSync(r.cmd, r.args(exe, n), { encoding: 'utf8', env: { ...process.env, ...r.env } });
  return { ok: p.status === 0, stdout: p.stdout, stderr: p.stderr };
}

/** ns per throw+catch as the program prints it: elapsed (the last word of its last line) and,
 *  from cxxbench, the process's CPU time (its `cpu-ns-per-throw` line). */
function measure(r: Runner, exe: string, n: string[]): { wall: number; cpu?: number } {
  const p = run(r, exe, n);
  if (!p.ok) throw new Error(`${r.name} ${exe} ${n} failed: ${p.stderr}`);
  const cpu = /cpu-ns-per-throw\s+([\d.]+)/.exec(p.stdout)?.[1];
  return { wall: Number(p.stdout.trim().split(/\s+/).pop()), ...(cpu !== undefined && { cpu: Number(cpu) }) };
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** `n`: the throws timed, then (cxxbench) the untimed warm-up throws before them. */
function bench(label: string, exe: string, ...n: number[]): void {
  if (!existsSync(exe)) return;
  const args = n.map(String);
  // winrun must run the program at all.
  const probe = run(runners[0]!, exe, ['1']);
  if (!probe.ok) {
    console.log(`${label.padEnd(34)} skipped: winrun cannot run it (${probe.stderr.trim().split('\n')[0]})`);
    return;
  }
  const results = new Map<string, { wall: number; cpu?: number }[]>();
  for (let i = 0; i < RUNS; i++) {
    for (const r of i % 2 === 0 ? runners : [...runners].reverse()) results.set(r.name, [...(results.get(r.name) ?? []), measure(r, exe, args)]);
  }
  const w = median(results.get('winrun')!.map((x) => x.wall));
  const line = [`${label.padEnd(38)} winrun ${(w / 1000).toFixed(2).padStart(7)} µs`];
  const wine = results.get('wine');
  if (wine) {
    const m = median(wine.map((x) => x.wall));
    line.push(`wine ${(m / 1000).toFixed(2).padStart(6)} µs`, `ratio ${(w / m).toFixed(1)}×`);
  }
  // CPU time (every thread of each process): steal time and other tenants' load move it less.
  const wc = results.get('winrun')!.map((x) => x.cpu);
  const ec = wine?.map((x) => x.cpu);
  // (Not for a few throws: Wine's process times move in 10 ms ticks.)
  if (n[0]! >= 1000 && wc.every((x) => x !== undefined) && ec?.every((x) => x !== undefined)) {
    const a = median(wc as number[]);
    const b = median(ec as number[]);
    line.push(`| CPU winrun ${(a / 1000).toFixed(2)} µs wine ${(b / 1000).toFixed(2)} µs ratio ${(a / b).toFixed(1)}×`);
  }
  console.log(line.join('   '));
}

console.log(`${RUNS} alternating runs each, median time per throw+catch`);
// A program's first exception: what one throw costs a program that throws once (winrun's part
// of it is mostly V8 compiling its exception path).
bench('cxxbench, the first throw (g++)', `${BIN}cxxbench.exe`, 1);
bench('cxxbench_msvc, the first throw (MSVC ABI)', `${BIN}cxxbench_msvc.exe`, 1);
bench('seh_cxxbench 5000 (g++, few frames)', `${BIN}seh_cxxbench.exe`, 5000);
bench('seh_cxxbench 20000 (g++, few frames)', `${BIN}seh_cxxbench.exe`, 20000);
bench('cxxbench 20000 (g++, 10 frames)', `${BIN}cxxbench.exe`, 20000);
bench('cxxbench_msvc 20000 (MSVC ABI, 10 frames)', `${BIN}cxxbench_msvc.exe`, 20000);
bench('cxxbench_cleanups 20000 (g++, 10 destructors)', `${BIN}cxxbench_cleanups.exe`, 20000);
bench('cxxbench_cleanups_msvc 20000 (MSVC ABI, 10 destructors)', `${BIN}cxxbench_cleanups_msvc.exe`, 20000);
// The same after 20000 untimed throws: the steady cost, once V8 has compiled winrun's
// exception path (Wine has no warm-up; its figure is the same either way). 100000 timed throws:
// Wine's process CPU time is counted in 10 ms ticks.
bench('cxxbench 100000 after 20000 (warm)', `${BIN}cxxbench.exe`, 100000, 20000);
bench('cxxbench_msvc 100000 after 20000 (warm)', `${BIN}cxxbench_msvc.exe`, 100000, 20000);
