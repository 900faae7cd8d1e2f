/**
 * LoadStringA/W (winuser.h). String tables hold blocks of 16 counted UTF-16 strings: string
 * `id` is entry id % 16 of the RT_STRING resource named id / 16 + 1, found in the thread's
 * language as FindResource finds it.
 */
import { findResource, resourceData, RT_STRING } from '../kernel32/resources.js';
import { unitsToAnsi } from '../kernel32/text.js';
import type { ApiContext } from '../types.js';

/** The string's units in guest memory (address and length; 0 for an empty slot), or the
 *  error that finding its block gave. */
function findString(ctx: ApiContext, h: number, id: number): { addr: number; len: number } | { error: number } {
  const r = findResource(ctx, h, RT_STRING, ((id >>> 4) & 0xfff) + 1, 0);
  if ('error' in r) return r;
  const data = resourceData(ctx, h, r.hrsrc);
  let p = data.addr;
  const end = data.addr + data.size;
  for (let i = 0; i < (id & 15); i++) {
    if (p + 2 > end) return { addr: p, len: 0 };
    p += 2 + 2 * ctx.mem.u16(p);
  }
  if (p + 2 > end) return { addr: p, len: 0 };
  return { addr: p + 2, len: Math.min(ctx.mem.u16(p), (end - p - 2) / 2) };
}

/**
 * Copies the string, truncated to `max` - 1 units, with a NUL; returns the units copied. With
 * `max` 0 it stores a read-only pointer to the resource text (not NUL-terminated) at `buf` and
 * returns its length. A missing string is 0 (the buffer gets an empty string).
 */
export function LoadStringW(ctx: ApiContext, h: number, id: number, buf: number, max: number): number {
  if (buf === 0) return 0;
  const s = findString(ctx, h, id);
  if ('error' in s) {
    ctx.setLastError(s.error);
    if (max > 0) ctx.mem.setU16(buf, 0);
    return 0;
  }
  if (max === 0) {
    ctx.mem.setU64(buf, s.len > 0 ? s.addr : 0);
    return s.len;
  }
  const n = Math.min(s.len, max - 1);
  if (n > 0) ctx.mem.copy(buf, s.addr, 2 * n);
  ctx.mem.setU16(buf + 2 * n, 0);
  return n;
}

/** The ANSI form: the string in the ANSI code page, cut to whole characters that fit in
 *  `max` - 1 bytes. A zero-sized buffer is -1, as Windows answers. */
export function LoadStringA(ctx: ApiContext, h: number, id: number, buf: number, max: number): number {
  if (max === 0) return -1;
  if (buf === 0) return 0;
  const s = findString(ctx, h, id);
  if ('error' in s) {
    ctx.setLastError(s.error);
    ctx.mem.setU8(buf, 0);
    return 0;
  }
  const units = new Uint16Array(ctx.mem.read(s.addr, 2 * s.len).buffer.slice(0));
  let count = units.length;
  let bytes = unitsToAnsi(ctx, units);
  while (bytes.length > max - 1 && count > 0) {
    count--;
    if (count > 0 && units[count - 1]! >= 0xd800 && units[count - 1]! < 0xdc00) count--;
    bytes = unitsToAnsi(ctx, units.subarray(0, count));
  }
  ctx.mem.writeCString(buf, bytes);
  return bytes.length;
}
