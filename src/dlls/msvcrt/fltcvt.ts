// Floating-point conversions for printf (%e %f %g %a): exact binary-to-decimal with BigInt.
//
// A double is m·2^e exactly, so any number of decimal digits can be produced exactly by scaling
// with powers of ten and doing one rounded integer division. The CRT rounds the exact binary value
// half away from zero (`%.0f` of 0.5 is "1", of 2.5 is "3"; `%.2f` of 2.675 is "2.67" because
// 2.675 is really 2.67499999…) — checked against msvcrt.dll and ucrtbase.dll under Wine 8.

/** The pieces of one converted float, before width and padding are applied by the caller. */
export interface FloatPieces {
  /** "-", "+", " " or "". */
  sign: string;
  /** "0x"/"0X" for %a, else "". Zero padding goes after it. */
  prefix: string;
  /** Digits and decimal point ("1.5", "1.#INF", "inf"). */
  body: string;
  /** Zeros owed after `body`, beyond the digits the value has (msvcrt specials and %a only). */
  zeros: number;
  /** The exponent part ("e+005", "p-4") or "". */
  suffix: string;
  /** The '0' flag pads with zeros (false for UCRT's "inf"/"nan"). */
  zeroPadOk: boolean;
  /**
   * Left-justified output puts the padding before `suffix` and prints `zeros` as spaces after it.
   * Wine's msvcrt and ucrtbase do this for %a and msvcrt's "1.#INF" family: `%-25a` of 1.0 is
   * "0x1.0000000000000     p+0", `%-e` of infinity is "1.#INFe+000  ".
   */
  splitLeft: boolean;
  /**
   * Characters the CRT leaves out of the length when it pads. Wine's msvcrt, for "1.#INF" cut
   * short by the precision in %e and %a, pads as if the text were shorter by the characters cut
   * (at most the exponent's length): `%15.2e` of infinity is 8 spaces then "1.#Je+000".
   */
  miscount: number;
}

/** What formatFloat needs from the directive. */
export interface FloatSpec {
  /** Conversion character code: e E f F g G a A. */
  conv: number;
  /** undefined: the default. */
  precision: number | undefined;
  alt: boolean;
  plus: boolean;
  space: boolean;
  /** msvcrt.dll style (3-digit exponents, "1.#INF") rather than UCRT style. */
  msvcrt: boolean;
}

interface Decoded {
  negative: boolean;
  biased: number;
  fraction: bigint;
}

const FRACTION_MASK = (1n << 52n) - 1n;
const LOG10_2 = 0.30102999566398120;
/** A double has at most 1074 fractional decimal digits and 767 significant ones; beyond, zeros. */
const MAX_FIXED_DIGITS = 1100;
const MAX_SIGNIFICANT_DIGITS = 800;

function decode(bits: bigint): Decoded {
  const b = BigInt.asUintN(64, bits);
  return { negative: (b >> 63n) === 1n, biased: Number((b >> 52n) & 0x7ffn), fraction: b & FRACTION_MASK };
}

/** round_half_away(num / den) for num ≥ 0, den > 0. */
function divRound(num: bigint, den: bigint): bigint {
  const q = num / den;
  const r = num - q * den;
  return 2n * r >= den ? q + 1n : q;
}

/** round_half_away(m · 2^e · 10^scale). */
function scaled(m: bigint, e: number, scale: number): bigint {
  let num = m;
  let den = 1n;
  if (e >= 0) num <<= BigInt(e);
  else den <<= BigInt(-e);
  if (scale >= 0) num *= 10n ** BigInt(scale);
  else den *= 10n ** BigInt(-scale);
  return divRound(num, den);
}

/**
 * The value m·2^e (m > 0) rounded to `frac` fractional digits, as the digits of value·10^frac
 * (at least frac+1 of them). Exported for _fcvt-style callers too.
 */
export function fixedDigits(m: bigint, e: number, frac: number): string {
  const exact = Math.min(frac, MAX_FIXED_DIGITS);
  const s = scaled(m, e, exact).toString().padStart(exact + 1, '0');
  return s + '0'.repeat(frac - exact);
}

/** The value m·2^e (m > 0) rounded to `sig` ≥ 1 significant digits, and its decimal exponent (for _ecvt-style callers too). */
export function scientificDigits(m: bigint, e: number, sig: number): { digits: string; exp10: number } {
  const exact = Math.min(sig, MAX_SIGNIFICANT_DIGITS);
  const bits = m.toString(2).length;
  // 2^(bits-1+e) ≤ value, so this estimate is floor(log10(value)) or one below it.
  let k = Math.floor((bits - 1 + e) * LOG10_2);
  const limit = 10n ** BigInt(exact);
  let n = scaled(m, e, exact - 1 - k);
  while (n >= limit) {
    k++;
    n = scaled(m, e, exact - 1 - k);
  }
  while (n < limit / 10n) {
    k--;
    n = scaled(m, e, exact - 1 - k);
  }
  return { digits: n.toString() + '0'.repeat(sig - exact), exp10: k };
}

function exponentText(letter: string, exp: number, minDigits: number): string {
  return letter + (exp < 0 ? '-' : '+') + String(Math.abs(exp)).padStart(minDigits, '0');
}

/** Integer and fraction digits joined by a point, left out when there is no fraction and no '#'. */
function point(int: string, frac: string, alt: boolean): string {
  return frac.length > 0 || alt ? `${int}.${frac}` : int;
}

function signOf(negative: boolean, spec: FloatSpec): string {
  if (negative) return '-';
  if (spec.plus) return '+';
  return spec.space ? ' ' : '';
}

/** Pieces with nothing unusual about them: padding goes around sign and body as for integers. */
function plain(sign: string, body: string, zeroPadOk: boolean): FloatPieces {
  return { sign, prefix: '', body, zeros: 0, suffix: '', zeroPadOk, splitLeft: false, miscount: 0 };
}

function stripZeros(frac: string): string {
  let end = frac.length;
  while (end > 0 && frac.charCodeAt(end - 1) === 0x30) end--;
  return frac.slice(0, end);
}

/**
 * msvcrt.dll prints infinities and NaNs as if "1#INF", "1#QNAN" or "1#IND" were the digits of a
 * number: cut to the precision and "rounded" by bumping the last character when the next one is
 * ≥ '5' — hence `%.2f` of infinity is "1.#J" and `%.1f` is "1.$".
 */
function legacySpecial(neg: boolean, nan: boolean, spec: FloatSpec): FloatPieces {
  const all = '1' + (!nan ? '#INF' : neg ? '#IND' : '#QNAN');
  const c = spec.conv | 0x20;
  const upper = spec.conv !== c;
  let want: number;
  if (c === 0x67) want = spec.precision === undefined || spec.precision === 0 ? 6 : spec.precision;
  else want = 1 + (spec.precision ?? (c === 0x61 ? 13 : 6));
  let digits = all.slice(0, want);
  if (want < all.length && all.charCodeAt(want) >= 0x35) {
    digits = digits.slice(0, -1) + String.fromCharCode(digits.charCodeAt(digits.length - 1) + 1);
  }
  // %g owes no zeros, except with '#' and an explicit precision ("%#.9g" is "1.#QNAN000").
  const owesZeros = c !== 0x67 || (spec.alt && spec.precision !== undefined && spec.precision > 0);
  const zeros = owesZeros ? Math.max(0, want - all.length) : 0;
  const body = digits.length > 1 || zeros > 0 ? `1.${digits.slice(1)}` : '1';
  let suffix = '';
  if (c === 0x65) suffix = upper ? 'E+000' : 'e+000';
  else if (c === 0x61) suffix = upper ? 'P+0' : 'p+0';
  const prefix = c === 0x61 ? (upper ? '0X' : '0x') : '';
  const miscount = Math.min(Math.max(0, all.length - want), suffix.length);
  return { sign: signOf(neg, spec), prefix, body, zeros, suffix, zeroPadOk: true, splitLeft: true, miscount };
}

function ucrtSpecial(neg: boolean, nan: boolean, spec: FloatSpec): FloatPieces {
  let text = !nan ? 'inf' : neg ? 'nan(ind)' : 'nan';
  if ((spec.conv | 0x20) !== spec.conv) text = text.toUpperCase();
  return plain(signOf(neg, spec), text, false);
}

function hexFloat(d: Decoded, spec: FloatSpec): FloatPieces {
  const upper = spec.conv === 0x41;
  let lead = d.biased === 0 ? 0 : 1;
  const exp = d.biased === 0 ? (d.fraction === 0n ? 0 : -1022) : d.biased - 1023;
  const precision = spec.precision ?? 13;
  let digits: string;
  if (precision >= 13) {
    digits = d.fraction.toString(16).padStart(13, '0');
  } else {
    // Round half up on the dropped hex digits; a carry out goes into the leading digit ("0x2.0p+0").
    const shift = BigInt(4 * (13 - precision));
    let kept = d.fraction >> shift;
    if ((d.fraction >> (shift - 1n)) & 1n) kept++;
    if (kept >> BigInt(4 * precision)) {
      lead++;
      kept &= (1n << BigInt(4 * precision)) - 1n;
    }
    digits = precision === 0 ? '' : kept.toString(16).padStart(precision, '0');
  }
  if (upper) digits = digits.toUpperCase();
  const zeros = Math.max(0, precision - 13);
  return {
    sign: signOf(d.negative, spec),
    prefix: upper ? '0X' : '0x',
    body: point(String(lead), digits, spec.alt || zeros > 0),
    zeros,
    suffix: exponentText(upper ? 'P' : 'p', exp, 1),
    zeroPadOk: true,
    splitLeft: true,
    miscount: 0,
  };
}

/** Converts the double with raw bits `bits` for one of e E f F g G a A. */
export function formatFloat(bits: bigint, spec: FloatSpec): FloatPieces {
  const d = decode(bits);
  if (d.biased === 0x7ff) {
    const nan = d.fraction !== 0n;
    return spec.msvcrt ? legacySpecial(d.negative, nan, spec) : ucrtSpecial(d.negative, nan, spec);
  }
  const c = spec.conv | 0x20;
  if (c === 0x61) return hexFloat(d, spec);
  const m = d.biased === 0 ? d.fraction : d.fraction | (1n << 52n);
  const e = d.biased === 0 ? -1074 : d.biased - 1075;
  const upper = spec.conv !== c;
  const expDigits = spec.msvcrt ? 3 : 2;
  const sci = (digits: string, exp10: number, strip: boolean): string => {
    const frac = strip ? stripZeros(digits.slice(1)) : digits.slice(1);
    return point(digits.slice(0, 1), frac, spec.alt) + exponentText(upper ? 'E' : 'e', exp10, expDigits);
  };
  let body: string;
  if (c === 0x66) {
    const frac = spec.precision ?? 6;
    const s = m === 0n ? '0'.repeat(frac + 1) : fixedDigits(m, e, frac);
    body = point(s.slice(0, s.length - frac), s.slice(s.length - frac), spec.alt);
  } else if (c === 0x65) {
    const sig = (spec.precision ?? 6) + 1;
    const r = m === 0n ? { digits: '0'.repeat(sig), exp10: 0 } : scientificDigits(m, e, sig);
    body = sci(r.digits, r.exp10, false);
  } else {
    const p = spec.precision === undefined ? 6 : Math.max(spec.precision, 1);
    const r = m === 0n ? { digits: '0'.repeat(p), exp10: 0 } : scientificDigits(m, e, p);
    if (r.exp10 < -4 || r.exp10 >= p) {
      body = sci(r.digits, r.exp10, !spec.alt);
    } else {
      const int = r.exp10 >= 0 ? r.digits.slice(0, r.exp10 + 1) : '0';
      const frac = r.exp10 >= 0 ? r.digits.slice(r.exp10 + 1) : '0'.repeat(-r.exp10 - 1) + r.digits;
      body = point(int, spec.alt ? frac : stripZeros(frac), spec.alt);
    }
  }
  return plain(signOf(d.negative, spec), body, true);
}
