/**
 * The module list in a thread's Worker, and the per-thread parts of modules (DESIGN.md §5).
 *
 * Sharing: the list is handed to the Worker as plain data at CreateThread (the LDR entries,
 * images and TLS templates are in guest memory, which every thread shares); the Worker
 * rebuilds its ModuleLoader from it, so GetModuleHandle, GetProcAddress, GetModuleFileName
 * and crash reports' module+offset work in the thread. A LoadLibrary in one thread after
 * that is seen by that thread only (its LDR entry is in the PEB lists for everyone).
 *
 * Per thread: the implicit-TLS vector (TEB.ThreadLocalStoragePointer) with a copy of each
 * module's template, and DLL_THREAD_ATTACH / DLL_THREAD_DETACH to TLS callbacks and DllMain
 * of every initialized module, in initialization order (detach in reverse), except DLLs that
 * called DisableThreadLibraryCalls (LDRP_DONT_CALL_FOR_THREADS in their LDR entry's Flags).
 */
import { BUILTIN_DLLS } from '../dlls/index.js';
import type { ApiContext } from '../dlls/types.js';
import { HEAP_ZERO_MEMORY } from '../kernel/heap.js';
import { TEB } from '../native/layout.js';
import type { LoadableImage } from '../pe/index.js';
import type { Module, ModuleLoader } from './modules.js';
import { LDR_DATA_TABLE_ENTRY as LDR } from './structures.js';

const DLL_THREAD_ATTACH = 2;
const DLL_THREAD_DETACH = 3;
/** LDR_DATA_TABLE_ENTRY.Flags: DisableThreadLibraryCalls was called. */
export const LDRP_DONT_CALL_FOR_THREADS = 0x40000;

/** A module as structured-cloneable data (builtin tables by position in BUILTIN_DLLS). */
export interface ModuleRecord {
  readonly name: string;
  readonly displayName: string;
  readonly path: string;
  readonly base: number;
  readonly size: number;
  readonly entry: number;
  readonly builtin?: { table: number; byName: Map<string, number>; byOrdinal: Map<number, number>; addresses: number[] };
  readonly pe?: LoadableImage;
  readonly file?: string;
  readonly ldrEntry: number;
  readonly tlsIndex: number;
  readonly refCount: number;
  readonly pinned: boolean;
  readonly resolved: boolean;
  readonly imports: number[];
}

export interface ModuleSnapshot {
  readonly modules: ModuleRecord[];
  readonly initOrder: number[];
  readonly ldrData: number;
  readonly tlsCount: number;
}

export function snapshotModules(loader: ModuleLoader): ModuleSnapshot {
  const index = new Map(loader.modules.map((m, i) => [m, i]));
  const modules = loader.modules.map((m): ModuleRecord => {
    const { builtin, imports, ...rest } = m;
    return {
      ...rest,
      ...(builtin && { builtin: { table: BUILTIN_DLLS.indexOf(builtin.table), byName: builtin.byName, byOrdinal: builtin.byOrdinal, addresses: builtin.addresses } }),
      imports: imports.map((d) => index.get(d) ?? -1).filter((i) => i >= 0),
    };
  });
  return { modules, initOrder: loader.initOrder.map((m) => index.get(m)!), ldrData: loader.ldrData, tlsCount: loader.tlsCount };
}

export function adoptModules(loader: ModuleLoader, snap: ModuleSnapshot): void {
  const modules: Module[] = snap.modules.map((r) => {
    const { builtin, imports: _imports, ...rest } = r;
    return { ...rest, ...(builtin && { builtin: { ...builtin, table: BUILTIN_DLLS[builtin.table]! } }), imports: [] };
  });
  snap.modules.forEach((r, i) => modules[i]!.imports.push(...r.imports.map((j) => modules[j]!)));
  loader.adopt(modules, snap.initOrder.map((i) => modules[i]!), snap.ldrData, snap.tlsCount);
}

/** This thread's implicit-TLS vector: a copy of each module's template (zero fill after it). */
export function createThreadTls(ctx: ApiContext, loader: ModuleLoader, heap: number): void {
  const count = loader.tlsCount;
  if (count === 0) return;
  const mem = ctx.mem;
  const capacity = Math.max(8, count);
  const vector = ctx.process.heapAlloc(heap, 8 * capacity, HEAP_ZERO_MEMORY);
  for (const m of loader.modules) {
    const t = m.pe?.tls;
    if (!t || m.tlsIndex < 0) continue;
    const len = t.rawDataEndRva - t.rawDataStartRva;
    const block = ctx.process.heapAlloc(heap, len + t.sizeOfZeroFill + 16, HEAP_ZERO_MEMORY);
    if (len > 0) mem.copy(block, m.base + t.rawDataStartRva, len);
    mem.setU64(vector + 8 * m.tlsIndex, block);
  }
  mem.setU64(ctx.teb + TEB.ThreadLocalStoragePointer, vector);
  loader.useTlsVector(vector, capacity);
}

/** Frees this thread's TLS blocks and vector (after DLL_THREAD_DETACH). */
export function freeThreadTls(ctx: ApiContext, loader: ModuleLoader, heap: number): void {
  const mem = ctx.mem;
  const vector = mem.ptr(ctx.teb + TEB.ThreadLocalStoragePointer);
  if (vector === 0) return;
  for (const m of loader.modules) {
    if (m.tlsIndex < 0) continue;
    const block = mem.ptr(vector + 8 * m.tlsIndex);
    if (block !== 0) ctx.process.heapFree(heap, block);
  }
  ctx.process.heapFree(heap, vector);
  mem.setU64(ctx.teb + TEB.ThreadLocalStoragePointer, 0);
  loader.useTlsVector(0, 0);
}

/** DLL_THREAD_ATTACH (attach) or DLL_THREAD_DETACH to every initialized module and the
 *  program's TLS callbacks. */
export function notifyThread(ctx: ApiContext, loader: ModuleLoader, attach: boolean): void {
  const reason = attach ? DLL_THREAD_ATTACH : DLL_THREAD_DETACH;
  const exe = loader.modules[0];
  const order = exe ? [exe, ...loader.initOrder.filter((m) => m !== exe)] : [...loader.initOrder];
  if (!attach) order.reverse();
  for (const m of order) {
    if (!loader.modules.includes(m)) continue;
    if (m.ldrEntry && ctx.mem.u32(m.ldrEntry + LDR.Flags) & LDRP_DONT_CALL_FOR_THREADS) continue;
    if (m.pe?.tls) for (const cb of m.pe.tls.callbacks) ctx.callGuest(m.base + cb, [m.base, reason, 0]);
    if (m !== exe && m.pe?.isDll && m.entry) ctx.callGuest(m.entry, [m.base, reason, 0]);
  }
}
