/**
 * node dist/bench/threads.js [RUNS]: synchronization and thread costs under winrun and Wine,
 * alternating runs (who goes first alternates too), medians and ratios. The program,
 * syncbench.exe (tests/fixtures/src/syncbench.c), times its own loops with
 * QueryPerformanceCounter, so start-up is not counted. Issue 8's targets: uncontended
 * Enter+LeaveCriticalSection ≤ 2 × Wine; an event ping-pong round trip between two threads
 * ≤ 2 × Wine; a CPU-bound loop on 2 threads ≥ 1.8 × its single-thread speed (on 2 cores);
 * CreateThread to the thread running ≤ 1 ms once the Worker pool is warm.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const ROOT = new URL('../../', import.meta.url).pathname;
const RUNS = Number(process.argv[2] ?? 5);
const WINE = '/usr/lib/wine/wine64';
const EXE = `${ROOT}tests/fixtures/bin/syncbench.exe`;

interface Runner {
  readonly name: string;
  readonly cmd: string;
  readonly args: string[];
  readonly env?: Record<string, string>;
}

const runners: Runner[] = [{ name: 'winrun', cmd: process.execPath, args: [`${ROOT}bin/winrun`, EXE] }];
if (existsSync(WINE)) runners.push({ name: 'wine', cmd: WINE, args: [EXE], env: { WINEDEBUG: '-all', WINEPREFIX: '/tmp/winrun-bench-wineprefix' } });
else console.log('Wine is not installed: winrun figures only');

function measure(r: Runner): Map<string, number> {
  const p = spawnSync(r.cmd, r.args, { encoding: 'utf8', env: { ...process.env, ...r.env } });
  if (p.status !== 0) throw new Error(`${r.name} syncbench failed: ${p.stderr}`);
  return new Map(p.stdout.trim().split(/\r?\n/).map((l) => {
    const [k, v] = l.trim().split(/\s+/);
    return [k!, Number(v)];
  }));
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const results = new Map<string, Map<string, number[]>>();
for (let i = 0; i < RUNS; i++) {
  for (const r of i % 2 === 0 ? runners : [...runners].reverse()) {
    const m = results.get(r.name) ?? new Map<string, number[]>();
    for (const [k, v] of measure(r)) m.set(k, [...(m.get(k) ?? []), v]);
    results.set(r.name, m);
  }
}

const rows: [metric: string, label: string, unit: 'ns' | 'x', target: string][] = [
  ['cs_enter_leave', 'Enter+LeaveCriticalSection, uncontended', 'ns', '≤ 2 × Wine'],
  ['cs_recursive_pair', 'recursive Enter/Enter/Leave/Leave', 'ns', ''],
  ['event_pingpong_roundtrip', 'event ping-pong round trip, 2 threads', 'ns', '≤ 2 × Wine'],
  ['thread_start_first', 'CreateThread → running, first thread', 'ns', ''],
  ['thread_start_later', 'CreateThread → running, later threads', 'ns', '≤ 1 ms (pool warm)'],
  ['scaling_2threads', 'CPU loop on 2 threads vs 1 (speed-up)', 'x', '≥ 1.8'],
];
console.log(`${RUNS} alternating runs, medians`);
const show = (v: number, unit: 'ns' | 'x'): string => (unit === 'x' ? `${v.toFixed(2)}×` : v >= 1e6 ? `${(v / 1e6).toFixed(2)} ms` : v >= 1e3 ? `${(v / 1e3).toFixed(2)} µs` : `${v.toFixed(1)} ns`);
for (const [metric, label, unit, target] of rows) {
  const w = median(results.get('winrun')!.get(metric) ?? [NaN]);
  const wine = results.get('wine')?.get(metric);
  const line = [label.padEnd(42), `winrun ${show(w, unit).padStart(10)}`];
  if (wine) {
    const m = median(wine);
    line.push(`wine ${show(m, unit).padStart(10)}`);
    if (unit === 'ns') line.push(`ratio ${(w / m).toFixed(2)}×`);
  }
  if (target) line.push(`target ${target}`);
  console.log(line.join('   '));
}
