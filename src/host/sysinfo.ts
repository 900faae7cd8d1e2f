/** What the host says about the machine and this process, for the system information calls
 *  (NtQuerySystemInformation, NtQueryInformationProcess). */
import { readFileSync } from 'node:fs';
import * as os from 'node:os';

export interface HostMemory {
  total: number;
  free: number;
}

export function hostMemory(): HostMemory {
  return { total: os.totalmem(), free: os.freemem() };
}

/** Seconds since the host booted. */
export function hostUptimeSeconds(): number {
  return os.uptime();
}

export interface HostCpu {
  /** CPUID family, model and stepping of the first processor (0 when unknown). */
  family: number;
  model: number;
  stepping: number;
}

export function hostCpu(): HostCpu {
  let text = '';
  try {
    text = readFileSync('/proc/cpuinfo', 'latin1');
  } catch {
    // not Linux-like: unknown
  }
  const field = (name: string): number => {
    const m = new RegExp(`^${name}\\s*:\\s*(\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : 0;
  };
  return { family: field('cpu family'), model: field('model'), stepping: field('stepping') };
}

export interface CpuTimes {
  /** Milliseconds spent idle, in the kernel (without idle), in user mode, and serving
   *  interrupts, since boot. */
  idle: number;
  kernel: number;
  user: number;
  interrupt: number;
}

export function hostCpuTimes(): CpuTimes[] {
  return os.cpus().map((c) => ({ idle: c.times.idle, kernel: c.times.sys, user: c.times.user + c.times.nice, interrupt: c.times.irq }));
}

export interface ProcessTimes {
  /** When the process started (Unix milliseconds), and its CPU time in microseconds. */
  startMs: number;
  userUs: number;
  systemUs: number;
}

export function hostProcessTimes(): ProcessTimes {
  const u = process.cpuUsage();
  return { startMs: Date.now() - process.uptime() * 1000, userUs: u.user, systemUs: u.system };
}

export function hostParentPid(): number {
  return process.ppid;
}
