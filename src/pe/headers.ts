/**
 * DOS header, NT headers, optional header, data directories and section table, validated the
 * way the Windows loader validates them, plus the RVA ↔ file offset mapping (PeView).
 */
import {
  IMAGE_DOS_SIGNATURE,
  IMAGE_FILE_EXECUTABLE_IMAGE,
  IMAGE_FILE_MACHINE_AMD64,
  IMAGE_FILE_MACHINE_I386,
  IMAGE_NT_OPTIONAL_HDR32_MAGIC,
  IMAGE_NT_OPTIONAL_HDR64_MAGIC,
  IMAGE_NT_SIGNATURE,
  IMAGE_NUMBEROF_DIRECTORY_ENTRIES,
  IMAGE_ROM_OPTIONAL_HDR_MAGIC,
  machineName,
} from './constants.js';
import { PeError, hex } from './errors.js';
import { ByteReader } from './reader.js';
import {
  IMAGE_DATA_DIRECTORY,
  IMAGE_DOS_HEADER,
  IMAGE_FILE_HEADER,
  IMAGE_OPTIONAL_HEADER64,
  IMAGE_SECTION_HEADER,
} from './structs.js';

export type DosHeader = ReturnType<typeof IMAGE_DOS_HEADER.read>;
export type FileHeader = ReturnType<typeof IMAGE_FILE_HEADER.read>;
export type OptionalHeader64 = ReturnType<typeof IMAGE_OPTIONAL_HEADER64.read>;
export type SectionHeaderRaw = ReturnType<typeof IMAGE_SECTION_HEADER.read>;

export interface DataDirectory {
  readonly VirtualAddress: number;
  readonly Size: number;
}

export interface Section extends Omit<SectionHeaderRaw, 'Name'> {
  /** The section name: the 8-byte field without padding, or the long name from the COFF
   *  string table for names of the form `/123`. */
  readonly name: string;
  /** Bytes the section occupies in the image from VirtualAddress (VirtualSize, or
   *  SizeOfRawData when VirtualSize is 0), before rounding to SectionAlignment. */
  readonly mappedSize: number;
  /** Of those, the bytes that come from the file; the rest of the mapping is zero-filled. */
  readonly fileSize: number;
}

export interface PeHeaders {
  readonly dosHeader: DosHeader;
  readonly fileHeader: FileHeader;
  readonly optionalHeader: OptionalHeader64;
  /** Always 16 entries; those beyond NumberOfRvaAndSizes are zero. */
  readonly dataDirectories: readonly DataDirectory[];
  readonly sections: readonly Section[];
  /** File offset of the section table. */
  readonly sectionTableOffset: number;
}

/** Windows refuses images with more sections than this. */
export const MAX_SECTIONS = 96;
/** Largest SizeOfImage accepted: Windows caps images below 4 GiB; real ones are far smaller. */
export const MAX_SIZE_OF_IMAGE = 0x80000000;
const PAGE_SIZE = 0x1000;

function isPowerOfTwo(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

export function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

function sectionName(r: ByteReader, raw: Uint8Array, fh: FileHeader): string {
  let name = '';
  for (const c of raw) {
    if (c === 0) break;
    name += String.fromCharCode(c);
  }
  // "/123": offset into the COFF string table (linkers emit these for long names such as
  // .debug_info in unstripped images). Resolve it when the table is there; otherwise keep it.
  const m = /^\/(\d+)$/.exec(name);
  if (m && fh.PointerToSymbolTable !== 0) {
    const table = fh.PointerToSymbolTable + fh.NumberOfSymbols * 18;
    const off = table + Number(m[1]);
    if (table + 4 <= r.length && off < r.length) {
      try {
        return r.cstring(off, r.length, 'long section name');
      } catch {
        return name;
      }
    }
  }
  return name;
}

/** Parses and validates everything up to and including the section table. */
export function parseHeaders(bytes: Uint8Array): PeHeaders {
  const r = new ByteReader(bytes);
  if (r.length < 2 || r.u16(0) !== IMAGE_DOS_SIGNATURE) {
    throw new PeError('BadMagic', 'not a Windows executable (no MZ signature)');
  }
  const dosHeader = IMAGE_DOS_HEADER.read(r, 0, 'DOS header');
  const lfanew = dosHeader.e_lfanew;
  if (lfanew >= r.length || lfanew < 4) {
    throw new PeError('BadHeader', `e_lfanew (${hex(lfanew)}) points outside the file (${hex(r.length)} bytes)`);
  }
  r.check(lfanew, 4, 'PE signature');
  if (r.u32(lfanew) !== IMAGE_NT_SIGNATURE) {
    throw new PeError('BadMagic', 'not a PE image (MZ header without a PE signature: a DOS or NE/LE program?)');
  }
  const fileHeader = IMAGE_FILE_HEADER.read(r, lfanew + 4, 'COFF file header');
  if (fileHeader.Machine !== IMAGE_FILE_MACHINE_AMD64) {
    const what = fileHeader.Machine === IMAGE_FILE_MACHINE_I386 ? '32-bit Windows' : `${machineName(fileHeader.Machine)}`;
    throw new PeError('Unsupported', `${what} programs are not supported (machine ${machineName(fileHeader.Machine)}); winrun runs x86-64 (PE32+) images`);
  }
  if ((fileHeader.Characteristics & IMAGE_FILE_EXECUTABLE_IMAGE) === 0) {
    throw new PeError('BadHeader', 'the image is not marked executable (IMAGE_FILE_EXECUTABLE_IMAGE is clear; an object file?)');
  }
  const optOff = lfanew + 4 + IMAGE_FILE_HEADER.size;
  const optSize = fileHeader.SizeOfOptionalHeader;
  r.check(optOff, 2, 'optional header');
  const magic = r.u16(optOff);
  if (magic === IMAGE_NT_OPTIONAL_HDR32_MAGIC || magic === IMAGE_ROM_OPTIONAL_HDR_MAGIC) {
    throw new PeError('Unsupported', `${magic === IMAGE_ROM_OPTIONAL_HDR_MAGIC ? 'ROM' : '32-bit PE32'} optional header with machine x86-64 is not supported; winrun runs PE32+ images`);
  }
  if (magic !== IMAGE_NT_OPTIONAL_HDR64_MAGIC) {
    throw new PeError('BadMagic', `unknown optional header magic ${hex(magic)} (PE32+ is 0x20b)`);
  }
  if (optSize < IMAGE_OPTIONAL_HEADER64.size) {
    throw new PeError('BadHeader', `SizeOfOptionalHeader (${optSize}) is smaller than the PE32+ optional header (${IMAGE_OPTIONAL_HEADER64.size})`);
  }
  const optionalHeader = IMAGE_OPTIONAL_HEADER64.read(r, optOff, 'PE32+ optional header');
  const oh = optionalHeader;

  // Data directories: NumberOfRvaAndSizes may claim more than 16 or more than the optional
  // header holds; Windows uses at most 16, and only those inside SizeOfOptionalHeader.
  const dirCount = Math.min(oh.NumberOfRvaAndSizes, IMAGE_NUMBEROF_DIRECTORY_ENTRIES, Math.floor((optSize - IMAGE_OPTIONAL_HEADER64.size) / IMAGE_DATA_DIRECTORY.size));
  const dataDirectories: DataDirectory[] = [];
  for (let i = 0; i < IMAGE_NUMBEROF_DIRECTORY_ENTRIES; i++) {
    if (i < dirCount) {
      const d = IMAGE_DATA_DIRECTORY.read(r, optOff + IMAGE_OPTIONAL_HEADER64.size + i * IMAGE_DATA_DIRECTORY.size, 'data directory');
      dataDirectories.push({ VirtualAddress: d.VirtualAddress, Size: d.Size });
    } else {
      dataDirectories.push({ VirtualAddress: 0, Size: 0 });
    }
  }

  const sa = oh.SectionAlignment;
  const fa = oh.FileAlignment;
  if (!isPowerOfTwo(sa) || !isPowerOfTwo(fa) || fa > sa) {
    throw new PeError('BadHeader', `invalid alignment: SectionAlignment ${hex(sa)}, FileAlignment ${hex(fa)} (both powers of two, FileAlignment ≤ SectionAlignment)`);
  }
  if (sa < PAGE_SIZE && fa !== sa) {
    throw new PeError('BadHeader', `SectionAlignment ${hex(sa)} is below the page size, so FileAlignment must equal it (it is ${hex(fa)})`);
  }
  if (oh.SizeOfImage === 0 || oh.SizeOfImage > MAX_SIZE_OF_IMAGE) {
    throw new PeError('BadHeader', `SizeOfImage ${hex(oh.SizeOfImage)} is out of range`);
  }
  if (oh.SizeOfHeaders > oh.SizeOfImage) {
    throw new PeError('BadHeader', `SizeOfHeaders ${hex(oh.SizeOfHeaders)} is larger than SizeOfImage ${hex(oh.SizeOfImage)}`);
  }
  if (oh.ImageBase % 0x10000n !== 0n || oh.ImageBase + BigInt(oh.SizeOfImage) > 0xffffffffffffffffn) {
    throw new PeError('BadHeader', `ImageBase ${hex(oh.ImageBase)} is not 64 KiB aligned or the image wraps around the address space`);
  }
  if (oh.AddressOfEntryPoint >= oh.SizeOfImage) {
    throw new PeError('BadHeader', `AddressOfEntryPoint ${hex(oh.AddressOfEntryPoint)} lies outside the image (SizeOfImage ${hex(oh.SizeOfImage)})`);
  }
  if (fileHeader.NumberOfSections > MAX_SECTIONS) {
    throw new PeError('BadHeader', `NumberOfSections ${fileHeader.NumberOfSections} is more than Windows allows (${MAX_SECTIONS})`);
  }

  const sectionTableOffset = optOff + optSize;
  const nsec = fileHeader.NumberOfSections;
  r.check(sectionTableOffset, nsec * IMAGE_SECTION_HEADER.size, 'section table');
  const sections: Section[] = [];
  const headerEnd = alignUp(oh.SizeOfHeaders, sa);
  let prevEnd = headerEnd;
  let prevName = 'the headers';
  for (let i = 0; i < nsec; i++) {
    const raw = IMAGE_SECTION_HEADER.read(r, sectionTableOffset + i * IMAGE_SECTION_HEADER.size, 'section header');
    const { Name, ...fields } = raw;
    const name = sectionName(r, Name, fileHeader);
    const mappedSize = raw.VirtualSize !== 0 ? raw.VirtualSize : raw.SizeOfRawData;
    const fileSize = Math.min(raw.SizeOfRawData, mappedSize);
    const va = raw.VirtualAddress;
    if (va % sa !== 0) {
      throw new PeError('BadSection', `section ${name} starts at ${hex(va)}, not a multiple of SectionAlignment ${hex(sa)}`);
    }
    if (va < prevEnd) {
      throw new PeError('BadSection', `section ${name} (${hex(va)}) overlaps ${prevName} (which ends at ${hex(prevEnd)}) or is out of order`);
    }
    if (va + mappedSize > oh.SizeOfImage) {
      throw new PeError('BadSection', `section ${name} (${hex(va)}..${hex(va + mappedSize)}) extends past SizeOfImage ${hex(oh.SizeOfImage)}`);
    }
    if (fileSize > 0 && raw.PointerToRawData + fileSize > r.length) {
      throw new PeError('Truncated', `section ${name} raw data (file ${hex(raw.PointerToRawData)}..${hex(raw.PointerToRawData + fileSize)}) lies past the end of the file (${hex(r.length)} bytes)`);
    }
    prevEnd = alignUp(va + mappedSize, sa);
    prevName = `section ${name}`;
    sections.push({ ...fields, name, mappedSize, fileSize });
  }
  return { dosHeader, fileHeader, optionalHeader, dataDirectories, sections, sectionTableOffset };
}

/**
 * The image's bytes seen through its RVAs: which file offset holds a given RVA, bounded
 * reads at RVAs, and VA → RVA conversion. Directory parsers read only through this.
 */
export class PeView {
  readonly r: ByteReader;
  readonly imageBase: bigint;
  readonly sizeOfImage: number;
  private readonly headerFileSize: number;
  private readonly secStart: number[];
  private readonly secEnd: number[];
  private readonly secFileEnd: number[];
  private readonly secRaw: number[];

  constructor(
    bytes: Uint8Array,
    readonly headers: PeHeaders,
  ) {
    this.r = new ByteReader(bytes);
    this.imageBase = headers.optionalHeader.ImageBase;
    this.sizeOfImage = headers.optionalHeader.SizeOfImage;
    this.headerFileSize = Math.min(headers.optionalHeader.SizeOfHeaders, bytes.byteLength);
    this.secStart = headers.sections.map((s) => s.VirtualAddress);
    this.secEnd = headers.sections.map((s) => s.VirtualAddress + s.mappedSize);
    this.secFileEnd = headers.sections.map((s) => s.VirtualAddress + s.fileSize);
    this.secRaw = headers.sections.map((s) => s.PointerToRawData);
  }

  /** File offset of `rva`, or -1 when the RVA is outside the image or in zero-fill. Also
   *  returns, through `limit`, the RVA where the file-backed run containing it ends. */
  private locate(rva: number): { off: number; end: number } | undefined {
    if (rva < 0 || rva >= this.sizeOfImage) return undefined;
    if (rva < this.headerFileSize && (this.secStart.length === 0 || rva < this.secStart[0]!)) {
      return { off: rva, end: Math.min(this.headerFileSize, this.secStart[0] ?? Infinity) };
    }
    const n = this.secStart.length;
    for (let i = 0; i < n; i++) {
      if (rva >= this.secStart[i]! && rva < this.secEnd[i]!) {
        if (rva >= this.secFileEnd[i]!) return undefined;
        return { off: this.secRaw[i]! + (rva - this.secStart[i]!), end: this.secFileEnd[i]! };
      }
    }
    return undefined;
  }

  /** File offset of `rva`, or -1 when it is not backed by file data. */
  rvaToOffset(rva: number): number {
    return this.locate(rva)?.off ?? -1;
  }

  /** Whether [rva, rva+len) lies inside the image (mapped, file-backed or not). */
  inImage(rva: number, len = 1): boolean {
    return rva >= 0 && len >= 0 && rva + len <= this.sizeOfImage;
  }

  /** File offset of `len` bytes at `rva`; they must all come from one file-backed run. */
  offsetOf(rva: number, len: number, what: string): number {
    if (len === 0) return 0; // nothing will be read
    const loc = this.locate(rva);
    if (!loc) {
      throw new PeError('BadRva', `${what} at RVA ${hex(rva)} lies outside the image's file data`);
    }
    if (rva + len > loc.end) {
      throw new PeError('BadRva', `${what} at RVA ${hex(rva)} (${len} bytes) runs past the end of its section data (RVA ${hex(loc.end)})`);
    }
    return loc.off;
  }

  /** How many bytes of file data follow `rva` contiguously (0 when not file-backed). */
  bytesAvailable(rva: number): number {
    const loc = this.locate(rva);
    return loc ? loc.end - rva : 0;
  }

  /** A NUL-terminated name at `rva`, which must end inside its file-backed run. */
  stringAt(rva: number, what: string): string {
    const loc = this.locate(rva);
    if (!loc) throw new PeError('BadRva', `${what} at RVA ${hex(rva)} lies outside the image's file data`);
    return this.r.cstring(loc.off, loc.off + (loc.end - rva), what);
  }

  /** Converts an absolute VA (as stored in TLS and load-config directories) to an RVA inside
   *  the image; a VA outside it is a BadRva error. */
  vaToRva(va: bigint, what: string): number {
    const rva = va - this.imageBase;
    if (rva < 0n || rva >= BigInt(this.sizeOfImage)) {
      throw new PeError('BadRva', `${what} ${hex(va)} lies outside the image (${hex(this.imageBase)}..${hex(this.imageBase + BigInt(this.sizeOfImage))})`);
    }
    return Number(rva);
  }

  directory(index: number): DataDirectory | undefined {
    const d = this.headers.dataDirectories[index];
    if (!d || d.VirtualAddress === 0 || d.Size === 0) return undefined;
    return d;
  }
}
