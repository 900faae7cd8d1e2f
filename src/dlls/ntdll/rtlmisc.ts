/** The rest of ntdll's run-time library that programs and C runtimes call: memory compare
 *  and fill, random numbers, time fields, version numbers and the process heaps. */
import { STATUS_SUCCESS } from '../../kernel/ntstatus.js';
import { PEB } from '../../loader/structures.js';
import { GetProcessHeaps } from '../kernel32/heapapi.js';
import type { ApiContext } from '../types.js';

// ---- memory ---------------------------------------------------------------------------------

/** RtlCompareMemory: how many leading bytes are equal. */
export function RtlCompareMemory(ctx: ApiContext, a: number, b: number, n: bigint): bigint {
  const len = Number(n);
  const x = ctx.mem.read(a, len);
  const y = ctx.mem.read(b, len);
  let i = 0;
  while (i < len && x[i] === y[i]) i++;
  return BigInt(i);
}

/** RtlCompareMemoryUlong(p, length, pattern): bytes of leading ULONGs equal to the pattern
 *  (the length is taken in whole ULONGs). */
export function RtlCompareMemoryUlong(ctx: ApiContext, p: number, n: bigint, pattern: number): bigint {
  const words = Math.floor(Number(n) / 4);
  let i = 0;
  while (i < words && ctx.mem.u32(p + 4 * i) === pattern >>> 0) i++;
  return BigInt(4 * i);
}

export function RtlFillMemory(ctx: ApiContext, p: number, n: bigint, fill: number): void {
  ctx.mem.fill(p, fill & 0xff, Number(n));
}

export function RtlZeroMemory(ctx: ApiContext, p: number, n: bigint): void {
  ctx.mem.fill(p, 0, Number(n));
}

export function RtlFillMemoryUlong(ctx: ApiContext, p: number, n: bigint, pattern: number): void {
  const words = Math.floor(Number(n) / 4);
  const b = new Uint8Array(4 * words);
  const dv = new DataView(b.buffer);
  for (let i = 0; i < words; i++) dv.setUint32(4 * i, pattern, true);
  ctx.mem.write(p, b);
}

// ---- random numbers -------------------------------------------------------------------------

const MAXLONG = 0x7fffffff;

/**
 * RtlUniform: D. H. Lehmer's generator seed × 0x7fffffed + 0x7fffffc3 modulo 2^31 − 1, which
 * Windows computes in 32-bit arithmetic and then folds into [0, MAXLONG) in its own way; the
 * fold below reproduces Windows' results (an odd low result, an even high one, and three
 * special values).
 */
export function uniform(seed: number): number {
  const r = (Math.imul(seed, 0xffffffed) + 0x7fffffc3) >>> 0;
  if (r === 0xffffffff || r === 0x7ffffffe) return (r + 2) & MAXLONG;
  if (r === MAXLONG) return 0;
  if ((r & 0x80000000) === 0) return r + (~r & 1);
  return ((r + (r & 1)) & MAXLONG) >>> 0;
}

export function RtlUniform(ctx: ApiContext, seedPtr: number): number {
  const r = uniform(ctx.mem.u32(seedPtr));
  ctx.mem.setU32(seedPtr, r);
  return r;
}

/** RtlRandom / RtlRandomEx: uniform in [0, MAXLONG − 1] and the seed moves on. Windows
 *  shuffles through a table of its own; the numbers here differ from Windows' but have the
 *  documented range. */
export function RtlRandom(ctx: ApiContext, seedPtr: number): number {
  const a = uniform(ctx.mem.u32(seedPtr));
  const b = uniform(a);
  ctx.mem.setU32(seedPtr, b);
  return ((a ^ (b >>> 7) ^ (b << 11)) >>> 0) % MAXLONG;
}

// ---- time -----------------------------------------------------------------------------------

const EPOCH_1601_MS = 11644473600000;
const TICKS_PER_MS = 10000n;
const TICKS_1970 = 116444736000000000n;
const TICKS_1980 = 119600064000000000n;
const TICKS_PER_SECOND = 10000000n;

/** TIME_FIELDS: CSHORT Year, Month, Day, Hour, Minute, Second, Milliseconds, Weekday. */
export function RtlTimeToTimeFields(ctx: ApiContext, timePtr: number, fields: number): void {
  const t = BigInt.asIntN(64, ctx.mem.u64(timePtr));
  const ms = Number(t / TICKS_PER_MS);
  const d = new Date(ms - EPOCH_1601_MS);
  const v = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds(), d.getUTCDay()];
  const b = new Uint8Array(16);
  const dv = new DataView(b.buffer);
  v.forEach((x, i) => dv.setInt16(2 * i, x, true));
  ctx.mem.write(fields, b);
}

const daysIn = (year: number, month: number): number => new Date(Date.UTC(year, month, 0)).getUTCDate();

/** RtlTimeFieldsToTime: FALSE (and no result) for a field out of range, such as 29 February
 *  of a common year; Weekday is ignored. */
export function RtlTimeFieldsToTime(ctx: ApiContext, fields: number, timePtr: number): number {
  const f = ctx.mem.read(fields, 16);
  const dv = new DataView(f.buffer, f.byteOffset, 16);
  const [year, month, day, hour, minute, second, millis] = [0, 1, 2, 3, 4, 5, 6].map((i) => dv.getInt16(2 * i, true)) as [number, number, number, number, number, number, number];
  if (year < 1601 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return 0;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || millis < 0 || millis > 999) return 0;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, millis) + EPOCH_1601_MS;
  ctx.mem.setU64(timePtr, BigInt(ms) * TICKS_PER_MS);
  return 1;
}

export function RtlSecondsSince1970ToTime(ctx: ApiContext, seconds: number, timePtr: number): void {
  ctx.mem.setU64(timePtr, BigInt(seconds >>> 0) * TICKS_PER_SECOND + TICKS_1970);
}
export function RtlSecondsSince1980ToTime(ctx: ApiContext, seconds: number, timePtr: number): void {
  ctx.mem.setU64(timePtr, BigInt(seconds >>> 0) * TICKS_PER_SECOND + TICKS_1980);
}

/** FALSE for a time before the epoch or more than a ULONG of seconds after it. */
function secondsSince(ctx: ApiContext, timePtr: number, out: number, epoch: bigint): number {
  const t = BigInt.asIntN(64, ctx.mem.u64(timePtr));
  const s = (t - epoch) / TICKS_PER_SECOND;
  if (t < epoch || s > 0xffffffffn) return 0;
  ctx.mem.setU32(out, Number(s));
  return 1;
}
export const RtlTimeToSecondsSince1970 = (ctx: ApiContext, t: number, out: number): number => secondsSince(ctx, t, out, TICKS_1970);
export const RtlTimeToSecondsSince1980 = (ctx: ApiContext, t: number, out: number): number => secondsSince(ctx, t, out, TICKS_1980);

// ---- version --------------------------------------------------------------------------------

/** The version the PEB reports (Windows 10, build 19045). */
function version(ctx: ApiContext): { major: number; minor: number; build: number; platform: number } {
  const peb = ctx.process.pebAddress;
  return {
    major: ctx.mem.u32(peb + PEB.OSMajorVersion),
    minor: ctx.mem.u32(peb + PEB.OSMinorVersion),
    build: ctx.mem.u16(peb + PEB.OSBuildNumber),
    platform: ctx.mem.u32(peb + PEB.OSPlatformId),
  };
}

/** RtlGetNtVersionNumbers: the build carries 0xF0000000 (a free build) as on Windows. */
export function RtlGetNtVersionNumbers(ctx: ApiContext, major: number, minor: number, build: number): void {
  const v = version(ctx);
  if (major) ctx.mem.setU32(major, v.major);
  if (minor) ctx.mem.setU32(minor, v.minor);
  if (build) ctx.mem.setU32(build, (0xf0000000 | v.build) >>> 0);
}

const OSVERSIONINFOW_SIZE = 276;
const OSVERSIONINFOEXW_SIZE = 284;
const VER_NT_WORKSTATION = 1;
const VER_SUITE_SINGLEUSERTS = 0x100;

/** RtlGetVersion(OSVERSIONINFO(EX)W): the true version, whatever the manifest says. */
export function RtlGetVersion(ctx: ApiContext, info: number): number {
  const size = ctx.mem.u32(info);
  const v = version(ctx);
  ctx.mem.check(info, size === OSVERSIONINFOEXW_SIZE ? OSVERSIONINFOEXW_SIZE : OSVERSIONINFOW_SIZE, true);
  ctx.mem.setU32(info + 4, v.major);
  ctx.mem.setU32(info + 8, v.minor);
  ctx.mem.setU32(info + 12, v.build);
  ctx.mem.setU32(info + 16, v.platform);
  ctx.mem.fill(info + 20, 0, 256); // szCSDVersion: no service pack
  if (size === OSVERSIONINFOEXW_SIZE) {
    ctx.mem.fill(info + 276, 0, 8);
    ctx.mem.setU16(info + 280, VER_SUITE_SINGLEUSERTS);
    ctx.mem.setU8(info + 282, VER_NT_WORKSTATION);
  }
  return STATUS_SUCCESS;
}

// ---- heaps ----------------------------------------------------------------------------------

export const RtlGetProcessHeaps = GetProcessHeaps;

export function RtlGetCurrentPeb(ctx: ApiContext): number {
  return ctx.process.pebAddress;
}
