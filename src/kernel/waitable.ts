/**
 * Waitable kernel objects whose state lives in guest memory, so that every thread (each on its
 * own JS realm) reaches the same words, and a wait sleeps on the object's word itself with a
 * futex (native/futex.ts), with no table and no round trip through another thread.
 *
 *   event      +0 signalled i32 (the futex word)  +4 manual reset u32  +8 waiters i32
 *   semaphore  +0 count i32 (the futex word)      +4 maximum u32      +8 waiters i32
 * followed by the reference count and flags every object block has (kernel/objects.ts).
 *
 * A waiter counts itself in `waiters` before it sleeps and the signalling side wakes only when
 * that count is non-zero: a futex wake costs ~0.35 µs even with nobody to wake. The order
 * (waiter: count, then futex checks the word; signaller: change the word, then read the count)
 * cannot lose a wake-up: either the signaller sees the waiter, or the futex sees the new word.
 */
import { futexWait, futexWake } from '../native/futex.js';
import type { AddressSpace } from '../native/memory.js';

const WAITERS = 8;
const ALL = 0x7fffffff;

/** The absolute deadline (performance.now() scale) of a wait of `ms` (Infinity: none). */
export function deadline(ms: number): number {
  return Number.isFinite(ms) ? performance.now() + ms : Infinity;
}

function words(mem: AddressSpace, block: number): Int32Array {
  // Both words sit in one 16-byte aligned heap block: one view covers them.
  const first = mem.int32At(block);
  return new Int32Array(first.buffer, first.byteOffset, 3);
}

/** Sleeps on the word at `block` while it holds `expected`, until `end`; false when the
 *  deadline passed. */
function sleepOn(w: Int32Array, block: number, expected: number, end: number): boolean {
  const left = end - performance.now();
  if (left <= 0) return false;
  Atomics.add(w, WAITERS / 4, 1);
  try {
    futexWait(block, expected, left);
  } finally {
    Atomics.sub(w, WAITERS / 4, 1);
  }
  return true;
}

/** Sleeps at most `ms` while the object's word keeps its present value, counted as a waiter
 *  so that a signal wakes it at once (a wait on several objects naps on one of them). */
export function napOn(mem: AddressSpace, block: number, ms: number): void {
  const w = words(mem, block);
  sleepOn(w, block, Atomics.load(w, 0), performance.now() + ms);
}

export function initEvent(mem: AddressSpace, block: number, manual: boolean, signalled: boolean): void {
  mem.setU32(block, signalled ? 1 : 0);
  mem.setU32(block + 4, manual ? 1 : 0);
  mem.setU32(block + WAITERS, 0);
}

/** SetEvent: every waiter of a manual-reset event goes; one of an auto-reset event. */
export function setEvent(mem: AddressSpace, block: number): void {
  const w = words(mem, block);
  Atomics.store(w, 0, 1);
  // All sleepers wake and race for an auto-reset event: a wait on several objects may no
  // longer want it, so waking only one could strand another.
  if (Atomics.load(w, WAITERS / 4) > 0) futexWake(block, ALL);
}

export function resetEvent(mem: AddressSpace, block: number): void {
  Atomics.store(words(mem, block), 0, 0);
}

/** Takes a signalled event (resetting an auto-reset one) without waiting. */
export function tryEvent(mem: AddressSpace, block: number): boolean {
  const w = words(mem, block);
  if (Atomics.load(w, 0) === 0) return false;
  return mem.u32(block + 4) !== 0 || Atomics.compareExchange(w, 0, 1, 0) === 1;
}

/** Waits until the event is signalled (and takes it) or `end` passes. */
export function waitEvent(mem: AddressSpace, block: number, end: number): boolean {
  const w = words(mem, block);
  for (;;) {
    if (tryEvent(mem, block)) return true;
    if (!sleepOn(w, block, 0, end)) return false;
  }
}

export function initSemaphore(mem: AddressSpace, block: number, initial: number, maximum: number): void {
  mem.setU32(block, initial);
  mem.setU32(block + 4, maximum);
  mem.setU32(block + WAITERS, 0);
}

/** Takes one unit of the semaphore's count without waiting. */
export function trySemaphore(mem: AddressSpace, block: number): boolean {
  const w = words(mem, block);
  for (;;) {
    const c = Atomics.load(w, 0);
    if (c <= 0) return false;
    if (Atomics.compareExchange(w, 0, c, c - 1) === c) return true;
  }
}

export function waitSemaphore(mem: AddressSpace, block: number, end: number): boolean {
  const w = words(mem, block);
  for (;;) {
    if (trySemaphore(mem, block)) return true;
    if (!sleepOn(w, block, 0, end)) return false;
  }
}

/** ReleaseSemaphore: the previous count, or -1 when the count would pass the maximum. */
export function releaseSemaphore(mem: AddressSpace, block: number, count: number): number {
  const w = words(mem, block);
  const max = mem.u32(block + 4);
  for (;;) {
    const c = Atomics.load(w, 0);
    if (c + count > max) return -1;
    if (Atomics.compareExchange(w, 0, c, c + count) === c) {
      if (Atomics.load(w, WAITERS / 4) > 0) futexWake(block, ALL);
      return c;
    }
  }
}

/**
 * Waitable timers: an event block (signalled word, manual reset, waiters) followed, after the
 * object words, by +24 the due time (f64, Date.now() milliseconds; Infinity: not set) and +32
 * the period in milliseconds. No thread fires a timer: whoever looks at it (a wait, a poll)
 * signals it once its due time has passed, and a periodic timer's due time moves on.
 */
export const TIMER_DUE = 24;
export const TIMER_PERIOD = 32;

/** Signals the timer if its due time has passed; the milliseconds until it is due (Infinity:
 *  not set; 0: signalled just now or already). */
export function refreshTimer(mem: AddressSpace, block: number): number {
  const due = mem.f64(block + TIMER_DUE);
  if (!Number.isFinite(due)) return Infinity;
  const now = Date.now();
  if (due > now) return due - now;
  const period = mem.u32(block + TIMER_PERIOD);
  // A periodic timer's next due time is the first period boundary after now (missed ones merge).
  mem.setF64(block + TIMER_DUE, period > 0 ? due + period * (Math.floor((now - due) / period) + 1) : Infinity);
  setEvent(mem, block);
  return 0;
}

/** Waits until the timer is signalled (taking it when it is a synchronization timer) or `end`. */
export function waitTimer(mem: AddressSpace, block: number, end: number): boolean {
  const w = words(mem, block);
  for (;;) {
    const untilDue = refreshTimer(mem, block);
    if (tryEvent(mem, block)) return true;
    const left = end - performance.now();
    if (left <= 0) return false;
    Atomics.add(w, WAITERS / 4, 1);
    try {
      futexWait(block, 0, Math.min(left, untilDue));
    } finally {
      Atomics.sub(w, WAITERS / 4, 1);
    }
  }
}

/**
 * Runs `body` holding a spin lock on the 32-bit guest word at `addr` (0 free, 1 held), for short
 * sections over process-wide lists in guest memory that any thread's realm may take; `yieldNow`
 * gives up the time slice between tries.
 */
export function withSpinLock<T>(mem: AddressSpace, addr: number, yieldNow: () => void, body: () => T): T {
  const lock = mem.int32At(addr);
  while (Atomics.compareExchange(lock, 0, 0, 1) !== 0) yieldNow();
  try {
    return body();
  } finally {
    Atomics.store(lock, 0, 0);
  }
}

/** FILETIME of 1970-01-01 in 100 ns units. */
const UNIX_EPOCH_FILETIME = 116444736000000000n;

/** A due time as Windows gives it (negative: relative, in 100 ns; else an absolute UTC
 *  FILETIME) in Date.now() milliseconds, the scale of TIMER_DUE. */
export function dueTimeMs(v: bigint): number {
  return v < 0n ? Date.now() + Number(-v) / 10_000 : Number(v - UNIX_EPOCH_FILETIME) / 10_000;
}
