/**
 * Child process objects (processthreadsapi.h): GetExitCodeProcess, TerminateProcess,
 * GetProcessId, OpenProcess, GetProcessTimes of a child, and the child's main-thread handle
 * (ResumeThread of a child created suspended, GetThreadId, GetExitCodeThread). The objects
 * live in the process's ProcessTable (kernel/process-objects.ts); waiting on them is in
 * wait.ts. The current process's pseudo handle (-1) is handled by the callers' own paths.
 */
import { closeHandleInChild, sendHandleToChild } from '../../kernel/childstart.js';
import { HANDLE_INHERIT, HandleType } from '../../kernel/handles.js';
import { FILETIME_UNIX_EPOCH } from '../../kernel/timezone.js';
import { TEB } from '../../native/layout.js';
import type { ApiContext } from '../types.js';
import { ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER, ERROR_NOACCESS, ERROR_NOT_SUPPORTED } from './errors.js';

const ERROR_ACCESS_DENIED = 5;
const PROCESS_ALL_ACCESS = 0x1fffff;

function fail(ctx: ApiContext, code: number, value = 0): number {
  ctx.setLastError(code);
  return value;
}

const ownPid = (ctx: ApiContext): number => ctx.mem.u32(ctx.teb + TEB.ClientIdUniqueProcess);

/** The ProcessTable slot of a child process handle, or -1. */
export function processSlot(ctx: ApiContext, h: number | bigint): number {
  const n = Number(BigInt.asIntN(64, BigInt(h)));
  const o = ctx.process.handles.lookup(n);
  return o?.type === HandleType.Process ? o.value : -1;
}

/** The slot of a child's main-thread handle, or -1. */
export function processThreadSlot(ctx: ApiContext, h: number): number {
  const o = ctx.process.handles.lookup(h);
  return o?.type === HandleType.ProcessThread ? o.value : -1;
}

/** CloseHandle of a process or process-thread handle: the handle goes, and its reference. */
export function closeProcessHandle(ctx: ApiContext, h: number): boolean {
  const o = ctx.process.handles.close(h);
  if (!o) return false;
  ctx.process.processes.release(o.value);
  return true;
}

export function childExitCode(ctx: ApiContext, slot: number, out: number): number {
  if (!ctx.mem.accessible(out, 4, 'write')) return fail(ctx, ERROR_NOACCESS);
  ctx.mem.setU32(out, ctx.process.processes.exitCode(slot));
  return 1;
}

/** TerminateProcess of a child: it ends at once with `code`; an ended one gives
 *  ERROR_ACCESS_DENIED, as on Windows. */
export function terminateChild(ctx: ApiContext, slot: number, code: number): number {
  if (!ctx.process.processes.terminate(slot, code >>> 0)) return fail(ctx, ERROR_ACCESS_DENIED);
  // TerminateProcess is asynchronous on Windows too, but programs read the exit code right
  // after; reaping here makes that code the terminate code at once.
  ctx.process.processes.wait(slot, 5000);
  return 1;
}

export function childTimes(ctx: ApiContext, slot: number, creation: number, exit: number, kernel: number, user: number): number {
  const m = ctx.mem;
  for (const p of [creation, exit, kernel, user]) if (!m.accessible(p, 8, 'write')) return fail(ctx, ERROR_NOACCESS);
  const t = ctx.process.processes;
  t.ended(slot);
  const ft = (ms: number): bigint => (ms === 0 ? 0n : BigInt(Math.round(ms * 10000)) + FILETIME_UNIX_EPOCH);
  m.setU64(creation, ft(t.createdAt(slot)));
  m.setU64(exit, ft(t.exitedAt(slot)));
  // The child's CPU time is not collected (it is another Linux process).
  m.setU64(kernel, 0n);
  m.setU64(user, 0n);
  return 1;
}

export function GetProcessId(ctx: ApiContext, h: bigint): number {
  if (h === -1n) return ownPid(ctx);
  const slot = processSlot(ctx, h);
  if (slot < 0) return fail(ctx, ERROR_INVALID_HANDLE);
  return ctx.process.processes.pid(slot);
}

/**
 * OpenProcess: this process (a real handle on it is the pseudo handle's behaviour: not
 * supported as an object, so it fails with ERROR_ACCESS_DENIED), or a child it started whose
 * handle is still open somewhere in the process. Any other id is ERROR_INVALID_PARAMETER, as
 * Windows answers for a process that does not exist.
 */
export function OpenProcess(ctx: ApiContext, _access: number, _inherit: number, pid: number): number {
  if (pid === 0) return fail(ctx, ERROR_INVALID_PARAMETER);
  const slot = ctx.process.processes.byPid(pid);
  if (slot < 0) return fail(ctx, pid === ownPid(ctx) ? ERROR_ACCESS_DENIED : ERROR_INVALID_PARAMETER);
  const h = ctx.process.handles.allocate(HandleType.Process, slot, { access: PROCESS_ALL_ACCESS });
  if (h === 0) return fail(ctx, 4 /* ERROR_TOO_MANY_OPEN_FILES */);
  ctx.process.processes.addRef(slot);
  return h;
}

const HANDLE_KEPT_FLAGS = 0x02; /* HANDLE_APPEND: how the file was opened travels with it */

/**
 * DuplicateHandle from this process into a child that has not started yet (created
 * CREATE_SUSPENDED and not resumed): the descriptor and the handle's words go over the child's
 * resume channel and the child puts them at the value returned here before its program runs
 * (kernel/childstart.ts). A child that runs already has its handle table in its own process,
 * out of reach: ERROR_NOT_SUPPORTED. Files, pipes, directories and the console can go over.
 */
export function duplicateIntoChild(ctx: ApiContext, slot: number, src: number, out: number, access: number, inherit: boolean, sameAccess: boolean): number {
  if (!ctx.mem.accessible(out, 8, 'write')) return fail(ctx, out === 0 ? ERROR_INVALID_PARAMETER : ERROR_NOACCESS);
  const o = ctx.process.handles.lookup(src);
  if (!o) return fail(ctx, ERROR_INVALID_HANDLE);
  const { channel, nextValue } = ctx.process.processes.pendingStart(slot);
  if (channel < 0) {
    ctx.fixme('process', 'DuplicateHandle', 'into a child process that has started');
    return fail(ctx, ERROR_NOT_SUPPORTED);
  }
  // A byte-type named pipe end reaches the child as an anonymous pipe on its connection.
  const fd = o.type === HandleType.NamedPipe ? ctx.process.namedPipes.descriptorForChild(o.value) : o.value;
  const fdTypes = o.type === HandleType.File || o.type === HandleType.Pipe || o.type === HandleType.Directory || o.type === HandleType.Console;
  if (!fdTypes && (o.type !== HandleType.NamedPipe || fd < 0)) {
    ctx.fixme('process', 'DuplicateHandle', `handles of type ${o.type} into a child process`);
    return fail(ctx, ERROR_NOT_SUPPORTED);
  }
  const value = nextValue();
  const flags = (o.flags & HANDLE_KEPT_FLAGS) | (inherit ? HANDLE_INHERIT : 0);
  const type = o.type === HandleType.NamedPipe ? HandleType.Pipe : o.type;
  if (sendHandleToChild(channel, value, { type, access: sameAccess ? o.access : access, share: o.share, flags }, fd) < 0) return fail(ctx, ERROR_ACCESS_DENIED);
  ctx.mem.setU64(out, value);
  return 1;
}

/** DuplicateHandle(child, h, NULL, NULL, 0, FALSE, DUPLICATE_CLOSE_SOURCE) for a child that has
 *  not started yet: closes `h` there. */
export function closeInChild(ctx: ApiContext, slot: number, h: number): number {
  const { channel } = ctx.process.processes.pendingStart(slot);
  if (channel < 0) {
    ctx.fixme('process', 'DuplicateHandle', 'closing a handle of a child process that has started');
    return fail(ctx, ERROR_NOT_SUPPORTED);
  }
  if (closeHandleInChild(channel, h) < 0) return fail(ctx, ERROR_ACCESS_DENIED);
  return 1;
}
