/**
 * node dist/bench/proc.js [RUNS]: issue 10's process figures, each against its reference in the
 * same run (medians of alternating rounds):
 *   - a Windows program starting hello.exe with CreateProcess and waiting for it (procbench.exe,
 *     per child) against `winrun hello.exe` started from Node's spawnSync (target ≤ 1.2×);
 *   - 20 sequential library run() calls of hello.exe against 20 spawnSync CLI runs (≤ 1.2×).
 */
import { spawnSync } from 'node:child_process';
import { run } from '../src/index.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const RUNS = Number(process.argv[2] ?? 5);
const WINRUN = `${ROOT}bin/winrun`;
const hello = `${ROOT}tests/fixtures/bin/hello.exe`;
const procbench = `${ROOT}tests/fixtures/bin/procbench.exe`;
const PER_ROUND = 20;

const now = (): number => Number(process.hrtime.bigint()) / 1e6;
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function cliRuns(n: number): number {
  const t = now();
  for (let i = 0; i < n; i++) {
    const r = spawnSync(process.execPath, [WINRUN, hello, 'a'], { stdio: 'ignore' });
    if (r.status !== 1) throw new Error(`hello.exe failed: ${r.status}`);
  }
  return (now() - t) / n;
}

function createProcessRuns(n: number): number {
  const r = spawnSync(process.execPath, [WINRUN, procbench, hello, String(n)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`procbench failed: ${r.status} ${r.stderr}`);
  return Number(r.stdout.trim());
}

async function libraryRuns(n: number): Promise<number> {
  const t = now();
  for (let i = 0; i < n; i++) {
    const r = await run(hello, ['a']);
    if (r.exitCode !== 1) throw new Error(`hello.exe failed: ${r.exitCode}`);
  }
  return (now() - t) / n;
}

cliRuns(2);
const cli: number[] = [];
const cp: number[] = [];
const lib: number[] = [];
for (let i = 0; i < RUNS; i++) {
  cli.push(cliRuns(PER_ROUND));
  cp.push(createProcessRuns(PER_ROUND));
  lib.push(await libraryRuns(PER_ROUND));
}
const c = median(cli);
process.stdout.write(`${RUNS} rounds of ${PER_ROUND} starts of hello.exe, medians per start\n`);
process.stdout.write(`${'winrun hello.exe (spawnSync CLI)'.padEnd(40)} ${c.toFixed(1).padStart(7)} ms  1.00×\n`);
process.stdout.write(`${'CreateProcess + wait (from a guest)'.padEnd(40)} ${median(cp).toFixed(1).padStart(7)} ms  ${(median(cp) / c).toFixed(2)}×  (target ≤ 1.2×)\n`);
process.stdout.write(`${'library run()'.padEnd(40)} ${median(lib).toFixed(1).padStart(7)} ms  ${(median(lib) / c).toFixed(2)}×  (target ≤ 1.2×)\n`);
