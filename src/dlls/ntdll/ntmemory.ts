/**
 * Virtual memory (ntifs.h): NtAllocateVirtualMemory, NtFreeVirtualMemory,
 * NtProtectVirtualMemory, NtQueryVirtualMemory for the current process, over the address
 * space manager (native/memory.ts). Base addresses and sizes are in/out: they come back
 * rounded to what was reserved, committed or freed.
 */
import {
  STATUS_CONFLICTING_ADDRESSES,
  STATUS_FREE_VM_NOT_AT_BASE,
  STATUS_INFO_LENGTH_MISMATCH,
  STATUS_INVALID_HANDLE,
  STATUS_INVALID_INFO_CLASS,
  STATUS_INVALID_PAGE_PROTECTION,
  STATUS_INVALID_PARAMETER,
  STATUS_INVALID_PARAMETER_4,
  STATUS_INVALID_PARAMETER_5,
  STATUS_MEMORY_NOT_ALLOCATED,
  STATUS_NO_MEMORY,
  STATUS_NOT_COMMITTED,
  STATUS_SUCCESS,
  STATUS_UNABLE_TO_FREE_VM,
} from '../../kernel/ntstatus.js';
import { ALLOCATION_GRANULARITY, AddressSpaceError, isValidProtection, MEM_COMMIT, MEM_FREE, MEM_RESERVE, PAGE_SIZE } from '../../native/memprotect.js';
import type { ApiContext } from '../types.js';
import { isCurrentProcess, ntCall } from './ntdef.js';

const MEM_DECOMMIT = 0x4000;
const MEM_RELEASE = 0x8000;
const MEM_RESET = 0x80000;
const MEM_TOP_DOWN = 0x100000;
const MAX_USER_ADDRESS = 0x7ffffffeffff;

const alignDown = (n: number, a: number): number => Math.floor(n / a) * a;
const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

/** The address space manager's failures as NTSTATUS (it reports Win32 errors). */
function statusOf(e: unknown, invalidAddress: number): number {
  if (!(e instanceof AddressSpaceError)) throw e;
  if (e.win32Error === 8) return STATUS_NO_MEMORY;
  if (e.win32Error === 87) return STATUS_INVALID_PARAMETER;
  return invalidAddress;
}

function storeRange(ctx: ApiContext, basePtr: number, sizePtr: number, base: number, size: number): void {
  ctx.mem.setU64(basePtr, base);
  ctx.mem.setU64(sizePtr, size);
}

/** NtAllocateVirtualMemory(process, *base, zeroBits, *size, type, protect). MEM_COMMIT alone
 *  at a NULL base reserves as well, as VirtualAlloc documents. */
export function NtAllocateVirtualMemory(ctx: ApiContext, process: bigint, basePtr: number, _zeroBits: bigint, sizePtr: number, type: number, protect: number): number {
  return ntCall(() => {
    if (!isCurrentProcess(process)) return STATUS_INVALID_HANDLE;
    const base = ctx.mem.ptr(basePtr);
    const size = Number(ctx.mem.u64(sizePtr));
    ctx.mem.check(basePtr, 8, true);
    ctx.mem.check(sizePtr, 8, true);
    if (size === 0) return STATUS_INVALID_PARAMETER_4;
    if (type & ~(MEM_COMMIT | MEM_RESERVE | MEM_RESET | MEM_TOP_DOWN) || !(type & (MEM_COMMIT | MEM_RESERVE | MEM_RESET))) return STATUS_INVALID_PARAMETER_5;
    if (!isValidProtection(protect)) return STATUS_INVALID_PAGE_PROTECTION;
    if (base + size > MAX_USER_ADDRESS + 1) return STATUS_INVALID_PARAMETER;
    if (type & MEM_RESET) return STATUS_SUCCESS; // the pages' contents may be dropped: keeping them is allowed
    const commit = (type & MEM_COMMIT) !== 0;
    try {
      if (type & MEM_RESERVE || base === 0) {
        const start = alignDown(base, ALLOCATION_GRANULARITY);
        const length = alignUp(base + size, PAGE_SIZE) - start;
        const at = ctx.mem.allocate(start, length, commit, protect);
        storeRange(ctx, basePtr, sizePtr, at, length);
      } else {
        const start = alignDown(base, PAGE_SIZE);
        const length = alignUp(base + size, PAGE_SIZE) - start;
        ctx.mem.commit(start, length, protect);
        storeRange(ctx, basePtr, sizePtr, start, length);
      }
      return STATUS_SUCCESS;
    } catch (e) {
      return statusOf(e, STATUS_CONFLICTING_ADDRESSES);
    }
  });
}

/** NtFreeVirtualMemory(process, *base, *size, MEM_RELEASE | MEM_DECOMMIT): a release frees a
 *  whole allocation from its base (size 0); a decommit of size 0 reaches the allocation's end. */
export function NtFreeVirtualMemory(ctx: ApiContext, process: bigint, basePtr: number, sizePtr: number, type: number): number {
  return ntCall(() => {
    if (!isCurrentProcess(process)) return STATUS_INVALID_HANDLE;
    const base = ctx.mem.ptr(basePtr);
    const size = Number(ctx.mem.u64(sizePtr));
    ctx.mem.check(basePtr, 8, true);
    ctx.mem.check(sizePtr, 8, true);
    if (type !== MEM_RELEASE && type !== MEM_DECOMMIT) return STATUS_INVALID_PARAMETER_4;
    const a = ctx.mem.allocationAt(base);
    if (!a) return STATUS_MEMORY_NOT_ALLOCATED;
    try {
      if (type === MEM_RELEASE) {
        if (alignDown(base, PAGE_SIZE) !== a.base) return STATUS_FREE_VM_NOT_AT_BASE;
        if (size !== 0 && alignUp(base + size, PAGE_SIZE) - a.base !== a.size) return STATUS_UNABLE_TO_FREE_VM;
        ctx.mem.release(a.base);
        storeRange(ctx, basePtr, sizePtr, a.base, a.size);
        return STATUS_SUCCESS;
      }
      const start = alignDown(base, PAGE_SIZE);
      const end = size === 0 ? a.base + a.size : alignUp(base + size, PAGE_SIZE);
      if (end > a.base + a.size) return STATUS_UNABLE_TO_FREE_VM;
      ctx.mem.decommit(start, end - start);
      storeRange(ctx, basePtr, sizePtr, start, end - start);
      return STATUS_SUCCESS;
    } catch (e) {
      return statusOf(e, STATUS_MEMORY_NOT_ALLOCATED);
    }
  });
}

/** NtProtectVirtualMemory(process, *base, *size, protect, *old): every page must be committed. */
export function NtProtectVirtualMemory(ctx: ApiContext, process: bigint, basePtr: number, sizePtr: number, protect: number, oldPtr: number): number {
  return ntCall(() => {
    if (!isCurrentProcess(process)) return STATUS_INVALID_HANDLE;
    const base = ctx.mem.ptr(basePtr);
    const size = Number(ctx.mem.u64(sizePtr));
    ctx.mem.check(basePtr, 8, true);
    ctx.mem.check(sizePtr, 8, true);
    ctx.mem.check(oldPtr, 4, true);
    if (!isValidProtection(protect)) return STATUS_INVALID_PAGE_PROTECTION;
    const start = alignDown(base, PAGE_SIZE);
    const end = alignUp(base + Math.max(size, 1), PAGE_SIZE);
    if (ctx.mem.query(start).state === MEM_FREE) return STATUS_CONFLICTING_ADDRESSES;
    try {
      const old = ctx.mem.protect(start, end - start, protect);
      ctx.mem.setU32(oldPtr, old);
      storeRange(ctx, basePtr, sizePtr, start, end - start);
      return STATUS_SUCCESS;
    } catch (e) {
      return statusOf(e, STATUS_NOT_COMMITTED);
    }
  });
}

const MemoryBasicInformation = 0;
const MEMORY_BASIC_INFORMATION_SIZE = 48;

/** NtQueryVirtualMemory(process, address, MemoryBasicInformation, buffer, length, *returned). */
export function NtQueryVirtualMemory(ctx: ApiContext, process: bigint, addr: number, cls: number, buf: number, len: bigint, retLen: number): number {
  return ntCall(() => {
    if (!isCurrentProcess(process)) return STATUS_INVALID_HANDLE;
    if (cls !== MemoryBasicInformation) return STATUS_INVALID_INFO_CLASS;
    if (len < BigInt(MEMORY_BASIC_INFORMATION_SIZE)) return STATUS_INFO_LENGTH_MISMATCH;
    if (addr > MAX_USER_ADDRESS) return STATUS_INVALID_PARAMETER;
    const r = ctx.mem.query(addr);
    const b = new Uint8Array(MEMORY_BASIC_INFORMATION_SIZE);
    const dv = new DataView(b.buffer);
    dv.setBigUint64(0, BigInt(r.baseAddress), true);
    dv.setBigUint64(8, BigInt(r.allocationBase), true);
    dv.setUint32(16, r.allocationProtect, true);
    dv.setBigUint64(24, BigInt(r.regionSize), true);
    dv.setUint32(32, r.state, true);
    dv.setUint32(36, r.state === MEM_RESERVE ? 0 : r.protect, true);
    dv.setUint32(40, r.type, true);
    ctx.mem.write(buf, b);
    if (retLen) ctx.mem.setU64(retLen, MEMORY_BASIC_INFORMATION_SIZE);
    return STATUS_SUCCESS;
  });
}
