/**
 * Writes the V8 code cache beside the CLI bundle (bin/winrun says how it is used), as the last
 * step of `npm run build`: from a run of examples/hello.exe (start-up's code), then extended by
 * one C++ throw of each ABI (g++'s and MSVC's), so that a program's first exception does not
 * wait for V8 to compile winrun's exception path (about 4 ms; BENCHMARKS.md). The throwing
 * programs are test fixtures: in a checkout they are there; where they are not, the cache holds
 * start-up's code only. A run that fails fails the build (hello.exe is its smoke test).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const ROOT = new URL('../../', import.meta.url).pathname;

/** Program, its arguments, and WINRUN_WRITE_CODE_CACHE: '1' starts the cache, 'add' extends it. */
const RUNS: readonly [string, readonly string[], '1' | 'add'][] = [
  ['examples/hello.exe', [], '1'],
  ['tests/fixtures/bin/cxxbench.exe', ['1'], 'add'],
  ['tests/fixtures/bin/cxxbench_msvc.exe', ['1'], 'add'],
];

for (const [exe, args, mode] of RUNS) {
  if (mode === 'add' && !existsSync(ROOT + exe)) continue;
  const r = spawnSync(process.execPath, [`${ROOT}bin/winrun`, ROOT + exe, ...args], {
    env: { ...process.env, WINRUN_WRITE_CODE_CACHE: mode },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (r.status !== 0) {
    process.stderr.write(`code cache: ${exe} ended with ${r.status ?? r.signal}\n`);
    process.exit(1);
  }
}
