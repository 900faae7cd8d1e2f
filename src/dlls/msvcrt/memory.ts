/** malloc and friends (stdlib.h / malloc.h) on the process heap; string.h basics. */
import { invalidParameter } from './invarg.js';
import { WR } from '../../native/layout.js';
import type { ApiContext } from '../types.js';

const ENOMEM = 12;
const heapOf = (ctx: ApiContext): number => ctx.process.processHeap;

export function setErrno(ctx: ApiContext, e: number): void {
  ctx.mem.setU32(ctx.teb + WR.Errno, e);
}

export function malloc(ctx: ApiContext, n: bigint): number {
  const p = ctx.process.heapAlloc(heapOf(ctx), Number(n), 0);
  if (p === 0) setErrno(ctx, ENOMEM);
  return p;
}

export function calloc(ctx: ApiContext, n: bigint, size: bigint): number {
  const total = n * size;
  if (total > 0x7fffffffn) {
    setErrno(ctx, ENOMEM);
    return 0;
  }
  const p = ctx.process.heapAlloc(heapOf(ctx), Number(total), 8);
  if (p === 0) setErrno(ctx, ENOMEM);
  return p;
}

export function free(ctx: ApiContext, p: number): void {
  if (p !== 0) ctx.process.heapFree(heapOf(ctx), p);
}

export function realloc(ctx: ApiContext, p: number, n: bigint): number {
  if (p === 0) return malloc(ctx, n);
  if (n === 0n) {
    free(ctx, p);
    return 0;
  }
  const q = ctx.process.heapReAlloc(heapOf(ctx), p, Number(n), 0);
  if (q === 0) setErrno(ctx, ENOMEM);
  return q;
}

/**
 * _aligned_malloc: the block holds, just below the aligned pointer, the pointer malloc returned
 * (so _aligned_free can find it). Alignment must be a power of two.
 */
export function _aligned_malloc(ctx: ApiContext, size: bigint, alignment: bigint): number {
  const a = Math.max(Number(alignment), 8);
  if (alignment === 0n || (alignment & (alignment - 1n)) !== 0n) {
    invalidParameter(ctx);
    return 0;
  }
  const raw = ctx.process.heapAlloc(heapOf(ctx), Number(size) + a + 8, 0);
  if (raw === 0) {
    setErrno(ctx, ENOMEM);
    return 0;
  }
  const p = Math.ceil((raw + 8) / a) * a;
  ctx.mem.setU64(p - 8, raw);
  return p;
}

export function _aligned_free(ctx: ApiContext, p: number): void {
  if (p !== 0) ctx.process.heapFree(heapOf(ctx), ctx.mem.ptr(p - 8));
}

export function _aligned_realloc(ctx: ApiContext, p: number, size: bigint, alignment: bigint): number {
  if (p === 0) return _aligned_malloc(ctx, size, alignment);
  if (size === 0n) {
    _aligned_free(ctx, p);
    return 0;
  }
  const raw = ctx.mem.ptr(p - 8);
  const old = ctx.process.heapSize(heapOf(ctx), raw) - (p - raw);
  const q = _aligned_malloc(ctx, size, alignment);
  if (q === 0) return 0;
  ctx.mem.copy(q, p, Math.min(old, Number(size)));
  _aligned_free(ctx, p);
  return q;
}

/** _recalloc: realloc that zeroes the bytes it adds. */
export function _recalloc(ctx: ApiContext, p: number, n: bigint, size: bigint): number {
  const total = n * size;
  const old = p === 0 ? 0 : ctx.process.heapSize(heapOf(ctx), p);
  const q = realloc(ctx, p, total);
  if (q !== 0 && Number(total) > old) ctx.mem.fill(q + Math.max(old, 0), 0, Number(total) - Math.max(old, 0));
  return q;
}

export function _msize(ctx: ApiContext, p: number): bigint {
  const s = ctx.process.heapSize(heapOf(ctx), p);
  return s < 0 ? 0xffffffffffffffffn : BigInt(s);
}

/** The per-thread operating-system error the CRT last saw (_doserrno). */
export function __doserrno(ctx: ApiContext): number {
  return ctx.teb + WR.Errno + 4;
}

export function _errno(ctx: ApiContext): number {
  return ctx.teb + WR.Errno;
}

export function wcslen(ctx: ApiContext, s: number): bigint {
  return BigInt(ctx.mem.wstringUnits(s).length);
}

export function strncmp(ctx: ApiContext, a: number, b: number, n: bigint): number {
  const max = Number(n);
  for (let i = 0; i < max; i++) {
    const x = ctx.mem.u8(a + i);
    const y = ctx.mem.u8(b + i);
    if (x !== y) return x - y;
    if (x === 0) return 0;
  }
  return 0;
}

/** strchr / strrchr: the first or last `c` in the string; c = 0 finds the terminator. */
function findChar(ctx: ApiContext, s: number, c: number, last: boolean): number {
  const b = ctx.mem.cstringBytes(s);
  const ch = c & 0xff;
  if (ch === 0) return s + b.length;
  const i = last ? b.lastIndexOf(ch) : b.indexOf(ch);
  return i < 0 ? 0 : s + i;
}

export const strchr = (ctx: ApiContext, s: number, c: number): number => findChar(ctx, s, c, false);
export const strrchr = (ctx: ApiContext, s: number, c: number): number => findChar(ctx, s, c, true);

export function strcpy(ctx: ApiContext, d: number, s: number): number {
  ctx.mem.writeCString(d, ctx.mem.cstringBytes(s));
  return d;
}

const MESSAGES: Record<number, string> = {
  0: 'No error', 1: 'Operation not permitted', 2: 'No such file or directory', 3: 'No such process', 4: 'Interrupted function call',
  5: 'Input/output error', 9: 'Bad file descriptor', 12: 'Not enough space', 13: 'Permission denied', 17: 'File exists',
  22: 'Invalid argument', 24: 'Too many open files', 28: 'No space left on device', 32: 'Broken pipe', 33: 'Domain error', 34: 'Result too large',
};

/** The message is kept in the thread's scratch area (msvcrt keeps a per-thread buffer). */
export function strerror(ctx: ApiContext, e: number): number {
  const at = ctx.teb + WR.Scratch;
  ctx.mem.writeCString(at, new TextEncoder().encode(MESSAGES[e] ?? 'Unknown error'));
  return at;
}

/** memchr: the first byte equal to `c` in the `n` bytes at `s`, or NULL. */
export function memchr(ctx: ApiContext, s: number, c: number, n: bigint): number {
  const len = Number(n);
  if (len === 0) return 0;
  const i = ctx.mem.read(s, len).indexOf(c & 0xff);
  return i < 0 ? 0 : s + i;
}
