// The parser against the mingw-w64 fixtures. Expected values come from the fixture sources
// (tests/fixtures/src: exports.def's ordinals, the .rc file's resources, the C code's data),
// not from the parser's own output.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { listResources, parsePe, UWOP, UNW_FLAG_CHAININFO, type PeImage } from '../src/pe/index.js';
import { fixture } from './helpers.js';

const load = (name: string): { pe: PeImage; bytes: Uint8Array } => {
  const bytes = fixture(name);
  return { pe: parsePe(bytes), bytes };
};

describe('headers of a mingw-w64 console program (hello.exe)', () => {
  const { pe } = load('hello.exe');
  it('is an x86-64 console executable at the default mingw base', () => {
    assert.equal(pe.fileHeader.Machine, 0x8664);
    assert.equal(pe.optionalHeader.Magic, 0x20b);
    assert.equal(pe.optionalHeader.Subsystem, 3);
    assert.equal(pe.optionalHeader.ImageBase, 0x140000000n);
    assert.equal(pe.isDll, false);
    assert.ok(pe.optionalHeader.AddressOfEntryPoint > 0);
  });
  it('has 64-bit stack and heap sizes (mingw defaults: 2 MiB / 4 KiB stack)', () => {
    assert.equal(pe.optionalHeader.SizeOfStackReserve, 0x200000n);
    assert.equal(pe.optionalHeader.SizeOfStackCommit, 0x1000n);
    assert.equal(typeof pe.optionalHeader.SizeOfHeapReserve, 'bigint');
  });
  it('has an executable .text containing the entry point and a writable .data', () => {
    const text = pe.sections.find((s) => s.name === '.text')!;
    const data = pe.sections.find((s) => s.name === '.data')!;
    assert.ok(text.Characteristics & 0x20000000, '.text is executable');
    assert.ok(!(text.Characteristics & 0x80000000), '.text is not writable');
    assert.ok(data.Characteristics & 0x80000000, '.data is writable');
    const ep = pe.optionalHeader.AddressOfEntryPoint;
    assert.ok(ep >= text.VirtualAddress && ep < text.VirtualAddress + text.mappedSize);
  });
  it('imports printf-family functions from msvcrt.dll and process functions from KERNEL32.dll', () => {
    const dlls = pe.imports.map((d) => d.dll.toLowerCase());
    assert.deepEqual(dlls.sort(), ['kernel32.dll', 'msvcrt.dll']);
    const msvcrt = pe.imports.find((d) => d.dll.toLowerCase() === 'msvcrt.dll')!;
    const names = msvcrt.functions.map((f) => f.name);
    // mingw-w64's printf is an inline wrapper over vfprintf.
    for (const n of ['vfprintf', 'strrchr', '__getmainargs', 'exit', '__iob_func']) assert.ok(names.includes(n), n);
    // IAT slots are consecutive 8-byte cells.
    msvcrt.functions.forEach((f, i) => assert.equal(f.iatRva, msvcrt.iatRva + 8 * i));
  });
  it('has DIR64 relocations whose targets all hold addresses inside the image', () => {
    const { bytes } = load('hello.exe');
    const dv = new DataView(bytes.buffer, bytes.byteOffset);
    const base = pe.optionalHeader.ImageBase;
    const end = base + BigInt(pe.optionalHeader.SizeOfImage);
    assert.ok(pe.relocations.dir64.length > 10);
    for (const rva of pe.relocations.dir64) {
      const s = pe.sections.find((x) => rva >= x.VirtualAddress && rva < x.VirtualAddress + x.fileSize);
      if (!s) continue; // a fixup in zero-fill data holds 0 until relocated
      const v = dv.getBigUint64(s.PointerToRawData + rva - s.VirtualAddress, true);
      assert.ok(v >= base && v <= end, `fixup at ${rva.toString(16)} holds ${v.toString(16)}`);
    }
  });
  it('has a sorted exception table whose functions lie in .text, each with unwind info', () => {
    const text = pe.sections.find((s) => s.name === '.text')!;
    assert.ok(pe.exceptions.functions.length > 20);
    let prev = 0;
    for (const f of pe.exceptions.functions) {
      assert.ok(f.beginRva >= prev && f.endRva >= f.beginRva);
      assert.ok(f.beginRva >= text.VirtualAddress && f.endRva <= text.VirtualAddress + text.mappedSize);
      assert.ok(pe.exceptions.unwindInfos.has(f.unwindRva));
      prev = f.endRva;
    }
    // mingw's main and CRT startup push callee-saved registers and allocate frames.
    const ops = new Set([...pe.exceptions.unwindInfos.values()].flatMap((u) => u.codes.map((c) => c.op)));
    assert.ok(ops.has('PUSH_NONVOL') && ops.has('ALLOC_SMALL'));
    for (const u of pe.exceptions.unwindInfos.values()) {
      for (const c of u.codes) assert.ok(c.codeOffset <= u.sizeOfProlog, 'codes describe the prolog');
      if (u.flags & UNW_FLAG_CHAININFO) assert.ok(u.chained);
    }
    assert.equal(UWOP.PUSH_NONVOL, 0);
  });
});

describe('a DLL with named, ordinal-only, data and forwarded exports (exports.dll)', () => {
  const { pe } = load('exports.dll');
  const ex = pe.exports!;
  const byOrd = new Map(ex.entries.map((e) => [e.ordinal, e]));
  it('is a DLL whose export directory names it', () => {
    assert.equal(pe.isDll, true);
    assert.equal(ex.dllName, 'exports.dll');
    assert.equal(ex.ordinalBase, 1);
  });
  it('has the ordinals of exports.def, with gaps for unused ordinals', () => {
    assert.deepEqual([...byOrd.keys()], [1, 2, 3, 7, 10]);
    assert.deepEqual(byOrd.get(1)!.names, ['add_numbers']);
    assert.deepEqual(byOrd.get(2)!.names, ['multiply_numbers']);
    assert.deepEqual(byOrd.get(3)!.names, ['exported_counter']);
  });
  it('has an ordinal-only export with no name', () => {
    assert.deepEqual(byOrd.get(7)!.names, []);
    assert.ok(byOrd.get(7)!.rva > 0);
  });
  it('places code exports in .text and the data export in .data', () => {
    const sec = (rva: number): string => pe.sections.find((s) => rva >= s.VirtualAddress && rva < s.VirtualAddress + s.mappedSize)!.name;
    assert.equal(sec(byOrd.get(1)!.rva), '.text');
    assert.equal(sec(byOrd.get(3)!.rva), '.data');
  });
  it('has a forwarder to KERNEL32.GetTickCount', () => {
    const f = byOrd.get(10)!;
    assert.deepEqual(f.names, ['GetTickCountForwarded']);
    assert.equal(f.forwarder, 'KERNEL32.GetTickCount');
    assert.equal(f.rva, 0);
  });
  it('has relocations (DLLs are relocatable)', () => {
    assert.ok(pe.relocations.dir64.length > 0);
    assert.ok(pe.optionalHeader.DllCharacteristics & 0x40, 'DYNAMIC_BASE');
  });
});

describe('imports by name and by ordinal (dll_user.exe)', () => {
  const { pe } = load('dll_user.exe');
  it('imports exports.dll: three names and ordinal 7', () => {
    const d = pe.imports.find((x) => x.dll === 'exports.dll')!;
    const named = d.functions.filter((f) => f.name !== undefined).map((f) => f.name).sort();
    assert.deepEqual(named, ['add_numbers', 'exported_counter', 'multiply_numbers']);
    const byOrdinal = d.functions.filter((f) => f.ordinal !== undefined);
    assert.deepEqual(byOrdinal.map((f) => [f.ordinal, f.name, f.hint]), [[7, undefined, undefined]]);
  });
  it('keeps hints of imports by name', () => {
    const d = pe.imports.find((x) => x.dll === 'exports.dll')!;
    // Hints index the DLL's sorted name table: add_numbers 0, exported_counter 1 … as dlltool
    // numbers them from the .def file; all are small.
    for (const f of d.functions) if (f.name) assert.ok(f.hint! < 16);
  });
});

describe('delay-load imports (delayload.exe)', () => {
  const { pe } = load('delayload.exe');
  it('has exports.dll as a delay-loaded DLL, not a normal import', () => {
    assert.ok(!pe.imports.some((d) => d.dll === 'exports.dll'));
    assert.equal(pe.delayImports.length, 1);
    const d = pe.delayImports[0]!;
    assert.equal(d.dll, 'exports.dll');
    assert.equal(d.attributes & 1, 1, 'RVA-based');
    assert.deepEqual(d.functions.map((f) => f.name), ['add_numbers']);
    assert.ok(d.moduleHandleRva > 0 && d.iatRva > 0);
  });
});

describe('TLS directory (tls.exe)', () => {
  const { pe, bytes } = load('tls.exe');
  const tls = pe.tls!;
  it('has a template holding the initial values of the thread variables', () => {
    const sec = pe.sections.find((s) => tls.rawDataStartRva >= s.VirtualAddress && tls.rawDataStartRva < s.VirtualAddress + s.mappedSize)!;
    const off = sec.PointerToRawData + tls.rawDataStartRva - sec.VirtualAddress;
    const template = bytes.subarray(off, off + tls.rawDataEndRva - tls.rawDataStartRva);
    const dv = new DataView(template.buffer, template.byteOffset, template.byteLength);
    let found = false;
    for (let i = 0; i + 4 <= template.length; i += 4) if (dv.getUint32(i, true) === 0x1234) found = true;
    assert.ok(found, 'tls_initialised = 0x1234 is in the template');
    assert.ok(Buffer.from(template).includes('template'), 'tls_text is in the template');
    // int tls_zero[64] lies in the template too (GCC emits it as data in .tls$).
    assert.ok(template.length >= 4 + 16 + 256);
  });
  it('lists the two callbacks of tls.c after mingw-w64 runtime callbacks', () => {
    assert.ok(tls.callbacks.length >= 2);
    const text = pe.sections.find((s) => s.name === '.text')!;
    for (const cb of tls.callbacks) assert.ok(cb >= text.VirtualAddress && cb < text.VirtualAddress + text.mappedSize);
    assert.equal(new Set(tls.callbacks).size, tls.callbacks.length);
  });
  it('has an index variable inside the image', () => {
    assert.ok(tls.indexRva > 0 && tls.indexRva < pe.optionalHeader.SizeOfImage);
  });
});

describe('debug directory and resources', () => {
  it('reads the CodeView record and PDB path (pdbpath.exe, linked with --pdb)', () => {
    const { pe } = load('pdbpath.exe');
    assert.equal(pe.debug!.codeView!.pdbPath, 'pdbpath.pdb');
    assert.equal(pe.debug!.codeView!.age, 1);
    assert.match(pe.debug!.codeView!.guid, /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
  });
  it('walks type / name / language down to the data (resources.exe)', () => {
    const { pe, bytes } = load('resources.exe');
    const leaves = listResources(pe.resources!);
    const keys = leaves.map((l) => l.path.join('/')).sort();
    // From resources.rc: string table block 1 in en-US (1033) and de-DE (1031); CONFIG and 42 as
    // RT_RCDATA (10); GREETING of type MYTYPE; version info (16). Neutral language is 0.
    assert.deepEqual(keys, ['10/42/0', '10/CONFIG/0', '16/1/0', '6/1/1031', '6/1/1033', 'MYTYPE/GREETING/0']);
    const config = leaves.find((l) => l.path[1] === 'CONFIG')!.data;
    assert.equal(config.size, 10);
    const sec = pe.sections.find((s) => config.rva >= s.VirtualAddress && config.rva < s.VirtualAddress + s.mappedSize)!;
    const off = sec.PointerToRawData + config.rva - sec.VirtualAddress;
    assert.equal(Buffer.from(bytes.subarray(off, off + 9)).toString('latin1'), 'key=value');
  });
});
