/**
 * One-time initialization (synchapi.h): InitOnceInitialize, InitOnceBeginInitialize,
 * InitOnceComplete, InitOnceExecuteOnce, synchronous mode. The state is the INIT_ONCE itself
 * (one pointer, zero when new): its two low bits say where it stands (INIT_ONCE_CTX_RESERVED_BITS)
 * and the rest holds the context once done.
 *
 *   0  not begun      1  begun by a thread (the others sleep on the low word)      2  done
 *
 * INIT_ONCE_ASYNC (several threads initializing at once, the first to complete wins) is not
 * supported yet: such a call fails with ERROR_INVALID_PARAMETER (fixme).
 */
import { futexWait, futexWake } from '../../native/futex.js';
import type { ApiContext } from '../types.js';
import { ERROR_INVALID_PARAMETER, ERROR_NOACCESS } from './errors.js';

const INIT_ONCE_CHECK_ONLY = 0x1;
const INIT_ONCE_ASYNC = 0x2;
const INIT_ONCE_INIT_FAILED = 0x4;
const ERROR_GEN_FAILURE = 31;
const NOT_BEGUN = 0;
const BEGUN = 1;
const DONE = 2;
const ALL = 0x7fffffff;

function fail(ctx: ApiContext, code: number): number {
  ctx.setLastError(code);
  return 0;
}

function low(ctx: ApiContext, once: number): Int32Array {
  return ctx.mem.int32At(once);
}

export function InitOnceInitialize(ctx: ApiContext, once: number): void {
  ctx.mem.setU64(once, 0);
}

/** Waits until `once` is done (its context, as a bigint) or this thread begins it (null). */
function begin(ctx: ApiContext, once: number, checkOnly: boolean): bigint | null | undefined {
  const w = low(ctx, once);
  for (;;) {
    const s = Atomics.load(w, 0);
    if ((s & 3) === DONE) return ctx.mem.u64(once) & ~3n;
    if (checkOnly) return undefined;
    if (s === NOT_BEGUN) {
      if (Atomics.compareExchange(w, 0, NOT_BEGUN, BEGUN) === NOT_BEGUN) return null;
      continue;
    }
    futexWait(once, s, Infinity);
  }
}

export function InitOnceBeginInitialize(ctx: ApiContext, once: number, flags: number, pending: number, context: number): number {
  if (flags & ~(INIT_ONCE_CHECK_ONLY | INIT_ONCE_ASYNC)) return fail(ctx, ERROR_INVALID_PARAMETER);
  if (flags & INIT_ONCE_ASYNC) {
    ctx.fixme('sync', 'InitOnceBeginInitialize', 'INIT_ONCE_ASYNC');
    return fail(ctx, ERROR_INVALID_PARAMETER);
  }
  if (!ctx.mem.accessible(once, 8, 'write') || !ctx.mem.accessible(pending, 4, 'write')) return fail(ctx, ERROR_NOACCESS);
  if (context !== 0 && !ctx.mem.accessible(context, 8, 'write')) return fail(ctx, ERROR_NOACCESS);
  const r = begin(ctx, once, (flags & INIT_ONCE_CHECK_ONLY) !== 0);
  if (r === undefined) return fail(ctx, ERROR_GEN_FAILURE);
  ctx.mem.setU32(pending, r === null ? 1 : 0);
  if (r !== null && context !== 0) ctx.mem.setU64(context, r);
  return 1;
}

/** Ends the initialization this thread began: done with `value`, or back to not begun. */
function complete(ctx: ApiContext, once: number, failed: boolean, value: bigint): void {
  ctx.mem.setU64(once, failed ? 0n : value | BigInt(DONE));
  futexWake(once, ALL);
}

export function InitOnceComplete(ctx: ApiContext, once: number, flags: number, context: number): number {
  if (flags & ~(INIT_ONCE_ASYNC | INIT_ONCE_INIT_FAILED)) return fail(ctx, ERROR_INVALID_PARAMETER);
  if (flags & INIT_ONCE_ASYNC) {
    ctx.fixme('sync', 'InitOnceComplete', 'INIT_ONCE_ASYNC');
    return fail(ctx, ERROR_INVALID_PARAMETER);
  }
  if (!ctx.mem.accessible(once, 8, 'write')) return fail(ctx, ERROR_NOACCESS);
  const failed = (flags & INIT_ONCE_INIT_FAILED) !== 0;
  const value = BigInt(context);
  if ((value & 3n) !== 0n || (failed && context !== 0)) return fail(ctx, ERROR_INVALID_PARAMETER);
  if ((Atomics.load(low(ctx, once), 0) & 3) !== BEGUN) return fail(ctx, ERROR_GEN_FAILURE);
  complete(ctx, once, failed, value);
  return 1;
}

export function InitOnceExecuteOnce(ctx: ApiContext, once: number, fn: number, param: number, context: number): number {
  if (!ctx.mem.accessible(once, 8, 'write')) return fail(ctx, ERROR_NOACCESS);
  if (context !== 0 && !ctx.mem.accessible(context, 8, 'write')) return fail(ctx, ERROR_NOACCESS);
  const r = begin(ctx, once, false);
  if (r !== null && r !== undefined) {
    if (context !== 0) ctx.mem.setU64(context, r);
    return 1;
  }
  // The callback writes its context through a pointer: a heap slot when the caller gave none.
  const slot = context !== 0 ? context : ctx.process.heapAlloc(ctx.process.processHeap, 8, 0);
  ctx.mem.setU64(slot, 0);
  let ok = false;
  try {
    ok = (ctx.callGuest(fn, [once, param, slot]) & 0xffffffffn) !== 0n;
  } finally {
    const value = ctx.mem.u64(slot) & ~3n;
    if (context === 0) ctx.process.heapFree(ctx.process.processHeap, slot);
    complete(ctx, once, !ok, value);
  }
  return ok ? 1 : 0;
}
