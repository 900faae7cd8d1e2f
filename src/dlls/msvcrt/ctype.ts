/**
 * <ctype.h> in the "C" locale. The classification table is msvcrt's (_pctype): one 16-bit mask
 * per character with _UPPER 1, _LOWER 2, _DIGIT 4, _SPACE 8, _PUNCT 0x10, _CONTROL 0x20,
 * _BLANK 0x40, _HEX 0x80, _ALPHA 0x100; characters 0x80-0xff have none.
 */
import type { ApiContext } from '../types.js';
import { CRT, crt } from './crtdata.js';

export const _UPPER = 0x1;
export const _LOWER = 0x2;
export const _DIGIT = 0x4;
export const _SPACE = 0x8;
export const _PUNCT = 0x10;
export const _CONTROL = 0x20;
export const _BLANK = 0x40;
export const _HEX = 0x80;
export const _ALPHA = 0x100;

/** The mask of one character in the "C" locale. */
export function ctypeMask(c: number): number {
  if (c < 0 || c > 0x7f) return 0;
  let m = 0;
  if (c < 0x20 || c === 0x7f) m |= _CONTROL;
  if ((c >= 9 && c <= 13) || c === 0x20) m |= _SPACE;
  if (c === 9 || c === 0x20) m |= _BLANK;
  if (c >= 0x30 && c <= 0x39) m |= _DIGIT | _HEX;
  if (c >= 0x41 && c <= 0x5a) m |= _UPPER | _ALPHA;
  if (c >= 0x61 && c <= 0x7a) m |= _LOWER | _ALPHA;
  if ((c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66)) m |= _HEX;
  if (c > 0x20 && c < 0x7f && !(m & (_DIGIT | _ALPHA))) m |= _PUNCT;
  return m;
}

/** The address _pctype / __pctype_func() give: entry 0 of the table (entry -1, EOF, is
 *  just before it), built in the CRT data block on first use. */
export function pctype(ctx: ApiContext): number {
  const at = crt(ctx, CRT.CtypeTable);
  if (ctx.mem.u16(at + 2 + 2 * 0x41) === 0) {
    const t = new Uint16Array(257);
    for (let c = 0; c < 256; c++) t[c + 1] = ctypeMask(c);
    ctx.mem.write(at, new Uint8Array(t.buffer));
  }
  return at + 2;
}

const is = (mask: number) => (_ctx: ApiContext, c: number): number => ctypeMask(c) & mask;

export const isalpha = is(_ALPHA);
export const isupper = is(_UPPER);
export const islower = is(_LOWER);
export const isdigit = is(_DIGIT);
export const isxdigit = is(_HEX);
export const isspace = is(_SPACE);
export const ispunct = is(_PUNCT);
export const iscntrl = is(_CONTROL);
export const isalnum = is(_ALPHA | _DIGIT);
export const isprint = (_ctx: ApiContext, c: number): number => (c >= 0x20 && c < 0x7f ? ctypeMask(c) & (_BLANK | _PUNCT | _ALPHA | _DIGIT) : 0);
export const isgraph = (_ctx: ApiContext, c: number): number => (c > 0x20 && c < 0x7f ? ctypeMask(c) & (_PUNCT | _ALPHA | _DIGIT) : 0);
export const _isctype = (_ctx: ApiContext, c: number, mask: number): number => ctypeMask(c) & mask;
export const toupper = (_ctx: ApiContext, c: number): number => (c >= 0x61 && c <= 0x7a ? c - 32 : c);
export const tolower = (_ctx: ApiContext, c: number): number => (c >= 0x41 && c <= 0x5a ? c + 32 : c);

/** Wide classification for the characters JS knows (Unicode). */
export function wmask(c: number): number {
  if (c < 0x80) return ctypeMask(c);
  const ch = String.fromCharCode(c);
  let m = 0;
  if (/\p{Lu}/u.test(ch)) m |= _UPPER | _ALPHA;
  else if (/\p{Ll}/u.test(ch)) m |= _LOWER | _ALPHA;
  else if (/\p{L}/u.test(ch)) m |= _ALPHA;
  if (/\p{Nd}/u.test(ch)) m |= _DIGIT;
  if (/\s/u.test(ch)) m |= _SPACE;
  if (/\p{P}|\p{S}/u.test(ch)) m |= _PUNCT;
  if (/\p{Cc}/u.test(ch)) m |= _CONTROL;
  return m;
}

export const iswctype = (_ctx: ApiContext, c: number, mask: number): number => wmask(c & 0xffff) & mask;
export const iswalpha = (_ctx: ApiContext, c: number): number => wmask(c & 0xffff) & _ALPHA;
export const iswdigit = (_ctx: ApiContext, c: number): number => wmask(c & 0xffff) & _DIGIT;
export const iswspace = (_ctx: ApiContext, c: number): number => wmask(c & 0xffff) & _SPACE;
