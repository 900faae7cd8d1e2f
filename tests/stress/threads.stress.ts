// The threads stress run (issue 8): every thread fixture 20 times, two at once, each run with a
// time limit. A run that hangs is killed and reported with the last line it printed (each
// fixture prints a line per step, and its own waits time out naming the thread that stuck).
// Run by `npm run test:stress` (CI runs it after `npm test`); not part of `npm test`, whose time
// it would triple.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { FIXTURES, WINRUN, scratchDir, wineOutput } from '../helpers.js';

const RUNS = Number(process.env.WINRUN_STRESS_RUNS ?? 20);
const LIMIT_MS = 60_000;
const FIXTURES_UNDER_STRESS = ['thread_basic', 'thread_sync', 'thread_sync2', 'thread_heap', 'thread_memory', 'thread_objects', 'thread_misc', 'thread_suspend', 'thread_modules', 'thread_lateload', 'threadpool', 'thread_timers', 'cxx_threads', 'cxx_threads_win32', 'cxx_msvc_threads'];

interface Outcome {
  status: number | null;
  stdout: string;
  stderr: string;
  hung: boolean;
}

function runOnce(name: string, cwd: string): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [WINRUN, FIXTURES + name + '.exe'], { cwd });
    let stdout = '';
    let stderr = '';
    let hung = false;
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      hung = true;
      child.kill('SIGKILL');
    }, LIMIT_MS);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, hung });
    });
  });
}

describe(`thread fixtures, ${RUNS} runs each`, () => {
  for (const name of FIXTURES_UNDER_STRESS) {
    it(`${name} never hangs and always gives Wine's output`, async () => {
      const expected = wineOutput(name);
      // Two runs at once, each in its own directory (some fixtures make files).
      const dirs = [scratchDir(), scratchDir()];
      for (let run = 0; run < RUNS; run += 2) {
        const outcomes = await Promise.all([runOnce(name, dirs[0]!), ...(run + 1 < RUNS ? [runOnce(name, dirs[1]!)] : [])]);
        outcomes.forEach((o, k) => {
          const lines = o.stdout.replace(/\r\n/g, '\n').split('\n').slice(0, -1);
          const where = `${name} run ${run + k + 1}/${RUNS}`;
          assert.ok(!o.hung, `${where} hung; its last line: ${JSON.stringify(lines.at(-1) ?? '(none)')}`);
          assert.equal(o.stderr, '', `${where}: stderr`);
          assert.deepEqual(lines, expected, where);
          assert.equal(o.status, 0, `${where}: exit status`);
        });
      }
    });
  }
});
