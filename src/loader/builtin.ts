/**
 * Turns a builtin DLL's export table into a real PE image in guest memory (DESIGN.md §4):
 * headers, an export directory with names, ordinals and forwarders, one thunk per export
 * (or a native fast path), and the data exports. GetProcAddress, PEB walks and programs that
 * parse export directories by hand all see what they would on Windows.
 */
import { Asm } from '../native/emitter.js';
import { emitFastPath, emitThunk, type FastPathEnv } from '../native/engine.js';
import { type AddressSpace } from '../native/memory.js';
import { MEM_IMAGE, PAGE_EXECUTE_READ, PAGE_READONLY, PAGE_READWRITE } from '../native/memprotect.js';
import type { DllTable, ExportRow } from '../dlls/types.js';
import { builtinVersionInfo, versionResourceSection } from './versionres.js';

const PAGE = 0x1000;
const alignPage = (n: number): number => Math.ceil(n / PAGE) * PAGE;

export interface BuiltinImage {
  base: number;
  size: number;
  /** Address of each export by row index (thunk, fast path or data); 0 for forwarders. */
  addresses: number[];
  /** The first global dispatch id of this DLL: row i has id firstId + i. */
  firstId: number;
  ordinals: number[];
}

function isFloat(t: string): boolean {
  return t === 'f32' || t === 'f64';
}

/** Ordinals: explicit ones as given, the rest numbered after the highest explicit one. */
export function assignOrdinals(rows: readonly ExportRow[]): number[] {
  let next = Math.max(0, ...rows.map((r) => r.ordinal ?? 0)) + 1;
  return rows.map((r) => r.ordinal ?? next++);
}

/** `version`: give the image a version resource (the real builtins; not the named traps). */
export function buildBuiltinImage(mem: AddressSpace, table: DllTable, firstId: number, stubAddr: number, env: FastPathEnv = {}, version = true): BuiltinImage {
  const rows = table.exports;
  const ordinals = assignOrdinals(rows);
  const ordBase = Math.min(...ordinals, 1);
  const nfun = Math.max(...ordinals, 0) - ordBase + 1;
  const named = rows.map((r, i) => ({ name: r.name, i })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));

  // Layout: headers | .rdata (export directory) | .text (thunks) | .data (data exports)
  const exportDirSize = 40 + 4 * nfun + 4 * named.length + 2 * named.length + rows.reduce((n, r) => n + r.name.length + 1 + (r.forward ? r.forward.length + 1 : 0), 0) + table.name.length + 1;
  const rdataRva = PAGE;
  const textRva = rdataRva + alignPage(exportDirSize);
  // Thunks and data. Ordinary thunks differ only in their export id and jump displacement, so
  // they are stamped from a template (assembling each one cost milliseconds at start-up); fast
  // paths are assembled, each in a slot of its own length (16-byte aligned).
  const templates = [false, true].map((floatArgs) => {
    const t = new Asm();
    emitThunk(t, 0, floatArgs, 0, 0);
    return t.bytes();
  });
  const floatArgsOf = (r: ExportRow): boolean => (r.args ?? []).slice(0, 4).some(isFloat);
  // A fast path is assembled once: its bytes depend on its address only through the jump at
  // the end of its slow-path thunk (when it has one), which pass 2 patches.
  const fast = rows.map((r, i) => {
    if (!r.native) return undefined;
    const a = new Asm();
    let jmpEnd = -1;
    emitFastPath(a, r.native, () => {
      emitThunk(a, firstId + i, floatArgsOf(r), 0, 0);
      jmpEnd = a.length - 1; // before the return point's ret
    }, env);
    return { bytes: a.bytes(), jmpEnd };
  });
  // Pass 1: the length of every code slot.
  const slots = rows.map((r, i) => (r.forward || r.data ? 0 : Math.ceil((fast[i]?.bytes.length ?? templates[floatArgsOf(r) ? 1 : 0]!.length) / 16) * 16));
  const textSize = alignPage(slots.reduce((n, x) => n + x, 0) + 16);
  const dataRva = textRva + textSize;
  const dataSize = alignPage(rows.reduce((n, r) => n + (r.data ? (r.data.size + 15) & ~15 : 0), 0) + 16);
  const rsrcRva = dataRva + dataSize;
  const rsrc = version ? versionResourceSection(rsrcRva, builtinVersionInfo(table.name, `${table.name} (winrun builtin)`)) : undefined;
  const rsrcSize = rsrc ? alignPage(rsrc.length) : 0;
  const size = rsrcRva + rsrcSize;
  let base: number;
  try {
    base = mem.allocate(table.base ?? 0, size, true, PAGE_READWRITE, MEM_IMAGE);
  } catch {
    base = mem.allocate(0, size, true, PAGE_READWRITE, MEM_IMAGE);
  }

  // Pass 2: the code at its final addresses.
  const addresses: number[] = [];
  const code = new Uint8Array(textSize).fill(0xcc);
  const codeView = new DataView(code.buffer);
  let dataOff = 0;
  let codeOff = 0;
  rows.forEach((r, i) => {
    if (r.forward) {
      addresses.push(0);
      return;
    }
    if (r.data) {
      addresses.push(base + dataRva + dataOff);
      dataOff += (r.data.size + 15) & ~15;
      return;
    }
    const at = base + textRva + codeOff;
    addresses.push(at);
    const f = fast[i];
    if (f) {
      code.set(f.bytes, codeOff);
      if (f.jmpEnd >= 0) codeView.setInt32(codeOff + f.jmpEnd - 4, stubAddr - (at + f.jmpEnd), true);
    } else {
      const t = templates[floatArgsOf(r) ? 1 : 0]!;
      code.set(t, codeOff);
      // ... mov eax, id (imm32 at -10) ; jmp rel32 (at -5) ; ret
      codeView.setUint32(codeOff + t.length - 10, firstId + i, true);
      codeView.setInt32(codeOff + t.length - 5, stubAddr - (at + t.length - 1), true);
    }
    codeOff += slots[i]!;
  });

  // Export directory.
  const ed = new Uint8Array(exportDirSize);
  const dv = new DataView(ed.buffer);
  let str = 40 + 4 * nfun + 6 * named.length;
  const putStr = (s: string): number => {
    const at = str;
    for (let k = 0; k < s.length; k++) ed[at + k] = s.charCodeAt(k) & 0xff;
    str += s.length + 1;
    return rdataRva + at;
  };
  dv.setUint32(12, putStr(table.name), true);
  dv.setUint32(16, ordBase, true);
  dv.setUint32(20, nfun, true);
  dv.setUint32(24, named.length, true);
  dv.setUint32(28, rdataRva + 40, true);
  dv.setUint32(32, rdataRva + 40 + 4 * nfun, true);
  dv.setUint32(36, rdataRva + 40 + 4 * nfun + 4 * named.length, true);
  rows.forEach((r, i) => {
    const slot = 40 + 4 * (ordinals[i]! - ordBase);
    dv.setUint32(slot, r.forward ? putStr(r.forward) : addresses[i]! - base, true);
  });
  named.forEach(({ name, i }, k) => {
    dv.setUint32(40 + 4 * nfun + 4 * k, putStr(name), true);
    dv.setUint16(40 + 4 * nfun + 4 * named.length + 2 * k, ordinals[i]! - ordBase, true);
  });

  // Headers: enough of a PE for GetModuleHandle users and export-directory walkers.
  const h = new Uint8Array(PAGE);
  const hv = new DataView(h.buffer);
  hv.setUint16(0, 0x5a4d, true);
  hv.setUint32(0x3c, 0x40, true);
  hv.setUint32(0x40, 0x4550, true);
  hv.setUint16(0x44, 0x8664, true);
  hv.setUint16(0x46, rsrc ? 4 : 3, true); // sections
  hv.setUint16(0x54, 240, true);
  hv.setUint16(0x56, 0x2022, true); // EXECUTABLE_IMAGE | LARGE_ADDRESS_AWARE | DLL
  const oh = 0x58;
  hv.setUint16(oh, 0x20b, true);
  hv.setBigUint64(oh + 24, BigInt(base), true);
  hv.setUint32(oh + 32, PAGE, true);
  hv.setUint32(oh + 36, PAGE, true);
  hv.setUint16(oh + 40, 6, true);
  hv.setUint16(oh + 48, 6, true);
  hv.setUint32(oh + 56, size, true);
  hv.setUint32(oh + 60, PAGE, true);
  hv.setUint16(oh + 68, 3, true);
  hv.setUint16(oh + 70, 0x0160, true);
  hv.setUint32(oh + 108, 16, true);
  hv.setUint32(oh + 112, rdataRva, true);
  hv.setUint32(oh + 116, exportDirSize, true);
  const sections: [string, number, number, number][] = [
    ['.rdata', rdataRva, alignPage(exportDirSize), 0x40000040],
    ['.text', textRva, textSize, 0x60000020],
    ['.data', dataRva, dataSize, 0xc0000040],
  ];
  if (rsrc) {
    hv.setUint32(oh + 128, rsrcRva, true); // IMAGE_DIRECTORY_ENTRY_RESOURCE
    hv.setUint32(oh + 132, rsrc.length, true);
    sections.push(['.rsrc', rsrcRva, rsrcSize, 0x40000040]);
  }
  sections.forEach(([name, rva, sz, ch], k) => {
    const s = oh + 240 + 40 * k;
    for (let c = 0; c < name.length; c++) h[s + c] = name.charCodeAt(c);
    hv.setUint32(s + 8, sz, true);
    hv.setUint32(s + 12, rva, true);
    hv.setUint32(s + 16, sz, true);
    hv.setUint32(s + 20, rva, true);
    hv.setUint32(s + 36, ch, true);
  });

  mem.write(base, h);
  mem.write(base + rdataRva, ed);
  mem.write(base + textRva, code.subarray(0, codeOff));
  if (rsrc) {
    mem.write(base + rsrcRva, rsrc);
    mem.protect(base + rsrcRva, rsrcSize, PAGE_READONLY);
  }
  mem.protect(base, PAGE, PAGE_READONLY);
  mem.protect(base + rdataRva, textRva - rdataRva, PAGE_READONLY);
  mem.protect(base + textRva, textSize, PAGE_EXECUTE_READ);
  return { base, size, addresses, firstId, ordinals };
}
