/**
 * Facts about the host machine that describe "this computer" to Windows programs (the
 * registry's HARDWARE keys): read when asked, never at start-up.
 */
import { cpus } from 'node:os';
import { cpuInfo } from './system.js';

export interface HostCpu {
  name: string;
  mhz: number;
  vendor: string;
  family: number;
  model: number;
  stepping: number;
  count: number;
}

/** The first processor's name, vendor and CPUID numbers (system.ts cpuInfo, which reads
 *  /proc/cpuinfo once), with os.cpus() where procfs is silent, and the count. */
export function hostCpu(): HostCpu {
  const list = cpus();
  const c = cpuInfo();
  return {
    name: c.name || (list[0]?.model ?? 'Unknown processor'),
    mhz: c.mhz || list[0]?.speed || 0,
    vendor: c.vendor || 'GenuineIntel',
    family: c.family,
    model: c.model,
    stepping: c.stepping,
    count: Math.max(1, list.length),
  };
}
