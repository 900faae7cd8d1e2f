/**
 * WaitForSingleObject(Ex) and WaitForMultipleObjects(Ex) (synchapi.h) on threads, events,
 * semaphores and mutexes (mutex.ts: WAIT_ABANDONED when the owner exited holding it), across threads. A single wait sleeps on the object's own word (a futex on the
 * guest word for events and semaphores, kernel/waitable.ts; Atomics.wait on the thread table
 * for threads). A wait on several objects checks them all, then naps on the first event or
 * semaphore among them (woken at once when that one is signalled) for at most POLL_MS, and
 * checks again: the others are noticed within POLL_MS. bWaitAll takes the objects one by one
 * once all are signalled and gives back what it took if another thread won one meanwhile.
 * No APCs exist yet: alertable waits never return WAIT_IO_COMPLETION.
 */
import { HandleType } from '../../kernel/handles.js';
import { ThreadState } from '../../kernel/threads.js';
import { deadline, napOn, refreshTimer, waitTimer, releaseSemaphore, setEvent, tryEvent, trySemaphore, waitEvent, waitSemaphore } from '../../kernel/waitable.js';
import type { ApiContext } from '../types.js';
import { SetEvent } from './event.js';
import { currentThreadSlot, referenceObject, releaseObject } from './objects.js';
import { ReleaseSemaphore } from './semaphore.js';
import { ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER, ERROR_NOACCESS } from './errors.js';
import { MutexTake, ReleaseMutex, mutexAvailable, napOnMutex, releaseMutex, tryMutex, waitMutex } from './mutex.js';

const WAIT_OBJECT_0 = 0;
const WAIT_ABANDONED_0 = 0x80;
const WAIT_TIMEOUT = 0x102;
const WAIT_FAILED = 0xffffffff;
const INFINITE = 0xffffffff;
const MAXIMUM_WAIT_OBJECTS = 64;
const POLL_MS = 1;

interface Waitable {
  type: HandleType.Thread | HandleType.Event | HandleType.Semaphore | HandleType.Mutex | HandleType.Timer | HandleType.Process | HandleType.ProcessThread;
  value: number;
}

function fail(ctx: ApiContext, code: number, value = 0): number {
  ctx.setLastError(code);
  return value;
}

function waitable(ctx: ApiContext, h: number): Waitable | undefined {
  if (h === -2 /* GetCurrentThread() */) return { type: HandleType.Thread, value: currentThreadSlot(ctx) };
  const o = ctx.process.handles.lookup(h);
  if (!o) return undefined;
  const t = o.type;
  if (t === HandleType.Thread || t === HandleType.Event || t === HandleType.Semaphore || t === HandleType.Mutex || t === HandleType.Timer || t === HandleType.Process || t === HandleType.ProcessThread) return { type: t, value: o.value };
  return undefined;
}

/** A child process, or its main thread (signalled together, when the process ends:
 *  kernel/process-objects.ts). */
const isProcess = (o: Waitable): boolean => o.type === HandleType.Process || o.type === HandleType.ProcessThread;

const toMs = (ms: number): number => (ms >>> 0 === INFINITE ? Infinity : ms >>> 0);

/** Whether the object is signalled, without taking it. */
function signalled(ctx: ApiContext, o: Waitable): boolean {
  if (o.type === HandleType.Thread) return ctx.process.threads.state(o.value) === ThreadState.Exited;
  if (isProcess(o)) return ctx.process.processes.ended(o.value);
  if (o.type === HandleType.Mutex) return mutexAvailable(ctx, o.value);
  if (o.type === HandleType.Timer) refreshTimer(ctx.mem, o.value);
  return ctx.mem.i32(o.value) > 0;
}

/** Takes the object if signalled (resets an auto-reset event, decrements a semaphore, owns a
 *  mutex). */
function take(ctx: ApiContext, o: Waitable): MutexTake {
  let ok: boolean;
  if (o.type === HandleType.Mutex) return tryMutex(ctx, o.value);
  if (o.type === HandleType.Thread || isProcess(o)) ok = signalled(ctx, o);
  else if (o.type === HandleType.Timer) ok = refreshTimer(ctx.mem, o.value) >= 0 && tryEvent(ctx.mem, o.value);
  else ok = o.type === HandleType.Event ? tryEvent(ctx.mem, o.value) : trySemaphore(ctx.mem, o.value);
  return ok ? MutexTake.Taken : MutexTake.Busy;
}

/** Gives back what take() took. */
function untake(ctx: ApiContext, o: Waitable): void {
  if (o.type === HandleType.Event || o.type === HandleType.Timer) setEvent(ctx.mem, o.value);
  else if (o.type === HandleType.Semaphore) releaseSemaphore(ctx.mem, o.value, 1);
  else if (o.type === HandleType.Mutex) releaseMutex(ctx, o.value);
}

/** The object stays alive while this thread waits on it, even if its handles are closed. */
function hold(ctx: ApiContext, o: Waitable): void {
  if (o.type === HandleType.Thread) ctx.process.threads.addRef(o.value);
  else if (isProcess(o)) ctx.process.processes.addRef(o.value);
  else referenceObject(ctx, o.value);
}

function unhold(ctx: ApiContext, o: Waitable): void {
  if (o.type === HandleType.Thread) ctx.process.threads.release(o.value);
  else if (isProcess(o)) ctx.process.processes.release(o.value);
  else releaseObject(ctx, o.value);
}

export function WaitForSingleObjectEx(ctx: ApiContext, h: number, ms: number, alertable: number): number {
  const o = waitable(ctx, h);
  if (!o) return fail(ctx, ERROR_INVALID_HANDLE, WAIT_FAILED);
  hold(ctx, o);
  try {
    return waitOne(ctx, o, ms, alertable);
  } finally {
    unhold(ctx, o);
  }
}

function waitOne(ctx: ApiContext, o: Waitable, ms: number, _alertable: number): number {
  const limit = toMs(ms);
  let ok: boolean;
  if (o.type === HandleType.Mutex) {
    const r = waitMutex(ctx, o.value, deadline(limit));
    return r === MutexTake.Busy ? WAIT_TIMEOUT : r === MutexTake.Abandoned ? WAIT_ABANDONED_0 : WAIT_OBJECT_0;
  }
  if (o.type === HandleType.Thread) ok = signalled(ctx, o) || ctx.process.threads.wait(o.value, limit);
  else if (isProcess(o)) ok = ctx.process.processes.wait(o.value, limit);
  else if (o.type === HandleType.Event) ok = waitEvent(ctx.mem, o.value, deadline(limit));
  else if (o.type === HandleType.Timer) ok = waitTimer(ctx.mem, o.value, deadline(limit));
  else ok = waitSemaphore(ctx.mem, o.value, deadline(limit));
  return ok ? WAIT_OBJECT_0 : WAIT_TIMEOUT;
}

export function WaitForSingleObject(ctx: ApiContext, h: number, ms: number): number {
  return WaitForSingleObjectEx(ctx, h, ms, 0);
}

export function WaitForMultipleObjectsEx(ctx: ApiContext, count: number, handles: number, all: number, ms: number, _alertable: number): number {
  if (count === 0 || count > MAXIMUM_WAIT_OBJECTS) return fail(ctx, ERROR_INVALID_PARAMETER, WAIT_FAILED);
  if (!ctx.mem.accessible(handles, 8 * count, 'read')) return fail(ctx, ERROR_NOACCESS, WAIT_FAILED);
  const objs: Waitable[] = [];
  for (let i = 0; i < count; i++) {
    const o = waitable(ctx, ctx.mem.ptr(handles + 8 * i));
    if (!o) return fail(ctx, ERROR_INVALID_HANDLE, WAIT_FAILED);
    objs.push(o);
  }
  for (const o of objs) hold(ctx, o);
  try {
    return waitMany(ctx, objs, all, ms);
  } finally {
    for (const o of objs) unhold(ctx, o);
  }
}

function waitMany(ctx: ApiContext, objs: Waitable[], all: number, ms: number): number {
  const end = deadline(toMs(ms));
  const nap = objs.find((o) => o.type !== HandleType.Thread && !isProcess(o));
  for (;;) {
    if (all) {
      if (objs.every((o) => signalled(ctx, o))) {
        const taken: Waitable[] = [];
        let abandoned = false;
        for (const o of objs) {
          const r = take(ctx, o);
          if (r === MutexTake.Busy) break;
          abandoned ||= r === MutexTake.Abandoned;
          taken.push(o);
        }
        if (taken.length === objs.length) return abandoned ? WAIT_ABANDONED_0 : WAIT_OBJECT_0;
        for (const o of taken) untake(ctx, o);
      }
    } else {
      for (let i = 0; i < objs.length; i++) {
        const r = take(ctx, objs[i]!);
        if (r !== MutexTake.Busy) return (r === MutexTake.Abandoned ? WAIT_ABANDONED_0 : WAIT_OBJECT_0) + i;
      }
    }
    const left = end - performance.now();
    if (left <= 0) return WAIT_TIMEOUT;
    const step = Math.min(left, POLL_MS);
    if (nap?.type === HandleType.Mutex) napOnMutex(ctx, nap.value, step);
    else if (nap) napOn(ctx.mem, nap.value, step);
    else ctx.process.sleep(step);
  }
}

export function WaitForMultipleObjects(ctx: ApiContext, count: number, handles: number, all: number, ms: number): number {
  return WaitForMultipleObjectsEx(ctx, count, handles, all, ms, 0);
}

/**
 * SignalObjectAndWait: signals one object (SetEvent, ReleaseSemaphore by 1, ReleaseMutex) and
 * waits on another. The two steps are not one atomic operation here, as Windows makes them; a
 * waiter cannot tell the difference unless it races the signal against this thread's wait.
 */
export function SignalObjectAndWait(ctx: ApiContext, signal: number, waitOn: number, ms: number, alertable: number): number {
  const o = ctx.process.handles.lookup(signal);
  if (!o || waitable(ctx, waitOn) === undefined) return fail(ctx, ERROR_INVALID_HANDLE, WAIT_FAILED);
  let ok: number;
  if (o.type === HandleType.Event) ok = SetEvent(ctx, signal);
  else if (o.type === HandleType.Semaphore) ok = ReleaseSemaphore(ctx, signal, 1, 0);
  else if (o.type === HandleType.Mutex) ok = ReleaseMutex(ctx, signal);
  else return fail(ctx, ERROR_INVALID_HANDLE, WAIT_FAILED);
  if (!ok) return WAIT_FAILED;
  return WaitForSingleObjectEx(ctx, waitOn, ms, alertable);
}
