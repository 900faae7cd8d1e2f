/**
 * Slim reader/writer locks (synchapi.h), kept in the SRWLOCK itself (one pointer, zero when
 * free: SRWLOCK_INIT), so no allocation and no handle:
 *
 *   low 32 bits   state i32 (the futex word): 0 free, n > 0 held shared by n, -1 exclusive
 *   high 32 bits  waiters i32: threads sleeping on the state (a release wakes only if > 0)
 *
 * A release that frees the lock wakes every sleeper and they race for it (readers may all
 * get in at once). Like Windows' SRW locks, these are neither fair nor recursive; an
 * exclusive waiter may wait while readers keep overlapping.
 */
import { futexWait, futexWake } from '../../native/futex.js';
import type { ApiContext } from '../types.js';

const EXCLUSIVE = -1;
const ALL = 0x7fffffff;

function words(ctx: ApiContext, lock: number): Int32Array {
  const first = ctx.mem.int32At(lock);
  return new Int32Array(first.buffer, first.byteOffset, 2);
}

function sleep(w: Int32Array, lock: number, seen: number): void {
  Atomics.add(w, 1, 1);
  try {
    futexWait(lock, seen, Infinity);
  } finally {
    Atomics.sub(w, 1, 1);
  }
}

function tryExclusive(w: Int32Array): boolean {
  return Atomics.compareExchange(w, 0, 0, EXCLUSIVE) === 0;
}

function tryShared(w: Int32Array): boolean {
  for (;;) {
    const s = Atomics.load(w, 0);
    if (s < 0) return false;
    if (Atomics.compareExchange(w, 0, s, s + 1) === s) return true;
  }
}

export function InitializeSRWLock(ctx: ApiContext, lock: number): void {
  ctx.mem.setU64(lock, 0);
}

export function AcquireSRWLockExclusive(ctx: ApiContext, lock: number): void {
  const w = words(ctx, lock);
  for (;;) {
    if (tryExclusive(w)) return;
    const s = Atomics.load(w, 0);
    if (s !== 0) sleep(w, lock, s);
  }
}

export function AcquireSRWLockShared(ctx: ApiContext, lock: number): void {
  const w = words(ctx, lock);
  for (;;) {
    if (tryShared(w)) return;
    sleep(w, lock, EXCLUSIVE);
  }
}

export function TryAcquireSRWLockExclusive(ctx: ApiContext, lock: number): number {
  return tryExclusive(words(ctx, lock)) ? 1 : 0;
}

export function TryAcquireSRWLockShared(ctx: ApiContext, lock: number): number {
  return tryShared(words(ctx, lock)) ? 1 : 0;
}

/** Releasing a lock that is not held so is undefined on Windows (it raises
 *  STATUS_RESOURCE_NOT_OWNED); here it does nothing. */
export function ReleaseSRWLockExclusive(ctx: ApiContext, lock: number): void {
  const w = words(ctx, lock);
  if (Atomics.compareExchange(w, 0, EXCLUSIVE, 0) !== EXCLUSIVE) return;
  if (Atomics.load(w, 1) > 0) futexWake(lock, ALL);
}

export function ReleaseSRWLockShared(ctx: ApiContext, lock: number): void {
  const w = words(ctx, lock);
  for (;;) {
    const s = Atomics.load(w, 0);
    if (s <= 0) return;
    if (Atomics.compareExchange(w, 0, s, s - 1) !== s) continue;
    if (s === 1 && Atomics.load(w, 1) > 0) futexWake(lock, ALL);
    return;
  }
}
