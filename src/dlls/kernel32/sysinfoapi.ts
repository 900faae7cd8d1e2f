/**
 * Time of day, tick counts and system information (sysinfoapi.h, profileapi.h, winbase.h).
 * The tick count and the performance counter start at the host's boot, as Windows' do; the
 * counter runs at 10 MHz like Windows 10's.
 */
import { fieldsOfMs, FILETIME_UNIX_EPOCH, msOfFields, currentOffsetMinutes } from '../../kernel/timezone.js';
import { cpuInfo, hostName, processorCount, realtimeNs, sinceBootMs } from '../../host/system.js';
import { ALLOCATION_GRANULARITY, PAGE_SIZE } from '../../native/memprotect.js';
import type { ApiContext } from '../types.js';
import { ERROR_BUFFER_OVERFLOW, ERROR_INVALID_PARAMETER, ERROR_MORE_DATA, ERROR_PRIVILEGE_NOT_HELD } from './errors.js';
import { readSystemTime, writeSystemTime } from './timezoneapi.js';

export function GetTickCount(): number {
  return Math.floor(sinceBootMs()) >>> 0;
}

export function GetTickCount64(): bigint {
  return BigInt(Math.floor(sinceBootMs()));
}

export function GetSystemTimeAsFileTime(ctx: ApiContext, ft: number): void {
  ctx.mem.setU64(ft, BigInt(Date.now()) * 10000n + FILETIME_UNIX_EPOCH);
}

export function GetSystemTimePreciseAsFileTime(ctx: ApiContext, ft: number): void {
  ctx.mem.setU64(ft, realtimeNs() / 100n + FILETIME_UNIX_EPOCH);
}

export function GetSystemTime(ctx: ApiContext, st: number): void {
  writeSystemTime(ctx, st, fieldsOfMs(Date.now()));
}

export function GetLocalTime(ctx: ApiContext, st: number): void {
  const now = Date.now();
  writeSystemTime(ctx, st, fieldsOfMs(now + currentOffsetMinutes(now) * 60_000));
}

/** Setting the clock needs SE_SYSTEMTIME_NAME, which an ordinary user does not hold. The
 *  fields are checked first, as Windows does. */
function setTime(ctx: ApiContext, st: number): number {
  ctx.setLastError(msOfFields(readSystemTime(ctx, st)) === undefined ? ERROR_INVALID_PARAMETER : ERROR_PRIVILEGE_NOT_HELD);
  return 0;
}
export const SetSystemTime = setTime;
export const SetLocalTime = setTime;

/** Windows 10's defaults: a 15.625 ms clock interrupt, no adjustment in effect. */
export function GetSystemTimeAdjustment(ctx: ApiContext, adjustment: number, increment: number, disabled: number): number {
  ctx.mem.setU32(adjustment, 156250);
  ctx.mem.setU32(increment, 156250);
  ctx.mem.setU32(disabled, 1);
  return 1;
}

export function QueryPerformanceFrequency(ctx: ApiContext, out: number): number {
  ctx.mem.setU64(out, 10_000_000n);
  return 1;
}

export function QueryPerformanceCounter(ctx: ApiContext, out: number): number {
  ctx.mem.setU64(out, Math.floor(sinceBootMs() * 10_000));
  return 1;
}

// ---- system information ---------------------------------------------------------------------

const PROCESSOR_ARCHITECTURE_AMD64 = 9;
const PROCESSOR_AMD_X8664 = 8664;
/** The user-mode address range Windows x64 reports (64 KiB up to 128 TiB - 64 KiB). */
const MINIMUM_APPLICATION_ADDRESS = 0x10000;
const MAXIMUM_APPLICATION_ADDRESS = 0x7ffffffeffff;

/** The mask of the first n processors (a DWORD_PTR: at most 64 per group). */
export function processorMask(n: number): bigint {
  return (1n << BigInt(Math.min(n, 64))) - 1n;
}

/** SYSTEM_INFO (48 bytes): wProcessorArchitecture +0, dwPageSize +4, lpMinimumApplicationAddress
 *  +8, lpMaximumApplicationAddress +16, dwActiveProcessorMask +24, dwNumberOfProcessors +32,
 *  dwProcessorType +36, dwAllocationGranularity +40, wProcessorLevel +44, wProcessorRevision +46.
 *  Level and revision are the CPU's family and model/stepping, as Windows reports them. */
export function GetSystemInfo(ctx: ApiContext, si: number): void {
  const m = ctx.mem;
  const n = Math.min(processorCount(), 64);
  const cpu = cpuInfo();
  m.check(si, 48, true);
  m.setU16(si, PROCESSOR_ARCHITECTURE_AMD64);
  m.setU16(si + 2, 0);
  m.setU32(si + 4, PAGE_SIZE);
  m.setU64(si + 8, MINIMUM_APPLICATION_ADDRESS);
  m.setU64(si + 16, MAXIMUM_APPLICATION_ADDRESS);
  m.setU64(si + 24, processorMask(n));
  m.setU32(si + 32, n);
  m.setU32(si + 36, PROCESSOR_AMD_X8664);
  m.setU32(si + 40, ALLOCATION_GRANULARITY);
  m.setU16(si + 44, cpu.family & 0xffff);
  m.setU16(si + 46, ((cpu.model & 0xff) << 8) | (cpu.stepping & 0xff));
}

export const GetNativeSystemInfo = GetSystemInfo;

// ---- computer names -------------------------------------------------------------------------

const MAX_COMPUTERNAME_LENGTH = 15;

/** COMPUTER_NAME_FORMAT: NetBIOS, DnsHostname, DnsDomain, DnsFullyQualified, then the same four
 *  "Physical" forms. The NetBIOS name is the host name's first label in upper case, at most
 *  15 characters; the DNS forms keep the host's case. */
export function computerName(format: number): string | undefined {
  const host = hostName();
  const dot = host.indexOf('.');
  const label = dot < 0 ? host : host.slice(0, dot);
  if (format > 7) return undefined;
  switch (format & 3) {
    case 0:
      return label.toUpperCase().slice(0, MAX_COMPUTERNAME_LENGTH);
    case 1:
      return label;
    case 2:
      return dot < 0 ? '' : host.slice(dot + 1);
    default:
      return host;
  }
}

type Units = (s: string) => number;
const wideUnits: Units = (s) => s.length;
const ansiUnits: Units = (s) => new TextEncoder().encode(s).length;

function writeName(ctx: ApiContext, buf: number, s: string, wide: boolean): void {
  if (wide) ctx.mem.writeWString(buf, s);
  else ctx.mem.writeCString(buf, new TextEncoder().encode(s));
}

/** Copies a name into a buffer of *size units: on success *size = units written (no NUL); too
 *  small: `tooSmall` and *size = units needed with the NUL. */
function copyName(ctx: ApiContext, name: string, buf: number, sizePtr: number, wide: boolean, tooSmall: number): number {
  const len = (wide ? wideUnits : ansiUnits)(name);
  const size = ctx.mem.u32(sizePtr);
  if (buf === 0 || size < len + 1) {
    ctx.mem.setU32(sizePtr, len + 1);
    ctx.setLastError(tooSmall);
    return 0;
  }
  writeName(ctx, buf, name, wide);
  ctx.mem.setU32(sizePtr, len);
  return 1;
}

export const GetComputerNameW = (ctx: ApiContext, buf: number, size: number): number => copyName(ctx, computerName(0)!, buf, size, true, ERROR_BUFFER_OVERFLOW);
export const GetComputerNameA = (ctx: ApiContext, buf: number, size: number): number => copyName(ctx, computerName(0)!, buf, size, false, ERROR_BUFFER_OVERFLOW);

function getComputerNameEx(ctx: ApiContext, format: number, buf: number, size: number, wide: boolean): number {
  const name = computerName(format);
  if (name === undefined) {
    ctx.setLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  return copyName(ctx, name, buf, size, wide, ERROR_MORE_DATA);
}

export const GetComputerNameExW = (ctx: ApiContext, format: number, buf: number, size: number): number => getComputerNameEx(ctx, format, buf, size, true);
export const GetComputerNameExA = (ctx: ApiContext, format: number, buf: number, size: number): number => getComputerNameEx(ctx, format, buf, size, false);
