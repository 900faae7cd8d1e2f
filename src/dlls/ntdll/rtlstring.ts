/**
 * Counted strings (ntdef.h UNICODE_STRING and STRING): initialising, freeing, copying,
 * appending, comparing, case mapping and hashing. Lengths are in bytes and never include a
 * NUL; a NUL is added after the text only where the buffer has room for it, as Windows does.
 */
import {
  STATUS_BUFFER_OVERFLOW,
  STATUS_BUFFER_TOO_SMALL,
  STATUS_INVALID_PARAMETER,
  STATUS_NAME_TOO_LONG,
  STATUS_NO_MEMORY,
  STATUS_SUCCESS,
} from '../../kernel/ntstatus.js';
import { decodeBytes, encodeUnits, findCodePage } from '../kernel32/codepages.js';
import { toLowerUnit, toUpperUnit } from '../kernel32/chartype.js';
import type { ApiContext } from '../types.js';
import { ansiBytes, readCounted, STRING, unicodeUnits, writeCounted, writeUnitsAt, type CountedString } from './ntdef.js';

const MAX_USHORT = 0xffff;

// ---- initialising and freeing ---------------------------------------------------------------

/** Characters of the NUL-terminated string at p, counting at most `max`. */
function wideLength(ctx: ApiContext, p: number, max: number): number {
  return ctx.mem.wstringUnits(p, max).length;
}
function narrowLength(ctx: ApiContext, p: number, max: number): number {
  return ctx.mem.cstringBytes(p, max).length;
}

/** A string longer than a UNICODE_STRING can count is cut to 0xfffc bytes. */
export function RtlInitUnicodeString(ctx: ApiContext, dst: number, src: number): void {
  const bytes = src ? Math.min(2 * wideLength(ctx, src, 0x7fff), 0xfffc) : 0;
  writeCounted(ctx, dst, { length: bytes, maximumLength: src ? bytes + 2 : 0, buffer: src });
}

export function RtlInitUnicodeStringEx(ctx: ApiContext, dst: number, src: number): number {
  if (src && wideLength(ctx, src, 0x7fff) > 0x7ffe) return STATUS_NAME_TOO_LONG;
  RtlInitUnicodeString(ctx, dst, src);
  return STATUS_SUCCESS;
}

/** RtlInitAnsiString and RtlInitString: cut to 0xfffe bytes. */
export function RtlInitAnsiString(ctx: ApiContext, dst: number, src: number): void {
  const bytes = src ? Math.min(narrowLength(ctx, src, MAX_USHORT), 0xfffe) : 0;
  writeCounted(ctx, dst, { length: bytes, maximumLength: src ? bytes + 1 : 0, buffer: src });
}

export function RtlInitAnsiStringEx(ctx: ApiContext, dst: number, src: number): number {
  if (src && narrowLength(ctx, src, MAX_USHORT) > 0xfffe) return STATUS_NAME_TOO_LONG;
  RtlInitAnsiString(ctx, dst, src);
  return STATUS_SUCCESS;
}

/** RtlFreeUnicodeString, RtlFreeAnsiString, RtlFreeOemString: the buffer goes back to the
 *  process heap (where AllocateDestinationString took it) and the string is emptied. */
export function RtlFreeString(ctx: ApiContext, s: number): void {
  const c = readCounted(ctx, s);
  if (c.buffer) ctx.process.heapFree(ctx.process.processHeap, c.buffer);
  writeCounted(ctx, s, { length: 0, maximumLength: 0, buffer: 0 });
}

/** A buffer of `bytes` on the process heap for an AllocateDestinationString result, or 0. */
export function allocateString(ctx: ApiContext, bytes: number): number {
  return ctx.process.heapAlloc(ctx.process.processHeap, Math.max(bytes, 1), 0);
}

// ---- copying and appending ------------------------------------------------------------------

/** Stores `data` at the end of `dst`'s text, then a NUL of `unit` bytes if it fits. */
function putText(ctx: ApiContext, dstPtr: number, dst: CountedString, at: number, data: Uint8Array, unit: number): void {
  ctx.mem.write(dst.buffer + at, data);
  const length = at + data.length;
  if (length + unit <= dst.maximumLength) ctx.mem.fill(dst.buffer + length, 0, unit);
  ctx.mem.setU16(dstPtr + STRING.Length, length);
}

function copyString(ctx: ApiContext, dstPtr: number, srcPtr: number, unit: number): void {
  const dst = readCounted(ctx, dstPtr);
  if (!srcPtr) {
    ctx.mem.setU16(dstPtr + STRING.Length, 0);
    return;
  }
  const src = readCounted(ctx, srcPtr);
  const n = Math.min(src.length, dst.maximumLength - (dst.maximumLength % unit));
  putText(ctx, dstPtr, dst, 0, ctx.mem.read(src.buffer, n), unit);
}
export const RtlCopyUnicodeString = (ctx: ApiContext, dst: number, src: number): void => copyString(ctx, dst, src, 2);
export const RtlCopyString = (ctx: ApiContext, dst: number, src: number): void => copyString(ctx, dst, src, 1);

function append(ctx: ApiContext, dstPtr: number, data: Uint8Array, unit: number): number {
  const dst = readCounted(ctx, dstPtr);
  if (dst.length + data.length > dst.maximumLength) return STATUS_BUFFER_TOO_SMALL;
  if (data.length > 0) putText(ctx, dstPtr, dst, dst.length, data, unit);
  return STATUS_SUCCESS;
}

export function RtlAppendUnicodeToString(ctx: ApiContext, dst: number, src: number): number {
  return append(ctx, dst, src ? ctx.mem.read(src, 2 * wideLength(ctx, src, 0x7fff)) : new Uint8Array(0), 2);
}
export function RtlAppendUnicodeStringToString(ctx: ApiContext, dst: number, src: number): number {
  const s = readCounted(ctx, src);
  return append(ctx, dst, ctx.mem.read(s.buffer, s.length & ~1), 2);
}
export function RtlAppendAsciizToString(ctx: ApiContext, dst: number, src: number): number {
  return append(ctx, dst, src ? ctx.mem.cstringBytes(src, MAX_USHORT) : new Uint8Array(0), 1);
}
export function RtlAppendStringToString(ctx: ApiContext, dst: number, src: number): number {
  const s = readCounted(ctx, src);
  return append(ctx, dst, ansiBytes(ctx, s), 1);
}

// ---- comparing ------------------------------------------------------------------------------

/** The first difference of two unit sequences (upper-cased when `ci`), else the difference of
 *  their lengths in characters. */
function compareUnits(a: ArrayLike<number>, b: ArrayLike<number>, ci: boolean, up: (c: number) => number): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = ci ? up(a[i]!) : a[i]!;
    const y = ci ? up(b[i]!) : b[i]!;
    if (x !== y) return x - y;
  }
  return a.length - b.length;
}

const unitsAt = (ctx: ApiContext, p: number): Uint16Array => unicodeUnits(ctx, readCounted(ctx, p));

export function RtlCompareUnicodeString(ctx: ApiContext, a: number, b: number, ci: number): number {
  return compareUnits(unitsAt(ctx, a), unitsAt(ctx, b), ci !== 0, toUpperUnit);
}

/** RtlCompareUnicodeStrings(s1, chars1, s2, chars2, ci). */
export function RtlCompareUnicodeStrings(ctx: ApiContext, a: number, na: bigint, b: number, nb: bigint, ci: number): number {
  const read = (p: number, n: bigint): Uint16Array => {
    const bytes = ctx.mem.read(p, 2 * Number(n));
    return new Uint16Array(bytes.buffer, bytes.byteOffset, Number(n));
  };
  return compareUnits(read(a, na), read(b, nb), ci !== 0, toUpperUnit);
}

export function RtlEqualUnicodeString(ctx: ApiContext, a: number, b: number, ci: number): number {
  const x = unitsAt(ctx, a);
  const y = unitsAt(ctx, b);
  return x.length === y.length && compareUnits(x, y, ci !== 0, toUpperUnit) === 0 ? 1 : 0;
}

/** True when the first string starts the second. */
export function RtlPrefixUnicodeString(ctx: ApiContext, prefix: number, s: number, ci: number): number {
  const p = unitsAt(ctx, prefix);
  const x = unitsAt(ctx, s);
  return p.length <= x.length && compareUnits(p, x.subarray(0, p.length), ci !== 0, toUpperUnit) === 0 ? 1 : 0;
}

/** The ANSI code page's upper case of one byte: the byte stands for one character, which
 *  is upper-cased when its upper case is again one byte. */
function upperByte(ctx: ApiContext, b: number): number {
  if (b < 0x80) return b >= 0x61 && b <= 0x7a ? b - 0x20 : b;
  const page = findCodePage(ctx.process.codePages.ansi)!;
  const d = decodeBytes(page, Uint8Array.of(b), 8 /* MB_ERR_INVALID_CHARS */);
  if (!d.ok || d.value.length !== 1) return b;
  const up = toUpperUnit(d.value[0]!);
  const e = encodeUnits(page, Uint16Array.of(up), { flags: 0x400 /* WC_NO_BEST_FIT_CHARS */ });
  return e.ok && e.value.length === 1 && !e.usedDefault ? e.value[0]! : b;
}

export function RtlUpperChar(ctx: ApiContext, c: number): number {
  return upperByte(ctx, c & 0xff);
}

export function RtlCompareString(ctx: ApiContext, a: number, b: number, ci: number): number {
  return compareUnits(ansiBytes(ctx, readCounted(ctx, a)), ansiBytes(ctx, readCounted(ctx, b)), ci !== 0, (c) => upperByte(ctx, c));
}

export function RtlEqualString(ctx: ApiContext, a: number, b: number, ci: number): number {
  const x = ansiBytes(ctx, readCounted(ctx, a));
  const y = ansiBytes(ctx, readCounted(ctx, b));
  return x.length === y.length && compareUnits(x, y, ci !== 0, (c) => upperByte(ctx, c)) === 0 ? 1 : 0;
}

export function RtlPrefixString(ctx: ApiContext, prefix: number, s: number, ci: number): number {
  const p = ansiBytes(ctx, readCounted(ctx, prefix));
  const x = ansiBytes(ctx, readCounted(ctx, s));
  return p.length <= x.length && compareUnits(p, x.subarray(0, p.length), ci !== 0, (c) => upperByte(ctx, c)) === 0 ? 1 : 0;
}

// ---- case -----------------------------------------------------------------------------------

function mapCase(ctx: ApiContext, dstPtr: number, srcPtr: number, alloc: number, f: (c: number) => number): number {
  const src = unitsAt(ctx, srcPtr);
  const bytes = 2 * src.length;
  let buffer: number;
  if (alloc) {
    buffer = allocateString(ctx, bytes);
    if (!buffer) return STATUS_NO_MEMORY;
    writeCounted(ctx, dstPtr, { length: 0, maximumLength: bytes, buffer });
  } else {
    const dst = readCounted(ctx, dstPtr);
    if (bytes > dst.maximumLength) return STATUS_BUFFER_OVERFLOW;
    buffer = dst.buffer;
  }
  writeUnitsAt(ctx, buffer, src.map(f));
  ctx.mem.setU16(dstPtr + STRING.Length, bytes);
  return STATUS_SUCCESS;
}

export const RtlUpcaseUnicodeString = (ctx: ApiContext, dst: number, src: number, alloc: number): number => mapCase(ctx, dst, src, alloc, toUpperUnit);
export const RtlDowncaseUnicodeString = (ctx: ApiContext, dst: number, src: number, alloc: number): number => mapCase(ctx, dst, src, alloc, toLowerUnit);
export const RtlUpcaseUnicodeChar = (_ctx: ApiContext, c: number): number => toUpperUnit(c);
export const RtlDowncaseUnicodeChar = (_ctx: ApiContext, c: number): number => toLowerUnit(c);

/** RtlUpperString(dst, src): as much of src as dst holds, upper-cased. */
export function RtlUpperString(ctx: ApiContext, dstPtr: number, srcPtr: number): void {
  const dst = readCounted(ctx, dstPtr);
  const src = ansiBytes(ctx, readCounted(ctx, srcPtr));
  const n = Math.min(src.length, dst.maximumLength);
  ctx.mem.write(dst.buffer, src.subarray(0, n).map((b) => upperByte(ctx, b)));
  ctx.mem.setU16(dstPtr + STRING.Length, n);
}

// ---- hashing --------------------------------------------------------------------------------

const HASH_STRING_ALGORITHM_DEFAULT = 0;
const HASH_STRING_ALGORITHM_X65599 = 1;

/** The documented x65599 hash: h = h × 65599 + c over the (upper-cased) characters. */
export function RtlHashUnicodeString(ctx: ApiContext, s: number, ci: number, algorithm: number, out: number): number {
  if (!s || !out || (algorithm !== HASH_STRING_ALGORITHM_DEFAULT && algorithm !== HASH_STRING_ALGORITHM_X65599)) return STATUS_INVALID_PARAMETER;
  let h = 0;
  for (const c of unitsAt(ctx, s)) h = (Math.imul(h, 65599) + (ci ? toUpperUnit(c) : c)) >>> 0;
  ctx.mem.setU32(out, h);
  return STATUS_SUCCESS;
}
