/**
 * Writes tests/fixtures/malformed/: corrupted copies of the fixtures, one defect each, and
 * expected.json naming the PeError kind each must produce (what the defect is, decided here
 * by the defect's nature, not by running the parser). Run by `npm run fixtures`.
 */
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { parseHeaders, PeView, type PeErrorKind } from '../src/pe/index.js';

const ROOT = new URL('../../', import.meta.url);
const BIN = new URL('tests/fixtures/bin/', ROOT);
const OUT = new URL('tests/fixtures/malformed/', ROOT);

interface Case {
  name: string;
  kind: PeErrorKind;
  why: string;
  bytes: Uint8Array;
}
const cases: Case[] = [];

function load(name: string): Uint8Array {
  return new Uint8Array(readFileSync(new URL(name, BIN)));
}

/** A copy of `src` changed by `edit`, which gets a DataView and layout facts. */
function mutate(src: Uint8Array, edit: (dv: DataView, f: Facts, b: Uint8Array) => void): Uint8Array {
  const b = src.slice();
  edit(new DataView(b.buffer), facts(b), b);
  return b;
}

interface Facts {
  lfanew: number;
  fileHeader: number;
  optionalHeader: number;
  sectionTable: number;
  view: PeView;
  /** File offset of data directory `i`'s RVA field. */
  dirEntry(i: number): number;
  /** File offset holding RVA `rva`. */
  at(rva: number): number;
}

function facts(b: Uint8Array): Facts {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const lfanew = dv.getUint32(0x3c, true);
  const fileHeader = lfanew + 4;
  const optionalHeader = fileHeader + 20;
  const sectionTable = optionalHeader + dv.getUint16(fileHeader + 16, true);
  const view = new PeView(b, parseHeaders(b));
  return {
    lfanew,
    fileHeader,
    optionalHeader,
    sectionTable,
    view,
    dirEntry: (i) => optionalHeader + 112 + 8 * i,
    at: (rva) => {
      const off = view.rvaToOffset(rva);
      if (off < 0) throw new Error(`RVA 0x${rva.toString(16)} is not in the file`);
      return off;
    },
  };
}

function add(name: string, kind: PeErrorKind, why: string, bytes: Uint8Array): void {
  cases.push({ name, kind, why, bytes });
}

const hello = load('hello.exe');
const dll = load('exports.dll');
const tls = load('tls.exe');
const res = load('resources.exe');
const H = facts(hello);
const u32 = (b: Uint8Array, off: number): number => new DataView(b.buffer, b.byteOffset).getUint32(off, true);

// --- Truncation at each header boundary ---------------------------------------------------
add('trunc-empty.exe', 'BadMagic', 'empty file', hello.slice(0, 0));
add('trunc-1.exe', 'BadMagic', 'one byte: no MZ signature', hello.slice(0, 1));
add('trunc-dos.exe', 'Truncated', 'cut inside the DOS header', hello.slice(0, 0x20));
add('trunc-after-dos.exe', 'BadHeader', 'cut after the DOS header: e_lfanew points past the end', hello.slice(0, 0x40));
add('trunc-signature.exe', 'Truncated', 'cut inside the PE signature', hello.slice(0, H.lfanew + 2));
add('trunc-file-header.exe', 'Truncated', 'cut inside the COFF file header', hello.slice(0, H.fileHeader + 10));
add('trunc-optional-magic.exe', 'Truncated', 'cut before the optional header', hello.slice(0, H.optionalHeader));
add('trunc-optional.exe', 'Truncated', 'cut inside the optional header', hello.slice(0, H.optionalHeader + 100));
add('trunc-directories.exe', 'Truncated', 'cut inside the data directories', hello.slice(0, H.optionalHeader + 112 + 20));
add('trunc-section-table.exe', 'Truncated', 'cut inside the section table', hello.slice(0, H.sectionTable + 60));
add('trunc-headers-end.exe', 'Truncated', 'cut at SizeOfHeaders: no section data', hello.slice(0, u32(hello, H.optionalHeader + 60)));
add('trunc-section-data.exe', 'Truncated', 'cut inside the first section', hello.slice(0, u32(hello, H.optionalHeader + 60) + 0x100));
// The last section (.reloc) has 0x200 bytes of raw data of which VirtualSize uses less; cut
// into the used part (missing file padding alone is harmless, as on Windows).
add('trunc-last-section.exe', 'Truncated', 'cut inside the last section\'s data', hello.slice(0, hello.length - 0x200 + 0x40));

// --- Signatures and headers ------------------------------------------------------------------
add('bad-mz.exe', 'BadMagic', 'MZ signature altered', mutate(hello, (dv) => dv.setUint16(0, 0x584d, true)));
add('bad-pe-signature.exe', 'BadMagic', 'PE signature altered', mutate(hello, (dv, f) => dv.setUint32(f.lfanew, 0x00004551, true)));
add('bad-optional-magic.exe', 'BadMagic', 'optional header magic 0x30b', mutate(hello, (dv, f) => dv.setUint16(f.optionalHeader, 0x30b, true)));
add('lfanew-past-end.exe', 'BadHeader', 'e_lfanew beyond the end of the file', mutate(hello, (dv, _f, b) => dv.setUint32(0x3c, b.length + 0x1000, true)));
add('machine-i386.exe', 'Unsupported', 'machine i386: a 32-bit program', mutate(hello, (dv, f) => dv.setUint16(f.fileHeader, 0x14c, true)));
add('machine-arm64.exe', 'Unsupported', 'machine ARM64', mutate(hello, (dv, f) => dv.setUint16(f.fileHeader, 0xaa64, true)));
add('pe32-magic.exe', 'Unsupported', 'PE32 optional header magic with machine x86-64', mutate(hello, (dv, f) => dv.setUint16(f.optionalHeader, 0x10b, true)));
add('not-executable.exe', 'BadHeader', 'IMAGE_FILE_EXECUTABLE_IMAGE clear (an object file)', mutate(hello, (dv, f) => dv.setUint16(f.fileHeader + 18, dv.getUint16(f.fileHeader + 18, true) & ~2, true)));
add('small-optional-header.exe', 'BadHeader', 'SizeOfOptionalHeader smaller than the PE32+ header', mutate(hello, (dv, f) => dv.setUint16(f.fileHeader + 16, 64, true)));
add('file-alignment.exe', 'BadHeader', 'FileAlignment 0x300 is not a power of two', mutate(hello, (dv, f) => dv.setUint32(f.optionalHeader + 36, 0x300, true)));
add('size-of-image-zero.exe', 'BadHeader', 'SizeOfImage 0', mutate(hello, (dv, f) => dv.setUint32(f.optionalHeader + 56, 0, true)));
add('image-base-unaligned.exe', 'BadHeader', 'ImageBase not 64 KiB aligned', mutate(hello, (dv, f) => dv.setBigUint64(f.optionalHeader + 24, 0x140001000n, true)));
add('entry-outside.exe', 'BadHeader', 'AddressOfEntryPoint beyond SizeOfImage', mutate(hello, (dv, f) => dv.setUint32(f.optionalHeader + 16, 0x7fffff00, true)));
add('absurd-section-count.exe', 'BadHeader', 'NumberOfSections 0xffff', mutate(hello, (dv, f) => dv.setUint16(f.fileHeader + 2, 0xffff, true)));
add('section-table-past-end.exe', 'Truncated', 'SizeOfOptionalHeader moves the section table past the end', mutate(hello, (dv, f) => dv.setUint16(f.fileHeader + 16, 0xfff0, true)));

// --- Sections ------------------------------------------------------------------------------
add('overlapping-sections.exe', 'BadSection', 'second section starts inside the first', mutate(hello, (dv, f) => dv.setUint32(f.sectionTable + 40 + 12, dv.getUint32(f.sectionTable + 12, true), true)));
add('section-past-image.exe', 'BadSection', 'first section VirtualSize runs past SizeOfImage', mutate(hello, (dv, f) => dv.setUint32(f.sectionTable + 8, 0x7fff0000, true)));
add('section-raw-past-end.exe', 'Truncated', 'first section raw data pointer past the end of the file', mutate(hello, (dv, f, b) => dv.setUint32(f.sectionTable + 20, b.length, true)));
add('section-unaligned.exe', 'BadSection', 'first section VirtualAddress not aligned', mutate(hello, (dv, f) => dv.setUint32(f.sectionTable + 12, dv.getUint32(f.sectionTable + 12, true) + 0x10, true)));

// --- Directories: RVAs out of range ---------------------------------------------------------
add('import-dir-outside.exe', 'BadRva', 'import directory RVA beyond the image', mutate(hello, (dv, f) => dv.setUint32(f.dirEntry(1), 0x7ffffff0, true)));
add('import-name-outside.exe', 'BadRva', 'imported DLL name RVA beyond the image', mutate(hello, (dv, f) => dv.setUint32(f.at(dv.getUint32(f.dirEntry(1), true)) + 12, 0x7ffffff0, true)));
add('import-function-name-outside.exe', 'BadRva', 'import-by-name RVA in the lookup table beyond the image', mutate(hello, (dv, f) => {
  const desc = f.at(dv.getUint32(f.dirEntry(1), true));
  dv.setBigUint64(f.at(dv.getUint32(desc, true)), 0x7ffffff0n, true);
}));
add('import-unterminated.exe', 'BadRva', 'import lookup table with no terminating 0 within its section', mutate(hello, (dv, f, b) => {
  // Fill the first lookup table and everything after it in .idata with a valid by-ordinal entry.
  const desc = f.at(dv.getUint32(f.dirEntry(1), true));
  const ilt = dv.getUint32(desc, true);
  const start = f.at(ilt);
  const end = start + f.view.bytesAvailable(ilt);
  for (let o = start; o + 8 <= end && o + 8 <= b.length; o += 8) dv.setBigUint64(o, 0x8000000000000001n, true);
}));
add('export-name-outside.dll', 'BadRva', 'export name pointer beyond the image', mutate(dll, (dv, f) => dv.setUint32(f.at(dv.getUint32(f.at(dv.getUint32(f.dirEntry(0), true)) + 32, true)), 0x7ffffff0, true)));
add('export-absurd-count.dll', 'BadCount', 'export NumberOfFunctions 0xffff is larger than its table', mutate(dll, (dv, f) => dv.setUint32(f.at(dv.getUint32(f.dirEntry(0), true)) + 20, 0xffff, true)));
add('export-huge-count.dll', 'BadCount', 'export NumberOfFunctions 0xffffffff', mutate(dll, (dv, f) => dv.setUint32(f.at(dv.getUint32(f.dirEntry(0), true)) + 20, 0xffffffff, true)));
add('export-bad-ordinal-index.dll', 'BadExport', 'a name ordinal past NumberOfFunctions', mutate(dll, (dv, f) => dv.setUint16(f.at(dv.getUint32(f.at(dv.getUint32(f.dirEntry(0), true)) + 36, true)), 0x200, true)));
add('forwarder-loop.dll', 'ForwarderLoop', 'forwarder rewritten to point at its own ordinal (exports.#10)', mutate(dll, (_dv, f, b) => {
  const text = 'KERNEL32.GetTickCount';
  const i = Buffer.from(b).indexOf(text);
  if (i < 0) throw new Error('forwarder string not found');
  b.set(Buffer.from('exports.#10\0'), i);
  void f;
}));
add('tls-callback-outside.exe', 'BadRva', 'TLS callback VA beyond the image', mutate(tls, (dv, f) => {
  const dir = f.at(dv.getUint32(f.dirEntry(9), true));
  const cbRva = Number(dv.getBigUint64(dir + 24, true) - dv.getBigUint64(f.optionalHeader + 24, true));
  dv.setBigUint64(f.at(cbRva), 0x7fffffff0000n, true);
}));
add('tls-template-reversed.exe', 'BadRva', 'TLS template ends before it starts', mutate(tls, (dv, f) => {
  const dir = f.at(dv.getUint32(f.dirEntry(9), true));
  dv.setBigUint64(dir + 8, dv.getBigUint64(dir, true) - 0x100n, true);
}));

// --- Relocations ------------------------------------------------------------------------------
add('reloc-block-past-end.exe', 'BadRelocation', 'first relocation block SizeOfBlock past the directory', mutate(hello, (dv, f) => dv.setUint32(f.at(dv.getUint32(f.dirEntry(5), true)) + 4, 0x7ffffff0, true)));
add('reloc-block-tiny.exe', 'BadRelocation', 'relocation block SizeOfBlock 4 (less than its header)', mutate(hello, (dv, f) => dv.setUint32(f.at(dv.getUint32(f.dirEntry(5), true)) + 4, 4, true)));
add('reloc-highlow.exe', 'BadRelocation', 'a HIGHLOW relocation in an x86-64 image', mutate(hello, (dv, f) => {
  const blk = f.at(dv.getUint32(f.dirEntry(5), true));
  dv.setUint16(blk + 8, (3 << 12) | (dv.getUint16(blk + 8, true) & 0xfff), true);
}));
add('reloc-target-outside.exe', 'BadRva', 'relocation block page RVA beyond the image', mutate(hello, (dv, f) => dv.setUint32(f.at(dv.getUint32(f.dirEntry(5), true)), 0x7fff0000, true)));

// --- Exception directory ------------------------------------------------------------------------
add('unwind-version.exe', 'BadUnwind', 'first UNWIND_INFO version 5', mutate(hello, (dv, f, b) => {
  const rf = f.at(dv.getUint32(f.dirEntry(3), true));
  const ui = f.at(dv.getUint32(rf + 8, true));
  b[ui] = (b[ui]! & 0xf8) | 5;
}));
add('unwind-range.exe', 'BadUnwind', 'first RUNTIME_FUNCTION ends before it begins', mutate(hello, (dv, f) => {
  const rf = f.at(dv.getUint32(f.dirEntry(3), true));
  dv.setUint32(rf + 4, dv.getUint32(rf, true) - 1, true);
}));
add('unwind-unsorted.exe', 'BadUnwind', 'RUNTIME_FUNCTION entries out of order', mutate(hello, (dv, f) => {
  const rf = f.at(dv.getUint32(f.dirEntry(3), true));
  dv.setUint32(rf + 12, dv.getUint32(rf, true), true);
}));
add('unwind-data-outside.exe', 'BadRva', 'first RUNTIME_FUNCTION UnwindData beyond the image', mutate(hello, (dv, f) => dv.setUint32(f.at(dv.getUint32(f.dirEntry(3), true)) + 8, 0x7ffffff0, true)));

// --- Resources ----------------------------------------------------------------------------------
add('resource-cycle.exe', 'ResourceCycle', 'first subdirectory entry of the root points back at the root', mutate(res, (dv, f) => {
  const root = f.at(dv.getUint32(f.dirEntry(2), true));
  dv.setUint32(root + 16 + 4, 0x80000000, true);
}));
add('resource-absurd-count.exe', 'BadCount', 'root resource directory claims 0xffff ID entries', mutate(res, (dv, f) => dv.setUint16(f.at(dv.getUint32(f.dirEntry(2), true)) + 14, 0xffff, true)));
add('resource-data-outside.exe', 'BadRva', 'a resource data entry RVA beyond the image', mutate(res, (dv, f) => {
  // Root → first type → first name → first language: a data entry.
  const base = f.at(dv.getUint32(f.dirEntry(2), true));
  let dir = base;
  for (let level = 0; level < 2; level++) dir = base + (dv.getUint32(dir + 16 + 4, true) & 0x7fffffff);
  const data = base + dv.getUint32(dir + 16 + 4, true);
  dv.setUint32(data, 0x7ffffff0, true);
}));

rmSync(OUT, { recursive: true, force: true });
mkdirSync(OUT, { recursive: true });
const expected: Record<string, { kind: PeErrorKind; why: string }> = {};
for (const c of cases) {
  writeFileSync(new URL(c.name, OUT), c.bytes);
  expected[c.name] = { kind: c.kind, why: c.why };
}
writeFileSync(new URL('expected.json', OUT), JSON.stringify(expected, null, 2) + '\n');
process.stdout.write(`wrote ${cases.length} malformed samples to ${OUT.pathname} (${readdirSync(OUT).length - 1} files)\n`);
