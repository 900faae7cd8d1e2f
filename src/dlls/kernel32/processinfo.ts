/**
 * Information about this process and the system's CPU use (processthreadsapi.h, winbase.h):
 * GetProcessTimes, GetExitCodeProcess, GetProcessVersion, GetSystemTimes, for this process and
 * for the children it started (processobjects.ts); any other handle is ERROR_INVALID_HANDLE.
 */
import { CLOCK_TICKS_PER_SECOND, processCpuMicros, processStartMs, systemCpuTicks } from '../../host/system.js';
import { FILETIME_UNIX_EPOCH } from '../../kernel/timezone.js';
import { TEB } from '../../native/layout.js';
import type { ApiContext } from '../types.js';
import { ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER } from './errors.js';
import { CURRENT_PROCESS } from './processors.js';
import { childExitCode, childTimes, processSlot } from './processobjects.js';

const STILL_ACTIVE = 259;
const FT_PER_TICK = BigInt(10_000_000 / CLOCK_TICKS_PER_SECOND);

function fail(ctx: ApiContext, error: number): number {
  ctx.setLastError(error);
  return 0;
}

/** Creation time (UTC FILETIME), exit time (0 while running), kernel and user CPU time. */
export function GetProcessTimes(ctx: ApiContext, process: bigint, creation: number, exit: number, kernel: number, user: number): number {
  if (process !== CURRENT_PROCESS) {
    const slot = processSlot(ctx, process);
    return slot < 0 ? fail(ctx, ERROR_INVALID_HANDLE) : childTimes(ctx, slot, creation, exit, kernel, user);
  }
  const m = ctx.mem;
  for (const p of [creation, exit, kernel, user]) m.check(p, 8, true);
  const cpu = processCpuMicros();
  m.setU64(creation, BigInt(Math.round(processStartMs() * 10000)) + FILETIME_UNIX_EPOCH);
  m.setU64(exit, 0);
  m.setU64(kernel, BigInt(cpu.kernel) * 10n);
  m.setU64(user, BigInt(cpu.user) * 10n);
  return 1;
}

/** STILL_ACTIVE while the process runs, then its full 32-bit exit code. */
export function GetExitCodeProcess(ctx: ApiContext, process: bigint, code: number): number {
  if (process !== CURRENT_PROCESS) {
    const slot = processSlot(ctx, process);
    return slot < 0 ? fail(ctx, ERROR_INVALID_HANDLE) : childExitCode(ctx, slot, code);
  }
  ctx.mem.setU32(code, STILL_ACTIVE);
  return 1;
}

/** The subsystem version the program's PE header asks for (major << 16 | minor), for this
 *  process (id 0 or its own id). */
export function GetProcessVersion(ctx: ApiContext, pid: number): number {
  const m = ctx.mem;
  if (pid !== 0 && pid !== m.u32(ctx.teb + TEB.ClientIdUniqueProcess)) return fail(ctx, ERROR_INVALID_PARAMETER);
  const base = ctx.process.moduleHandle(null);
  const opt = base + m.u32(base + 0x3c) + 24;
  return ((m.u16(opt + 48) << 16) | m.u16(opt + 50)) >>> 0; // MajorSubsystemVersion, MinorSubsystemVersion
}

/**
 * Idle, kernel and user time of all processors together, from /proc/stat. As on Windows, the
 * kernel time includes the idle time; I/O wait counts as idle, nice time as user time. Each
 * pointer may be NULL.
 */
export function GetSystemTimes(ctx: ApiContext, idle: number, kernel: number, user: number): number {
  const t = systemCpuTicks();
  const idleTicks = t ? t.idle + t.iowait : 0;
  const kernelTicks = t ? t.system + t.irq + t.softirq + idleTicks : 0;
  const userTicks = t ? t.user + t.nice : 0;
  for (const [p, v] of [[idle, idleTicks], [kernel, kernelTicks], [user, userTicks]] as const) {
    if (p !== 0) ctx.mem.setU64(p, BigInt(v) * FT_PER_TICK);
  }
  return 1;
}
