// The scanf engine (src/dlls/msvcrt/scanf.ts) and the float rounding behind it
// (src/dlls/msvcrt/fltparse.ts). The whole-program behaviour against Wine is checked by
// scanf.exe / scanf_ucrt.exe in run.test.ts; these tests cover the pure parts directly,
// including the one-character pushback a FILE stream will rely on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decimalToBinary, hexToBinary, DOUBLE, FLOAT } from '../src/dlls/msvcrt/fltparse.js';
import {
  arrayInput, EOF, scan, ScanInvalidParameter, type ScanInput, type ScanOptions,
} from '../src/dlls/msvcrt/scanf.js';

// ---- float rounding -----------------------------------------------------------------------

/** A deterministic generator (xorshift32), so a failure reproduces. */
function rng(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}

const f64bits = (x: number): string => {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x);
  return dv.getBigUint64(0).toString(16).padStart(16, '0');
};

const f32bits = (x: number): string => {
  const dv = new DataView(new ArrayBuffer(4));
  dv.setFloat32(0, x);
  return dv.getUint32(0).toString(16).padStart(8, '0');
};

/** Splits "123.45e6" into the digits and power of ten decimalToBinary takes. */
function decimalParts(s: string): { digits: string; exp: number } {
  const m = /^(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i.exec(s)!;
  return { digits: (m[1] ?? '') + (m[2] ?? ''), exp: Number(m[3] ?? 0) - (m[2] ?? '').length };
}

/**
 * An independent float reference: V8's Number() is correctly rounded to double; rounding that
 * again to float is right unless the double is exactly halfway between two floats, and then
 * the exact decimal value (compared as a rational) picks the side.
 */
function referenceFloat(s: string): number {
  const d = Number(s);
  if (d >= 2 ** 128) return Infinity;
  const f = Math.fround(d);
  if (f === d) return f;
  const other = f < d ? nextFloatUp(f) : nextFloatDown(f);
  const fv = Number.isFinite(f) ? f : 2 ** 128; // an overflow is 2^128 for the comparison
  if (Math.abs(other - d) !== Math.abs(fv - d)) return f; // not a midpoint
  const { digits, exp } = decimalParts(s);
  const cmp = compareDecimalToDouble(BigInt(digits), exp, d);
  if (cmp === 0) return f; // a true tie: fround already chose the even one
  const up = cmp > 0;
  return up === fv > d ? f : other;
}

function nextFloatUp(f: number): number {
  const dv = new DataView(new ArrayBuffer(4));
  dv.setFloat32(0, f);
  dv.setUint32(0, dv.getUint32(0) + (f >= 0 ? 1 : -1));
  return dv.getFloat32(0);
}

function nextFloatDown(f: number): number {
  const dv = new DataView(new ArrayBuffer(4));
  dv.setFloat32(0, f);
  dv.setUint32(0, dv.getUint32(0) + (f > 0 ? -1 : 1));
  return dv.getFloat32(0);
}

/** sign(m·10^e − d) for a positive finite double d, exactly. */
function compareDecimalToDouble(m: bigint, e: number, d: number): number {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, d);
  const b = dv.getBigUint64(0);
  const biased = Number(b >> 52n);
  const mant = biased === 0 ? (b & 0xfffffffffffffn) << 1n : (b & 0xfffffffffffffn) | (1n << 52n);
  const e2 = (biased === 0 ? 1 : biased) - 1075 - (biased === 0 ? 1 : 0);
  // m·10^e vs mant·2^e2, all scaled to integers.
  let lhs = m;
  let rhs = mant;
  if (e >= 0) lhs *= 10n ** BigInt(e);
  else rhs *= 10n ** BigInt(-e);
  if (e2 >= 0) rhs <<= BigInt(e2);
  else lhs <<= BigInt(-e2);
  return lhs === rhs ? 0 : lhs > rhs ? 1 : -1;
}

describe('decimal to double and float, correctly rounded', () => {
  const hard = [
    '2.2250738585072011e-308', '2.2250738585072012e-308', '4.9406564584124654e-324', '2.4703282292062327e-324',
    '2.4703282292062328e-324', '1.7976931348623157e308', '1.7976931348623158e308', '1.7976931348623159e308',
    '9007199254740993', '9007199254740993.0000000000000000000001', '0.1', '0.30000000000000004', '1e23',
    '8.589973e9', '7.038531e-26', '1.000000000000000111022302462515654042363166809082031250',
    '1.000000000000000111022302462515654042363166809082031251', '123456789012345678901234567890e-300',
    '0.1000000000000000055511151231257827021181583404541015625', '1e-400', '1e400', '0', '1e-45', '7e-46',
    '7.006492321624085354618647916449580656401309709382578858785341e-46', '3.4028235677973366e38',
    '3.4028235677973367e38', '1.000000059604644775390625000000000001', '1.00000005960464477539062499999999',
    '1.000000059604644775390625', '16777217', '1.17549435e-38', '1.1754942e-38',
    '4.4501477170144023e-308', '5e-324', '2.225073858507201136057409796709131975934819546351645648e-308',
    '0.' + '0'.repeat(340) + '1', '1' + '0'.repeat(400) + 'e-400', '9'.repeat(900) + 'e-900',
  ];
  it('matches V8 (a correctly rounded strtod) for doubles on hard cases', () => {
    for (const s of hard) {
      const { digits, exp } = decimalParts(s);
      assert.equal(f64bits(decimalToBinary(false, digits, exp, DOUBLE)), f64bits(Number(s)), s);
    }
  });
  it('rounds floats once, from the exact value (not through a double)', () => {
    for (const s of hard) {
      const { digits, exp } = decimalParts(s);
      assert.equal(f32bits(decimalToBinary(false, digits, exp, FLOAT)), f32bits(referenceFloat(s)), s);
    }
    // The double-rounding trap: above the midpoint 1 + 2^-24 by 1e-36.
    const { digits, exp } = decimalParts('1.000000059604644775390625000000000001');
    assert.equal(decimalToBinary(false, digits, exp, FLOAT), 1 + 2 ** -23);
  });
  it('agrees with the references on 20000 random decimal strings', () => {
    const r = rng(0x5eed);
    for (let n = 0; n < 20000; n++) {
      const len = 1 + Math.floor(r() * 25);
      let digits = '';
      for (let k = 0; k < len; k++) digits += String(Math.floor(r() * 10));
      const exp = Math.floor(r() * 700) - 360 - (n % 2 ? 0 : 320 - Math.floor(r() * 20));
      const s = `${digits}e${exp}`;
      assert.equal(f64bits(decimalToBinary(false, digits, exp, DOUBLE)), f64bits(Number(s)), s);
      const fexp = Math.floor(r() * 90) - 60 - len;
      const fs = `${digits}e${fexp}`;
      assert.equal(f32bits(decimalToBinary(false, digits, fexp, FLOAT)), f32bits(referenceFloat(fs)), fs);
    }
  });
  it('keeps the sign of zero and infinity', () => {
    assert.ok(Object.is(decimalToBinary(true, '000', 5, DOUBLE), -0));
    assert.equal(decimalToBinary(true, '1', 999999, DOUBLE), -Infinity);
    assert.ok(Object.is(decimalToBinary(true, '1', -999999, FLOAT), -0));
  });
});

describe('hexadecimal to double and float', () => {
  const cases: [string, number, number][] = [
    // digits, exponent of 2 (for the digits as an integer), expected double
    ['1', 3, 8],
    ['18', -3, 3],
    ['1921fb54442d18', -51, Math.PI],
    ['1', -1074, 5e-324],
    ['1', -1075, 0], // exactly half the smallest subnormal: ties to even (zero)
    ['18', -1079, 5e-324], // 0x1.8p-1075: above half
    ['100000000000008', -56, 1], // 0x1.00000000000008p0: a tie, stays even
    ['1000000000000080000001', -84, 1 + 2 ** -52],
    ['100000000000018', -56, 1 + 2 ** -51], // a tie rounding up to even
    ['1fffffffffffff8', -56 + 1023, Infinity], // 0x1.fffffffffffff8p1023 rounds up past the largest double
    ['1fffffffffffff7', -56 + 1023, 1.7976931348623157e308],
    ['fffffffffffff8', -1074, 3.5601181736115218e-307],
    ['1' + '0'.repeat(400), -1600, 1], // long digit strings stay exact
    ['1', 1024, Infinity],
  ];
  it('rounds to nearest even, subnormals and overflow included', () => {
    for (const [digits, exp, expected] of cases) {
      assert.equal(f64bits(hexToBinary(false, digits, exp, DOUBLE)), f64bits(expected), `${digits} p${exp}`);
    }
  });
  it('rounds floats directly', () => {
    assert.equal(hexToBinary(false, '1000001', -24, FLOAT), 1); // 1 + 2^-24: a tie to even
    assert.equal(hexToBinary(false, '10000011', -28, FLOAT), 1 + 2 ** -23);
    assert.equal(hexToBinary(false, '1', -149, FLOAT), 2 ** -149);
    assert.equal(hexToBinary(false, '1', -150, FLOAT), 0);
    assert.equal(hexToBinary(false, '18', -154, FLOAT), 2 ** -149);
  });
});

// ---- the engine -----------------------------------------------------------------------------

/** Guest memory for the tests: a little-endian byte array at address 0x1000. */
class FakeMemory {
  readonly bytes = new Uint8Array(256).fill(0xaa);
  private readonly dv = new DataView(this.bytes.buffer);
  private at(addr: number, len: number): number {
    const off = addr - 0x1000;
    if (off < 0 || off + len > this.bytes.length) throw new RangeError(`bad guest address ${addr}`);
    return off;
  }
  setU8(a: number, v: number): void { this.dv.setUint8(this.at(a, 1), v); }
  setU16(a: number, v: number): void { this.dv.setUint16(this.at(a, 2), v, true); }
  setU32(a: number, v: number): void { this.dv.setUint32(this.at(a, 4), v, true); }
  setU64(a: number, v: bigint): void { this.dv.setBigUint64(this.at(a, 8), v, true); }
  u32(a: number): number { return this.dv.getUint32(this.at(a, 4), true); }
  i32(a: number): number { return this.dv.getInt32(this.at(a, 4), true); }
  u64(a: number): bigint { return this.dv.getBigUint64(this.at(a, 8), true); }
  f64(a: number): number { return this.dv.getFloat64(this.at(a, 8), true); }
  f32(a: number): number { return this.dv.getFloat32(this.at(a, 4), true); }
  text(a: number): string {
    const off = this.at(a, 1);
    const end = this.bytes.indexOf(0, off);
    return String.fromCharCode(...this.bytes.subarray(off, end));
  }
  wtext(a: number): string {
    let s = '';
    for (let p = a; ; p += 2) {
      const u = this.dv.getUint16(this.at(p, 2), true);
      if (u === 0) return s;
      s += String.fromCharCode(u);
    }
  }
}

const A = 0x1000;
const B = 0x1040;
const C = 0x1080;
const D = 0x10c0;

const units = (s: string): number[] => Array.from(s, (ch) => ch.charCodeAt(0));

/**
 * An input that behaves like a stream with a one-character ungetc: pushing back anything but
 * the character just read, or two characters in a row, is an error.
 */
function streamInput(s: string): ScanInput & { position(): number } {
  let i = 0;
  let last: number | undefined;
  return {
    get: () => {
      const c = i < s.length ? s.charCodeAt(i++) : EOF;
      last = c;
      return c;
    },
    unget: (c) => {
      assert.equal(c, last, 'unget of a character other than the last one read');
      last = undefined;
      i--;
    },
    position: () => i,
  };
}

function run(input: string, format: string, args: (number | bigint)[], opts: Partial<ScanOptions> = {}, mem = new FakeMemory()): { r: number; mem: FakeMemory } {
  const slots = args.map(BigInt);
  let k = 0;
  const r = scan(arrayInput(units(input)), units(format), { next: () => slots[k++] ?? 0n }, mem, {
    wide: false, secure: false, ucrt: false, ...opts,
  });
  return { r, mem };
}

describe('scan: conversions', () => {
  it('integers: bases, signs, prefixes, sizes, wrap-around', () => {
    let { r, mem } = run('  -123 0x1f 017 ff 777 4294967297', '%d %i %i %x %o %u', [A, A + 4, A + 8, A + 12, A + 16, A + 20]);
    assert.equal(r, 6);
    assert.deepEqual([mem.i32(A), mem.i32(A + 4), mem.i32(A + 8), mem.i32(A + 12), mem.i32(A + 16), mem.u32(A + 20)], [-123, 31, 15, 255, 511, 1]);
    ({ r, mem } = run('70000 300', '%hd %hhd', [A, B]));
    assert.equal(r, 2);
    assert.deepEqual([mem.bytes[0], mem.bytes[1], mem.bytes[2]], [0x70, 0x11, 0xaa]); // a short
    assert.equal(mem.u32(B), 300); // msvcrt: hh is not char
    ({ mem } = run('300', '%hhd', [A], { ucrt: true }));
    assert.deepEqual([mem.bytes[0], mem.bytes[1]], [0x2c, 0xaa]); // UCRT: a char
    ({ mem } = run('-1 5000000000 0xfefefefefefefefe', '%llu %I64d %jx', [A, B, C]));
    assert.deepEqual([mem.u64(A), mem.u64(B), mem.u64(C)], [0xffffffffffffffffn, 5000000000n, 0xfefefefefefefefen]);
    ({ mem } = run('99999999999999999999', '%d', [A]));
    assert.equal(mem.u32(A), 0x630fffff); // the low bits of the value modulo 2^64
  });
  it('%p: 64 bits; msvcrt takes no 0x prefix, the UCRT does', () => {
    assert.equal(run('0x46F173', '%p', [A]).mem.u64(A), 0n);
    assert.equal(run('0x46F173', '%p', [A], { ucrt: true }).mem.u64(A), 0x46f173n);
    assert.equal(run('-46F174', '%p', [A]).mem.u64(A), BigInt.asUintN(64, -0x46f174n));
  });
  it('widths, including digits after a size prefix', () => {
    const { r, mem } = run('12345678', '%2h0d', [A]);
    assert.equal(r, 1);
    assert.equal(mem.u32(A) & 0xffff, 0x614e);
    assert.equal(run('12345678', '%h02d', [A]).mem.u32(A) & 0xffff, 12);
    const m = run('123456789012', '%5d%3d%d', [A, B, C]).mem;
    assert.deepEqual([m.i32(A), m.i32(B), m.i32(C)], [12345, 678, 9012]);
  });
  it('floats: float by default, double with l/L/ll, correctly rounded', () => {
    const { r, mem } = run('0.1 0.1 2.5e-3 1.000000059604644775390625000000000001', '%f %lf %Lf %f', [A, B, C, D]);
    assert.equal(r, 4);
    assert.equal(mem.f32(A), Math.fround(0.1));
    assert.equal(mem.f64(B), 0.1);
    assert.equal(mem.f64(C), 0.0025);
    assert.equal(mem.f32(D), 1 + 2 ** -23);
  });
  it('floats: hex, inf and nan in the UCRT only', () => {
    let { r, mem } = run('0x1.8p1 -inf nan', '%lf %lf %lf', [A, B, C], { ucrt: true });
    assert.equal(r, 3);
    assert.deepEqual([mem.f64(A), mem.f64(B), mem.u64(C)], [3, -Infinity, 0x7fffffffffffffffn]);
    ({ r, mem } = run('0x1p3', '%lf%n', [A, B]));
    assert.equal(r, 1);
    assert.deepEqual([mem.f64(A), mem.u32(B)], [0, 1]);
    assert.equal(run('inf', '%lf', [A]).r, 0);
  });
  it('floats that fail after taking characters are EOF; a width leaves the rest for the next directive', () => {
    for (const s of ['1e', '1e+', '.', '-.', 'infi', '0x', '0xp3']) assert.equal(run(s, '%lf', [A], { ucrt: true }).r, EOF, s);
    assert.equal(run('a', '%lf', [A], { ucrt: true }).r, 0);
    assert.equal(run('a0e', '%c%lf', [A, B], { ucrt: true }).r, 1);
    const { r, mem } = run('3.14159', '%4lf%n%d', [A, B, C]);
    assert.equal(r, 2);
    assert.deepEqual([mem.f64(A), mem.u32(B), mem.u32(C)], [3.14, 4, 159]);
  });
  it('%c %s %[ and their wide forms', () => {
    let { r, mem } = run(' ab  cd ]x-y', '%3c%s %[]a-z]%[^y]', [A, B, C, D]);
    assert.equal(r, 4);
    assert.deepEqual([...mem.bytes.subarray(0, 4)], [0x20, 0x61, 0x62, 0xaa]); // no NUL for %c
    assert.deepEqual([mem.text(B), mem.text(C), mem.text(D)], ['cd', ']x', '-']);
    ({ r, mem } = run('héllo', '%S', [A]));
    assert.equal(r, 1);
    assert.equal(mem.wtext(A), 'héllo');
    ({ r, mem } = run('-4123 z', '%[1-2-4]%*c %[z-a]', [A, B]));
    assert.equal(r, 2);
    assert.deepEqual([mem.text(A), mem.text(B)], ['-412', 'z']);
    ({ r, mem } = run('abc1', '%l[a-z]', [A]));
    assert.equal(r, 1);
    assert.equal(mem.wtext(A), 'abc');
  });
  it('wide functions: %s wide and %S narrow (legacy), or the ISO meaning', () => {
    const wide = { wide: true };
    let { mem } = run('hi there', '%s %S', [A, B], wide);
    assert.deepEqual([mem.wtext(A), mem.text(B)], ['hi', 'there']);
    ({ mem } = run('hi there', '%s %S', [A, B], { ...wide, ucrt: true, isoWideSpecifiers: true }));
    assert.deepEqual([mem.text(A), mem.wtext(B)], ['hi', 'there']);
    ({ mem } = run('a\u263a', '%2C', [A], wide));
    assert.deepEqual([...mem.bytes.subarray(0, 3)], [0x61, 0x3a, 0xaa]); // low byte, as Wine
    assert.equal(run('1\u30002', '%d %d', [A, B], wide).r, 2); // U+3000 is white space
  });
  it('%n counts characters taken, does not count as a field, and takes no input', () => {
    const { r, mem } = run('abc   def', '%s %n%s', [A, B, C]);
    assert.equal(r, 2);
    assert.equal(mem.u32(B), 6);
    assert.equal(run('12345', '%3d%hn', [A, B]).mem.u32(B), 3); // an int whatever the prefix
  });
  it('assignment suppression takes no argument', () => {
    const { r, mem } = run('skip 12 keep', '%*s %*d %s', [A]);
    assert.equal(r, 1);
    assert.equal(mem.text(A), 'keep');
  });
  it('literals, white space, %% and unknown conversions', () => {
    assert.equal(run('1 ,2', '%d,%d', [A, B]).r, 1);
    assert.equal(run('1, 2', '%d,%d', [A, B]).r, 2);
    assert.equal(run(' %5', '%%%d', [A]).r, 1);
    assert.equal(run('"%12@', '%"%%%d%@', [A]).r, 1); // msvcrt matches an unknown conversion as text
    assert.equal(run('"%12@', '%"%%%d%@', [A], { ucrt: true }).r, 0); // the UCRT stops
  });
});

describe('scan: return values', () => {
  const cases: [string, string, number][] = [
    ['', '%d', EOF], ['', '', 0], ['', ' ', EOF], ['', '%n', EOF], ['   ', '%d', EOF], ['   ', '%s', EOF],
    ['-', '%d', EOF], ['- 5', '%d', 0], ['0x', '%x', EOF], ['0xg', '%x', 0], ['x', '%d', 0], ['abc', 'abc%d', EOF],
    ['abc', 'x', 0], ['5', '%*d', 0], ['5', '%*d %d', 0], ['1', '%d%d', 1], ['1 2', '%d %d %d', 2], ['5', '%5', 0],
  ];
  for (const [input, format, expected] of cases) {
    it(`"${input}" with "${format}" returns ${expected}`, () => {
      assert.equal(run(input, format, [A, B, C]).r, expected);
    });
  }
  it('wide: only white space left is 0, not EOF (as swscanf on Windows)', () => {
    assert.equal(run('  ', '%s', [A], { wide: true }).r, 0);
    assert.equal(run('', '%s', [A], { wide: true }).r, EOF);
  });
});

describe('scan: the _s variants', () => {
  const secure = { secure: true };
  it('a buffer too small fails and empties the buffer', () => {
    let { r, mem } = run('hello', '%s', [A, 6], secure);
    assert.equal(r, 1);
    assert.equal(mem.text(A), 'hello');
    ({ r, mem } = run('hello', '%s', [A, 5], secure));
    assert.equal(r, 0);
    assert.deepEqual([...mem.bytes.subarray(0, 5)], [0, 0x65, 0x6c, 0x6c, 0x6f]);
    ({ r, mem } = run('123', '%3c', [A, 2], secure));
    assert.equal(r, 0);
    assert.deepEqual([...mem.bytes.subarray(0, 3)], [0, 0x32, 0xaa]);
    ({ r, mem } = run('x', '%c', [A, 0], secure));
    assert.equal(r, 0);
    assert.equal(mem.bytes[0], 0); // even a size of 0 gets the NUL, as on Windows
  });
  it('sizes follow only %c %s %[ (in characters for wide buffers)', () => {
    const { r, mem } = run('42 ab', '%d %S', [A, B, 3], secure);
    assert.equal(r, 2);
    assert.deepEqual([mem.u32(A), mem.wtext(B)], [42, 'ab']);
  });
  it('a NULL buffer is an invalid parameter', () => {
    assert.throws(() => run('abc', '%s', [0, 4], secure), ScanInvalidParameter);
  });
});

describe('scan: input', () => {
  it('never pushes back more than one character (what a stream\'s ungetc allows)', () => {
    const formats = ['%d%s', '%x%s', '%i%s', '%lf%s', '%5lf%s', '%[a-z]%s', '%s', '%c%c', 'ab%s', ' %%%s', '%2i%s'];
    const inputs = ['0x1fg', '1e+x', '-.5e', '0xp', 'infinit y', 'abc def', '12 34', '%%x', 'nan(1)', '0x1.8p3q'];
    for (const f of formats) {
      for (const s of inputs) {
        const input = streamInput(s);
        const mem = new FakeMemory();
        let k = 0;
        const slots = [A, B, C, D].map(BigInt);
        scan(input, units(f), { next: () => slots[k++] ?? 0n }, mem, { wide: false, secure: false, ucrt: true });
      }
    }
  });
  it('leaves the input just after the last character used', () => {
    const input = streamInput('12 abc');
    const mem = new FakeMemory();
    let k = 0;
    const slots = [A, B].map(BigInt);
    assert.equal(scan(input, units('%d%2s'), { next: () => slots[k++]! }, mem, { wide: false, secure: false, ucrt: false }), 2);
    assert.equal(input.position(), 5);
  });
  it('a length limit and a NUL both end the input', () => {
    const mem = new FakeMemory();
    assert.equal(scan(arrayInput(units('12345'), 3), units('%d'), { next: () => BigInt(A) }, mem, { wide: false, secure: false, ucrt: false }), 1);
    assert.equal(mem.u32(A), 123);
    assert.equal(scan(arrayInput([0x31, 0x32, 0, 0x33]), units('%d%c'), { next: () => BigInt(B) }, mem, { wide: false, secure: false, ucrt: false }), 1);
    assert.equal(mem.u32(B), 12);
  });
});
