/**
 * Vectored exception and continue handlers (errhandlingapi.h): two lists in the process-wide
 * exception block (guest memory, DESIGN.md §5). Each node is a process-heap block
 * { next, handler }; its address is the handle Add* returns and Remove* takes.
 */
import { EXCEPTION_BLOCK, EXCEPTIONS } from '../../native/layout.js';
import type { ApiContext } from '../types.js';

const NODE = { Next: 0, Handler: 8, Size: 16 } as const;

function head(ctx: ApiContext, continueList: boolean): number {
  return ctx.process.pebAddress + EXCEPTION_BLOCK + (continueList ? EXCEPTIONS.VectoredContinueHandlers : EXCEPTIONS.VectoredHandlers);
}

function add(ctx: ApiContext, continueList: boolean, first: number, handler: number): number {
  const m = ctx.mem;
  const node = ctx.process.heapAlloc(ctx.process.processHeap, NODE.Size, 0);
  if (node === 0) return 0;
  m.setU64(node + NODE.Handler, handler);
  let link = head(ctx, continueList);
  if (first === 0) while (m.ptr(link) !== 0) link = m.ptr(link) + NODE.Next;
  m.setU64(node + NODE.Next, m.ptr(link));
  m.setU64(link, node);
  return node;
}

function remove(ctx: ApiContext, continueList: boolean, handle: number): number {
  const m = ctx.mem;
  for (let link = head(ctx, continueList); m.ptr(link) !== 0; link = m.ptr(link) + NODE.Next) {
    const node = m.ptr(link);
    if (node === handle) {
      m.setU64(link, m.ptr(node + NODE.Next));
      ctx.process.heapFree(ctx.process.processHeap, node);
      return 1;
    }
  }
  return 0;
}

/** The handlers of one list, in calling order. */
export function vectoredHandlers(ctx: ApiContext, continueList: boolean): number[] {
  const m = ctx.mem;
  const out: number[] = [];
  for (let node = m.ptr(head(ctx, continueList)); node !== 0 && out.length < 4096; node = m.ptr(node + NODE.Next)) out.push(m.ptr(node + NODE.Handler));
  return out;
}

export function AddVectoredExceptionHandler(ctx: ApiContext, first: number, handler: number): number {
  return add(ctx, false, first, handler);
}

export function RemoveVectoredExceptionHandler(ctx: ApiContext, handle: number): number {
  return remove(ctx, false, handle);
}

export function AddVectoredContinueHandler(ctx: ApiContext, first: number, handler: number): number {
  return add(ctx, true, first, handler);
}

export function RemoveVectoredContinueHandler(ctx: ApiContext, handle: number): number {
  return remove(ctx, true, handle);
}
