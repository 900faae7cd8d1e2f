/**
 * Virtual memory (memoryapi.h) over the address space manager: VirtualAlloc / VirtualFree /
 * VirtualProtect / VirtualQuery / VirtualLock, their Ex forms on the current process, and
 * FlushInstructionCache (processthreadsapi.h). Parameter rules and error codes are Windows 10's
 * (checked against Wine 8; tests/memory-api.test.ts lists where Wine differs).
 */
import { AddressSpaceError, isValidProtection, MEM_COMMIT, MEM_IMAGE, MEM_PRIVATE, MEM_RESERVE, PAGE_EXECUTE_WRITECOPY, PAGE_SIZE, PAGE_WRITECOPY, USER_SPACE_END, USER_SPACE_START } from '../../native/memprotect.js';
import type { ApiContext } from '../types.js';
import { ERROR_INVALID_ADDRESS, ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER, ERROR_NOACCESS, ERROR_NOT_ENOUGH_MEMORY } from './errors.js';

const MEM_DECOMMIT = 0x4000;
const MEM_RELEASE = 0x8000;
const MEM_RESET = 0x80000;
const MEM_TOP_DOWN = 0x100000;
const MEM_WRITE_WATCH = 0x200000;
const MEM_PHYSICAL = 0x400000;
const MEM_RESET_UNDO = 0x1000000;
const MEM_LARGE_PAGES = 0x20000000;
const ALLOCATION_TYPES = MEM_COMMIT | MEM_RESERVE | MEM_RESET | MEM_TOP_DOWN | MEM_WRITE_WATCH | MEM_PHYSICAL | MEM_RESET_UNDO | MEM_LARGE_PAGES;
const ERROR_BAD_LENGTH = 24;
const ERROR_NOT_LOCKED = 158;
const ERROR_PRIVILEGE_NOT_HELD = 1314;
/** sizeof(MEMORY_BASIC_INFORMATION) on x64. */
const MBI_SIZE = 48;

const fail = (ctx: ApiContext, error: number): number => {
  ctx.setLastError(error);
  return 0;
};

const pageOf = (addr: number): number => addr - (addr % PAGE_SIZE);

/** GetCurrentProcess() is the pseudo handle -1 (process handles are read as i64). */
export function isCurrentProcess(h: bigint): boolean {
  return h === -1n;
}

/** Copy-on-write protections belong to mapped views; private memory refuses them. */
const isWriteCopy = (protect: number): boolean => (protect & 0xff) === PAGE_WRITECOPY || (protect & 0xff) === PAGE_EXECUTE_WRITECOPY;

/** Every page of [addr, addr+size) committed, in one allocation. */
function committed(ctx: ApiContext, addr: number, size: number): boolean {
  return ctx.mem.committed(addr, size);
}

export function VirtualAlloc(ctx: ApiContext, addr: number, size: number, type: number, protect: number): number {
  if (size === 0 || (type & ~ALLOCATION_TYPES) !== 0) return fail(ctx, ERROR_INVALID_PARAMETER);
  if (type & (MEM_RESET | MEM_RESET_UNDO)) {
    // Stand-alone operations on committed pages; their contents may be kept, which is what
    // doing nothing does.
    if (type !== MEM_RESET && type !== MEM_RESET_UNDO) return fail(ctx, ERROR_INVALID_PARAMETER);
    if (!committed(ctx, addr, size)) return fail(ctx, ERROR_INVALID_ADDRESS);
    return pageOf(addr);
  }
  if ((type & (MEM_COMMIT | MEM_RESERVE)) === 0) return fail(ctx, ERROR_INVALID_PARAMETER);
  if (!isValidProtection(protect) || isWriteCopy(protect)) return fail(ctx, ERROR_INVALID_PARAMETER);
  // Large pages need SeLockMemoryPrivilege, which a winrun process does not hold.
  if (type & MEM_LARGE_PAGES) return fail(ctx, ERROR_PRIVILEGE_NOT_HELD);
  if (type & (MEM_PHYSICAL | MEM_WRITE_WATCH)) {
    if ((type & MEM_RESERVE) === 0) return fail(ctx, ERROR_INVALID_PARAMETER);
    ctx.fixme('virtual', 'VirtualAlloc', `${type & MEM_PHYSICAL ? 'MEM_PHYSICAL' : 'MEM_WRITE_WATCH'} is treated as a plain reservation`);
  }
  if (addr !== 0 && (addr < USER_SPACE_START || addr + size > USER_SPACE_END)) return fail(ctx, ERROR_INVALID_PARAMETER);
  if (size > USER_SPACE_END - USER_SPACE_START) return fail(ctx, ERROR_NOT_ENOUGH_MEMORY);
  try {
    if (type & MEM_RESERVE || addr === 0) return ctx.mem.allocate(addr, size, (type & MEM_COMMIT) !== 0, protect);
    // MEM_COMMIT alone: pages of one existing reservation (already committed ones too).
    const a = ctx.mem.allocationAt(addr);
    if (!a || a.type === MEM_IMAGE || addr + size > a.base + a.size) return fail(ctx, ERROR_INVALID_ADDRESS);
    ctx.mem.commit(addr, size, protect);
    return pageOf(addr);
  } catch (e) {
    if (e instanceof AddressSpaceError) return fail(ctx, e.win32Error);
    throw e;
  }
}

export function VirtualFree(ctx: ApiContext, addr: number, size: number, type: number): number {
  if ((type !== MEM_DECOMMIT && type !== MEM_RELEASE) || addr === 0) return fail(ctx, ERROR_INVALID_PARAMETER);
  const a = ctx.mem.allocationAt(addr);
  if (type === MEM_RELEASE) {
    if (size !== 0) return fail(ctx, ERROR_INVALID_PARAMETER);
    // Not allocated, or not the base of the allocation: STATUS_MEMORY_NOT_ALLOCATED /
    // STATUS_FREE_VM_NOT_AT_BASE, both ERROR_INVALID_ADDRESS.
    if (!a || a.base !== addr) return fail(ctx, ERROR_INVALID_ADDRESS);
    if (a.type !== MEM_PRIVATE) return fail(ctx, ERROR_INVALID_PARAMETER);
    ctx.mem.release(addr);
    return 1;
  }
  if (!a) return fail(ctx, ERROR_INVALID_ADDRESS);
  if (a.type === MEM_IMAGE) return fail(ctx, ERROR_INVALID_PARAMETER);
  if (size === 0) {
    // The whole allocation, and only from its base.
    if (addr !== a.base) return fail(ctx, ERROR_INVALID_ADDRESS);
    ctx.mem.decommit(a.base, a.size);
    return 1;
  }
  if (addr + size > a.base + a.size) return fail(ctx, ERROR_INVALID_PARAMETER);
  ctx.mem.decommit(addr, size);
  return 1;
}

export function VirtualProtect(ctx: ApiContext, addr: number, size: number, protect: number, oldOut: number): number {
  if (!isValidProtection(protect)) return fail(ctx, ERROR_INVALID_PARAMETER);
  const a = ctx.mem.allocationAt(addr);
  if (a && a.type === MEM_PRIVATE && isWriteCopy(protect)) return fail(ctx, ERROR_INVALID_PARAMETER);
  // The old protection's variable is probed before anything changes.
  if (!ctx.mem.accessible(oldOut, 4, 'write')) return fail(ctx, ERROR_NOACCESS);
  if (!a || !committed(ctx, addr, Math.max(size, 1))) return fail(ctx, ERROR_INVALID_ADDRESS);
  const old = ctx.mem.protect(addr, size, protect);
  ctx.mem.setU32(oldOut, old);
  return 1;
}

/** MEMORY_BASIC_INFORMATION: BaseAddress, AllocationBase, AllocationProtect, (PartitionId,)
 *  RegionSize, State, Protect, Type. */
export function VirtualQuery(ctx: ApiContext, addr: number, info: number, len: number): number {
  if (len < MBI_SIZE) return fail(ctx, ERROR_BAD_LENGTH);
  if (addr >= USER_SPACE_END) return fail(ctx, ERROR_INVALID_PARAMETER);
  if (!ctx.mem.accessible(info, MBI_SIZE, 'write')) return fail(ctx, ERROR_NOACCESS);
  const r = ctx.mem.query(addr);
  const m = ctx.mem;
  m.fill(info, 0, MBI_SIZE);
  m.setU64(info, r.baseAddress);
  m.setU64(info + 8, r.allocationBase);
  m.setU32(info + 16, r.allocationProtect);
  m.setU64(info + 24, r.regionSize);
  m.setU32(info + 32, r.state);
  m.setU32(info + 36, r.protect);
  m.setU32(info + 40, r.type);
  return MBI_SIZE;
}

// ---- the Ex forms: the current process only (winrun has no handles to other processes) ----

export function VirtualAllocEx(ctx: ApiContext, process: bigint, addr: number, size: number, type: number, protect: number): number {
  return isCurrentProcess(process) ? VirtualAlloc(ctx, addr, size, type, protect) : fail(ctx, ERROR_INVALID_HANDLE);
}

export function VirtualFreeEx(ctx: ApiContext, process: bigint, addr: number, size: number, type: number): number {
  return isCurrentProcess(process) ? VirtualFree(ctx, addr, size, type) : fail(ctx, ERROR_INVALID_HANDLE);
}

export function VirtualProtectEx(ctx: ApiContext, process: bigint, addr: number, size: number, protect: number, oldOut: number): number {
  return isCurrentProcess(process) ? VirtualProtect(ctx, addr, size, protect, oldOut) : fail(ctx, ERROR_INVALID_HANDLE);
}

export function VirtualQueryEx(ctx: ApiContext, process: bigint, addr: number, info: number, len: number): number {
  return isCurrentProcess(process) ? VirtualQuery(ctx, addr, info, len) : fail(ctx, ERROR_INVALID_HANDLE);
}

// ---- locking ---------------------------------------------------------------------------------

/** Locking needs committed pages; a reserved or free page is an access violation for the
 *  kernel's probe (ERROR_NOACCESS). */
export function VirtualLock(ctx: ApiContext, addr: number, size: number): number {
  const r = ctx.mem.setLocked(addr, size, true);
  return r === 'ok' ? 1 : fail(ctx, ERROR_NOACCESS);
}

export function VirtualUnlock(ctx: ApiContext, addr: number, size: number): number {
  const r = ctx.mem.setLocked(addr, size, false);
  if (r === 'ok') return 1;
  return fail(ctx, r === 'not-locked' ? ERROR_NOT_LOCKED : ERROR_NOACCESS);
}

/** x86 keeps instruction and data caches coherent: nothing to flush, but the call must
 *  succeed for the JIT workflow. */
export function FlushInstructionCache(ctx: ApiContext, process: bigint, _addr: number, _size: number): number {
  return isCurrentProcess(process) ? 1 : fail(ctx, ERROR_INVALID_HANDLE);
}
