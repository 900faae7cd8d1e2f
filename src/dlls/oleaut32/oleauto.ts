/**
 * BSTRs (oleauto.h): length-prefixed UTF-16 strings. A BSTR points at its first character; the
 * DWORD before it holds the length in bytes (not counting the terminating NUL character), and on
 * x64 another DWORD of padding precedes that, so that the characters are 8-byte aligned as on
 * Windows. The block comes from the process heap; a NULL BSTR means the empty string.
 */
import type { ApiContext } from '../types.js';

/** Bytes before the characters: padding and the length DWORD. */
const HEADER = 8;
/** The largest length in bytes a BSTR may have (its prefix is a DWORD, and the block must fit). */
const MAX_BYTES = 0xffffffff - HEADER - 2;

/** A new BSTR of `bytes` bytes (an odd count is allowed) copied from `src` when non-zero;
 *  the two bytes after them are zero. 0 when out of memory. */
export function allocBstr(ctx: ApiContext, src: number, bytes: number): number {
  if (bytes > MAX_BYTES) return 0;
  const block = ctx.process.heapAlloc(ctx.process.processHeap, HEADER + bytes + 2, 0);
  if (block === 0) return 0;
  const bstr = block + HEADER;
  ctx.mem.setU32(block, 0);
  ctx.mem.setU32(block + 4, bytes);
  if (src !== 0 && bytes > 0) ctx.mem.copy(bstr, src, bytes);
  else if (bytes > 0) ctx.mem.fill(bstr, 0, bytes);
  ctx.mem.setU16(bstr + bytes, 0);
  return bstr;
}

export function freeBstr(ctx: ApiContext, bstr: number): void {
  if (bstr !== 0) ctx.process.heapFree(ctx.process.processHeap, bstr - HEADER);
}

/** The length in bytes from the prefix (0 for NULL). */
export function bstrByteLen(ctx: ApiContext, bstr: number): number {
  return bstr === 0 ? 0 : ctx.mem.u32(bstr - 4);
}

/** Characters of a NUL-terminated wide string, counted without building a JS string. */
function wideLength(ctx: ApiContext, p: number): number {
  return ctx.mem.wstringUnits(p).length;
}

/** SysAllocString: NULL in, NULL out (documented). */
export function SysAllocString(ctx: ApiContext, psz: number): number {
  if (psz === 0) return 0;
  return allocBstr(ctx, psz, 2 * wideLength(ctx, psz));
}

/** SysAllocStringLen: `len` characters from `str`, or uninitialised ones when it is NULL. */
export function SysAllocStringLen(ctx: ApiContext, str: number, len: number): number {
  if (len > MAX_BYTES / 2) return 0;
  return allocBstr(ctx, str, 2 * len);
}

/** SysAllocStringByteLen: `len` bytes from `psz` (ANSI data is copied, not converted). */
export function SysAllocStringByteLen(ctx: ApiContext, psz: number, len: number): number {
  return allocBstr(ctx, psz, len);
}

export function SysFreeString(ctx: ApiContext, bstr: number): void {
  freeBstr(ctx, bstr);
}

export function SysStringLen(ctx: ApiContext, bstr: number): number {
  return Math.floor(bstrByteLen(ctx, bstr) / 2);
}

export function SysStringByteLen(ctx: ApiContext, bstr: number): number {
  return bstrByteLen(ctx, bstr);
}

/** Replaces *pbstr with a new BSTR; the source may lie inside the old one, so the new string
 *  is made before the old one is freed. FALSE when out of memory (the old BSTR is kept). */
function reAlloc(ctx: ApiContext, pbstr: number, src: number, bytes: number): number {
  if (pbstr === 0) return 0;
  const old = ctx.mem.ptr(pbstr);
  const bstr = allocBstr(ctx, src, bytes);
  if (bstr === 0) return 0;
  freeBstr(ctx, old);
  ctx.mem.setU64(pbstr, bstr);
  return 1;
}

/** A NULL source frees the old string and leaves NULL, the empty BSTR. */
export function SysReAllocString(ctx: ApiContext, pbstr: number, psz: number): number {
  if (pbstr !== 0 && psz === 0) {
    freeBstr(ctx, ctx.mem.ptr(pbstr));
    ctx.mem.setU64(pbstr, 0);
    return 1;
  }
  return reAlloc(ctx, pbstr, psz, psz === 0 ? 0 : 2 * wideLength(ctx, psz));
}

export function SysReAllocStringLen(ctx: ApiContext, pbstr: number, psz: number, len: number): number {
  if (len > MAX_BYTES / 2) return 0;
  return reAlloc(ctx, pbstr, psz, 2 * len);
}
