/**
 * How reports and traces name a guest address: `module+0xoffset`, with the nearest export below
 * it when the module exports functions (describeSymbol), or winrun's own code.
 */
import type { Engine } from '../native/engine.js';
import type { ModuleLoader } from './modules.js';

export function describeAddress(loader: ModuleLoader, engine: Engine, addr: number): string {
  const m = loader.containing(addr);
  if (m) return `${m.displayName}+0x${(addr - m.base).toString(16)}`;
  // A guest function that tail-calls an API returns straight into winrun's trampoline.
  if (engine.ownsCode(addr)) return 'winrun (a callback made by winrun)';
  return `0x${addr.toString(16)}`;
}

export function describeSymbol(loader: ModuleLoader, engine: Engine, addr: number): string {
  const m = loader.containing(addr);
  if (!m) return describeAddress(loader, engine, addr);
  let best: { name: string; at: number } | undefined;
  const consider = (name: string, at: number): void => {
    if (at <= addr && (!best || at > best.at)) best = { name, at };
  };
  if (m.builtin) m.builtin.table.exports.forEach((r, i) => consider(r.name, m.builtin!.addresses[i]!));
  for (const e of m.pe?.exports?.entries ?? []) if (e.rva && e.names[0]) consider(e.names[0], m.base + e.rva);
  const where = `${m.displayName}+0x${(addr - m.base).toString(16)}`;
  return best ? `${where} (${best.name}+0x${(addr - best.at).toString(16)})` : where;
}
