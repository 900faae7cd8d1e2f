// The printf formatting engine shared by msvcrt.dll and ucrtbase.dll (narrow and wide).
//
// Windows x64 passes every variadic argument in one 8-byte slot (a double as its IEEE bits), so
// the engine pulls raw 64-bit slots from FormatEnv and reinterprets them per directive. Sizes
// follow LLP64: `l` is 32 bits, `ll`/`I64`/`j` 64, `I`/`z`/`t` pointer size (64), `h` 16.
//
// The behaviour, quirks included, was checked against msvcrt.dll and ucrtbase.dll under Wine 8
// (tests/printf.test.ts lists the cases). Where Wine departs from Microsoft's documentation the
// comment says so; Wine is followed except where noted.

import { formatFloat } from './fltcvt.js';

export interface FormatEnv {
  /** The next 8-byte vararg slot, raw. */
  next(): bigint;
  /** Bytes of the NUL-terminated narrow string at ptr (without the NUL). May throw (bad pointer): let it propagate. */
  cstring(ptr: bigint): Uint8Array;
  /** UTF-16 code units of the NUL-terminated wide string at ptr (without the NUL). May throw. */
  wstring(ptr: bigint): Uint16Array;
  /** For %n: store `value` in `size` bytes at ptr. */
  store(ptr: bigint, size: 1 | 2 | 4 | 8, value: bigint): void;
}

export interface FormatOptions {
  /**
   * msvcrt.dll style (true): 3-digit exponents "1.000000e+000", infinities/NaNs as "1.#INF00",
   * "-1.#IND00", "1.#QNAN0", %n allowed, `F` and `N` are (ignored) size prefixes.
   * UCRT style (false): 2-digit exponents, "inf", "-inf", "nan", "-nan(ind)"; %F is a conversion,
   * `T` a size prefix; %n rejected unless `countOutput`. Default true.
   */
  msvcrt?: boolean;
  /** UCRT only: _set_printf_count_output(1) is in effect, so %n is allowed. */
  countOutput?: boolean;
  /**
   * UCRT only, wide formats: the ISO meaning of %s/%c (narrow) and %S/%C (wide), i.e. the
   * _CRT_INTERNAL_PRINTF_LEGACY_WIDE_SPECIFIERS option bit is clear. Default false (legacy: %s wide).
   */
  isoWideSpecifiers?: boolean;
  /** Conversion between narrow strings and UTF-16 for %S/%ls in narrow formats and %s in wide formats. Default: UTF-8. */
  narrowToWide?(bytes: Uint8Array): Uint16Array;
  /** The reverse conversion. Default: UTF-8. May throw (an unconvertible character): it propagates. */
  wideToNarrow?(units: Uint16Array): Uint8Array;
}

/** Thrown for a format the CRT treats as an invalid parameter (e.g. %n in UCRT mode); the caller maps it to errno EINVAL / -1. */
export class PrintfInvalidParameter extends Error {
  override readonly name = 'PrintfInvalidParameter';
}

/** Formats a narrow (char) format string; returns the output bytes (no NUL). */
export function formatNarrow(fmt: Uint8Array, env: FormatEnv, opts?: FormatOptions): Uint8Array {
  const out = new Sink(false);
  run(fmt, env, opts ?? {}, out);
  return out.bytes();
}

/** Formats a wide (wchar_t, UTF-16) format string; returns UTF-16 code units (no NUL). */
export function formatWide(fmt: Uint16Array, env: FormatEnv, opts?: FormatOptions): Uint16Array {
  const out = new Sink(true);
  run(fmt, env, opts ?? {}, out);
  return out.units();
}

/** Growable output of bytes (narrow) or UTF-16 code units (wide). */
class Sink {
  private buf: Units;
  length = 0;

  constructor(readonly wide: boolean) {
    this.buf = wide ? new Uint16Array(64) : new Uint8Array(64);
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    const size = Math.max(this.buf.length * 2, this.length + n);
    const bigger = this.wide ? new Uint16Array(size) : new Uint8Array(size);
    bigger.set(this.buf.subarray(0, this.length));
    this.buf = bigger;
  }

  unit(u: number): void {
    this.reserve(1);
    this.buf[this.length++] = u;
  }

  all(units: Units): void {
    this.reserve(units.length);
    this.buf.set(units, this.length);
    this.length += units.length;
  }

  fill(u: number, n: number): void {
    if (n <= 0) return;
    this.reserve(n);
    this.buf.fill(u, this.length, this.length + n);
    this.length += n;
  }

  /** ASCII text (numbers, "(null)", "1.#INF"). */
  text(s: string): void {
    this.reserve(s.length);
    for (let i = 0; i < s.length; i++) this.buf[this.length++] = s.charCodeAt(i);
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.buf.subarray(0, this.length));
  }

  units(): Uint16Array {
    return Uint16Array.from(this.buf.subarray(0, this.length));
  }
}

/** One parsed directive. */
interface Spec {
  left: boolean;
  plus: boolean;
  space: boolean;
  alt: boolean;
  zero: boolean;
  width: number;
  precision: number | undefined;
  /** `h` or `l`: the last one given wins (`%lhd` is 16-bit, `%hld` 32-bit). */
  size: 'h' | 'l' | undefined;
  /** `ll`, `I64`, `I`, `j`, `z`, `t`: sticky, beats `h` (`%llhd` is 64-bit). */
  int64: boolean;
  /** `w`: sticky, beats `h` (`%whc` is a wide character). */
  wideArg: boolean;
  /** UCRT `T`: a string/char of the function's own width. */
  tchar: boolean;
}

type Units = Uint8Array | Uint16Array;

const PERCENT = 0x25;
const STAR = 0x2a;
const INT_MAX = 0x7fffffff;
const NULL_TEXT = '(null)';
/** `z`, `t` and a bare `I` are size prefixes only before one of these; otherwise they are the (unknown) conversion. */
const INTEGER_CONVS = 'diouxX';

function isDigit(c: number | undefined): c is number {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

function isIn(set: string, c: number | undefined): boolean {
  return c !== undefined && set.includes(String.fromCharCode(c));
}

/** The low 32 bits of a slot as a signed int (how `*` widths and precisions are passed). */
function int32(slot: bigint): number {
  return Number(BigInt.asIntN(32, slot));
}

function run(fmt: Units, env: FormatEnv, opts: FormatOptions, out: Sink): void {
  const msvcrt = opts.msvcrt ?? true;
  let i = 0;
  while (i < fmt.length) {
    const c = fmt[i]!;
    if (c !== PERCENT) {
      out.unit(c);
      i++;
    } else if (fmt[i + 1] === PERCENT) {
      out.unit(PERCENT);
      i += 2;
    } else {
      const d = parseDirective(fmt, i + 1, env, msvcrt);
      i = d.end;
      if (i >= fmt.length) break; // "abc%", "%5", "%ll": the unfinished directive prints nothing
      // An unknown conversion drops the directive and its character is printed as ordinary text:
      // "%5y" prints "y", and "%5%d" prints "%d" (the '%' starts over).
      if (convert(fmt[i]!, d.spec, env, opts, msvcrt, out)) i++;
    }
  }
}

/** Parses flags, width, precision and size prefixes from `start` (after the '%'); `*` reads slots. */
function parseDirective(fmt: Units, start: number, env: FormatEnv, msvcrt: boolean): { spec: Spec; end: number } {
  const spec: Spec = {
    left: false, plus: false, space: false, alt: false, zero: false, width: 0, precision: undefined,
    size: undefined, int64: false, wideArg: false, tchar: false,
  };
  let i = start;
  for (; i < fmt.length; i++) {
    const f = fmt[i];
    if (f === 0x2d) spec.left = true;
    else if (f === 0x2b) spec.plus = true;
    else if (f === 0x20) spec.space = true;
    else if (f === 0x23) spec.alt = true;
    else if (f === 0x30) spec.zero = true;
    else break;
  }
  if (fmt[i] === STAR) {
    i++;
    const w = int32(env.next());
    // A negative `*` width means left-justify with its magnitude.
    if (w < 0) spec.left = true;
    spec.width = Math.abs(w);
  } else {
    const r = parseNumber(fmt, i);
    spec.width = r.value;
    i = r.end;
  }
  if (fmt[i] === 0x2e) {
    i++;
    if (fmt[i] === STAR) {
      i++;
      // Documented: a negative precision is taken as if omitted. Wine does so for -1 only; for
      // floats its other negative values misprint (`%.*f` with -3 gives " 0."), so the
      // documentation is followed there.
      const p = int32(env.next());
      spec.precision = p < 0 ? undefined : p;
    } else {
      const r = parseNumber(fmt, i);
      spec.precision = r.value;
      i = r.end;
    }
  }
  return { spec, end: parseSize(fmt, i, spec, msvcrt) };
}

function parseNumber(fmt: Units, start: number): { value: number; end: number } {
  let value = 0;
  let i = start;
  while (isDigit(fmt[i])) {
    value = value * 10 + (fmt[i]! - 0x30);
    // Wine lets the int wrap; refusing is saner than building gigabytes of padding.
    if (value > INT_MAX) throw new PrintfInvalidParameter('printf: width or precision overflows an int');
    i++;
  }
  return { value, end: i };
}

/** Consumes size prefixes; returns the index of the conversion character. */
function parseSize(fmt: Units, start: number, spec: Spec, msvcrt: boolean): number {
  let i = start;
  for (;;) {
    const c = fmt[i];
    if (c === 0x68) { // h (hh is the same: Wine has no 8-bit size, see the tests)
      spec.size = 'h';
      i++;
    } else if (c === 0x6c) { // l, ll
      if (fmt[i + 1] === 0x6c) {
        spec.int64 = true;
        i += 2;
      } else {
        spec.size = 'l';
        i++;
      }
    } else if (c === 0x77) { // w
      spec.wideArg = true;
      i++;
    } else if (c === 0x4c) { // L: long double is double; no effect on anything else
      i++;
    } else if (c === 0x6a) { // j
      spec.int64 = true;
      i++;
    } else if (c === 0x7a || c === 0x74) { // z, t: only before an integer conversion
      if (!isIn(INTEGER_CONVS, fmt[i + 1])) return i;
      spec.int64 = true;
      i++;
    } else if (c === 0x49) { // I64, I32, I
      if (fmt[i + 1] === 0x36 && fmt[i + 2] === 0x34) {
        spec.int64 = true;
        i += 3;
      } else if (fmt[i + 1] === 0x33 && fmt[i + 2] === 0x32) {
        i += 3;
      } else if (isIn(INTEGER_CONVS, fmt[i + 1])) {
        spec.int64 = true;
        i++;
      } else {
        return i;
      }
    } else if (msvcrt && (c === 0x46 || c === 0x4e)) { // F, N: far/near pointers of 16-bit days
      i++;
    } else if (!msvcrt && c === 0x54) { // T
      spec.tchar = true;
      i++;
    } else {
      return i;
    }
  }
}

/** Formats one conversion; false for an unknown conversion character. */
function convert(conv: number, spec: Spec, env: FormatEnv, opts: FormatOptions, msvcrt: boolean, out: Sink): boolean {
  switch (conv) {
    case 0x64: // d
    case 0x69: // i
    case 0x75: // u
    case 0x6f: // o
    case 0x78: // x
    case 0x58: // X
      formatInteger(conv, spec, env.next(), out);
      return true;
    case 0x63: // c
    case 0x43: // C
      emitString(charUnits(env.next(), isWideArg(conv, spec, out.wide, opts), out.wide, opts), spec, true, out);
      return true;
    case 0x73: // s
    case 0x53: // S
      emitString(stringUnits(env.next(), isWideArg(conv, spec, out.wide, opts), out.wide, env, opts), spec, true, out);
      return true;
    case 0x70: { // p: 16 uppercase hex digits, then string-like (precision truncates, no zero padding)
      const hex = BigInt.asUintN(64, env.next()).toString(16).toUpperCase().padStart(16, '0');
      emitString(asciiUnits((spec.alt ? '0X' : '') + hex), spec, false, out);
      return true;
    }
    case 0x6e: { // n
      if (!msvcrt && !opts.countOutput) {
        throw new PrintfInvalidParameter('printf: %n is disabled (_set_printf_count_output)');
      }
      // Wine stores an int whatever the size prefix (%hn, %lln included); the documentation
      // says the prefix selects the size. Wine is followed.
      env.store(BigInt.asUintN(64, env.next()), 4, BigInt(out.length));
      return true;
    }
    case 0x46: // F (UCRT; in msvcrt mode parseSize took it as a size prefix)
    case 0x65: // e
    case 0x45: // E
    case 0x66: // f
    case 0x67: // g
    case 0x47: // G
    case 0x61: // a
    case 0x41: // A
      formatDouble(conv, spec, env.next(), msvcrt, out);
      return true;
    default:
      return false;
  }
}

/** Pads `body` (already complete) to the width: spaces left or right, or zeros after `lead`. */
function pad(out: Sink, spec: Spec, lead: string, body: string, zeroOk: boolean): void {
  const n = spec.width - lead.length - body.length;
  if (spec.left) {
    out.text(lead + body);
    out.fill(0x20, n);
  } else if (spec.zero && zeroOk) {
    out.text(lead);
    out.fill(0x30, n);
    out.text(body);
  } else {
    out.fill(0x20, n);
    out.text(lead + body);
  }
}

function formatInteger(conv: number, spec: Spec, slot: bigint, out: Sink): void {
  const bits = spec.int64 ? 64 : spec.size === 'h' ? 16 : 32;
  const signed = conv === 0x64 || conv === 0x69;
  const value = signed ? BigInt.asIntN(bits, slot) : BigInt.asUintN(bits, slot);
  const negative = value < 0n;
  const magnitude = negative ? -value : value;
  const base = conv === 0x6f ? 8 : conv === 0x75 || signed ? 10 : 16;
  let digits = spec.precision === 0 && magnitude === 0n ? '' : magnitude.toString(base);
  if (conv === 0x58) digits = digits.toUpperCase();
  if (spec.precision !== undefined) digits = digits.padStart(spec.precision, '0');
  let lead = '';
  if (signed) lead = negative ? '-' : spec.plus ? '+' : spec.space ? ' ' : '';
  else if (spec.alt && magnitude !== 0n && conv !== 0x75) {
    if (conv === 0x6f) {
      // "%#o" forces a leading 0 (none for a 0 value: Wine prints "%#.0o" of 0 as "").
      if (!digits.startsWith('0')) digits = '0' + digits;
    } else {
      lead = conv === 0x58 ? '0X' : '0x';
    }
  }
  // Wine zero-pads to the width even when a precision is given ("%08.5d" of 42 is "00000042");
  // the C standard would ignore the '0' flag there.
  pad(out, spec, lead, digits, true);
}

function formatDouble(conv: number, spec: Spec, slot: bigint, msvcrt: boolean, out: Sink): void {
  const p = formatFloat(slot, {
    conv, precision: spec.precision, alt: spec.alt, plus: spec.plus, space: spec.space, msvcrt,
  });
  const natural = p.sign.length + p.prefix.length + p.body.length + p.zeros + p.suffix.length - p.miscount;
  const n = spec.width - natural;
  if (spec.left && p.splitLeft) {
    out.text(p.sign + p.prefix + p.body);
    out.fill(0x20, n);
    out.text(p.suffix);
    out.fill(0x20, p.zeros);
    return;
  }
  if (!spec.left && !(spec.zero && p.zeroPadOk)) out.fill(0x20, n);
  out.text(p.sign + p.prefix);
  if (!spec.left && spec.zero && p.zeroPadOk) out.fill(0x30, n);
  out.text(p.body);
  out.fill(0x30, p.zeros);
  out.text(p.suffix);
  if (spec.left) out.fill(0x20, n);
}

/** Whether a %s/%S/%c/%C argument is a wide one, from the conversion's case and the prefixes. */
function isWideArg(conv: number, spec: Spec, wideFn: boolean, opts: FormatOptions): boolean {
  if (spec.tchar) return wideFn;
  if (spec.wideArg || spec.size === 'l') return true;
  if (spec.size === 'h') return false;
  const upper = conv === 0x53 || conv === 0x43;
  // Narrow functions: %s narrow, %S wide. Wide functions swap them (legacy Microsoft meaning),
  // unless UCRT was asked for the ISO meaning.
  return wideFn && !opts.isoWideSpecifiers ? !upper : upper;
}

function charUnits(slot: bigint, wideArg: boolean, wideFn: boolean, opts: FormatOptions): Units {
  if (wideArg) {
    const unit = Uint16Array.of(Number(slot & 0xffffn));
    return wideFn ? unit : toNarrow(unit, opts);
  }
  const byte = Uint8Array.of(Number(slot & 0xffn));
  return wideFn ? toWide(byte, opts) : byte;
}

function stringUnits(
  slot: bigint, wideArg: boolean, wideFn: boolean, env: FormatEnv, opts: FormatOptions,
): Units {
  const ptr = BigInt.asUintN(64, slot);
  if (ptr === 0n) return asciiUnits(NULL_TEXT);
  if (wideArg) {
    const s = env.wstring(ptr);
    return wideFn ? s : toNarrow(s, opts);
  }
  const s = env.cstring(ptr);
  return wideFn ? toWide(s, opts) : s;
}

function asciiUnits(s: string): Uint8Array {
  return Uint8Array.from(s, (ch) => ch.charCodeAt(0));
}

/** Strings and characters: precision truncates (even for %c: "%.0c" prints nothing), '0' pads with zeros ("%05s"). */
function emitString(units: Units, spec: Spec, zeroOk: boolean, out: Sink): void {
  const body = spec.precision === undefined ? units : units.subarray(0, spec.precision);
  const n = spec.width - body.length;
  if (!spec.left) out.fill(spec.zero && zeroOk ? 0x30 : 0x20, n);
  out.all(body);
  if (spec.left) out.fill(0x20, n);
}

function toWide(bytes: Uint8Array, opts: FormatOptions): Uint16Array {
  if (opts.narrowToWide) return opts.narrowToWide(bytes);
  const s = new TextDecoder('utf-8').decode(bytes);
  const units = new Uint16Array(s.length);
  for (let i = 0; i < s.length; i++) units[i] = s.charCodeAt(i);
  return units;
}

function toNarrow(units: Uint16Array, opts: FormatOptions): Uint8Array {
  if (opts.wideToNarrow) return opts.wideToNarrow(units);
  let s = '';
  for (let i = 0; i < units.length; i += 4096) s += String.fromCharCode(...units.subarray(i, i + 4096));
  return new TextEncoder().encode(s);
}
