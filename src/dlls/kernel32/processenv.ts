/**
 * ExpandEnvironmentStrings (processenv.h) over the process environment, which kernel32's
 * Get/SetEnvironmentVariable and the C runtime's getenv/_putenv share.
 */
import type { ApiContext } from '../types.js';
import { ERROR_INSUFFICIENT_BUFFER } from './errors.js';

/** The value of a variable, its name matched case-insensitively. */
export function environmentValue(env: ReadonlyMap<string, string>, name: string): string | undefined {
  const n = name.toUpperCase();
  for (const [k, v] of env) if (k.toUpperCase() === n) return v;
  return undefined;
}

/**
 * Replaces each %NAME% by the variable's value. An unknown name, an empty one ("%%") and a
 * lone "%" stay as written; scanning resumes after the closing "%", and values are not
 * expanded again.
 */
export function expandEnvironment(src: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let i = 0;
  while (i < src.length) {
    const pct = src.indexOf('%', i);
    if (pct < 0) return out + src.slice(i);
    out += src.slice(i, pct);
    const end = src.indexOf('%', pct + 1);
    if (end < 0) return out + src.slice(pct);
    const name = src.slice(pct + 1, end);
    out += (name === '' ? undefined : lookup(name)) ?? src.slice(pct, end + 1);
    i = end + 1;
  }
  return out;
}

/** Returns the size needed with the NUL, in characters (W) or bytes (A). When the buffer is
 *  smaller, it gets as much as fits plus a NUL and the error is ERROR_INSUFFICIENT_BUFFER. */
function expand(ctx: ApiContext, text: string, dst: number, size: number, wide: boolean): number {
  const value = expandEnvironment(text, (n) => environmentValue(ctx.process.environment, n));
  const units: Uint8Array | string = wide ? value : new TextEncoder().encode(value);
  const needed = units.length + 1;
  const fits = needed <= size;
  if (dst !== 0 && size > 0) {
    const part = fits ? units : units.slice(0, size - 1);
    if (typeof part === 'string') ctx.mem.writeWString(dst, part);
    else ctx.mem.writeCString(dst, part);
  }
  if (!fits) ctx.setLastError(ERROR_INSUFFICIENT_BUFFER);
  return needed;
}

export function ExpandEnvironmentStringsW(ctx: ApiContext, src: number, dst: number, size: number): number {
  return expand(ctx, ctx.mem.wstring(src), dst, size, true);
}

export function ExpandEnvironmentStringsA(ctx: ApiContext, src: number, dst: number, size: number): number {
  return expand(ctx, ctx.mem.cstring(src), dst, size, false);
}
