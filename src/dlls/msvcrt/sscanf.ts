/**
 * msvcrt.dll's string scanf entry points (stdio.h, wchar.h): sscanf, swscanf, _snscanf,
 * _snwscanf, their _s (buffer sizes) and _l (locale, ignored: the "C" locale) variants. All of
 * them run the engine in scanf.ts over guest memory; ucrtbase reaches the same engine through
 * __stdio_common_vsscanf (src/dlls/ucrtbase/scanf.ts).
 */
import type { ApiContext } from '../types.js';
import { invalidParameter } from './invarg.js';
import { EOF, scan, ScanInvalidParameter, type ScanArgs, type ScanInput, type ScanOptions } from './scanf.js';

/**
 * The characters of a guest string, read as the scan goes (a bad pointer throws at the first
 * character read from it): at most `limit` characters, and never past a NUL.
 */
export function guestStringInput(ctx: ApiContext, ptr: number, wide: boolean, limit: number): ScanInput {
  const m = ctx.mem;
  let i = 0;
  return {
    get: () => {
      if (i >= limit) return EOF;
      const c = wide ? m.u16(ptr + 2 * i) : m.u8(ptr + i);
      if (c === 0) return EOF;
      i++;
      return c;
    },
    unget: () => {
      i--;
    },
  };
}

/**
 * One scan of a guest string. A NULL string or format is an invalid parameter (EINVAL, EOF), as
 * Microsoft documents; Wine 8 crashes instead. `limit` counts characters; a size_t of -1 (or
 * anything past a NUL) means the whole string.
 */
export function scanGuestString(ctx: ApiContext, str: number, limit: number, fmt: number, args: ScanArgs, opts: ScanOptions): number {
  if (str === 0 || fmt === 0) {
    invalidParameter(ctx);
    return EOF;
  }
  return runScan(ctx, guestStringInput(ctx, str, opts.wide, limit), fmt, args, opts);
}

/** Scans `input` with the guest format at `fmt`; a NULL buffer for a secure conversion is an
 *  invalid parameter (EINVAL, EOF). Shared by the string and stream entry points. */
export function runScan(ctx: ApiContext, input: ScanInput, fmt: number, args: ScanArgs, opts: ScanOptions): number {
  const format = opts.wide ? ctx.mem.wstringUnits(fmt) : ctx.mem.cstringBytes(fmt);
  try {
    return scan(input, format, args, ctx.mem, opts);
  } catch (err) {
    if (!(err instanceof ScanInvalidParameter)) throw err;
    invalidParameter(ctx);
    return EOF;
  }
}

export const NARROW: Readonly<ScanOptions> = Object.freeze({ wide: false, secure: false, ucrt: false });
export const WIDE: Readonly<ScanOptions> = Object.freeze({ wide: true, secure: false, ucrt: false });
export const NARROW_S: Readonly<ScanOptions> = Object.freeze({ wide: false, secure: true, ucrt: false });
export const WIDE_S: Readonly<ScanOptions> = Object.freeze({ wide: true, secure: true, ucrt: false });

/** size_t counts: beyond 2^53 they are "no limit" anyway. */
const countOf = (n: bigint): number => Number(n);

export const sscanf = (ctx: ApiContext, str: number, fmt: number): number => scanGuestString(ctx, str, Infinity, fmt, ctx.varargs(), NARROW);
export const swscanf = (ctx: ApiContext, str: number, fmt: number): number => scanGuestString(ctx, str, Infinity, fmt, ctx.varargs(), WIDE);
export const sscanf_s = (ctx: ApiContext, str: number, fmt: number): number => scanGuestString(ctx, str, Infinity, fmt, ctx.varargs(), NARROW_S);
export const swscanf_s = (ctx: ApiContext, str: number, fmt: number): number => scanGuestString(ctx, str, Infinity, fmt, ctx.varargs(), WIDE_S);
export const _sscanf_l = (ctx: ApiContext, str: number, fmt: number, _locale: number): number => sscanf(ctx, str, fmt);
export const _swscanf_l = (ctx: ApiContext, str: number, fmt: number, _locale: number): number => swscanf(ctx, str, fmt);
export const _sscanf_s_l = (ctx: ApiContext, str: number, fmt: number, _locale: number): number => sscanf_s(ctx, str, fmt);
export const _swscanf_s_l = (ctx: ApiContext, str: number, fmt: number, _locale: number): number => swscanf_s(ctx, str, fmt);

export const _snscanf = (ctx: ApiContext, str: number, n: bigint, fmt: number): number => scanGuestString(ctx, str, countOf(n), fmt, ctx.varargs(), NARROW);
export const _snwscanf = (ctx: ApiContext, str: number, n: bigint, fmt: number): number => scanGuestString(ctx, str, countOf(n), fmt, ctx.varargs(), WIDE);
export const _snscanf_s = (ctx: ApiContext, str: number, n: bigint, fmt: number): number => scanGuestString(ctx, str, countOf(n), fmt, ctx.varargs(), NARROW_S);
export const _snwscanf_s = (ctx: ApiContext, str: number, n: bigint, fmt: number): number => scanGuestString(ctx, str, countOf(n), fmt, ctx.varargs(), WIDE_S);
export const _snscanf_l = (ctx: ApiContext, str: number, n: bigint, fmt: number, _locale: number): number => _snscanf(ctx, str, n, fmt);
export const _snwscanf_l = (ctx: ApiContext, str: number, n: bigint, fmt: number, _locale: number): number => _snwscanf(ctx, str, n, fmt);
export const _snscanf_s_l = (ctx: ApiContext, str: number, n: bigint, fmt: number, _locale: number): number => _snscanf_s(ctx, str, n, fmt);
export const _snwscanf_s_l = (ctx: ApiContext, str: number, n: bigint, fmt: number, _locale: number): number => _snwscanf_s(ctx, str, n, fmt);
