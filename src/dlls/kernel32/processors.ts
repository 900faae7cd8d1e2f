/**
 * Processors (processthreadsapi.h IsProcessorFeaturePresent and GetCurrentProcessorNumber,
 * sysinfoapi.h GetLogicalProcessorInformation(Ex), winbase.h processor counts, wow64apiset.h).
 * Everything comes from the host: /proc/cpuinfo's feature flags and sysfs' topology. One
 * processor group, as Windows has for up to 64 logical processors.
 */
import { cpuInfo, cpuTopology, currentProcessor, processorCount, type HostCache } from '../../host/system.js';
import type { ApiContext } from '../types.js';
import { ERROR_INSUFFICIENT_BUFFER, ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER } from './errors.js';
import { processorMask } from './sysinfoapi.js';

/** The current-process pseudo handle, (HANDLE)-1, read as an i64 argument. */
export const CURRENT_PROCESS = -1n;

/** PF_* feature → the /proc/cpuinfo flags that mean it (any of them). Features x64 Windows
 *  always has are `true`; ARM, Alpha, PowerPC and Itanium ones are absent (false). */
const FEATURES: Readonly<Record<number, readonly string[] | true>> = {
  2: ['cx8'], // PF_COMPARE_EXCHANGE_DOUBLE
  3: ['mmx'],
  6: ['sse'], // PF_XMMI_INSTRUCTIONS_AVAILABLE
  7: ['3dnow'],
  8: ['tsc'],
  9: true, // PF_PAE_ENABLED: always on x64
  10: ['sse2'], // PF_XMMI64_INSTRUCTIONS_AVAILABLE
  11: ['sse2'], // PF_SSE_DAZ_MODE_AVAILABLE: every x86-64 processor has DAZ
  12: ['nx'],
  13: ['pni'], // PF_SSE3_INSTRUCTIONS_AVAILABLE
  14: ['cx16'], // PF_COMPARE_EXCHANGE128
  17: ['xsave'], // PF_XSAVE_ENABLED
  20: ['ept', 'npt'], // PF_SECOND_LEVEL_ADDRESS_TRANSLATION
  21: ['vmx', 'svm'], // PF_VIRT_FIRMWARE_ENABLED
  22: ['fsgsbase'], // PF_RDWRFSGSBASE_AVAILABLE
  23: true, // PF_FASTFAIL_AVAILABLE
  28: ['rdrand'],
  32: ['rdtscp'],
  33: ['rdpid'],
  35: ['monitorx'], // PF_MONITORX_INSTRUCTION_AVAILABLE (mwaitx)
  36: ['ssse3'],
  37: ['sse4_1'],
  38: ['sse4_2'],
  39: ['avx'],
  40: ['avx2'],
  41: ['avx512f'],
  42: ['erms'],
};

export function processorFeaturePresent(feature: number, flags: ReadonlySet<string>): boolean {
  const f = FEATURES[feature];
  return f === true || (f !== undefined && f.some((x) => flags.has(x)));
}

export function IsProcessorFeaturePresent(_ctx: ApiContext, feature: number): number {
  return processorFeaturePresent(feature, cpuInfo().flags) ? 1 : 0;
}

// ---- logical processor information ------------------------------------------------------------

const RelationProcessorCore = 0;
const RelationNumaNode = 1;
const RelationCache = 2;
const RelationProcessorPackage = 3;
const RelationGroup = 4;
const RelationAll = 0xffff;
const LTP_PC_SMT = 1;
const CACHE_TYPE = { Unified: 0, Instruction: 1, Data: 2 } as const;

type Relation =
  | { kind: typeof RelationProcessorCore | typeof RelationProcessorPackage; mask: bigint; smt: boolean }
  | { kind: typeof RelationNumaNode; mask: bigint; node: number }
  | { kind: typeof RelationCache; mask: bigint; cache: HostCache }
  | { kind: typeof RelationGroup; mask: bigint; count: number };

function maskOf(processors: readonly number[]): bigint {
  return processors.filter((p) => p < 64).reduce((m, p) => m | (1n << BigInt(p)), 0n);
}

function groupsOf(numbers: readonly number[]): number[][] {
  const out: number[][] = [];
  numbers.forEach((n, p) => (out[n] ??= []).push(p));
  return out.filter((g) => g !== undefined);
}

/** Cores, each followed by the caches private to it, then packages, each followed by the
 *  caches they share, then NUMA nodes — the order Windows lists them in. */
export function logicalProcessorRelations(): Relation[] {
  const t = cpuTopology();
  const out: Relation[] = [];
  const caches = [...t.caches].sort((a, b) => a.level - b.level || CACHE_TYPE[b.type] - CACHE_TYPE[a.type]);
  const emitted = new Set<HostCache>();
  const emitCaches = (within: readonly number[]): void => {
    for (const c of caches) {
      if (!emitted.has(c) && c.processors.length > 0 && c.processors.every((p) => within.includes(p))) {
        emitted.add(c);
        out.push({ kind: RelationCache, mask: maskOf(c.processors), cache: c });
      }
    }
  };
  for (const core of groupsOf(t.core)) {
    out.push({ kind: RelationProcessorCore, mask: maskOf(core), smt: core.length > 1 });
    emitCaches(core);
  }
  for (const pkg of groupsOf(t.packageOf)) {
    out.push({ kind: RelationProcessorPackage, mask: maskOf(pkg), smt: false });
    emitCaches(pkg);
  }
  emitCaches(t.linuxIds.map((_, i) => i));
  groupsOf(t.node).forEach((node, i) => out.push({ kind: RelationNumaNode, mask: maskOf(node), node: i }));
  return out;
}

/** SYSTEM_LOGICAL_PROCESSOR_INFORMATION (32 bytes): ProcessorMask +0, Relationship +8, then
 *  the union at +16: ProcessorCore.Flags, NumaNode.NodeNumber, or CACHE_DESCRIPTOR (Level,
 *  Associativity, LineSize, Size, Type). */
function writeClassic(ctx: ApiContext, p: number, r: Relation): void {
  const m = ctx.mem;
  m.fill(p, 0, 32);
  m.setU64(p, r.mask);
  m.setU32(p + 8, r.kind);
  if (r.kind === RelationProcessorCore) m.setU8(p + 16, r.smt ? 1 : 0);
  else if (r.kind === RelationNumaNode) m.setU32(p + 16, r.node);
  else if (r.kind === RelationCache) writeCacheDescriptor(ctx, p + 16, r.cache);
}

function writeCacheDescriptor(ctx: ApiContext, p: number, c: HostCache): void {
  const m = ctx.mem;
  m.setU8(p, c.level);
  m.setU8(p + 1, c.ways);
  m.setU16(p + 2, c.lineSize);
  m.setU32(p + 4, c.sizeBytes);
  m.setU32(p + 8, CACHE_TYPE[c.type]);
}

export function GetLogicalProcessorInformation(ctx: ApiContext, buf: number, lenPtr: number): number {
  if (lenPtr === 0) return fail(ctx, ERROR_INVALID_PARAMETER);
  const rel = logicalProcessorRelations();
  const needed = 32 * rel.length;
  if (ctx.mem.u32(lenPtr) < needed) {
    ctx.mem.setU32(lenPtr, needed);
    return fail(ctx, ERROR_INSUFFICIENT_BUFFER);
  }
  ctx.mem.check(buf, needed, true);
  rel.forEach((r, i) => writeClassic(ctx, buf + 32 * i, r));
  ctx.mem.setU32(lenPtr, needed);
  return 1;
}

/** Size of a SYSTEM_LOGICAL_PROCESSOR_INFORMATION_EX entry: PROCESSOR_RELATIONSHIP and
 *  NUMA_NODE_RELATIONSHIP 48, CACHE_RELATIONSHIP 56, GROUP_RELATIONSHIP with one group 80. */
function exSize(r: Relation): number {
  return r.kind === RelationCache ? 56 : r.kind === RelationGroup ? 80 : 48;
}

/** GROUP_AFFINITY: Mask +0, Group +8, Reserved[3]. */
function writeGroupAffinity(ctx: ApiContext, p: number, mask: bigint): void {
  ctx.mem.setU64(p, mask);
  ctx.mem.setU16(p + 8, 0);
}

function writeEx(ctx: ApiContext, p: number, r: Relation): void {
  const m = ctx.mem;
  const size = exSize(r);
  m.fill(p, 0, size);
  m.setU32(p, r.kind);
  m.setU32(p + 4, size);
  switch (r.kind) {
    case RelationProcessorCore:
    case RelationProcessorPackage:
      m.setU8(p + 8, r.smt ? LTP_PC_SMT : 0); // Flags; EfficiencyClass 0
      m.setU16(p + 30, 1); // GroupCount
      writeGroupAffinity(ctx, p + 32, r.mask);
      break;
    case RelationNumaNode:
      // GroupCount (+30) is 0 before Windows 11: the single GroupMask holds the affinity.
      m.setU32(p + 8, r.node);
      writeGroupAffinity(ctx, p + 32, r.mask);
      break;
    case RelationCache:
      writeCacheDescriptor(ctx, p + 8, r.cache); // Level, Associativity, LineSize, CacheSize, Type
      writeGroupAffinity(ctx, p + 40, r.mask); // GroupCount (+38) 0 before Windows 11
      break;
    case RelationGroup:
      m.setU16(p + 8, 1); // MaximumGroupCount
      m.setU16(p + 10, 1); // ActiveGroupCount
      m.setU8(p + 32, r.count); // GroupInfo[0].MaximumProcessorCount
      m.setU8(p + 33, r.count); // .ActiveProcessorCount
      m.setU64(p + 72, r.mask); // .ActiveProcessorMask
      break;
  }
}

export function GetLogicalProcessorInformationEx(ctx: ApiContext, relationship: number, buf: number, lenPtr: number): number {
  const known = [RelationProcessorCore, RelationNumaNode, RelationCache, RelationProcessorPackage, RelationGroup];
  if (lenPtr === 0 || (relationship !== RelationAll && !known.includes(relationship))) return fail(ctx, ERROR_INVALID_PARAMETER);
  const n = Math.min(processorCount(), 64);
  const all: Relation[] = [...logicalProcessorRelations(), { kind: RelationGroup, mask: processorMask(n), count: n }];
  const rel = relationship === RelationAll ? all : all.filter((r) => r.kind === relationship);
  const needed = rel.reduce((s, r) => s + exSize(r), 0);
  if (ctx.mem.u32(lenPtr) < needed) {
    ctx.mem.setU32(lenPtr, needed);
    return fail(ctx, ERROR_INSUFFICIENT_BUFFER);
  }
  ctx.mem.check(buf, needed, true);
  let at = buf;
  for (const r of rel) {
    writeEx(ctx, at, r);
    at += exSize(r);
  }
  ctx.mem.setU32(lenPtr, needed);
  return 1;
}

// ---- counts and the current processor ----------------------------------------------------------

const ALL_PROCESSOR_GROUPS = 0xffff;

function fail(ctx: ApiContext, error: number): number {
  ctx.setLastError(error);
  return 0;
}

function countInGroup(ctx: ApiContext, group: number): number {
  if (group !== 0 && group !== ALL_PROCESSOR_GROUPS) return fail(ctx, ERROR_INVALID_PARAMETER);
  return Math.min(processorCount(), 64);
}

export const GetActiveProcessorCount = countInGroup;
export const GetMaximumProcessorCount = countInGroup;
export const GetActiveProcessorGroupCount = (): number => 1;
export const GetMaximumProcessorGroupCount = (): number => 1;

export function GetCurrentProcessorNumber(): number {
  return currentProcessor();
}

/** PROCESSOR_NUMBER: Group (WORD), Number, Reserved. */
export function GetCurrentProcessorNumberEx(ctx: ApiContext, out: number): void {
  ctx.mem.setU16(out, 0);
  ctx.mem.setU8(out + 2, currentProcessor());
  ctx.mem.setU8(out + 3, 0);
}

// ---- WOW64 ----------------------------------------------------------------------------------

const IMAGE_FILE_MACHINE_UNKNOWN = 0;
const IMAGE_FILE_MACHINE_AMD64 = 0x8664;

/** A 64-bit process is never under WOW64. Only this process can be asked about. */
export function IsWow64Process(ctx: ApiContext, process: bigint, out: number): number {
  if (process !== CURRENT_PROCESS) return fail(ctx, ERROR_INVALID_HANDLE);
  ctx.mem.setU32(out, 0);
  return 1;
}

export function IsWow64Process2(ctx: ApiContext, process: bigint, processMachine: number, nativeMachine: number): number {
  if (process !== CURRENT_PROCESS) return fail(ctx, ERROR_INVALID_HANDLE);
  ctx.mem.setU16(processMachine, IMAGE_FILE_MACHINE_UNKNOWN);
  if (nativeMachine !== 0) ctx.mem.setU16(nativeMachine, IMAGE_FILE_MACHINE_AMD64);
  return 1;
}
