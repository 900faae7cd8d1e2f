/** Virtual memory (memoryapi.h) over the address space manager. */
import { AddressSpaceError, MEM_COMMIT, MEM_RESERVE } from '../../native/memory.js';
import type { ApiContext } from '../types.js';
import { ERROR_INVALID_PARAMETER } from './errors.js';

const MEM_DECOMMIT = 0x4000;
const MEM_RELEASE = 0x8000;

function fail(ctx: ApiContext, e: unknown): number {
  if (e instanceof AddressSpaceError) {
    ctx.setLastError(e.win32Error);
    return 0;
  }
  throw e;
}

export function VirtualAlloc(ctx: ApiContext, addr: number, size: number, type: number, protect: number): number {
  try {
    if (type & MEM_RESERVE) return ctx.mem.allocate(addr, size, (type & MEM_COMMIT) !== 0, protect);
    if (type & MEM_COMMIT) {
      ctx.mem.commit(addr, size, protect);
      return addr - (addr % 0x1000);
    }
    ctx.setLastError(ERROR_INVALID_PARAMETER);
    return 0;
  } catch (e) {
    return fail(ctx, e);
  }
}

export function VirtualFree(ctx: ApiContext, addr: number, size: number, type: number): number {
  try {
    if (type === MEM_RELEASE && size === 0) ctx.mem.release(addr);
    else if (type === MEM_DECOMMIT) ctx.mem.decommit(addr, size);
    else {
      ctx.setLastError(ERROR_INVALID_PARAMETER);
      return 0;
    }
    return 1;
  } catch (e) {
    return fail(ctx, e);
  }
}

export function VirtualProtect(ctx: ApiContext, addr: number, size: number, protect: number, oldOut: number): number {
  try {
    if (oldOut === 0) {
      ctx.setLastError(998);
      return 0;
    }
    const old = ctx.mem.protect(addr, size, protect);
    ctx.mem.setU32(oldOut, old);
    return 1;
  } catch (e) {
    return fail(ctx, e);
  }
}

/** MEMORY_BASIC_INFORMATION (48 bytes). */
export function VirtualQuery(ctx: ApiContext, addr: number, info: number, len: number): number {
  if (len < 48) {
    ctx.setLastError(24); // ERROR_BAD_LENGTH
    return 0;
  }
  const r = ctx.mem.query(addr);
  const m = ctx.mem;
  m.fill(info, 0, 48);
  m.setU64(info, r.baseAddress);
  m.setU64(info + 8, r.allocationBase);
  m.setU32(info + 16, r.allocationProtect);
  m.setU64(info + 24, r.regionSize);
  m.setU32(info + 32, r.state);
  m.setU32(info + 36, r.protect);
  m.setU32(info + 40, r.type);
  return 48;
}
