/**
 * Critical sections and Sleep (synchapi.h). RTL_CRITICAL_SECTION (x64): DebugInfo +0,
 * LockCount +8, RecursionCount +12, OwningThread +16, LockSemaphore +24, SpinCount +32.
 *
 * LockCount counts entries minus one (-1: free; the NT 5 scheme, which the native fast paths
 * in native/engine.ts also follow: enter is -1 → 0 by compare-exchange, leave 0 → -1). A thread
 * that finds the section held increments LockCount and sleeps; the owner's last leave sees a
 * count above 0, so somebody waits, and hands the section over by posting a token in the low
 * 32 bits of LockSemaphore (no kernel handle is created: the word itself is the futex the
 * waiters sleep on). A waiter that takes a token owns the section.
 */
import { futexWait, futexWake } from '../../native/futex.js';
import { TEB } from '../../native/layout.js';
import type { ApiContext } from '../types.js';

const LOCK_COUNT = 8;
const RECURSION = 12;
const OWNER = 16;
const TOKENS = 24;
const SPIN_COUNT = 32;
/** Windows caps the spin count it honours on a multiprocessor; so does this. */
const MAX_SPIN = 4000;

function tid(ctx: ApiContext): number {
  return ctx.mem.u32(ctx.teb + TEB.ClientIdUniqueThread);
}

export function InitializeCriticalSection(ctx: ApiContext, cs: number): void {
  const m = ctx.mem;
  m.fill(cs, 0, 40);
  m.setU32(cs + LOCK_COUNT, 0xffffffff); // LockCount -1: free
}

export function InitializeCriticalSectionAndSpinCount(ctx: ApiContext, cs: number, spin: number): number {
  InitializeCriticalSection(ctx, cs);
  ctx.mem.setU64(cs + SPIN_COUNT, spin);
  return 1;
}

export function InitializeCriticalSectionEx(ctx: ApiContext, cs: number, spin: number): number {
  return InitializeCriticalSectionAndSpinCount(ctx, cs, spin);
}

function own(ctx: ApiContext, cs: number, me: number): void {
  ctx.mem.setU64(cs + OWNER, me);
  ctx.mem.setU32(cs + RECURSION, 1);
}

/** The owner enters again: one more level. */
function reenter(ctx: ApiContext, cs: number, lock: Int32Array): void {
  Atomics.add(lock, 0, 1);
  ctx.mem.setU32(cs + RECURSION, ctx.mem.u32(cs + RECURSION) + 1);
}

export function EnterCriticalSection(ctx: ApiContext, cs: number): void {
  const m = ctx.mem;
  const me = tid(ctx);
  const lock = m.int32At(cs + LOCK_COUNT);
  if (m.u32(cs + OWNER) === me && m.u32(cs + RECURSION) > 0) return reenter(ctx, cs, lock);
  const spins = Math.min(m.u32(cs + SPIN_COUNT) & 0xffffff, MAX_SPIN);
  for (let i = 0; i < spins; i++) {
    if (Atomics.load(lock, 0) === -1 && Atomics.compareExchange(lock, 0, -1, 0) === -1) return own(ctx, cs, me);
  }
  if (Atomics.add(lock, 0, 1) !== -1) {
    // Held: wait for the owner's hand-over token.
    const tokens = m.int32At(cs + TOKENS);
    for (;;) {
      const t = Atomics.load(tokens, 0);
      if (t > 0) {
        if (Atomics.compareExchange(tokens, 0, t, t - 1) === t) break;
        continue;
      }
      futexWait(cs + TOKENS, 0, Infinity);
    }
  }
  own(ctx, cs, me);
}

export function TryEnterCriticalSection(ctx: ApiContext, cs: number): number {
  const m = ctx.mem;
  const me = tid(ctx);
  const lock = m.int32At(cs + LOCK_COUNT);
  if (m.u32(cs + OWNER) === me && m.u32(cs + RECURSION) > 0) {
    reenter(ctx, cs, lock);
    return 1;
  }
  if (Atomics.compareExchange(lock, 0, -1, 0) !== -1) return 0;
  own(ctx, cs, me);
  return 1;
}

export function LeaveCriticalSection(ctx: ApiContext, cs: number): void {
  const m = ctx.mem;
  const rec = m.u32(cs + RECURSION);
  // Leaving a section one does not own is undefined on Windows; doing nothing is safest.
  if (rec === 0 || m.u32(cs + OWNER) !== tid(ctx)) return;
  const lock = m.int32At(cs + LOCK_COUNT);
  if (rec > 1) {
    m.setU32(cs + RECURSION, rec - 1);
    Atomics.sub(lock, 0, 1);
    return;
  }
  m.setU32(cs + RECURSION, 0);
  m.setU64(cs + OWNER, 0);
  if (Atomics.sub(lock, 0, 1) > 0) {
    Atomics.add(m.int32At(cs + TOKENS), 0, 1);
    futexWake(cs + TOKENS, 1);
  }
}

export function DeleteCriticalSection(ctx: ApiContext, cs: number): void {
  ctx.mem.fill(cs, 0, 40);
}

export function Sleep(ctx: ApiContext, ms: number): void {
  ctx.process.sleep(ms === 0xffffffff ? 2 ** 31 : ms);
}

/** No asynchronous procedure calls exist yet, so an alertable sleep always runs to its end:
 *  0, never WAIT_IO_COMPLETION. */
export function SleepEx(ctx: ApiContext, ms: number, _alertable: number): number {
  Sleep(ctx, ms);
  return 0;
}
