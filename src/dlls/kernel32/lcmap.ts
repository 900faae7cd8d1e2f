/**
 * LCMapString* (case mapping, byte reversal, kana) and GetStringType* (character types), as
 * winnls.h / stringapiset.h declare them. The other LCMAP_ transformations (sort keys, width,
 * title case, Chinese conversion) report a fixme and fail with ERROR_INVALID_FLAGS.
 */
import type { ApiContext } from '../types.js';
import { ctype1, ctype2, ctype3, toLowerUnit, toUpperUnit } from './chartype.js';
import { ERROR_INSUFFICIENT_BUFFER, ERROR_INVALID_FLAGS, ERROR_INVALID_PARAMETER } from './errors.js';
import { localeOf, localeOfName } from './locale.js';
import { ansiToUnits, guarded, readBytes, readUnits, unitsToAnsi, writeUnits } from './text.js';

const LCMAP_LOWERCASE = 0x100;
const LCMAP_UPPERCASE = 0x200;
const LCMAP_BYTEREV = 0x800;
const LCMAP_HIRAGANA = 0x100000;
const LCMAP_KATAKANA = 0x200000;
const LCMAP_LINGUISTIC_CASING = 0x1000000;
const SUPPORTED = LCMAP_LOWERCASE | LCMAP_UPPERCASE | LCMAP_BYTEREV | LCMAP_HIRAGANA | LCMAP_KATAKANA | LCMAP_LINGUISTIC_CASING;

const CT_CTYPE1 = 1;
const CT_CTYPE2 = 2;
const CT_CTYPE3 = 4;

function fail(ctx: ApiContext, error: number): number {
  ctx.setLastError(error);
  return 0;
}

/** The mapping itself, or undefined for flags winrun does not implement or Windows rejects. */
export function mapUnits(src: Uint16Array, flags: number): Uint16Array | undefined {
  const casing = flags & (LCMAP_LOWERCASE | LCMAP_UPPERCASE);
  // Both case bits together are LCMAP_TITLECASE (Windows 7), not implemented here.
  if ((flags & ~SUPPORTED) !== 0 || casing === (LCMAP_LOWERCASE | LCMAP_UPPERCASE)) return undefined;
  if ((flags & LCMAP_HIRAGANA) !== 0 && (flags & LCMAP_KATAKANA) !== 0) return undefined;
  const out = Uint16Array.from(src, (u) => {
    if (casing === LCMAP_UPPERCASE) u = toUpperUnit(u);
    else if (casing === LCMAP_LOWERCASE) u = toLowerUnit(u);
    if ((flags & LCMAP_HIRAGANA) !== 0 && u >= 0x30a1 && u <= 0x30f6) u -= 0x60;
    if ((flags & LCMAP_KATAKANA) !== 0 && u >= 0x3041 && u <= 0x3096) u += 0x60;
    if ((flags & LCMAP_BYTEREV) !== 0) u = ((u & 0xff) << 8) | (u >> 8);
    return u;
  });
  return out;
}

function lcmap(ctx: ApiContext, flags: number, src: number, srcLen: number, dst: number, dstLen: number, wide: boolean): number {
  if (src === 0 || srcLen === 0 || dstLen < 0 || (dst === 0 && dstLen > 0)) return fail(ctx, ERROR_INVALID_PARAMETER);
  return guarded(ctx, () => {
    const units = wide ? readUnits(ctx, src, srcLen) : ansiToUnits(ctx, readBytes(ctx, src, srcLen));
    const mapped = mapUnits(units, flags);
    if (!mapped) {
      if ((flags & ~SUPPORTED) !== 0) ctx.fixme('nls', wide ? 'LCMapStringW' : 'LCMapStringA', `flags 0x${(flags >>> 0).toString(16)} are not implemented`);
      return fail(ctx, ERROR_INVALID_FLAGS);
    }
    const out = wide ? mapped : unitsToAnsi(ctx, mapped);
    if (dstLen === 0) return out.length;
    if (out.length > dstLen) return fail(ctx, ERROR_INSUFFICIENT_BUFFER);
    if (out instanceof Uint16Array) writeUnits(ctx, dst, out);
    else ctx.mem.write(dst, out);
    return out.length;
  });
}

export function LCMapStringW(ctx: ApiContext, lcid: number, flags: number, src: number, srcLen: number, dst: number, dstLen: number): number {
  if (!localeOf(lcid)) return fail(ctx, ERROR_INVALID_PARAMETER);
  return lcmap(ctx, flags, src, srcLen, dst, dstLen, true);
}

export function LCMapStringA(ctx: ApiContext, lcid: number, flags: number, src: number, srcLen: number, dst: number, dstLen: number): number {
  if (!localeOf(lcid)) return fail(ctx, ERROR_INVALID_PARAMETER);
  return lcmap(ctx, flags, src, srcLen, dst, dstLen, false);
}

export function LCMapStringEx(ctx: ApiContext, name: number, flags: number, src: number, srcLen: number, dst: number, dstLen: number, version: number, reserved: number, sortHandle: number): number {
  return guarded(ctx, () => {
    if (!localeOfName(name === 0 ? null : ctx.mem.wstring(name)) || version !== 0 || reserved !== 0 || sortHandle !== 0) return fail(ctx, ERROR_INVALID_PARAMETER);
    return lcmap(ctx, flags, src, srcLen, dst, dstLen, true);
  });
}

/** One character-type word per code unit; the type must be exactly one of CT_CTYPE1/2/3. */
export function stringTypes(type: number, units: Uint16Array): Uint16Array | undefined {
  const f = type === CT_CTYPE1 ? ctype1 : type === CT_CTYPE2 ? ctype2 : type === CT_CTYPE3 ? ctype3 : undefined;
  return f ? Uint16Array.from(units, f) : undefined;
}

function getStringType(ctx: ApiContext, type: number, read: () => Uint16Array, out: number): number {
  return guarded(ctx, () => {
    const types = stringTypes(type, read());
    if (!types) return fail(ctx, ERROR_INVALID_PARAMETER);
    writeUnits(ctx, out, types);
    return 1;
  });
}

export function GetStringTypeW(ctx: ApiContext, type: number, src: number, len: number, out: number): number {
  if (src === 0) return fail(ctx, ERROR_INVALID_PARAMETER);
  return getStringType(ctx, type, () => readUnits(ctx, src, len), out);
}

export function GetStringTypeExW(ctx: ApiContext, _lcid: number, type: number, src: number, len: number, out: number): number {
  return GetStringTypeW(ctx, type, src, len, out);
}

/** The narrow form converts through the ANSI code page: one word per resulting character. */
export function GetStringTypeA(ctx: ApiContext, _lcid: number, type: number, src: number, len: number, out: number): number {
  if (src === 0) return fail(ctx, ERROR_INVALID_PARAMETER);
  return getStringType(ctx, type, () => ansiToUnits(ctx, readBytes(ctx, src, len)), out);
}
