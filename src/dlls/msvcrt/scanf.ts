// The scanf engine shared by msvcrt.dll and ucrtbase.dll, narrow and wide, plain and secure
// (_s). Every entry point builds a ScanInput (a string now; a FILE stream can plug in the same
// way) and calls scan().
//
// Behaviour was checked against msvcrt.dll and ucrtbase.dll under Wine 8 (tests/fixtures/src/
// scanf.c; Wine's output is in tests/fixtures/expected/), and against the cases of Wine's own
// conformance tests that pass on Windows. Where Wine 8 departs from Windows or from Microsoft's
// documentation, Windows is followed and the comment names Wine 8 (tests/run.test.ts lists
// those lines).
//
// Sizes follow LLP64: `l` is 32 bits for integers (double for floats), `ll`, `I64`, `I`, `j`, `z`,
// `t` and %p are 64 bits, `h` is 16. The input is read one character at a time with at most one
// character pushed back, so a stream needs only ungetc; %n counts characters taken.

import { wmask, ctypeMask, _SPACE } from './ctype.js';
import { digitValue, floatTextValue, isDigit, lower, readFloat, DOUBLE, FLOAT } from './fltparse.js';

export const EOF = -1;

/** Where the characters come from: bytes for the narrow functions, UTF-16 units for the wide ones. */
export interface ScanInput {
  /** The next character, or EOF (-1) at the end of the input. */
  get(): number;
  /** Pushes back the character get() just returned (never EOF, at most one at a time). */
  unget(c: number): void;
}

export interface ScanOptions {
  /** swscanf family: wchar_t format and input; %s %c %[ store wide characters (legacy meaning). */
  wide: boolean;
  /** The _s variants: %c %s %[ (and %C %S) take a buffer size, in characters, after the pointer. */
  secure: boolean;
  /** ucrtbase rules (false: msvcrt.dll's). See the notes at each difference. */
  ucrt: boolean;
  /**
   * UCRT, wide functions: the ISO meaning of %s %c %[ (narrow buffers unless `l`), which a clear
   * _CRT_INTERNAL_SCANF_LEGACY_WIDE_SPECIFIERS option bit selects. Default false.
   */
  isoWideSpecifiers?: boolean;
}

/** The pointer (and size) arguments, as 8-byte slots (varargs or a va_list). */
export interface ScanArgs {
  next(): bigint;
}

/** Stores through guest pointers; the checked accessors of AddressSpace (a bad pointer throws). */
export interface ScanMemory {
  setU8(addr: number, v: number): void;
  setU16(addr: number, v: number): void;
  setU32(addr: number, v: number): void;
  setU64(addr: number, v: bigint): void;
}

/** A NULL buffer given to a secure variant: the caller reports an invalid parameter (EINVAL, -1). */
export class ScanInvalidParameter extends Error {
  override readonly name = 'ScanInvalidParameter';
}

/** How a directive failed: 'input' when the input ran out (the EOF return), 'match' otherwise. */
type Failure = 'match' | 'input';

/** One parsed directive (after the '%'). */
interface Directive {
  suppress: boolean;
  /** 0 when none is given (Wine 8 takes an explicit 0 as none too). */
  width: number;
  /** msvcrt's size counter: 1 + each `l`/`L` - each `h`; 0 means short, ≥2 (or int64) double. */
  longness: number;
  /** Each `h` counts -1, each `l`/`w` +1: the sign says narrow or wide for %c %s %[. */
  wideness: number;
  hCount: number;
  int64: boolean;
  conv: number;
}

const PERCENT = 0x25;

/** Scans `format` against `input`; returns the number of fields assigned, or EOF (-1). */
export function scan(input: ScanInput, format: ArrayLike<number>, args: ScanArgs, mem: ScanMemory, opts: ScanOptions): number {
  return new Scanner(input, format, args, mem, opts).run();
}

class Scanner {
  /** Characters taken from the input so far (%n). */
  private taken = 0;
  /** The last get() reached the end of the input. */
  private atEnd = false;
  private count = 0;
  /** Some conversion matched input (assigned or suppressed): the result is then never EOF. */
  private matched = false;
  private readonly isSpace: (c: number) => boolean;

  constructor(
    private readonly input: ScanInput,
    private readonly fmt: ArrayLike<number>,
    private readonly args: ScanArgs,
    private readonly mem: ScanMemory,
    private readonly opts: ScanOptions,
  ) {
    this.isSpace = opts.wide ? (c) => c >= 0 && (wmask(c) & _SPACE) !== 0 : (c) => c >= 0 && (ctypeMask(c) & _SPACE) !== 0;
  }

  private get(): number {
    const c = this.input.get();
    this.atEnd = c < 0;
    if (c >= 0) this.taken++;
    return c;
  }

  private unget(c: number): void {
    if (c < 0) return;
    this.input.unget(c);
    this.taken--;
  }

  private pointer(): number {
    return Number(BigInt.asUintN(64, this.args.next()));
  }

  run(): number {
    const fmt = this.fmt;
    // An empty input is EOF before any directive is looked at (Wine 8; "" with "%n" or " "
    // included), unless the format is empty too.
    if (fmt.length > 0) {
      const c = this.get();
      if (c < 0) return EOF;
      this.unget(c);
    }
    let failure: Failure | undefined;
    let i = 0;
    while (i < fmt.length && failure === undefined) {
      const f = fmt[i]!;
      if (this.isSpace(f)) {
        // White space in the format matches any amount of white space, none included.
        while (i < fmt.length && this.isSpace(fmt[i]!)) i++;
        this.skipSpace();
      } else if (f !== PERCENT) {
        i++;
        failure = this.literal(f);
      } else {
        const d = this.parseDirective(i + 1);
        i = d.end;
        if (d.directive === undefined) break; // the format ends inside a directive ("%5", "%l")
        const r = this.convert(d.directive, i);
        i = r.end + 1;
        failure = r.failure;
      }
    }
    if (this.count > 0 || this.matched) return this.count;
    return failure === 'input' ? EOF : 0;
  }

  /** An ordinary format character: the next input character must be the same. */
  private literal(f: number): Failure | undefined {
    const c = this.get();
    if (c === f) return undefined;
    this.unget(c);
    return c < 0 ? 'input' : 'match';
  }

  /** Takes white space from the input; returns how many characters it took. */
  private skipSpace(): number {
    let n = 0;
    for (;;) {
      const c = this.get();
      if (!this.isSpace(c)) {
        this.unget(c);
        return n;
      }
      n++;
    }
  }

  /**
   * White space before a conversion, then a look at the first character: a Failure if the input
   * ended. Windows' swscanf returns 0, not EOF, when only white space was left (Wine's tests
   * check swscanf(L" \t\n\n", L"%s") on Windows), while sscanf returns EOF.
   */
  private skipToField(): Failure | undefined {
    const skipped = this.skipSpace();
    const c = this.get();
    this.unget(c);
    if (c >= 0) return undefined;
    return this.opts.wide && skipped > 0 ? 'match' : 'input';
  }

  /** Flags, width and size prefixes from `start`; `end` is the conversion character's index. */
  private parseDirective(start: number): { directive: Directive | undefined; end: number } {
    const fmt = this.fmt;
    const d: Directive = { suppress: false, width: 0, longness: 1, wideness: 0, hCount: 0, int64: false, conv: 0 };
    let i = start;
    for (; i < fmt.length; i++) {
      const c = fmt[i]!;
      if (isDigit(c)) {
        // Digits may come anywhere among the prefixes: "%h02d" and "%2h0d" (width 20) work on Windows.
        d.width = d.width * 10 + (c - 0x30);
        if (d.width > 0x7fffffff) d.width = 0x7fffffff;
      } else if (c === 0x2a) { // *
        d.suppress = true;
      } else if (c === 0x68) { // h
        d.longness--;
        d.wideness--;
        d.hCount++;
      } else if (c === 0x6c) { // l, ll
        if (fmt[i + 1] === 0x6c) {
          d.int64 = true;
          i++;
        } else {
          d.longness++;
          d.wideness++;
        }
      } else if (c === 0x4c) { // L: long double is double
        d.longness++;
      } else if (c === 0x77) { // w
        d.wideness++;
      } else if (c === 0x49) { // I64, I32, or I alone (pointer size)
        if (fmt[i + 1] === 0x36 && fmt[i + 2] === 0x34) {
          d.int64 = true;
          i += 2;
        } else if (fmt[i + 1] === 0x33 && fmt[i + 2] === 0x32) {
          i += 2;
        } else {
          d.int64 = true;
        }
      } else if (c === 0x6a || c === 0x7a || c === 0x74) {
        // j, z, t: 64 bits. Wine 8 rejects %j and %t; Windows accepts %jx in both CRTs (Wine's
        // conformance tests), and Microsoft documents j, z and t.
        d.int64 = true;
      } else if (!this.opts.ucrt && (c === 0x46 || c === 0x4e)) {
        // msvcrt: F and N, far and near pointers of 16-bit days, are accepted and ignored.
      } else {
        d.conv = c;
        return { directive: d, end: i };
      }
    }
    return { directive: undefined, end: i };
  }

  /** Runs one conversion whose character is at fmt[at]; `end` is where it ends (a set's ']'). */
  private convert(d: Directive, at: number): { failure: Failure | undefined; end: number } {
    const conv = d.conv;
    switch (conv) {
      case 0x64: case 0x69: case 0x6f: case 0x75: case 0x78: case 0x58: case 0x70: // d i o u x X p
        return { failure: this.integer(d), end: at };
      case 0x50: // P: %p in msvcrt; UCRT has no %P (Windows returns 0, Wine 8 reads a pointer)
        return { failure: this.opts.ucrt ? 'match' : this.integer(d), end: at };
      case 0x65: case 0x45: case 0x66: case 0x67: case 0x47: // e E f g G (no %a %A %F in either CRT)
        return { failure: this.float(d), end: at };
      case 0x63: case 0x43: // c C
        return { failure: this.chars(d, conv === 0x43), end: at };
      case 0x73: case 0x53: // s S
        return { failure: this.string(d, conv === 0x53, undefined), end: at };
      case 0x5b: { // [
        const set = this.parseSet(at + 1);
        // An unterminated set ("%[abc", "%[]") ends the scan: Wine 8 reads on past the end of
        // the format string there.
        if (set === undefined) return { failure: 'match', end: this.fmt.length };
        return { failure: this.string(d, false, set), end: set.end };
      }
      case 0x6e: // n: characters taken so far, stored as an int whatever the size prefix (as Wine)
        if (!d.suppress) this.mem.setU32(this.pointer(), this.taken >>> 0);
        return { failure: undefined, end: at };
      case PERCENT: {
        const f = this.skipToField();
        return { failure: f ?? this.literal(PERCENT), end: at };
      }
      default:
        // msvcrt: an unknown conversion character is matched as text after white space ("%@"
        // matches "@"; Microsoft documents this). UCRT stops there: Windows returns 0 for
        // sscanf("\"%12@", "%\"%%%d%@"), which Wine 8 scans like msvcrt.
        if (this.opts.ucrt) return { failure: 'match', end: at };
        return { failure: this.skipToField() ?? this.literal(conv), end: at };
    }
  }

  /** %d %i %o %u %x %X %p: digits accumulate modulo 2^64 and the low bits are stored (no overflow check, as both CRTs). */
  private integer(d: Directive): Failure | undefined {
    const skip = this.skipToField();
    if (skip) return skip;
    const conv = lower(d.conv);
    const isPointer = conv === 0x70;
    let base = conv === 0x6f ? 8 : conv === 0x78 || isPointer ? 16 : conv === 0x69 ? 0 : 10;
    let width = d.width === 0 ? Infinity : d.width;
    let c = this.get();
    let negative = false;
    if (c === 0x2d || c === 0x2b) {
      negative = c === 0x2d;
      if (--width === 0) return 'match';
      c = this.get();
    }
    let digits = 0;
    let value = 0n;
    // A "0x" prefix for %x and %i (and %p in the UCRT: Windows reads "0x46F173" as 0x46f173 there;
    // msvcrt reads it as 0, and so does Wine 8's ucrtbase). After it, hex digits must follow.
    const prefixOk = base === 16 ? !isPointer || this.opts.ucrt : base === 0;
    if (prefixOk && c === 0x30) {
      digits = 1;
      width--;
      const x = width > 0 ? this.get() : EOF;
      if (x === 0x78 || x === 0x58) {
        base = 16;
        digits = 0;
        if (--width === 0) return 'match';
        c = this.get();
      } else {
        this.unget(x);
        if (base === 0) base = 8;
        c = width > 0 ? this.get() : EOF;
      }
    } else if (base === 0) {
      base = 10;
    }
    for (;;) {
      const v = digitValue(c, base);
      if (v < 0) {
        this.unget(c);
        break;
      }
      value = BigInt.asUintN(64, value * BigInt(base) + BigInt(v));
      digits++;
      if (--width === 0) break;
      c = this.get();
    }
    // Nothing read: EOF if the input ran out ("-", "0x"; Microsoft documents EOF when the input
    // ends before the first conversion; Wine 8 returns 0), else a matching failure.
    if (digits === 0) return this.atEnd ? 'input' : 'match';
    if (negative) value = BigInt.asUintN(64, -value);
    this.matched = true;
    if (d.suppress) return undefined;
    const p = this.pointer();
    if (d.int64 || isPointer) this.mem.setU64(p, value);
    else if (d.longness === 0) this.mem.setU16(p, Number(value & 0xffffn));
    else if (this.opts.ucrt && d.hCount === 2) this.mem.setU8(p, Number(value & 0xffn)); // UCRT hh; msvcrt stores an int
    else this.mem.setU32(p, Number(value & 0xffffffffn));
    this.count++;
    return undefined;
  }

  /** %e %f %g: float, or double with `l`, `L` or `ll`. */
  private float(d: Directive): Failure | undefined {
    const skip = this.skipToField();
    if (skip) return skip;
    const source = { get: () => this.get(), unget: (c: number) => this.unget(c) };
    const { text: r, took } = readFloat(source, d.width === 0 ? Infinity : d.width, this.opts.ucrt);
    // A failed number is EOF once a character was taken ("1e", "-.", "infi" are EOF on Windows
    // and under Wine), 0 otherwise.
    if (r === undefined) return took > 0 ? 'input' : 'match';
    this.matched = true;
    if (d.suppress) return undefined;
    const p = this.pointer();
    const dbl = d.longness >= 2 || d.int64;
    if (r.nan) {
      // The NaN Wine produces: all payload bits set.
      if (dbl) this.mem.setU64(p, r.negative ? 0xffffffffffffffffn : 0x7fffffffffffffffn);
      else this.mem.setU32(p, r.negative ? 0xffffffff : 0x7fffffff);
    } else {
      const value = floatTextValue(r, dbl ? DOUBLE : FLOAT);
      const dv = new DataView(new ArrayBuffer(8));
      if (dbl) {
        dv.setFloat64(0, value, true);
        this.mem.setU64(p, dv.getBigUint64(0, true));
      } else {
        dv.setFloat32(0, value, true);
        this.mem.setU32(p, dv.getUint32(0, true));
      }
    }
    this.count++;
    return undefined;
  }

  /** Whether %c/%s/%[ store wide characters: `h` narrow, `l`/`w` wide, else by the conversion's case. */
  private wideDest(d: Directive, upper: boolean): boolean {
    if (d.wideness !== 0) return d.wideness > 0;
    const legacyWide = this.opts.wide && !this.opts.isoWideSpecifiers;
    return legacyWide ? !upper : upper;
  }

  /** A character as stored: narrow to wide by value (the "C" locale is ISO 8859-1), wide to
   *  narrow by its low byte (as Wine: U+263A becomes ':'). */
  private storeChar(p: number, index: number, wide: boolean, c: number): void {
    if (wide) this.mem.setU16(p + 2 * index, c & 0xffff);
    else this.mem.setU8(p + index, c & 0xff);
  }

  /** The destination of %c %s %[ and, for the _s variants, its size in characters. */
  private buffer(d: Directive): { p: number; size: number } | undefined {
    if (d.suppress) return undefined;
    const p = this.pointer();
    if (!this.opts.secure) return { p, size: Infinity };
    if (p === 0) throw new ScanInvalidParameter('scanf_s: NULL buffer');
    return { p, size: Number(this.args.next() & 0xffffffffn) };
  }

  /** %c: exactly `width` characters (default 1), white space included, no NUL. */
  private chars(d: Directive, upper: boolean): Failure | undefined {
    const wide = this.wideDest(d, upper);
    const width = d.width === 0 ? 1 : d.width;
    const buf = this.buffer(d);
    let n = 0;
    for (; n < width; n++) {
      const c = this.get();
      if (c < 0) break;
      if (buf) {
        // _s: a character with no room left fails the conversion and empties the buffer.
        if (n >= buf.size) return this.overflow(buf.p, wide);
        this.storeChar(buf.p, n, wide, c);
      }
    }
    if (n === 0) return 'input';
    this.matched = true;
    if (buf) this.count++;
    return undefined;
  }

  /** %s (set undefined: up to white space) and %[ (characters in the set); NUL-terminated. */
  private string(d: Directive, upper: boolean, set: ScanSet | undefined): Failure | undefined {
    if (!set) {
      const skip = this.skipToField();
      if (skip) return skip;
    }
    const wide = this.wideDest(d, upper);
    const buf = this.buffer(d);
    let width = d.width === 0 ? Infinity : d.width;
    let n = 0;
    while (width-- > 0) {
      const c = this.get();
      if (c < 0 || (set ? !set.has(c) : this.isSpace(c))) {
        this.unget(c);
        break;
      }
      if (buf) {
        if (n >= buf.size) return this.overflow(buf.p, wide);
        this.storeChar(buf.p, n, wide, c);
      }
      n++;
    }
    if (n === 0) {
      // Wine writes the terminating NUL even when a set matches nothing.
      if (buf && set && buf.size > 0) this.storeChar(buf.p, 0, wide, 0);
      return this.atEnd ? 'input' : 'match';
    }
    this.matched = true;
    if (!buf) return undefined;
    if (n >= buf.size) return this.overflow(buf.p, wide);
    this.storeChar(buf.p, n, wide, 0);
    this.count++;
    return undefined;
  }

  /** _s buffer too small: the conversion fails and the buffer becomes an empty string (what was
   *  written after its first character stays, as on Windows). */
  private overflow(p: number, wide: boolean): Failure {
    this.storeChar(p, 0, wide, 0);
    return 'match';
  }

  /** The set of a %[ directive starting at `start` (after the '['), or undefined if unterminated. */
  private parseSet(start: number): ScanSet | undefined {
    const fmt = this.fmt;
    let i = start;
    const negate = fmt[i] === 0x5e; // ^
    if (negate) i++;
    const ranges: number[] = [];
    let prev: number | undefined;
    if (fmt[i] === 0x5d) { // ']' first is a member
      ranges.push(0x5d, 0x5d);
      prev = 0x5d;
      i++;
    }
    while (i < fmt.length && fmt[i] !== 0x5d) {
      const c = fmt[i++]!;
      if (c === 0x2d && prev !== undefined && i < fmt.length && fmt[i] !== 0x5d) {
        // A range; "z-a" is the same as "a-z" (documented). A '-' right after a range is a
        // member: "%[1-2-4]" is {1, 2, -, 4} on Windows.
        const hi = fmt[i++]!;
        ranges.push(Math.min(prev, hi), Math.max(prev, hi));
        prev = undefined;
      } else {
        // Members compare as unsigned characters (Wine 8 sign-extends bytes above 0x7f in
        // ranges, so "%[\xe0-\xef]" matches nothing there).
        ranges.push(c, c);
        prev = c;
      }
    }
    if (i >= fmt.length) return undefined;
    return new ScanSet(ranges, negate, i);
  }
}

class ScanSet {
  constructor(
    private readonly ranges: number[],
    private readonly negate: boolean,
    /** Index of the closing ']' in the format. */
    readonly end: number,
  ) {}

  has(c: number): boolean {
    let inSet = false;
    for (let k = 0; k < this.ranges.length; k += 2) {
      if (c >= this.ranges[k]! && c <= this.ranges[k + 1]!) {
        inSet = true;
        break;
      }
    }
    return inSet !== this.negate;
  }
}

/** A ScanInput over characters already in memory: stops at `limit` characters or a NUL. */
export function arrayInput(units: ArrayLike<number>, limit = Infinity): ScanInput {
  let i = 0;
  return {
    get: () => (i < limit && i < units.length && units[i] !== 0 ? units[i++]! : EOF),
    unget: () => {
      i--;
    },
  };
}
