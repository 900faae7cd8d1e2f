/**
 * The locale winrun's processes run in: English (United States), LCID 0x409, plus the
 * invariant locale (0x7F). GetLocaleInfo*, the default-locale getters and the LCID ↔ name
 * conversions (winnls.h). Values are Windows 10's for en-US (checked against Wine).
 */
import type { ApiContext } from '../types.js';
import { ERROR_INSUFFICIENT_BUFFER, ERROR_INVALID_FLAGS, ERROR_INVALID_PARAMETER } from './errors.js';
import { guarded, stringToUnits, unitsToAnsi, writeUnits } from './text.js';

export const LOCALE_EN_US = 0x409;
export const LOCALE_INVARIANT = 0x7f;
const LOCALE_NAME = 'en-US';

const LOCALE_NOUSEROVERRIDE = 0x80000000;
const LOCALE_USE_CP_ACP = 0x40000000;
const LOCALE_RETURN_NUMBER = 0x20000000;
const LOCALE_RETURN_GENITIVE_NAMES = 0x10000000;
const LOCALE_ALLOW_NEUTRAL_NAMES = 0x08000000;
const MODIFIERS = LOCALE_NOUSEROVERRIDE | LOCALE_USE_CP_ACP | LOCALE_RETURN_NUMBER | LOCALE_RETURN_GENITIVE_NAMES | LOCALE_ALLOW_NEUTRAL_NAMES;

const DAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** LCTYPE → en-US value. Types whose name starts with I are numbers (LOCALE_RETURN_NUMBER). */
const EN_US = new Map<number, string>([
  [0x01, '0409'], // LOCALE_ILANGUAGE (hexadecimal)
  [0x02, 'English (United States)'], // LOCALE_SLANGUAGE / SLOCALIZEDDISPLAYNAME
  [0x03, 'ENU'], // LOCALE_SABBREVLANGNAME
  [0x04, 'English'], // LOCALE_SNATIVELANGNAME
  [0x05, '1'], // LOCALE_ICOUNTRY
  [0x06, 'United States'], // LOCALE_SCOUNTRY
  [0x07, 'USA'], // LOCALE_SABBREVCTRYNAME
  [0x08, 'United States'], // LOCALE_SNATIVECTRYNAME
  [0x09, '0409'], // LOCALE_IDEFAULTLANGUAGE (hexadecimal)
  [0x0a, '1'], // LOCALE_IDEFAULTCOUNTRY
  [0x0b, '437'], // LOCALE_IDEFAULTCODEPAGE
  [0x0c, ','], // LOCALE_SLIST
  [0x0d, '1'], // LOCALE_IMEASURE
  [0x0e, '.'], // LOCALE_SDECIMAL
  [0x0f, ','], // LOCALE_STHOUSAND
  [0x10, '3;0'], // LOCALE_SGROUPING
  [0x11, '2'], // LOCALE_IDIGITS
  [0x12, '1'], // LOCALE_ILZERO
  [0x13, '0123456789'], // LOCALE_SNATIVEDIGITS
  [0x14, '$'], // LOCALE_SCURRENCY
  [0x15, 'USD'], // LOCALE_SINTLSYMBOL
  [0x16, '.'], // LOCALE_SMONDECIMALSEP
  [0x17, ','], // LOCALE_SMONTHOUSANDSEP
  [0x18, '3;0'], // LOCALE_SMONGROUPING
  [0x19, '2'], // LOCALE_ICURRDIGITS
  [0x1a, '2'], // LOCALE_IINTLCURRDIGITS
  [0x1b, '0'], // LOCALE_ICURRENCY
  [0x1c, '0'], // LOCALE_INEGCURR
  [0x1d, '/'], // LOCALE_SDATE
  [0x1e, ':'], // LOCALE_STIME
  [0x1f, 'M/d/yyyy'], // LOCALE_SSHORTDATE
  [0x20, 'dddd, MMMM d, yyyy'], // LOCALE_SLONGDATE
  [0x21, '0'], // LOCALE_IDATE
  [0x22, '0'], // LOCALE_ILDATE
  [0x23, '0'], // LOCALE_ITIME
  [0x24, '1'], // LOCALE_ICENTURY
  [0x25, '0'], // LOCALE_ITLZERO
  [0x26, '0'], // LOCALE_IDAYLZERO
  [0x27, '0'], // LOCALE_IMONLZERO
  [0x28, 'AM'], // LOCALE_S1159
  [0x29, 'PM'], // LOCALE_S2359
  ...DAYS.map((d, i): [number, string] => [0x2a + i, d]), // LOCALE_SDAYNAME1..7
  ...DAYS.map((d, i): [number, string] => [0x31 + i, d.slice(0, 3)]), // LOCALE_SABBREVDAYNAME1..7
  ...MONTHS.map((m, i): [number, string] => [0x38 + i, m]), // LOCALE_SMONTHNAME1..12
  ...MONTHS.map((m, i): [number, string] => [0x44 + i, m.slice(0, 3)]), // LOCALE_SABBREVMONTHNAME1..12
  [0x50, ''], // LOCALE_SPOSITIVESIGN
  [0x51, '-'], // LOCALE_SNEGATIVESIGN
  [0x52, '3'], // LOCALE_IPOSSIGNPOSN
  [0x53, '0'], // LOCALE_INEGSIGNPOSN
  [0x54, '1'], // LOCALE_IPOSSYMPRECEDES
  [0x55, '0'], // LOCALE_IPOSSEPBYSPACE
  [0x56, '1'], // LOCALE_INEGSYMPRECEDES
  [0x57, '0'], // LOCALE_INEGSEPBYSPACE
  [0x59, 'en'], // LOCALE_SISO639LANGNAME
  [0x5a, 'US'], // LOCALE_SISO3166CTRYNAME
  [0x5b, '244'], // LOCALE_IGEOID
  [0x5c, LOCALE_NAME], // LOCALE_SNAME
  [0x5d, 'h:mm:ss'], // LOCALE_SDURATION
  [0x5e, '0409:00000409'], // LOCALE_SKEYBOARDSTOINSTALL
  ...DAYS.map((d, i): [number, string] => [0x60 + i, d.slice(0, 2)]), // LOCALE_SSHORTESTDAYNAME1..7
  [0x67, 'eng'], // LOCALE_SISO639LANGNAME2
  [0x68, 'USA'], // LOCALE_SISO3166CTRYNAME2
  [0x69, 'NaN'], // LOCALE_SNAN
  [0x6a, 'Infinity'], // LOCALE_SPOSINFINITY
  [0x6b, '-Infinity'], // LOCALE_SNEGINFINITY
  [0x6c, 'Latn;'], // LOCALE_SSCRIPTS
  [0x6d, 'en'], // LOCALE_SPARENT
  [0x6e, LOCALE_NAME], // LOCALE_SCONSOLEFALLBACKNAME
  [0x6f, 'English'], // LOCALE_SLOCALIZEDLANGUAGENAME
  [0x70, '0'], // LOCALE_IREADINGLAYOUT
  [0x71, '0'], // LOCALE_INEUTRAL
  [0x72, 'English (United States)'], // LOCALE_SENGLISHDISPLAYNAME
  [0x73, 'English (United States)'], // LOCALE_SNATIVEDISPLAYNAME
  [0x74, '1'], // LOCALE_INEGATIVEPERCENT
  [0x75, '0'], // LOCALE_IPOSITIVEPERCENT
  [0x76, '%'], // LOCALE_SPERCENT
  [0x77, '\u2030'], // LOCALE_SPERMILLE
  [0x78, 'MMMM d'], // LOCALE_SMONTHDAY
  [0x79, 'h:mm tt'], // LOCALE_SSHORTTIME
  [0x7a, 'ENU'], // LOCALE_SOPENTYPELANGUAGETAG
  [0x7b, LOCALE_NAME], // LOCALE_SSORTLOCALE
  [0x1001, 'English'], // LOCALE_SENGLANGUAGE
  [0x1002, 'United States'], // LOCALE_SENGCOUNTRY
  [0x1003, 'h:mm:ss tt'], // LOCALE_STIMEFORMAT
  [0x1004, '1252'], // LOCALE_IDEFAULTANSICODEPAGE
  [0x1005, '0'], // LOCALE_ITIMEMARKPOSN
  [0x1006, 'MMMM yyyy'], // LOCALE_SYEARMONTH
  [0x1007, 'US Dollar'], // LOCALE_SENGCURRNAME
  [0x1008, 'US Dollar'], // LOCALE_SNATIVECURRNAME
  [0x1009, '1'], // LOCALE_ICALENDARTYPE
  [0x100a, '1'], // LOCALE_IPAPERSIZE
  [0x100b, '0'], // LOCALE_IOPTIONALCALENDAR
  [0x100c, '6'], // LOCALE_IFIRSTDAYOFWEEK
  [0x100d, '0'], // LOCALE_IFIRSTWEEKOFYEAR
  [0x100e, ''], // LOCALE_SMONTHNAME13
  [0x100f, ''], // LOCALE_SABBREVMONTHNAME13
  [0x1010, '1'], // LOCALE_INEGNUMBER
  [0x1011, '10000'], // LOCALE_IDEFAULTMACCODEPAGE
  [0x1012, '037'], // LOCALE_IDEFAULTEBCDICCODEPAGE
  [0x1013, 'Default'], // LOCALE_SSORTNAME
  [0x1014, '1'], // LOCALE_IDIGITSUBSTITUTION
]);

/** Where the invariant locale differs from en-US. */
const INVARIANT = new Map<number, string>([
  [0x01, '007f'],
  [0x02, 'Invariant Language (Invariant Country)'],
  [0x03, 'IVL'],
  [0x04, 'Invariant Language'],
  [0x06, 'Invariant Country'],
  [0x07, 'IVC'],
  [0x08, 'Invariant Country'],
  [0x09, '007f'],
  [0x14, '\u00a4'],
  [0x15, 'XDR'],
  [0x1f, 'MM/dd/yyyy'],
  [0x20, 'dddd, dd MMMM yyyy'],
  [0x59, 'iv'],
  [0x5a, 'IV'],
  [0x5c, ''],
  [0x6d, ''],
  [0x6f, 'Invariant Language'],
  [0x72, 'Invariant Language (Invariant Country)'],
  [0x73, 'Invariant Language (Invariant Country)'],
  [0x1001, 'Invariant Language'],
  [0x1002, 'Invariant Country'],
  [0x1003, 'HH:mm:ss'],
]);

const HEX_TYPES = new Set([0x01, 0x09]);
const NUMERIC_TYPES = new Set([0x01, 0x05, 0x09, 0x0a, 0x0b, 0x0d, 0x11, 0x12, 0x19, 0x1a, 0x1b, 0x1c, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x5b, 0x70, 0x71, 0x74, 0x75, 0x1004, 0x1005, 0x1009, 0x100a, 0x100b, 0x100c, 0x100d, 0x1010, 0x1011, 0x1012, 0x1014]);

export type Locale = 'en-US' | 'invariant';

/** The locale an LCID names: the defaults and 0x409 are en-US. */
export function localeOf(lcid: number): Locale | undefined {
  switch (lcid >>> 0) {
    case 0x0000: // LOCALE_NEUTRAL
    case 0x0400: // LOCALE_USER_DEFAULT
    case 0x0800: // LOCALE_SYSTEM_DEFAULT
    case 0x0c00: // LOCALE_CUSTOM_DEFAULT
    case 0x1000: // LOCALE_CUSTOM_UNSPECIFIED
    case 0x1400: // LOCALE_CUSTOM_UI_DEFAULT
    case LOCALE_EN_US:
      return 'en-US';
    case LOCALE_INVARIANT:
      return 'invariant';
    default:
      return undefined;
  }
}

/** The locale a name names: NULL is the user default, "" the invariant locale. */
export function localeOfName(name: string | null): Locale | undefined {
  if (name === null) return 'en-US';
  if (name === '') return 'invariant';
  const n = name.toLowerCase();
  return n === 'en-us' || n === 'en' || n === '!x-sys-default-locale' ? 'en-US' : undefined;
}

/** The value of an LCTYPE (without modifiers), or undefined for an unknown type. */
export function localeValue(locale: Locale, type: number): string | undefined {
  return (locale === 'invariant' ? INVARIANT.get(type) : undefined) ?? EN_US.get(type);
}

function fail(ctx: ApiContext, error: number): number {
  ctx.setLastError(error);
  return 0;
}

/** GetLocaleInfoW/A/Ex: `wide` decides whether the answer is UTF-16 or ANSI. */
function getLocaleInfo(ctx: ApiContext, locale: Locale | undefined, lctype: number, buf: number, cch: number, wide: boolean): number {
  if (cch < 0 || (cch > 0 && buf === 0)) return fail(ctx, ERROR_INVALID_PARAMETER);
  if (!locale) return fail(ctx, ERROR_INVALID_PARAMETER);
  const type = (lctype & ~MODIFIERS) >>> 0;
  const value = localeValue(locale, type);
  if (value === undefined) return fail(ctx, ERROR_INVALID_FLAGS);
  return guarded(ctx, () => {
    if ((lctype & LOCALE_RETURN_NUMBER) !== 0) {
      if (!NUMERIC_TYPES.has(type)) return fail(ctx, ERROR_INVALID_FLAGS);
      const size = wide ? 2 : 4; // a DWORD, counted in characters
      if (cch === 0) return size;
      if (cch < size) return fail(ctx, ERROR_INSUFFICIENT_BUFFER);
      ctx.mem.setU32(buf, parseInt(value, HEX_TYPES.has(type) ? 16 : 10));
      return size;
    }
    const out = wide ? stringToUnits(value + '\0') : unitsToAnsi(ctx, stringToUnits(value + '\0'));
    if (cch === 0) return out.length;
    if (cch < out.length) return fail(ctx, ERROR_INSUFFICIENT_BUFFER);
    if (out instanceof Uint16Array) writeUnits(ctx, buf, out);
    else ctx.mem.write(buf, out);
    return out.length;
  });
}

export function GetLocaleInfoW(ctx: ApiContext, lcid: number, lctype: number, buf: number, cch: number): number {
  return getLocaleInfo(ctx, localeOf(lcid), lctype, buf, cch, true);
}

export function GetLocaleInfoA(ctx: ApiContext, lcid: number, lctype: number, buf: number, cch: number): number {
  return getLocaleInfo(ctx, localeOf(lcid), lctype, buf, cch, false);
}

export function GetLocaleInfoEx(ctx: ApiContext, name: number, lctype: number, buf: number, cch: number): number {
  return guarded(ctx, () => getLocaleInfo(ctx, localeOfName(name === 0 ? null : ctx.mem.wstring(name)), lctype, buf, cch, true));
}

export function GetUserDefaultLCID(): number {
  return LOCALE_EN_US;
}
export const GetSystemDefaultLCID = GetUserDefaultLCID;
export const GetThreadLocale = GetUserDefaultLCID;
export const GetUserDefaultLangID = GetUserDefaultLCID;
export const GetSystemDefaultLangID = GetUserDefaultLCID;
export const GetUserDefaultUILanguage = GetUserDefaultLCID;
export const GetSystemDefaultUILanguage = GetUserDefaultLCID;

export function IsValidLocale(_ctx: ApiContext, lcid: number, _flags: number): number {
  return localeOf(lcid) ? 1 : 0;
}

export function IsValidLocaleName(ctx: ApiContext, name: number): number {
  return guarded(ctx, () => (name !== 0 && localeOfName(ctx.mem.wstring(name)) ? 1 : 0));
}

/** Writes a locale name the way the name getters do: the length with the NUL, or 0 and
 *  ERROR_INSUFFICIENT_BUFFER when it does not fit (a zero size asks for the length). */
function putName(ctx: ApiContext, name: string, buf: number, cch: number): number {
  if (cch < 0 || (cch > 0 && buf === 0)) return fail(ctx, ERROR_INVALID_PARAMETER);
  const n = name.length + 1;
  if (cch === 0) return n;
  if (cch < n) return fail(ctx, ERROR_INSUFFICIENT_BUFFER);
  return guarded(ctx, () => {
    ctx.mem.writeWString(buf, name);
    return n;
  });
}

export function GetUserDefaultLocaleName(ctx: ApiContext, buf: number, cch: number): number {
  return putName(ctx, LOCALE_NAME, buf, cch);
}
export const GetSystemDefaultLocaleName = GetUserDefaultLocaleName;

export function LCIDToLocaleName(ctx: ApiContext, lcid: number, buf: number, cch: number, _flags: number): number {
  const locale = localeOf(lcid);
  if (!locale) return fail(ctx, ERROR_INVALID_PARAMETER);
  return putName(ctx, locale === 'invariant' ? '' : LOCALE_NAME, buf, cch);
}

export function LocaleNameToLCID(ctx: ApiContext, name: number, _flags: number): number {
  return guarded(ctx, () => {
    const locale = localeOfName(name === 0 ? null : ctx.mem.wstring(name));
    if (!locale) return fail(ctx, ERROR_INVALID_PARAMETER);
    return locale === 'invariant' ? LOCALE_INVARIANT : LOCALE_EN_US;
  });
}
