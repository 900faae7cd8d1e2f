/**
 * Blocking on a 32-bit word of memory: Linux futex(2) on its real address (FUTEX_PRIVATE: one
 * process). Guest memory is ordinary process memory, so a word of guest memory is a futex key
 * as it is, shared by every thread whatever its JS realm; machine code can wait and wake on
 * the same word with a `syscall` instruction, without entering JS. A SharedArrayBuffer word
 * works too (its memory never moves: sharedBufferAddress), but it must then be waited on only
 * through here: Atomics.wait keeps its own waiter lists, which futex wakes do not reach.
 */
import { koffi } from './ffi.js';

const SYS_FUTEX = 202;
const FUTEX_WAIT_PRIVATE = 128;
const FUTEX_WAKE_PRIVATE = 129;
const EINTR = 4;
const ETIMEDOUT = 110;

const libc = koffi.load('libc.so.6');
const futexWaitCall = libc.func('long syscall(long n, uint64_t addr, int op, int val, void *timeout)') as (n: number, addr: number, op: number, val: number, ts: BigInt64Array | null) => number;
const futexWakeCall = libc.func('long syscall(long n, uint64_t addr, int op, int count)') as (n: number, addr: number, op: number, count: number) => number;

/** One timespec per realm (each thread's JS runs on its own realm), reused for every wait. */
const timespec = new BigInt64Array(2);

export type FutexWaitResult = 'woken' | 'changed' | 'timeout';

/** Sleeps while the 32-bit word at `addr` holds `expected`, until woken, or `ms` pass
 *  (Infinity: no limit). A signal interrupting the wait counts as a (spurious) wake: the
 *  caller re-checks its condition in a loop anyway. */
export function futexWait(addr: number, expected: number, ms: number): FutexWaitResult {
  let ts: BigInt64Array | null = null;
  if (Number.isFinite(ms)) {
    const ns = BigInt(Math.max(0, Math.round(ms * 1e6)));
    timespec[0] = ns / 1_000_000_000n;
    timespec[1] = ns % 1_000_000_000n;
    ts = timespec;
  }
  const r = futexWaitCall(SYS_FUTEX, addr, FUTEX_WAIT_PRIVATE, expected | 0, ts);
  if (r === 0) return 'woken';
  const e = koffi.errno();
  if (e === ETIMEDOUT) return 'timeout';
  if (e === EINTR) return 'woken';
  return 'changed'; // EAGAIN: the word no longer held `expected`
}

/** Wakes up to `count` waiters of the word at `addr` (0x7fffffff: all); how many woke. */
export function futexWake(addr: number, count: number): number {
  return Math.max(0, futexWakeCall(SYS_FUTEX, addr, FUTEX_WAKE_PRIVATE, count));
}
