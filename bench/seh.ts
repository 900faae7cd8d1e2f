/**
 * node dist/bench/seh.js [RUNS]: a g++ exception thrown through 10 frames and caught
 * (tests/fixtures/src/seh_cxxbench.cpp), timed inside the guest, under winrun and Wine
 * alternately; medians and the ratio. Issue 7's target: within 3 × Wine.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const ROOT = new URL('../../', import.meta.url).pathname;
const RUNS = Number(process.argv[2] ?? 5);
const ITERATIONS = '5000';
const WINE = '/usr/lib/wine/wine64';
const exe = `${ROOT}tests/fixtures/bin/seh_cxxbench.exe`;

const runners: [string, string, string[], Record<string, string>?][] = [['winrun', process.execPath, [`${ROOT}bin/winrun`, exe, ITERATIONS]]];
if (existsSync(WINE)) runners.push(['wine', WINE, [exe, ITERATIONS], { WINEDEBUG: '-all', WINEPREFIX: '/tmp/winrun-bench-wineprefix' }]);

const results = new Map<string, number[]>();
for (let i = 0; i < RUNS; i++) {
  for (const [name, cmd, args, env] of runners) {
    const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, ...env } });
    if (r.status !== 0) throw new Error(`${name} failed: ${r.stderr}`);
    const ns = Number(r.stdout.trim().split(' ')[1]);
    results.set(name, [...(results.get(name) ?? []), ns]);
  }
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const w = median(results.get('winrun')!);
const line = [`${RUNS} alternating runs of ${ITERATIONS} throws, median ns per throw+catch through 10 frames`, `winrun ${w.toFixed(0)}`];
if (results.has('wine')) {
  const v = median(results.get('wine')!);
  line.push(`wine ${v.toFixed(0)}`, `ratio ${(w / v).toFixed(1)}×`);
}
console.log(line.join('   '));
