/**
 * node dist/bench/startup.js [RUNS]: wall time of `winrun hello.exe` against bare `node -e 0`
 * (target ≤ 1.6×) and, when installed, Wine with a warm wineserver. Runs alternate so that
 * machine noise hits all alike; medians are reported.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const ROOT = new URL('../../', import.meta.url).pathname;
const RUNS = Number(process.argv[2] ?? 15);
const WINE = '/usr/lib/wine/wine64';
const hello = `${ROOT}tests/fixtures/bin/hello.exe`;

const commands: [string, string, string[], Record<string, string>?][] = [
  ['node -e 0', process.execPath, ['-e', '0']],
  ['winrun hello.exe', process.execPath, [`${ROOT}bin/winrun`, hello, 'a']],
];
if (existsSync(WINE)) commands.push(['wine64 hello.exe (warm)', WINE, [hello, 'a'], { WINEDEBUG: '-all', WINEPREFIX: '/tmp/winrun-bench-wineprefix' }]);

function time(cmd: string, args: string[], env?: Record<string, string>): number {
  const t = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { stdio: 'ignore', env: { ...process.env, ...env } });
  if (r.error) throw r.error;
  return Number(process.hrtime.bigint() - t) / 1e6;
}

// Warm-up (page cache, and Wine's prefix and server).
for (const [, cmd, args, env] of commands) time(cmd, args, env);
const samples = commands.map(() => [] as number[]);
for (let i = 0; i < RUNS; i++) commands.forEach(([, cmd, args, env], k) => samples[k]!.push(time(cmd, args, env)));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const base = median(samples[0]!);
process.stdout.write(`${RUNS} alternating runs, medians\n`);
commands.forEach(([name], k) => {
  const m = median(samples[k]!);
  process.stdout.write(`${name.padEnd(26)} ${m.toFixed(1).padStart(7)} ms  ${(m / base).toFixed(2)}× node -e 0\n`);
});
