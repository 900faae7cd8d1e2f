/**
 * WaitOnAddress, WakeByAddressSingle, WakeByAddressAll (synchapi.h; exported by
 * api-ms-win-core-synch-l1-2-0, which resolves to kernel32 here). A waiter sleeps with a futex
 * on the aligned 32-bit word that holds the address's first byte, while that word keeps the
 * value it had when the comparison was made; a wake wakes that word's sleepers.
 *
 * A value of 8 bytes, or one crossing a 32-bit boundary, may change outside the word slept on
 * (and the futex would then miss the change made just before the wake): those waits sleep in
 * slices of at most SLICE_MS and compare again. Waiters on different addresses of one word
 * share its sleepers, so WakeByAddressSingle wakes all of them (Windows allows spurious
 * returns; callers loop on their value) and the one it was meant for is never passed over.
 */
import { futexWait, futexWake } from '../../native/futex.js';
import type { ApiContext } from '../types.js';
import { ERROR_INVALID_PARAMETER, ERROR_NOACCESS } from './errors.js';

const ERROR_TIMEOUT = 1460;
const INFINITE = 0xffffffff;
const ALL = 0x7fffffff;
const SLICE_MS = 2;

function fail(ctx: ApiContext, code: number): number {
  ctx.setLastError(code);
  return 0;
}

function read(ctx: ApiContext, addr: number, size: number): bigint {
  const m = ctx.mem;
  if (size === 1) return BigInt(m.u8(addr));
  if (size === 2) return BigInt(m.u16(addr));
  if (size === 4) return BigInt(m.u32(addr));
  return m.u64(addr);
}

export function WaitOnAddress(ctx: ApiContext, addr: number, compare: number, size: number, ms: number): number {
  if (size !== 1 && size !== 2 && size !== 4 && size !== 8) return fail(ctx, ERROR_INVALID_PARAMETER);
  if (!ctx.mem.accessible(addr, size, 'read') || !ctx.mem.accessible(compare, size, 'read')) return fail(ctx, ERROR_NOACCESS);
  const expected = read(ctx, compare, size);
  const key = addr - (addr % 4);
  const word = ctx.mem.int32At(key);
  const whole = addr % 4 + size <= 4;
  const end = ms >>> 0 === INFINITE ? Infinity : performance.now() + (ms >>> 0);
  for (;;) {
    const seen = Atomics.load(word, 0);
    if (read(ctx, addr, size) !== expected) return 1;
    const left = end - performance.now();
    if (left <= 0) return fail(ctx, ERROR_TIMEOUT);
    const r = futexWait(key, seen, whole ? left : Math.min(left, SLICE_MS));
    if (r !== 'timeout') return 1;
  }
}

function wakeAt(ctx: ApiContext, addr: number): void {
  futexWake(addr - (addr % 4), ALL);
}

export function WakeByAddressSingle(ctx: ApiContext, addr: number): void {
  wakeAt(ctx, addr);
}

export function WakeByAddressAll(ctx: ApiContext, addr: number): void {
  wakeAt(ctx, addr);
}
