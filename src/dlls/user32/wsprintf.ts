/**
 * wsprintfA/W and wvsprintfA/W (winuser.h) on msvcrt's printf engine. The output is limited to
 * 1024 characters: a longer result keeps its first 1023 and the NUL, and the count returned is
 * 1024 (as under Wine).
 */
import { formatNarrow, formatWide, type FormatEnv, type FormatOptions } from '../msvcrt/printf.js';
import { ansiToUnits, slotEnv, unitsToAnsi, writeUnits } from '../kernel32/text.js';
import type { ApiContext } from '../types.js';

const LIMIT = 1024;

function options(ctx: ApiContext): FormatOptions {
  return { msvcrt: true, narrowToWide: (b) => ansiToUnits(ctx, b), wideToNarrow: (u) => unitsToAnsi(ctx, u) };
}

function narrow(ctx: ApiContext, buf: number, fmt: number, env: FormatEnv): number {
  const out = formatNarrow(ctx.mem.cstringBytes(fmt), env, options(ctx));
  const n = Math.min(out.length, LIMIT - 1);
  ctx.mem.writeCString(buf, out.subarray(0, n));
  return out.length >= LIMIT ? LIMIT : n;
}

function wide(ctx: ApiContext, buf: number, fmt: number, env: FormatEnv): number {
  const out = formatWide(ctx.mem.wstringUnits(fmt), env, options(ctx));
  const n = Math.min(out.length, LIMIT - 1);
  const withNul = new Uint16Array(n + 1);
  withNul.set(out.subarray(0, n));
  writeUnits(ctx, buf, withNul);
  return out.length >= LIMIT ? LIMIT : n;
}

const listEnv = (ctx: ApiContext, va: number): FormatEnv => {
  let p = va;
  return slotEnv(ctx, () => {
    const v = ctx.mem.u64(p);
    p += 8;
    return v;
  });
};
const varargsEnv = (ctx: ApiContext): FormatEnv => {
  const va = ctx.varargs();
  return slotEnv(ctx, () => va.next());
};

export const wsprintfA = (ctx: ApiContext, buf: number, fmt: number): number => narrow(ctx, buf, fmt, varargsEnv(ctx));
export const wsprintfW = (ctx: ApiContext, buf: number, fmt: number): number => wide(ctx, buf, fmt, varargsEnv(ctx));
export const wvsprintfA = (ctx: ApiContext, buf: number, fmt: number, va: number): number => narrow(ctx, buf, fmt, listEnv(ctx, va));
export const wvsprintfW = (ctx: ApiContext, buf: number, fmt: number, va: number): number => wide(ctx, buf, fmt, listEnv(ctx, va));
