/**
 * Interlocked singly linked lists (interlockedapi.h, and ntdll's Rtl forms): InitializeSListHead,
 * InterlockedPushEntrySList, InterlockedPopEntrySList, InterlockedFlushSList,
 * InterlockedPushListSListEx, QueryDepthSList, RtlFirstEntrySList. The x64 SLIST_HEADER is two
 * quadwords: depth (16 bits) and sequence (48 bits), then the first entry (16-byte aligned, so
 * its low 4 bits, the header-type bits, are 0). Windows changes the header with cmpxchg16b;
 * here every list operation of the process runs under one spin lock in guest memory
 * (layout.ts SLIST_LOCK), which any thread's realm takes — guests only reach the header through
 * these functions.
 */
import { SLIST_LOCK } from '../../native/layout.js';
import { withSpinLock } from '../../kernel/waitable.js';
import type { ApiContext } from '../types.js';

const DEPTH_MASK = 0xffffn;

function locked<T>(ctx: ApiContext, body: () => T): T {
  return withSpinLock(ctx.mem, ctx.process.pebAddress + SLIST_LOCK, () => ctx.process.sleep(0), body);
}

/** Depth + 1 (or + n, or − 1), sequence + 1. */
function bump(ctx: ApiContext, head: number, delta: number): void {
  const v = ctx.mem.u64(head);
  const depth = (v + BigInt(delta)) & DEPTH_MASK;
  const seq = ((v >> 16n) + 1n) & 0xffffffffffffn;
  ctx.mem.setU64(head, (seq << 16n) | depth);
}

export function InitializeSListHead(ctx: ApiContext, head: number): void {
  ctx.mem.setU64(head, 0n);
  ctx.mem.setU64(head + 8, 0n);
}

export function InterlockedPushEntrySList(ctx: ApiContext, head: number, entry: number): number {
  return locked(ctx, () => {
    const first = ctx.mem.ptr(head + 8);
    ctx.mem.setU64(entry, first);
    ctx.mem.setU64(head + 8, entry);
    bump(ctx, head, 1);
    return first;
  });
}

export function InterlockedPopEntrySList(ctx: ApiContext, head: number): number {
  return locked(ctx, () => {
    const first = ctx.mem.ptr(head + 8);
    if (first === 0) return 0;
    ctx.mem.setU64(head + 8, ctx.mem.ptr(first));
    bump(ctx, head, -1);
    return first;
  });
}

export function InterlockedFlushSList(ctx: ApiContext, head: number): number {
  return locked(ctx, () => {
    const first = ctx.mem.ptr(head + 8);
    ctx.mem.setU64(head + 8, 0);
    const seq = ((ctx.mem.u64(head) >> 16n) + 1n) & 0xffffffffffffn;
    ctx.mem.setU64(head, seq << 16n);
    return first;
  });
}

/** InterlockedPushListSListEx: pushes the chain list … listEnd (count entries) at once. */
export function InterlockedPushListSListEx(ctx: ApiContext, head: number, list: number, listEnd: number, count: number): number {
  return locked(ctx, () => {
    const first = ctx.mem.ptr(head + 8);
    ctx.mem.setU64(listEnd, first);
    ctx.mem.setU64(head + 8, list);
    bump(ctx, head, count);
    return first;
  });
}

export function QueryDepthSList(ctx: ApiContext, head: number): number {
  return Number(ctx.mem.u64(head) & DEPTH_MASK);
}

export function RtlFirstEntrySList(ctx: ApiContext, head: number): number {
  return ctx.mem.ptr(head + 8);
}
