/** Heaps (heapapi.h) over kernel/heap.ts. */
import type { ApiContext } from '../types.js';
import { ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER, ERROR_NOT_ENOUGH_MEMORY } from './errors.js';

export function GetProcessHeap(ctx: ApiContext): number {
  return ctx.process.processHeap;
}

export function HeapAlloc(ctx: ApiContext, heap: number, flags: number, size: number): number {
  const p = ctx.process.heapAlloc(heap, size, flags);
  if (p === 0) ctx.setLastError(ERROR_NOT_ENOUGH_MEMORY);
  return p;
}

export function HeapFree(ctx: ApiContext, heap: number, _flags: number, p: number): number {
  if (p === 0) return 1;
  if (!ctx.process.heapFree(heap, p)) {
    ctx.setLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  return 1;
}

export function HeapReAlloc(ctx: ApiContext, heap: number, flags: number, p: number, size: number): number {
  const q = ctx.process.heapReAlloc(heap, p, size, flags);
  if (q === 0) ctx.setLastError(ERROR_NOT_ENOUGH_MEMORY);
  return q;
}

export function HeapSize(ctx: ApiContext, heap: number, _flags: number, p: number): bigint {
  const s = ctx.process.heapSize(heap, p);
  return s < 0 ? 0xffffffffffffffffn : BigInt(s);
}

export function HeapCreate(ctx: ApiContext, flags: number, _initial: bigint, maximum: bigint): number {
  const h = ctx.process.heapCreate(Number(maximum), flags);
  if (h === 0) ctx.setLastError(ERROR_NOT_ENOUGH_MEMORY);
  return h;
}

export function HeapDestroy(ctx: ApiContext, heap: number): number {
  if (!ctx.process.heapDestroy(heap)) {
    ctx.setLastError(ERROR_INVALID_HANDLE);
    return 0;
  }
  return 1;
}

export function HeapValidate(ctx: ApiContext, heap: number, _flags: number, p: number): number {
  return ctx.process.heapValidate(heap, p) ? 1 : 0;
}

/** GetProcessHeaps(count, out): how many heaps; fills `out` when `count` is enough. */
export function GetProcessHeaps(ctx: ApiContext, count: number, out: number): number {
  const heaps = ctx.process.processHeaps();
  if (count >= heaps.length) heaps.forEach((h, i) => ctx.mem.setU64(out + 8 * i, h));
  return heaps.length;
}
