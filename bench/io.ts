/**
 * node dist/bench/io.js [RUNS]: file I/O under winrun and, when installed, Wine, alternating
 * runs, medians (tests/fixtures/src/iobench.c):
 *   - WriteFile then ReadFile of 256 MiB in 64 KiB chunks     (target ≤ 1.2 × Wine)
 *   - fprintf of a mixed-format line to a file                (target ≤ 1.5 × Wine)
 *   - FindFirstFile/FindNextFile over 10,000 entries           (target ≤ 1.5 × Wine)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';

const ROOT = new URL('../../', import.meta.url).pathname;
const RUNS = Number(process.argv[2] ?? 5);
const WINE = '/usr/lib/wine/wine64';
const exe = `${ROOT}tests/fixtures/bin/iobench.exe`;
const work = mkdtempSync(tmpdir() + '/winrun-iobench-');
const dos = (p: string): string => 'Z:' + p.replaceAll('/', '\\');

const dir = `${work}/many`;
mkdirSync(dir);
for (let i = 0; i < 10_000; i++) writeFileSync(`${dir}/entry-${String(i).padStart(5, '0')}.txt`, '');

const cases: [string, string[]][] = [
  ['rw', [dos(`${work}/big.bin`), '256']],
  ['printf', [dos(`${work}/lines.txt`), '200000']],
  ['find', [dos(dir)]],
];
const runners: [string, string, string[], Record<string, string>?][] = [['winrun', process.execPath, [`${ROOT}bin/winrun`, exe]]];
if (existsSync(WINE)) runners.push(['wine', WINE, [exe], { WINEDEBUG: '-all', WINEPREFIX: '/tmp/winrun-bench-wineprefix' }]);

const results = new Map<string, Map<string, number[]>>();
for (let i = 0; i < RUNS; i++) {
  for (const [mode, args] of cases) {
    // Alternate who goes first, and start each run with no dirty pages: writing 256 MiB costs
    // more for whoever finds the page cache full of the previous run's data.
    for (const [name, cmd, pre, env] of i % 2 ? [...runners].reverse() : runners) {
      spawnSync('sync');
      const r = spawnSync(cmd, [...pre, mode, ...args], { encoding: 'utf8', env: { ...process.env, ...env } });
      if (r.status !== 0) throw new Error(`${name} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
      for (const line of r.stdout.trim().split(/\r?\n/)) {
        const [metric, v] = line.split(' ');
        const byRunner = results.get(metric!) ?? new Map<string, number[]>();
        results.set(metric!, byRunner);
        byRunner.set(name, [...(byRunner.get(name) ?? []), Number(v)]);
      }
    }
  }
}
rmSync(work, { recursive: true, force: true });
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
process.stdout.write(`${RUNS} alternating runs, medians (ms, or ns per line)\n`);
for (const [metric, byRunner] of results) {
  const w = median(byRunner.get('winrun')!);
  const wine = byRunner.get('wine');
  process.stdout.write(`${metric.padEnd(18)} winrun ${w.toFixed(1).padStart(9)}${wine ? `   wine ${median(wine).toFixed(1).padStart(9)}   ratio ${(w / median(wine)).toFixed(2)}×` : ''}\n`);
}
