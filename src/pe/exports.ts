/**
 * Export directory (IMAGE_DIRECTORY_ENTRY_EXPORT): the functions and data a DLL offers, by
 * ordinal and by name, and forwarders to other DLLs (`NTDLL.RtlAllocateHeap`).
 */
import { Dir } from './constants.js';
import { PeError, hex } from './errors.js';
import type { PeView } from './headers.js';
import { IMAGE_EXPORT_DIRECTORY } from './structs.js';

export interface ExportedSymbol {
  /** The biased ordinal (Base + index), as GetProcAddress takes it. */
  readonly ordinal: number;
  /** Names that refer to this entry, in name-table order; empty for ordinal-only exports. */
  readonly names: readonly string[];
  /** RVA of the code or data; 0 for forwarders. */
  readonly rva: number;
  /** For a forwarder: the target as written, `DLL.Function` or `DLL.#ordinal`. */
  readonly forwarder?: string;
}

export interface ParsedForwarder {
  /** The target module, with `.dll` appended when the string names no extension. */
  readonly dll: string;
  readonly name?: string;
  readonly ordinal?: number;
}

export interface ExportDirectory {
  /** The DLL's own name as recorded by the linker (may differ from the file name). */
  readonly dllName: string;
  readonly ordinalBase: number;
  readonly timeDateStamp: number;
  readonly numberOfFunctions: number;
  readonly numberOfNames: number;
  /** Used entries (non-zero address), sorted by ordinal. */
  readonly entries: readonly ExportedSymbol[];
}

/** Ordinals are 16-bit, so an export table never needs more entries than this. */
export const MAX_EXPORTS = 0x10000;

/**
 * Splits a forwarder string `MODULE.Function` / `MODULE.#123` at its last dot (module names
 * such as `api-ms-win-core-synch-l1-2-0` may contain dashes but the function never has a dot).
 */
export function parseForwarder(s: string): ParsedForwarder | undefined {
  const dot = s.lastIndexOf('.');
  if (dot <= 0 || dot === s.length - 1) return undefined;
  const mod = s.slice(0, dot);
  const fn = s.slice(dot + 1);
  const dll = /\.[^.\\/]*$/.test(mod) ? mod : `${mod}.dll`;
  if (fn.startsWith('#')) {
    const n = Number(fn.slice(1));
    if (!/^#\d+$/.test(fn) || n > 0xffff) return undefined;
    return { dll, ordinal: n };
  }
  return { dll, name: fn };
}

function baseName(dll: string): string {
  return dll.toLowerCase().replace(/\.dll$/, '');
}

/** Follows forwarders that point back into this same DLL; a cycle is a ForwarderLoop. */
function checkSelfForwarders(dir: ExportDirectory): void {
  const self = baseName(dir.dllName);
  if (!self) return;
  const byName = new Map<string, ExportedSymbol>();
  const byOrdinal = new Map<number, ExportedSymbol>();
  for (const e of dir.entries) {
    byOrdinal.set(e.ordinal, e);
    for (const n of e.names) byName.set(n, e);
  }
  const target = (e: ExportedSymbol): ExportedSymbol | undefined => {
    if (e.forwarder === undefined) return undefined;
    const f = parseForwarder(e.forwarder);
    if (!f || baseName(f.dll) !== self) return undefined;
    return f.name !== undefined ? byName.get(f.name) : byOrdinal.get(f.ordinal!);
  };
  const settled = new Set<ExportedSymbol>();
  for (const start of dir.entries) {
    if (start.forwarder === undefined || settled.has(start)) continue;
    const path = new Set<ExportedSymbol>();
    let e: ExportedSymbol | undefined = start;
    while (e && !settled.has(e)) {
      if (path.has(e)) {
        const label = (x: ExportedSymbol): string => x.names[0] ?? `#${x.ordinal}`;
        throw new PeError('ForwarderLoop', `export ${label(start)} of ${dir.dllName} forwards in a cycle (${[...path].map(label).join(' → ')} → ${label(e)})`);
      }
      path.add(e);
      e = target(e);
    }
    for (const p of path) settled.add(p);
  }
}

export function parseExports(view: PeView): ExportDirectory | undefined {
  const dir = view.directory(Dir.Export);
  if (!dir) return undefined;
  const r = view.r;
  const E = IMAGE_EXPORT_DIRECTORY;
  const d = E.read(r, view.offsetOf(dir.VirtualAddress, E.size, 'export directory'), 'export directory');
  const dllName = d.Name !== 0 ? view.stringAt(d.Name, 'export directory DLL name') : '';
  const nfun = d.NumberOfFunctions;
  const nnames = d.NumberOfNames;
  if (nfun > MAX_EXPORTS) {
    throw new PeError('BadCount', `export directory claims ${nfun} functions (ordinals are 16-bit; at most ${MAX_EXPORTS})`);
  }
  const table = (rva: number, count: number, size: number, what: string): number => {
    if (count === 0) return 0;
    if (view.bytesAvailable(rva) < count * size) {
      throw new PeError(view.bytesAvailable(rva) === 0 ? 'BadRva' : 'BadCount', `export ${what} (${count} entries at RVA ${hex(rva)}) runs past its section data`);
    }
    return view.offsetOf(rva, count * size, `export ${what}`);
  };
  const funOff = table(d.AddressOfFunctions, nfun, 4, 'address table');
  const nameOff = table(d.AddressOfNames, nnames, 4, 'name pointer table');
  const ordOff = table(d.AddressOfNameOrdinals, nnames, 2, 'ordinal table');

  const names: string[][] = new Array<string[]>(nfun);
  for (let i = 0; i < nnames; i++) {
    const idx = r.u16(ordOff + 2 * i);
    if (idx >= nfun) {
      throw new PeError('BadExport', `export name ${i} refers to function index ${idx}, but there are only ${nfun} functions`);
    }
    const name = view.stringAt(r.u32(nameOff + 4 * i), `export name ${i}`);
    (names[idx] ??= []).push(name);
  }

  const dirStart = dir.VirtualAddress;
  const dirEnd = dir.VirtualAddress + dir.Size;
  const entries: ExportedSymbol[] = [];
  for (let i = 0; i < nfun; i++) {
    const rva = r.u32(funOff + 4 * i);
    if (rva === 0) continue;
    const ordinal = d.Base + i;
    if (ordinal > 0xffff) {
      throw new PeError('BadExport', `export ordinal ${ordinal} (Base ${d.Base} + index ${i}) does not fit in 16 bits`);
    }
    const n = names[i] ?? [];
    // An address inside the export directory itself is a forwarder string (PE/COFF spec).
    if (rva >= dirStart && rva < dirEnd) {
      const forwarder = view.stringAt(rva, `forwarder of export #${ordinal}`);
      if (!parseForwarder(forwarder)) {
        throw new PeError('BadExport', `export #${ordinal} has a malformed forwarder "${forwarder}" (expected DLL.Function or DLL.#ordinal)`);
      }
      entries.push({ ordinal, names: n, rva: 0, forwarder });
    } else {
      if (!view.inImage(rva)) {
        throw new PeError('BadRva', `export #${ordinal}${n[0] ? ` (${n[0]})` : ''} at RVA ${hex(rva)} lies outside the image`);
      }
      entries.push({ ordinal, names: n, rva });
    }
  }
  const out: ExportDirectory = { dllName, ordinalBase: d.Base, timeDateStamp: d.TimeDateStamp, numberOfFunctions: nfun, numberOfNames: nnames, entries };
  checkSelfForwarders(out);
  return out;
}
