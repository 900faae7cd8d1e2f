/**
 * Mutexes (synchapi.h): CreateMutex(Ex)A/W, ReleaseMutex; waits are in wait.ts. The state is a
 * block in the process heap that every thread reaches:
 *
 *   +0 owner thread id i32 (0: free; the futex word)   +4 recursion u32   +8 waiters i32
 *
 * The owner takes the mutex again without waiting (one more level to release). When the owner
 * thread has exited without releasing it, the mutex is abandoned: the next wait takes it and
 * gets WAIT_ABANDONED. No hook runs when a thread exits, so a sleeper re-checks the owner every
 * ABANDON_POLL_MS (cheap: one scan of the thread table); a release wakes it at once.
 * Names, references and OpenMutex are objects.ts.
 */
import { HandleType } from '../../kernel/handles.js';
import { ThreadState } from '../../kernel/threads.js';
import { futexWait, futexWake } from '../../native/futex.js';
import { TEB } from '../../native/layout.js';
import type { AddressSpace } from '../../native/memory.js';
import type { ApiContext } from '../types.js';
import { createObject } from './objects.js';
import { ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER } from './errors.js';

const RECURSION = 4;
const WAITERS = 8;
const ERROR_NOT_OWNER = 288;
const CREATE_MUTEX_INITIAL_OWNER = 0x1;
const ABANDON_POLL_MS = 20;
/** Past this many levels a further wait fails to take it (Windows: STATUS_MUTANT_LIMIT_EXCEEDED). */
const MAX_RECURSION = 0x7fffffff;

/** What a try to take a mutex gave. */
export const enum MutexTake {
  Busy = 0,
  Taken = 1,
  /** Taken from an owner that exited without releasing it. */
  Abandoned = 2,
}

function fail(ctx: ApiContext, code: number, value = 0): number {
  ctx.setLastError(code);
  return value;
}

export function currentTid(ctx: ApiContext): number {
  return ctx.mem.u32(ctx.teb + TEB.ClientIdUniqueThread);
}

function words(mem: AddressSpace, block: number): Int32Array {
  const first = mem.int32At(block);
  return new Int32Array(first.buffer, first.byteOffset, 3);
}

/** Whether thread `tid` has ended (it is not in the table as running). */
function threadGone(ctx: ApiContext, tid: number): boolean {
  const t = ctx.process.threads;
  const slot = t.slotOf(tid);
  return slot < 0 || t.state(slot) === ThreadState.Exited;
}

/** A new mutex, or the existing one of that name (whose owner then stays as it is: the
 *  initial-owner flag only counts for a new mutex, as on Windows). */
function createMutex(ctx: ApiContext, name: number, flags: number, wide: boolean): number {
  if (flags & ~CREATE_MUTEX_INITIAL_OWNER) return fail(ctx, ERROR_INVALID_PARAMETER);
  const owned = (flags & CREATE_MUTEX_INITIAL_OWNER) !== 0;
  return createObject(ctx, HandleType.Mutex, name, wide, (block) => {
    ctx.mem.setU32(block, owned ? currentTid(ctx) : 0);
    ctx.mem.setU32(block + RECURSION, owned ? 1 : 0);
    ctx.mem.setU32(block + WAITERS, 0);
  });
}

export const CreateMutexExW = (ctx: ApiContext, _attrs: number, name: number, flags: number, _access: number): number => createMutex(ctx, name, flags, true);
export const CreateMutexExA = (ctx: ApiContext, _attrs: number, name: number, flags: number, _access: number): number => createMutex(ctx, name, flags, false);
export const CreateMutexW = (ctx: ApiContext, _attrs: number, owner: number, name: number): number => createMutex(ctx, name, owner ? CREATE_MUTEX_INITIAL_OWNER : 0, true);
export const CreateMutexA = (ctx: ApiContext, _attrs: number, owner: number, name: number): number => createMutex(ctx, name, owner ? CREATE_MUTEX_INITIAL_OWNER : 0, false);

/** The state block of a mutex handle, or 0. */
export function mutexBlock(ctx: ApiContext, h: number): number {
  const o = ctx.process.handles.lookup(h);
  return o?.type === HandleType.Mutex ? o.value : 0;
}

/** Whether a wait by this thread would take the mutex now. */
export function mutexAvailable(ctx: ApiContext, block: number): boolean {
  const owner = Atomics.load(words(ctx.mem, block), 0) >>> 0;
  return owner === 0 || owner === currentTid(ctx) || threadGone(ctx, owner);
}

/** Takes the mutex for this thread without waiting. */
export function tryMutex(ctx: ApiContext, block: number): MutexTake {
  const w = words(ctx.mem, block);
  const me = currentTid(ctx);
  for (;;) {
    const owner = Atomics.load(w, 0) >>> 0;
    if (owner === me) {
      const rec = ctx.mem.u32(block + RECURSION);
      if (rec >= MAX_RECURSION) return MutexTake.Busy;
      ctx.mem.setU32(block + RECURSION, rec + 1);
      return MutexTake.Taken;
    }
    if (owner !== 0 && !threadGone(ctx, owner)) return MutexTake.Busy;
    if (Atomics.compareExchange(w, 0, owner | 0, me | 0) !== (owner | 0)) continue;
    ctx.mem.setU32(block + RECURSION, 1);
    return owner === 0 ? MutexTake.Taken : MutexTake.Abandoned;
  }
}

/** Waits until this thread takes the mutex or `end` (performance.now() scale) passes. */
export function waitMutex(ctx: ApiContext, block: number, end: number): MutexTake {
  const w = words(ctx.mem, block);
  for (;;) {
    const r = tryMutex(ctx, block);
    if (r !== MutexTake.Busy) return r;
    const left = end - performance.now();
    if (left <= 0) return MutexTake.Busy;
    const owner = Atomics.load(w, 0);
    Atomics.add(w, WAITERS / 4, 1);
    try {
      if (owner !== 0) futexWait(block, owner, Math.min(left, ABANDON_POLL_MS));
    } finally {
      Atomics.sub(w, WAITERS / 4, 1);
    }
  }
}

/** Sleeps at most `ms` while the owner stays, woken by a release (WaitForMultipleObjects). */
export function napOnMutex(ctx: ApiContext, block: number, ms: number): void {
  const w = words(ctx.mem, block);
  const owner = Atomics.load(w, 0);
  if (owner === 0) return;
  Atomics.add(w, WAITERS / 4, 1);
  try {
    futexWait(block, owner, ms);
  } finally {
    Atomics.sub(w, WAITERS / 4, 1);
  }
}

/** Drops one level of this thread's ownership; false when it does not own the mutex. */
export function releaseMutex(ctx: ApiContext, block: number): boolean {
  const w = words(ctx.mem, block);
  if (Atomics.load(w, 0) >>> 0 !== currentTid(ctx)) return false;
  const rec = ctx.mem.u32(block + RECURSION);
  if (rec > 1) {
    ctx.mem.setU32(block + RECURSION, rec - 1);
    return true;
  }
  ctx.mem.setU32(block + RECURSION, 0);
  Atomics.store(w, 0, 0);
  // Every sleeper wakes: one napping in WaitForMultipleObjects may not take it.
  if (Atomics.load(w, WAITERS / 4) > 0) futexWake(block, 0x7fffffff);
  return true;
}

export function ReleaseMutex(ctx: ApiContext, h: number): number {
  const m = mutexBlock(ctx, h);
  if (m === 0) return fail(ctx, ERROR_INVALID_HANDLE);
  return releaseMutex(ctx, m) ? 1 : fail(ctx, ERROR_NOT_OWNER);
}
