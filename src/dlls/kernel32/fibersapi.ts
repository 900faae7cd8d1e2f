/**
 * Fiber-local storage (fibersapi.h): FlsAlloc, FlsFree, FlsGetValue, FlsSetValue. Without
 * fibers, FLS is TLS with a callback: the callback of each index runs on a thread's value when
 * the thread ends (ExitThread or a return from its start routine; not TerminateThread), and on
 * every thread's value when FlsFree releases the index, as Windows does. The indexes and
 * callbacks are process-wide in guest memory (layout.ts FLS_BLOCK); a thread's values are a
 * heap array TEB.FlsData points to, made at its first FlsSetValue and linked into the process's
 * list (its word 0, the never-allocated index 0, is the link). A thread's array leaves the list
 * when the thread ends normally; one TerminateThread ended stays, so FlsFree still runs its
 * callbacks, as on Windows.
 */
import { FLS, FLS_BLOCK, TEB } from '../../native/layout.js';
import { withSpinLock } from '../../kernel/waitable.js';
import type { ApiContext } from '../types.js';
import { ERROR_INVALID_PARAMETER } from './errors.js';

const FLS_OUT_OF_INDEXES = 0xffffffff;
const ERROR_NO_MORE_ITEMS = 259;

const block = (ctx: ApiContext): number => ctx.process.pebAddress + FLS_BLOCK;

function bitmap(ctx: ApiContext): Int32Array {
  const first = ctx.mem.int32At(block(ctx) + FLS.Bitmap);
  return new Int32Array(first.buffer, first.byteOffset, FLS.Indexes / 32);
}

function allocated(ctx: ApiContext, i: number): boolean {
  return i >>> 0 < FLS.Indexes && (Atomics.load(bitmap(ctx), i >> 5) & (1 << (i & 31))) !== 0;
}

/** A thread's FLS array (0 when it has none yet). */
const valuesOf = (ctx: ApiContext, teb: number): number => ctx.mem.ptr(teb + TEB.FlsData);

/** Runs `body` holding the list's spin lock. */
function locked<T>(ctx: ApiContext, body: () => T): T {
  return withSpinLock(ctx.mem, block(ctx) + FLS.Lock, () => ctx.process.sleep(0), body);
}

/** Every thread's FLS array, oldest first. */
function arrays(ctx: ApiContext): number[] {
  return locked(ctx, () => {
    const out: number[] = [];
    for (let a = ctx.mem.ptr(block(ctx) + FLS.List); a !== 0; a = ctx.mem.ptr(a)) out.push(a);
    return out;
  });
}

function link(ctx: ApiContext, array: number): void {
  locked(ctx, () => {
    let at = block(ctx) + FLS.List;
    while (ctx.mem.ptr(at) !== 0) at = ctx.mem.ptr(at);
    ctx.mem.setU64(at, array);
  });
}

function unlink(ctx: ApiContext, array: number): void {
  locked(ctx, () => {
    for (let at = block(ctx) + FLS.List; ctx.mem.ptr(at) !== 0; at = ctx.mem.ptr(at)) {
      if (ctx.mem.ptr(at) === array) {
        ctx.mem.setU64(at, ctx.mem.ptr(array));
        return;
      }
    }
  });
}

export function FlsAlloc(ctx: ApiContext, callback: number): number {
  const bits = bitmap(ctx);
  // Index 0 is never handed out, as on Windows.
  for (let i = 1; i < FLS.Indexes; i++) {
    const word = i >> 5;
    const bit = 1 << (i & 31);
    const old = Atomics.load(bits, word);
    if (old & bit) continue;
    if (Atomics.compareExchange(bits, word, old, old | bit) !== old) {
      i--;
      continue;
    }
    ctx.mem.setU64(block(ctx) + FLS.Callbacks + 8 * i, callback);
    // A new index reads 0 in every thread, whatever a freed one left there.
    for (const values of arrays(ctx)) ctx.mem.setU64(values + 8 * i, 0);
    ctx.setLastError(0);
    return i;
  }
  ctx.setLastError(ERROR_NO_MORE_ITEMS);
  return FLS_OUT_OF_INDEXES;
}

/** FlsGetValue: an index in range that is not allocated reads NULL (as Wine 8 does). */
export function FlsGetValue(ctx: ApiContext, i: number): number {
  if (i === 0 || i >>> 0 >= FLS.Indexes) {
    ctx.setLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  ctx.setLastError(0);
  const values = valuesOf(ctx, ctx.teb);
  return values === 0 ? 0 : ctx.mem.ptr(values + 8 * i);
}

export function FlsSetValue(ctx: ApiContext, i: number, value: number): number {
  if (!allocated(ctx, i)) {
    ctx.setLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  let values = valuesOf(ctx, ctx.teb);
  if (values === 0) {
    values = ctx.process.heapAlloc(ctx.process.processHeap, 8 * FLS.Indexes, 0x8 /* HEAP_ZERO_MEMORY */);
    if (values === 0) {
      ctx.setLastError(8 /* ERROR_NOT_ENOUGH_MEMORY */);
      return 0;
    }
    ctx.mem.setU64(ctx.teb + TEB.FlsData, values);
    link(ctx, values);
  }
  ctx.mem.setU64(values + 8 * i, value);
  return 1;
}

/** FlsFree: the index's callback runs on every thread's non-null value (on this thread). */
export function FlsFree(ctx: ApiContext, i: number): number {
  if (!allocated(ctx, i)) {
    ctx.setLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  const callback = ctx.mem.ptr(block(ctx) + FLS.Callbacks + 8 * i);
  for (const values of arrays(ctx)) {
    const v = ctx.mem.ptr(values + 8 * i);
    ctx.mem.setU64(values + 8 * i, 0);
    if (v !== 0 && callback !== 0) ctx.callGuest(callback, [v]);
  }
  Atomics.and(bitmap(ctx), i >> 5, ~(1 << (i & 31)));
  return 1;
}

/** At the end of a thread: each index's callback on the thread's non-null value, then its
 *  array goes. */
export function runFlsCallbacks(ctx: ApiContext): void {
  const values = valuesOf(ctx, ctx.teb);
  if (values === 0) return;
  for (let i = 1; i < FLS.Indexes; i++) {
    if (!allocated(ctx, i)) continue;
    const v = ctx.mem.ptr(values + 8 * i);
    const callback = ctx.mem.ptr(block(ctx) + FLS.Callbacks + 8 * i);
    ctx.mem.setU64(values + 8 * i, 0);
    if (v !== 0 && callback !== 0) ctx.callGuest(callback, [v]);
  }
  ctx.mem.setU64(ctx.teb + TEB.FlsData, 0);
  unlink(ctx, values);
  ctx.process.heapFree(ctx.process.processHeap, values);
}

/** IsThreadAFiber: winrun has no fibers. */
export function IsThreadAFiber(_ctx: ApiContext): number {
  return 0;
}
