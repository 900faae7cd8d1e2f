/**
 * The library API (issue 10): `spawn()` and `run()` start a Windows program under winrun from a
 * Node program. Each guest runs in its own child process (`node bin/winrun PROG.exe …`), so a
 * crashing or misbehaving program never touches the caller. The child writes its full 32-bit
 * exit code to an extra pipe (WINRUN_STATUS_FD: a Linux exit status keeps only 8 bits), and,
 * when tracing, its relay trace as JSON lines to another (WINRUN_TRACE_FD).
 */
import { spawn as spawnNode, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { STATUS as EXCEPTION_STATUS } from '../dlls/ntdll/excdefs.js';
import * as ntstatus from '../kernel/ntstatus.js';
import { winrunLauncher } from './childproc.js';

/** One relay trace event (the JSON format of `--trace-format json`). */
export interface TraceEvent {
  event: 'call' | 'ret';
  /** Milliseconds since the program started. */
  time: number;
  tid: number;
  dll: string;
  function: string;
  /** Decoded arguments (calls). */
  args?: string[];
  caller?: string;
  /** Decoded return value (returns). */
  ret?: string | null;
  lastError?: number | null;
  depth: number;
}

export interface SpawnOptions {
  /** The working directory (the program sees it as its current directory, `Z:\…`). */
  cwd?: string;
  /** The environment (default: this process's). */
  env?: Record<string, string | undefined>;
  /** The winrun prefix directory (C: is its drive_c); default $WINRUN_PREFIX or
   *  ~/.local/share/winrun. */
  prefix?: string;
  /** Debug channels, as WINRUN_DEBUG: '+relay', 'warn+all', '-all' … (messages go to stderr). */
  debug?: string;
  /** The relay trace: a file to write JSON lines to, or a function receiving each event. */
  trace?: string | ((event: TraceEvent) => void);
  /** WINRUN_RELAY's filter for the trace: 'include:kernel32,exclude:HeapAlloc'. */
  traceFilter?: string;
  /** Milliseconds after which the program is killed (SIGKILL). */
  timeout?: number;
}

export interface RunOptions extends SpawnOptions {
  /** Written to the program's standard input, which is then closed. */
  input?: string | Uint8Array;
  /** How stdout and stderr are returned: 'utf8' (default) or 'buffer'. */
  encoding?: 'utf8' | 'buffer';
}

export interface ExitInfo {
  /** The program's full 32-bit exit code (null when killed by a signal). */
  exitCode: number | null;
  /** The signal that killed winrun's process (a timeout or kill()), else null. */
  signal: NodeJS.Signals | null;
  /** The NTSTATUS name when the exit code is one ('STATUS_ACCESS_VIOLATION'), else null. */
  status: string | null;
  /** The program was killed because `timeout` passed. */
  timedOut: boolean;
}

export interface RunResult<T = string> extends ExitInfo {
  stdout: T;
  stderr: T;
}

let statusNames: Map<number, string> | undefined;

/** The NTSTATUS name of a code ('STATUS_ACCESS_VIOLATION'), or null for a plain exit code. */
export function ntStatusName(code: number): string | null {
  if (code >>> 0 < 0x80000000) return null;
  if (!statusNames) {
    statusNames = new Map();
    for (const [k, v] of Object.entries(EXCEPTION_STATUS)) statusNames.set(v, `STATUS_${k}`);
    for (const [k, v] of Object.entries(ntstatus)) if (k.startsWith('STATUS_') && typeof v === 'number') statusNames.set(v >>> 0, k);
  }
  return statusNames.get(code >>> 0) ?? null;
}

/**
 * A running Windows program, shaped like Node's ChildProcess: `stdin`, `stdout`, `stderr`,
 * `pid`, `kill()`, and the events 'spawn', 'error', 'exit' (exitCode — the full 32-bit code —,
 * signal, status name) and 'close' (the same, once the output streams have ended).
 * `exited` resolves with the same information.
 */
export class WinrunProcess extends EventEmitter {
  readonly stdin: Writable;
  readonly stdout: Readable;
  readonly stderr: Readable;
  exitCode: number | null = null;
  signalCode: NodeJS.Signals | null = null;
  status: string | null = null;
  timedOut = false;
  readonly exited: Promise<ExitInfo>;
  private readonly child: ChildProcess;

  constructor(exe: string, args: readonly string[], options: SpawnOptions = {}) {
    super();
    const [node, launcher] = winrunLauncher();
    const env: Record<string, string | undefined> = { ...(options.env ?? process.env), WINRUN_STATUS_FD: '3' };
    delete env.WINRUN_CHILD;
    if (options.prefix !== undefined) env.WINRUN_PREFIX = options.prefix;
    const cli: string[] = [launcher];
    const debug = [options.debug, options.trace !== undefined ? '+relay' : undefined].filter(Boolean).join(',');
    if (debug) cli.push('--debug', debug);
    if (options.traceFilter !== undefined) env.WINRUN_RELAY = options.traceFilter;
    const traceCallback = typeof options.trace === 'function' ? options.trace : undefined;
    if (typeof options.trace === 'string') cli.push('--trace-format', 'json', '--trace-file', options.trace);
    if (traceCallback) {
      cli.push('--trace-format', 'json');
      env.WINRUN_TRACE_FD = '4';
    }
    cli.push(exe, ...args);
    const stdio: ('pipe' | 'ignore')[] = ['pipe', 'pipe', 'pipe', 'pipe', traceCallback ? 'pipe' : 'ignore'];
    this.child = spawnNode(node, cli, { cwd: options.cwd, env, stdio });
    this.stdin = this.child.stdin!;
    this.stdout = this.child.stdout!;
    this.stderr = this.child.stderr!;
    let statusText = '';
    const statusPipe = this.child.stdio[3] as Readable;
    statusPipe.setEncoding('latin1');
    statusPipe.on('data', (d: string) => (statusText += d));
    const statusDone = new Promise<void>((resolve) => statusPipe.once('close', resolve));
    if (traceCallback) readTrace(this.child.stdio[4] as Readable, traceCallback);
    let timer: NodeJS.Timeout | undefined;
    if (options.timeout !== undefined && options.timeout > 0) {
      timer = setTimeout(() => {
        this.timedOut = true;
        this.child.kill('SIGKILL');
      }, options.timeout);
    }
    this.child.once('spawn', () => this.emit('spawn'));
    this.exited = new Promise<ExitInfo>((resolve, reject) => {
      this.child.once('error', (e) => {
        if (timer) clearTimeout(timer);
        if (this.listenerCount('error') > 0) this.emit('error', e);
        reject(e);
      });
      this.child.once('exit', (code, signal) => {
        if (timer) clearTimeout(timer);
        void statusDone.then(() => {
          const m = /^(\d+)\n/.exec(statusText);
          this.exitCode = signal !== null ? null : m ? Number(m[1]) >>> 0 : code;
          this.signalCode = signal;
          this.status = this.exitCode === null ? null : ntStatusName(this.exitCode);
          const info: ExitInfo = { exitCode: this.exitCode, signal, status: this.status, timedOut: this.timedOut };
          this.emit('exit', info.exitCode, info.signal, info.status);
          resolve(info);
        });
      });
      this.child.once('close', () => void this.exited.then((i) => this.emit('close', i.exitCode, i.signal, i.status)));
    });
    // An unobserved failure to start is reported through 'error' listeners or `exited`, never
    // as an unhandled rejection.
    this.exited.catch(() => undefined);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Ends the program (SIGTERM by default: its console control handlers see CTRL_CLOSE_EVENT). */
  kill(signal: NodeJS.Signals | number = 'SIGTERM'): boolean {
    return this.child.kill(signal);
  }
}

function readTrace(stream: Readable, callback: (e: TraceEvent) => void): void {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (d: string) => {
    pending += d;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl);
      pending = pending.slice(nl + 1);
      if (line.trim() !== '') callback(JSON.parse(line) as TraceEvent);
    }
  });
}

/** Starts `exe` with `args` under winrun in a child process. */
export function spawn(exe: string, args: readonly string[] = [], options: SpawnOptions = {}): WinrunProcess {
  return new WinrunProcess(exe, args, options);
}

/** Runs `exe` to its end and collects its output. Rejects only when winrun itself cannot be
 *  started; a program that fails, crashes or times out resolves with its exit code (null and
 *  `timedOut` after a timeout). */
export function run(exe: string, args?: readonly string[], options?: RunOptions & { encoding?: 'utf8' }): Promise<RunResult<string>>;
export function run(exe: string, args: readonly string[], options: RunOptions & { encoding: 'buffer' }): Promise<RunResult<Buffer>>;
export async function run(exe: string, args: readonly string[] = [], options: RunOptions = {}): Promise<RunResult<string | Buffer>> {
  const p = spawn(exe, args, options);
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  p.stdout.on('data', (d: Buffer) => out.push(d));
  p.stderr.on('data', (d: Buffer) => err.push(d));
  p.stdin.on('error', () => undefined); // the program may end without reading its input
  if (options.input !== undefined) p.stdin.end(options.input);
  else p.stdin.end();
  const closed = new Promise<void>((resolve) => p.once('close', () => resolve()));
  const info = await p.exited;
  await closed;
  const decode = (b: Buffer[]): string | Buffer => (options.encoding === 'buffer' ? Buffer.concat(b) : Buffer.concat(b).toString('utf8'));
  return { ...info, stdout: decode(out), stderr: decode(err) };
}
