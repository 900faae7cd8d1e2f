/**
 * Base relocations (IMAGE_DIRECTORY_ENTRY_BASERELOC). An x86-64 image uses DIR64 fixups and
 * ABSOLUTE padding only; any other type is rejected rather than applied wrongly.
 */
import { Dir, IMAGE_REL_BASED_ABSOLUTE, IMAGE_REL_BASED_DIR64, RELOCATION_TYPE_NAMES } from './constants.js';
import { PeError, hex } from './errors.js';
import type { PeView } from './headers.js';
import { IMAGE_BASE_RELOCATION } from './structs.js';

export interface RelocationTable {
  readonly blockCount: number;
  /** RVAs of the 64-bit values to adjust by (actual base − preferred ImageBase). */
  readonly dir64: Uint32Array;
}

export function parseRelocations(view: PeView): RelocationTable {
  const dir = view.directory(Dir.BaseReloc);
  if (!dir) return { blockCount: 0, dir64: new Uint32Array(0) };
  const r = view.r;
  const B = IMAGE_BASE_RELOCATION;
  const base = view.offsetOf(dir.VirtualAddress, dir.Size, 'base relocation directory');
  // Each entry is 2 bytes, so Size/2 bounds the number of fixups.
  const fixups = new Uint32Array(dir.Size >>> 1);
  let n = 0;
  let blocks = 0;
  let pos = 0;
  while (pos + B.size <= dir.Size) {
    const pageRva = r.u32(base + pos);
    const size = r.u32(base + pos + 4);
    if (size === 0 && pageRva === 0) break; // zero padding after the last block
    if (size < B.size || size % 2 !== 0 || pos + size > dir.Size) {
      throw new PeError('BadRelocation', `relocation block ${blocks} at RVA ${hex(dir.VirtualAddress + pos)} has SizeOfBlock ${hex(size)}, which does not fit the directory (${hex(dir.Size)} bytes)`);
    }
    for (let e = pos + B.size; e < pos + size; e += 2) {
      const entry = r.u16(base + e);
      const type = entry >>> 12;
      if (type === IMAGE_REL_BASED_ABSOLUTE) continue;
      if (type !== IMAGE_REL_BASED_DIR64) {
        const name = RELOCATION_TYPE_NAMES[type] ?? `type ${type}`;
        throw new PeError('BadRelocation', `relocation block for page ${hex(pageRva)} has a ${name} entry; x86-64 images use DIR64 only`);
      }
      const target = pageRva + (entry & 0xfff);
      if (!view.inImage(target, 8)) {
        throw new PeError('BadRva', `DIR64 relocation at RVA ${hex(target)} lies outside the image`);
      }
      fixups[n++] = target;
    }
    blocks++;
    pos += size;
  }
  return { blockCount: blocks, dir64: fixups.slice(0, n) };
}
