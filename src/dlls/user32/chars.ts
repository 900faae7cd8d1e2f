/**
 * user32's character functions (winuser.h): CharUpper/CharLower in their string, buffer and
 * single-character forms, CharNext/CharPrev, IsChar*. Narrow forms work in the ANSI code page
 * and change a character only when its new form has the same length in bytes, so a string is
 * always converted in place.
 */
import { ansiCodePage, ansiToUnits, resolveCodePage, unitsToAnsi, readUnits, writeUnits } from '../kernel32/text.js';
import { C1_ALPHA, C1_DIGIT, C1_LOWER, C1_UPPER, ctype1, ctype3, toLowerUnit, toUpperUnit } from '../kernel32/chartype.js';
import { findCodePage, isLeadByte, type CodePage } from '../kernel32/codepages.js';
import type { ApiContext } from '../types.js';

const C3_NONSPACING = 0x1;

/** A pointer argument below 64 KiB is a character in its low word (MAKEINTRESOURCE style). */
const isCharArg = (p: number): boolean => p < 0x10000;

/** The length of the character at bytes[i] in the ANSI code page. */
function charLength(ctx: ApiContext, bytes: Uint8Array, i: number): number {
  const page = ansiCodePage(ctx);
  const b = bytes[i]!;
  if (page.kind === 'dbcs') return isLeadByte(page, b) && i + 1 < bytes.length && bytes[i + 1] !== 0 ? 2 : 1;
  if (page.kind !== 'utf8' || b < 0xc2 || b > 0xf4) return 1;
  const n = b < 0xe0 ? 2 : b < 0xf0 ? 3 : 4;
  for (let k = 1; k < n; k++) if (i + k >= bytes.length || (bytes[i + k]! & 0xc0) !== 0x80) return 1;
  return n;
}

/** Maps each character of ANSI text whose mapped form keeps its byte length. */
function mapAnsi(ctx: ApiContext, bytes: Uint8Array, f: (u: number) => number): Uint8Array {
  const out = bytes.slice();
  for (let i = 0; i < bytes.length; ) {
    const n = charLength(ctx, bytes, i);
    const span = bytes.subarray(i, i + n);
    const units = ansiToUnits(ctx, span);
    const mapped = units.map(f);
    if (mapped.some((u, k) => u !== units[k])) {
      const back = unitsToAnsi(ctx, mapped);
      if (back.length === n) out.set(back, i);
    }
    i += n;
  }
  return out;
}

function charA(ctx: ApiContext, p: number, f: (u: number) => number): number {
  return mapAnsi(ctx, Uint8Array.of(p & 0xff), f)[0]!;
}

function stringA(ctx: ApiContext, p: number, f: (u: number) => number): number {
  if (isCharArg(p)) return charA(ctx, p, f);
  ctx.mem.write(p, mapAnsi(ctx, ctx.mem.cstringBytes(p), f));
  return p;
}

function buffA(ctx: ApiContext, p: number, n: number, f: (u: number) => number): number {
  if (n === 0) return 0;
  ctx.mem.write(p, mapAnsi(ctx, ctx.mem.read(p, n), f));
  return n;
}

function stringW(ctx: ApiContext, p: number, f: (u: number) => number): number {
  if (isCharArg(p)) return f(p & 0xffff);
  writeUnits(ctx, p, ctx.mem.wstringUnits(p).map(f));
  return p;
}

function buffW(ctx: ApiContext, p: number, n: number, f: (u: number) => number): number {
  if (n === 0) return 0;
  writeUnits(ctx, p, readUnits(ctx, p, n).map(f));
  return n;
}

export const CharUpperA = (ctx: ApiContext, p: number): number => stringA(ctx, p, toUpperUnit);
export const CharLowerA = (ctx: ApiContext, p: number): number => stringA(ctx, p, toLowerUnit);
export const CharUpperW = (ctx: ApiContext, p: number): number => stringW(ctx, p, toUpperUnit);
export const CharLowerW = (ctx: ApiContext, p: number): number => stringW(ctx, p, toLowerUnit);
export const CharUpperBuffA = (ctx: ApiContext, p: number, n: number): number => buffA(ctx, p, n, toUpperUnit);
export const CharLowerBuffA = (ctx: ApiContext, p: number, n: number): number => buffA(ctx, p, n, toLowerUnit);
export const CharUpperBuffW = (ctx: ApiContext, p: number, n: number): number => buffW(ctx, p, n, toUpperUnit);
export const CharLowerBuffW = (ctx: ApiContext, p: number, n: number): number => buffW(ctx, p, n, toLowerUnit);

/** The character after `p` in code page `page`: a double-byte character counts as one (UTF-8
 *  has no lead bytes in this sense, so the narrow functions step over single bytes there, as
 *  on Windows). */
function nextIn(ctx: ApiContext, page: CodePage | undefined, p: number): number {
  const b = ctx.mem.u8(p);
  if (b === 0) return p;
  return page?.kind === 'dbcs' && isLeadByte(page, b) && ctx.mem.u8(p + 1) !== 0 ? p + 2 : p + 1;
}

/** The character before `p`, found by walking from `start` (a trail byte can look like a
 *  lead byte, so only a walk from a known boundary is reliable). */
function prevIn(ctx: ApiContext, page: CodePage | undefined, start: number, p: number): number {
  if (p <= start) return start;
  let q = start;
  for (;;) {
    const next = nextIn(ctx, page, q);
    if (next >= p || next === q) return q;
    q = next;
  }
}

/** The code page CharNextExA/CharPrevExA name (0 and the CP_* aliases resolve; an unknown one
 *  behaves as a single-byte code page). */
const pageOf = (ctx: ApiContext, cp: number): CodePage | undefined => findCodePage(resolveCodePage(ctx, cp & 0xffff));

export const CharNextA = (ctx: ApiContext, p: number): number => nextIn(ctx, ansiCodePage(ctx), p);
export const CharPrevA = (ctx: ApiContext, start: number, p: number): number => prevIn(ctx, ansiCodePage(ctx), start, p);
export const CharNextExA = (ctx: ApiContext, cp: number, p: number, _flags: number): number => nextIn(ctx, pageOf(ctx, cp), p);
export const CharPrevExA = (ctx: ApiContext, cp: number, start: number, p: number, _flags: number): number => prevIn(ctx, pageOf(ctx, cp), start, p);

const nonspacing = (u: number): boolean => (ctype3(u) & C3_NONSPACING) !== 0 && (ctype1(u) & C1_ALPHA) === 0;

/** The next character, with the combining marks that follow it: "a" + U+030A advances two
 *  code points, as the documentation describes. */
export function CharNextW(ctx: ApiContext, p: number): number {
  if (ctx.mem.u16(p) === 0) return p;
  let q = p + 2;
  for (let u = ctx.mem.u16(q); u !== 0 && nonspacing(u); u = ctx.mem.u16(q)) q += 2;
  return q;
}

export function CharPrevW(ctx: ApiContext, start: number, p: number): number {
  if (p <= start) return start;
  let q = p - 2;
  while (q > start && nonspacing(ctx.mem.u16(q))) q -= 2;
  return q;
}

const typeW = (mask: number) => (_ctx: ApiContext, ch: number): number => ((ctype1(ch & 0xffff) & mask) !== 0 ? 1 : 0);
const typeA = (mask: number) => (ctx: ApiContext, ch: number): number => {
  const u = ansiToUnits(ctx, Uint8Array.of(ch & 0xff));
  return u.length === 1 && (ctype1(u[0]!) & mask) !== 0 ? 1 : 0;
};

export const IsCharAlphaW = typeW(C1_ALPHA);
export const IsCharAlphaNumericW = typeW(C1_ALPHA | C1_DIGIT);
export const IsCharUpperW = typeW(C1_UPPER);
export const IsCharLowerW = typeW(C1_LOWER);
export const IsCharAlphaA = typeA(C1_ALPHA);
export const IsCharAlphaNumericA = typeA(C1_ALPHA | C1_DIGIT);
export const IsCharUpperA = typeA(C1_UPPER);
export const IsCharLowerA = typeA(C1_LOWER);
