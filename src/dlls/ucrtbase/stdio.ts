/**
 * UCRT's stdio entry points: the stream table behind __acrt_iob_func, and the
 * __stdio_common_v* functions that every printf-family inline in the UCRT headers calls, with
 * their option flags (corecrt_stdio_config.h):
 *   1 LEGACY_VSPRINTF_NULL_TERMINATION, 2 STANDARD_SNPRINTF_BEHAVIOR, 4 LEGACY_WIDE_SPECIFIERS,
 *   8 LEGACY_MSVCRT_COMPATIBILITY, 16 LEGACY_THREE_DIGIT_EXPONENTS.
 */
import type { ApiContext } from '../types.js';
import { formatNarrow, formatWide, type FormatOptions } from '../msvcrt/printf.js';
import { FILE_SIZE, printTo, vaListEnv } from '../msvcrt/stdio.js';
import { wprintTo } from '../msvcrt/widestream.js';
import { ucrtIob } from '../msvcrt/stream.js';

const STANDARD_SNPRINTF_BEHAVIOR = 2n;
const LEGACY_WIDE_SPECIFIERS = 4n;
const LEGACY_MSVCRT_COMPATIBILITY = 8n;
const LEGACY_THREE_DIGIT_EXPONENTS = 16n;

function options(o: bigint): FormatOptions {
  return {
    msvcrt: (o & (LEGACY_MSVCRT_COMPATIBILITY | LEGACY_THREE_DIGIT_EXPONENTS)) !== 0n,
    isoWideSpecifiers: (o & LEGACY_WIDE_SPECIFIERS) === 0n,
  } as FormatOptions;
}

export function __acrt_iob_func(ctx: ApiContext, index: number): number {
  return ucrtIob(ctx) + FILE_SIZE * index;
}

export function __stdio_common_vfprintf(ctx: ApiContext, opts: bigint, stream: number, fmt: number, _locale: number, va: number): number {
  return printTo(ctx, stream, formatNarrow(ctx.mem.cstringBytes(fmt), vaListEnv(ctx, va), options(opts)));
}

export function __stdio_common_vfwprintf(ctx: ApiContext, opts: bigint, stream: number, fmt: number, _locale: number, va: number): number {
  return wprintTo(ctx, stream, formatWide(ctx.mem.wstringUnits(fmt), vaListEnv(ctx, va), options(opts)));
}

/** Stores formatted units into a buffer of `count` units with the UCRT's truncation rules. */
function storeTruncated(count: number, len: number, opts: bigint, write: (n: number, nul: boolean) => void): number {
  if (opts & STANDARD_SNPRINTF_BEHAVIOR) {
    // C99 snprintf: as much as fits with a NUL; the full length is returned.
    if (count > 0) write(Math.min(len, count - 1), true);
    return len;
  }
  if (len < count) {
    write(len, true);
    return len;
  }
  // _vsnprintf: no room for the NUL; a longer result is cut and reported as -1.
  write(Math.min(len, count), false);
  return len === count ? len : -1;
}

export function __stdio_common_vsprintf(ctx: ApiContext, opts: bigint, buf: number, countArg: bigint, fmt: number, _locale: number, va: number): number {
  const out = formatNarrow(ctx.mem.cstringBytes(fmt), vaListEnv(ctx, va), options(opts));
  if (buf === 0 && countArg === 0n) return out.length;
  const count = countArg > 0x7fffffffn ? 0x7fffffff : Number(countArg);
  return storeTruncated(count, out.length, opts, (n, nul) => (nul ? ctx.mem.writeCString(buf, out.subarray(0, n)) : ctx.mem.write(buf, out.subarray(0, n))));
}

export function __stdio_common_vswprintf(ctx: ApiContext, opts: bigint, buf: number, countArg: bigint, fmt: number, _locale: number, va: number): number {
  const out = formatWide(ctx.mem.wstringUnits(fmt), vaListEnv(ctx, va), options(opts));
  if (buf === 0 && countArg === 0n) return out.length;
  const count = countArg > 0x3fffffffn ? 0x3fffffff : Number(countArg);
  return storeTruncated(count, out.length, opts, (n, nul) => {
    const units = new Uint16Array(n + (nul ? 1 : 0));
    units.set(out.subarray(0, n));
    ctx.mem.write(buf, new Uint8Array(units.buffer));
  });
}
