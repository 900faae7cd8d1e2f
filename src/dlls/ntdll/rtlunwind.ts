/**
 * The unwinder's exports (winnt.h, rtlsupportapi.h): RtlLookupFunctionEntry, RtlVirtualUnwind,
 * RtlPcToFileHeader and the function tables JIT compilers register at run time —
 * RtlAddFunctionTable, RtlDeleteFunctionTable, RtlInstallFunctionTableCallback, the growable
 * tables (Windows 8+) and RtlGetFunctionTableListHead. The work is done by kernel/unwind.ts and
 * kernel/functiontables.ts on guest memory; the tables are process-heap nodes listed in the
 * process's exception block.
 */
import { lookupFunctionEntry, tableAt, RUNTIME_FUNCTION_SIZE, describeEntries, findTable, insertTable, removeTable, initTableList, DYNAMIC_FUNCTION_TABLE as T, RF_CALLBACK, RF_SORTED, RF_UNSORTED, type DynamicTables, type FunctionEntry } from '../../kernel/functiontables.js';
import { UnwindError, virtualUnwind, type FunctionLookup, type UnwindResult } from '../../kernel/unwind.js';
import { CONTEXT, EXCEPTION_BLOCK, EXCEPTIONS } from '../../native/layout.js';
import { GuestMemoryError } from '../../native/memprotect.js';
import type { ApiContext } from '../types.js';
import { crossGuestCall } from './excframes.js';

const STATUS_SUCCESS = 0;
const STATUS_NO_MEMORY = 0xc0000017;
const STATUS_INVALID_PARAMETER = 0xc000000d;

/** The process's run-time function tables: the list head and the way to run a callback. */
export function functionTables(ctx: ApiContext): DynamicTables {
  return {
    head: ctx.process.pebAddress + EXCEPTION_BLOCK + EXCEPTIONS.FunctionTables,
    callback: (fn, pc, context) => Number(BigInt.asUintN(64, ctx.callGuest(fn, [pc, context]))),
  };
}

/** RtlLookupFunctionEntry without the ImageBase out-parameter: loaded images, then tables.
 *  Hits in images are remembered per PC (an exception walks the same return addresses again
 *  and again); run-time tables are searched every time, as JIT compilers change them. */
export function lookupFunction(ctx: ApiContext, pc: number): FunctionEntry | undefined {
  if (pc === ctx.process.frames.callGuestReturn) return ctx.process.frames.trampolineFunction;
  const cache = ctx.process.frames.codeCache().functions;
  const hit = cache.get(pc);
  if (hit !== undefined) return hit;
  const found = lookupFunctionEntry(ctx.mem, ctx.process.frames, functionTables(ctx), pc);
  if (found && (ctx.process.frames.imageAt(pc)?.pdataSize ?? 0) >= RUNTIME_FUNCTION_SIZE) cache.set(pc, found);
  return found;
}

/** For the epilog's tail-call check. */
export function functionLookup(ctx: ApiContext): FunctionLookup {
  return (pc) => lookupFunction(ctx, pc);
}

/** RtlVirtualUnwind on the CONTEXT at `context` for the caller's frame walk (errors thrown).
 *  `inImage`: the PC lies in an image, so its decoded unwind data may be kept (codeCache). */
export function unwindFunction(ctx: ApiContext, handlerType: number, imageBase: number, pc: number, entry: number, context: number, pointers = 0, inImage = false): UnwindResult {
  return virtualUnwind(ctx.mem, handlerType, imageBase, pc, entry, context, pointers, functionLookup(ctx), inImage ? ctx.process.frames.codeCache().plans : undefined);
}

const writable = (ctx: ApiContext, p: number, n: number): boolean => p !== 0 && ctx.mem.accessible(p, n, 'write');

export function RtlLookupFunctionEntry(ctx: ApiContext, pc: number, imageBase: number, _history: number): number {
  const m = ctx.mem;
  const setBase = (v: number): void => {
    if (writable(ctx, imageBase, 8)) m.setU64(imageBase, v);
  };
  try {
    const found = lookupFunction(ctx, pc);
    if (found) {
      setBase(found.imageBase);
      return found.entry;
    }
    // Not found: *ImageBase is 0, inside an image too (Microsoft's documentation says nothing;
    // Wine 8 does this), except that a run-time table's range with no entry for the PC leaves
    // it alone.
    if (tableAt(m, functionTables(ctx).head, pc) === 0) setBase(0);
    return 0;
  } catch (e) {
    if (e instanceof GuestMemoryError) return 0;
    throw e;
  }
}

export function RtlVirtualUnwind(ctx: ApiContext, handlerType: number, imageBase: number, pc: number, entry: number, context: number, handlerData: number, establisher: number, pointers: number): number {
  const m = ctx.mem;
  if (!writable(ctx, context, CONTEXT.Size)) return 0;
  if (pc === ctx.process.frames.callGuestReturn) {
    // Guest code that JS called returned here: the walk continues where the JS was called from.
    const rsp = m.ptr(context + CONTEXT.Rsp);
    if (!crossGuestCall(ctx, context)) m.setU64(context + CONTEXT.Rip, 0);
    if (writable(ctx, establisher, 8)) m.setU64(establisher, rsp);
    return 0;
  }
  let r: UnwindResult;
  try {
    r = unwindFunction(ctx, handlerType, imageBase, pc, entry, context, writable(ctx, pointers, 0x100) ? pointers : 0);
  } catch (e) {
    // Windows faults on unreadable memory and rejects bad unwind data; the walk ends here.
    if (!(e instanceof UnwindError)) throw e;
    m.setU64(context + CONTEXT.Rip, 0);
    return 0;
  }
  // *HandlerData is written with a handler, and (NULL) for a leaf function; else left alone.
  if ((r.handler !== 0 || entry === 0) && writable(ctx, handlerData, 8)) m.setU64(handlerData, r.handlerData);
  if (writable(ctx, establisher, 8)) m.setU64(establisher, r.establisherFrame);
  return r.handler;
}

export function RtlPcToFileHeader(ctx: ApiContext, pc: number, baseOfImage: number): number {
  const b = ctx.process.frames.imageAt(pc)?.base ?? 0;
  if (writable(ctx, baseOfImage, 8)) ctx.mem.setU64(baseOfImage, b);
  return b;
}

/** A zeroed node from the process heap, or 0. */
function newNode(ctx: ApiContext): number {
  const node = ctx.process.heapAlloc(ctx.process.processHeap, T.Size, 0);
  if (node !== 0) ctx.mem.fill(node, 0, T.Size);
  return node;
}

export function RtlAddFunctionTable(ctx: ApiContext, table: number, count: number, base: number): number {
  const m = ctx.mem;
  let range;
  try {
    range = describeEntries(m, table, count, base);
  } catch (e) {
    if (e instanceof GuestMemoryError) return 0;
    throw e;
  }
  const node = newNode(ctx);
  if (node === 0) return 0;
  m.setU64(node + T.FunctionTable, table);
  m.setU64(node + T.MinimumAddress, range.min);
  m.setU64(node + T.MaximumAddress, range.max);
  m.setU64(node + T.BaseAddress, base);
  m.setU32(node + T.Type, range.sorted ? RF_SORTED : RF_UNSORTED);
  m.setU32(node + T.EntryCount, count);
  insertTable(m, functionTables(ctx).head, node);
  return 1;
}

export function RtlInstallFunctionTableCallback(ctx: ApiContext, id: number, base: number, length: number, callback: number, context: number, outOfProcessDll: number): number {
  // The identifier's two low-order bits must be set (it is what RtlDeleteFunctionTable takes).
  if ((id & 3) !== 3) return 0;
  const m = ctx.mem;
  const node = newNode(ctx);
  if (node === 0) return 0;
  m.setU64(node + T.FunctionTable, id);
  m.setU64(node + T.MinimumAddress, base);
  m.setU64(node + T.MaximumAddress, base + length);
  m.setU64(node + T.BaseAddress, base);
  m.setU64(node + T.Callback, callback);
  m.setU64(node + T.Context, context);
  m.setU64(node + T.OutOfProcessCallbackDll, outOfProcessDll);
  m.setU32(node + T.Type, RF_CALLBACK);
  insertTable(m, functionTables(ctx).head, node);
  return 1;
}

/** Unlinks and frees the first node `match` accepts; whether there was one. */
function deleteWhere(ctx: ApiContext, match: (node: number) => boolean): boolean {
  const m = ctx.mem;
  const node = findTable(m, functionTables(ctx).head, match);
  if (node === 0) return false;
  removeTable(m, node);
  ctx.process.heapFree(ctx.process.processHeap, node);
  return true;
}

export function RtlDeleteFunctionTable(ctx: ApiContext, table: number): number {
  return deleteWhere(ctx, (node) => ctx.mem.ptr(node + T.FunctionTable) === table) ? 1 : 0;
}

export function RtlAddGrowableFunctionTable(ctx: ApiContext, out: number, table: number, count: number, max: number, rangeBase: number, rangeEnd: number): number {
  const m = ctx.mem;
  if (!writable(ctx, out, 8) || count > max) return STATUS_INVALID_PARAMETER;
  const node = newNode(ctx);
  if (node === 0) return STATUS_NO_MEMORY;
  m.setU64(node + T.FunctionTable, table);
  m.setU64(node + T.MinimumAddress, rangeBase);
  m.setU64(node + T.MaximumAddress, rangeEnd);
  m.setU64(node + T.BaseAddress, rangeBase);
  m.setU32(node + T.Type, RF_SORTED);
  m.setU32(node + T.EntryCount, count);
  m.setU32(node + T.MaximumEntryCount, max);
  m.setU32(node + T.Growable, 1);
  insertTable(m, functionTables(ctx).head, node);
  m.setU64(out, node);
  return STATUS_SUCCESS;
}

/** The growable table whose handle is `handle` (a node in the list), or 0. */
function growable(ctx: ApiContext, handle: number): number {
  if (handle === 0) return 0;
  return findTable(ctx.mem, functionTables(ctx).head, (node) => node === handle && ctx.mem.u32(node + T.Growable) !== 0);
}

export function RtlGrowFunctionTable(ctx: ApiContext, handle: number, count: number): void {
  const node = growable(ctx, handle);
  // The new count must not shrink the table nor pass its capacity.
  if (node !== 0 && count >= ctx.mem.u32(node + T.EntryCount) && count <= ctx.mem.u32(node + T.MaximumEntryCount)) ctx.mem.setU32(node + T.EntryCount, count);
}

export function RtlDeleteGrowableFunctionTable(ctx: ApiContext, handle: number): void {
  if (growable(ctx, handle) !== 0) deleteWhere(ctx, (node) => node === handle);
}

/** The LIST_ENTRY heading the run-time tables (debuggers walk it). */
export function RtlGetFunctionTableListHead(ctx: ApiContext): number {
  const head = functionTables(ctx).head;
  initTableList(ctx.mem, head);
  return head;
}
