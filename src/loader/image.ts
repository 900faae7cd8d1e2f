/** Mapping a PE image into the address space as the Windows loader does: headers and sections
 *  at their RVAs, base relocations when the preferred base is taken, then section protections. */
import { type AddressSpace } from '../native/memory.js';
import { MEM_IMAGE, PAGE_EXECUTE_READ, PAGE_EXECUTE_READWRITE, PAGE_READONLY, PAGE_READWRITE } from '../native/memprotect.js';
import { IMAGE_SCN_MEM_EXECUTE, IMAGE_SCN_MEM_WRITE, type LoadableImage } from '../pe/index.js';
import { LoaderError, STATUS_CONFLICTING_ADDRESSES } from './errors.js';

/** Maps the image writable at its preferred base, or anywhere if it can be relocated, and
 *  applies its relocations. Returns the base. */
export function mapImage(mem: AddressSpace, bytes: Uint8Array, pe: LoadableImage, name: string): number {
  const oh = pe.optionalHeader;
  const size = oh.SizeOfImage;
  let base: number;
  try {
    base = mem.allocate(Number(oh.ImageBase), size, true, PAGE_READWRITE, MEM_IMAGE);
  } catch {
    if ((pe.fileHeader.Characteristics & 1) !== 0 || pe.relocations.dir64.length === 0) {
      throw new LoaderError(STATUS_CONFLICTING_ADDRESSES, `${name} must load at 0x${oh.ImageBase.toString(16)}, which is taken, and it has no relocations`);
    }
    base = mem.allocate(0, size, true, PAGE_READWRITE, MEM_IMAGE);
  }
  mem.write(base, bytes.subarray(0, Math.min(oh.SizeOfHeaders, bytes.length)));
  for (const s of pe.sections) {
    if (s.fileSize > 0) mem.write(base + s.VirtualAddress, bytes.subarray(s.PointerToRawData, s.PointerToRawData + s.fileSize));
  }
  const delta = BigInt(base) - oh.ImageBase;
  if (delta !== 0n) {
    for (const rva of pe.relocations.dir64) mem.setU64(base + rva, mem.u64(base + rva) + delta);
    // The headers record where the image really is (GetModuleHandle users read it).
    mem.setU64(base + pe.dosHeader.e_lfanew + 24 + 24, BigInt(base));
  }
  return base;
}

/** Headers read-only, each section as its characteristics say (after imports are bound). */
export function protectImage(mem: AddressSpace, base: number, pe: LoadableImage): void {
  mem.protect(base, pe.optionalHeader.SizeOfHeaders || 0x1000, PAGE_READONLY);
  for (const s of pe.sections) {
    if (s.mappedSize === 0) continue;
    const c = s.Characteristics;
    const x = (c & IMAGE_SCN_MEM_EXECUTE) !== 0;
    const w = (c & IMAGE_SCN_MEM_WRITE) !== 0;
    const p = x ? (w ? PAGE_EXECUTE_READWRITE : PAGE_EXECUTE_READ) : w ? PAGE_READWRITE : PAGE_READONLY;
    mem.protect(base + s.VirtualAddress, s.mappedSize, p);
  }
}
