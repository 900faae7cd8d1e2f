/**
 * The CRT environment (stdlib.h): getenv/_wgetenv look names up case-insensitively in the
 * CRT's arrays (_environ, _wenviron); _putenv changes the process environment, which kernel32
 * shares, and rebuilds the arrays; _dupenv_s returns a heap copy.
 */
import type { ApiContext } from '../types.js';
import { CRT, crt } from './crtdata.js';
import { setErrno } from './memory.js';
import { environmentStrings, narrowStringArray, wideStringArray } from './startup.js';

function lookup(ctx: ApiContext, name: string): string | undefined {
  const key = [...ctx.process.environment.keys()].find((k) => k.toUpperCase() === name.toUpperCase());
  return key === undefined ? undefined : ctx.process.environment.get(key);
}

/** Address of the value inside the CRT's array entry for `name`, or 0. */
function findInArray(ctx: ApiContext, slot: number, build: () => number, name: string, wide: boolean): number {
  const m = ctx.mem;
  let arr = m.ptr(crt(ctx, slot));
  if (arr === 0) {
    arr = build();
    m.setU64(crt(ctx, slot), arr);
  }
  const want = name.toUpperCase();
  if (want === '' || want.includes('=')) return 0;
  for (let p = arr; ; p += 8) {
    const s = m.ptr(p);
    if (s === 0) return 0;
    const entry = wide ? m.wstring(s) : new TextDecoder().decode(m.cstringBytes(s));
    const eq = entry.indexOf('=', 1); // an entry may start with '=' ("=C:=C:\\")
    if (eq > 0 && entry.slice(0, eq).toUpperCase() === want) {
      return s + (wide ? 2 * (eq + 1) : new TextEncoder().encode(entry.slice(0, eq + 1)).length);
    }
  }
}

export function getenv(ctx: ApiContext, name: number): number {
  return findInArray(ctx, CRT.Environ, () => narrowStringArray(ctx, environmentStrings(ctx)), new TextDecoder().decode(ctx.mem.cstringBytes(name)), false);
}

export function _wgetenv(ctx: ApiContext, name: number): number {
  return findInArray(ctx, CRT.Wenviron, () => wideStringArray(ctx, environmentStrings(ctx)), ctx.mem.wstring(name), true);
}

/** "NAME=value" sets, "NAME=" removes. Both CRT arrays are rebuilt when they exist. */
function putenv(ctx: ApiContext, text: string): number {
  const eq = text.indexOf('=', 1);
  if (eq <= 0) {
    setErrno(ctx, 22);
    return -1;
  }
  const name = text.slice(0, eq);
  const value = text.slice(eq + 1);
  const env = ctx.process.environment;
  for (const k of [...env.keys()]) if (k.toUpperCase() === name.toUpperCase()) env.delete(k);
  if (value !== '') env.set(name, value);
  const m = ctx.mem;
  if (m.ptr(crt(ctx, CRT.Environ)) !== 0) m.setU64(crt(ctx, CRT.Environ), narrowStringArray(ctx, environmentStrings(ctx)));
  if (m.ptr(crt(ctx, CRT.Wenviron)) !== 0) m.setU64(crt(ctx, CRT.Wenviron), wideStringArray(ctx, environmentStrings(ctx)));
  return 0;
}

export const _putenv = (ctx: ApiContext, s: number): number => putenv(ctx, new TextDecoder().decode(ctx.mem.cstringBytes(s)));
export const _wputenv = (ctx: ApiContext, s: number): number => putenv(ctx, ctx.mem.wstring(s));

/** _dupenv_s(char **buffer, size_t *count, name): a malloc'ed copy, or NULL when unset. */
export function _dupenv_s(ctx: ApiContext, out: number, count: number, name: number): number {
  if (out === 0 || name === 0) return 22;
  const v = lookup(ctx, new TextDecoder().decode(ctx.mem.cstringBytes(name)));
  if (v === undefined) {
    ctx.mem.setU64(out, 0);
    if (count) ctx.mem.setU64(count, 0);
    return 0;
  }
  const b = new TextEncoder().encode(v);
  const p = ctx.process.heapAlloc(ctx.process.processHeap, b.length + 1, 0);
  if (p === 0) return 12;
  ctx.mem.writeCString(p, b);
  ctx.mem.setU64(out, p);
  if (count) ctx.mem.setU64(count, b.length + 1);
  return 0;
}
