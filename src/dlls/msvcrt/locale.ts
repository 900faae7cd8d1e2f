/**
 * Locales (locale.h, mbctype.h): setlocale with the "C" locale, the user default, English with
 * code page 1252, and UTF-8 (".UTF8", UCRT only, as on Windows 10 1803+); the queries that
 * follow LC_CTYPE (___lc_codepage_func, ___mb_cur_max_func), localeconv, _getmbcp/_setmbcp.
 * The state is per process, in the CRT block.
 */
import type { ApiContext } from '../types.js';
import { CRT, crt } from './crtdata.js';
import { EINVAL } from './lowio.js';
import { setErrno } from './memory.js';

const LC_ALL = 0;
const LC_MAX = 5;
const CATEGORY_NAMES = ['', 'LC_COLLATE', 'LC_CTYPE', 'LC_MONETARY', 'LC_NUMERIC', 'LC_TIME'];
const UTF8 = 65001;

function nameOf(cp: number): string {
  if (cp === 0) return 'C';
  return cp === UTF8 ? 'English_United States.utf8' : `English_United States.${cp}`;
}

/** The code page a locale name selects, or undefined when it is not supported. */
function parseLocale(name: string, ucrt: boolean, userDefault: number): number | undefined {
  if (name === 'C') return 0;
  if (name === '') return userDefault;
  const m = /^(english|english_united states|en-us|en_us|)(?:\.(.*))?$/i.exec(name);
  if (!m) return undefined;
  const cp = (m[2] ?? '').toLowerCase();
  if (cp === 'utf8' || cp === 'utf-8' || cp === '65001') return ucrt ? UTF8 : undefined;
  if (cp === '' || cp === '1252' || cp === 'acp') return m[1] === '' && cp === '' ? undefined : 1252;
  return undefined;
}

const cps = (ctx: ApiContext): number => crt(ctx, CRT.LocaleCp);

export function categoryCp(ctx: ApiContext, category: number): number {
  return ctx.mem.u32(cps(ctx) + 4 * category);
}

function queryName(ctx: ApiContext, category: number): string {
  if (category !== LC_ALL) return nameOf(categoryCp(ctx, category));
  const all = [1, 2, 3, 4, 5].map((c) => categoryCp(ctx, c));
  if (all.every((c) => c === all[0])) return nameOf(all[0]!);
  return all.map((c, i) => `${CATEGORY_NAMES[i + 1]}=${nameOf(c)}`).join(';');
}

/** setlocale's work, shared by the narrow and wide forms: the name to return, or undefined. */
function setLocale(ctx: ApiContext, category: number, name: string | null, ucrt: boolean): string | undefined {
  if (category < LC_ALL || category > LC_MAX) return undefined;
  if (name !== null) {
    // The user default follows the ANSI code page, UTF-8 (DESIGN.md §7), which only the UCRT
    // can use as a locale: msvcrt's setlocale(LC_ALL, "") fails and leaves "C" in place.
    const cp = parseLocale(name, ucrt, UTF8);
    if (cp === undefined) return undefined;
    if (category === LC_ALL) for (let c = 1; c <= LC_MAX; c++) ctx.mem.setU32(cps(ctx) + 4 * c, cp);
    else ctx.mem.setU32(cps(ctx) + 4 * category, cp);
  }
  return queryName(ctx, category);
}

function setlocaleImpl(ctx: ApiContext, category: number, locale: number, ucrt: boolean): number {
  const name = locale === 0 ? null : new TextDecoder().decode(ctx.mem.cstringBytes(locale));
  const r = setLocale(ctx, category, name, ucrt);
  if (r === undefined) return 0;
  const buf = crt(ctx, CRT.LocaleName) + 256 * category;
  ctx.mem.writeCString(buf, new TextEncoder().encode(r.slice(0, 255)));
  return buf;
}

function wsetlocaleImpl(ctx: ApiContext, category: number, locale: number, ucrt: boolean): number {
  const r = setLocale(ctx, category, locale === 0 ? null : ctx.mem.wstring(locale), ucrt);
  if (r === undefined) return 0;
  const buf = crt(ctx, CRT.LocaleNameW) + 512 * category;
  ctx.mem.writeWString(buf, r.slice(0, 255));
  return buf;
}

export const setlocaleMsvcrt = (ctx: ApiContext, c: number, l: number): number => setlocaleImpl(ctx, c, l, false);
export const setlocaleUcrt = (ctx: ApiContext, c: number, l: number): number => setlocaleImpl(ctx, c, l, true);
export const wsetlocaleMsvcrt = (ctx: ApiContext, c: number, l: number): number => wsetlocaleImpl(ctx, c, l, false);
export const wsetlocaleUcrt = (ctx: ApiContext, c: number, l: number): number => wsetlocaleImpl(ctx, c, l, true);

/** The code page of LC_CTYPE: 0 in the "C" locale. */
export const ___lc_codepage_func = (ctx: ApiContext): number => categoryCp(ctx, 2);
/** MB_CUR_MAX: 4 in a UTF-8 locale, else 1. */
export const ___mb_cur_max_func = (ctx: ApiContext): number => (categoryCp(ctx, 2) === UTF8 ? 4 : 1);

/** struct lconv of the "C" locale (the English locales format numbers the same way here):
 *  decimal_point ".", the other strings empty, the char fields CHAR_MAX. */
export function localeconv(ctx: ApiContext): number {
  const at = crt(ctx, CRT.Lconv);
  const m = ctx.mem;
  if (m.u8(at + 0xa0) === 0) {
    const strings = at + 0x98;
    m.writeCString(strings, new TextEncoder().encode('.'));
    m.setU8(strings + 2, 0);
    for (let i = 0; i < 10; i++) m.setU64(at + 8 * i, i === 0 ? strings : strings + 2);
    for (let i = 0x50; i < 0x58; i++) m.setU8(at + i, 127);
    // The wide decimal point and thousands separator (UCRT's _W_decimal_point …).
    m.setU8(at + 0xa0, 1);
  }
  return at;
}

export const _getmbcp = (ctx: ApiContext): number => ctx.mem.u32(crt(ctx, CRT.Mbcp));

/** _setmbcp: the "C" single-byte code page (0), or a code page the text layer knows; UTF-8 is
 *  not a multibyte code page here, as on Windows. */
export function _setmbcp(ctx: ApiContext, cp: number): number {
  const _MB_CP_SBCS = 0;
  const _MB_CP_ANSI = -3;
  const _MB_CP_OEM = -2;
  const _MB_CP_LOCALE = -4;
  let v = cp;
  if (cp === _MB_CP_ANSI || cp === _MB_CP_OEM || cp === _MB_CP_LOCALE) v = 0;
  if (v !== _MB_CP_SBCS && v !== 1252 && v !== 437 && v !== 850) {
    setErrno(ctx, EINVAL);
    return -1;
  }
  ctx.mem.setU32(crt(ctx, CRT.Mbcp), v);
  return 0;
}

export const __lconv_init = (): number => 0;
