/**
 * Windows time: FILETIME ↔ SYSTEMTIME fields, and time zones in Windows' form — a bias and two
 * yearly transition rules (TIME_ZONE_INFORMATION) — derived from the host's zone by probing its
 * UTC offsets over a year. Conversions with a TIME_ZONE_INFORMATION follow Windows' rules, so a
 * program gets the answers Windows would give for the same zone data.
 */
import { hostZoneId, offsetChanges, utcOffsetMinutes, zoneKnown, zoneLongName } from '../host/timezone.js';
import { ianaZoneOf, windowsZoneKey, windowsZoneNames } from './tzkeys.js';

/** 100-ns intervals between 1601-01-01 and 1970-01-01. */
export const FILETIME_UNIX_EPOCH = 116444736000000000n;
/** Milliseconds between 1601-01-01 and 1970-01-01. */
const EPOCH_MS = 11644473600000;
const MINUTE_MS = 60_000;

/** SYSTEMTIME's fields (month 1–12, dayOfWeek 0 = Sunday). */
export interface SystemTime {
  year: number;
  month: number;
  dayOfWeek: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  milliseconds: number;
}

export const ZERO_SYSTEMTIME: SystemTime = { year: 0, month: 0, dayOfWeek: 0, day: 0, hour: 0, minute: 0, second: 0, milliseconds: 0 };

/** Fields of milliseconds since 1970 (UTC or local: no zone is applied). */
export function fieldsOfMs(ms: number): SystemTime {
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    dayOfWeek: d.getUTCDay(),
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
    milliseconds: d.getUTCMilliseconds(),
  };
}

export function daysInMonth(year: number, month: number): number {
  return dim(year, month);
}

function dim(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
}

/** The last moment a FILETIME can hold (0x7FFFFFFFFFFFFFFF): 30828-09-14 02:48:05.477. */
const MAX_MS = Number(0x7fffffffffffffffn / 10000n) - EPOCH_MS;

/** Milliseconds since 1970 of valid fields (the day of the week is ignored, as Windows does);
 *  undefined when a field is out of range (February 29 of a common year included) or the
 *  time is outside what a FILETIME holds (1601 to 30828-09-14). */
export function msOfFields(t: SystemTime): number | undefined {
  if (t.year < 1601 || t.year > 30828 || t.month < 1 || t.month > 12 || t.day < 1 || t.day > dim(t.year, t.month)) return undefined;
  if (t.hour > 23 || t.minute > 59 || t.second > 59 || t.milliseconds > 999) return undefined;
  const d = new Date(0);
  d.setUTCFullYear(t.year, t.month - 1, t.day);
  d.setUTCHours(t.hour, t.minute, t.second, t.milliseconds);
  return d.getTime() > MAX_MS ? undefined : d.getTime();
}

/** FILETIME (100 ns since 1601) → fields; undefined past 0x7FFFFFFFFFFFFFFF, which Windows
 *  refuses. */
export function fileTimeToFields(ft: bigint): SystemTime | undefined {
  if (ft < 0n || ft > 0x7fffffffffffffffn) return undefined;
  return fieldsOfMs(Number(ft / 10000n) - EPOCH_MS);
}

export function fieldsToFileTime(t: SystemTime): bigint | undefined {
  const ms = msOfFields(t);
  return ms === undefined ? undefined : BigInt(ms + EPOCH_MS) * 10000n;
}

export function fileTimeOfMs(ms: number): bigint {
  return BigInt(Math.round(ms + EPOCH_MS)) * 10000n;
}

export function msOfFileTime(ft: bigint): number {
  return Number(ft / 10000n) - EPOCH_MS;
}

// ---- zones -----------------------------------------------------------------------------------

/** TIME_ZONE_INFORMATION plus the dynamic fields (DYNAMIC_TIME_ZONE_INFORMATION). Biases in
 *  minutes, UTC = local + bias. */
export interface ZoneInfo {
  bias: number;
  standardName: string;
  standardDate: SystemTime;
  standardBias: number;
  daylightName: string;
  daylightDate: SystemTime;
  daylightBias: number;
  keyName: string;
  dynamicDaylightTimeDisabled: boolean;
}

export const TIME_ZONE_ID_UNKNOWN = 0;
export const TIME_ZONE_ID_STANDARD = 1;
export const TIME_ZONE_ID_DAYLIGHT = 2;

export function hasDaylight(z: Pick<ZoneInfo, 'standardDate' | 'daylightDate'>): boolean {
  return z.standardDate.month !== 0 && z.daylightDate.month !== 0;
}

/** A transition date in "day-of-week in month" form: wDay is the occurrence (1–4, 5 = last)
 *  of wDayOfWeek in wMonth, at wHour:wMinute:wSecond local time; wYear 0. */
export function dayOfWeekRule(local: SystemTime): SystemTime {
  const occurrence = local.day + 7 > dim(local.year, local.month) ? 5 : Math.floor((local.day - 1) / 7) + 1;
  return { ...local, year: 0, day: occurrence };
}

/** The local time (ms since 1970, no zone) at which a rule falls in `year`. A rule with wYear
 *  set is an absolute date. */
export function ruleLocalMs(rule: SystemTime, year: number): number {
  let day = rule.day;
  if (rule.year === 0) {
    const first = new Date(Date.UTC(2000, rule.month - 1, 1));
    first.setUTCFullYear(year);
    day = 1 + ((rule.dayOfWeek - first.getUTCDay() + 7) % 7) + 7 * (Math.min(Math.max(rule.day, 1), 5) - 1);
    while (day > dim(year, rule.month)) day -= 7;
  }
  const d = new Date(0);
  d.setUTCFullYear(year, rule.month - 1, day);
  d.setUTCHours(rule.hour, rule.minute, rule.second, rule.milliseconds);
  return d.getTime();
}

function yearOf(ms: number): number {
  return new Date(ms).getUTCFullYear();
}

/** Whether a UTC instant falls in daylight time under the zone's rules for its year. */
export function isDaylightAtUtc(z: ZoneInfo, utcMs: number): boolean {
  if (!hasDaylight(z)) return false;
  const year = yearOf(utcMs - (z.bias + z.standardBias) * MINUTE_MS);
  const start = ruleLocalMs(z.daylightDate, year) + (z.bias + z.standardBias) * MINUTE_MS;
  const end = ruleLocalMs(z.standardDate, year) + (z.bias + z.daylightBias) * MINUTE_MS;
  return start < end ? utcMs >= start && utcMs < end : utcMs >= start || utcMs < end;
}

/** Whether a local time is daylight time: from the start rule (on the standard clock) up to
 *  the end rule (on the daylight clock). A skipped local time counts as daylight, a repeated
 *  one as its first (daylight) occurrence. */
export function isDaylightAtLocal(z: ZoneInfo, localMs: number): boolean {
  if (!hasDaylight(z)) return false;
  const year = yearOf(localMs);
  const start = ruleLocalMs(z.daylightDate, year);
  const end = ruleLocalMs(z.standardDate, year);
  return start < end ? localMs >= start && localMs < end : localMs >= start || localMs < end;
}

export function utcToLocalMs(z: ZoneInfo, utcMs: number): number {
  return utcMs - (z.bias + (isDaylightAtUtc(z, utcMs) ? z.daylightBias : z.standardBias)) * MINUTE_MS;
}

export function localToUtcMs(z: ZoneInfo, localMs: number): number {
  return localMs + (z.bias + (isDaylightAtLocal(z, localMs) ? z.daylightBias : z.standardBias)) * MINUTE_MS;
}

/** Offset changes of one year (local dates in `year`), as the host reports them. */
export type ChangesOfYear = (year: number) => readonly { at: number; before: number; after: number }[];

/**
 * A zone's TIME_ZONE_INFORMATION for one year from its offset changes: the lower of the two
 * offsets is standard time (so the southern hemisphere's daylight period spans the new year);
 * DaylightDate is the first change into daylight time, on the standard clock, StandardDate the
 * first change out of it, on the daylight clock. A year with no change, or a lasting change of
 * the base offset, has no daylight time.
 */
export function zoneRulesOfYear(year: number, changes: ChangesOfYear, offsetAt: (utcMs: number) => number): Pick<ZoneInfo, 'bias' | 'standardBias' | 'daylightBias' | 'standardDate' | 'daylightDate'> {
  const all = changes(year);
  const offsets = all.flatMap((c) => [c.before, c.after]);
  const std = Math.min(...offsets);
  const dst = Math.max(...offsets);
  const into = all.find((c) => c.after === dst && c.before < dst);
  const out = all.find((c) => c.before === dst && c.after < dst);
  if (!into || !out) {
    const endOfYear = Date.UTC(year, 11, 31, 12);
    return { bias: -offsetAt(endOfYear), standardBias: 0, daylightBias: 0, standardDate: ZERO_SYSTEMTIME, daylightDate: ZERO_SYSTEMTIME };
  }
  return {
    bias: -std,
    standardBias: 0,
    daylightBias: -(dst - std),
    daylightDate: dayOfWeekRule(fieldsOfMs(into.at + into.before * MINUTE_MS)),
    standardDate: dayOfWeekRule(fieldsOfMs(out.at + out.before * MINUTE_MS)),
  };
}

/** Offset changes whose local date lies in `year` (a day of margin covers every offset). */
function hostChanges(zone: string | undefined): ChangesOfYear {
  return (year) => {
    const from = Date.UTC(year, 0, 1) - 86_400_000;
    const to = Date.UTC(year + 1, 0, 1) + 86_400_000;
    return offsetChanges(from, to, zone).filter((c) => yearOf(c.at + c.before * MINUTE_MS) === year);
  };
}

/** Names for a zone Windows has no key for: the host's own long names. */
function hostNames(zone: string | undefined, rules: ReturnType<typeof zoneRulesOfYear>, year: number): [string, string] {
  const mid = (ms: number): number => ms + 14 * 86_400_000;
  if (!hasDaylight(rules)) {
    const n = zoneLongName(Date.UTC(year, 0, 15), zone);
    return [n, n];
  }
  const dstStart = ruleLocalMs(rules.daylightDate, year) + rules.bias * MINUTE_MS;
  const stdStart = ruleLocalMs(rules.standardDate, year) + (rules.bias + rules.daylightBias) * MINUTE_MS;
  return [zoneLongName(mid(stdStart), zone), zoneLongName(mid(dstStart), zone)];
}

/** Windows' zone data starts in the 2000s and applies its first year's rules to every year
 *  before; winrun uses the host's history back to 1970, and 1970's rules before that (earlier
 *  years bring local mean time and wartime rules no Windows program expects). */
const FIRST_PROBED_YEAR = 1970;

/**
 * The zone as Windows would describe it for `year`: the host zone (`zone` undefined) or an
 * IANA zone. Names and key come from the Windows key CLDR maps the zone to; a zone without
 * one is named by the host (its key name is then its standard name).
 */
const zoneInfoCache = new Map<string, ZoneInfo>();

export function zoneInfo(wantedYear: number, zone?: string): ZoneInfo {
  const year = Math.max(wantedYear, FIRST_PROBED_YEAR);
  const cacheKey = `${year}|${zone ?? ''}`;
  const hit = zoneInfoCache.get(cacheKey);
  if (hit) return hit;
  const info = describeZone(year, zone);
  zoneInfoCache.set(cacheKey, info);
  return info;
}

function describeZone(year: number, zone: string | undefined): ZoneInfo {
  const rules = zoneRulesOfYear(year, hostChanges(zone), (ms) => utcOffsetMinutes(ms, zone));
  const id = zone ?? hostZoneId() ?? (utcOffsetMinutes(Date.now()) === 0 ? 'UTC' : undefined);
  const key = id === undefined ? undefined : windowsZoneKey(id);
  const [standardName, daylightName] = key !== undefined ? windowsZoneNames(key) : hostNames(zone, rules, year);
  // Windows' zone data keeps a daylight bias of -60 even for keys without daylight time,
  // except the UTC keys.
  const daylightBias = hasDaylight(rules) || key === undefined || key.startsWith('UTC') ? rules.daylightBias : -60;
  return { ...rules, daylightBias, standardName, daylightName, keyName: key ?? standardName, dynamicDaylightTimeDisabled: false };
}

/** The IANA zone behind a Windows key: undefined for the host zone's own key, null when the
 *  key is unknown. */
export function zoneOfKey(key: string): string | undefined | null {
  const iana = ianaZoneOf(key);
  const hostKey = zoneInfo(yearOf(Date.now())).keyName;
  if (hostKey.toUpperCase() === key.toUpperCase()) return undefined;
  return iana !== undefined && zoneKnown(iana) ? iana : null;
}

/** The host zone's current TIME_ZONE_ID_* and its information for the current year. */
export function currentZone(nowMs: number): { info: ZoneInfo; id: number } {
  const offset = utcOffsetMinutes(nowMs);
  const info = zoneInfo(yearOf(nowMs + offset * MINUTE_MS));
  const id = !hasDaylight(info) ? TIME_ZONE_ID_UNKNOWN : isDaylightAtUtc(info, nowMs) ? TIME_ZONE_ID_DAYLIGHT : TIME_ZONE_ID_STANDARD;
  return { info, id };
}

/** UTC → local time with the rules of the zone (host zone when undefined) for the year in
 *  question, as SystemTimeToTzSpecificLocalTime does without a TIME_ZONE_INFORMATION. */
export function zoneUtcToLocalMs(utcMs: number, zone?: string): number {
  const guess = utcMs + utcOffsetMinutes(utcMs, zone) * MINUTE_MS;
  return utcToLocalMs(zoneInfo(yearOf(guess), zone), utcMs);
}

export function zoneLocalToUtcMs(localMs: number, zone?: string): number {
  return localToUtcMs(zoneInfo(yearOf(localMs), zone), localMs);
}

/** Minutes east of UTC in the host zone now (what FileTimeToLocalFileTime applies). */
export function currentOffsetMinutes(nowMs: number): number {
  return utcOffsetMinutes(nowMs);
}
