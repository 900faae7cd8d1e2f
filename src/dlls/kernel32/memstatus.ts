/**
 * GlobalMemoryStatusEx and GlobalMemoryStatus (sysinfoapi.h / winbase.h) from the host:
 * physical memory is Linux's MemTotal and MemAvailable, the "page file" (the commit limit) adds
 * the swap space, and the virtual address space is the x64 user range less what this process
 * has mapped (winrun's Node host included: those addresses are not free for the guest either).
 */
import { hostMemory } from '../../host/meminfo.js';
import { USER_SPACE_END, USER_SPACE_START } from '../../native/memprotect.js';
import type { ApiContext } from '../types.js';
import { ERROR_INVALID_PARAMETER } from './errors.js';

/** sizeof(MEMORYSTATUSEX) and sizeof(MEMORYSTATUS) on x64. */
const MEMORYSTATUSEX_SIZE = 64;
const MEMORYSTATUS_SIZE = 56;
const TOTAL_VIRTUAL = USER_SPACE_END - USER_SPACE_START;

interface Status {
  load: number;
  totalPhys: number;
  availPhys: number;
  totalPageFile: number;
  availPageFile: number;
  totalVirtual: number;
  availVirtual: number;
}

function status(): Status {
  const h = hostMemory();
  const used = h.totalPhys - h.availPhys;
  return {
    // Percentage of physical memory in use, rounded as Windows does (integer division).
    load: h.totalPhys > 0 ? Math.floor((100 * used) / h.totalPhys) : 0,
    totalPhys: h.totalPhys,
    availPhys: h.availPhys,
    totalPageFile: h.totalPhys + h.totalSwap,
    availPageFile: h.availPhys + h.freeSwap,
    totalVirtual: TOTAL_VIRTUAL,
    availVirtual: Math.max(TOTAL_VIRTUAL - h.processVirtual, 0),
  };
}

/** The fields MEMORYSTATUS and MEMORYSTATUSEX share (both x64 layouts: SIZE_T or DWORDLONG). */
function fill(ctx: ApiContext, buf: number): void {
  const s = status();
  const m = ctx.mem;
  m.setU32(buf + 4, s.load);
  m.setU64(buf + 8, s.totalPhys);
  m.setU64(buf + 16, s.availPhys);
  m.setU64(buf + 24, s.totalPageFile);
  m.setU64(buf + 32, s.availPageFile);
  m.setU64(buf + 40, s.totalVirtual);
  m.setU64(buf + 48, s.availVirtual);
}

/** MEMORYSTATUSEX: dwLength must be set to its size first. */
export function GlobalMemoryStatusEx(ctx: ApiContext, buf: number): number {
  if (ctx.mem.u32(buf) !== MEMORYSTATUSEX_SIZE) {
    ctx.setLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  fill(ctx, buf);
  ctx.mem.setU64(buf + 56, 0); // ullAvailExtendedVirtual: reserved, always 0
  return 1;
}

/** MEMORYSTATUS (SIZE_T fields, so no 4 GiB clamping on x64); it sets dwLength itself. */
export function GlobalMemoryStatus(ctx: ApiContext, buf: number): void {
  ctx.mem.setU32(buf, MEMORYSTATUS_SIZE);
  fill(ctx, buf);
}
