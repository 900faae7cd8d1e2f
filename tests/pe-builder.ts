/**
 * Builds small PE32+ images byte by byte for edge-case tests: headers with chosen values,
 * sections with chosen contents, and data directories pointing wherever a test wants.
 * Deliberately independent of src/pe: it writes the winnt.h layouts from the PE/COFF spec.
 */

export interface BuildSection {
  name: string;
  /** RVA; default: after the previous section, aligned. */
  va?: number;
  /** Contents in the file (SizeOfRawData = data.length rounded up to FileAlignment). */
  data?: Uint8Array;
  /** Misc.VirtualSize; default data.length. */
  virtualSize?: number;
  /** Override SizeOfRawData (e.g. larger than VirtualSize). */
  rawSize?: number;
  characteristics?: number;
}

export interface BuildOptions {
  machine?: number;
  magic?: number;
  characteristics?: number;
  sectionAlignment?: number;
  fileAlignment?: number;
  imageBase?: bigint;
  entryPoint?: number;
  subsystem?: number;
  dllCharacteristics?: number;
  /** Override the computed SizeOfImage. */
  sizeOfImage?: number;
  numberOfRvaAndSizes?: number;
  sections?: BuildSection[];
  /** Data directories by index: [rva, size]. */
  directories?: Record<number, [number, number]>;
  /** Offset of the NT headers; default 0x80. */
  lfanew?: number;
}

export const SCN_CODE_RX = 0x60000020;
export const SCN_DATA_R = 0x40000040;
export const SCN_DATA_RW = 0xc0000040;

const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;

export function buildPe(o: BuildOptions = {}): Uint8Array {
  const sa = o.sectionAlignment ?? 0x1000;
  const fa = o.fileAlignment ?? 0x200;
  const lfanew = o.lfanew ?? 0x80;
  const sections = o.sections ?? [];
  const nsec = sections.length;
  const optSize = 240;
  const headersEnd = lfanew + 4 + 20 + optSize + 40 * nsec;
  const sizeOfHeaders = alignUp(headersEnd, fa);
  // Place sections.
  let va = alignUp(sizeOfHeaders, sa);
  let raw = sizeOfHeaders;
  const placed = sections.map((s) => {
    const data = s.data ?? new Uint8Array(0);
    const sva = s.va ?? va;
    const vsize = s.virtualSize ?? data.length;
    const rawSize = s.rawSize ?? alignUp(data.length, fa);
    // With SectionAlignment below the page size, file offsets equal RVAs.
    const rawPtr = rawSize === 0 ? 0 : sa < 0x1000 ? sva : raw;
    if (rawSize !== 0) raw = Math.max(raw, rawPtr + rawSize);
    va = alignUp(sva + Math.max(vsize, 1), sa);
    return { s, data, sva, vsize, rawSize, rawPtr };
  });
  const sizeOfImage = o.sizeOfImage ?? va;
  const buf = new Uint8Array(Math.max(raw, sizeOfHeaders));
  const dv = new DataView(buf.buffer);
  // IMAGE_DOS_HEADER
  dv.setUint16(0, 0x5a4d, true);
  dv.setUint32(0x3c, lfanew, true);
  // Signature + IMAGE_FILE_HEADER
  dv.setUint32(lfanew, 0x00004550, true);
  const fh = lfanew + 4;
  dv.setUint16(fh, o.machine ?? 0x8664, true);
  dv.setUint16(fh + 2, nsec, true);
  dv.setUint16(fh + 16, optSize, true);
  dv.setUint16(fh + 18, o.characteristics ?? 0x0022, true);
  // IMAGE_OPTIONAL_HEADER64
  const oh = fh + 20;
  dv.setUint16(oh, o.magic ?? 0x20b, true);
  dv.setUint32(oh + 16, o.entryPoint ?? 0, true);
  dv.setBigUint64(oh + 24, o.imageBase ?? 0x140000000n, true);
  dv.setUint32(oh + 32, sa, true);
  dv.setUint32(oh + 36, fa, true);
  dv.setUint16(oh + 48, 6, true); // MajorSubsystemVersion
  dv.setUint32(oh + 56, sizeOfImage, true);
  dv.setUint32(oh + 60, sizeOfHeaders, true);
  dv.setUint16(oh + 68, o.subsystem ?? 3, true);
  dv.setUint16(oh + 70, o.dllCharacteristics ?? 0x8160, true);
  dv.setBigUint64(oh + 72, 0x100000n, true);
  dv.setBigUint64(oh + 80, 0x1000n, true);
  dv.setBigUint64(oh + 88, 0x100000n, true);
  dv.setBigUint64(oh + 96, 0x1000n, true);
  dv.setUint32(oh + 108, o.numberOfRvaAndSizes ?? 16, true);
  for (const [idx, [rva, size]] of Object.entries(o.directories ?? {})) {
    dv.setUint32(oh + 112 + 8 * Number(idx), rva, true);
    dv.setUint32(oh + 112 + 8 * Number(idx) + 4, size, true);
  }
  // Section table and raw data
  let st = oh + optSize;
  for (const p of placed) {
    for (let i = 0; i < 8 && i < p.s.name.length; i++) buf[st + i] = p.s.name.charCodeAt(i);
    dv.setUint32(st + 8, p.vsize, true);
    dv.setUint32(st + 12, p.sva, true);
    dv.setUint32(st + 16, p.rawSize, true);
    dv.setUint32(st + 20, p.rawPtr, true);
    dv.setUint32(st + 36, p.s.characteristics ?? SCN_DATA_R, true);
    if (p.rawSize !== 0) buf.set(p.data.subarray(0, Math.min(p.data.length, buf.length - p.rawPtr)), p.rawPtr);
    st += 40;
  }
  return buf;
}

/** A growable little-endian byte buffer for composing section contents at known offsets. */
export class Blob {
  bytes: Uint8Array;
  private dv: DataView;
  constructor(size: number) {
    this.bytes = new Uint8Array(size);
    this.dv = new DataView(this.bytes.buffer);
  }
  u8(off: number, v: number): this {
    this.dv.setUint8(off, v);
    return this;
  }
  u16(off: number, v: number): this {
    this.dv.setUint16(off, v, true);
    return this;
  }
  u32(off: number, v: number): this {
    this.dv.setUint32(off, v >>> 0, true);
    return this;
  }
  u64(off: number, v: bigint): this {
    this.dv.setBigUint64(off, v, true);
    return this;
  }
  /** ASCII string plus a NUL. */
  str(off: number, s: string): this {
    for (let i = 0; i < s.length; i++) this.bytes[off + i] = s.charCodeAt(i);
    this.bytes[off + s.length] = 0;
    return this;
  }
  /** UTF-16LE counted string (IMAGE_RESOURCE_DIR_STRING_U). */
  ustr(off: number, s: string): this {
    this.u16(off, s.length);
    for (let i = 0; i < s.length; i++) this.u16(off + 2 + 2 * i, s.charCodeAt(i));
    return this;
  }
}

/** Deterministic PRNG (mulberry32) for fuzzing with a fixed seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
