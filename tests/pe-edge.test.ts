// Edge cases on hand-made images (tests/pe-builder.ts writes them from the PE/COFF layouts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeUnwindInfo,
  isPeError,
  parseForwarder,
  parseHeaders,
  parsePe,
  PeView,
  type PeErrorKind,
} from '../src/pe/index.js';
import { Blob, buildPe, SCN_CODE_RX, SCN_DATA_RW } from './pe-builder.js';

function throwsKind(fn: () => unknown, kind: PeErrorKind, msg?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isPeError(e), `expected a PeError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    if (msg) assert.match(e.message, msg);
    return true;
  });
}

describe('section layouts', () => {
  it('accepts an image with zero sections (everything in the headers)', () => {
    const pe = parsePe(buildPe({ sections: [], sizeOfImage: 0x1000 }));
    assert.equal(pe.sections.length, 0);
    assert.equal(pe.imports.length, 0);
  });
  it('maps RVAs 1:1 to file offsets when SectionAlignment is below the page size', () => {
    const data = new Blob(0x40).str(0x10, 'low-alignment').bytes;
    const bytes = buildPe({ sectionAlignment: 0x200, fileAlignment: 0x200, sections: [{ name: '.data', data }] });
    const pe = parsePe(bytes);
    const s = pe.sections[0]!;
    assert.equal(s.VirtualAddress, s.PointerToRawData);
    const view = new PeView(bytes, parseHeaders(bytes));
    assert.equal(view.rvaToOffset(s.VirtualAddress + 0x10), s.VirtualAddress + 0x10);
    assert.equal(view.stringAt(s.VirtualAddress + 0x10, 'test'), 'low-alignment');
  });
  it('requires FileAlignment = SectionAlignment below the page size', () => {
    throwsKind(() => parsePe(buildPe({ sectionAlignment: 0x400, fileAlignment: 0x200, sections: [] , sizeOfImage: 0x1000 })), 'BadHeader');
  });
  it('maps only VirtualSize bytes of a section whose raw data is larger', () => {
    const data = new Blob(0x200).u32(0x8, 0xdeadbeef).u32(0x100, 0xcafef00d).bytes;
    const bytes = buildPe({ sections: [{ name: '.data', data, virtualSize: 0x10 }] });
    const pe = parsePe(bytes);
    const s = pe.sections[0]!;
    assert.equal(s.mappedSize, 0x10);
    assert.equal(s.fileSize, 0x10);
    const view = new PeView(bytes, parseHeaders(bytes));
    assert.equal(view.rvaToOffset(0x1008), s.PointerToRawData + 8);
    assert.equal(view.rvaToOffset(0x1100), -1, 'beyond VirtualSize: not part of the image');
  });
  it('treats the part of VirtualSize beyond the raw data as zero-fill', () => {
    const bytes = buildPe({ sections: [{ name: '.bss', data: new Uint8Array(0x200), virtualSize: 0x3000, characteristics: SCN_DATA_RW }] });
    const view = new PeView(bytes, parseHeaders(bytes));
    assert.ok(view.rvaToOffset(0x1100) > 0);
    assert.equal(view.rvaToOffset(0x2000), -1);
    assert.equal(view.bytesAvailable(0x1100), 0x100);
  });
  it('uses SizeOfRawData when VirtualSize is 0', () => {
    const pe = parsePe(buildPe({ sections: [{ name: '.text', data: new Uint8Array(0x400), virtualSize: 0, characteristics: SCN_CODE_RX }] }));
    assert.equal(pe.sections[0]!.mappedSize, 0x400);
  });
  it('rejects sections out of order', () => {
    throwsKind(() => parsePe(buildPe({ sections: [{ name: 'a', va: 0x2000, data: new Uint8Array(16) }, { name: 'b', va: 0x1000, data: new Uint8Array(16) }], sizeOfImage: 0x3000 })), 'BadSection');
  });
  it('caps data directories at NumberOfRvaAndSizes', () => {
    const data = new Blob(0x100).bytes;
    const pe = parsePe(buildPe({ numberOfRvaAndSizes: 1, directories: { 1: [0x1000, 0x28] }, sections: [{ name: '.idata', data }] }));
    assert.equal(pe.dataDirectories.length, 16);
    assert.equal(pe.dataDirectories[1]!.VirtualAddress, 0, 'import directory is beyond NumberOfRvaAndSizes');
    assert.equal(pe.imports.length, 0);
  });
});

/** One .idata section at RVA 0x1000 with an import directory for `dll` and the given thunks. */
function importImage(dll: string, thunks: bigint[], names: Record<number, string> = {}): Uint8Array {
  const b = new Blob(0x400);
  // descriptor at 0, null descriptor at 20; ILT at 0x40; IAT at 0x100; names at 0x200+
  b.u32(0, 0x1040).u32(12, 0x1300).u32(16, 0x1100);
  thunks.forEach((t, i) => b.u64(0x40 + 8 * i, t).u64(0x100 + 8 * i, t));
  for (const [rva, name] of Object.entries(names)) b.u16(Number(rva) - 0x1000, 7).str(Number(rva) - 0x1000 + 2, name);
  b.str(0x300, dll);
  return buildPe({ directories: { 1: [0x1000, 40] }, sections: [{ name: '.idata', data: b.bytes, characteristics: SCN_DATA_RW }] });
}

describe('imports', () => {
  it('reads imports by name (with hint) and by ordinal (bit 63)', () => {
    const pe = parsePe(importImage('ws2_32.dll', [0x1200n, 0x8000000000000017n], { 0x1200: 'WSAStartup' }));
    assert.deepEqual(pe.imports[0]!.dll, 'ws2_32.dll');
    assert.deepEqual(pe.imports[0]!.functions, [
      { name: 'WSAStartup', hint: 7, iatRva: 0x1100 },
      { ordinal: 23, iatRva: 0x1108 },
    ]);
  });
  it('rejects an ordinal import with bits set above the ordinal', () => {
    throwsKind(() => parsePe(importImage('x.dll', [0x8000000000010017n])), 'BadRva');
  });
  it('rejects a name that runs to the end of its section without a terminator', () => {
    const b = new Blob(0x200);
    b.u32(0, 0x1040).u32(12, 0x1100).u32(16, 0x1080);
    b.u64(0x40, 0x8000000000000001n).u64(0x80, 0x8000000000000001n);
    for (let i = 0x100; i < 0x200; i++) b.u8(i, 0x41); // "AAAA…" to the end of the section
    throwsKind(() => parsePe(buildPe({ directories: { 1: [0x1000, 40] }, sections: [{ name: '.idata', data: b.bytes }] })), 'BadString');
  });
});

/** An export directory in one section at RVA 0x1000. */
function exportImage(dllName: string, functions: (number | string)[], names: [string, number][], base = 1): Uint8Array {
  const b = new Blob(0x800);
  const nfun = functions.length;
  const eat = 0x40;
  const npt = eat + 4 * nfun;
  const eot = npt + 4 * names.length;
  let str = 0x400;
  const put = (s: string): number => {
    const at = str;
    b.str(at, s);
    str += s.length + 1;
    return 0x1000 + at;
  };
  b.u32(12, put(dllName)).u32(16, base).u32(20, nfun).u32(24, names.length);
  b.u32(28, 0x1000 + eat).u32(32, 0x1000 + npt).u32(36, 0x1000 + eot);
  // Forwarder strings must lie inside the directory: the directory spans the whole section.
  functions.forEach((f, i) => b.u32(eat + 4 * i, typeof f === 'number' ? f : put(f)));
  names.forEach(([n, idx], i) => b.u32(npt + 4 * i, put(n)).u16(eot + 2 * i, idx));
  return buildPe({ characteristics: 0x2022, directories: { 0: [0x1000, 0x800] }, sections: [{ name: '.edata', data: b.bytes }, { name: '.text', data: new Uint8Array(0x200), characteristics: SCN_CODE_RX }] });
}

describe('exports and forwarders', () => {
  it('splits forwarder strings at the last dot', () => {
    assert.deepEqual(parseForwarder('NTDLL.RtlAllocateHeap'), { dll: 'NTDLL.dll', name: 'RtlAllocateHeap' });
    assert.deepEqual(parseForwarder('api-ms-win-core-synch-l1-2-0.InitOnceExecuteOnce'), { dll: 'api-ms-win-core-synch-l1-2-0.dll', name: 'InitOnceExecuteOnce' });
    assert.deepEqual(parseForwarder('msvcrt.#12'), { dll: 'msvcrt.dll', ordinal: 12 });
    assert.equal(parseForwarder('nodot'), undefined);
    assert.equal(parseForwarder('dll.'), undefined);
    assert.equal(parseForwarder('dll.#x'), undefined);
  });
  it('reads names, aliases, ordinal-only entries and forwarders', () => {
    const pe = parsePe(exportImage('lib.dll', [0x2000, 'NTDLL.RtlAllocateHeap', 0, 0x2010], [['Alias', 0], ['First', 0], ['Heap', 1]], 5));
    assert.deepEqual(pe.exports!.entries, [
      { ordinal: 5, names: ['Alias', 'First'], rva: 0x2000 },
      { ordinal: 6, names: ['Heap'], rva: 0, forwarder: 'NTDLL.RtlAllocateHeap' },
      { ordinal: 8, names: [], rva: 0x2010 },
    ]);
  });
  it('accepts forwarders to other entries of the same DLL when they end somewhere', () => {
    const pe = parsePe(exportImage('lib.dll', [0x2000, 'lib.Real', 'LIB.#2'], [['Real', 0], ['Alias', 1], ['Alias2', 2]]));
    assert.equal(pe.exports!.entries.length, 3);
  });
  it('detects a cycle of forwarders within the DLL', () => {
    throwsKind(() => parsePe(exportImage('lib.dll', ['lib.B', 'lib.#1'], [['A', 0], ['B', 1]])), 'ForwarderLoop', /A → B → A/);
  });
  it('rejects malformed forwarder strings', () => {
    throwsKind(() => parsePe(exportImage('lib.dll', ['nodot'], [['A', 0]])), 'BadExport');
  });
  it('rejects ordinals that overflow 16 bits', () => {
    throwsKind(() => parsePe(exportImage('lib.dll', [0x2000], [['A', 0]], 0x10000)), 'BadExport');
  });
});

/** .text at 0x1000, .pdata at 0x2000 (functions), .xdata at 0x3000 (unwind infos). */
function unwindImage(functions: [number, number, number][], xdata: Blob): Uint8Array {
  const p = new Blob(12 * functions.length);
  functions.forEach(([b, e, u], i) => p.u32(12 * i, b).u32(12 * i + 4, e).u32(12 * i + 8, u));
  return buildPe({
    directories: { 3: [0x2000, 12 * functions.length] },
    sections: [
      { name: '.text', data: new Uint8Array(0x200), virtualSize: 0x1000, characteristics: SCN_CODE_RX },
      { name: '.pdata', data: p.bytes },
      { name: '.xdata', data: xdata.bytes },
    ],
  });
}

describe('unwind info', () => {
  it('decodes every UWOP code with its operands', () => {
    const x = new Blob(0x100);
    // version 1, flags 0, prolog 0x30, frame register rbp (5) with offset 2 (×16)
    x.u8(0, 1).u8(1, 0x30).u8(3, 0x25);
    const codes = [
      [0x30, 0x0a | (0 << 4)], // PUSH_MACHFRAME, no error code
      [0x2c, 0x08 | (6 << 4)], [0x0004, -1], // SAVE_XMM128 xmm6 at 4*16
      [0x28, 0x09 | (7 << 4)], [0x0000, -1], [0x0001, -1], // SAVE_XMM128_FAR xmm7 at 0x10000
      [0x24, 0x04 | (3 << 4)], [0x0010, -1], // SAVE_NONVOL rbx at 16*8
      [0x20, 0x05 | (6 << 4)], [0x0008, -1], [0x0002, -1], // SAVE_NONVOL_FAR rsi at 0x20008
      [0x1c, 0x03], // SET_FPREG
      [0x18, 0x01 | (1 << 4)], [0x0000, -1], [0x0002, -1], // ALLOC_LARGE 0x20000
      [0x10, 0x01 | (0 << 4)], [0x0100, -1], // ALLOC_LARGE 0x100*8
    ] as const;
    let slot = 0;
    for (const [a, b] of codes) {
      if (b === -1) x.u16(4 + 2 * slot, a);
      else x.u8(4 + 2 * slot, a).u8(5 + 2 * slot, b);
      slot++;
    }
    x.u8(4 + 2 * slot, 0x08).u8(5 + 2 * slot, 0x02 | (3 << 4)); // ALLOC_SMALL 3*8+8 = 32
    x.u8(6 + 2 * slot, 0x04).u8(7 + 2 * slot, 0x00 | (5 << 4)); // PUSH_NONVOL rbp
    x.u8(2, slot + 2); // CountOfCodes
    const bytes = unwindImage([[0x1000, 0x1100, 0x3000]], x);
    const pe = parsePe(bytes);
    const u = pe.exceptions.unwindInfos.get(0x3000)!;
    assert.equal(u.frameRegister, 5);
    assert.equal(u.frameOffset, 32);
    assert.equal(u.sizeOfProlog, 0x30);
    assert.deepEqual(
      u.codes.map((c) => [c.op, c.register, c.value]),
      [
        ['PUSH_MACHFRAME', undefined, 0],
        ['SAVE_XMM128', 6, 64],
        ['SAVE_XMM128_FAR', 7, 0x10000],
        ['SAVE_NONVOL', 3, 128],
        ['SAVE_NONVOL_FAR', 6, 0x20008],
        ['SET_FPREG', undefined, undefined],
        ['ALLOC_LARGE', undefined, 0x20000],
        ['ALLOC_LARGE', undefined, 0x800],
        ['ALLOC_SMALL', undefined, 32],
        ['PUSH_NONVOL', 5, undefined],
      ],
    );
  });
  it('decodes a version-2 EPILOG code as two slots', () => {
    const x = new Blob(0x20).u8(0, 2).u8(1, 4).u8(2, 3).u8(3, 0);
    x.u8(4, 0x01).u8(5, 0x06 | (1 << 4)).u16(6, 0); // EPILOG, size 1, at end
    x.u8(8, 0x04).u8(9, 0x00 | (3 << 4)); // PUSH_NONVOL rbx
    const pe = parsePe(unwindImage([[0x1000, 0x1010, 0x3000]], x));
    assert.deepEqual(pe.exceptions.unwindInfos.get(0x3000)!.codes.map((c) => c.op), ['EPILOG', 'PUSH_NONVOL']);
  });
  it('reads the language handler and its data', () => {
    const x = new Blob(0x20).u8(0, 1 | (1 << 3)).u8(1, 4).u8(2, 1).u8(3, 0);
    x.u8(4, 4).u8(5, 0x02); // ALLOC_SMALL 8
    x.u32(8, 0x1080); // handler RVA after the (even-padded) code array
    const u = parsePe(unwindImage([[0x1000, 0x1010, 0x3000]], x)).exceptions.unwindInfos.get(0x3000)!;
    assert.equal(u.handlerRva, 0x1080);
    assert.equal(u.handlerDataRva, 0x300c);
  });
  it('follows chained unwind info', () => {
    const x = new Blob(0x40);
    // primary at 0x3000: PUSH_NONVOL rbx
    x.u8(0, 1).u8(1, 2).u8(2, 1).u8(3, 0).u8(4, 2).u8(5, 0x30);
    // chained at 0x3010: no codes, CHAININFO → RUNTIME_FUNCTION {0x1000, 0x1040, 0x3000}
    x.u8(0x10, 1 | (4 << 3)).u8(0x11, 0).u8(0x12, 0).u8(0x13, 0).u32(0x14, 0x1000).u32(0x18, 0x1040).u32(0x1c, 0x3000);
    const pe = parsePe(unwindImage([[0x1000, 0x1040, 0x3000], [0x1040, 0x1080, 0x3010]], x));
    const chained = pe.exceptions.unwindInfos.get(0x3010)!;
    assert.deepEqual(chained.chained, { beginRva: 0x1000, endRva: 0x1040, unwindRva: 0x3000 });
    assert.equal(pe.exceptions.unwindInfos.get(0x3000)!.codes[0]!.register, 3);
  });
  it('rejects a chain that loops', () => {
    const x = new Blob(0x20);
    x.u8(0, 1 | (4 << 3)).u32(4, 0x1000).u32(8, 0x1040).u32(12, 0x3000); // chains to itself
    throwsKind(() => parsePe(unwindImage([[0x1000, 0x1040, 0x3000]], x)), 'BadUnwind', /chain/);
  });
  it('rejects unknown codes and codes that run past CountOfCodes', () => {
    const bad = new Blob(0x10).u8(0, 1).u8(2, 1).u8(5, 0x0f);
    throwsKind(() => parsePe(unwindImage([[0x1000, 0x1010, 0x3000]], bad)), 'BadUnwind', /unknown unwind operation 15/);
    const short = new Blob(0x10).u8(0, 1).u8(2, 1).u8(5, 0x04); // SAVE_NONVOL needs 2 slots
    throwsKind(() => parsePe(unwindImage([[0x1000, 0x1010, 0x3000]], short)), 'BadUnwind', /needs 2 slots/);
    const fp = new Blob(0x10).u8(0, 1).u8(2, 1).u8(5, 0x03); // SET_FPREG with no frame register
    throwsKind(() => parsePe(unwindImage([[0x1000, 0x1010, 0x3000]], fp)), 'BadUnwind');
  });
  it('resolves indirect entries (UnwindData bit 0) to the target entry', () => {
    const x = new Blob(0x10).u8(0, 1);
    const pe = parsePe(unwindImage([[0x1000, 0x1010, 0x3000], [0x1010, 0x1020, 0x2000 | 1]], x));
    assert.equal(pe.exceptions.functions[1]!.unwindRva, 0x3000);
  });
  it('decodes a single UNWIND_INFO on request', () => {
    const x = new Blob(0x10).u8(0, 1).u8(1, 1).u8(2, 1).u8(4, 1).u8(5, 0x50);
    const bytes = unwindImage([[0x1000, 0x1010, 0x3000]], x);
    const u = decodeUnwindInfo(new PeView(bytes, parseHeaders(bytes)), 0x3000);
    assert.deepEqual(u.codes, [{ codeOffset: 1, op: 'PUSH_NONVOL', opInfo: 5, register: 5 }]);
  });
});

describe('resources, TLS and load config on hand-made images', () => {
  it('reads named (UTF-16) resource entries', () => {
    const b = new Blob(0x200);
    // root: 1 named entry → subdir at 0x20; subdir: 1 id entry (lang 0x409) → data entry at 0x40
    b.u16(12, 1).u32(16, 0x80000000 | 0x80).u32(20, 0x80000000 | 0x20);
    b.u16(0x20 + 14, 1).u32(0x30, 0x409).u32(0x34, 0x40);
    b.u32(0x40, 0x1100).u32(0x44, 5).u32(0x48, 1252);
    b.ustr(0x80, 'ÄPFEL');
    const pe = parsePe(buildPe({ directories: { 2: [0x1000, 0x200] }, sections: [{ name: '.rsrc', data: b.bytes }] }));
    const e = pe.resources!.entries[0]!;
    assert.equal(e.name, 'ÄPFEL');
    assert.equal(e.node.kind, 'directory');
    const leaf = e.node.kind === 'directory' ? e.node.entries[0]! : undefined;
    assert.equal(leaf!.id, 0x409);
    assert.deepEqual(leaf!.node, { kind: 'data', rva: 0x1100, size: 5, codePage: 1252 });
  });
  it('bounds the work of resource trees that share subtrees', () => {
    // 20 levels, each directory has two entries pointing at the next one: 2^20 paths.
    const b = new Blob(0x1000);
    for (let l = 0; l < 20; l++) {
      const at = l * 0x20;
      b.u16(at + 14, 2).u32(at + 16, l).u32(at + 20, 0x80000000 | (at + 0x20)).u32(at + 24, l + 100).u32(at + 28, 0x80000000 | (at + 0x20));
    }
    throwsKind(() => parsePe(buildPe({ directories: { 2: [0x1000, 0x1000] }, sections: [{ name: '.rsrc', data: b.bytes }] })), 'BadResource');
  });
  it('converts TLS VAs to RVAs and reads the callback array', () => {
    const b = new Blob(0x100);
    const base = 0x140000000n;
    b.u64(0, base + 0x1080n).u64(8, base + 0x1090n).u64(16, base + 0x10a0n).u64(24, base + 0x10b0n).u32(32, 16);
    b.u64(0xb0, base + 0x2000n).u64(0xb8, base + 0x2010n).u64(0xc0, 0n);
    const pe = parsePe(buildPe({ directories: { 9: [0x1000, 40] }, sections: [{ name: '.tls', data: b.bytes, characteristics: SCN_DATA_RW }, { name: '.text', data: new Uint8Array(0x100), characteristics: SCN_CODE_RX }] }));
    assert.deepEqual(pe.tls, { rawDataStartRva: 0x1080, rawDataEndRva: 0x1090, sizeOfZeroFill: 16, indexRva: 0x10a0, callbacksRva: 0x10b0, callbacks: [0x2000, 0x2010], characteristics: 0 });
  });
  it('reads as much of the load config as its Size covers', () => {
    const b = new Blob(0x200);
    b.u32(0, 0x70).u64(0x58, 0x140001100n); // Size 0x70 covers SecurityCookie (0x58) only
    const pe = parsePe(buildPe({ directories: { 10: [0x1000, 0x70] }, sections: [{ name: '.rdata', data: b.bytes }] }));
    assert.deepEqual(pe.loadConfig, { size: 0x70, securityCookieRva: 0x1100, guardFlags: 0, guardCFCheckFunctionPointerRva: 0, guardCFFunctionCount: 0 });
  });
  it('reads relocation blocks, skipping ABSOLUTE padding and a zero block', () => {
    const b = new Blob(0x40);
    b.u32(0, 0x1000).u32(4, 12).u16(8, 0xa010).u16(10, 0x0000); // DIR64 at 0x1010, ABSOLUTE pad
    b.u32(12, 0x2000).u32(16, 10).u16(20, 0xa008);
    const pe = parsePe(buildPe({ directories: { 5: [0x3000, 0x20] }, sections: [{ name: '.text', data: new Uint8Array(0x100) }, { name: '.data', data: new Uint8Array(0x100) }, { name: '.reloc', data: b.bytes }] }));
    assert.deepEqual([...pe.relocations.dir64], [0x1010, 0x2008]);
    assert.equal(pe.relocations.blockCount, 2);
  });
});
