/**
 * The catch blocks running on a thread, innermost first: a list in guest memory whose head is in
 * the thread block (like the runtime's per-thread exception data on Windows). Each entry lives on
 * the guest stack for as long as its catch funclet runs, and says, for the frame that caught:
 * which try block's catch is active (so a search from that frame skips the try block and an
 * unwind does not destroy its objects twice), and which exception object the catch holds (so it
 * is destroyed once, when the last catch holding it ends, and not when it is rethrown).
 */
import { putU64 } from '../../native/guestmemory.js';
import { CXX_CATCH, CXX_CATCH_EXITED, CXX_SLOTS as CXX_SLOTS_LAYOUT } from '../../native/layout.js';
import type { ApiContext } from '../types.js';

/** The thread-block slots and the entries' layout live in native/layout.ts (the exception
 *  core's native catch keeps them too). */
export const CXX_SLOTS = CXX_SLOTS_LAYOUT;
export const CATCH = CXX_CATCH;
export const CATCH_EXITED = CXX_CATCH_EXITED;

export interface ActiveCatch {
  readonly at: number;
  /** The state the frame is in (its try block's objects are gone). */
  readonly state: number;
  /** The first state past the try block: a search from the frame starts there. */
  readonly floor: number;
}

/** The innermost running catch (entry address) that `match` accepts, or 0. */
function findCatch(ctx: ApiContext, match: (e: number) => boolean): number {
  const m = ctx.mem;
  for (let e = m.ptr(ctx.teb + CXX_SLOTS.Catches); e !== 0; e = m.ptr(e + CATCH.Prev)) if (match(e)) return e;
  return 0;
}

const left = (ctx: ApiContext, e: number): boolean => (ctx.mem.u32(e + CATCH.Flags) & CATCH_EXITED) !== 0;

/** The innermost catch running for the frame at `frame` with FuncInfo `funcInfo`. */
export function activeCatch(ctx: ApiContext, frame: number, funcInfo: number): ActiveCatch | undefined {
  const m = ctx.mem;
  const e = findCatch(ctx, (x) => m.ptr(x + CATCH.Frame) === frame && m.ptr(x + CATCH.FuncInfo) === funcInfo);
  return e === 0 ? undefined : { at: e, state: m.i32(e + CATCH.State), floor: m.i32(e + CATCH.Floor) };
}

/** Whether a running catch other than `except` (and not already left) holds `object`. */
export function objectHeld(ctx: ApiContext, object: number, except: number): boolean {
  return findCatch(ctx, (e) => e !== except && !left(ctx, e) && ctx.mem.ptr(e + CATCH.Object) === object) !== 0;
}

export interface CatchEntry {
  frame: number;
  funcInfo: number;
  object: number;
  record: number;
  context: number;
  state: number;
  floor: number;
  funclet: number;
  mainFrame: number;
}

/** Pushes an entry at `at` and makes its exception the current one. */
export function pushCatch(ctx: ApiContext, at: number, e: CatchEntry): void {
  const m = ctx.mem;
  const teb = ctx.teb;
  // Through the entry's words (an entry is pushed on every catch).
  const w = m.words(at, CATCH.Size, true);
  const { u, i } = w;
  u.fill(0, i, i + CATCH.Size / 4);
  putU64(u, i + CATCH.Prev / 4, m.ptr(teb + CXX_SLOTS.Catches));
  putU64(u, i + CATCH.Frame / 4, e.frame);
  putU64(u, i + CATCH.FuncInfo / 4, e.funcInfo);
  putU64(u, i + CATCH.Object / 4, e.object);
  u[i + CATCH.State / 4] = e.state >>> 0;
  u[i + CATCH.Floor / 4] = e.floor >>> 0;
  putU64(u, i + CATCH.Record / 4, e.record);
  putU64(u, i + CATCH.Funclet / 4, e.funclet);
  putU64(u, i + CATCH.MainFrame / 4, e.mainFrame);
  putU64(u, i + CATCH.SavedException / 4, m.ptr(teb + CXX_SLOTS.CurrentException));
  putU64(u, i + CATCH.SavedContext / 4, m.ptr(teb + CXX_SLOTS.CurrentContext));
  m.store(at, CATCH.Size, w);
  m.setU64(teb + CXX_SLOTS.Catches, at);
  m.setU64(teb + CXX_SLOTS.CurrentException, e.record);
  m.setU64(teb + CXX_SLOTS.CurrentContext, e.context);
}

/** The innermost running catch, not yet left, of `funclet` for the function frame `mainFrame`. */
export function catchOfFunclet(ctx: ApiContext, funclet: number, mainFrame: number): number {
  const m = ctx.mem;
  return findCatch(ctx, (e) => m.ptr(e + CATCH.Funclet) === funclet && m.ptr(e + CATCH.MainFrame) === mainFrame && !left(ctx, e));
}

/** Removes the entry at `at` (the innermost one) and restores the current exception. */
export function popCatch(ctx: ApiContext, at: number): void {
  const m = ctx.mem;
  const teb = ctx.teb;
  if (m.ptr(teb + CXX_SLOTS.Catches) !== at) return;
  m.setU64(teb + CXX_SLOTS.Catches, m.ptr(at + CATCH.Prev));
  m.setU64(teb + CXX_SLOTS.CurrentException, m.ptr(at + CATCH.SavedException));
  m.setU64(teb + CXX_SLOTS.CurrentContext, m.ptr(at + CATCH.SavedContext));
}

/** The thread's terminate handler (set_terminate). */
const TERMINATE_SLOT = CXX_SLOTS.Terminate;
/** The thread's count of thrown, not yet caught exceptions (u32; the exception core's C++
 *  throw and catch count too: native/exccore.ts). */
export const UNCAUGHT_SLOT = CXX_SLOTS.Uncaught;

export const uncaughtExceptions = (ctx: ApiContext): number => ctx.mem.u32(ctx.teb + UNCAUGHT_SLOT);
export const uncaughtException = (ctx: ApiContext): number => (uncaughtExceptions(ctx) > 0 ? 1 : 0);
/** A throw (+1) or a catch block taking an exception (-1). */
export function countUncaught(ctx: ApiContext, delta: number): void {
  ctx.mem.setU32(ctx.teb + UNCAUGHT_SLOT, Math.max(0, uncaughtExceptions(ctx) + delta));
}

export function set_terminate(ctx: ApiContext, handler: number): number {
  const old = ctx.mem.ptr(ctx.teb + TERMINATE_SLOT);
  ctx.mem.setU64(ctx.teb + TERMINATE_SLOT, handler);
  return old;
}

export const get_terminate = (ctx: ApiContext): number => ctx.mem.ptr(ctx.teb + TERMINATE_SLOT);

/** terminate(): the terminate handler runs (it should not return), then abort(). */
export function terminate(ctx: ApiContext, abort: (ctx: ApiContext) => never): never {
  const handler = get_terminate(ctx);
  if (handler !== 0) ctx.callGuest(handler, []);
  return abort(ctx);
}
