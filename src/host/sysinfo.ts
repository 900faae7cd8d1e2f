/** What the host says about the machine and this process, for the system information calls
 *  (NtQuerySystemInformation, NtQueryInformationProcess). */
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

export function hostParentPid(): number {
  return process.ppid;
}
