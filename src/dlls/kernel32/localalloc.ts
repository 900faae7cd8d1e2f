/**
 * Local memory (winbase.h LocalAlloc family) on the process heap, as Windows does since NT.
 * Every block is fixed: a "moveable" handle is the block's address, so LocalLock returns it
 * unchanged, which is what programs that follow the documented lock/unlock protocol need.
 */
import { HEAP_ZERO_MEMORY } from '../../kernel/heap.js';
import type { ApiContext } from '../types.js';
import { ERROR_INVALID_HANDLE, ERROR_NOT_ENOUGH_MEMORY } from './errors.js';

const LMEM_MOVEABLE = 0x2;
const LMEM_ZEROINIT = 0x40;
const LMEM_MODIFY = 0x80;
const HEAP_REALLOC_IN_PLACE_ONLY = 0x10;

export function LocalAlloc(ctx: ApiContext, flags: number, size: bigint): number {
  const p = ctx.process.heapAlloc(ctx.process.processHeap, Number(size), flags & LMEM_ZEROINIT ? HEAP_ZERO_MEMORY : 0);
  if (p === 0) ctx.setLastError(ERROR_NOT_ENOUGH_MEMORY);
  return p;
}

/** NULL on success; the handle itself (and ERROR_INVALID_HANDLE) on failure. */
export function LocalFree(ctx: ApiContext, h: number): number {
  if (h === 0) return 0;
  if (ctx.process.heapFree(ctx.process.processHeap, h)) return 0;
  ctx.setLastError(ERROR_INVALID_HANDLE);
  return h;
}

export function LocalReAlloc(ctx: ApiContext, h: number, size: bigint, flags: number): number {
  if ((flags & LMEM_MODIFY) !== 0) return h;
  const heapFlags = (flags & LMEM_ZEROINIT ? HEAP_ZERO_MEMORY : 0) | (flags & LMEM_MOVEABLE ? 0 : HEAP_REALLOC_IN_PLACE_ONLY);
  const p = ctx.process.heapReAlloc(ctx.process.processHeap, h, Number(size), heapFlags);
  if (p === 0) ctx.setLastError(ERROR_NOT_ENOUGH_MEMORY);
  return p;
}

export function LocalSize(ctx: ApiContext, h: number): bigint {
  const n = ctx.process.heapSize(ctx.process.processHeap, h);
  if (n < 0) {
    ctx.setLastError(ERROR_INVALID_HANDLE);
    return 0n;
  }
  return BigInt(n);
}

export function LocalLock(_ctx: ApiContext, h: number): number {
  return h;
}

/** Fixed blocks have no lock count: FALSE, with the last error left at NO_ERROR. */
export function LocalUnlock(ctx: ApiContext, _h: number): number {
  ctx.setLastError(0);
  return 0;
}

export function LocalFlags(_ctx: ApiContext, _h: number): number {
  return 0;
}
