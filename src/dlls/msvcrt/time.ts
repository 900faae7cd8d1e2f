/**
 * <time.h> with msvcrt's rules. time_t is 64-bit. Local time follows the TZ environment
 * variable when it is set, parsed the way msvcrt's _tzset does ("tzn[+|-]hh[:mm[:ss]][dzn]",
 * hours west of UTC, US daylight-saving rules when a daylight name is given); without TZ it is
 * the zone kernel32's GetTimeZoneInformation reports (kernel/timezone.ts). struct tm: tm_sec, tm_min, tm_hour, tm_mday, tm_mon, tm_year, tm_wday,
 * tm_yday, tm_isdst (nine ints). gmtime/localtime return a per-thread buffer.
 */
import { currentZone, hasDaylight, isDaylightAtUtc } from '../../kernel/timezone.js';
import { WR } from '../../native/layout.js';
import type { ApiContext } from '../types.js';

const TM_SLOT = WR.Scratch + 0x200;
const DAY = 86400;

interface Tm {
  sec: number;
  min: number;
  hour: number;
  mday: number;
  mon: number;
  year: number;
  wday: number;
  yday: number;
  isdst: number;
}

function readTm(ctx: ApiContext, p: number): Tm {
  const f = [0, 4, 8, 12, 16, 20, 24, 28, 32].map((o) => ctx.mem.i32(p + o));
  return { sec: f[0]!, min: f[1]!, hour: f[2]!, mday: f[3]!, mon: f[4]!, year: f[5]!, wday: f[6]!, yday: f[7]!, isdst: f[8]! };
}

function writeTm(ctx: ApiContext, p: number, t: Tm): void {
  [t.sec, t.min, t.hour, t.mday, t.mon, t.year, t.wday, t.yday, t.isdst].forEach((v, i) => ctx.mem.setU32(p + 4 * i, v >>> 0));
}

/** Broken-down UTC fields of seconds since 1970 (with a zone offset already added). */
function breakDown(secs: number, isdst: number): Tm {
  const d = new Date(secs * 1000);
  const start = Date.UTC(d.getUTCFullYear(), 0, 1);
  return {
    sec: d.getUTCSeconds(),
    min: d.getUTCMinutes(),
    hour: d.getUTCHours(),
    mday: d.getUTCDate(),
    mon: d.getUTCMonth(),
    year: d.getUTCFullYear() - 1900,
    wday: d.getUTCDay(),
    yday: Math.floor((d.getTime() - start) / 1000 / DAY),
    isdst,
  };
}

// ---- time zones -----------------------------------------------------------------------------
interface Zone {
  /** Seconds west of UTC in standard time (msvcrt's _timezone). */
  west: number;
  daylight: boolean;
  names: [string, string];
  /** For a zone from TZ: whether a UTC instant is in daylight time. */
  inDst(utc: number): boolean;
}

/** The n-th (1-based; 5 = last) Sunday of a month, as a day of the month. */
function nthSunday(year: number, mon: number, n: number): number {
  const first = new Date(Date.UTC(year, mon, 1)).getUTCDay();
  let day = 1 + ((7 - first) % 7) + 7 * (n - 1);
  const days = new Date(Date.UTC(year, mon + 1, 0)).getUTCDate();
  while (day > days) day -= 7;
  return day;
}

/** US daylight-saving rules (as msvcrt applies to a TZ with a daylight name): from 2007 the
 *  second Sunday of March to the first Sunday of November, before it the first Sunday of April
 *  to the last Sunday of October; changes at 02:00 local time. */
function usDst(localStandard: number): boolean {
  const d = new Date(localStandard * 1000);
  const y = d.getUTCFullYear();
  const [sm, sn, em, en] = y >= 2007 ? [2, 2, 10, 1] : [3, 1, 9, 5];
  const start = Date.UTC(y, sm, nthSunday(y, sm, sn), 2) / 1000;
  const end = Date.UTC(y, em, nthSunday(y, em, en), 1) / 1000; // 02:00 daylight = 01:00 standard
  return localStandard >= start && localStandard < end;
}

function zoneOf(ctx: ApiContext): Zone {
  const tz = [...ctx.process.environment].find(([k]) => k.toUpperCase() === 'TZ')?.[1];
  if (tz !== undefined && tz !== '') {
    const m = /^([^-+0-9:]{0,3})([+-]?)(\d{1,2})?(?::(\d{1,2}))?(?::(\d{1,2}))?(.*)$/.exec(tz)!;
    const west = (m[2] === '-' ? -1 : 1) * (Number(m[3] ?? 0) * 3600 + Number(m[4] ?? 0) * 60 + Number(m[5] ?? 0));
    const dzn = m[6] ?? '';
    return { west, daylight: dzn !== '', names: [m[1] ?? '', dzn.slice(0, 3)], inDst: (utc) => dzn !== '' && usDst(utc - west) };
  }
  // No TZ: the zone Windows reports (GetTimeZoneInformation), its current rules applied to
  // every year, as msvcrt's _tzset and localtime do.
  const { info } = currentZone(Date.now());
  return {
    west: (info.bias + info.standardBias) * 60,
    daylight: hasDaylight(info),
    names: [info.standardName, info.daylightName],
    inDst: (utc) => isDaylightAtUtc(info, utc * 1000),
  };
}

/** Local broken-down time of a UTC instant. */
function toLocal(ctx: ApiContext, utc: number): Tm {
  const z = zoneOf(ctx);
  const dst = z.inDst(utc);
  return breakDown(utc - z.west + (dst ? 3600 : 0), dst ? 1 : 0);
}

// ---- the functions ---------------------------------------------------------------------------
export function _time64(ctx: ApiContext, out: number): bigint {
  const t = BigInt(Math.floor(Date.now() / 1000));
  if (out) ctx.mem.setU64(out, t);
  return t;
}

export function _time32(ctx: ApiContext, out: number): number {
  const t = Math.floor(Date.now() / 1000);
  if (out) ctx.mem.setU32(out, t);
  return t;
}

function tmResult(ctx: ApiContext, t: Tm): number {
  const p = ctx.teb + TM_SLOT;
  writeTm(ctx, p, t);
  return p;
}

export function _gmtime64(ctx: ApiContext, tp: number): number {
  const t = Number(BigInt.asIntN(64, ctx.mem.u64(tp)));
  if (t < 0) return 0; // msvcrt: times before 1970 are invalid
  return tmResult(ctx, breakDown(t, 0));
}

export function _localtime64(ctx: ApiContext, tp: number): number {
  const t = Number(BigInt.asIntN(64, ctx.mem.u64(tp)));
  if (t < 0) return 0;
  return tmResult(ctx, toLocal(ctx, t));
}

/** _gmtime64_s / _localtime64_s(tm*, time_t*): errno value. */
export function _gmtime64_s(ctx: ApiContext, out: number, tp: number): number {
  if (out === 0 || tp === 0) return 22;
  const p = _gmtime64(ctx, tp);
  if (p === 0) return 22;
  ctx.mem.copy(out, p, 36);
  return 0;
}

export function _localtime64_s(ctx: ApiContext, out: number, tp: number): number {
  if (out === 0 || tp === 0) return 22;
  const p = _localtime64(ctx, tp);
  if (p === 0) return 22;
  ctx.mem.copy(out, p, 36);
  return 0;
}

/** mktime: normalises the struct and returns the UTC instant; -1 for a local time before
 *  1970-01-01 00:00 (msvcrt refuses those even when the UTC instant would be valid). */
export function _mktime64(ctx: ApiContext, p: number): bigint {
  const t = readTm(ctx, p);
  const z = zoneOf(ctx);
  const asUtc = Date.UTC(1900 + t.year, t.mon, t.mday, t.hour, t.min, t.sec) / 1000;
  if (asUtc < 0) return -1n;
  let utc = asUtc + z.west;
  if (t.isdst > 0 || (t.isdst < 0 && z.inDst(utc))) utc -= 3600;
  if (utc < 0) return -1n;
  writeTm(ctx, p, toLocal(ctx, utc));
  return BigInt(utc);
}

export function _mkgmtime64(ctx: ApiContext, p: number): bigint {
  const t = readTm(ctx, p);
  const utc = Date.UTC(1900 + t.year, t.mon, t.mday, t.hour, t.min, t.sec) / 1000;
  if (utc < 0) return -1n;
  writeTm(ctx, p, breakDown(utc, 0));
  return BigInt(utc);
}

export function _difftime64(_ctx: ApiContext, t1: bigint, t0: bigint): number {
  return Number(t1 - t0);
}

/** clock(): milliseconds of the process (CLOCKS_PER_SEC is 1000). */
export function clock(ctx: ApiContext): number {
  return Math.floor(ctx.process.tickCount());
}

/** _ftime64(struct __timeb64 *): time, millitm, timezone (minutes west), dstflag. */
export function _ftime64(ctx: ApiContext, p: number): void {
  const now = Date.now();
  const z = zoneOf(ctx);
  ctx.mem.setU64(p, BigInt(Math.floor(now / 1000)));
  ctx.mem.setU16(p + 8, now % 1000);
  ctx.mem.setU16(p + 10, (z.west / 60) & 0xffff);
  ctx.mem.setU16(p + 12, z.inDst(Math.floor(now / 1000)) ? 1 : 0);
}

/** The zone as the CRT variables show it (_tzset). */
export function zoneVariables(ctx: ApiContext): { west: number; daylight: boolean; names: [string, string] } {
  const z = zoneOf(ctx);
  return { west: z.west, daylight: z.daylight, names: z.names };
}

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** strftime in the "C" locale. */
export function formatTime(fmt: string, t: Tm): string {
  const p2 = (n: number): string => String(n).padStart(2, '0');
  const h12 = t.hour % 12 === 0 ? 12 : t.hour % 12;
  return fmt.replace(/%#?([a-zA-Z%])/g, (_, c: string) => {
    switch (c) {
      case 'a': return DAYS[t.wday]!.slice(0, 3);
      case 'A': return DAYS[t.wday]!;
      case 'b': case 'h': return MONTHS[t.mon]!.slice(0, 3);
      case 'B': return MONTHS[t.mon]!;
      case 'c': return `${p2(t.mon + 1)}/${p2(t.mday)}/${p2(t.year % 100)} ${p2(t.hour)}:${p2(t.min)}:${p2(t.sec)}`;
      case 'd': return p2(t.mday);
      case 'H': return p2(t.hour);
      case 'I': return p2(h12);
      case 'j': return String(t.yday + 1).padStart(3, '0');
      case 'm': return p2(t.mon + 1);
      case 'M': return p2(t.min);
      case 'p': return t.hour < 12 ? 'AM' : 'PM';
      case 'S': return p2(t.sec);
      case 'w': return String(t.wday);
      case 'x': return `${p2(t.mon + 1)}/${p2(t.mday)}/${p2(t.year % 100)}`;
      case 'X': case 'T': return `${p2(t.hour)}:${p2(t.min)}:${p2(t.sec)}`;
      case 'y': return p2(t.year % 100);
      case 'Y': return String(1900 + t.year);
      case 'D': return `${p2(t.mon + 1)}/${p2(t.mday)}/${p2(t.year % 100)}`;
      case 'F': return `${1900 + t.year}-${p2(t.mon + 1)}-${p2(t.mday)}`;
      case 'R': return `${p2(t.hour)}:${p2(t.min)}`;
      case 'e': return String(t.mday).padStart(2, ' ');
      case 'n': return '\n';
      case 't': return '\t';
      case '%': return '%';
      default: return '';
    }
  });
}

export function strftime(ctx: ApiContext, buf: number, max: bigint, fmt: number, tm: number): bigint {
  const out = new TextEncoder().encode(formatTime(new TextDecoder().decode(ctx.mem.cstringBytes(fmt)), readTm(ctx, tm)));
  if (out.length + 1 > Number(max)) return 0n;
  ctx.mem.writeCString(buf, out);
  return BigInt(out.length);
}

export function wcsftime(ctx: ApiContext, buf: number, max: bigint, fmt: number, tm: number): bigint {
  const s = formatTime(ctx.mem.wstring(fmt), readTm(ctx, tm));
  if (s.length + 1 > Number(max)) return 0n;
  ctx.mem.writeWString(buf, s);
  return BigInt(s.length);
}
