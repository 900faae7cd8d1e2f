/** <wchar.h> string functions, and conversions between narrow and wide strings. */
import type { ApiContext } from '../types.js';
import { setErrno } from './memory.js';
import { parseInteger } from './string.js';

const units = (ctx: ApiContext, p: number): Uint16Array => ctx.mem.wstringUnits(p);
const lowerW = (c: number): number => String.fromCharCode(c).toLowerCase().charCodeAt(0);

export function wcscpy(ctx: ApiContext, d: number, s: number): number {
  const u = Uint16Array.from([...units(ctx, s), 0]);
  ctx.mem.write(d, new Uint8Array(u.buffer));
  return d;
}

export function wcscat(ctx: ApiContext, d: number, s: number): number {
  wcscpy(ctx, d + 2 * units(ctx, d).length, s);
  return d;
}

function cmp(a: Uint16Array, b: Uint16Array, n: number, map: (c: number) => number): number {
  for (let i = 0; i < n; i++) {
    const x = map(a[i] ?? 0);
    const y = map(b[i] ?? 0);
    if (x !== y) return x < y ? -1 : 1;
    if (x === 0) return 0;
  }
  return 0;
}

export const wcscmp = (ctx: ApiContext, a: number, b: number): number => cmp(units(ctx, a), units(ctx, b), Infinity, (c) => c);
export const wcsncmp = (ctx: ApiContext, a: number, b: number, n: bigint): number => cmp(units(ctx, a), units(ctx, b), Number(n), (c) => c);
export const _wcsicmp = (ctx: ApiContext, a: number, b: number): number => cmp(units(ctx, a), units(ctx, b), Infinity, lowerW);
export const _wcsnicmp = (ctx: ApiContext, a: number, b: number, n: bigint): number => cmp(units(ctx, a), units(ctx, b), Number(n), lowerW);

export function wcschr(ctx: ApiContext, s: number, c: number): number {
  const u = units(ctx, s);
  if ((c & 0xffff) === 0) return s + 2 * u.length;
  const i = u.indexOf(c & 0xffff);
  return i < 0 ? 0 : s + 2 * i;
}

export function wcsrchr(ctx: ApiContext, s: number, c: number): number {
  const u = units(ctx, s);
  if ((c & 0xffff) === 0) return s + 2 * u.length;
  const i = u.lastIndexOf(c & 0xffff);
  return i < 0 ? 0 : s + 2 * i;
}

export function wcsstr(ctx: ApiContext, s: number, f: number): number {
  const i = String.fromCharCode(...units(ctx, s)).indexOf(String.fromCharCode(...units(ctx, f)));
  return i < 0 ? 0 : s + 2 * i;
}

export function _wcsdup(ctx: ApiContext, s: number): number {
  const u = units(ctx, s);
  const p = ctx.process.heapAlloc(ctx.process.processHeap, 2 * u.length + 2, 0);
  if (p !== 0) wcscpy(ctx, p, s);
  return p;
}

export function wcstol(ctx: ApiContext, s: number, end: number, base: number): number {
  const r = parseInteger(String.fromCharCode(...units(ctx, s)), base);
  if (end) ctx.mem.setU64(end, s + 2 * r.used);
  return r.value > 0x7fffffffn ? 0x7fffffff : r.value < -0x80000000n ? -0x80000000 : Number(r.value);
}

export function wcstoul(ctx: ApiContext, s: number, end: number, base: number): number {
  const r = parseInteger(String.fromCharCode(...units(ctx, s)), base);
  if (end) ctx.mem.setU64(end, s + 2 * r.used);
  return Number(BigInt.asUintN(32, r.value));
}

export const _wtoi = (ctx: ApiContext, s: number): number => Number(BigInt.asIntN(32, parseInteger(String.fromCharCode(...units(ctx, s)), 10).value));

export const towupper = (_ctx: ApiContext, c: number): number => String.fromCharCode(c).toUpperCase().charCodeAt(0);
export const towlower = (_ctx: ApiContext, c: number): number => String.fromCharCode(c).toLowerCase().charCodeAt(0);

/**
 * mbstowcs / wcstombs in the "C" locale (what a program has until it calls setlocale): each
 * byte is the character of the same value (ISO 8859-1), as msvcrt does; a wide character above
 * 0xff cannot be converted (EILSEQ, result (size_t)-1).
 */
export function mbstowcs(ctx: ApiContext, dst: number, src: number, nArg: bigint): bigint {
  const b = ctx.mem.cstringBytes(src);
  if (dst === 0) return BigInt(b.length);
  const n = Math.min(b.length + 1, Number(nArg));
  const out = new Uint16Array(n);
  for (let i = 0; i < n && i < b.length; i++) out[i] = b[i]!;
  ctx.mem.write(dst, new Uint8Array(out.buffer));
  return BigInt(Math.min(b.length, Number(nArg)));
}

export function wcstombs(ctx: ApiContext, dst: number, src: number, nArg: bigint): bigint {
  const u = units(ctx, src);
  if (u.some((c) => c > 0xff)) {
    setErrno(ctx, 42); // EILSEQ
    return 0xffffffffffffffffn;
  }
  if (dst === 0) return BigInt(u.length);
  const n = Math.min(u.length + 1, Number(nArg));
  const out = new Uint8Array(n);
  for (let i = 0; i < n && i < u.length; i++) out[i] = u[i]!;
  ctx.mem.write(dst, out);
  return BigInt(Math.min(u.length, Number(nArg)));
}
