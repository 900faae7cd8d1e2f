/** math.h and the number conversions of stdlib.h (atof, strtod, strtol). Doubles arrive in
 *  and leave through XMM registers (the export rows say f64). */
import type { ApiContext } from '../types.js';
import { setErrno } from './memory.js';
import { CRT, crt } from './crtdata.js';

const ERANGE = 34;
const EDOM = 33;

export const sqrt = (_ctx: ApiContext, x: number): number => Math.sqrt(x);
export const floor = (_ctx: ApiContext, x: number): number => Math.floor(x);
export const ceil = (_ctx: ApiContext, x: number): number => Math.ceil(x);
export const fabs = (_ctx: ApiContext, x: number): number => Math.abs(x);
export const sin = (_ctx: ApiContext, x: number): number => Math.sin(x);
export const cos = (_ctx: ApiContext, x: number): number => Math.cos(x);
export const tan = (_ctx: ApiContext, x: number): number => Math.tan(x);
export const atan = (_ctx: ApiContext, x: number): number => Math.atan(x);
export const atan2 = (_ctx: ApiContext, y: number, x: number): number => Math.atan2(y, x);
export const exp = (_ctx: ApiContext, x: number): number => Math.exp(x);

export function log(ctx: ApiContext, x: number): number {
  if (x < 0) return mathError(ctx, _DOMAIN, 'log', [x], Math.log(x));
  if (x === 0) return mathError(ctx, _SING, 'log', [x], Math.log(x));
  return Math.log(x);
}

export function pow(ctx: ApiContext, x: number, y: number): number {
  const r = Math.pow(x, y);
  if (!Number.isFinite(r) && Number.isFinite(x) && Number.isFinite(y)) return mathError(ctx, _OVERFLOW, 'pow', [x, y], r);
  return r;
}

/** C fmod: the result has the sign of x (JS % does the same). */
export const fmod = (_ctx: ApiContext, x: number, y: number): number => x % y;

export function ldexp(ctx: ApiContext, x: number, e: number): number {
  // Scale in steps so that intermediate powers of two do not overflow or underflow early.
  let r = x;
  let n = e;
  while (n > 1000) {
    r *= 2 ** 1000;
    n -= 1000;
  }
  while (n < -1000) {
    r *= 2 ** -1000;
    n += 1000;
  }
  r *= 2 ** n;
  if (!Number.isFinite(r) && Number.isFinite(x)) setErrno(ctx, ERANGE);
  return r;
}

export function frexp(ctx: ApiContext, x: number, expOut: number): number {
  if (x === 0 || !Number.isFinite(x)) {
    ctx.mem.setU32(expOut, 0);
    return x;
  }
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, x);
  let e = (dv.getUint16(0) >> 4) & 0x7ff;
  if (e === 0) {
    // Subnormal: normalise first.
    dv.setFloat64(0, x * 2 ** 64);
    e = ((dv.getUint16(0) >> 4) & 0x7ff) - 64;
  }
  const exponent = e - 1022;
  ctx.mem.setU32(expOut, exponent);
  return ldexp(ctx, x, -exponent);
}

/** The longest prefix of `s` that C's strtod accepts (after leading white space). */
export function strtodPrefix(s: string): { value: number; length: number } {
  const m = /^[ \t\n\v\f\r]*([+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan(?:\([0-9A-Za-z_]*\))?|0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?))/i.exec(s);
  if (!m) return { value: 0, length: 0 };
  let text = m[1]!;
  // An exponent marker without digits is not part of the number ("1e" parses as 1).
  const body = text.toLowerCase();
  let value: number;
  if (/inf/.test(body)) value = body.startsWith('-') ? -Infinity : Infinity;
  else if (/nan/.test(body)) value = NaN;
  else if (/0x/.test(body)) {
    const hm = /^([+-]?)0x([0-9a-f]*)\.?([0-9a-f]*)(?:p([+-]?\d+))?$/.exec(body)!;
    const digits = (hm[2] ?? '') + (hm[3] ?? '');
    value = (digits ? parseInt(digits, 16) : 0) * 2 ** (Number(hm[4] ?? 0) - 4 * (hm[3] ?? '').length);
    if (hm[1] === '-') value = -value;
  } else {
    value = Number(text);
    if (Number.isNaN(value)) {
      text = text.replace(/[eE][+-]?$/, '');
      value = Number(text);
    }
  }
  return { value, length: m[0].length - (m[1]!.length - text.length) };
}

function readAscii(ctx: ApiContext, p: number): string {
  return String.fromCharCode(...ctx.mem.cstringBytes(p, 4096));
}

export function atof(ctx: ApiContext, s: number): number {
  return strtodPrefix(readAscii(ctx, s)).value;
}

export function strtod(ctx: ApiContext, s: number, end: number): number {
  const r = strtodPrefix(readAscii(ctx, s));
  if (end) ctx.mem.setU64(end, r.length === 0 ? s : s + r.length);
  if (!Number.isFinite(r.value) && r.length > 0 && !/inf|nan/i.test(readAscii(ctx, s))) setErrno(ctx, ERANGE);
  return r.value;
}

/** strtol / strtoul core: base 0 (auto), 2–36; returns the value (clamped by the caller). */
function strtoint(ctx: ApiContext, s: number, end: number, base: number): { value: bigint; ok: boolean } {
  const text = readAscii(ctx, s);
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX])?/.exec(text)!;
  let i = m[0].length;
  let b = base;
  if (m[2] && (b === 0 || b === 16)) b = 16;
  else {
    if (m[2]) i -= 1; // "0x" without hex digits: the 0 is the number
    if (b === 0) b = text[i] === '0' ? 8 : 10;
  }
  if (b < 2 || b > 36) {
    if (end) ctx.mem.setU64(end, s);
    return { value: 0n, ok: false };
  }
  let v = 0n;
  const start = i;
  for (; i < text.length; i++) {
    const d = parseInt(text[i]!, 36);
    if (Number.isNaN(d) || d >= b) break;
    v = v * BigInt(b) + BigInt(d);
  }
  if (i === start && m[2] && b === 16) i = start - 1; // "0x" alone: just the "0"
  if (end) ctx.mem.setU64(end, i === start && !(m[2] && b === 16) ? s : s + i);
  return { value: m[1] === '-' ? -v : v, ok: true };
}

export function strtol(ctx: ApiContext, s: number, end: number, base: number): number {
  const { value } = strtoint(ctx, s, end, base);
  if (value > 0x7fffffffn) {
    setErrno(ctx, ERANGE);
    return 0x7fffffff;
  }
  if (value < -0x80000000n) {
    setErrno(ctx, ERANGE);
    return -0x80000000;
  }
  return Number(value);
}

export function strtoul(ctx: ApiContext, s: number, end: number, base: number): number {
  const { value } = strtoint(ctx, s, end, base);
  const mag = value < 0n ? -value : value;
  if (mag > 0xffffffffn) {
    setErrno(ctx, ERANGE);
    return 0xffffffff;
  }
  return Number(BigInt.asUintN(32, value));
}

export function atoi(ctx: ApiContext, s: number): number {
  const { value } = strtoint(ctx, s, 0, 10);
  return Number(BigInt.asIntN(32, value));
}

// ---- more of math.h, with errno on domain (EDOM) and range (ERANGE) errors ------------------
const _DOMAIN = 1;
const _SING = 2;
const _OVERFLOW = 3;

export function __setusermatherr(ctx: ApiContext, handler: number): void {
  ctx.mem.setU64(crt(ctx, CRT.MathErr), handler);
}

/**
 * A math error: the handler __setusermatherr registered sees a struct _exception { int type;
 * char *name; double arg1, arg2, retval; } first; if it returns nonzero, its retval is the
 * result and errno is left alone. Otherwise errno is EDOM or ERANGE.
 */
function mathError(ctx: ApiContext, type: number, name: string, args: number[], r: number): number {
  const handler = ctx.mem.ptr(crt(ctx, CRT.MathErr));
  if (handler !== 0) {
    const e = crt(ctx, CRT.MathException);
    const m = ctx.mem;
    m.setU32(e, type);
    m.writeCString(e + 40, new TextEncoder().encode(name));
    m.setU64(e + 8, e + 40);
    m.setF64(e + 16, args[0] ?? 0);
    m.setF64(e + 24, args[1] ?? 0);
    m.setF64(e + 32, r);
    if (BigInt.asIntN(32, ctx.callGuest(handler, [e])) !== 0n) return m.f64(e + 32);
  }
  setErrno(ctx, type === _DOMAIN ? EDOM : ERANGE);
  return r;
}

function checked(ctx: ApiContext, name: string, r: number, args: number[]): number {
  if (Number.isNaN(r) && !args.some(Number.isNaN)) return mathError(ctx, _DOMAIN, name, args, r);
  if (!Number.isFinite(r) && args.every(Number.isFinite)) return mathError(ctx, name.startsWith('log') ? _SING : _OVERFLOW, name, args, r);
  return r;
}

export const sqrtChecked = (ctx: ApiContext, x: number): number => checked(ctx, 'sqrt', Math.sqrt(x), [x]);
export const log10 = (ctx: ApiContext, x: number): number => checked(ctx, 'log10', Math.log10(x), [x]);
export const asin = (ctx: ApiContext, x: number): number => checked(ctx, 'asin', Math.asin(x), [x]);
export const acos = (ctx: ApiContext, x: number): number => checked(ctx, 'acos', Math.acos(x), [x]);
export const sinh = (ctx: ApiContext, x: number): number => checked(ctx, 'sinh', Math.sinh(x), [x]);
export const cosh = (ctx: ApiContext, x: number): number => checked(ctx, 'cosh', Math.cosh(x), [x]);
export const tanh = (_ctx: ApiContext, x: number): number => Math.tanh(x);
export const expChecked = (ctx: ApiContext, x: number): number => checked(ctx, 'exp', Math.exp(x), [x]);
export const _hypot = (ctx: ApiContext, x: number, y: number): number => checked(ctx, '_hypot', Math.hypot(x, y), [x, y]);
export const _copysign = (_ctx: ApiContext, x: number, y: number): number => (Math.sign(y) < 0 || Object.is(y, -0) ? -Math.abs(x) : Math.abs(x));
export const _isnan = (_ctx: ApiContext, x: number): number => (Number.isNaN(x) ? 1 : 0);
export const _finite = (_ctx: ApiContext, x: number): number => (Number.isFinite(x) ? 1 : 0);

/** modf(x, &intpart): the fractional part; the integral part (toward zero) is stored. */
export function modf(ctx: ApiContext, x: number, ip: number): number {
  const i = Number.isFinite(x) ? Math.trunc(x) : x;
  ctx.mem.setF64(ip, i);
  return Number.isFinite(x) ? x - i : Number.isNaN(x) ? x : 0 * Math.sign(x);
}

/** _fpclass: _FPCLASS_SNAN 1, QNAN 2, NINF 4, NN 8, ND 0x10, NZ 0x20, PZ 0x40, PD 0x80, PN 0x100, PINF 0x200. */
export function _fpclass(_ctx: ApiContext, x: number): number {
  if (Number.isNaN(x)) {
    const dv = new DataView(new ArrayBuffer(8));
    dv.setFloat64(0, x);
    return (dv.getUint32(0) & 0x80000) !== 0 ? 2 : 1;
  }
  const neg = x < 0 || Object.is(x, -0);
  if (!Number.isFinite(x)) return neg ? 4 : 0x200;
  if (x === 0) return neg ? 0x20 : 0x40;
  const denormal = Math.abs(x) < 2.2250738585072014e-308;
  return neg ? (denormal ? 0x10 : 8) : denormal ? 0x80 : 0x100;
}

/** Single-precision variants: the argument arrives as a float and the result is rounded back. */
export const f32 = (f: (ctx: ApiContext, ...a: number[]) => number) => (ctx: ApiContext, ...a: number[]): number => Math.fround(f(ctx, ...a));
