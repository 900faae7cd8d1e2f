/**
 * The thread pool (threadpoolapiset.h, winbase.h): QueueUserWorkItem, TrySubmitThreadpoolCallback,
 * work objects, timer objects and wait objects of the default pool, and the callback-instance
 * calls. Custom pools (CreateThreadpool) are accepted and run on the default pool.
 *
 * The queue is process-wide in guest memory (layout.ts THREADPOOL_BLOCK): a list of heap nodes
 * under a spin lock, and a futex word idle workers sleep on. A worker is a guest thread whose
 * start routine is this DLL's __winrun_TpWorker (JS): it takes nodes and calls their callbacks;
 * when none is idle at an enqueue another starts (up to MAX_WORKERS); one idle for IDLE_MS ends.
 * A set timer or wait object occupies a worker while it is pending (Windows multiplexes them on
 * fewer threads): the worker sleeps until the due time, or waits on the handle in slices so
 * that a new Set or a Close is seen within SLICE_MS.
 *
 * Objects (heap blocks, all words i32 unless noted):
 *   work   +0 outstanding (futex)  +4 closed  +8 freed  +16 callback u64  +24 context u64
 *   timer/wait  +0 running (futex)  +4 closed  +8 freed  +12 generation (futex)  +16 callback
 *          +24 context  +32 due f64 (Date.now() ms; Infinity: none)  +40 set  +44 runner active
 *          +48 period ms (timer) / handle u64 (wait)  +56 reported set (timer: IsThreadpoolTimerSet
 *          stays TRUE after a one-shot timer fired, as on Windows, until it is reset or cancelled)
 */
import { dueTimeMs, withSpinLock } from '../../kernel/waitable.js';
import { futexWait, futexWake } from '../../native/futex.js';
import { THREADPOOL, THREADPOOL_BLOCK } from '../../native/layout.js';
import type { ApiContext } from '../types.js';
import { ERROR_INVALID_PARAMETER } from './errors.js';
import { LeaveCriticalSection } from './synchapi.js';
import { ReleaseMutex } from './mutex.js';
import { ReleaseSemaphore } from './semaphore.js';
import { SetEvent } from './event.js';
import { startBuiltinThread } from './thread.js';
import { WaitForSingleObjectEx } from './wait.js';

const MAX_WORKERS = 64;
const IDLE_MS = 30_000;
const SLICE_MS = 50;
const WAIT_OBJECT_0 = 0;
const WAIT_TIMEOUT = 0x102;

const enum Kind {
  QueueUserWorkItem = 1,
  Simple = 2,
  Work = 3,
  Timer = 4,
  Wait = 5,
}

const NODE_SIZE = 40;
const OBJECT_SIZE = 64;
const INSTANCE_SIZE = 64;
/** Instance block: actions when the callback returns. */
const INST = { Event: 0, Semaphore: 8, SemaphoreCount: 16, Mutex: 24, CriticalSection: 32, Library: 40 } as const;

function fail(ctx: ApiContext, code: number, value = 0): number {
  ctx.setLastError(code);
  return value;
}

const pool = (ctx: ApiContext): number => ctx.process.pebAddress + THREADPOOL_BLOCK;
const word = (ctx: ApiContext, addr: number): Int32Array => ctx.mem.int32At(addr);

function locked<T>(ctx: ApiContext, body: () => T): T {
  return withSpinLock(ctx.mem, pool(ctx) + THREADPOOL.Lock, () => ctx.process.sleep(0), body);
}

/** Adds a node to the queue; wakes an idle worker or starts one. */
function enqueue(ctx: ApiContext, kind: Kind, callback: number, context: number, object: number): boolean {
  const p = ctx.process;
  const node = p.heapAlloc(p.processHeap, NODE_SIZE, 0x8 /* HEAP_ZERO_MEMORY */);
  if (node === 0) return false;
  ctx.mem.setU32(node + 8, kind);
  ctx.mem.setU64(node + 16, callback);
  ctx.mem.setU64(node + 24, context);
  ctx.mem.setU64(node + 32, object);
  const b = pool(ctx);
  locked(ctx, () => {
    const tail = ctx.mem.ptr(b + THREADPOOL.Tail);
    if (tail === 0) ctx.mem.setU64(b + THREADPOOL.Head, node);
    else ctx.mem.setU64(tail, node);
    ctx.mem.setU64(b + THREADPOOL.Tail, node);
  });
  Atomics.add(word(ctx, b + THREADPOOL.Signal), 0, 1);
  if (Atomics.load(word(ctx, b + THREADPOOL.Idle), 0) > 0) futexWake(b + THREADPOOL.Signal, 1);
  else startWorker(ctx);
  return true;
}

function startWorker(ctx: ApiContext): void {
  const workers = word(ctx, pool(ctx) + THREADPOOL.Workers);
  for (;;) {
    const n = Atomics.load(workers, 0);
    if (n >= MAX_WORKERS) return;
    if (Atomics.compareExchange(workers, 0, n, n + 1) === n) break;
  }
  if (!startBuiltinThread(ctx, '__winrun_TpWorker', 0)) Atomics.sub(workers, 0, 1);
}

/** Takes the first node (or the first for `object` when given); 0 when none. */
function dequeue(ctx: ApiContext, object?: number): number {
  const b = pool(ctx);
  return locked(ctx, () => {
    let prev = 0;
    for (let n = ctx.mem.ptr(b + THREADPOOL.Head); n !== 0; prev = n, n = ctx.mem.ptr(n)) {
      if (object !== undefined && ctx.mem.ptr(n + 32) !== object) continue;
      const next = ctx.mem.ptr(n);
      if (prev === 0) ctx.mem.setU64(b + THREADPOOL.Head, next);
      else ctx.mem.setU64(prev, next);
      if (ctx.mem.ptr(b + THREADPOOL.Tail) === n) ctx.mem.setU64(b + THREADPOOL.Tail, prev);
      return n;
    }
    return 0;
  });
}

/** The worker thread's body (the start routine of every pool thread). */
export function TpWorker(ctx: ApiContext, _param: number): number {
  const p = ctx.process;
  const b = pool(ctx);
  const signal = word(ctx, b + THREADPOOL.Signal);
  const idle = word(ctx, b + THREADPOOL.Idle);
  const instance = p.heapAlloc(p.processHeap, INSTANCE_SIZE, 0x8);
  for (;;) {
    const seen = Atomics.load(signal, 0);
    const node = dequeue(ctx);
    if (node === 0) {
      Atomics.add(idle, 0, 1);
      const r = futexWait(b + THREADPOOL.Signal, seen, IDLE_MS);
      Atomics.sub(idle, 0, 1);
      if (r === 'timeout' && Atomics.load(signal, 0) === seen) break;
      continue;
    }
    const kind = ctx.mem.u32(node + 8) as Kind;
    const callback = ctx.mem.ptr(node + 16);
    const context = ctx.mem.ptr(node + 24);
    const object = ctx.mem.ptr(node + 32);
    p.heapFree(p.processHeap, node);
    if (kind === Kind.QueueUserWorkItem) ctx.callGuest(callback, [context]);
    else if (kind === Kind.Simple) runCallback(ctx, instance, callback, [instance, context]);
    else if (kind === Kind.Work) runWork(ctx, instance, object);
    else if (kind === Kind.Timer) runTimer(ctx, instance, object);
    else if (kind === Kind.Wait) runWait(ctx, instance, object);
  }
  Atomics.sub(word(ctx, b + THREADPOOL.Workers), 0, 1);
  p.heapFree(p.processHeap, instance);
  return 0;
}

/** Calls a callback, then does what it asked the instance to do when it returns. */
function runCallback(ctx: ApiContext, instance: number, callback: number, args: number[]): void {
  ctx.mem.fill(instance, 0, INSTANCE_SIZE);
  ctx.callGuest(callback, args);
  const m = ctx.mem;
  const ev = m.ptr(instance + INST.Event);
  if (ev !== 0) SetEvent(ctx, ev);
  const sem = m.ptr(instance + INST.Semaphore);
  if (sem !== 0) ReleaseSemaphore(ctx, sem, m.u32(instance + INST.SemaphoreCount), 0);
  const mutex = m.ptr(instance + INST.Mutex);
  if (mutex !== 0) ReleaseMutex(ctx, mutex);
  const cs = m.ptr(instance + INST.CriticalSection);
  if (cs !== 0) LeaveCriticalSection(ctx, cs);
  const lib = m.ptr(instance + INST.Library);
  if (lib !== 0) ctx.process.freeLibrary(lib);
}

// ---- QueueUserWorkItem, TrySubmitThreadpoolCallback ------------------------------------------

export function QueueUserWorkItem(ctx: ApiContext, fn: number, context: number, _flags: number): number {
  if (fn === 0) return fail(ctx, ERROR_INVALID_PARAMETER);
  return enqueue(ctx, Kind.QueueUserWorkItem, fn, context, 0) ? 1 : fail(ctx, 8);
}

export function TrySubmitThreadpoolCallback(ctx: ApiContext, fn: number, context: number, _env: number): number {
  if (fn === 0) return fail(ctx, ERROR_INVALID_PARAMETER);
  return enqueue(ctx, Kind.Simple, fn, context, 0) ? 1 : fail(ctx, 8);
}

// ---- objects --------------------------------------------------------------------------------

function newObject(ctx: ApiContext, callback: number, context: number): number {
  if (callback === 0) return fail(ctx, ERROR_INVALID_PARAMETER);
  const p = ctx.process;
  const o = p.heapAlloc(p.processHeap, OBJECT_SIZE, 0x8);
  if (o === 0) return fail(ctx, 8);
  ctx.mem.setU64(o + 16, callback);
  ctx.mem.setU64(o + 24, context);
  ctx.mem.setF64(o + 32, Infinity);
  return o;
}

/** Frees an object once: its closer or its last user, whichever comes last. */
function freeOnce(ctx: ApiContext, o: number): void {
  if (Atomics.compareExchange(word(ctx, o + 8), 0, 0, 1) === 0) ctx.process.heapFree(ctx.process.processHeap, o);
}

/** Sleeps while the word at `addr` holds `value`, at most `ms`. */
function napOn(addr: number, value: number, ms: number): void {
  futexWait(addr, value, ms);
}

// Work.
export const CreateThreadpoolWork = (ctx: ApiContext, fn: number, context: number, _env: number): number => newObject(ctx, fn, context);

export function SubmitThreadpoolWork(ctx: ApiContext, work: number): void {
  if (work === 0) return;
  Atomics.add(word(ctx, work), 0, 1);
  if (!enqueue(ctx, Kind.Work, 0, 0, work)) Atomics.sub(word(ctx, work), 0, 1);
}

function runWork(ctx: ApiContext, instance: number, work: number): void {
  runCallback(ctx, instance, ctx.mem.ptr(work + 16), [instance, ctx.mem.ptr(work + 24), work]);
  if (Atomics.sub(word(ctx, work), 0, 1) === 1) {
    futexWake(work, 0x7fffffff);
    if (Atomics.load(word(ctx, work + 4), 0) !== 0) freeOnce(ctx, work);
  }
}

export function WaitForThreadpoolWorkCallbacks(ctx: ApiContext, work: number, cancelPending: number): void {
  if (work === 0) return;
  const outstanding = word(ctx, work);
  if (cancelPending) {
    for (let n = dequeue(ctx, work); n !== 0; n = dequeue(ctx, work)) {
      ctx.process.heapFree(ctx.process.processHeap, n);
      Atomics.sub(outstanding, 0, 1);
    }
  }
  for (let n = Atomics.load(outstanding, 0); n > 0; n = Atomics.load(outstanding, 0)) napOn(work, n, SLICE_MS);
}

export function CloseThreadpoolWork(ctx: ApiContext, work: number): void {
  if (work === 0) return;
  Atomics.store(word(ctx, work + 4), 0, 1);
  if (Atomics.load(word(ctx, work), 0) === 0) freeOnce(ctx, work);
}

// Timers and waits: a runner (one pool worker) serves the object while it is set.

function bump(ctx: ApiContext, o: number): void {
  Atomics.add(word(ctx, o + 12), 0, 1);
  futexWake(o + 12, 0x7fffffff);
}

/** Starts the object's runner unless one is active (it sees the new state through bump). */
function arm(ctx: ApiContext, o: number, kind: Kind): void {
  bump(ctx, o);
  if (Atomics.compareExchange(word(ctx, o + 44), 0, 0, 1) === 0) enqueue(ctx, kind, 0, 0, o);
}

/** The runner ends: unless the object was set again meanwhile (then it goes on). */
function runnerDone(ctx: ApiContext, o: number): boolean {
  Atomics.store(word(ctx, o + 44), 0, 0);
  const closed = Atomics.load(word(ctx, o + 4), 0) !== 0;
  if (closed) {
    freeOnce(ctx, o);
    return true;
  }
  if (Atomics.load(word(ctx, o + 40), 0) !== 0 && Atomics.compareExchange(word(ctx, o + 44), 0, 0, 1) === 0) return false;
  return true;
}

function callObject(ctx: ApiContext, instance: number, o: number, extra: number[]): void {
  Atomics.add(word(ctx, o), 0, 1);
  try {
    runCallback(ctx, instance, ctx.mem.ptr(o + 16), [instance, ctx.mem.ptr(o + 24), o, ...extra]);
  } finally {
    Atomics.sub(word(ctx, o), 0, 1);
    futexWake(o, 0x7fffffff);
  }
}

/** A due time FILETIME in guest memory as Date.now() milliseconds. */
const dueTime = (ctx: ApiContext, ft: number): number => dueTimeMs(BigInt.asIntN(64, ctx.mem.u64(ft)));

export const CreateThreadpoolTimer = (ctx: ApiContext, fn: number, context: number, _env: number): number => newObject(ctx, fn, context);

export function SetThreadpoolTimer(ctx: ApiContext, timer: number, due: number, periodMs: number, _window: number): void {
  if (timer === 0) return;
  if (due === 0) {
    Atomics.store(word(ctx, timer + 56), 0, 0);
    Atomics.store(word(ctx, timer + 40), 0, 0);
    bump(ctx, timer);
    return;
  }
  ctx.mem.setF64(timer + 32, dueTime(ctx, due));
  ctx.mem.setU32(timer + 48, periodMs);
  Atomics.store(word(ctx, timer + 56), 0, 1);
  Atomics.store(word(ctx, timer + 40), 0, 1);
  arm(ctx, timer, Kind.Timer);
}

function runTimer(ctx: ApiContext, instance: number, timer: number): void {
  do {
    for (;;) {
      if (Atomics.load(word(ctx, timer + 4), 0) !== 0 || Atomics.load(word(ctx, timer + 40), 0) === 0) break;
      const gen = Atomics.load(word(ctx, timer + 12), 0);
      const left = ctx.mem.f64(timer + 32) - Date.now();
      if (left > 0) {
        napOn(timer + 12, gen, Math.min(left, 1000));
        continue;
      }
      const period = ctx.mem.u32(timer + 48);
      if (period > 0) ctx.mem.setF64(timer + 32, Math.max(ctx.mem.f64(timer + 32) + period, Date.now()));
      else Atomics.store(word(ctx, timer + 40), 0, 0);
      callObject(ctx, instance, timer, []);
    }
  } while (!runnerDone(ctx, timer));
}

export function IsThreadpoolTimerSet(ctx: ApiContext, timer: number): number {
  return timer !== 0 && Atomics.load(word(ctx, timer + 56), 0) !== 0 ? 1 : 0;
}

/** Waits for running callbacks of a timer or wait object (cancelling the pending one first). */
function waitCallbacks(ctx: ApiContext, o: number, cancelPending: number): void {
  if (o === 0) return;
  if (cancelPending) {
    Atomics.store(word(ctx, o + 56), 0, 0);
    Atomics.store(word(ctx, o + 40), 0, 0);
    bump(ctx, o);
  }
  const running = word(ctx, o);
  for (let n = Atomics.load(running, 0); n > 0; n = Atomics.load(running, 0)) napOn(o, n, SLICE_MS);
}

export const WaitForThreadpoolTimerCallbacks = (ctx: ApiContext, timer: number, cancel: number): void => waitCallbacks(ctx, timer, cancel);
export const WaitForThreadpoolWaitCallbacks = (ctx: ApiContext, wait: number, cancel: number): void => waitCallbacks(ctx, wait, cancel);

function closeObject(ctx: ApiContext, o: number): void {
  if (o === 0) return;
  Atomics.store(word(ctx, o + 4), 0, 1);
  Atomics.store(word(ctx, o + 40), 0, 0);
  bump(ctx, o);
  if (Atomics.load(word(ctx, o + 44), 0) === 0) freeOnce(ctx, o);
}

export const CloseThreadpoolTimer = closeObject;
export const CloseThreadpoolWait = closeObject;

export const CreateThreadpoolWait = (ctx: ApiContext, fn: number, context: number, _env: number): number => newObject(ctx, fn, context);

/** SetThreadpoolWait: one wait on `h` (NULL: cancel), with an optional time-out. */
export function SetThreadpoolWait(ctx: ApiContext, wait: number, h: number, timeout: number): void {
  if (wait === 0) return;
  if (h === 0) {
    Atomics.store(word(ctx, wait + 40), 0, 0);
    bump(ctx, wait);
    return;
  }
  ctx.mem.setU64(wait + 48, h);
  ctx.mem.setF64(wait + 32, timeout === 0 ? Infinity : dueTime(ctx, timeout));
  Atomics.store(word(ctx, wait + 40), 0, 1);
  arm(ctx, wait, Kind.Wait);
}

function runWait(ctx: ApiContext, instance: number, wait: number): void {
  do {
    for (;;) {
      if (Atomics.load(word(ctx, wait + 4), 0) !== 0 || Atomics.load(word(ctx, wait + 40), 0) === 0) break;
      const gen = Atomics.load(word(ctx, wait + 12), 0);
      const left = ctx.mem.f64(wait + 32) - Date.now();
      const r = WaitForSingleObjectEx(ctx, ctx.mem.ptr(wait + 48), Math.max(0, Math.min(left, SLICE_MS)), 0);
      // Set again or cancelled while this waited: start over with the new state.
      if (Atomics.load(word(ctx, wait + 12), 0) !== gen) continue;
      if (r === WAIT_OBJECT_0 || left <= SLICE_MS) {
        if (r !== WAIT_OBJECT_0 && r !== WAIT_TIMEOUT) break;
        Atomics.store(word(ctx, wait + 40), 0, 0);
        callObject(ctx, instance, wait, [r]);
      }
    }
  } while (!runnerDone(ctx, wait));
}

// ---- pools and callback instances --------------------------------------------------------------

/** CreateThreadpool: a handle to a pool; every pool's callbacks run on the default one. */
export function CreateThreadpool(ctx: ApiContext, _reserved: number): number {
  return pool(ctx);
}
export function CloseThreadpool(_ctx: ApiContext, _pool: number): void {
  /* the default pool lives as long as the process */
}
export function SetThreadpoolThreadMaximum(_ctx: ApiContext, _pool: number, _max: number): void {
  /* accepted: the default pool's own limit applies */
}
export function SetThreadpoolThreadMinimum(_ctx: ApiContext, _pool: number, _min: number): number {
  return 1;
}

export function SetEventWhenCallbackReturns(ctx: ApiContext, instance: number, event: number): void {
  ctx.mem.setU64(instance + INST.Event, event);
}
export function ReleaseSemaphoreWhenCallbackReturns(ctx: ApiContext, instance: number, sem: number, count: number): void {
  ctx.mem.setU64(instance + INST.Semaphore, sem);
  ctx.mem.setU32(instance + INST.SemaphoreCount, count);
}
export function ReleaseMutexWhenCallbackReturns(ctx: ApiContext, instance: number, mutex: number): void {
  ctx.mem.setU64(instance + INST.Mutex, mutex);
}
export function LeaveCriticalSectionWhenCallbackReturns(ctx: ApiContext, instance: number, cs: number): void {
  ctx.mem.setU64(instance + INST.CriticalSection, cs);
}
export function FreeLibraryWhenCallbackReturns(ctx: ApiContext, instance: number, lib: number): void {
  ctx.mem.setU64(instance + INST.Library, lib);
}
/** CallbackMayRunLong: TRUE — another worker starts whenever none is idle. */
export function CallbackMayRunLong(_ctx: ApiContext, _instance: number): number {
  return 1;
}
export function DisassociateCurrentThreadFromCallback(_ctx: ApiContext, _instance: number): void {
  /* nothing waits on the association */
}
