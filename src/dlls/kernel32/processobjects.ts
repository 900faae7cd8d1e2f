/**
 * Child process objects (processthreadsapi.h): GetExitCodeProcess, TerminateProcess,
 * GetProcessId, OpenProcess, GetProcessTimes of a child, and the child's main-thread handle
 * (ResumeThread of a child created suspended, GetThreadId, GetExitCodeThread). The objects
 * live in the process's ProcessTable (kernel/process-objects.ts); waiting on them is in
 * wait.ts. The current process's pseudo handle (-1) is handled by the callers' own paths.
 */
import { HandleType } from '../../kernel/handles.js';
import { FILETIME_UNIX_EPOCH } from '../../kernel/timezone.js';
import { TEB } from '../../native/layout.js';
import type { ApiContext } from '../types.js';
import { ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER, ERROR_NOACCESS } from './errors.js';

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
