/**
 * Code-page conversions (stringapiset.h). The ANSI and OEM code pages are UTF-8 (65001),
 * as DESIGN.md §7 sets; legacy code pages arrive with the kernel32 issue.
 */
import type { ApiContext } from '../types.js';
import { ERROR_INSUFFICIENT_BUFFER, ERROR_INVALID_PARAMETER, ERROR_NO_UNICODE_TRANSLATION } from './errors.js';

const CP_ACP = 0;
const CP_OEMCP = 1;
const CP_UTF8 = 65001;
const MB_ERR_INVALID_CHARS = 0x8;
const supported = (cp: number): boolean => cp === CP_ACP || cp === CP_OEMCP || cp === 3 || cp === CP_UTF8 || cp === 20127;

export function utf8ToUtf16(bytes: Uint8Array, strict: boolean): Uint16Array | undefined {
  const s = new TextDecoder('utf-8', { fatal: strict }).decode(bytes);
  const out = new Uint16Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export function utf16ToUtf8(units: Uint16Array): Uint8Array {
  return new TextEncoder().encode(String.fromCharCode(...units));
}

export function MultiByteToWideChar(ctx: ApiContext, cp: number, flags: number, src: number, srcLen: number, dst: number, dstLen: number): number {
  if (!supported(cp) || src === 0 || dstLen < 0 || (dstLen > 0 && dst === 0)) {
    ctx.setLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  const m = ctx.mem;
  const bytes = srcLen === -1 ? (() => { const b = m.cstringBytes(src); const c = new Uint8Array(b.length + 1); c.set(b); return c; })() : m.read(src, srcLen);
  let units: Uint16Array | undefined;
  try {
    units = utf8ToUtf16(bytes, (flags & MB_ERR_INVALID_CHARS) !== 0);
  } catch {
    ctx.setLastError(ERROR_NO_UNICODE_TRANSLATION);
    return 0;
  }
  if (!units) return 0;
  if (dstLen === 0) return units.length;
  if (units.length > dstLen) {
    ctx.setLastError(ERROR_INSUFFICIENT_BUFFER);
    return 0;
  }
  m.write(dst, new Uint8Array(units.buffer, 0, units.length * 2));
  return units.length;
}

export function WideCharToMultiByte(ctx: ApiContext, cp: number, _flags: number, src: number, srcLen: number, dst: number, dstLen: number, _defChar: number, usedDef: number): number {
  if (!supported(cp) || src === 0 || dstLen < 0 || (dstLen > 0 && dst === 0)) {
    ctx.setLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  const m = ctx.mem;
  const units = srcLen === -1 ? Uint16Array.from([...m.wstringUnits(src), 0]) : Uint16Array.from({ length: srcLen }, (_, i) => m.u16(src + 2 * i));
  const bytes = utf16ToUtf8(units);
  if (usedDef) m.setU32(usedDef, 0);
  if (dstLen === 0) return bytes.length;
  if (bytes.length > dstLen) {
    ctx.setLastError(ERROR_INSUFFICIENT_BUFFER);
    return 0;
  }
  m.write(dst, bytes);
  return bytes.length;
}

/** UTF-8 has no DBCS lead bytes. */
export function IsDBCSLeadByteEx(_ctx: ApiContext, _cp: number, _byte: number): number {
  return 0;
}

export function GetACP(): number {
  return CP_UTF8;
}

export function lstrlenA(ctx: ApiContext, s: number): number {
  return s === 0 ? 0 : ctx.mem.cstringBytes(s).length;
}

export function lstrcmpA(ctx: ApiContext, a: number, b: number): number {
  const x = a ? ctx.mem.cstring(a) : '';
  const y = b ? ctx.mem.cstring(b) : '';
  const c = x.localeCompare(y, 'en', { sensitivity: 'variant' });
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

export function lstrcmpiA(ctx: ApiContext, a: number, b: number): number {
  const x = a ? ctx.mem.cstring(a) : '';
  const y = b ? ctx.mem.cstring(b) : '';
  const c = x.localeCompare(y, 'en', { sensitivity: 'accent' });
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

/** lstrcpyA: like strcpy; a bad pointer returns NULL (Windows catches the fault). */
export function lstrcpyA(ctx: ApiContext, dst: number, src: number): number {
  try {
    ctx.mem.writeCString(dst, ctx.mem.cstringBytes(src));
    return dst;
  } catch {
    return 0;
  }
}

export function lstrcatA(ctx: ApiContext, dst: number, src: number): number {
  try {
    const head = ctx.mem.cstringBytes(dst);
    ctx.mem.writeCString(dst + head.length, ctx.mem.cstringBytes(src));
    return dst;
  } catch {
    return 0;
  }
}

export function lstrlenW(ctx: ApiContext, s: number): number {
  return s === 0 ? 0 : ctx.mem.wstringUnits(s).length;
}
