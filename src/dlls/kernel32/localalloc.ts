/**
 * The Local allocator (winbase.h): the same objects as the Global one (globalalloc.ts), as on
 * Windows since NT: LMEM_MOVEABLE blocks have handles distinct from their pointers and lock
 * counts, LMEM_FIXED blocks are plain heap blocks.
 */
import type { ApiContext } from '../types.js';
import { memAlloc, memFlags, memFree, memHandle, memLock, memReAlloc, memSize, memUnlock } from './globalalloc.js';

export function LocalAlloc(ctx: ApiContext, flags: number, size: bigint): number {
  return memAlloc(ctx, flags, Number(size), 'local');
}

/** NULL on success; the handle itself (and the error) on failure. */
export function LocalFree(ctx: ApiContext, h: number): number {
  return memFree(ctx, h);
}

export function LocalReAlloc(ctx: ApiContext, h: number, size: bigint, flags: number): number {
  return memReAlloc(ctx, h, Number(size), flags, 'local');
}

export function LocalSize(ctx: ApiContext, h: number): bigint {
  return BigInt(memSize(ctx, h));
}

export function LocalLock(ctx: ApiContext, h: number): number {
  return memLock(ctx, h);
}

export function LocalUnlock(ctx: ApiContext, h: number): number {
  return memUnlock(ctx, h, 'local');
}

export function LocalFlags(ctx: ApiContext, h: number): number {
  return memFlags(ctx, h, 'local');
}

export function LocalHandle(ctx: ApiContext, p: number): number {
  return memHandle(ctx, p, 'local');
}
