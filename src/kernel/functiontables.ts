/**
 * Finding a PC's RUNTIME_FUNCTION (RtlLookupFunctionEntry): a binary search of the exception
 * directory of the image holding the PC, read in guest memory; for code outside images, the
 * function tables added at run time (RtlAddFunctionTable, RtlInstallFunctionTableCallback,
 * RtlAddGrowableFunctionTable).
 *
 * The run-time tables live in guest memory (DESIGN.md §5): a circular doubly linked list of
 * process-heap nodes shaped like winnt.h's DYNAMIC_FUNCTION_TABLE, whose LIST_ENTRY head is
 * the EXCEPTIONS.FunctionTables slot of the process's exception block (a zeroed head is an
 * empty list; it is made circular on first use). RtlGetFunctionTableListHead returns the head.
 */
import type { AddressSpace } from '../native/memory.js';
import { MAX_UNWIND_CHAIN } from '../pe/exceptions.js';

/** One node: DYNAMIC_FUNCTION_TABLE's fields in winnt.h order, then winrun's own. */
export const DYNAMIC_FUNCTION_TABLE = {
  /** LIST_ENTRY: Flink, Blink. */
  Flink: 0x00,
  Blink: 0x08,
  /** The RUNTIME_FUNCTION array, or the callback table's TableIdentifier (low 2 bits set). */
  FunctionTable: 0x10,
  TimeStamp: 0x18,
  /** The code range the table covers: [MinimumAddress, MaximumAddress). */
  MinimumAddress: 0x20,
  MaximumAddress: 0x28,
  /** The base the entries' RVAs are relative to. */
  BaseAddress: 0x30,
  Callback: 0x38,
  Context: 0x40,
  OutOfProcessCallbackDll: 0x48,
  /** FUNCTION_TABLE_TYPE (RF_*). */
  Type: 0x50,
  EntryCount: 0x54,
  /** winrun: a growable table's capacity (0 for the other kinds). */
  MaximumEntryCount: 0x58,
  /** winrun: non-zero for RtlAddGrowableFunctionTable's tables. */
  Growable: 0x5c,
  Size: 0x60,
} as const;

/** FUNCTION_TABLE_TYPE (winnt.h). */
export const RF_SORTED = 0;
export const RF_UNSORTED = 1;
export const RF_CALLBACK = 2;

/** A RUNTIME_FUNCTION: BeginAddress, EndAddress, UnwindData (RVAs). */
export const RUNTIME_FUNCTION_SIZE = 12;

/** Lists longer than this are treated as corrupt (a walk never loops forever). */
const MAX_TABLES = 1 << 16;

/** The image holding a PC and its exception directory (the loader's module list). */
export interface ImageMap {
  imageAt(pc: number): { readonly base: number; readonly pdataRva: number; readonly pdataSize: number } | undefined;
}

/** The process's run-time function tables. */
export interface DynamicTables {
  /** Address of the list head (a LIST_ENTRY) in guest memory. */
  readonly head: number;
  /** Calls a table's guest callback, `PRUNTIME_FUNCTION cb(DWORD64 ControlPc, PVOID Context)`. */
  callback(fn: number, controlPc: number, context: number): number;
}

export interface FunctionEntry {
  /** Address of the RUNTIME_FUNCTION. */
  readonly entry: number;
  /** The base its RVAs are relative to. */
  readonly imageBase: number;
}

/** Follows indirect entries (UnwindData bit 0 set: the RVA of the RUNTIME_FUNCTION whose unwind
 *  information applies) to the entry they name. */
function resolveIndirect(mem: AddressSpace, base: number, entry: number): number {
  for (let depth = 0; depth <= MAX_UNWIND_CHAIN; depth++) {
    const u = mem.u32(entry + 8);
    if ((u & 1) === 0) return entry;
    entry = base + (u & ~1);
  }
  return entry;
}

const FOUR_GIB = 0x100000000;

/**
 * Binary search of a sorted RUNTIME_FUNCTION array of `count` entries at `table` (RVAs relative
 * to `base`) for `pc`: the entry's address, or 0. The array is checked once and then read
 * straight from guest memory.
 */
export function searchSorted(mem: AddressSpace, table: number, count: number, base: number, pc: number): number {
  const rva = pc - base;
  if (count <= 0 || rva < 0 || rva >= FOUR_GIB) return 0;
  const size = count * RUNTIME_FUNCTION_SIZE;
  mem.check(table, size);
  let lo = 0;
  let hi = count - 1;
  if (Math.floor(table / FOUR_GIB) === Math.floor((table + size - 1) / FOUR_GIB)) {
    const w = mem.window(table);
    const dv = w.dv;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const at = w.off + RUNTIME_FUNCTION_SIZE * mid;
      if (rva < dv.getUint32(at, true)) hi = mid - 1;
      else if (rva >= dv.getUint32(at + 4, true)) lo = mid + 1;
      else return resolveIndirect(mem, base, table + RUNTIME_FUNCTION_SIZE * mid);
    }
    return 0;
  }
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const e = table + RUNTIME_FUNCTION_SIZE * mid;
    if (rva < mem.u32(e)) hi = mid - 1;
    else if (rva >= mem.u32(e + 4)) lo = mid + 1;
    else return resolveIndirect(mem, base, e);
  }
  return 0;
}

/** Linear search of an unsorted RUNTIME_FUNCTION array: the entry's address, or 0. */
function searchUnsorted(mem: AddressSpace, table: number, count: number, base: number, pc: number): number {
  const rva = pc - base;
  if (rva < 0 || rva >= FOUR_GIB) return 0;
  for (let i = 0; i < count; i++) {
    const e = table + RUNTIME_FUNCTION_SIZE * i;
    if (rva >= mem.u32(e) && rva < mem.u32(e + 4)) return resolveIndirect(mem, base, e);
  }
  return 0;
}

/** The list's first node (0 when empty); a zeroed head is an empty list. */
function firstNode(mem: AddressSpace, head: number): number {
  const f = mem.ptr(head + DYNAMIC_FUNCTION_TABLE.Flink);
  return f === head ? 0 : f;
}

/** Calls `visit` on each node in list order until it returns true; that node, or 0. */
export function findTable(mem: AddressSpace, head: number, visit: (node: number) => boolean): number {
  let n = 0;
  for (let node = firstNode(mem, head); node !== 0 && node !== head && n < MAX_TABLES; node = mem.ptr(node + DYNAMIC_FUNCTION_TABLE.Flink), n++) {
    if (visit(node)) return node;
  }
  return 0;
}

/** The first table whose range holds `pc`, or 0. */
export function tableAt(mem: AddressSpace, head: number, pc: number): number {
  const T = DYNAMIC_FUNCTION_TABLE;
  return findTable(mem, head, (node) => pc >= mem.ptr(node + T.MinimumAddress) && pc < mem.ptr(node + T.MaximumAddress));
}

/** Makes a zeroed head an empty circular list. */
export function initTableList(mem: AddressSpace, head: number): void {
  if (mem.ptr(head + DYNAMIC_FUNCTION_TABLE.Flink) === 0) {
    mem.setU64(head + DYNAMIC_FUNCTION_TABLE.Flink, head);
    mem.setU64(head + DYNAMIC_FUNCTION_TABLE.Blink, head);
  }
}

/** Appends a filled-in node to the list (the node is linked last, with one store making it
 *  reachable from the list). */
export function insertTable(mem: AddressSpace, head: number, node: number): void {
  const T = DYNAMIC_FUNCTION_TABLE;
  initTableList(mem, head);
  const last = mem.ptr(head + T.Blink);
  mem.setU64(node + T.Flink, head);
  mem.setU64(node + T.Blink, last);
  mem.setU64(head + T.Blink, node);
  mem.setU64(last + T.Flink, node);
}

export function removeTable(mem: AddressSpace, node: number): void {
  const T = DYNAMIC_FUNCTION_TABLE;
  const next = mem.ptr(node + T.Flink);
  const prev = mem.ptr(node + T.Blink);
  mem.setU64(prev + T.Flink, next);
  mem.setU64(next + T.Blink, prev);
}

/** The entry for `pc` in one run-time table, or 0. */
function searchTable(mem: AddressSpace, tables: DynamicTables, node: number, pc: number): number {
  const T = DYNAMIC_FUNCTION_TABLE;
  const base = mem.ptr(node + T.BaseAddress);
  const type = mem.u32(node + T.Type);
  if (type === RF_CALLBACK) return tables.callback(mem.ptr(node + T.Callback), pc, mem.ptr(node + T.Context));
  const table = mem.ptr(node + T.FunctionTable);
  const count = mem.u32(node + T.EntryCount);
  return type === RF_UNSORTED ? searchUnsorted(mem, table, count, base, pc) : searchSorted(mem, table, count, base, pc);
}

/**
 * RtlLookupFunctionEntry: the RUNTIME_FUNCTION covering `pc` — from the exception directory of
 * the image holding it, else from the first run-time table whose range holds it — or undefined.
 */
export function lookupFunctionEntry(mem: AddressSpace, images: ImageMap, tables: DynamicTables, pc: number): FunctionEntry | undefined {
  const img = images.imageAt(pc);
  if (img && img.pdataSize >= RUNTIME_FUNCTION_SIZE) {
    const entry = searchSorted(mem, img.base + img.pdataRva, Math.floor(img.pdataSize / RUNTIME_FUNCTION_SIZE), img.base, pc);
    return entry === 0 ? undefined : { entry, imageBase: img.base };
  }
  const node = tableAt(mem, tables.head, pc);
  if (node === 0) return undefined;
  const entry = searchTable(mem, tables, node, pc);
  return entry === 0 ? undefined : { entry, imageBase: mem.ptr(node + DYNAMIC_FUNCTION_TABLE.BaseAddress) };
}

/** The range a RUNTIME_FUNCTION array covers ([base + lowest begin, base + highest end)) and
 *  whether it is sorted by BeginAddress (RtlAddFunctionTable). */
export function describeEntries(mem: AddressSpace, table: number, count: number, base: number): { min: number; max: number; sorted: boolean } {
  if (count === 0) return { min: base, max: base, sorted: true };
  mem.check(table, count * RUNTIME_FUNCTION_SIZE);
  let min = Infinity;
  let max = 0;
  let prev = 0;
  let sorted = true;
  for (let i = 0; i < count; i++) {
    const e = table + RUNTIME_FUNCTION_SIZE * i;
    const begin = mem.u32(e);
    const end = mem.u32(e + 4);
    if (begin < prev) sorted = false;
    prev = begin;
    min = Math.min(min, begin);
    max = Math.max(max, end);
  }
  return { min: base + min, max: base + max, sorted };
}
