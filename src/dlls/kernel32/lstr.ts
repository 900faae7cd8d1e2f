/**
 * The lstr* functions (winbase.h). Windows wraps them in an exception handler, so a bad
 * pointer gives 0 or NULL instead of a fault; the comparisons are CompareString's (word sort,
 * in the thread locale).
 */
import { GuestMemoryError } from '../../native/memprotect.js';
import type { ApiContext } from '../types.js';
import { unitsToString } from './codepages.js';
import { compareStrings, NORM_IGNORECASE } from './collation.js';
import { ansiToString, writeUnits } from './text.js';

function caught(body: () => number): number {
  try {
    return body();
  } catch (e) {
    if (e instanceof GuestMemoryError) return 0;
    throw e;
  }
}

export function lstrlenA(ctx: ApiContext, s: number): number {
  return s === 0 ? 0 : caught(() => ctx.mem.cstringBytes(s).length);
}

export function lstrlenW(ctx: ApiContext, s: number): number {
  return s === 0 ? 0 : caught(() => ctx.mem.wstringUnits(s).length);
}

export function lstrcpyA(ctx: ApiContext, dst: number, src: number): number {
  return caught(() => {
    ctx.mem.writeCString(dst, ctx.mem.cstringBytes(src));
    return dst;
  });
}

export function lstrcpyW(ctx: ApiContext, dst: number, src: number): number {
  return caught(() => {
    const u = ctx.mem.wstringUnits(src);
    writeUnits(ctx, dst, Uint16Array.from([...u, 0]));
    return dst;
  });
}

/** Copies at most n - 1 characters and always terminates (nothing at all when n is 0). */
export function lstrcpynA(ctx: ApiContext, dst: number, src: number, n: number): number {
  return caught(() => {
    if (n <= 0) return dst;
    ctx.mem.writeCString(dst, ctx.mem.cstringBytes(src, n - 1));
    return dst;
  });
}

export function lstrcpynW(ctx: ApiContext, dst: number, src: number, n: number): number {
  return caught(() => {
    if (n <= 0) return dst;
    const u = ctx.mem.wstringUnits(src, n - 1);
    writeUnits(ctx, dst, Uint16Array.from([...u, 0]));
    return dst;
  });
}

export function lstrcatA(ctx: ApiContext, dst: number, src: number): number {
  return caught(() => {
    const head = ctx.mem.cstringBytes(dst);
    ctx.mem.writeCString(dst + head.length, ctx.mem.cstringBytes(src));
    return dst;
  });
}

export function lstrcatW(ctx: ApiContext, dst: number, src: number): number {
  return caught(() => {
    const head = ctx.mem.wstringUnits(dst);
    writeUnits(ctx, dst + 2 * head.length, Uint16Array.from([...ctx.mem.wstringUnits(src), 0]));
    return dst;
  });
}

/** NULL sorts before every string, two NULLs are equal. */
function compareNullable(a: number, b: number, cmp: () => number): number {
  if (a === 0 || b === 0) return a === b ? 0 : a === 0 ? -1 : 1;
  return caught(cmp);
}

export function lstrcmpA(ctx: ApiContext, a: number, b: number): number {
  return compareNullable(a, b, () => compareStrings(ansiToString(ctx, ctx.mem.cstringBytes(a)), ansiToString(ctx, ctx.mem.cstringBytes(b)), 0));
}

export function lstrcmpiA(ctx: ApiContext, a: number, b: number): number {
  return compareNullable(a, b, () => compareStrings(ansiToString(ctx, ctx.mem.cstringBytes(a)), ansiToString(ctx, ctx.mem.cstringBytes(b)), NORM_IGNORECASE));
}

export function lstrcmpW(ctx: ApiContext, a: number, b: number): number {
  return compareNullable(a, b, () => compareStrings(unitsToString(ctx.mem.wstringUnits(a)), unitsToString(ctx.mem.wstringUnits(b)), 0));
}

export function lstrcmpiW(ctx: ApiContext, a: number, b: number): number {
  return compareNullable(a, b, () => compareStrings(unitsToString(ctx.mem.wstringUnits(a)), unitsToString(ctx.mem.wstringUnits(b)), NORM_IGNORECASE));
}
