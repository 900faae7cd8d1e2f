/**
 * The CRT's process functions (process.h, stdlib.h, stdio.h): _spawn* and _wspawn* (P_WAIT,
 * P_NOWAIT, P_NOWAITO, P_DETACH, P_OVERLAY), _cwait, _getpid, system and _popen/_pclose. They
 * start programs through kernel32's CreateProcess machinery (createprocess.ts); system and
 * _popen run the command interpreter named by COMSPEC (default C:\windows\system32\cmd.exe),
 * and fail with ENOENT, as Windows' CRT does, when there is none — winrun ships no cmd.exe.
 * _spawn* joins its arguments with spaces and no quoting, as Microsoft's CRT does.
 */
import { failed } from '../../host/fs.js';
import { HandleType } from '../../kernel/handles.js';
import { TEB } from '../../native/layout.js';
import { startProcess } from '../kernel32/createprocess.js';
import { CreatePipe } from '../kernel32/namedpipeapi.js';
import { closeProcessHandle } from '../kernel32/processobjects.js';
import { resolve } from '../kernel32/pathstr.js';
import type { ApiContext, ExportRow } from '../types.js';
import { closeStream, flushAll, streamOnFd } from './fopen.js';
import { allocFd, dosmaperr, EINVAL, ENOENT, FPIPE, FTEXT, osHandle, validFd } from './lowio.js';
import { __doserrno, setErrno } from './memory.js';
import { filenoOf, _IOREAD, _IOWRT } from './stream.js';
import { closeFileHandle } from '../../kernel/files.js';
import { CRT, crt } from './crtdata.js';

const _P_WAIT = 0;
const _P_NOWAIT = 1;
const _P_OVERLAY = 2;
const _P_NOWAITO = 3;
const _P_DETACH = 4;
const ECHILD = 10;
const INFINITE = Infinity;

type Cs = 'A' | 'W';

const str = (ctx: ApiContext, p: number, cs: Cs): string => (cs === 'W' ? ctx.mem.wstring(p) : ctx.mem.cstring(p));

/** A NULL-terminated array of string pointers. */
function stringArray(ctx: ApiContext, p: number, cs: Cs): string[] | undefined {
  const out: string[] = [];
  for (let i = 0; i < 4096; i++) {
    if (!ctx.mem.accessible(p + 8 * i, 8, 'read')) return undefined;
    const s = ctx.mem.ptr(p + 8 * i);
    if (s === 0) return out;
    out.push(str(ctx, s, cs));
  }
  return undefined;
}

function environmentOf(list: string[]): [string, string][] {
  return list.map((e) => {
    const eq = e.indexOf('=', 1);
    return eq < 0 ? [e, ''] : [e.slice(0, eq), e.slice(eq + 1)];
  });
}

/** The CRT's descriptors 0–2 as the child's standard handles (what the CRT passes on). */
function crtStdHandles(ctx: ApiContext): number[] {
  return [0, 1, 2].map((fd) => osHandle(ctx, fd));
}

function waitFor(ctx: ApiContext, slot: number): number {
  ctx.process.processes.wait(slot, INFINITE);
  return ctx.process.processes.exitCode(slot);
}

/** The program a _spawn* names: `.exe` is implied when the name has no extension (the
 *  p forms find it on the search path, which implies it too). */
function programName(name: string, search: boolean): string {
  const last = name.slice(Math.max(name.lastIndexOf('\\'), name.lastIndexOf('/')) + 1);
  return search || last.includes('.') ? name : name + '.exe';
}

/** The heart of every _spawn*: returns the exit code (P_WAIT), the process handle
 *  (P_NOWAIT, P_NOWAITO), 0 (P_DETACH), or -1 with errno. */
function spawn(ctx: ApiContext, mode: number, name: string, argv: string[], env: [string, string][] | undefined, search: boolean): number {
  if (mode < _P_WAIT || mode > _P_DETACH || name === '') {
    setErrno(ctx, EINVAL);
    return -1;
  }
  flushAll(ctx);
  const r = startProcess(ctx, { app: name, cmd: argv.join(' '), inherit: true, flags: 0, env, cwd: null, std: crtStdHandles(ctx), searchApp: search });
  if ('error' in r) {
    dosmaperr(ctx, r.error);
    return -1;
  }
  closeProcessHandle(ctx, r.thread);
  switch (mode) {
    case _P_WAIT: {
      const code = waitFor(ctx, r.slot);
      closeProcessHandle(ctx, r.process);
      return code | 0;
    }
    case _P_OVERLAY: {
      // The calling program is replaced: it ends, and the new one goes on.
      ctx.process.exit(0);
      return -1;
    }
    case _P_DETACH:
      closeProcessHandle(ctx, r.process);
      return 0;
    default:
      return r.process;
  }
}

function spawnv(ctx: ApiContext, cs: Cs, mode: number, name: number, argv: number, envp: number, search: boolean): number {
  if (name === 0 || argv === 0) {
    setErrno(ctx, EINVAL);
    return -1;
  }
  const args = stringArray(ctx, argv, cs);
  const env = envp === 0 ? undefined : stringArray(ctx, envp, cs);
  if (!args || (envp !== 0 && !env) || args.length === 0) {
    setErrno(ctx, EINVAL);
    return -1;
  }
  return spawn(ctx, mode, programName(str(ctx, name, cs), search), args, env && environmentOf(env), search);
}

/** _spawnl*: the arguments follow as varargs up to a NULL, then (the -e forms) envp. */
function spawnl(ctx: ApiContext, cs: Cs, mode: number, name: number, arg0: number, withEnv: boolean, search: boolean): number {
  const va = ctx.varargs();
  const args: string[] = [];
  let p = arg0;
  while (p !== 0) {
    args.push(str(ctx, p, cs));
    p = Number(va.next());
  }
  let env: [string, string][] | undefined;
  if (withEnv) {
    const envp = Number(va.next());
    const list = envp === 0 ? undefined : stringArray(ctx, envp, cs);
    env = list && environmentOf(list);
  }
  if (name === 0 || args.length === 0) {
    setErrno(ctx, EINVAL);
    return -1;
  }
  return spawn(ctx, mode, programName(str(ctx, name, cs), search), args, env, search);
}

/** _cwait: waits for a process started with P_NOWAIT, stores its exit code, and closes its
 *  handle. Returns the handle, or -1 with ECHILD for a handle that is not a child's. */
export function _cwait(ctx: ApiContext, termstat: number, handle: bigint, _action: number): bigint {
  const h = Number(BigInt.asIntN(64, handle));
  const o = ctx.process.handles.lookup(h);
  if (!o || o.type !== HandleType.Process) {
    setErrno(ctx, ECHILD);
    ctx.mem.setU32(__doserrno(ctx), 6 /* ERROR_INVALID_HANDLE */);
    return -1n;
  }
  const code = waitFor(ctx, o.value);
  if (termstat !== 0 && ctx.mem.accessible(termstat, 4, 'write')) ctx.mem.setU32(termstat, code);
  closeProcessHandle(ctx, h);
  return handle;
}

export function _getpid(ctx: ApiContext): number {
  return ctx.mem.u32(ctx.teb + TEB.ClientIdUniqueProcess);
}

/** COMSPEC, or Windows' default; and whether that file exists. */
function commandInterpreter(ctx: ApiContext): { path: string; exists: boolean } {
  const path = [...ctx.process.environment].find(([k]) => k.toUpperCase() === 'COMSPEC')?.[1] || 'C:\\windows\\system32\\cmd.exe';
  const r = resolve(ctx, path);
  if (r.kind !== 'file') return { path, exists: false };
  const st = ctx.process.fs.stat(r.unix);
  return { path, exists: !failed(st) && st.isFile };
}

function system(ctx: ApiContext, command: number, cs: Cs): number {
  const shell = commandInterpreter(ctx);
  if (command === 0) {
    if (!shell.exists) setErrno(ctx, ENOENT);
    return shell.exists ? 1 : 0;
  }
  if (!shell.exists) {
    setErrno(ctx, ENOENT);
    return -1;
  }
  return spawn(ctx, _P_WAIT, shell.path, [`"${shell.path}"`, '/c', str(ctx, command, cs)], undefined, false);
}

export const system_ = (ctx: ApiContext, command: number): number => system(ctx, command, 'A');
export const _wsystem = (ctx: ApiContext, command: number): number => system(ctx, command, 'W');

/** Where _popen keeps the process behind a stream's descriptor: the spare word of the
 *  descriptor's entry in the CRT's table (lowio.ts keeps the handle at +0, flags at +8). */
const POPEN_PROCESS = 12;
const fdEntry = (ctx: ApiContext, fd: number): number => crt(ctx, CRT.FdTable) + 16 * fd;

function popen(ctx: ApiContext, command: number, mode: number, cs: Cs): number {
  if (command === 0 || mode === 0) {
    setErrno(ctx, EINVAL);
    return 0;
  }
  const m = str(ctx, mode, cs);
  const reading = m.startsWith('r');
  if (!reading && !m.startsWith('w')) {
    setErrno(ctx, EINVAL);
    return 0;
  }
  const shell = commandInterpreter(ctx);
  if (!shell.exists) {
    setErrno(ctx, ENOENT);
    return 0;
  }
  // A pipe whose child end is inheritable; the parent's end is not.
  const scratch = ctx.process.heapAlloc(ctx.process.processHeap, 48, 0);
  ctx.mem.setU32(scratch + 16, 24);
  ctx.mem.setU64(scratch + 24, 0);
  ctx.mem.setU32(scratch + 32, 1);
  if (!CreatePipe(ctx, scratch, scratch + 8, scratch + 16, 0)) {
    ctx.process.heapFree(ctx.process.processHeap, scratch);
    dosmaperr(ctx, ctx.getLastError());
    return 0;
  }
  const readEnd = Number(ctx.mem.u64(scratch));
  const writeEnd = Number(ctx.mem.u64(scratch + 8));
  ctx.process.heapFree(ctx.process.processHeap, scratch);
  const mine = reading ? readEnd : writeEnd;
  const theirs = reading ? writeEnd : readEnd;
  ctx.process.handles.updateFlags(mine, 0, 0x40 /* HANDLE_INHERIT */);
  const std = crtStdHandles(ctx);
  std[reading ? 1 : 0] = theirs;
  flushAll(ctx);
  const r = startProcess(ctx, { app: shell.path, cmd: `"${shell.path}" /c ${str(ctx, command, cs)}`, inherit: true, flags: 0, env: undefined, cwd: null, std });
  closeFileHandle(ctx.process, theirs);
  if ('error' in r) {
    closeFileHandle(ctx.process, mine);
    dosmaperr(ctx, r.error);
    return 0;
  }
  closeProcessHandle(ctx, r.thread);
  const text = !m.includes('b');
  const fd = allocFd(ctx, mine, FPIPE | (text ? FTEXT : 0));
  if (fd < 0) {
    closeFileHandle(ctx.process, mine);
    closeProcessHandle(ctx, r.process);
    return 0;
  }
  ctx.mem.setU32(fdEntry(ctx, fd) + POPEN_PROCESS, r.process);
  return streamOnFd(ctx, fd, reading ? _IOREAD : _IOWRT);
}

export const _popen = (ctx: ApiContext, command: number, mode: number): number => popen(ctx, command, mode, 'A');
export const _wpopen = (ctx: ApiContext, command: number, mode: number): number => popen(ctx, command, mode, 'W');

/** _pclose: closes the stream, waits for the command and returns its exit code. */
export function _pclose(ctx: ApiContext, f: number): number {
  if (f === 0) {
    setErrno(ctx, EINVAL);
    return -1;
  }
  const fd = filenoOf(ctx, f);
  if (!validFd(ctx, fd)) return -1;
  const at = fdEntry(ctx, fd) + POPEN_PROCESS;
  const process = ctx.mem.u32(at);
  ctx.mem.setU32(at, 0);
  closeStream(ctx, f);
  const o = ctx.process.handles.lookup(process);
  if (process === 0 || !o || o.type !== HandleType.Process) {
    setErrno(ctx, EINVAL);
    return -1;
  }
  const code = waitFor(ctx, o.value);
  closeProcessHandle(ctx, process);
  return code | 0;
}

/** The rows shared by msvcrt.dll and ucrtbase.dll. */
export const PROCESS_CRT_EXPORTS: readonly ExportRow[] = [
  { name: '_cwait', args: ['ptr', 'i64', 'i32'], ret: 'i64', impl: _cwait },
  { name: '_getpid', args: [], ret: 'i32', impl: _getpid },
  { name: '_pclose', args: ['ptr'], ret: 'i32', impl: _pclose },
  { name: '_popen', args: ['ptr', 'ptr'], ret: 'ptr', impl: _popen },
  { name: '_spawnl', args: ['i32', 'ptr', 'ptr'], varargs: true, ret: 'i64', impl: (ctx, m: number, n: number, a: number) => spawnl(ctx, 'A', m, n, a, false, false) },
  { name: '_spawnle', args: ['i32', 'ptr', 'ptr'], varargs: true, ret: 'i64', impl: (ctx, m: number, n: number, a: number) => spawnl(ctx, 'A', m, n, a, true, false) },
  { name: '_spawnlp', args: ['i32', 'ptr', 'ptr'], varargs: true, ret: 'i64', impl: (ctx, m: number, n: number, a: number) => spawnl(ctx, 'A', m, n, a, false, true) },
  { name: '_spawnlpe', args: ['i32', 'ptr', 'ptr'], varargs: true, ret: 'i64', impl: (ctx, m: number, n: number, a: number) => spawnl(ctx, 'A', m, n, a, true, true) },
  { name: '_spawnv', args: ['i32', 'ptr', 'ptr'], ret: 'i64', impl: (ctx, m: number, n: number, a: number) => spawnv(ctx, 'A', m, n, a, 0, false) },
  { name: '_spawnve', args: ['i32', 'ptr', 'ptr', 'ptr'], ret: 'i64', impl: (ctx, m: number, n: number, a: number, e: number) => spawnv(ctx, 'A', m, n, a, e, false) },
  { name: '_spawnvp', args: ['i32', 'ptr', 'ptr'], ret: 'i64', impl: (ctx, m: number, n: number, a: number) => spawnv(ctx, 'A', m, n, a, 0, true) },
  { name: '_spawnvpe', args: ['i32', 'ptr', 'ptr', 'ptr'], ret: 'i64', impl: (ctx, m: number, n: number, a: number, e: number) => spawnv(ctx, 'A', m, n, a, e, true) },
  { name: '_wpopen', args: ['ptr', 'ptr'], ret: 'ptr', impl: _wpopen },
  { name: '_wspawnl', args: ['i32', 'ptr', 'ptr'], varargs: true, ret: 'i64', impl: (ctx, m: number, n: number, a: number) => spawnl(ctx, 'W', m, n, a, false, false) },
  { name: '_wspawnle', args: ['i32', 'ptr', 'ptr'], varargs: true, ret: 'i64', impl: (ctx, m: number, n: number, a: number) => spawnl(ctx, 'W', m, n, a, true, false) },
  { name: '_wspawnlp', args: ['i32', 'ptr', 'ptr'], varargs: true, ret: 'i64', impl: (ctx, m: number, n: number, a: number) => spawnl(ctx, 'W', m, n, a, false, true) },
  { name: '_wspawnlpe', args: ['i32', 'ptr', 'ptr'], varargs: true, ret: 'i64', impl: (ctx, m: number, n: number, a: number) => spawnl(ctx, 'W', m, n, a, true, true) },
  { name: '_wspawnv', args: ['i32', 'ptr', 'ptr'], ret: 'i64', impl: (ctx, m: number, n: number, a: number) => spawnv(ctx, 'W', m, n, a, 0, false) },
  { name: '_wspawnve', args: ['i32', 'ptr', 'ptr', 'ptr'], ret: 'i64', impl: (ctx, m: number, n: number, a: number, e: number) => spawnv(ctx, 'W', m, n, a, e, false) },
  { name: '_wspawnvp', args: ['i32', 'ptr', 'ptr'], ret: 'i64', impl: (ctx, m: number, n: number, a: number) => spawnv(ctx, 'W', m, n, a, 0, true) },
  { name: '_wspawnvpe', args: ['i32', 'ptr', 'ptr', 'ptr'], ret: 'i64', impl: (ctx, m: number, n: number, a: number, e: number) => spawnv(ctx, 'W', m, n, a, e, true) },
  { name: '_wsystem', args: ['ptr'], ret: 'i32', impl: _wsystem },
  { name: 'system', args: ['ptr'], ret: 'i32', impl: system_ },
];
