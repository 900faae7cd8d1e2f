/**
 * FILETIME and SYSTEMTIME conversions and time zones (timezoneapi.h, fileapi.h, winbase.h),
 * over kernel/timezone.ts. The zone is the host's (TZ, else /etc/localtime), described the way
 * Windows' registry describes a zone: a bias and two yearly rules, derived from the host's UTC
 * offsets over the year in question.
 *
 * SYSTEMTIME: wYear +0, wMonth +2, wDayOfWeek +4, wDay +6, wHour +8, wMinute +10, wSecond +12,
 * wMilliseconds +14 (16 bytes). TIME_ZONE_INFORMATION (172 bytes): Bias +0, StandardName[32] +4,
 * StandardDate +68, StandardBias +84, DaylightName[32] +88, DaylightDate +152, DaylightBias +168.
 * DYNAMIC_TIME_ZONE_INFORMATION (432 bytes) adds TimeZoneKeyName[128] +172 and
 * DynamicDaylightTimeDisabled +428.
 */
import {
  currentOffsetMinutes,
  currentZone,
  fieldsOfMs,
  fieldsToFileTime,
  fileTimeToFields,
  localToUtcMs,
  msOfFields,
  utcToLocalMs,
  zoneInfo,
  zoneLocalToUtcMs,
  zoneOfKey,
  zoneUtcToLocalMs,
  type SystemTime,
  type ZoneInfo,
} from '../../kernel/timezone.js';
import { GuestMemoryError } from '../../native/memprotect.js';
import type { ApiContext } from '../types.js';
import { ERROR_FILE_NOT_FOUND, ERROR_INVALID_PARAMETER, ERROR_NOACCESS, ERROR_PRIVILEGE_NOT_HELD } from './errors.js';

export const SYSTEMTIME_SIZE = 16;
const TZI = { Bias: 0, StandardName: 4, StandardDate: 68, StandardBias: 84, DaylightName: 88, DaylightDate: 152, DaylightBias: 168, Size: 172 } as const;
const DTZI = { TimeZoneKeyName: 172, DynamicDaylightTimeDisabled: 428, Size: 432 } as const;
const TIME_ZONE_ID_INVALID = 0xffffffff;
const FT_PER_MINUTE = 600_000_000n;

export function readSystemTime(ctx: ApiContext, p: number): SystemTime {
  const m = ctx.mem;
  m.check(p, SYSTEMTIME_SIZE);
  const f = (o: number): number => m.u16(p + o);
  return { year: f(0), month: f(2), dayOfWeek: f(4), day: f(6), hour: f(8), minute: f(10), second: f(12), milliseconds: f(14) };
}

export function writeSystemTime(ctx: ApiContext, p: number, t: SystemTime): void {
  const m = ctx.mem;
  m.check(p, SYSTEMTIME_SIZE, true);
  [t.year, t.month, t.dayOfWeek, t.day, t.hour, t.minute, t.second, t.milliseconds].forEach((v, i) => m.setU16(p + 2 * i, v));
}

function fail(ctx: ApiContext, error: number): number {
  ctx.setLastError(error);
  return 0;
}

/** A WCHAR[n] field: the string truncated to n-1 characters, NUL-padded. */
function writeWcharArray(ctx: ApiContext, p: number, s: string, n: number): void {
  ctx.mem.fill(p, 0, 2 * n);
  ctx.mem.writeWString(p, s.slice(0, n - 1));
}

function readWcharArray(ctx: ApiContext, p: number, n: number): string {
  const units = ctx.mem.read(p, 2 * n);
  const dv = new DataView(units.buffer, units.byteOffset, units.byteLength);
  let s = '';
  for (let i = 0; i < n; i++) {
    const c = dv.getUint16(2 * i, true);
    if (c === 0) break;
    s += String.fromCharCode(c);
  }
  return s;
}

function writeZone(ctx: ApiContext, p: number, z: ZoneInfo, dynamic: boolean): void {
  const m = ctx.mem;
  m.check(p, dynamic ? DTZI.Size : TZI.Size, true);
  m.setU32(p + TZI.Bias, z.bias);
  writeWcharArray(ctx, p + TZI.StandardName, z.standardName, 32);
  writeSystemTime(ctx, p + TZI.StandardDate, z.standardDate);
  m.setU32(p + TZI.StandardBias, z.standardBias);
  writeWcharArray(ctx, p + TZI.DaylightName, z.daylightName, 32);
  writeSystemTime(ctx, p + TZI.DaylightDate, z.daylightDate);
  m.setU32(p + TZI.DaylightBias, z.daylightBias);
  if (dynamic) {
    writeWcharArray(ctx, p + DTZI.TimeZoneKeyName, z.keyName, 128);
    m.setU32(p + DTZI.DynamicDaylightTimeDisabled, z.dynamicDaylightTimeDisabled ? 1 : 0);
  }
}

function readZone(ctx: ApiContext, p: number, dynamic: boolean): ZoneInfo {
  const m = ctx.mem;
  m.check(p, dynamic ? DTZI.Size : TZI.Size);
  return {
    bias: m.i32(p + TZI.Bias),
    standardName: readWcharArray(ctx, p + TZI.StandardName, 32),
    standardDate: readSystemTime(ctx, p + TZI.StandardDate),
    standardBias: m.i32(p + TZI.StandardBias),
    daylightName: readWcharArray(ctx, p + TZI.DaylightName, 32),
    daylightDate: readSystemTime(ctx, p + TZI.DaylightDate),
    daylightBias: m.i32(p + TZI.DaylightBias),
    keyName: dynamic ? readWcharArray(ctx, p + DTZI.TimeZoneKeyName, 128) : '',
    dynamicDaylightTimeDisabled: dynamic ? m.u8(p + DTZI.DynamicDaylightTimeDisabled) !== 0 : false,
  };
}

// ---- FILETIME / SYSTEMTIME ----------------------------------------------------------------------

export function FileTimeToSystemTime(ctx: ApiContext, ft: number, st: number): number {
  const t = fileTimeToFields(ctx.mem.u64(ft));
  if (!t) return fail(ctx, ERROR_INVALID_PARAMETER);
  writeSystemTime(ctx, st, t);
  return 1;
}

export function SystemTimeToFileTime(ctx: ApiContext, st: number, ft: number): number {
  const v = fieldsToFileTime(readSystemTime(ctx, st));
  if (v === undefined) return fail(ctx, ERROR_INVALID_PARAMETER);
  ctx.mem.setU64(ft, v);
  return 1;
}

/** Both directions apply the offset in effect now, not the one at the converted time, as the
 *  documentation of FileTimeToLocalFileTime warns. */
export function FileTimeToLocalFileTime(ctx: ApiContext, ft: number, out: number): number {
  const v = ctx.mem.u64(ft) + BigInt(currentOffsetMinutes(Date.now())) * FT_PER_MINUTE;
  ctx.mem.setU64(out, BigInt.asUintN(64, v));
  return 1;
}

export function LocalFileTimeToFileTime(ctx: ApiContext, ft: number, out: number): number {
  const v = ctx.mem.u64(ft) - BigInt(currentOffsetMinutes(Date.now())) * FT_PER_MINUTE;
  ctx.mem.setU64(out, BigInt.asUintN(64, v));
  return 1;
}

export function CompareFileTime(ctx: ApiContext, a: number, b: number): number {
  const x = ctx.mem.u64(a);
  const y = ctx.mem.u64(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** MS-DOS date (day 0–4, month 5–8, years since 1980 9–15) and time (seconds/2 0–4, minute
 *  5–10, hour 11–15): 1980-01-01 to 2107-12-31, seconds rounded down to even. */
export function FileTimeToDosDateTime(ctx: ApiContext, ft: number, date: number, time: number): number {
  const t = fileTimeToFields(ctx.mem.u64(ft));
  if (!t || t.year < 1980 || t.year > 2107) return fail(ctx, ERROR_INVALID_PARAMETER);
  ctx.mem.setU16(date, ((t.year - 1980) << 9) | (t.month << 5) | t.day);
  ctx.mem.setU16(time, (t.hour << 11) | (t.minute << 5) | (t.second >> 1));
  return 1;
}

export function DosDateTimeToFileTime(ctx: ApiContext, date: number, time: number, ft: number): number {
  const t: SystemTime = {
    year: 1980 + (date >> 9),
    month: (date >> 5) & 15,
    dayOfWeek: 0,
    day: date & 31,
    hour: time >> 11,
    minute: (time >> 5) & 63,
    second: (time & 31) * 2,
    milliseconds: 0,
  };
  const v = fieldsToFileTime(t);
  if (v === undefined) return fail(ctx, ERROR_INVALID_PARAMETER);
  ctx.mem.setU64(ft, v);
  return 1;
}

// ---- zones ------------------------------------------------------------------------------------

/** The current zone into a (DYNAMIC_)TIME_ZONE_INFORMATION: TIME_ZONE_ID_UNKNOWN (no daylight
 *  time), _STANDARD or _DAYLIGHT; TIME_ZONE_ID_INVALID for a bad pointer. */
function currentZoneInto(ctx: ApiContext, p: number, dynamic: boolean): number {
  const z = currentZone(Date.now());
  try {
    writeZone(ctx, p, z.info, dynamic);
  } catch (e) {
    if (!(e instanceof GuestMemoryError)) throw e;
    ctx.setLastError(ERROR_NOACCESS);
    return TIME_ZONE_ID_INVALID;
  }
  return z.id;
}

export const GetTimeZoneInformation = (ctx: ApiContext, tzi: number): number => currentZoneInto(ctx, tzi, false);
export const GetDynamicTimeZoneInformation = (ctx: ApiContext, dtzi: number): number => currentZoneInto(ctx, dtzi, true);

/** The zone a DYNAMIC_TIME_ZONE_INFORMATION names: its key's IANA zone (undefined: the host's),
 *  or null when the key is unknown. */
function zoneOfDynamic(ctx: ApiContext, dtzi: number): string | undefined | null {
  return zoneOfKey(readWcharArray(ctx, dtzi + DTZI.TimeZoneKeyName, 128));
}

export function GetTimeZoneInformationForYear(ctx: ApiContext, year: number, dtzi: number, tzi: number): number {
  let zone: string | undefined;
  if (dtzi !== 0) {
    const z = zoneOfDynamic(ctx, dtzi);
    if (z === null) return fail(ctx, ERROR_FILE_NOT_FOUND);
    zone = z;
  }
  writeZone(ctx, tzi, zoneInfo(year, zone), false);
  return 1;
}

/** Changing the zone needs SE_TIME_ZONE_NAME enabled, which a program's token does not have
 *  until it enables it; winrun never changes the host's zone. */
export function SetTimeZoneInformation(ctx: ApiContext, tzi: number): number {
  readZone(ctx, tzi, false);
  return fail(ctx, ERROR_PRIVILEGE_NOT_HELD);
}

export function SetDynamicTimeZoneInformation(ctx: ApiContext, dtzi: number): number {
  readZone(ctx, dtzi, true);
  return fail(ctx, ERROR_PRIVILEGE_NOT_HELD);
}

/** Converts between SYSTEMTIMEs: with a TIME_ZONE_INFORMATION by its rules, without one by
 *  the host zone's rules for the year in question. */
function convert(ctx: ApiContext, from: number, to: number, withRules: ((ms: number) => number) | undefined, withZone: (ms: number) => number): number {
  const ms = msOfFields(readSystemTime(ctx, from));
  if (ms === undefined) return fail(ctx, ERROR_INVALID_PARAMETER);
  const out = (withRules ?? withZone)(ms);
  const t = fieldsOfMs(out);
  if (msOfFields(t) === undefined) return fail(ctx, ERROR_INVALID_PARAMETER);
  writeSystemTime(ctx, to, t);
  return 1;
}

export function SystemTimeToTzSpecificLocalTime(ctx: ApiContext, tzi: number, utc: number, local: number): number {
  const z = tzi === 0 ? undefined : readZone(ctx, tzi, false);
  return convert(ctx, utc, local, z && ((ms) => utcToLocalMs(z, ms)), (ms) => zoneUtcToLocalMs(ms));
}

export function TzSpecificLocalTimeToSystemTime(ctx: ApiContext, tzi: number, local: number, utc: number): number {
  const z = tzi === 0 ? undefined : readZone(ctx, tzi, false);
  return convert(ctx, local, utc, z && ((ms) => localToUtcMs(z, ms)), (ms) => zoneLocalToUtcMs(ms));
}

/** The Ex forms use the named key's rules for each year (dynamic daylight time), or the
 *  structure's own rules when dynamic daylight time is disabled or the key is unknown. */
function dynamicRules(ctx: ApiContext, dtzi: number): { static?: ZoneInfo; zone?: string } {
  if (dtzi === 0) return {};
  const z = readZone(ctx, dtzi, true);
  const zone = z.dynamicDaylightTimeDisabled ? null : zoneOfDynamic(ctx, dtzi);
  return zone === null ? { static: z } : zone === undefined ? {} : { zone };
}

export function SystemTimeToTzSpecificLocalTimeEx(ctx: ApiContext, dtzi: number, utc: number, local: number): number {
  const r = dynamicRules(ctx, dtzi);
  const s = r.static;
  return convert(ctx, utc, local, s && ((ms) => utcToLocalMs(s, ms)), (ms) => zoneUtcToLocalMs(ms, r.zone));
}

export function TzSpecificLocalTimeToSystemTimeEx(ctx: ApiContext, dtzi: number, local: number, utc: number): number {
  const r = dynamicRules(ctx, dtzi);
  const s = r.static;
  return convert(ctx, local, utc, s && ((ms) => localToUtcMs(s, ms)), (ms) => zoneLocalToUtcMs(ms, r.zone));
}
