/**
 * What a thread handle tells and sets besides its life (processthreadsapi.h): priority and
 * priority boost (recorded, reported back; the host schedules the threads), description,
 * OpenThread by id, SwitchToThread, TerminateThread, CreateRemoteThread(Ex) in this process,
 * GetProcessIdOfThread.
 *
 * TerminateThread of another thread: the thread ends at once for everyone else (its exit
 * code, its handle signalled, its mutexes abandoned), but a Worker cannot be stopped where it
 * runs, so its host thread stops at its next API call (a thread asleep in a wait stays asleep
 * and never runs guest code again). Terminating the main thread ends the process, since the
 * main guest thread is the host's main thread. Neither runs DLL detach or FLS callbacks, as on
 * Windows.
 */
import { ThreadState } from '../../kernel/threads.js';
import { TEB } from '../../native/layout.js';
import type { ApiContext } from '../types.js';
import { ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER, ERROR_NOACCESS, ERROR_NOT_SUPPORTED } from './errors.js';
import { CreateThread, threadSlot } from './thread.js';

const THREAD_PRIORITY_ERROR_RETURN = 0x7fffffff;
const THREAD_MODE_BACKGROUND_BEGIN = 0x10000;
const THREAD_MODE_BACKGROUND_END = 0x20000;
const PRIORITIES = new Set([-15, -2, -1, 0, 1, 2, 15]);
const E_INVALIDARG = 0x80070057;
const E_OUTOFMEMORY = 0x8007000e;
const HRESULT_INVALID_HANDLE = 0x80070006;
const CURRENT_PROCESS = -1;

function fail(ctx: ApiContext, code: number, value = 0): number {
  ctx.setLastError(code);
  return value;
}

export function GetThreadPriority(ctx: ApiContext, h: number): number {
  const slot = threadSlot(ctx, h);
  if (slot < 0) return fail(ctx, ERROR_INVALID_HANDLE, THREAD_PRIORITY_ERROR_RETURN);
  return ctx.process.threads.priority(slot);
}

export function SetThreadPriority(ctx: ApiContext, h: number, priority: number): number {
  const slot = threadSlot(ctx, h);
  if (slot < 0) return fail(ctx, ERROR_INVALID_HANDLE);
  if (priority === THREAD_MODE_BACKGROUND_BEGIN || priority === THREAD_MODE_BACKGROUND_END) return 1;
  if (!PRIORITIES.has(priority)) return fail(ctx, ERROR_INVALID_PARAMETER);
  ctx.process.threads.setPriority(slot, priority);
  return 1;
}

/** Priority boost: recorded nowhere; reported as enabled (DisablePriorityBoost FALSE). */
export function GetThreadPriorityBoost(ctx: ApiContext, h: number, out: number): number {
  if (threadSlot(ctx, h) < 0) return fail(ctx, ERROR_INVALID_HANDLE);
  if (!ctx.mem.accessible(out, 4, 'write')) return fail(ctx, ERROR_NOACCESS);
  ctx.mem.setU32(out, 0);
  return 1;
}

export function SetThreadPriorityBoost(ctx: ApiContext, h: number, _disable: number): number {
  return threadSlot(ctx, h) < 0 ? fail(ctx, ERROR_INVALID_HANDLE) : 1;
}

/** SetThreadDescription: an HRESULT; the description is kept with the thread object. */
export function SetThreadDescription(ctx: ApiContext, h: number, text: number): number {
  const slot = threadSlot(ctx, h);
  if (slot < 0) return HRESULT_INVALID_HANDLE;
  if (text === 0 || !ctx.mem.accessible(text, 2, 'read')) return E_INVALIDARG;
  const units = ctx.mem.wstringUnits(text);
  const p = ctx.process;
  const copy = p.heapAlloc(p.processHeap, 2 * units.length + 2, 0);
  if (copy === 0) return E_OUTOFMEMORY;
  for (let i = 0; i < units.length; i++) ctx.mem.setU16(copy + 2 * i, units[i]!);
  ctx.mem.setU16(copy + 2 * units.length, 0);
  const old = p.threads.swapDescription(slot, copy);
  if (old !== 0) p.heapFree(p.processHeap, old);
  return 0;
}

/** GetThreadDescription: a LocalAlloc'd copy (empty when none was set); the caller LocalFrees it. */
export function GetThreadDescription(ctx: ApiContext, h: number, out: number): number {
  const slot = threadSlot(ctx, h);
  if (slot < 0) return HRESULT_INVALID_HANDLE;
  if (!ctx.mem.accessible(out, 8, 'write')) return E_INVALIDARG;
  const p = ctx.process;
  const desc = p.threads.description(slot);
  const units = desc === 0 ? new Uint16Array(0) : ctx.mem.wstringUnits(desc);
  const copy = p.heapAlloc(p.processHeap, 2 * units.length + 2, 0);
  if (copy === 0) {
    ctx.mem.setU64(out, 0);
    return E_OUTOFMEMORY;
  }
  for (let i = 0; i < units.length; i++) ctx.mem.setU16(copy + 2 * i, units[i]!);
  ctx.mem.setU16(copy + 2 * units.length, 0);
  ctx.mem.setU64(out, copy);
  return 0;
}

/** OpenThread: a new handle to the thread with that id (running, or ended with handles open). */
export function OpenThread(ctx: ApiContext, access: number, _inherit: number, tid: number): number {
  const p = ctx.process;
  const slot = p.threads.refById(tid >>> 0);
  if (slot < 0) return fail(ctx, ERROR_INVALID_PARAMETER);
  const h = p.handles.allocate(10 /* HandleType.Thread */, slot, { access });
  if (h === 0) {
    p.threads.release(slot);
    return fail(ctx, 4 /* ERROR_TOO_MANY_OPEN_FILES */);
  }
  return h;
}

/** SwitchToThread: gives up the rest of the time slice. */
export function SwitchToThread(ctx: ApiContext): number {
  ctx.process.sleep(0);
  return 1;
}

export function TerminateThread(ctx: ApiContext, h: number, code: number): number {
  const slot = threadSlot(ctx, h);
  if (slot < 0) return fail(ctx, ERROR_INVALID_HANDLE);
  const me = ctx.mem.u32(ctx.teb + TEB.ClientIdUniqueThread);
  if (ctx.process.threads.tid(slot) === me) {
    ctx.process.terminateThread(code);
    return 1;
  }
  // An ended thread stays ended with its first code; Windows reports success.
  if (ctx.process.threads.state(slot) !== ThreadState.Running) return 1;
  ctx.process.threads.requestTerminate(slot, code);
  return 1;
}

export function GetProcessIdOfThread(ctx: ApiContext, h: number): number {
  if (threadSlot(ctx, h) < 0) return fail(ctx, ERROR_INVALID_HANDLE);
  return ctx.mem.u32(ctx.teb + TEB.ClientIdUniqueProcess);
}

/** CreateRemoteThread(Ex) into this process is CreateThread; into a child it is not supported. */
export function CreateRemoteThreadEx(ctx: ApiContext, process: number, attrs: number, stackSize: bigint, start: number, param: number, flags: number, _attributeList: number, tidOut: number): number {
  if (process !== CURRENT_PROCESS) {
    if (!ctx.process.handles.lookup(process)) return fail(ctx, ERROR_INVALID_HANDLE);
    ctx.fixme('thread', 'CreateRemoteThread', 'threads in another process');
    return fail(ctx, ERROR_NOT_SUPPORTED);
  }
  return CreateThread(ctx, attrs, stackSize, start, param, flags, tidOut);
}

export function CreateRemoteThread(ctx: ApiContext, process: number, attrs: number, stackSize: bigint, start: number, param: number, flags: number, tidOut: number): number {
  return CreateRemoteThreadEx(ctx, process, attrs, stackSize, start, param, flags, 0, tidOut);
}
