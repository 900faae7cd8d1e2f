/**
 * What the Linux host says about itself: clocks, the processors (/proc/cpuinfo, sysfs), system
 * and process CPU times (/proc/stat, getrusage), and the host name. Values that cannot change
 * while the process runs (CPU topology, feature flags) are read once.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { cpus, hostname } from 'node:os';
import { libcClockGettime, libcSchedGetcpu } from '../native/ffi.js';

const CLOCK_REALTIME = 0;
const timespec = new BigInt64Array(2);

/** Nanoseconds since the Unix epoch, at the clock's full resolution. */
export function realtimeNs(): bigint {
  if (libcClockGettime(CLOCK_REALTIME, timespec) !== 0) return BigInt(Date.now()) * 1_000_000n;
  return timespec[0]! * 1_000_000_000n + timespec[1]!;
}

/** performance.now() counts from this process's start on CLOCK_MONOTONIC, which Linux counts
 *  from boot (hrtime reads the same clock); the difference turns one into the other. It is
 *  taken between two reads of performance.now() that lie closest together: the first read in a
 *  realm initializes `performance` (~1 ms), and an offset taken across it made the counter of
 *  one thread run ~1 ms apart from another's. */
function bootOffset(): number {
  let best = Infinity;
  let offset = 0;
  for (let i = 0; i < 5; i++) {
    const before = performance.now();
    const boot = Number(process.hrtime.bigint()) / 1e6;
    const after = performance.now();
    if (after - before < best) {
      best = after - before;
      offset = boot - (before + after) / 2;
    }
  }
  return offset;
}
const bootOffsetMs = bootOffset();

/** Milliseconds since the host booted, with sub-microsecond resolution (Windows' tick count and
 *  performance counter both count from boot). A plain number: cheaper than a bigint, exact
 *  to 100 ns for centuries of uptime. */
export function sinceBootMs(): number {
  return performance.now() + bootOffsetMs;
}

/** When this process started, in milliseconds since the Unix epoch (sub-millisecond). */
export function processStartMs(): number {
  return performance.timeOrigin;
}

/** User and kernel CPU time of this process so far, in microseconds. */
export function processCpuMicros(): { user: number; kernel: number } {
  const u = process.cpuUsage();
  return { user: u.user, kernel: u.system };
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** The sums of /proc/stat's "cpu" line in clock ticks (USER_HZ, 100 per second on Linux). */
export interface SystemCpuTicks {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
}

export const CLOCK_TICKS_PER_SECOND = 100;

export function systemCpuTicks(): SystemCpuTicks | undefined {
  const line = readText('/proc/stat')?.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return undefined;
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const at = (i: number): number => (Number.isFinite(f[i]) ? f[i]! : 0);
  return { user: at(0), nice: at(1), system: at(2), idle: at(3), iowait: at(4), irq: at(5), softirq: at(6), steal: at(7) };
}

/** The host's name as the kernel reports it (case kept). */
export function hostName(): string {
  return hostname();
}

// ---- processors --------------------------------------------------------------------------------

export interface HostCache {
  level: number;
  type: 'Data' | 'Instruction' | 'Unified';
  sizeBytes: number;
  lineSize: number;
  /** 0xff: fully associative. */
  ways: number;
  /** Logical processor numbers (Windows numbering: position in the online list). */
  processors: number[];
}

export interface HostCpuTopology {
  /** Online Linux CPU ids; Windows processor i is Linux CPU linuxIds[i]. */
  linuxIds: number[];
  /** For each processor: its core, package and NUMA node numbers (dense, from 0). */
  core: number[];
  packageOf: number[];
  node: number[];
  caches: HostCache[];
}

export interface HostCpuInfo {
  /** The model name ("" when unknown) and clock in MHz (0 when unknown). */
  name: string;
  mhz: number;
  vendor: string;
  family: number;
  model: number;
  stepping: number;
  flags: ReadonlySet<string>;
}

/** "0-3,8,10-11" → [0,1,2,3,8,10,11]. */
export function parseCpuList(s: string): number[] {
  const out: number[] = [];
  for (const part of s.trim().split(',')) {
    if (part === '') continue;
    const [a, b] = part.split('-').map(Number);
    if (a === undefined || !Number.isInteger(a)) continue;
    const end = b !== undefined && Number.isInteger(b) ? b : a;
    for (let i = a; i <= end; i++) out.push(i);
  }
  return out;
}

/** "32K" / "1024K" / "8M" → bytes. */
function parseSize(s: string): number {
  const m = /^(\d+)\s*([KMG]?)/i.exec(s.trim());
  if (!m) return 0;
  const mult = { '': 1, K: 1024, M: 1024 * 1024, G: 1024 * 1024 * 1024 }[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G'];
  return Number(m[1]) * mult;
}

const SYS_CPU = '/sys/devices/system/cpu';
let topologyCache: HostCpuTopology | undefined;

function onlineCpus(): number[] {
  const online = readText(`${SYS_CPU}/online`);
  const ids = online !== undefined ? parseCpuList(online) : [];
  if (ids.length > 0) return ids;
  const n = Math.max(cpus().length, 1);
  return Array.from({ length: n }, (_, i) => i);
}

/** Dense numbering of arbitrary keys in order of first appearance. */
function dense(keys: string[]): number[] {
  const seen = new Map<string, number>();
  return keys.map((k) => {
    let v = seen.get(k);
    if (v === undefined) seen.set(k, (v = seen.size));
    return v;
  });
}

/** The processor topology from sysfs; without sysfs every processor is its own core of one
 *  package and one node, and no caches are known. */
export function cpuTopology(): HostCpuTopology {
  if (topologyCache) return topologyCache;
  const linuxIds = onlineCpus();
  const index = new Map(linuxIds.map((id, i) => [id, i]));
  const topo = (id: number, f: string): string | undefined => readText(`${SYS_CPU}/cpu${id}/topology/${f}`)?.trim();
  const pkgKey = linuxIds.map((id) => topo(id, 'physical_package_id') ?? '0');
  const coreKey = linuxIds.map((id, i) => `${pkgKey[i]}/${topo(id, 'core_id') ?? `cpu${id}`}`);
  const nodeOf = new Map<number, string>();
  let nodes: string[] = [];
  try {
    nodes = readdirSync('/sys/devices/system/node').filter((n) => /^node\d+$/.test(n));
  } catch {
    /* no NUMA information: one node */
  }
  for (const n of nodes) for (const c of parseCpuList(readText(`/sys/devices/system/node/${n}/cpulist`) ?? '')) nodeOf.set(c, n);
  const caches: HostCache[] = [];
  const seen = new Set<string>();
  for (const id of linuxIds) {
    let entries: string[];
    try {
      entries = readdirSync(`${SYS_CPU}/cpu${id}/cache`).filter((e) => /^index\d+$/.test(e));
    } catch {
      continue; // no cache information for this processor
    }
    for (const e of entries.sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)))) {
      const dir = `${SYS_CPU}/cpu${id}/cache/${e}`;
      const type = readText(`${dir}/type`)?.trim();
      if (type !== 'Data' && type !== 'Instruction' && type !== 'Unified') continue;
      const level = Number(readText(`${dir}/level`) ?? 0);
      const shared = parseCpuList(readText(`${dir}/shared_cpu_list`) ?? String(id)).filter((c) => index.has(c));
      const key = `${level}/${type}/${shared.join(',')}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const waysText = readText(`${dir}/ways_of_associativity`)?.trim();
      const ways = waysText === undefined ? 0 : Number(waysText);
      caches.push({
        level,
        type,
        sizeBytes: parseSize(readText(`${dir}/size`) ?? '0'),
        lineSize: Number(readText(`${dir}/coherency_line_size`) ?? 64),
        ways: ways === 0 && waysText !== undefined ? 0xff : Math.min(ways, 0xff), // sysfs 0: fully associative
        processors: shared.map((c) => index.get(c)!).sort((a, b) => a - b),
      });
    }
  }
  topologyCache = {
    linuxIds,
    core: dense(coreKey),
    packageOf: dense(pkgKey),
    node: dense(linuxIds.map((id) => nodeOf.get(id) ?? 'node0')),
    caches,
  };
  return topologyCache;
}

/** Number of online logical processors. */
export function processorCount(): number {
  // Start-up needs only the count (the PEB): one sysfs file, not the whole topology.
  return topologyCache ? topologyCache.linuxIds.length : onlineCpus().length;
}

/** The logical processor (Windows numbering) this thread runs on now. */
export function currentProcessor(): number {
  const linux = libcSchedGetcpu();
  const i = cpuTopology().linuxIds.indexOf(linux);
  return i < 0 ? 0 : i;
}

let cpuInfoCache: HostCpuInfo | undefined;

/** The first processor's identification and feature flags from /proc/cpuinfo. */
export function cpuInfo(): HostCpuInfo {
  if (cpuInfoCache) return cpuInfoCache;
  const text = readText('/proc/cpuinfo') ?? '';
  const first = text.split(/\n\s*\n/)[0] ?? '';
  const field = (name: string): string => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(first)?.[1]?.trim() ?? '';
  cpuInfoCache = {
    name: field('model name'),
    mhz: Math.round(Number(field('cpu MHz'))) || 0,
    vendor: field('vendor_id'),
    family: Number(field('cpu family')) || 0,
    model: Number(field('model')) || 0,
    stepping: Number(field('stepping')) || 0,
    flags: new Set(field('flags').split(/\s+/).filter((f) => f !== '')),
  };
  return cpuInfoCache;
}
