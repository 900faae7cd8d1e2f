/**
 * scanf on streams: fscanf, scanf, vfscanf, vscanf, their wide and _s forms (msvcrt), and the
 * UCRT's __stdio_common_vfscanf / __stdio_common_vfwscanf. The engine reads one character at a
 * time and pushes back at most one, so a stream with ungetc serves it directly; the character
 * pushed back stays in the stream for the next read, as in the CRT. The UCRT's
 * __stdio_common_vf[w]scanf are in ucrtbase/scanf.ts.
 */
import type { ApiContext } from '../types.js';
import { invalidParameter } from './invarg.js';
import { EOF, type ScanArgs, type ScanInput, type ScanOptions } from './scanf.js';
import { NARROW, NARROW_S, runScan, WIDE, WIDE_S } from './sscanf.js';
import { fgetwc, stdStream, ungetwc, vaListEnv } from './stdio.js';
import { streamGetc, streamUngetc, validStream } from './stream.js';

function streamInput(ctx: ApiContext, f: number, wide: boolean): ScanInput {
  if (wide) {
    return {
      get: () => {
        const c = fgetwc(ctx, f);
        return c === 0xffff ? EOF : c;
      },
      unget: (c: number) => void ungetwc(ctx, c, f),
    };
  }
  return { get: () => streamGetc(ctx, f), unget: (c: number) => void streamUngetc(ctx, c, f) };
}

export function scanStream(ctx: ApiContext, f: number, fmt: number, args: ScanArgs, opts: ScanOptions): number {
  if (fmt === 0 || !validStream(ctx, f)) {
    invalidParameter(ctx);
    return EOF;
  }
  return runScan(ctx, streamInput(ctx, f, opts.wide), fmt, args, opts);
}


export const fscanf = (ctx: ApiContext, f: number, fmt: number): number => scanStream(ctx, f, fmt, ctx.varargs(), NARROW);
export const fwscanf = (ctx: ApiContext, f: number, fmt: number): number => scanStream(ctx, f, fmt, ctx.varargs(), WIDE);
export const fscanf_s = (ctx: ApiContext, f: number, fmt: number): number => scanStream(ctx, f, fmt, ctx.varargs(), NARROW_S);
export const fwscanf_s = (ctx: ApiContext, f: number, fmt: number): number => scanStream(ctx, f, fmt, ctx.varargs(), WIDE_S);
export const scanf = (ctx: ApiContext, fmt: number): number => scanStream(ctx, stdStream(ctx, 0), fmt, ctx.varargs(), NARROW);
export const wscanf = (ctx: ApiContext, fmt: number): number => scanStream(ctx, stdStream(ctx, 0), fmt, ctx.varargs(), WIDE);
export const scanf_s = (ctx: ApiContext, fmt: number): number => scanStream(ctx, stdStream(ctx, 0), fmt, ctx.varargs(), NARROW_S);
export const wscanf_s = (ctx: ApiContext, fmt: number): number => scanStream(ctx, stdStream(ctx, 0), fmt, ctx.varargs(), WIDE_S);
export const vfscanf = (ctx: ApiContext, f: number, fmt: number, va: number): number => scanStream(ctx, f, fmt, vaListEnv(ctx, va), NARROW);
export const vfwscanf = (ctx: ApiContext, f: number, fmt: number, va: number): number => scanStream(ctx, f, fmt, vaListEnv(ctx, va), WIDE);
export const vscanf = (ctx: ApiContext, fmt: number, va: number): number => scanStream(ctx, stdStream(ctx, 0), fmt, vaListEnv(ctx, va), NARROW);
export const vwscanf = (ctx: ApiContext, fmt: number, va: number): number => scanStream(ctx, stdStream(ctx, 0), fmt, vaListEnv(ctx, va), WIDE);
