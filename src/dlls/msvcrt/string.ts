/** <string.h> and the msvcrt string extras (narrow). Strings are byte strings; case mapping
 *  is the "C" locale's (ASCII). */
import { WR } from '../../native/layout.js';
import type { ApiContext } from '../types.js';
import { setErrno } from './memory.js';

const bytes = (ctx: ApiContext, p: number): Uint8Array => ctx.mem.cstringBytes(p);
const lower = (c: number): number => (c >= 65 && c <= 90 ? c + 32 : c);
const upper = (c: number): number => (c >= 97 && c <= 122 ? c - 32 : c);

export function strcat(ctx: ApiContext, d: number, s: number): number {
  ctx.mem.writeCString(d + bytes(ctx, d).length, bytes(ctx, s));
  return d;
}

export function strncat(ctx: ApiContext, d: number, s: number, n: bigint): number {
  ctx.mem.writeCString(d + bytes(ctx, d).length, ctx.mem.cstringBytes(s, Number(n)));
  return d;
}

/** strncpy: copies at most n bytes and pads with NULs up to n (no terminator if s is longer). */
export function strncpy(ctx: ApiContext, d: number, s: number, nArg: bigint): number {
  const n = Number(nArg);
  const b = ctx.mem.cstringBytes(s, n);
  const out = new Uint8Array(n);
  out.set(b);
  ctx.mem.write(d, out);
  return d;
}

function indexOf(hay: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= hay.length; i++) {
    for (let j = 0; j < needle.length; j++) if (hay[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

export function strstr(ctx: ApiContext, s: number, find: number): number {
  const i = indexOf(bytes(ctx, s), bytes(ctx, find));
  return i < 0 ? 0 : s + i;
}

export function strspn(ctx: ApiContext, s: number, set: number): bigint {
  const b = bytes(ctx, s);
  const accept = new Set(bytes(ctx, set));
  let i = 0;
  while (i < b.length && accept.has(b[i]!)) i++;
  return BigInt(i);
}

export function strcspn(ctx: ApiContext, s: number, set: number): bigint {
  const b = bytes(ctx, s);
  const reject = new Set(bytes(ctx, set));
  let i = 0;
  while (i < b.length && !reject.has(b[i]!)) i++;
  return BigInt(i);
}

export function strpbrk(ctx: ApiContext, s: number, set: number): number {
  const i = Number(strcspn(ctx, s, set));
  return i < bytes(ctx, s).length ? s + i : 0;
}

/** strtok keeps its position per thread (msvcrt's per-thread data). */
const STRTOK_SLOT = WR.Scratch + WR.ScratchSize - 8;

export function strtok(ctx: ApiContext, s: number, delim: number): number {
  const m = ctx.mem;
  let p = s !== 0 ? s : m.ptr(ctx.teb + STRTOK_SLOT);
  if (p === 0) return 0;
  const d = new Set(bytes(ctx, delim));
  while (m.u8(p) !== 0 && d.has(m.u8(p))) p++;
  if (m.u8(p) === 0) {
    m.setU64(ctx.teb + STRTOK_SLOT, 0);
    return 0;
  }
  const start = p;
  while (m.u8(p) !== 0 && !d.has(m.u8(p))) p++;
  if (m.u8(p) !== 0) {
    m.setU8(p, 0);
    p++;
  }
  m.setU64(ctx.teb + STRTOK_SLOT, p);
  return start;
}

export function _strdup(ctx: ApiContext, s: number): number {
  if (s === 0) return 0;
  const b = bytes(ctx, s);
  const p = ctx.process.heapAlloc(ctx.process.processHeap, b.length + 1, 0);
  if (p === 0) setErrno(ctx, 12);
  else ctx.mem.writeCString(p, b);
  return p;
}

function icmp(a: Uint8Array, b: Uint8Array, n: number): number {
  for (let i = 0; i < n; i++) {
    const x = lower(a[i] ?? 0);
    const y = lower(b[i] ?? 0);
    if (x !== y) return x - y;
    if (x === 0) return 0;
  }
  return 0;
}

export function _stricmp(ctx: ApiContext, a: number, b: number): number {
  return Math.sign(icmp(bytes(ctx, a), bytes(ctx, b), Infinity));
}

export function _strnicmp(ctx: ApiContext, a: number, b: number, n: bigint): number {
  return Math.sign(icmp(ctx.mem.cstringBytes(a, Number(n)), ctx.mem.cstringBytes(b, Number(n)), Number(n)));
}

function mapInPlace(ctx: ApiContext, s: number, f: (c: number) => number): number {
  ctx.mem.write(s, bytes(ctx, s).map(f));
  return s;
}

export const _strlwr = (ctx: ApiContext, s: number): number => mapInPlace(ctx, s, lower);
export const _strupr = (ctx: ApiContext, s: number): number => mapInPlace(ctx, s, upper);

export function _strrev(ctx: ApiContext, s: number): number {
  ctx.mem.write(s, bytes(ctx, s).reverse());
  return s;
}

export function strnlen(ctx: ApiContext, s: number, n: bigint): bigint {
  return BigInt(ctx.mem.cstringBytes(s, Number(n)).length);
}

// ---- number → text: _itoa family. Negative values are signed only in base 10; other bases
// show the two's-complement bit pattern of the argument's width.
function toText(value: bigint, width: 32 | 64, radix: number, signed: boolean): string {
  if (radix < 2 || radix > 36) return '';
  if (signed && radix === 10) return value.toString(10);
  return BigInt.asUintN(width, value).toString(radix);
}

function putText(ctx: ApiContext, buf: number, s: string, wide: boolean): number {
  if (wide) ctx.mem.writeWString(buf, s);
  else ctx.mem.writeCString(buf, new TextEncoder().encode(s));
  return buf;
}

export const _itoa = (ctx: ApiContext, v: number, buf: number, radix: number): number => putText(ctx, buf, toText(BigInt(v), 32, radix, true), false);
export const _ltoa = _itoa;
export const _ultoa = (ctx: ApiContext, v: number, buf: number, radix: number): number => putText(ctx, buf, toText(BigInt(v), 32, radix, false), false);
export const _i64toa = (ctx: ApiContext, v: bigint, buf: number, radix: number): number => putText(ctx, buf, toText(v, 64, radix, true), false);
export const _ui64toa = (ctx: ApiContext, v: bigint, buf: number, radix: number): number => putText(ctx, buf, toText(v, 64, radix, false), false);
export const _itow = (ctx: ApiContext, v: number, buf: number, radix: number): number => putText(ctx, buf, toText(BigInt(v), 32, radix, true), true);
export const _i64tow = (ctx: ApiContext, v: bigint, buf: number, radix: number): number => putText(ctx, buf, toText(v, 64, radix, true), true);

/** _atoi64 / _strtoi64 / strtoll core on a JS string: [ws][sign][0x|0]digits. */
export function parseInteger(text: string, baseArg: number): { value: bigint; used: number } {
  const m = /^[ \t\n\v\f\r]*([+-]?)/.exec(text)!;
  let i = m[0].length;
  let base = baseArg;
  if ((base === 0 || base === 16) && /^0[xX][0-9a-fA-F]/.test(text.slice(i))) {
    i += 2;
    base = 16;
  } else if (base === 0) base = text[i] === '0' ? 8 : 10;
  const start = i;
  let v = 0n;
  for (; i < text.length; i++) {
    const dgt = parseInt(text[i]!, 36);
    if (Number.isNaN(dgt) || dgt >= base) break;
    v = v * BigInt(base) + BigInt(dgt);
  }
  if (i === start) return { value: 0n, used: 0 };
  return { value: m[1] === '-' ? -v : v, used: i };
}

function clamp64(v: bigint, signed: boolean, ctx: ApiContext): bigint {
  const [lo, hi] = signed ? [-(1n << 63n), (1n << 63n) - 1n] : [-(1n << 64n) + 1n, (1n << 64n) - 1n];
  if (v < lo || v > hi) {
    setErrno(ctx, 34);
    return v < lo ? lo : hi;
  }
  return signed ? v : BigInt.asUintN(64, v);
}

const ascii = (ctx: ApiContext, p: number): string => String.fromCharCode(...ctx.mem.cstringBytes(p, 4096));

export function _strtoi64(ctx: ApiContext, s: number, end: number, base: number): bigint {
  const r = parseInteger(ascii(ctx, s), base);
  if (end) ctx.mem.setU64(end, s + r.used);
  return clamp64(r.value, true, ctx);
}

export function _strtoui64(ctx: ApiContext, s: number, end: number, base: number): bigint {
  const r = parseInteger(ascii(ctx, s), base);
  if (end) ctx.mem.setU64(end, s + r.used);
  return clamp64(r.value, false, ctx);
}

export function _atoi64(ctx: ApiContext, s: number): bigint {
  return BigInt.asIntN(64, parseInteger(ascii(ctx, s), 10).value);
}
