/**
 * String comparison (CompareString*, stringapiset.h / winnls.h). Linguistic order comes from
 * ICU's collator for en-US (Intl.Collator), shaped to Windows' rules: lower case sorts before
 * upper case, and a "word sort" (the default) ignores hyphens and apostrophes except to break
 * ties, where the string that has them sorts after the one that does not.
 */
import type { ApiContext } from '../types.js';
import { toUpperUnit } from './chartype.js';
import { ERROR_INVALID_FLAGS, ERROR_INVALID_PARAMETER } from './errors.js';
import { localeOf, localeOfName } from './locale.js';
import { ansiToUnits, guarded, readBytes, readUnits } from './text.js';
import { unitsToString } from './codepages.js';

export const NORM_IGNORECASE = 0x1;
const NORM_IGNORENONSPACE = 0x2;
const NORM_IGNORESYMBOLS = 0x4;
const SORT_DIGITSASNUMBERS = 0x8;
const LINGUISTIC_IGNORECASE = 0x10;
const LINGUISTIC_IGNOREDIACRITIC = 0x20;
const SORT_STRINGSORT = 0x1000;
const NORM_IGNOREKANATYPE = 0x10000;
const NORM_IGNOREWIDTH = 0x20000;
const NORM_LINGUISTIC_CASING = 0x8000000;
const VALID_FLAGS =
  NORM_IGNORECASE | NORM_IGNORENONSPACE | NORM_IGNORESYMBOLS | SORT_DIGITSASNUMBERS | LINGUISTIC_IGNORECASE | LINGUISTIC_IGNOREDIACRITIC | SORT_STRINGSORT | NORM_IGNOREKANATYPE | NORM_IGNOREWIDTH | NORM_LINGUISTIC_CASING;

/** CSTR_LESS_THAN, CSTR_EQUAL, CSTR_GREATER_THAN are 1, 2, 3: a -1/0/1 comparison plus this. */
const CSTR_EQUAL = 2;

export function validCompareFlags(flags: number): boolean {
  return (flags & ~VALID_FLAGS) === 0;
}

/** Compares two strings the way CompareStringW does for en-US: -1, 0 or 1. */
export function compareStrings(a: string, b: string, flags: number): number {
  const ignoreCase = (flags & (NORM_IGNORECASE | LINGUISTIC_IGNORECASE)) !== 0;
  const ignoreMarks = (flags & (NORM_IGNORENONSPACE | LINGUISTIC_IGNOREDIACRITIC)) !== 0;
  const collator = new Intl.Collator('en-US', {
    usage: 'sort',
    sensitivity: ignoreCase ? (ignoreMarks ? 'base' : 'accent') : ignoreMarks ? 'case' : 'variant',
    caseFirst: 'lower',
    numeric: (flags & SORT_DIGITSASNUMBERS) !== 0,
    ignorePunctuation: (flags & NORM_IGNORESYMBOLS) !== 0,
  });
  if ((flags & NORM_IGNOREWIDTH) !== 0) {
    a = a.normalize('NFKC');
    b = b.normalize('NFKC');
  }
  if ((flags & NORM_IGNOREKANATYPE) !== 0) {
    a = toHiragana(a);
    b = toHiragana(b);
  }
  const sign = (n: number): number => Math.sign(n);
  if ((flags & SORT_STRINGSORT) !== 0) return sign(collator.compare(a, b));
  const strip = (s: string): string => s.replace(/['-]/g, '');
  const sa = strip(a);
  const sb = strip(b);
  const primary = sign(collator.compare(sa, sb));
  if (primary !== 0) return primary;
  const ha = sa.length !== a.length;
  const hb = sb.length !== b.length;
  if (ha !== hb) return ha ? 1 : -1;
  return sign(collator.compare(a, b));
}

function toHiragana(s: string): string {
  return s.replace(/[\u30a1-\u30f6]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0x60));
}

/** CompareStringOrdinal: code units, optionally through the simple upper-case mapping. */
export function compareOrdinal(a: Uint16Array, b: Uint16Array, ignoreCase: boolean): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a[i]!;
    let y = b[i]!;
    if (ignoreCase) {
      x = toUpperUnit(x);
      y = toUpperUnit(y);
    }
    if (x !== y) return x < y ? -1 : 1;
  }
  return Math.sign(a.length - b.length);
}

const strip0 = (u: Uint16Array, len: number): Uint16Array => (len < 0 ? u.subarray(0, u.length - 1) : u);

/** CompareString's argument checks: a known locale, both strings, known flags. */
function compareArgsValid(ctx: ApiContext, valid: boolean, flags: number, s1: number, s2: number): boolean {
  if (!valid || s1 === 0 || s2 === 0) {
    ctx.setLastError(ERROR_INVALID_PARAMETER);
    return false;
  }
  if (!validCompareFlags(flags)) {
    ctx.setLastError(ERROR_INVALID_FLAGS);
    return false;
  }
  return true;
}

function compareW(ctx: ApiContext, valid: boolean, flags: number, s1: number, n1: number, s2: number, n2: number): number {
  if (!compareArgsValid(ctx, valid, flags, s1, s2)) return 0;
  return guarded(ctx, () => {
    const a = unitsToString(strip0(readUnits(ctx, s1, n1), n1));
    const b = unitsToString(strip0(readUnits(ctx, s2, n2), n2));
    return compareStrings(a, b, flags) + CSTR_EQUAL;
  });
}

export function CompareStringW(ctx: ApiContext, lcid: number, flags: number, s1: number, n1: number, s2: number, n2: number): number {
  return compareW(ctx, localeOf(lcid) !== undefined, flags, s1, n1, s2, n2);
}

export function CompareStringEx(ctx: ApiContext, name: number, flags: number, s1: number, n1: number, s2: number, n2: number, version: number, reserved: number, lParam: number): number {
  return guarded(ctx, () => {
    const valid = localeOfName(name === 0 ? null : ctx.mem.wstring(name)) !== undefined && version === 0 && reserved === 0 && lParam === 0;
    return compareW(ctx, valid, flags, s1, n1, s2, n2);
  });
}

export function CompareStringA(ctx: ApiContext, lcid: number, flags: number, s1: number, n1: number, s2: number, n2: number): number {
  if (!compareArgsValid(ctx, localeOf(lcid) !== undefined, flags, s1, s2)) return 0;
  return guarded(ctx, () => {
    const text = (p: number, n: number): string => unitsToString(ansiToUnits(ctx, n < 0 ? ctx.mem.cstringBytes(p) : readBytes(ctx, p, n)));
    return compareStrings(text(s1, n1), text(s2, n2), flags) + CSTR_EQUAL;
  });
}

export function CompareStringOrdinal(ctx: ApiContext, s1: number, n1: number, s2: number, n2: number, ignoreCase: number): number {
  if (s1 === 0 || s2 === 0) {
    ctx.setLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  return guarded(ctx, () => compareOrdinal(strip0(readUnits(ctx, s1, n1), n1), strip0(readUnits(ctx, s2, n2), n2), ignoreCase !== 0) + CSTR_EQUAL);
}

