/**
 * CreateProcessA/W (processthreadsapi.h): finds the program the way Windows does, then starts
 * it in a new Linux process (kernel/childstart.ts): a Windows x64 program under winrun, with
 * the same prefix and debug settings; a Linux program (ELF or `#!` script, named by a `Z:\…`
 * path or found on the search path as an .exe would be) directly, with the command line split
 * the CRT way. The console is shared (CREATE_NEW_CONSOLE, CREATE_NO_WINDOW and
 * DETACHED_PROCESS are accepted and change nothing: there is one terminal).
 */
import { hostEnvironmentEntries, winrunLauncher } from '../../host/childproc.js';
import { failed } from '../../host/fs.js';
import { startChild, type Inherit } from '../../kernel/childstart.js';
import { HANDLE_BORROWED_FD, HANDLE_INHERIT, HandleType } from '../../kernel/handles.js';
import { fullPathName } from '../../kernel/paths.js';
import { win32FromErrno } from '../../kernel/win32error.js';
import { splitCommandLine } from '../../loader/commandline.js';
import type { ApiContext } from '../types.js';
import { ERROR_FILE_NOT_FOUND, ERROR_INVALID_PARAMETER, ERROR_NOACCESS } from './errors.js';
import { currentDirectory, resolve } from './pathstr.js';

const ERROR_PATH_NOT_FOUND = 3;
const ERROR_ACCESS_DENIED = 5;
const ERROR_DIRECTORY = 267;
const ERROR_BAD_EXE_FORMAT = 193;
const ERROR_CALL_NOT_IMPLEMENTED = 120;

const CREATE_SUSPENDED = 0x4;
const CREATE_NEW_PROCESS_GROUP = 0x200;
const CREATE_UNICODE_ENVIRONMENT = 0x400;
const STARTF_USESTDHANDLES = 0x100;
const PROCESS_ALL_ACCESS = 0x1fffff;
const THREAD_ALL_ACCESS = 0x1fffff;

/** STARTUPINFOW (x64). */
const SI = { cb: 0, dwFlags: 60, hStdInput: 80, hStdOutput: 88, hStdError: 96, Size: 104 } as const;
/** PROCESS_INFORMATION (x64). */
const PI = { hProcess: 0, hThread: 8, dwProcessId: 16, dwThreadId: 20, Size: 24 } as const;

function fail(ctx: ApiContext, code: number): number {
  ctx.setLastError(code);
  return 0;
}

type Found = { kind: 'pe' | 'elf'; unix: string; dos: string } | { error: number };

/** What a file is: a Windows x64 image, a Linux program, or something CreateProcess refuses. */
function classify(ctx: ApiContext, unix: string): 'pe' | 'elf' | number {
  const fs = ctx.process.fs;
  const st = fs.stat(unix);
  if (failed(st)) return ERROR_FILE_NOT_FOUND;
  if (st.isDirectory) return ERROR_ACCESS_DENIED;
  const fd = fs.open(unix, 0);
  if (failed(fd)) return win32FromErrno(fd.errno);
  const head = new Uint8Array(512);
  const n = fs.read(fd, head, 0);
  fs.close(fd);
  if (failed(n)) return win32FromErrno(n.errno);
  if (n >= 4 && head[0] === 0x7f && head[1] === 0x45 && head[2] === 0x4c && head[3] === 0x46) return 'elf';
  if (n >= 2 && head[0] === 0x23 && head[1] === 0x21) return 'elf';
  if (n < 64 || head[0] !== 0x4d || head[1] !== 0x5a) return ERROR_BAD_EXE_FORMAT;
  const lfanew = head[60]! | (head[61]! << 8) | (head[62]! << 16) | (head[63]! << 24);
  const pe = new Uint8Array(6);
  const fd2 = fs.open(unix, 0);
  if (failed(fd2)) return win32FromErrno(fd2.errno);
  const m = fs.read(fd2, pe, lfanew);
  fs.close(fd2);
  if (failed(m) || m < 6 || pe[0] !== 0x50 || pe[1] !== 0x45 || pe[2] !== 0 || pe[3] !== 0) return ERROR_BAD_EXE_FORMAT;
  // Only x86-64 images run (a 32-bit program would need WoW64).
  return (pe[4]! | (pe[5]! << 8)) === 0x8664 ? 'pe' : ERROR_BAD_EXE_FORMAT;
}

/** A path given with a directory part (or lpApplicationName): no search. */
function atPath(ctx: ApiContext, name: string): Found {
  // A missing directory on the way is ERROR_FILE_NOT_FOUND too (the program's search fails
  // before any open, as Wine 8 shows).
  const r = resolve(ctx, name);
  if (r.kind !== 'file') return { error: r.kind === 'error' && r.error !== ERROR_PATH_NOT_FOUND ? r.error : ERROR_FILE_NOT_FOUND };
  const st = ctx.process.fs.stat(r.unix);
  if (failed(st)) return { error: ERROR_FILE_NOT_FOUND };
  const kind = classify(ctx, r.unix);
  if (typeof kind === 'number') return { error: kind };
  return { kind, unix: r.unix, dos: fullPathName(name, currentDirectory(ctx)) ?? name };
}

/** The directories Windows searches for a program named without a path: the application's
 *  directory, the current directory, the system directories, then PATH (Unix entries of a
 *  PATH inherited from Linux count too). */
function searchDirectories(ctx: ApiContext): string[] {
  const image = ctx.process.imagePath;
  const dirs = [image.slice(0, image.lastIndexOf('\\')), currentDirectory(ctx), 'C:\\windows\\system32', 'C:\\windows\\system', 'C:\\windows'];
  const path = [...ctx.process.environment].find(([k]) => k.toUpperCase() === 'PATH')?.[1] ?? '';
  for (const e of path.split(';')) {
    if (e.startsWith('/')) dirs.push(...e.split(':').filter((d) => d.startsWith('/')).map((d) => ctx.process.drives.toDos(d)));
    else if (e !== '') dirs.push(e);
  }
  return dirs;
}

/** Finds a program named on the command line: `.exe` is implied when the name has no
 *  extension; without a directory part the search path is walked. In each directory a Linux
 *  program of the bare name is found too. */
function findProgram(ctx: ApiContext, name: string): Found {
  const last = name.slice(Math.max(name.lastIndexOf('\\'), name.lastIndexOf('/')) + 1);
  const hasExt = last.includes('.');
  const names = hasExt ? [name] : [name + '.exe', name];
  if (/[\\/:]/.test(name)) {
    let first: Found | undefined;
    for (const n of names) {
      const f = atPath(ctx, n);
      if (!('error' in f)) return f;
      first ??= f;
    }
    return first!;
  }
  for (const dir of searchDirectories(ctx)) {
    for (const n of names) {
      const full = `${dir.replace(/\\$/, '')}\\${n}`;
      const r = resolve(ctx, full);
      if (r.kind !== 'file') continue;
      const st = ctx.process.fs.stat(r.unix);
      if (failed(st) || !st.isFile) continue;
      const kind = classify(ctx, r.unix);
      if (typeof kind === 'number') {
        if (n === name && !hasExt) continue; // a bare name that is not a program: keep looking
        return { error: kind };
      }
      return { kind, unix: r.unix, dos: fullPathName(full, currentDirectory(ctx)) ?? full };
    }
  }
  return { error: ERROR_FILE_NOT_FOUND };
}

/** The program of a command line without lpApplicationName: a quoted first token, or the
 *  shortest run of space-separated words that names a program ("C:\Program Files\a b.exe"
 *  unquoted tries `C:\Program`, then `C:\Program Files\a`, …). */
function programOfCommandLine(ctx: ApiContext, cmd: string): Found {
  const t = cmd.replace(/^[ \t]+/, '');
  if (t.startsWith('"')) {
    const end = t.indexOf('"', 1);
    return findProgram(ctx, t.slice(1, end < 0 ? t.length : end));
  }
  const words = t.split(/(?=[ \t])/);
  let first: Found | undefined;
  for (let i = 1; i <= words.length; i++) {
    const f = findProgram(ctx, words.slice(0, i).join(''));
    if (!('error' in f)) return f;
    first ??= f;
  }
  return first ?? { error: ERROR_PATH_NOT_FOUND };
}

/** The environment block at `env`: "NAME=value\0…\0\0", in UTF-16 or the ANSI code page. */
function readEnvironmentBlock(ctx: ApiContext, env: number, unicode: boolean): [string, string][] | undefined {
  const out: [string, string][] = [];
  const m = ctx.mem;
  let p = env;
  for (let n = 0; n < 32768; n++) {
    if (!m.accessible(p, unicode ? 2 : 1, 'read')) return undefined;
    const s = unicode ? m.wstring(p) : m.cstring(p);
    if (s === '') return out;
    const eq = s.indexOf('=', 1);
    if (eq > 0) out.push([s.slice(0, eq), s.slice(eq + 1)]);
    p += unicode ? 2 * (s.length + 1) : new TextEncoder().encode(s).length + 1;
  }
  return out;
}

/** The fd behind a handle for a child's standard descriptor; -1 (the child gets /dev/null) for
 *  a handle without one. */
function stdFd(ctx: ApiContext, h: number): number {
  const o = ctx.process.handles.lookup(h);
  if (o && (o.type === HandleType.File || o.type === HandleType.Pipe || o.type === HandleType.Console || o.type === HandleType.Directory)) return o.value;
  // A byte-type named pipe end (how libuv-built programs give a child its stdio).
  if (o?.type === HandleType.NamedPipe) return ctx.process.namedPipes.descriptorForChild(o.value);
  return -1;
}

export interface CreateProcessArgs {
  app: string | null;
  cmd: string | null;
  inherit: boolean;
  flags: number;
  env: [string, string][] | undefined;
  cwd: string | null;
  /** The child's standard handles (STARTF_USESTDHANDLES); undefined: this process's. */
  std: readonly number[] | undefined;
  /** Search the path for lpApplicationName too (the CRT's _spawnvp), adding `.exe`. */
  searchApp?: boolean;
}

export type Started = { slot: number; pid: number; process: number; thread: number } | { error: number };

/** CreateProcess's work once its arguments are read: finds the program, starts it, and returns
 *  the handles of the new process and its main thread (or the Win32 error). */
export function startProcess(ctx: ApiContext, a: CreateProcessArgs): Started {
  if (a.app === null && a.cmd === null) return { error: ERROR_INVALID_PARAMETER };
  const found = a.app !== null ? (a.searchApp ? findProgram(ctx, a.app) : atPath(ctx, a.app)) : programOfCommandLine(ctx, a.cmd!);
  if ('error' in found) return found;
  // The command line is what the child sees; without one it is the application name.
  const commandLine = a.cmd ?? a.app!;
  let cwdUnix: string;
  if (a.cwd !== null) {
    const r = resolve(ctx, a.cwd);
    const st = r.kind === 'file' ? ctx.process.fs.stat(r.unix) : undefined;
    if (r.kind !== 'file' || !st || failed(st) || !st.isDirectory) return { error: ERROR_DIRECTORY };
    cwdUnix = r.unix;
  } else {
    const r = resolve(ctx, currentDirectory(ctx));
    cwdUnix = r.kind === 'file' ? r.unix : '/';
  }
  const handles = ctx.process.handles;
  const inherited: Inherit[] = [];
  if (a.inherit) {
    for (const h of handles.all()) {
      if (!(h.flags & HANDLE_INHERIT)) continue;
      if (h.type === HandleType.NamedPipe) {
        // The child sees a byte-type named pipe end as an anonymous pipe on the same connection.
        const fd = ctx.process.namedPipes.descriptorForChild(h.value);
        if (fd >= 0) inherited.push({ value: h.handle, fd, type: HandleType.Pipe, access: h.access, share: 3, flags: h.flags & ~HANDLE_BORROWED_FD });
        continue;
      }
      if (h.type !== HandleType.File && h.type !== HandleType.Pipe && h.type !== HandleType.Console && h.type !== HandleType.Directory) continue;
      inherited.push({ value: h.handle, fd: h.value, type: h.type, access: h.access, share: h.share, flags: h.flags & ~HANDLE_BORROWED_FD });
    }
  }
  const std = [0, 1, 2].map((i) => {
    const h = a.std ? a.std[i]! : ctx.process.stdHandles[i]!;
    return { fd: stdFd(ctx, h), value: inherited.some((x) => x.value === h) ? h : 0 };
  });
  const argv = found.kind === 'elf' ? [found.unix, ...splitCommandLine(commandLine, 'msvcrt').slice(1)] : [];
  const r = startChild(ctx.process.processes, {
    kind: found.kind,
    unixPath: found.unix,
    commandLine,
    argv,
    env: a.env ?? [...ctx.process.environment],
    cwdUnix,
    inherited,
    std,
    suspended: (a.flags & CREATE_SUSPENDED) !== 0,
    newGroup: (a.flags & CREATE_NEW_PROCESS_GROUP) !== 0,
    hostEnv: ctx.process.childHostEnvironment(hostEnvironmentEntries()),
    launcher: winrunLauncher(),
  });
  if ('errno' in r) return { error: r.errno === 13 ? ERROR_ACCESS_DENIED : r.errno === 2 ? ERROR_FILE_NOT_FOUND : r.errno === 8 ? ERROR_BAD_EXE_FORMAT : 8 /* ERROR_NOT_ENOUGH_MEMORY */ };
  const process = handles.allocate(HandleType.Process, r.slot, { access: PROCESS_ALL_ACCESS });
  const thread = handles.allocate(HandleType.ProcessThread, r.slot, { access: THREAD_ALL_ACCESS });
  ctx.process.processes.addRef(r.slot);
  ctx.process.processes.addRef(r.slot);
  return { slot: r.slot, pid: r.pid, process, thread };
}

function createProcess(ctx: ApiContext, a: Omit<CreateProcessArgs, 'std'>, startupInfo: number, info: number): number {
  const m = ctx.mem;
  if (startupInfo === 0 || !m.accessible(startupInfo, SI.Size, 'read') || !m.accessible(info, PI.Size, 'write')) return fail(ctx, ERROR_NOACCESS);
  const useStd = (m.u32(startupInfo + SI.dwFlags) & STARTF_USESTDHANDLES) !== 0;
  const std = useStd ? [SI.hStdInput, SI.hStdOutput, SI.hStdError].map((off) => Number(BigInt.asIntN(64, m.u64(startupInfo + off)))) : undefined;
  const r = startProcess(ctx, { ...a, std });
  if ('error' in r) return fail(ctx, r.error);
  m.setU64(info + PI.hProcess, r.process);
  m.setU64(info + PI.hThread, r.thread);
  m.setU32(info + PI.dwProcessId, r.pid);
  // A winrun child's main thread is the process's first Linux thread: its id is the pid.
  m.setU32(info + PI.dwThreadId, r.pid);
  return 1;
}

function optionalString(ctx: ApiContext, p: number, unicode: boolean): string | null {
  if (p === 0) return null;
  return unicode ? ctx.mem.wstring(p) : ctx.mem.cstring(p);
}

export function CreateProcessW(ctx: ApiContext, app: number, cmd: number, _pa: number, _ta: number, inherit: number, flags: number, env: number, cwd: number, si: number, pi: number): number {
  for (const p of [app, cmd, cwd]) if (p !== 0 && !ctx.mem.accessible(p, 2, 'read')) return fail(ctx, ERROR_NOACCESS);
  let block: [string, string][] | undefined;
  if (env !== 0) {
    block = readEnvironmentBlock(ctx, env, (flags & CREATE_UNICODE_ENVIRONMENT) !== 0);
    if (!block) return fail(ctx, ERROR_NOACCESS);
  }
  return createProcess(ctx, { app: optionalString(ctx, app, true), cmd: optionalString(ctx, cmd, true), inherit: inherit !== 0, flags, env: block, cwd: optionalString(ctx, cwd, true) }, si, pi);
}

export function CreateProcessA(ctx: ApiContext, app: number, cmd: number, _pa: number, _ta: number, inherit: number, flags: number, env: number, cwd: number, si: number, pi: number): number {
  for (const p of [app, cmd, cwd]) if (p !== 0 && !ctx.mem.accessible(p, 1, 'read')) return fail(ctx, ERROR_NOACCESS);
  let block: [string, string][] | undefined;
  if (env !== 0) {
    block = readEnvironmentBlock(ctx, env, (flags & CREATE_UNICODE_ENVIRONMENT) !== 0);
    if (!block) return fail(ctx, ERROR_NOACCESS);
  }
  return createProcess(ctx, { app: optionalString(ctx, app, false), cmd: optionalString(ctx, cmd, false), inherit: inherit !== 0, flags, env: block, cwd: optionalString(ctx, cwd, false) }, si, pi);
}

/** CreateProcessAsUser and CreateProcessWithLogon: other users' processes do not exist here. */
export function CreateProcessAsUser(ctx: ApiContext): number {
  return fail(ctx, ERROR_CALL_NOT_IMPLEMENTED);
}
