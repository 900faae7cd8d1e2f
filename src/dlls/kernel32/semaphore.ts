/**
 * Semaphores and waiting on them (synchapi.h), as far as a program with one thread needs them:
 * libstdc++'s win32 mutexes create a semaphore each, and wait on it only under contention.
 * The count lives in guest memory (a process-heap block { count, maximum }), where the threads
 * of issue 8 will reach it too. A wait that could only be satisfied by another thread sleeps
 * out its timeout; an INFINITE one would never end, as on Windows, and is reported.
 */
import { HandleType } from '../../kernel/handles.js';
import type { ApiContext } from '../types.js';
import { ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER } from './errors.js';
import { threadSlot, waitThread } from './thread.js';

const ERROR_TOO_MANY_POSTS = 298;
const WAIT_OBJECT_0 = 0;
const WAIT_TIMEOUT = 0x102;
const WAIT_FAILED = 0xffffffff;
const INFINITE = 0xffffffff;

function fail(ctx: ApiContext, code: number, value = 0): number {
  ctx.setLastError(code);
  return value;
}

export function CreateSemaphoreExW(ctx: ApiContext, _attrs: number, initial: number, maximum: number, name: number): number {
  if (maximum <= 0 || initial < 0 || initial > maximum) return fail(ctx, ERROR_INVALID_PARAMETER);
  if (name !== 0) ctx.fixme('sync', 'CreateSemaphore', 'named semaphores are private to the process');
  const block = ctx.process.heapAlloc(ctx.process.processHeap, 8, 0);
  ctx.mem.setU32(block, initial);
  ctx.mem.setU32(block + 4, maximum);
  ctx.setLastError(0);
  return ctx.process.handles.allocate(HandleType.Semaphore, block);
}

export function CreateSemaphoreW(ctx: ApiContext, attrs: number, initial: number, maximum: number, name: number): number {
  return CreateSemaphoreExW(ctx, attrs, initial, maximum, name);
}

function semaphore(ctx: ApiContext, h: number): number {
  const o = ctx.process.handles.lookup(h);
  return o?.type === HandleType.Semaphore ? o.value : 0;
}

export function ReleaseSemaphore(ctx: ApiContext, h: number, count: number, previous: number): number {
  const s = semaphore(ctx, h);
  if (s === 0) return fail(ctx, ERROR_INVALID_HANDLE);
  const m = ctx.mem;
  const cur = m.u32(s);
  if (count <= 0) return fail(ctx, ERROR_INVALID_PARAMETER);
  if (cur + count > m.u32(s + 4)) return fail(ctx, ERROR_TOO_MANY_POSTS);
  if (previous !== 0) m.setU32(previous, cur);
  m.setU32(s, cur + count);
  return 1;
}

export function WaitForSingleObjectEx(ctx: ApiContext, h: number, ms: number, _alertable: number): number {
  const thread = threadSlot(ctx, h);
  if (thread >= 0) return waitThread(ctx, thread, ms);
  const s = semaphore(ctx, h);
  if (s === 0) return fail(ctx, ERROR_INVALID_HANDLE, WAIT_FAILED);
  const m = ctx.mem;
  const cur = m.u32(s);
  if (cur > 0) {
    m.setU32(s, cur - 1);
    return WAIT_OBJECT_0;
  }
  if (ms >>> 0 === INFINITE) {
    ctx.fixme('sync', 'WaitForSingleObject', 'waits forever on a semaphore only another thread could release');
    for (;;) ctx.process.sleep(1000);
  }
  ctx.process.sleep(ms >>> 0);
  return WAIT_TIMEOUT;
}

export function WaitForSingleObject(ctx: ApiContext, h: number, ms: number): number {
  return WaitForSingleObjectEx(ctx, h, ms, 0);
}
