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

export function QueryPerformanceFrequency(ctx: ApiContext, out: number): number {
  ctx.mem.setU64(out, 1000000000n);
  return 1;
}

export function QueryPerformanceCounter(ctx: ApiContext, out: number): number {
  ctx.mem.setU64(out, BigInt(Math.round(ctx.process.tickCount() * 1e6)));
  return 1;
}
