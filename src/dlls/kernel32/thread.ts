/**
 * Threads (processthreadsapi.h): CreateThread, GetExitCodeThread, GetThreadId (waiting on a
 * thread handle is in wait.ts). Each further guest thread runs on its own Worker (loader/threads.ts); the thread object lives in the process's
 * shared ThreadTable, so a wait is an Atomics.wait on its state word in whichever realm waits.
 */
import { HandleType } from '../../kernel/handles.js';
import { STILL_ACTIVE } from '../../kernel/threads.js';
import { TEB } from '../../native/layout.js';
import { PEB } from '../../loader/structures.js';
import type { ApiContext } from '../types.js';
import { CloseHandle, currentThreadSlot } from './objects.js';
import { processThreadSlot } from './processobjects.js';
import { ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER, ERROR_NOACCESS, ERROR_NOT_SUPPORTED } from './errors.js';

const CREATE_SUSPENDED = 0x4;
const STACK_SIZE_PARAM_IS_A_RESERVATION = 0x10000;
const CURRENT_THREAD = -2;

function fail(ctx: ApiContext, code: number, value = 0): number {
  ctx.setLastError(code);
  return value;
}

/** The ThreadTable slot of a thread handle (GetCurrentThread(): the calling thread's), or -1. */
export function threadSlot(ctx: ApiContext, h: number): number {
  if (h === CURRENT_THREAD) return currentThreadSlot(ctx);
  const o = ctx.process.handles.lookup(h);
  return o?.type === HandleType.Thread ? o.value : -1;
}

export function CreateThread(ctx: ApiContext, _attrs: number, stackSize: bigint, start: number, param: number, flags: number, tidOut: number): number {
  if (flags & ~(CREATE_SUSPENDED | STACK_SIZE_PARAM_IS_A_RESERVATION)) return fail(ctx, ERROR_INVALID_PARAMETER);
  // Windows starts a thread at a NULL routine and lets it fault; refusing is kinder here.
  if (start === 0) return fail(ctx, ERROR_INVALID_PARAMETER);
  if (tidOut !== 0 && !ctx.mem.accessible(tidOut, 4, 'write')) return fail(ctx, ERROR_NOACCESS);
  const r = ctx.process.createThread(start, param, Number(BigInt.asUintN(48, stackSize)), flags);
  if ('error' in r) return fail(ctx, r.error);
  if (tidOut !== 0) ctx.mem.setU32(tidOut, r.tid);
  return r.handle;
}

export function GetExitCodeThread(ctx: ApiContext, h: number, codeOut: number): number {
  let code: number;
  if (h === CURRENT_THREAD) code = STILL_ACTIVE;
  else {
    const slot = threadSlot(ctx, h);
    const child = slot < 0 ? processThreadSlot(ctx, h) : -1;
    if (slot < 0 && child < 0) return fail(ctx, ERROR_INVALID_HANDLE);
    // A child's main thread ends with its process, with the same code.
    code = child >= 0 ? ctx.process.processes.exitCode(child) : ctx.process.threads.exitCode(slot);
  }
  if (!ctx.mem.accessible(codeOut, 4, 'write')) return fail(ctx, ERROR_NOACCESS);
  ctx.mem.setU32(codeOut, code);
  return 1;
}

export function GetThreadId(ctx: ApiContext, h: number): number {
  if (h === CURRENT_THREAD) return ctx.mem.u32(ctx.teb + TEB.ClientIdUniqueThread);
  const slot = threadSlot(ctx, h);
  if (slot < 0) {
    const child = processThreadSlot(ctx, h);
    return child < 0 ? fail(ctx, ERROR_INVALID_HANDLE) : ctx.process.processes.pid(child);
  }
  return ctx.process.threads.tid(slot);
}

/**
 * Starts a thread of winrun's own whose start routine is this DLL's export `routine` (a JS
 * implementation: the thread pool's workers, the console control thread); its handle is closed
 * at once. False when no thread could start.
 */
export function startBuiltinThread(ctx: ApiContext, routine: string, param: number): boolean {
  const p = ctx.process;
  const entry = p.procAddress(p.moduleHandle('kernel32.dll'), routine);
  const r = entry === 0 ? undefined : p.createThread(entry, param, 0, 0);
  if (r === undefined || 'error' in r) return false;
  CloseHandle(ctx, r.handle);
  return true;
}

/** ResumeThread: the previous suspend count ((DWORD)-1 for a bad handle). */
export function ResumeThread(ctx: ApiContext, h: number): number {
  if (h === CURRENT_THREAD) return 0;
  const slot = threadSlot(ctx, h);
  if (slot < 0) {
    const child = processThreadSlot(ctx, h);
    return child < 0 ? fail(ctx, ERROR_INVALID_HANDLE, -1) : ctx.process.processes.resume(child);
  }
  return ctx.process.threads.resume(slot);
}

/**
 * SuspendThread: raises the suspend count of a thread created suspended that has not run yet.
 * Stopping a thread that runs is not supported (a Worker cannot be stopped where it is): that
 * fails with ERROR_NOT_SUPPORTED and says so.
 */
export function SuspendThread(ctx: ApiContext, h: number): number {
  const slot = h === CURRENT_THREAD ? -1 : threadSlot(ctx, h);
  if (slot < 0 && h !== CURRENT_THREAD) return fail(ctx, ERROR_INVALID_HANDLE, -1);
  const previous = slot < 0 ? -1 : ctx.process.threads.suspendPending(slot);
  if (previous >= 0) return previous;
  ctx.fixme('thread', 'SuspendThread', 'suspending a running thread is not supported');
  return fail(ctx, ERROR_NOT_SUPPORTED, -1);
}

/** Ends the calling thread after DLL_THREAD_DETACH (the main thread: the process, see exitThread). */
export function ExitThread(ctx: ApiContext, code: number): void {
  ctx.process.exitThread(code);
}

/** The processors the system has, as an affinity mask (PEB.NumberOfProcessors, at most 64). */
function systemMask(ctx: ApiContext): bigint {
  const n = Math.max(1, Math.min(64, ctx.mem.u32(ctx.process.pebAddress + PEB.NumberOfProcessors)));
  return (1n << BigInt(n)) - 1n;
}

/** GetProcessAffinityMask: every processor, for the process and the system. */
export function GetProcessAffinityMask(ctx: ApiContext, _process: number, processMask: number, systemMaskOut: number): number {
  if (!ctx.mem.accessible(processMask, 8, 'write') || !ctx.mem.accessible(systemMaskOut, 8, 'write')) return fail(ctx, ERROR_NOACCESS);
  const all = systemMask(ctx);
  ctx.mem.setU64(processMask, all);
  ctx.mem.setU64(systemMaskOut, all);
  return 1;
}

/**
 * SetProcessAffinityMask and SetThreadAffinityMask accept a non-empty mask of the system's
 * processors and do not pin anything (the host schedules the threads); SetThreadAffinityMask
 * returns the previous mask, all processors.
 */
export function SetProcessAffinityMask(ctx: ApiContext, _process: number, mask: bigint): number {
  const m = BigInt.asUintN(64, mask);
  if (m === 0n || (m & ~systemMask(ctx)) !== 0n) return fail(ctx, ERROR_INVALID_PARAMETER);
  return 1;
}

export function SetThreadAffinityMask(ctx: ApiContext, _thread: number, mask: bigint): bigint {
  const m = BigInt.asUintN(64, mask);
  if (m === 0n || (m & ~systemMask(ctx)) !== 0n) return BigInt(fail(ctx, ERROR_INVALID_PARAMETER));
  return systemMask(ctx);
}
