/**
 * Strings between guest memory and JS: UTF-8 helpers, and the ANSI code page conversions the
 * …A entry points use before calling their …W counterparts (STYLE.md 2).
 */
import { GuestMemoryError } from '../../native/memprotect.js';
import type { FormatEnv } from '../msvcrt/printf.js';
import type { ApiContext } from '../types.js';
import { CP_ACP, CP_MACCP, CP_OEMCP, CP_THREAD_ACP, decodeBytes, encodeUnits, findCodePage, unitsToString, type CodePage } from './codepages.js';

export function utf8ToUtf16(bytes: Uint8Array, strict: boolean): Uint16Array | undefined {
  const s = new TextDecoder('utf-8', { fatal: strict }).decode(bytes);
  const out = new Uint16Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export function utf16ToUtf8(units: Uint16Array): Uint8Array {
  return new TextEncoder().encode(String.fromCharCode(...units));
}

/** The code page a CP_* alias stands for in this process (CP_THREAD_ACP: en-US threads use
 *  the ANSI code page). */
export function resolveCodePage(ctx: ApiContext, cp: number): number {
  if (cp === CP_ACP || cp === CP_THREAD_ACP) return ctx.process.codePages.ansi;
  if (cp === CP_OEMCP) return ctx.process.codePages.oem;
  if (cp === CP_MACCP) return 10000;
  return cp;
}

export function ansiCodePage(ctx: ApiContext): CodePage {
  return findCodePage(ctx.process.codePages.ansi)!;
}

/** Bytes in the ANSI code page → UTF-16 (invalid sequences become default characters). */
export function ansiToUnits(ctx: ApiContext, bytes: Uint8Array): Uint16Array {
  const r = decodeBytes(ansiCodePage(ctx), bytes, 0);
  return r.ok ? r.value : new Uint16Array(0);
}

export function ansiToString(ctx: ApiContext, bytes: Uint8Array): string {
  return unitsToString(ansiToUnits(ctx, bytes));
}

/** UTF-16 → the ANSI code page (unmappable characters become '?', best fit applies). */
export function unitsToAnsi(ctx: ApiContext, units: Uint16Array): Uint8Array {
  const r = encodeUnits(ansiCodePage(ctx), units, { flags: 0 });
  return r.ok ? r.value : new Uint8Array(0);
}

export function stringToUnits(s: string): Uint16Array {
  const u = new Uint16Array(s.length);
  for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i);
  return u;
}

/** `len` UTF-16 units at p, or (len < 0) the NUL-terminated string with its NUL. */
export function readUnits(ctx: ApiContext, p: number, len: number): Uint16Array {
  if (len < 0) {
    const u = ctx.mem.wstringUnits(p);
    const out = new Uint16Array(u.length + 1);
    out.set(u);
    return out;
  }
  const bytes = ctx.mem.read(p, 2 * len);
  return new Uint16Array(bytes.buffer, bytes.byteOffset, len);
}

/** `len` bytes at p, or (len < 0) the NUL-terminated string with its NUL. */
export function readBytes(ctx: ApiContext, p: number, len: number): Uint8Array {
  if (len >= 0) return ctx.mem.read(p, len);
  const b = ctx.mem.cstringBytes(p);
  const out = new Uint8Array(b.length + 1);
  out.set(b);
  return out;
}

export function writeUnits(ctx: ApiContext, p: number, units: Uint16Array): void {
  ctx.mem.write(p, new Uint8Array(units.buffer, units.byteOffset, 2 * units.length));
}

/**
 * Runs `body`; a bad guest pointer met on the way fails the call with `error` (default
 * ERROR_INVALID_PARAMETER), the way these APIs report a bad buffer, instead of faulting.
 * Every access is validated before it happens, so nothing was written when this fails.
 */
export function guarded(ctx: ApiContext, body: () => number, error = 87): number {
  try {
    return body();
  } catch (e) {
    if (!(e instanceof GuestMemoryError)) throw e;
    ctx.setLastError(error);
    return 0;
  }
}

/** A printf argument source over 8-byte slots (wsprintf, FormatMessage inserts). These
 *  formats have no %n, so nothing is ever stored. */
export function slotEnv(ctx: ApiContext, next: () => bigint): FormatEnv {
  return {
    next,
    cstring: (p) => ctx.mem.cstringBytes(Number(p)),
    wstring: (p) => ctx.mem.wstringUnits(Number(p)),
    store: () => undefined,
  };
}
