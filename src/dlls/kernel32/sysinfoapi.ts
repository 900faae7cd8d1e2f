/** Time and system information (sysinfoapi.h, profileapi.h). */
import type { ApiContext } from '../types.js';

const EPOCH_DIFF_100NS = 116444736000000000n; // 1601 → 1970

export function GetTickCount(ctx: ApiContext): number {
  return ctx.process.tickCount() >>> 0;
}

export function GetTickCount64(ctx: ApiContext): bigint {
  return BigInt(ctx.process.tickCount());
}

export function GetSystemTimeAsFileTime(ctx: ApiContext, ft: number): void {
  ctx.mem.setU64(ft, BigInt(Date.now()) * 10000n + EPOCH_DIFF_100NS);
}

/** The performance counter ticks in nanoseconds (Windows 10 reports 10 MHz; any fixed
 *  frequency is valid, and programs must divide by QueryPerformanceFrequency). */
export function QueryPerformanceFrequency(ctx: ApiContext, out: number): number {
  ctx.mem.setU64(out, 1000000000n);
  return 1;
}

export function QueryPerformanceCounter(ctx: ApiContext, out: number): number {
  ctx.mem.setU64(out, ctx.process.perfCounterNs());
  return 1;
}
