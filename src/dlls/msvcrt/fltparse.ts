// Decimal and hexadecimal digit strings to float and double, correctly rounded (round half to
// even, subnormals included), for strtod and scanf.
//
// The digits are an exact rational m·10^e (or m·2^e); BigInt arithmetic scales it to the
// target precision with one integer division, and the remainder decides the rounding. This is
// exact for any input length, so the result never depends on how JS rounds number literals or
// on a double being rounded again to float (a float is rounded once, from the exact value).

/** The two IEEE binary formats the CRT converts to. */
export interface BinaryFormat {
  /** Significand bits, the hidden bit included. */
  readonly precision: number;
  /** Exponent of the least significant bit of the smallest subnormal. */
  readonly minExponent: number;
  /** Values at or above 2^maxExponent overflow to infinity. */
  readonly maxExponent: number;
}

export const DOUBLE: BinaryFormat = { precision: 53, minExponent: -1074, maxExponent: 1024 };
export const FLOAT: BinaryFormat = { precision: 24, minExponent: -149, maxExponent: 128 };

/**
 * Significant digits kept from a decimal input. The exact midpoint between two doubles has at
 * most 767 significant digits, so a longer input is decided by its first 800 digits plus
 * whether anything non-zero follows (a "sticky" digit).
 */
const MAX_DECIMAL_DIGITS = 800;
/** The same for hexadecimal digits (a double midpoint needs at most 269 of them). */
const MAX_HEX_DIGITS = 300;

function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}

/** Keeps `limit` digits; a non-zero digit beyond them becomes a trailing '1'. Returns the
 *  digits and how many were dropped. */
function truncateDigits(digits: string, limit: number): { kept: string; dropped: number } {
  if (digits.length <= limit) return { kept: digits, dropped: 0 };
  const sticky = /[1-9a-f]/i.test(digits.slice(limit)) ? '1' : '0';
  return { kept: digits.slice(0, limit) + sticky, dropped: digits.length - limit - 1 };
}

/**
 * The float nearest to num/den · 2^exp2 (num ≥ 0, den > 0), ties to even; `negative` gives the
 * sign (also of a zero). Returns a JS number holding the float or double exactly.
 */
export function roundToBinary(negative: boolean, num: bigint, den: bigint, exp2: number, fmt: BinaryFormat): number {
  const sign = negative ? -1 : 1;
  if (num === 0n) return sign * 0;
  // The value lies in [2^k, 2^(k+1)) with k = floor(log2(num/den)) + exp2.
  let k = bitLength(num) - bitLength(den) + exp2;
  if (num << BigInt(Math.max(0, bitLength(den) - bitLength(num))) < den << BigInt(Math.max(0, bitLength(num) - bitLength(den)))) k--;
  if (k >= fmt.maxExponent) return sign * Infinity;
  // Exponent of the result's last bit: precision bits below 2^(k+1), never below the subnormal step.
  const lsb = Math.max(k - fmt.precision + 1, fmt.minExponent);
  if (k < lsb - 1) return sign * 0; // below half the smallest subnormal
  // q = floor(num/den · 2^(exp2 - lsb)), r = the remainder, both exact.
  const shift = exp2 - lsb;
  const n = shift >= 0 ? num << BigInt(shift) : num;
  const d = shift >= 0 ? den : den << BigInt(-shift);
  let q = n / d;
  const r2 = 2n * (n - q * d);
  if (r2 > d || (r2 === d && (q & 1n) === 1n)) q++;
  // q ≤ 2^precision here; q = 2^precision at the top of the range may overflow.
  const value = Number(q) * 2 ** lsb;
  if (value >= 2 ** fmt.maxExponent) return sign * Infinity;
  return sign * value;
}

/** Decimal digits (no point) times 10^exp10; `digits` may be empty (zero). */
export function decimalToBinary(negative: boolean, digits: string, exp10: number, fmt: BinaryFormat): number {
  const stripped = digits.replace(/^0+/, '');
  if (stripped === '') return negative ? -0 : 0;
  const { kept, dropped } = truncateDigits(stripped, MAX_DECIMAL_DIGITS);
  const e = exp10 + dropped;
  // Beyond these the result is infinity or zero whatever the digits (10^(length+e) bounds it).
  if (kept.length + e > 400) return negative ? -Infinity : Infinity;
  if (kept.length + e < -400) return negative ? -0 : 0;
  const m = BigInt(kept);
  return e >= 0
    ? roundToBinary(negative, m * 10n ** BigInt(e), 1n, 0, fmt)
    : roundToBinary(negative, m, 10n ** BigInt(-e), 0, fmt);
}

/** Hexadecimal digits (no point) times 2^exp2. */
export function hexToBinary(negative: boolean, digits: string, exp2: number, fmt: BinaryFormat): number {
  const stripped = digits.replace(/^0+/, '');
  if (stripped === '') return negative ? -0 : 0;
  const { kept, dropped } = truncateDigits(stripped, MAX_HEX_DIGITS);
  const e = exp2 + 4 * dropped;
  const top = 4 * kept.length + e;
  if (top > 2000) return negative ? -Infinity : Infinity;
  if (top < -2000) return negative ? -0 : 0;
  return roundToBinary(negative, BigInt('0x' + kept), 1n, e, fmt);
}

/** Accumulates exponent digits without overflowing (a huge exponent only has to stay huge). */
export function addExponentDigit(exp: number, digit: number): number {
  return exp > 1e9 ? exp : exp * 10 + digit;
}

// ---- reading a number, as scanf does ---------------------------------------------------------

const END = -1;
export const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
/** ASCII lower case; other characters unchanged. */
export const lower = (c: number): number => (c >= 0x41 && c <= 0x5a ? c + 32 : c);

/** The value of c as a digit of `base` (up to 16), or -1. */
export function digitValue(c: number, base: number): number {
  let d = -1;
  if (isDigit(c)) d = c - 0x30;
  else if (lower(c) >= 0x61 && lower(c) <= 0x66) d = lower(c) - 0x61 + 10;
  return d < base ? d : -1;
}

/** The text of a floating-point number, before rounding. */
export interface FloatText {
  negative: boolean;
  nan: boolean;
  infinite: boolean;
  hex: boolean;
  /** Mantissa digits without the point. */
  digits: string;
  /** Power of 10 (decimal) or 2 (hex) to apply to `digits` as an integer. */
  exponent: number;
}

/** The value of a number read by readFloat (NaN aside: its bits are the caller's choice). */
export function floatTextValue(t: FloatText, fmt: BinaryFormat): number {
  if (t.nan) return NaN;
  if (t.infinite) return t.negative ? -Infinity : Infinity;
  return t.hex ? hexToBinary(t.negative, t.digits, t.exponent, fmt) : decimalToBinary(t.negative, t.digits, t.exponent, fmt);
}

/** Characters one at a time with one character of pushback (scanf's input). */
export interface CharSource {
  /** The next character, or -1 at the end. */
  get(): number;
  unget(c: number): void;
}

/**
 * Reads one floating-point number of at most `width` characters from `src`, taking one
 * character of lookahead, which it pushes back when it is not part of the number. `extended`
 * (the UCRT) adds infinity, NaN and hexadecimal. Returns the number's text, or undefined if
 * the characters taken (`took` of them) are no number. */
export function readFloat(src: CharSource, width: number, extended: boolean): { text: FloatText | undefined; took: number } {
  const reader = new FloatReader(src, width);
  const text = reader.read(extended);
  return { text, took: reader.took };
}

/**
 * Reads one floating-point number within a width, with one character of lookahead:
 *   [sign] (digits [. digits] | . digits) [(e|E) [sign] digits]
 * and, extended, also "inf", "infinity", "nan" (case-insensitive) and
 *   0x (hexdigits [. hexdigits] | . hexdigits) [(p|P) [sign] digits]
 * An exponent marker must be followed by digits ("1e" fails, as on Windows).
 */
class FloatReader {
  private la: number | undefined;
  /** Characters taken into the number. */
  took = 0;

  constructor(private readonly src: CharSource, private left: number) {}

  private peek(): number {
    if (this.left <= 0) return END;
    if (this.la === undefined) this.la = this.src.get();
    return this.la;
  }

  private take(): number {
    const c = this.peek();
    this.la = undefined;
    this.left--;
    this.took++;
    return c;
  }

  /** The number, or undefined; the lookahead character goes back to the source. */
  read(extended: boolean): FloatText | undefined {
    const r = this.parse(extended);
    if (this.la !== undefined && this.la >= 0) this.src.unget(this.la);
    this.la = undefined;
    return r;
  }

  /** Takes `word` (lower case) case-insensitively; false at the first character that differs. */
  private word(word: string): boolean {
    for (let k = 0; k < word.length; k++) {
      if (lower(this.peek()) !== word.charCodeAt(k)) return false;
      this.take();
    }
    return true;
  }

  private parse(extended: boolean): FloatText | undefined {
    const t: FloatText = { negative: false, nan: false, infinite: false, hex: false, digits: '', exponent: 0 };
    let c = this.peek();
    if (c === 0x2d || c === 0x2b) {
      t.negative = c === 0x2d;
      this.take();
      c = this.peek();
    }
    if (extended && lower(c) === 0x69) { // inf, infinity ("infi" fails)
      if (!this.word('inf')) return undefined;
      if (lower(this.peek()) === 0x69 && !this.word('inity')) return undefined;
      t.infinite = true;
      return t;
    }
    if (extended && lower(c) === 0x6e) { // nan (Wine leaves a "(chars)" suffix unread)
      if (!this.word('nan')) return undefined;
      t.nan = true;
      return t;
    }
    let base = 10;
    if (extended && c === 0x30) {
      this.take();
      if (lower(this.peek()) === 0x78) {
        this.take();
        base = 16;
        t.hex = true;
      } else {
        t.digits = '0';
      }
    }
    let fraction = 0;
    let seen = t.digits.length;
    while (digitValue(this.peek(), base) >= 0) {
      t.digits += String.fromCharCode(this.take());
      seen++;
    }
    if (this.peek() === 0x2e) { // '.' (the "C" locale's decimal point)
      this.take();
      while (digitValue(this.peek(), base) >= 0) {
        t.digits += String.fromCharCode(this.take());
        fraction++;
        seen++;
      }
    }
    if (seen === 0) return undefined;
    const marker = lower(this.peek());
    if (marker === (base === 16 ? 0x70 : 0x65)) { // p or e
      this.take();
      let negExp = false;
      if (this.peek() === 0x2d || this.peek() === 0x2b) negExp = this.take() === 0x2d;
      let exp = 0;
      let expDigits = 0;
      while (isDigit(this.peek())) {
        exp = addExponentDigit(exp, this.take() - 0x30);
        expDigits++;
      }
      if (expDigits === 0) return undefined;
      t.exponent = negExp ? -exp : exp;
    }
    t.exponent -= base === 16 ? 4 * fraction : fraction;
    return t;
  }
}
