/**
 * LoadLibraryEx's data-file mappings (LOAD_LIBRARY_AS_DATAFILE, LOAD_LIBRARY_AS_IMAGE_RESOURCE):
 * a file mapped read-only, as it is or laid out as an image, for its resources; never run.
 */
import { readFileBytes } from '../host/files.js';
import type { AddressSpace } from '../native/memory.js';
import { MEM_IMAGE, MEM_MAPPED, PAGE_READONLY, PAGE_READWRITE } from '../native/memprotect.js';
import { loadError } from './errors.js';

/** Where a file's headers and sections go, read without the strict PE32+ parser so that any
 *  PE (a 32-bit resource DLL too) maps as data. Undefined when it is not a PE file. */
function dataLayout(b: Uint8Array): { sizeOfImage: number; sizeOfHeaders: number; sections: { va: number; raw: number; copy: number }[] } | undefined {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length < 0x40 || dv.getUint16(0, true) !== 0x5a4d) return undefined;
  const nt = dv.getUint32(0x3c, true);
  if (nt + 24 > b.length || dv.getUint32(nt, true) !== 0x4550) return undefined;
  const count = dv.getUint16(nt + 6, true);
  const ohSize = dv.getUint16(nt + 20, true);
  const oh = nt + 24;
  if (oh + 64 > b.length || oh + ohSize + 40 * count > b.length) return undefined;
  const sizeOfImage = dv.getUint32(oh + 56, true);
  const sizeOfHeaders = Math.min(dv.getUint32(oh + 60, true), b.length);
  const sections = [];
  for (let i = 0; i < count; i++) {
    const s = oh + ohSize + 40 * i;
    const raw = dv.getUint32(s + 20, true);
    const vsize = dv.getUint32(s + 8, true);
    const rawSize = Math.min(dv.getUint32(s + 16, true), Math.max(b.length - raw, 0));
    sections.push({ va: dv.getUint32(s + 12, true), raw, copy: vsize ? Math.min(rawSize, vsize) : rawSize });
  }
  if (sizeOfImage === 0 || sizeOfImage > 0x40000000 || sizeOfHeaders > sizeOfImage || sections.some((s) => s.va + s.copy > sizeOfImage)) return undefined;
  return { sizeOfImage, sizeOfHeaders, sections };
}

/** Maps `file` (as an image when `image`); the handle LoadLibraryEx returns tags the base with
 *  1 (data file) or 2 (image resource). */
export function mapDataFile(mem: AddressSpace, file: string, image: boolean): { base: number; handle: number } | { error: number } {
  let bytes: Uint8Array;
  try {
    bytes = readFileBytes(file);
  } catch (e) {
    return { error: loadError(e) ?? 126 };
  }
  const layout = dataLayout(bytes);
  if (!layout) return { error: 193 };
  const size = image ? layout.sizeOfImage : bytes.length;
  const base = mem.allocate(0, size, true, PAGE_READWRITE, image ? MEM_IMAGE : MEM_MAPPED);
  if (image) {
    mem.write(base, bytes.subarray(0, layout.sizeOfHeaders));
    for (const s of layout.sections) if (s.copy > 0) mem.write(base + s.va, bytes.subarray(s.raw, s.raw + s.copy));
  } else mem.write(base, bytes);
  mem.protect(base, size, PAGE_READONLY);
  return { base, handle: base + (image ? 2 : 1) };
}
