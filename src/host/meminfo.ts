/** The machine's memory as Linux reports it (/proc/meminfo, /proc/self/status). */
import { readFileSync } from 'node:fs';

export interface HostMemory {
  /** Bytes: MemTotal, MemAvailable, SwapTotal, SwapFree. */
  totalPhys: number;
  availPhys: number;
  totalSwap: number;
  freeSwap: number;
  /** Bytes of address space this process has mapped (VmSize), Node's own mappings included. */
  processVirtual: number;
}

function kbFields(path: string): Map<string, number> {
  const out = new Map<string, number>();
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    const m = /^([\w()]+):\s+(\d+)\s*kB/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]) * 1024);
  }
  return out;
}

export function hostMemory(): HostMemory {
  const mi = kbFields('/proc/meminfo');
  const st = kbFields('/proc/self/status');
  const total = mi.get('MemTotal') ?? 0;
  return {
    totalPhys: total,
    availPhys: mi.get('MemAvailable') ?? mi.get('MemFree') ?? 0,
    totalSwap: mi.get('SwapTotal') ?? 0,
    freeSwap: mi.get('SwapFree') ?? 0,
    processVirtual: st.get('VmSize') ?? 0,
  };
}
