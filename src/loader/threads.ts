/**
 * Guest threads (DESIGN.md §5): the creator allocates the new thread's TEB + winrun block,
 * guest stack and signal stack in the one address space, then starts a Worker that adopts the
 * process's shared state (ThreadBoot), points GS at the TEB, registers its own dispatcher and
 * calls the start routine. What crosses to the Worker:
 * - shared (SharedArrayBuffer): the handle table, the byte-range lock table, the thread table,
 *   the object namespace,
 *   the address space's allocation map (native/regionmap.ts);
 * - in guest memory (already shared): TEBs, PEB, heaps, console and exception blocks, images;
 * - copied at creation (a snapshot — issue 8 must share these): the dispatch list (export
 *   id → DLL table row), the builtin data exports, the
 *   loader's module list (loader/threadmodules.ts).
 */
import { BUILTIN_DLLS } from '../dlls/index.js';
import type { ExportRow } from '../dlls/types.js';
import type { EngineCode } from '../native/engine.js';
import { FaultSignals } from '../native/faults.js';
import type { ThreadTable } from '../kernel/threads.js';
import { SIGNAL_STACK_SIZE, TEB, THREAD_BLOCK_SIZE, WR } from '../native/layout.js';
import { type AddressSpace } from '../native/memory.js';
import { MEM_PRIVATE, PAGE_GUARD, PAGE_NOACCESS, PAGE_READWRITE } from '../native/memprotect.js';
import type { DispatchEntry } from './dispatch.js';
import type { ModuleSnapshot } from './threadmodules.js';
import type { ChildBoot } from '../kernel/childstart.js';

/** The bottom of each guest stack: one page never accessible, then guard pages. */
export const STACK_GUARD = 0x4000;
/** CreateThread's dwCreationFlags: dwStackSize is the reservation, not the commit size. */
export const STACK_SIZE_PARAM_IS_A_RESERVATION = 0x10000;
export const CREATE_SUSPENDED = 0x4;

/** A thread's blocks in guest memory. */
export interface ThreadBlock {
  readonly teb: number;
  /** [stackLow, stackHigh): the usable stack (above the guard region). */
  readonly stackLow: number;
  readonly stackHigh: number;
  readonly guardLow: number;
}

/**
 * Allocates a TEB + winrun block and a guest stack of `reserve` bytes whose lowest page is
 * never accessible and whose next pages are guard pages (EXCEPTION_STACK_OVERFLOW, then their
 * room goes to the handlers); fills the TEB fields every thread has. With `kept`, an ended
 * thread's block of the same stack size is taken when there is one (its TEB block zeroed as
 * new memory is): mapping and protecting a new one costs a CreateThread ~0.2 ms.
 */
export function allocateThreadBlock(mem: AddressSpace, reserve: number, peb: number, pid: number, tid: number, kept?: ThreadTable): ThreadBlock {
  const size = Math.max(Math.ceil(reserve / 0x10000) * 0x10000, 0x100000);
  const reused = kept?.takeBlock(size);
  let teb: number;
  let stack: number;
  if (reused) {
    ({ teb, stack } = reused);
    // As new memory: zero pages, faulted in as the thread touches them.
    mem.zeroPages(teb, THREAD_BLOCK_SIZE);
    mem.zeroPages(stack + STACK_GUARD, size - STACK_GUARD);
  } else {
    teb = mem.allocate(0, THREAD_BLOCK_SIZE, true, PAGE_READWRITE, MEM_PRIVATE);
    stack = mem.allocate(0, size, true, PAGE_READWRITE, MEM_PRIVATE);
    mem.protect(stack, 0x1000, PAGE_NOACCESS);
    mem.protect(stack + 0x1000, STACK_GUARD - 0x1000, PAGE_READWRITE | PAGE_GUARD);
  }
  const top = stack + size;
  mem.setU64(teb + TEB.StackBase, top);
  mem.setU64(teb + TEB.StackLimit, stack + STACK_GUARD);
  mem.setU64(teb + TEB.DeallocationStack, stack);
  mem.setU64(teb + TEB.Self, teb);
  mem.setU64(teb + TEB.ProcessEnvironmentBlock, peb);
  mem.setU64(teb + TEB.ClientIdUniqueProcess, pid);
  mem.setU64(teb + TEB.ClientIdUniqueThread, tid);
  mem.setU64(teb + WR.GuestRsp, top - 0x40);
  mem.setU32(teb + WR.GuestMxcsr, 0x1f80); // Windows' initial MXCSR
  mem.setU32(teb + WR.HostMxcsr, 0x1f80);
  return { teb, stackLow: stack + STACK_GUARD, stackHigh: top, guardLow: stack + 0x1000 };
}

/** Frees an ended thread's TEB and guest stack, or with `kept` keeps them for the next thread
 *  when its guard pages are still as allocateThreadBlock left them (a stack overflow lifts them). */
export function freeThreadBlock(mem: AddressSpace, block: ThreadBlock, kept?: ThreadTable): void {
  const stack = block.guardLow - 0x1000;
  if (kept && guardIntact(mem, stack) && kept.keepBlock(block.teb, stack, block.stackHigh - stack)) return;
  mem.release(stack);
  mem.release(block.teb);
}

/** Whether the stack at `stack` still has its no-access page and its guard pages. */
function guardIntact(mem: AddressSpace, stack: number): boolean {
  for (let p = stack; p < stack + STACK_GUARD; p += 0x1000) if (mem.accessible(p, 1, 'read')) return false;
  return true;
}

/** A signal stack for a host thread: it stays with the host thread (a pooled Worker keeps its
 *  one for every guest thread it runs), since a signal may arrive on it at any time. */
export function allocateSignalStack(mem: AddressSpace): number {
  return mem.allocate(0, SIGNAL_STACK_SIZE, true, PAGE_READWRITE, MEM_PRIVATE);
}

/** Gives the calling host thread its signal stack (sigaltstack is per thread). */
export function enterSignalStack(mem: AddressSpace, signalStack: number, teb: number): void {
  FaultSignals.altStack(mem, signalStack, teb + WR.Scratch);
}

/** A dispatch entry as plain data: a builtin table row by position, or a named trap. */
export type DispatchRecord = readonly [table: number, row: number] | readonly [dll: string, fn: string];

/** The entries as records; an id another thread took and this one has not met stays empty
 *  (undefined), for the new thread to read from the dispatch log if it meets it. */
export function dispatchRecords(entries: readonly (DispatchEntry | undefined)[]): (DispatchRecord | undefined)[] {
  const where = new Map<ExportRow, readonly [number, number]>();
  BUILTIN_DLLS.forEach((t, ti) => t.exports.forEach((r, ri) => where.set(r, [ti, ri])));
  return Array.from(entries, (e) => {
    if (e === undefined) return undefined;
    const w = e.trap ? undefined : where.get(e.row);
    return w ?? [e.dll, e.row.name];
  });
}

export function dispatchEntries(records: readonly (DispatchRecord | undefined)[], displayName: (table: string) => string): (DispatchEntry | undefined)[] {
  return records.map((r) => {
    if (r === undefined) return undefined;
    if (typeof r[0] === 'number') {
      const t = BUILTIN_DLLS[r[0]]!;
      return { dll: displayName(t.name), row: t.exports[r[1] as number]!, trap: false };
    }
    return { dll: r[0], row: { name: r[1] as string, stub: true }, trap: true };
  });
}

/** The fields of ThreadBoot that are the process's, not the thread's (host/threads.ts sends
 *  them once per processKey; a Worker keeps its WinProcess while the key stays). */
export const THREAD_BOOT_PROCESS_FIELDS = ['options', 'engine', 'dispatch', 'dataExports', 'modules', 'stdHandles', 'processHeap', 'pebAddress', 'consoleBlock'] as const;

/** Everything a thread's Worker needs to join the process (structured-cloneable). */
export interface ThreadBoot {
  readonly options: { program: string; args: readonly string[]; env?: Record<string, string | undefined>; debug?: string; relayFilter?: string; prefix?: string; child?: ChildBoot; statusFd?: number };
  readonly handles: SharedArrayBuffer;
  readonly locks: SharedArrayBuffer;
  readonly threads: SharedArrayBuffer;
  /** The Worker pool (host/threads.ts). */
  readonly pool: SharedArrayBuffer;
  /** The synchronization objects' names (kernel/objects.ts). */
  readonly objectNames: SharedArrayBuffer;
  /** The registry key handles' paths (kernel/regpaths.ts). */
  readonly regPaths: SharedArrayBuffer;
  /** The process's dispatch ids (loader/dispatchlog.ts). */
  readonly dispatchLog: SharedArrayBuffer;
  /** The child processes' table (kernel/process-objects.ts). */
  readonly processes: SharedArrayBuffer;
  /** The named pipes' table (kernel/namedpipes.ts). */
  readonly namedPipes: SharedArrayBuffer;
  /** The address space's allocation map (AddressSpace.shared). */
  readonly regionMap: SharedArrayBuffer;
  readonly engine: EngineCode;
  readonly dispatch: (DispatchRecord | undefined)[];
  /** The builtin DLLs' data exports (`dll!name` → address), e.g. msvcrt's _iob. */
  readonly dataExports: [string, number][];
  /** The loader's module list (loader/threadmodules.ts). */
  readonly modules: ModuleSnapshot;
  readonly stdHandles: number[];
  readonly processHeap: number;
  readonly pebAddress: number;
  readonly consoleBlock: number;
  readonly block: ThreadBlock;
  readonly slot: number;
  readonly start: number;
  readonly param: number;
  /** Names the process part of this boot data (THREAD_BOOT_PROCESS_FIELDS): the same for
   *  every thread while the module list and dispatch list do not change. */
  readonly processKey: string;
  /** performance.timeOrigin + now() at CreateThread, for start-cost measurements. */
  readonly createdAt: number;
}
