/**
 * Conversions of ntdll's run-time library: counted strings and buffers between UTF-16 and the
 * ANSI or OEM code page (which follow the process's code pages, as kernel32's CP_ACP and
 * CP_OEMCP do), UTF-16 ↔ UTF-8, and integers ↔ text.
 */
import {
  STATUS_BUFFER_OVERFLOW,
  STATUS_BUFFER_TOO_SMALL,
  STATUS_INVALID_PARAMETER,
  STATUS_INVALID_PARAMETER_2,
  STATUS_INVALID_PARAMETER_4,
  STATUS_INVALID_PARAMETER_5,
  STATUS_NO_MEMORY,
  STATUS_SOME_NOT_MAPPED,
  STATUS_SUCCESS,
} from '../../kernel/ntstatus.js';
import { decodeBytes, encodeUnits, findCodePage, type CodePage } from '../kernel32/codepages.js';
import type { ApiContext } from '../types.js';
import { ansiBytes, readCounted, STRING, unicodeUnits, unitsOf, writeUnitsAt } from './ntdef.js';
import { allocateString } from './rtlstring.js';

type Page = 'ansi' | 'oem';
const pageOf = (ctx: ApiContext, which: Page): CodePage => findCodePage(which === 'ansi' ? ctx.process.codePages.ansi : ctx.process.codePages.oem)!;

const decode = (p: CodePage, bytes: Uint8Array): Uint16Array => {
  const r = decodeBytes(p, bytes, 0);
  return r.ok ? r.value : new Uint16Array(0);
};
const encode = (p: CodePage, units: Uint16Array): Uint8Array => {
  const r = encodeUnits(p, units, { flags: 0 });
  return r.ok ? r.value : new Uint8Array(0);
};

/** The bytes of `units` in the code page, cut to at most `max` bytes without splitting a
 *  character (a double-byte character or a surrogate pair's encoding). */
function encodePrefix(p: CodePage, units: Uint16Array, max: number): Uint8Array {
  const all = encode(p, units);
  if (all.length <= max) return all;
  const parts: Uint8Array[] = [];
  let n = 0;
  for (let i = 0; i < units.length; i++) {
    const pair = units[i]! >= 0xd800 && units[i]! < 0xdc00 && i + 1 < units.length && units[i + 1]! >= 0xdc00 && units[i + 1]! < 0xe000;
    const b = encode(p, units.subarray(i, pair ? i + 2 : i + 1));
    if (n + b.length > max) break;
    parts.push(b);
    n += b.length;
    if (pair) i++;
  }
  const out = new Uint8Array(n);
  let at = 0;
  for (const b of parts) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

const readUnitsN = (ctx: ApiContext, p: number, bytes: number): Uint16Array => {
  const n = bytes >>> 1;
  if (n === 0) return new Uint16Array(0);
  const b = ctx.mem.read(p, 2 * n);
  return new Uint16Array(b.buffer, b.byteOffset, n);
};

// ---- counted strings ------------------------------------------------------------------------

/** RtlAnsiStringToUnicodeString / RtlOemStringToUnicodeString. The destination's Length is
 *  set before the size check, so a caller that gets STATUS_BUFFER_OVERFLOW learns the size;
 *  a NUL always follows the text. */
function toUnicodeString(ctx: ApiContext, which: Page, dstPtr: number, srcPtr: number, alloc: number): number {
  const units = decode(pageOf(ctx, which), ansiBytes(ctx, readCounted(ctx, srcPtr)));
  const total = 2 * units.length + 2;
  if (total > 0xffff) return STATUS_INVALID_PARAMETER_2;
  ctx.mem.setU16(dstPtr + STRING.Length, total - 2);
  let buffer: number;
  if (alloc) {
    buffer = allocateString(ctx, total);
    if (!buffer) return STATUS_NO_MEMORY;
    ctx.mem.setU16(dstPtr + STRING.MaximumLength, total);
    ctx.mem.setU64(dstPtr + STRING.Buffer, buffer);
  } else {
    const dst = readCounted(ctx, dstPtr);
    if (total > dst.maximumLength) return STATUS_BUFFER_OVERFLOW;
    buffer = dst.buffer;
  }
  const z = new Uint16Array(units.length + 1);
  z.set(units);
  writeUnitsAt(ctx, buffer, z);
  return STATUS_SUCCESS;
}
export const RtlAnsiStringToUnicodeString = (ctx: ApiContext, d: number, s: number, a: number): number => toUnicodeString(ctx, 'ansi', d, s, a);
export const RtlOemStringToUnicodeString = (ctx: ApiContext, d: number, s: number, a: number): number => toUnicodeString(ctx, 'oem', d, s, a);

/** RtlUnicodeStringToAnsiString / RtlUnicodeStringToOemString: a buffer that is too small
 *  receives what fits (and a NUL) with STATUS_BUFFER_OVERFLOW. */
function fromUnicodeString(ctx: ApiContext, which: Page, dstPtr: number, srcPtr: number, alloc: number): number {
  const page = pageOf(ctx, which);
  const units = unicodeUnits(ctx, readCounted(ctx, srcPtr));
  let bytes = encode(page, units);
  const total = bytes.length + 1;
  if (total > 0xffff) return STATUS_INVALID_PARAMETER_2;
  ctx.mem.setU16(dstPtr + STRING.Length, bytes.length);
  let status = STATUS_SUCCESS;
  let buffer: number;
  if (alloc) {
    buffer = allocateString(ctx, total);
    if (!buffer) return STATUS_NO_MEMORY;
    ctx.mem.setU16(dstPtr + STRING.MaximumLength, total);
    ctx.mem.setU64(dstPtr + STRING.Buffer, buffer);
  } else {
    const dst = readCounted(ctx, dstPtr);
    buffer = dst.buffer;
    if (total > dst.maximumLength) {
      status = STATUS_BUFFER_OVERFLOW;
      if (dst.maximumLength === 0) return status;
      bytes = encodePrefix(page, units, dst.maximumLength - 1);
      ctx.mem.setU16(dstPtr + STRING.Length, bytes.length);
    }
  }
  ctx.mem.writeCString(buffer, bytes);
  return status;
}
export const RtlUnicodeStringToAnsiString = (ctx: ApiContext, d: number, s: number, a: number): number => fromUnicodeString(ctx, 'ansi', d, s, a);
export const RtlUnicodeStringToOemString = (ctx: ApiContext, d: number, s: number, a: number): number => fromUnicodeString(ctx, 'oem', d, s, a);

/** RtlxUnicodeStringToAnsiSize: bytes of the conversion with its NUL. */
export function RtlxUnicodeStringToAnsiSize(ctx: ApiContext, s: number): number {
  return encode(pageOf(ctx, 'ansi'), unicodeUnits(ctx, readCounted(ctx, s))).length + 1;
}
export function RtlxAnsiStringToUnicodeSize(ctx: ApiContext, s: number): number {
  return 2 * decode(pageOf(ctx, 'ansi'), ansiBytes(ctx, readCounted(ctx, s))).length + 2;
}

// ---- buffers --------------------------------------------------------------------------------

/** RtlUnicodeToMultiByteN(dst, dstBytes, written, src, srcBytes): as much as fits. */
function unicodeToBytes(ctx: ApiContext, which: Page, dst: number, max: number, written: number, src: number, srcBytes: number): number {
  const bytes = encodePrefix(pageOf(ctx, which), readUnitsN(ctx, src, srcBytes), max);
  ctx.mem.write(dst, bytes);
  if (written) ctx.mem.setU32(written, bytes.length);
  return STATUS_SUCCESS;
}
export const RtlUnicodeToMultiByteN = (ctx: ApiContext, d: number, m: number, w: number, s: number, n: number): number => unicodeToBytes(ctx, 'ansi', d, m, w, s, n);
export const RtlUnicodeToOemN = (ctx: ApiContext, d: number, m: number, w: number, s: number, n: number): number => unicodeToBytes(ctx, 'oem', d, m, w, s, n);

/** RtlMultiByteToUnicodeN(dst, dstBytes, written, src, srcBytes). */
function bytesToUnicode(ctx: ApiContext, which: Page, dst: number, max: number, written: number, src: number, srcBytes: number): number {
  const units = decode(pageOf(ctx, which), ctx.mem.read(src, srcBytes));
  const n = Math.min(units.length, max >>> 1);
  writeUnitsAt(ctx, dst, units.subarray(0, n));
  if (written) ctx.mem.setU32(written, 2 * n);
  return STATUS_SUCCESS;
}
export const RtlMultiByteToUnicodeN = (ctx: ApiContext, d: number, m: number, w: number, s: number, n: number): number => bytesToUnicode(ctx, 'ansi', d, m, w, s, n);
export const RtlOemToUnicodeN = (ctx: ApiContext, d: number, m: number, w: number, s: number, n: number): number => bytesToUnicode(ctx, 'oem', d, m, w, s, n);

export function RtlUnicodeToMultiByteSize(ctx: ApiContext, out: number, src: number, srcBytes: number): number {
  ctx.mem.setU32(out, encode(pageOf(ctx, 'ansi'), readUnitsN(ctx, src, srcBytes)).length);
  return STATUS_SUCCESS;
}
export function RtlMultiByteToUnicodeSize(ctx: ApiContext, out: number, src: number, srcBytes: number): number {
  ctx.mem.setU32(out, 2 * decode(pageOf(ctx, 'ansi'), ctx.mem.read(src, srcBytes)).length);
  return STATUS_SUCCESS;
}

// ---- UTF-8 ----------------------------------------------------------------------------------

/**
 * RtlUnicodeToUTF8N(dst, dstBytes, actual, src, srcBytes). A NULL destination asks for the
 * size; an unpaired surrogate becomes U+FFFD with STATUS_SOME_NOT_MAPPED; a destination too
 * small receives the whole characters that fit, with STATUS_BUFFER_TOO_SMALL.
 */
export function RtlUnicodeToUTF8N(ctx: ApiContext, dst: number, max: number, actual: number, src: number, srcBytes: number): number {
  if (!actual) return STATUS_INVALID_PARAMETER;
  if (!src && srcBytes) return STATUS_INVALID_PARAMETER_4;
  if (srcBytes & 1) return STATUS_INVALID_PARAMETER_5;
  const units = readUnitsN(ctx, src, srcBytes);
  const text = String.fromCharCode(...units);
  const status = /[\uD800-\uDFFF]/u.test(text) ? STATUS_SOME_NOT_MAPPED : STATUS_SUCCESS;
  const all = new TextEncoder().encode(text);
  if (!dst) {
    ctx.mem.setU32(actual, all.length);
    return status;
  }
  if (all.length <= max) {
    ctx.mem.write(dst, all);
    ctx.mem.setU32(actual, all.length);
    return status;
  }
  const part = encodePrefix(findCodePage(65001)!, units, max);
  ctx.mem.write(dst, part);
  ctx.mem.setU32(actual, part.length);
  return STATUS_BUFFER_TOO_SMALL;
}

/** RtlUTF8ToUnicodeN(dst, dstBytes, actual, src, srcBytes): ill-formed sequences become
 *  U+FFFD with STATUS_SOME_NOT_MAPPED. */
export function RtlUTF8ToUnicodeN(ctx: ApiContext, dst: number, max: number, actual: number, src: number, srcBytes: number): number {
  if (!actual) return STATUS_INVALID_PARAMETER;
  if (!src && srcBytes) return STATUS_INVALID_PARAMETER_4;
  const bytes = ctx.mem.read(src, srcBytes);
  let status = STATUS_SUCCESS;
  try {
    new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    status = STATUS_SOME_NOT_MAPPED;
  }
  const units = unitsOf(new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes));
  if (!dst) {
    ctx.mem.setU32(actual, 2 * units.length);
    return status;
  }
  let n = units.length;
  if (2 * n > max) {
    n = max >>> 1;
    if (n > 0 && units[n - 1]! >= 0xd800 && units[n - 1]! < 0xdc00) n--; // not half a pair
    status = STATUS_BUFFER_TOO_SMALL;
  }
  writeUnitsAt(ctx, dst, units.subarray(0, n));
  ctx.mem.setU32(actual, 2 * n);
  return status;
}

// ---- integers -------------------------------------------------------------------------------

const BASES = [2, 8, 10, 16];

/** RtlIntegerToChar(value, base, length, out): upper-case digits; a NUL follows when the
 *  buffer has room; a buffer shorter than the digits is left alone (STATUS_BUFFER_OVERFLOW). */
export function RtlIntegerToChar(ctx: ApiContext, value: number, base: number, length: number, out: number): number {
  const b = base === 0 ? 10 : base;
  if (!BASES.includes(b)) return STATUS_INVALID_PARAMETER;
  const digits = (value >>> 0).toString(b).toUpperCase();
  const len = length | 0;
  if (digits.length > len) return STATUS_BUFFER_OVERFLOW;
  const bytes = new TextEncoder().encode(digits);
  if (digits.length < len) ctx.mem.writeCString(out, bytes);
  else ctx.mem.write(out, bytes);
  return STATUS_SUCCESS;
}

/** The value of leading white space, a sign, a 0x/0o/0b prefix (base 0 only) and digits;
 *  parsing stops at the first character that is not a digit of the base. */
function parseInteger(units: ArrayLike<number>, base: number): number | undefined {
  if (base !== 0 && !BASES.includes(base)) return undefined;
  let i = 0;
  while (i < units.length && units[i]! <= 0x20) i++;
  let negative = false;
  if (units[i] === 0x2d || units[i] === 0x2b) negative = units[i++] === 0x2d;
  if (base === 0) {
    base = 10;
    if (units[i] === 0x30) {
      const p = units[i + 1];
      const prefixed = p === 0x78 ? 16 : p === 0x6f ? 8 : p === 0x62 ? 2 : 0;
      if (prefixed) {
        base = prefixed;
        i += 2;
      }
    }
  }
  let v = 0;
  for (; i < units.length; i++) {
    const c = units[i]!;
    const d = c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x61 && c <= 0x7a ? c - 0x57 : c >= 0x41 && c <= 0x5a ? c - 0x37 : 99;
    if (d >= base) break;
    v = (Math.imul(v, base) + d) >>> 0;
  }
  return negative ? -v >>> 0 : v;
}

export function RtlCharToInteger(ctx: ApiContext, s: number, base: number, out: number): number {
  const v = parseInteger(ctx.mem.cstringBytes(s), base);
  if (v === undefined) return STATUS_INVALID_PARAMETER;
  ctx.mem.setU32(out, v);
  return STATUS_SUCCESS;
}

export function RtlUnicodeStringToInteger(ctx: ApiContext, s: number, base: number, out: number): number {
  const v = parseInteger(unicodeUnits(ctx, readCounted(ctx, s)), base);
  if (v === undefined) return STATUS_INVALID_PARAMETER;
  ctx.mem.setU32(out, v);
  return STATUS_SUCCESS;
}

/** RtlIntegerToUnicodeString(value, base, string): Length is set even when the text (and
 *  its NUL) does not fit, with STATUS_BUFFER_OVERFLOW. */
export function RtlIntegerToUnicodeString(ctx: ApiContext, value: number, base: number, s: number): number {
  const b = base === 0 ? 10 : base;
  if (!BASES.includes(b)) return STATUS_INVALID_PARAMETER;
  const digits = (value >>> 0).toString(b).toUpperCase();
  const str = readCounted(ctx, s);
  const bytes = 2 * digits.length;
  ctx.mem.setU16(s + STRING.Length, bytes);
  if (bytes >= str.maximumLength) return STATUS_BUFFER_OVERFLOW;
  ctx.mem.writeWString(str.buffer, digits);
  return STATUS_SUCCESS;
}

