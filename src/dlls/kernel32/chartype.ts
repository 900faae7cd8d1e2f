/**
 * Character classification and case mapping of UTF-16 code units, as GetStringTypeW,
 * LCMapStringW and user32's IsChar…/CharUpper… see them. Derived from the Unicode properties
 * JS regular expressions know, shaped to what Windows reports (checked under Wine).
 */

export const C1_UPPER = 0x1;
export const C1_LOWER = 0x2;
export const C1_DIGIT = 0x4;
export const C1_SPACE = 0x8;
export const C1_PUNCT = 0x10;
export const C1_CNTRL = 0x20;
export const C1_BLANK = 0x40;
export const C1_XDIGIT = 0x80;
export const C1_ALPHA = 0x100;
export const C1_DEFINED = 0x200;

// CT_CTYPE2: bidirectional layout classes.
const C2_LEFTTORIGHT = 1;
const C2_RIGHTTOLEFT = 2;
const C2_EUROPENUMBER = 3;
const C2_EUROPESEPARATOR = 4;
const C2_EUROPETERMINATOR = 5;
const C2_ARABICNUMBER = 6;
const C2_COMMONSEPARATOR = 7;
const C2_BLOCKSEPARATOR = 8;
const C2_SEGMENTSEPARATOR = 9;
const C2_WHITESPACE = 10;
const C2_OTHERNEUTRAL = 11;

const C3_NONSPACING = 0x1;
const C3_DIACRITIC = 0x2;
const C3_VOWELMARK = 0x4;
const C3_SYMBOL = 0x8;
const C3_KATAKANA = 0x10;
const C3_HIRAGANA = 0x20;
const C3_HALFWIDTH = 0x40;
const C3_FULLWIDTH = 0x80;
const C3_IDEOGRAPH = 0x100;
const C3_KASHIDA = 0x200;
const C3_LEXICAL = 0x400;
const C3_HIGHSURROGATE = 0x800;
const C3_LOWSURROGATE = 0x1000;
const C3_ALPHA = 0x8000;

const is = (re: RegExp, c: string): boolean => re.test(c);
const UNASSIGNED = /\p{Cn}/u;
const SURROGATE = /[\uD800-\uDFFF]/u;

export function ctype1(unit: number): number {
  const c = String.fromCharCode(unit);
  if (SURROGATE.test(c)) return 0;
  if (is(UNASSIGNED, c)) return 0;
  let t = C1_DEFINED;
  if (is(/\p{Lu}/u, c)) t |= C1_UPPER;
  if (is(/\p{Ll}/u, c)) t |= C1_LOWER;
  if (is(/\p{Nd}/u, c)) t |= C1_DIGIT;
  // Superscript digits count as digits and punctuation.
  else if (unit === 0xb2 || unit === 0xb3 || unit === 0xb9) t |= C1_DIGIT | C1_PUNCT;
  if (is(/\p{White_Space}/u, c)) t |= C1_SPACE;
  if (is(/[\p{P}\p{S}]/u, c)) t |= C1_PUNCT;
  if (is(/\p{Cc}/u, c)) t |= C1_CNTRL;
  if (unit === 0x09 || is(/\p{Zs}/u, c)) t |= C1_BLANK;
  if ((unit >= 0x30 && unit <= 0x39) || (unit >= 0x41 && unit <= 0x46) || (unit >= 0x61 && unit <= 0x66)) t |= C1_XDIGIT;
  if (is(/\p{Alphabetic}/u, c) && !is(/\p{M}/u, c)) t |= C1_ALPHA;
  return t;
}

export function ctype2(unit: number): number {
  const c = String.fromCharCode(unit);
  if (SURROGATE.test(c) || is(UNASSIGNED, c)) return 0;
  if (unit === 0x0a || unit === 0x0d || (unit >= 0x1c && unit <= 0x1e) || unit === 0x85 || unit === 0x2029) return C2_BLOCKSEPARATOR;
  if (unit === 0x09 || unit === 0x0b || unit === 0x1f) return C2_SEGMENTSEPARATOR;
  if (is(/\p{Cc}/u, c)) return 0;
  if (unit === 0xa0 || unit === 0x2c || unit === 0x2e || unit === 0x2f || unit === 0x3a) return C2_COMMONSEPARATOR;
  if (unit === 0x0c || unit === 0x2028 || is(/\p{Zs}/u, c)) return C2_WHITESPACE;
  if (unit === 0x2b || unit === 0x2d) return C2_EUROPESEPARATOR;
  if (is(/[\p{Sc}#%\u00b0\u00b1\u2030]/u, c)) return C2_EUROPETERMINATOR;
  if (is(/\p{Nd}/u, c)) return is(/[\p{Script=Arabic}]/u, c) ? C2_ARABICNUMBER : C2_EUROPENUMBER;
  if (unit === 0xb2 || unit === 0xb3 || unit === 0xb9) return C2_EUROPENUMBER;
  if (is(/[\p{Script=Hebrew}\p{Script=Arabic}\p{Script=Syriac}\p{Script=Thaana}]/u, c) && is(/\p{L}/u, c)) return C2_RIGHTTOLEFT;
  if (is(/[\p{L}\p{Mc}\p{Nl}]/u, c)) return C2_LEFTTORIGHT;
  return C2_OTHERNEUTRAL;
}

export function ctype3(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdbff) return C3_HIGHSURROGATE;
  if (unit >= 0xdc00 && unit <= 0xdfff) return C3_LOWSURROGATE;
  const c = String.fromCharCode(unit);
  if (is(UNASSIGNED, c)) return 0;
  let t = 0;
  const decomposed = c.normalize('NFD');
  if (is(/\p{Mn}/u, c) || (decomposed.length > 1 && is(/\p{Mn}/u, decomposed))) t |= C3_NONSPACING | C3_DIACRITIC;
  if (is(/\p{Mc}/u, c)) t |= C3_VOWELMARK;
  if (is(/[\p{P}\p{S}\p{Zs}\t\n\v\f\r]/u, c)) t |= C3_SYMBOL;
  if (is(/\p{Script=Katakana}/u, c)) t |= C3_KATAKANA;
  if (is(/\p{Script=Hiragana}/u, c)) t |= C3_HIRAGANA;
  if ((unit >= 0x20 && unit <= 0x7e) || (unit >= 0xff61 && unit <= 0xffdc) || (unit >= 0xffe8 && unit <= 0xffee)) t |= C3_HALFWIDTH;
  if ((unit >= 0xff01 && unit <= 0xff5e) || (unit >= 0xffe0 && unit <= 0xffe6) || unit === 0x3000) t |= C3_FULLWIDTH;
  if (is(/\p{Ideographic}/u, c)) t |= C3_IDEOGRAPH;
  if (unit === 0x640) t |= C3_KASHIDA;
  if (is(/\p{Pc}/u, c)) t |= C3_LEXICAL;
  if (is(/\p{Alphabetic}/u, c) && !is(/\p{M}/u, c)) t |= C3_ALPHA;
  return t;
}

/**
 * Windows' simple case mapping: one code unit to one code unit. Mappings that need more than
 * one unit (ß → SS) leave the character alone, and so do the ones that cross into ASCII from
 * outside it (ı → I, ſ → S, K → k), which Windows' casing table does not have.
 */
export function toUpperUnit(unit: number): number {
  return mapUnit(unit, (s) => s.toUpperCase());
}
export function toLowerUnit(unit: number): number {
  return mapUnit(unit, (s) => s.toLowerCase());
}

function mapUnit(unit: number, f: (s: string) => string): number {
  if (unit < 0x80) return (unit >= 0x61 && unit <= 0x7a) || (unit >= 0x41 && unit <= 0x5a) ? f(String.fromCharCode(unit)).charCodeAt(0) : unit;
  if (unit >= 0xd800 && unit <= 0xdfff) return unit;
  const m = f(String.fromCharCode(unit));
  if (m.length !== 1) return unit;
  const r = m.charCodeAt(0);
  return r < 0x80 ? unit : r;
}
