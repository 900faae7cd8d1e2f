/**
 * The UCRT's string scanf entry points, which every sscanf/swscanf/_snscanf/sscanf_s inline of
 * the UCRT headers calls, with their option bits (corecrt_stdio_config.h):
 *   1 _CRT_INTERNAL_SCANF_SECURECRT: the _s variants (buffer sizes follow %c %s %[);
 *   2 _CRT_INTERNAL_SCANF_LEGACY_WIDE_SPECIFIERS: in wide functions %s %c %[ are wide (else
 *     narrow, the ISO meaning; %ls is wide either way);
 *   4 _CRT_INTERNAL_SCANF_LEGACY_MSVCRT_COMPATIBILITY: no difference found: Windows reads "inf"
 *     with and without it (Wine's conformance tests), and so does winrun.
 * A buffer count of (size_t)-1 means the string is NUL-terminated.
 */
import type { ApiContext } from '../types.js';
import { scanGuestString } from '../msvcrt/sscanf.js';
import { scanStream } from '../msvcrt/fscanf.js';
import { vaListEnv } from '../msvcrt/stdio.js';
import type { ScanOptions } from '../msvcrt/scanf.js';

const SECURECRT = 1n;
const LEGACY_WIDE_SPECIFIERS = 2n;

function options(o: bigint, wide: boolean): ScanOptions {
  return { wide, secure: (o & SECURECRT) !== 0n, ucrt: true, isoWideSpecifiers: (o & LEGACY_WIDE_SPECIFIERS) === 0n };
}

export function __stdio_common_vsscanf(ctx: ApiContext, opts: bigint, buf: number, count: bigint, fmt: number, _locale: number, va: number): number {
  return scanGuestString(ctx, buf, Number(count), fmt, vaListEnv(ctx, va), options(opts, false));
}

export function __stdio_common_vswscanf(ctx: ApiContext, opts: bigint, buf: number, count: bigint, fmt: number, _locale: number, va: number): number {
  return scanGuestString(ctx, buf, Number(count), fmt, vaListEnv(ctx, va), options(opts, true));
}

/** __stdio_common_vfscanf(options, stream, format, locale, va_list) and the wide form. */
export function __stdio_common_vfscanf(ctx: ApiContext, opts: bigint, f: number, fmt: number, _locale: number, va: number): number {
  return scanStream(ctx, f, fmt, vaListEnv(ctx, va), options(opts, false));
}

export function __stdio_common_vfwscanf(ctx: ApiContext, opts: bigint, f: number, fmt: number, _locale: number, va: number): number {
  return scanStream(ctx, f, fmt, vaListEnv(ctx, va), options(opts, true));
}
