// The library API (issue 10): run() and spawn() from a Node program, each guest in its own
// child process; exit codes above 255, NTSTATUS names, crashes, timeouts, tracing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { run, spawn, ntStatusName, type TraceEvent } from '../src/index.js';
import { FIXTURES, TEST_PREFIX, ROOT } from './helpers.js';

const PROC = FIXTURES + 'proc_pipes.exe';

describe('run()', () => {
  it('collects stdout and the full 32-bit exit code, with input', async () => {
    const r = await run(PROC, ['echo'], { input: 'from node\n', prefix: TEST_PREFIX });
    assert.equal(r.stdout, 'echo: from node\r\n');
    assert.equal(r.exitCode, 0x12345678);
    assert.equal(r.status, null);
    assert.equal(r.signal, null);
    assert.equal(r.timedOut, false);
  });
  it('passes arguments, cwd and env, and returns small exit codes as they are', async () => {
    const r = await run(ROOT + 'examples/hello.exe', ['a', 'b c'], { cwd: '/tmp', env: { ...process.env, WINRUN_PREFIX: TEST_PREFIX } });
    assert.match(r.stdout, /b c/);
    assert.equal(r.exitCode, 0);
  });
  it('reports a crash with its NTSTATUS and winrun’s report on stderr', async () => {
    const r = await run(PROC, ['crash'], { prefix: TEST_PREFIX });
    assert.equal(r.exitCode, 0xc0000005);
    assert.equal(r.status, 'STATUS_ACCESS_VIOLATION');
    assert.match(r.stderr, /unhandled exception 0xc0000005/);
  });
  it('kills a program that outlives its timeout', async () => {
    const t0 = Date.now();
    const r = await run(PROC, ['sleep'], { prefix: TEST_PREFIX, timeout: 500 });
    assert.equal(r.timedOut, true);
    assert.equal(r.exitCode, null);
    assert.equal(r.signal, 'SIGKILL');
    assert.ok(Date.now() - t0 < 20_000);
  });
  it('traces API calls to a callback as JSON events', async () => {
    const events: TraceEvent[] = [];
    const r = await run(PROC, ['hello'], { prefix: TEST_PREFIX, trace: (e) => events.push(e), traceFilter: 'include:kernel32' });
    assert.equal(r.exitCode, 7);
    assert.equal(r.stdout, 'started\r\n');
    assert.equal(r.stderr, '');
    const calls = events.filter((e) => e.event === 'call');
    assert.ok(calls.length > 0);
    assert.ok(calls.every((e) => e.dll.toLowerCase().startsWith('kernel32')));
    assert.ok(calls.some((e) => e.function === 'GetModuleFileNameA'));
  });
  it('returns output as buffers when asked', async () => {
    const r = await run(PROC, ['hello'], { prefix: TEST_PREFIX, encoding: 'buffer' });
    assert.ok(Buffer.isBuffer(r.stdout));
    assert.equal(r.stdout.toString(), 'started\r\n');
  });
});

describe('spawn()', () => {
  it('gives ChildProcess-like streams and an exit event with the full code', async () => {
    const p = spawn(PROC, ['echo'], { prefix: TEST_PREFIX });
    let out = '';
    p.stdout.setEncoding('utf8');
    p.stdout.on('data', (d: string) => (out += d));
    const exit = new Promise<[number | null, string | null, string | null]>((resolve) => p.once('exit', (code, signal, status) => resolve([code, signal, status])));
    p.stdin.end('streamed\n');
    assert.deepEqual(await exit, [0x12345678, null, null]);
    await new Promise((resolve) => p.once('close', resolve));
    assert.equal(out, 'echo: streamed\r\n');
    assert.ok(typeof p.pid === 'number');
  });
  it('kill() ends the program', async () => {
    const p = spawn(PROC, ['sleep'], { prefix: TEST_PREFIX });
    await new Promise((resolve) => p.once('spawn', resolve));
    p.kill('SIGKILL');
    const info = await p.exited;
    assert.equal(info.signal, 'SIGKILL');
    assert.equal(info.exitCode, null);
  });
  it('names NTSTATUS codes', () => {
    assert.equal(ntStatusName(0xc0000005), 'STATUS_ACCESS_VIOLATION');
    assert.equal(ntStatusName(0xc000013a), 'STATUS_CONTROL_C_EXIT');
    assert.equal(ntStatusName(0x12345678), null);
  });
});
