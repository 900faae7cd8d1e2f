/**
 * node dist/bench/api-calls.js [RUNS]: per-call costs measured inside a guest program
 * (tests/fixtures/src/apicost.c) under winrun and, when installed, Wine — alternating runs,
 * medians. Targets: a JS-implemented API ≤ 150 ns, SetLastError+GetLastError ≤ 10 ns.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const ROOT = new URL('../../', import.meta.url).pathname;
const RUNS = Number(process.argv[2] ?? 7);
const ITERATIONS = '2000000';
const WINE = '/usr/lib/wine/wine64';
const exe = `${ROOT}tests/fixtures/bin/apicost.exe`;

const runners: [string, string, string[], Record<string, string>?][] = [['winrun', process.execPath, [`${ROOT}bin/winrun`, exe, ITERATIONS]]];
if (existsSync(WINE)) runners.push(['wine', WINE, [exe, ITERATIONS], { WINEDEBUG: '-all', WINEPREFIX: '/tmp/winrun-bench-wineprefix' }]);

const results = new Map<string, Map<string, number[]>>();
for (let i = 0; i < RUNS; i++) {
  for (const [name, cmd, args, env] of runners) {
    const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env } });
    if (r.status !== 0) throw new Error(`${name} failed: ${r.stderr}`);
    for (const line of r.stdout.trim().split(/\r?\n/)) {
      const [metric, ns] = line.split(' ');
      const byRunner = results.get(metric!) ?? new Map<string, number[]>();
      results.set(metric!, byRunner);
      const list = byRunner.get(name) ?? [];
      list.push(Number(ns));
      byRunner.set(name, list);
    }
  }
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
process.stdout.write(`${RUNS} alternating runs of ${ITERATIONS} iterations, median ns per call\n`);
for (const [metric, byRunner] of results) {
  const w = median(byRunner.get('winrun')!);
  const wine = byRunner.get('wine');
  process.stdout.write(`${metric.padEnd(28)} winrun ${w.toFixed(1).padStart(7)}${wine ? `   wine ${median(wine).toFixed(1).padStart(7)}   ratio ${(w / median(wine)).toFixed(1)}×` : ''}\n`);
}
