/**
 * The `winrun` command line. Exit status: the program's own when running one; for winrun's
 * own commands 0 on success, 1 when the file cannot be read or is not a PE32+ image winrun
 * handles (one line on stderr says why), 2 for a usage error.
 */
import { buildInfoReport, formatInfo } from './cli/info.js';
import { HostError } from './host/errors.js';
import { readFileBytes } from './host/files.js';
import { hostEnvironment, openForWriting, writeFd } from './host/io.js';
import { DebugSpecError } from './kernel/debug.js';
import { RelayFilterError, type TraceFormat } from './loader/relay.js';
import { importsCommand } from './cli/imports.js';
import { EXIT_INTERNAL_ERROR, LoaderError } from './loader/errors.js';
import { WinProcess } from './loader/process.js';
import { CHILD_BOOT_VARIABLE, type ChildBoot } from './kernel/childstart.js';
import { adoptWindows } from './native/guestmemory.js';
import { exitGroup, setBeforeExit } from './native/host.js';
import { setCloseOnExec } from './native/spawn.js';
import { type PoolWorkerData, WorkerPool, reportToStderr, threadBootData } from './host/threads.js';
import { allocateSignalStack, type ThreadBoot } from './loader/threads.js';
import { commandLineArguments, setExitCode, stdio, type Stdio } from './host/process.js';
import { isPeError, parsePe, type PeImage } from './pe/index.js';
import { VERSION } from './version.js';

export const EXIT_USAGE = 2;
export const EXIT_BAD_FILE = 1;

const USAGE = `usage: winrun [OPTIONS] PROG.exe [args…]   run a Windows x64 program
       winrun info FILE [--json]      describe a PE32+ image (headers, sections, imports, exports…)
       winrun imports FILE [--json]   which imports winrun implements, for FILE and its DLLs
       winrun --version | --help
options (before PROG.exe):
  --debug SPEC          debug channels, as WINRUN_DEBUG: +relay, warn+all, -heap, -all …
  --trace-file PATH     write the relay trace to PATH instead of stderr
  --trace-format FMT    text (default) or json (one object per event)
environment: WINRUN_DEBUG (channels), WINRUN_RELAY (include:DLL|FUNC,exclude:…),
             WINRUN_STATUS_FD (receives the full 32-bit exit code),
             WINRUN_TRACE_FD (receives the relay trace)
`;

class UsageError extends Error {}

function loadImage(file: string): PeImage {
  return parsePe(readFileBytes(file));
}

/** Turns the failures winrun expects (bad files, bad usage) into one line and an exit code. */
function failure(e: unknown, file: string | undefined, io: Stdio): number {
  if (e instanceof UsageError) {
    io.err(`winrun: ${e.message}\n${USAGE}`);
    return EXIT_USAGE;
  }
  if (isPeError(e)) {
    io.err(`winrun: ${file ?? ''}: ${e.message}\n`);
    return EXIT_BAD_FILE;
  }
  if (e instanceof HostError) {
    io.err(`winrun: ${e.message}\n`);
    return EXIT_BAD_FILE;
  }
  // A bug in winrun itself: say so plainly, with the JS stack, never a dump of the bundle.
  io.err(`winrun: internal error: ${e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e)}\n`);
  return EXIT_INTERNAL_ERROR;
}

function infoCommand(args: string[], io: Stdio): number {
  let json = false;
  const files: string[] = [];
  for (const a of args) {
    if (a === '--json') json = true;
    else if (a.startsWith('-') && a !== '-') throw new UsageError(`info: unknown option ${a}`);
    else files.push(a);
  }
  if (files.length !== 1) throw new UsageError('info takes exactly one FILE');
  const file = files[0]!;
  try {
    const report = buildInfoReport(loadImage(file), file);
    io.out(json ? JSON.stringify(report, null, 2) + '\n' : formatInfo(report));
    return 0;
  } catch (e) {
    return failure(e, file, io);
  }
}

interface RunOptions {
  debug: string[];
  traceFile?: string;
  traceFormat: TraceFormat;
}

function runCommand(prog: string, args: string[], opts: RunOptions, io: Stdio): number | never {
  try {
    const env = hostEnvironment();
    const statusFd = /^\d+$/.test(env.WINRUN_STATUS_FD ?? '') ? Number(env.WINRUN_STATUS_FD) : undefined;
    const debug = [env.WINRUN_DEBUG ?? '', ...opts.debug].filter(Boolean).join(',');
    // WINRUN_TRACE_FD: an open descriptor for the trace (the library API's trace callback).
    const traceFd = opts.traceFile !== undefined ? openTrace(opts.traceFile) : /^\d+$/.test(env.WINRUN_TRACE_FD ?? '') ? Number(env.WINRUN_TRACE_FD) : undefined;
    if (traceFd !== undefined && opts.traceFile === undefined) setCloseOnExec(traceFd, true);
    const traceWrite = traceFd !== undefined ? (line: string): void => void writeFd(traceFd, new TextEncoder().encode(line)) : undefined;
    // Started by CreateProcess in a winrun parent: its boot description (kernel/childstart.ts).
    const child = env[CHILD_BOOT_VARIABLE] ? (JSON.parse(env[CHILD_BOOT_VARIABLE]) as ChildBoot) : undefined;
    return new WinProcess({ program: prog, args, env, statusFd, debug, relayFilter: env.WINRUN_RELAY, traceFormat: opts.traceFormat, traceWrite, child }).run();
  } catch (e) {
    if (e instanceof LoaderError) {
      io.err(`winrun: ${e.message}\n`);
      return e.status;
    }
    if (e instanceof DebugSpecError || e instanceof RelayFilterError) throw new UsageError(e.message);
    return failure(e, prog, io);
  }
}

function openTrace(path: string): number {
  try {
    return openForWriting(path);
  } catch (e) {
    throw new UsageError(`--trace-file ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function main(argv: string[], io: Stdio = stdio): number {
  try {
    const [first, ...rest] = argv;
    if (first === undefined) throw new UsageError('no program given');
    if (first === '--help' || first === '-h') {
      io.out(USAGE);
      return 0;
    }
    if (first === '--version' || first === '-V') {
      io.out(`winrun ${VERSION}\n`);
      return 0;
    }
    if (first === 'info') return infoCommand(rest, io);
    if (first === 'imports') return importsCommand(rest, io);
    const opts: RunOptions = { debug: [], traceFormat: 'text' };
    let i = 0;
    for (; i < argv.length && argv[i]!.startsWith('-'); i++) {
      const opt = argv[i]!;
      const value = (): string => {
        const v = argv[++i];
        if (v === undefined) throw new UsageError(`${opt} needs a value`);
        return v;
      };
      if (opt === '--debug') opts.debug.push(value());
      else if (opt === '--trace-file') opts.traceFile = value();
      else if (opt === '--trace-format') {
        const f = value();
        if (f !== 'text' && f !== 'json') throw new UsageError(`--trace-format is text or json, not ${f}`);
        opts.traceFormat = f;
      } else throw new UsageError(`unknown option ${opt}`);
    }
    const prog = argv[i];
    if (prog === undefined) throw new UsageError('no program given');
    return runCommand(prog, argv.slice(i + 1), opts, io);
  } catch (e) {
    return failure(e, undefined, io);
  }
}

/** Entry point of bin/winrun. `beforeExit` runs just before the process ends, also when a
 *  guest program ends it with exit_group; `windows`: guest-memory views the launcher made
 *  before loading this code (native/guestmemory.ts adoptWindows). */
export function run(beforeExit?: () => void, windows?: ReadonlyMap<number, ArrayBuffer>): void {
  if (windows) adoptWindows(windows);
  setBeforeExit(beforeExit);
  setExitCode(main(commandLineArguments()));
  beforeExit?.();
}

/**
 * The entry of a guest thread's Worker (host/threads.ts starts it): serves the guest threads
 * the pool hands it, each from its boot data, on one signal stack. Any failure is reported on
 * fd 2 and ends the process, since nobody listens to a Worker's error events while guest
 * threads block. `windows`: guest-memory views made before this code was loaded.
 */
export function threadMain(windows?: ReadonlyMap<number, ArrayBuffer>): void {
  if (windows) adoptWindows(windows);
  const data = threadBootData() as PoolWorkerData | undefined;
  if (!data) return;
  // One WinProcess serves the Worker's threads while the process part of their boot data is
  // the same (its processKey): building one costs a millisecond or two.
  let reuse: { key: string; process: WinProcess } | undefined;
  if (data.prepare) {
    // A spare: everything a thread needs that does not depend on the thread, before it waits.
    try {
      const boot = { ...data.prepare, ...data.shared } as unknown as ThreadBoot & { warm: number[] };
      reuse = { key: boot.processKey, process: new WinProcess(boot.options, boot) };
      // (Its signal stack waits for a thread: guest memory taken now could take the place of
      // memory a running thread has just released.)
      reuse.process.prepareThreads(boot, boot.warm);
    } catch (e) {
      reportToStderr(`winrun: internal error in a spare thread: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      exitGroup(EXIT_INTERNAL_ERROR);
    }
  }
  try {
    serveThreads(data, reuse);
  } catch (e) {
    reportToStderr(`winrun: internal error in a thread's Worker: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    exitGroup(EXIT_INTERNAL_ERROR);
  }
}

/** A pooled Worker's life: the threads the pool hands it, one after another. */
function serveThreads(data: PoolWorkerData, prepared: { key: string; process: WinProcess } | undefined): void {
  let reuse = prepared;
  let signalStack = 0;
  new WorkerPool(data.pool).serve(data, (b) => {
    const boot = b as unknown as ThreadBoot;
    try {
      const entered = performance.timeOrigin + performance.now();
      if (reuse?.key !== boot.processKey) reuse = { key: boot.processKey, process: new WinProcess(boot.options, boot) };
      signalStack ||= allocateSignalStack(reuse.process.mem);
      reuse.process.runThread(boot, signalStack, entered);
    } catch (e) {
      reportToStderr(`winrun: internal error in a thread: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      exitGroup(EXIT_INTERNAL_ERROR);
    }
  });
}
