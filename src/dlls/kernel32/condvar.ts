/**
 * Condition variables (synchapi.h), kept in the CONDITION_VARIABLE itself (one pointer, zero
 * when new: CONDITION_VARIABLE_INIT):
 *
 *   low 32 bits   wake sequence i32 (the futex word), bumped by every Wake/WakeAll
 *   high 32 bits  sleepers i32 (a wake calls the kernel only if > 0)
 *
 * A sleeper reads the sequence before it releases the lock, then sleeps while the sequence
 * keeps that value: a wake between the release and the sleep changes the word, so the futex
 * returns at once and no wake is lost. As on Windows, a wake may be spurious (a Wake that
 * finds several sleepers between their read and their sleep releases them all); callers loop
 * on their predicate.
 */
import { futexWait, futexWake } from '../../native/futex.js';
import type { ApiContext } from '../types.js';
import { EnterCriticalSection, LeaveCriticalSection } from './synchapi.js';
import { AcquireSRWLockExclusive, AcquireSRWLockShared, ReleaseSRWLockExclusive, ReleaseSRWLockShared } from './srwlock.js';

const ERROR_TIMEOUT = 1460;
const INFINITE = 0xffffffff;
const CONDITION_VARIABLE_LOCKMODE_SHARED = 0x1;
const ALL = 0x7fffffff;

function words(ctx: ApiContext, cv: number): Int32Array {
  const first = ctx.mem.int32At(cv);
  return new Int32Array(first.buffer, first.byteOffset, 2);
}

export function InitializeConditionVariable(ctx: ApiContext, cv: number): void {
  ctx.mem.setU64(cv, 0);
}

/** Releases the lock (`release`), sleeps until woken or `ms` pass, takes the lock again
 *  (`acquire`); 1, or 0 with ERROR_TIMEOUT. */
function sleepOn(ctx: ApiContext, cv: number, ms: number, release: () => void, acquire: () => void): number {
  const w = words(ctx, cv);
  const seq = Atomics.load(w, 0);
  Atomics.add(w, 1, 1);
  release();
  let r;
  try {
    r = futexWait(cv, seq, ms >>> 0 === INFINITE ? Infinity : ms >>> 0);
  } finally {
    Atomics.sub(w, 1, 1);
    acquire();
  }
  if (r === 'timeout') {
    ctx.setLastError(ERROR_TIMEOUT);
    return 0;
  }
  return 1;
}

export function SleepConditionVariableCS(ctx: ApiContext, cv: number, cs: number, ms: number): number {
  return sleepOn(ctx, cv, ms, () => LeaveCriticalSection(ctx, cs), () => EnterCriticalSection(ctx, cs));
}

export function SleepConditionVariableSRW(ctx: ApiContext, cv: number, lock: number, ms: number, flags: number): number {
  if (flags & CONDITION_VARIABLE_LOCKMODE_SHARED) return sleepOn(ctx, cv, ms, () => ReleaseSRWLockShared(ctx, lock), () => AcquireSRWLockShared(ctx, lock));
  return sleepOn(ctx, cv, ms, () => ReleaseSRWLockExclusive(ctx, lock), () => AcquireSRWLockExclusive(ctx, lock));
}

function wake(ctx: ApiContext, cv: number, count: number): void {
  const w = words(ctx, cv);
  Atomics.add(w, 0, 1);
  if (Atomics.load(w, 1) > 0) futexWake(cv, count);
}

export function WakeConditionVariable(ctx: ApiContext, cv: number): void {
  wake(ctx, cv, 1);
}

export function WakeAllConditionVariable(ctx: ApiContext, cv: number): void {
  wake(ctx, cv, ALL);
}
