/**
 * System and process information (winternl.h): NtQuerySystemInformation's basic classes,
 * NtQueryInformationProcess for the current process, time and the performance counter,
 * NtDelayExecution and NtYieldExecution. A buffer of the wrong size gives
 * STATUS_INFO_LENGTH_MISMATCH with the size needed in ReturnLength; a class winrun does not
 * answer gives STATUS_INVALID_INFO_CLASS.
 */
import { hostCpuTimes, hostMemory, hostParentPid, hostUptimeSeconds } from '../../host/sysinfo.js';
import { cpuInfo, processCpuMicros, processStartMs } from '../../host/system.js';
import {
  STATUS_ACCESS_VIOLATION,
  STATUS_INFO_LENGTH_MISMATCH,
  STATUS_INVALID_HANDLE,
  STATUS_INVALID_INFO_CLASS,
  STATUS_PENDING,
  STATUS_PORT_NOT_SET,
  STATUS_SUCCESS,
} from '../../kernel/ntstatus.js';
import { volumeDevicePath } from '../../kernel/volume.js';
import { TEB } from '../../native/layout.js';
import { PEB } from '../../loader/structures.js';
import { ALLOCATION_GRANULARITY, PAGE_SIZE } from '../../native/memprotect.js';
import { GetSystemTimeAsFileTime, QueryPerformanceCounter, QueryPerformanceFrequency } from '../kernel32/sysinfoapi.js';
import type { ApiContext } from '../types.js';
import { isCurrentProcess, ntCall, unitsOf } from './ntdef.js';

/** A little-endian structure under construction. */
class Fields {
  readonly bytes: Uint8Array;
  readonly dv: DataView;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.dv = new DataView(this.bytes.buffer);
  }
  u8(at: number, v: number): this {
    this.dv.setUint8(at, v);
    return this;
  }
  u16(at: number, v: number): this {
    this.dv.setUint16(at, v, true);
    return this;
  }
  u32(at: number, v: number): this {
    this.dv.setUint32(at, v >>> 0, true);
    return this;
  }
  u64(at: number, v: bigint | number): this {
    this.dv.setBigUint64(at, BigInt.asUintN(64, BigInt(v)), true);
    return this;
  }
}

const MIN_USER_ADDRESS = 0x10000;
const MAX_USER_ADDRESS = 0x7ffffffeffffn; // 128 TiB less 64 KiB (Windows 8.1 and later)
const TIMER_RESOLUTION = 156250; // 15.625 ms in 100 ns units
const PROCESSOR_ARCHITECTURE_AMD64 = 9;
const EPOCH_1601_100NS = 116444736000000000n;

const processors = (ctx: ApiContext): number => Math.max(1, ctx.mem.u32(ctx.process.pebAddress + PEB.NumberOfProcessors));
const affinity = (n: number): bigint => (1n << BigInt(n)) - 1n;
const now100ns = (): bigint => BigInt(Date.now()) * 10000n + EPOCH_1601_100NS;

// ---- NtQuerySystemInformation ---------------------------------------------------------------

const SystemBasicInformation = 0;
const SystemProcessorInformation = 1;
const SystemTimeOfDayInformation = 3;
const SystemProcessorPerformanceInformation = 8;
const SystemFlagsInformation = 9;
const SystemTimeAdjustmentInformation = 28;
const SystemKernelDebuggerInformation = 35;
const SystemRangeStartInformation = 50;
const SystemEmulationBasicInformation = 62;
const SystemEmulationProcessorInformation = 63;

/** SYSTEM_BASIC_INFORMATION (64 bytes). */
function basic(ctx: ApiContext): Uint8Array {
  const pages = Math.min(Math.floor(hostMemory().total / PAGE_SIZE), 0xffffffff);
  const n = processors(ctx);
  return new Fields(64)
    .u32(4, TIMER_RESOLUTION)
    .u32(8, PAGE_SIZE)
    .u32(12, pages)
    .u32(16, 1)
    .u32(20, pages)
    .u32(24, ALLOCATION_GRANULARITY)
    .u64(32, MIN_USER_ADDRESS)
    .u64(40, MAX_USER_ADDRESS)
    .u64(48, affinity(n))
    .u8(56, n).bytes;
}

/** SYSTEM_PROCESSOR_INFORMATION (12 bytes): architecture, CPUID family, model/stepping. */
function processor(ctx: ApiContext): Uint8Array {
  const c = cpuInfo();
  return new Fields(12)
    .u16(0, PROCESSOR_ARCHITECTURE_AMD64)
    .u16(2, c.family)
    .u16(4, ((c.model & 0xff) << 8) | (c.stepping & 0xff))
    .u16(6, processors(ctx)).bytes;
}

/** The host's time zone now: bias (UTC − local, 100 ns) and TIME_ZONE_ID_STANDARD/DAYLIGHT
 *  (UNKNOWN where the zone has no daylight time). */
function timeZone(): { bias: bigint; id: number } {
  const d = new Date();
  const jan = new Date(d.getFullYear(), 0, 1).getTimezoneOffset();
  const jul = new Date(d.getFullYear(), 6, 1).getTimezoneOffset();
  const off = d.getTimezoneOffset();
  const id = jan === jul ? 0 : off === Math.max(jan, jul) ? 1 : 2;
  return { bias: BigInt(off) * 600000000n, id };
}

/** SYSTEM_TIMEOFDAY_INFORMATION (48 bytes). */
function timeOfDay(): Uint8Array {
  const now = now100ns();
  const tz = timeZone();
  const boot = now - BigInt(Math.round(hostUptimeSeconds() * 1000)) * 10000n;
  return new Fields(48).u64(0, boot).u64(8, now).u64(16, tz.bias).u32(24, tz.id).bytes;
}

/** SYSTEM_PROCESSOR_PERFORMANCE_INFORMATION per processor (48 bytes): idle, kernel (with
 *  idle), user, DPC and interrupt times, interrupt count. */
function processorPerformance(ctx: ApiContext, len: number): Uint8Array {
  const times = hostCpuTimes();
  const n = Math.min(processors(ctx), Math.floor(len / 48), Math.max(times.length, 1));
  const f = new Fields(48 * n);
  for (let i = 0; i < n; i++) {
    const t = times[i] ?? { idle: 0, kernel: 0, user: 0, interrupt: 0 };
    const ms = (x: number): bigint => BigInt(Math.round(x)) * 10000n;
    f.u64(48 * i, ms(t.idle)).u64(48 * i + 8, ms(t.kernel + t.idle)).u64(48 * i + 16, ms(t.user)).u64(48 * i + 32, ms(t.interrupt));
  }
  return f.bytes;
}

type SystemClass = { size: number; exact?: boolean; upTo?: boolean; data: (ctx: ApiContext, len: number) => Uint8Array };

const SYSTEM: Readonly<Record<number, SystemClass>> = {
  [SystemBasicInformation]: { size: 64, exact: true, data: basic },
  [SystemEmulationBasicInformation]: { size: 64, exact: true, data: basic },
  [SystemProcessorInformation]: { size: 12, data: processor },
  [SystemEmulationProcessorInformation]: { size: 12, data: processor },
  // Any length up to the structure's is accepted and gets that much of it.
  [SystemTimeOfDayInformation]: { size: 48, upTo: true, data: timeOfDay },
  [SystemProcessorPerformanceInformation]: { size: 48, data: processorPerformance },
  [SystemFlagsInformation]: { size: 4, exact: true, data: () => new Uint8Array(4) },
  [SystemTimeAdjustmentInformation]: { size: 12, exact: true, data: () => new Fields(12).u32(0, TIMER_RESOLUTION).u32(4, TIMER_RESOLUTION).u8(8, 1).bytes },
  // KernelDebuggerEnabled FALSE, KernelDebuggerNotPresent TRUE.
  [SystemKernelDebuggerInformation]: { size: 2, data: () => Uint8Array.of(0, 1) },
  [SystemRangeStartInformation]: { size: 8, exact: true, data: () => new Fields(8).u64(0, 0xffff800000000000n).bytes },
};

export function NtQuerySystemInformation(ctx: ApiContext, cls: number, buf: number, len: number, retLen: number): number {
  return ntCall(() => {
    const c = SYSTEM[cls];
    if (!c) return STATUS_INVALID_INFO_CLASS;
    const wrongSize = c.upTo ? len > c.size : c.exact ? len !== c.size : len < c.size;
    if (wrongSize) {
      if (retLen) ctx.mem.setU32(retLen, c.upTo ? 0 : c.size);
      return STATUS_INFO_LENGTH_MISMATCH;
    }
    let data = c.data(ctx, len);
    if (c.upTo) data = data.subarray(0, len);
    ctx.mem.write(buf, data);
    if (retLen) ctx.mem.setU32(retLen, data.length);
    return STATUS_SUCCESS;
  });
}

// ---- NtQueryInformationProcess --------------------------------------------------------------

const ProcessBasicInformation = 0;
const ProcessTimes = 4;
const ProcessDebugPort = 7;
const ProcessSessionInformation = 24;
const ProcessWow64Information = 26;
const ProcessImageFileName = 27;
const ProcessBreakOnTermination = 29;
const ProcessDebugObjectHandle = 30;
const ProcessDebugFlags = 31;
const ProcessImageFileNameWin32 = 43;
const NORMAL_PRIORITY = 8;

/** UNICODE_STRING followed by its text (ProcessImageFileName). */
function imageName(name: string): Uint8Array {
  const u = unitsOf(name);
  const f = new Fields(16 + 2 * u.length + 2).u16(0, 2 * u.length).u16(2, 2 * u.length + 2);
  for (let i = 0; i < u.length; i++) f.u16(16 + 2 * i, u[i]!);
  return f.bytes;
}

export function NtQueryInformationProcess(ctx: ApiContext, handle: bigint, cls: number, buf: number, len: number, retLen: number): number {
  return ntCall(() => {
    if (!isCurrentProcess(handle)) return STATUS_INVALID_HANDLE;
    const fixed = (size: number, make: () => Uint8Array, status = STATUS_SUCCESS): number => {
      if (retLen) ctx.mem.setU32(retLen, size);
      if (len !== size) return STATUS_INFO_LENGTH_MISMATCH;
      ctx.mem.write(buf, make());
      return status;
    };
    const named = (name: string): number => {
      const data = imageName(name);
      if (retLen) ctx.mem.setU32(retLen, data.length);
      if (len < data.length) return STATUS_INFO_LENGTH_MISMATCH;
      new DataView(data.buffer).setBigUint64(8, BigInt(buf + 16), true);
      ctx.mem.write(buf, data);
      return STATUS_SUCCESS;
    };
    const peb = ctx.process.pebAddress;
    switch (cls) {
      case ProcessBasicInformation: {
        const pid = ctx.mem.u32(ctx.teb + TEB.ClientIdUniqueProcess);
        return fixed(48, () => new Fields(48).u32(0, STATUS_PENDING).u64(8, peb).u64(16, affinity(processors(ctx))).u32(24, NORMAL_PRIORITY).u64(32, pid).u64(40, hostParentPid()).bytes);
      }
      case ProcessTimes: {
        const t = processCpuMicros();
        const start = BigInt(Math.round(processStartMs())) * 10000n + EPOCH_1601_100NS;
        return fixed(32, () => new Fields(32).u64(0, start).u64(16, BigInt(t.kernel) * 10n).u64(24, BigInt(t.user) * 10n).bytes);
      }
      case ProcessDebugPort:
      case ProcessWow64Information:
        return fixed(8, () => new Uint8Array(8));
      case ProcessDebugObjectHandle:
        return fixed(8, () => new Uint8Array(8), STATUS_PORT_NOT_SET);
      case ProcessDebugFlags:
        return fixed(4, () => new Fields(4).u32(0, 1).bytes); // no debugger: NoDebugInherit set
      case ProcessBreakOnTermination:
        return fixed(4, () => new Uint8Array(4));
      case ProcessSessionInformation:
        return fixed(4, () => new Fields(4).u32(0, ctx.mem.u32(peb + PEB.SessionId)).bytes);
      case ProcessImageFileName:
        return named(volumeDevicePath(ctx.process.imagePath));
      case ProcessImageFileNameWin32:
        return named(ctx.process.imagePath);
      default:
        return STATUS_INVALID_INFO_CLASS;
    }
  });
}

// ---- time -----------------------------------------------------------------------------------

/** NtQueryPerformanceCounter(counter, frequency): the counter QueryPerformanceCounter reads. */
export function NtQueryPerformanceCounter(ctx: ApiContext, counter: number, frequency: number): number {
  return ntCall(() => {
    if (!counter) return STATUS_ACCESS_VIOLATION;
    QueryPerformanceCounter(ctx, counter);
    if (frequency) QueryPerformanceFrequency(ctx, frequency);
    return STATUS_SUCCESS;
  });
}

export function RtlQueryPerformanceCounter(ctx: ApiContext, counter: number): number {
  return QueryPerformanceCounter(ctx, counter);
}
export function RtlQueryPerformanceFrequency(ctx: ApiContext, frequency: number): number {
  return QueryPerformanceFrequency(ctx, frequency);
}

export function NtQuerySystemTime(ctx: ApiContext, out: number): number {
  return ntCall(() => {
    GetSystemTimeAsFileTime(ctx, out);
    return STATUS_SUCCESS;
  });
}

export function NtGetTickCount(ctx: ApiContext): number {
  return ctx.process.tickCount() >>> 0;
}

/** NtDelayExecution(alertable, interval): a negative interval is relative (100 ns units), a
 *  positive one an absolute system time. */
export function NtDelayExecution(ctx: ApiContext, _alertable: number, interval: number): number {
  return ntCall(() => {
    const v = BigInt.asIntN(64, ctx.mem.u64(interval));
    const ticks = v < 0n ? -v : v - now100ns();
    ctx.process.sleep(ticks <= 0n ? 0 : Number((ticks + 9999n) / 10000n));
    return STATUS_SUCCESS;
  });
}

export function NtYieldExecution(_ctx: ApiContext): number {
  return STATUS_SUCCESS;
}

/** NtTerminateProcess: the current process (-1) exits with the status; NULL (the other
 *  threads of the current process) has nothing to end. */
export function NtTerminateProcess(ctx: ApiContext, handle: bigint, status: number): number {
  if (isCurrentProcess(handle)) ctx.process.exit(status);
  return handle === 0n ? STATUS_SUCCESS : STATUS_INVALID_HANDLE;
}
