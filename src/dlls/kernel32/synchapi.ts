/**
 * Critical sections and Sleep (synchapi.h). RTL_CRITICAL_SECTION (x64): DebugInfo +0,
 * LockCount +8, RecursionCount +12, OwningThread +16, LockSemaphore +24, SpinCount +32.
 * One thread exists for now, so enter never waits; the fields are kept as Windows keeps them.
 */
import { TEB } from '../../native/layout.js';
import type { ApiContext } from '../types.js';

function tid(ctx: ApiContext): number {
  return ctx.mem.u32(ctx.teb + TEB.ClientIdUniqueThread);
}

export function InitializeCriticalSection(ctx: ApiContext, cs: number): void {
  const m = ctx.mem;
  m.fill(cs, 0, 40);
  m.setU32(cs + 8, 0xffffffff); // LockCount -1: free
}

export function InitializeCriticalSectionAndSpinCount(ctx: ApiContext, cs: number, spin: number): number {
  InitializeCriticalSection(ctx, cs);
  ctx.mem.setU64(cs + 32, spin);
  return 1;
}

export function InitializeCriticalSectionEx(ctx: ApiContext, cs: number, spin: number): number {
  return InitializeCriticalSectionAndSpinCount(ctx, cs, spin);
}

export function EnterCriticalSection(ctx: ApiContext, cs: number): void {
  const m = ctx.mem;
  m.setU32(cs + 8, (m.i32(cs + 8) + 1) >>> 0);
  m.setU32(cs + 12, m.u32(cs + 12) + 1);
  m.setU64(cs + 16, tid(ctx));
}

export function TryEnterCriticalSection(ctx: ApiContext, cs: number): number {
  EnterCriticalSection(ctx, cs);
  return 1;
}

export function LeaveCriticalSection(ctx: ApiContext, cs: number): void {
  const m = ctx.mem;
  const rec = m.u32(cs + 12);
  if (rec === 0) return;
  m.setU32(cs + 12, rec - 1);
  m.setU32(cs + 8, (m.i32(cs + 8) - 1) >>> 0);
  if (rec === 1) m.setU64(cs + 16, 0);
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
