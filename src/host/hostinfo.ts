/**
 * Facts about the host machine that describe "this computer" to Windows programs (the
 * registry's HARDWARE keys and computer name): read when asked, never at start-up.
 */
import { readFileSync } from 'node:fs';
import { cpus, hostname } from 'node:os';

export interface HostCpu {
  name: string;
  mhz: number;
  vendor: string;
  family: number;
  model: number;
  stepping: number;
  count: number;
}

/** The first processor of /proc/cpuinfo (name, vendor, family/model/stepping) and the count. */
export function hostCpu(): HostCpu {
  const list = cpus();
  let text = '';
  try {
    text = readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    /* not Linux's procfs: keep what os.cpus() says */
  }
  const field = (name: string): string | undefined => new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(text)?.[1]?.trim();
  const num = (name: string): number => Number(field(name) ?? 0) || 0;
  const mhz = Math.round(Number(field('cpu MHz') ?? list[0]?.speed ?? 0)) || list[0]?.speed || 0;
  return {
    name: field('model name') ?? list[0]?.model ?? 'Unknown processor',
    mhz,
    vendor: field('vendor_id') ?? 'GenuineIntel',
    family: num('cpu family'),
    model: num('model'),
    stepping: num('stepping'),
    count: Math.max(1, list.length),
  };
}

/** The computer name Windows would show: the host name up to the first dot, upper case, at
 *  most 15 characters (the NetBIOS limit). */
export function hostComputerName(): string {
  return (hostname().split('.')[0] ?? 'WINRUN').toUpperCase().slice(0, 15) || 'WINRUN';
}
