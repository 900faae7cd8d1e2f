// RtlLookupFunctionEntry's search (kernel/functiontables.ts): an image's exception directory
// in guest memory, then the run-time function tables listed in guest memory.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DYNAMIC_FUNCTION_TABLE as T, RF_CALLBACK, RF_SORTED, RF_UNSORTED, describeEntries, findTable, initTableList, insertTable, lookupFunctionEntry, removeTable, tableAt, type DynamicTables, type ImageMap } from '../src/kernel/functiontables.js';
import { AddressSpace } from '../src/native/memory.js';
import { PAGE_READWRITE } from '../src/native/memprotect.js';

const mem = new AddressSpace();
const IMAGE = mem.allocate(0, 0x10000, true, PAGE_READWRITE);
const PDATA_RVA = 0x8000;
const HEAP = mem.allocate(0, 0x10000, true, PAGE_READWRITE);
const HEAD = HEAP;
const JIT = mem.allocate(0, 0x10000, true, PAGE_READWRITE);

const entry = (at: number, begin: number, end: number, unwind: number): void => {
  const dv = new DataView(new ArrayBuffer(12));
  dv.setUint32(0, begin, true);
  dv.setUint32(4, end, true);
  dv.setUint32(8, unwind, true);
  mem.write(at, new Uint8Array(dv.buffer));
};

// Functions at 0x1000+0x100*i, 0x80 bytes long (gaps between them), i = 0..9; entry 7 is
// indirect: its UnwindData names entry 2.
const FUNCS = 10;
for (let i = 0; i < FUNCS; i++) entry(IMAGE + PDATA_RVA + 12 * i, 0x1000 + 0x100 * i, 0x1080 + 0x100 * i, i === 7 ? (PDATA_RVA + 24) | 1 : 0x4000 + 0x10 * i);

let pdataSize = FUNCS * 12;
const images: ImageMap = {
  imageAt: (pc) => (pc >= IMAGE && pc < IMAGE + 0x10000 ? { base: IMAGE, pdataRva: PDATA_RVA, pdataSize } : undefined),
};
const calls: [number, number, number][] = [];
const tables: DynamicTables = {
  head: HEAD,
  callback: (fn, pc, context) => {
    calls.push([fn, pc, context]);
    return context === 0 ? 0 : JIT + 0x800;
  },
};

let nextNode = HEAP + 0x100;
function node(fields: Partial<Record<keyof typeof T, number>>): number {
  const n = nextNode;
  nextNode += T.Size;
  mem.fill(n, 0, T.Size);
  for (const [k, v] of Object.entries(fields)) {
    const off = T[k as keyof typeof T];
    if (k === 'Type' || k === 'EntryCount' || k === 'MaximumEntryCount' || k === 'Growable') mem.setU32(n + off, v);
    else mem.setU64(n + off, v);
  }
  return n;
}

describe('lookupFunctionEntry: an image exception directory', () => {
  it('finds every function from its first to its last byte, and nothing in the gaps', () => {
    for (let i = 0; i < FUNCS; i++) {
      const begin = IMAGE + 0x1000 + 0x100 * i;
      const want = IMAGE + PDATA_RVA + 12 * (i === 7 ? 2 : i);
      for (const pc of [begin, begin + 0x40, begin + 0x7f]) assert.deepEqual(lookupFunctionEntry(mem, images, tables, pc), { entry: want, imageBase: IMAGE }, `pc ${(pc - IMAGE).toString(16)}`);
      assert.equal(lookupFunctionEntry(mem, images, tables, begin + 0x80), undefined, 'the gap after it');
    }
    assert.equal(lookupFunctionEntry(mem, images, tables, IMAGE + 0xfff), undefined, 'before the first');
    assert.equal(lookupFunctionEntry(mem, images, tables, IMAGE + 0x2000), undefined, 'after the last');
  });
  it('reads a one-entry table and one whose size is not a multiple of 12', () => {
    pdataSize = 12;
    assert.equal(lookupFunctionEntry(mem, images, tables, IMAGE + 0x1010)?.entry, IMAGE + PDATA_RVA);
    assert.equal(lookupFunctionEntry(mem, images, tables, IMAGE + 0x1110), undefined);
    pdataSize = 3 * 12 + 5;
    assert.equal(lookupFunctionEntry(mem, images, tables, IMAGE + 0x1210)?.entry, IMAGE + PDATA_RVA + 24);
    assert.equal(lookupFunctionEntry(mem, images, tables, IMAGE + 0x1310), undefined);
    pdataSize = FUNCS * 12;
  });
  it('does not consult the run-time tables for a PC in an image with an exception directory', () => {
    initTableList(mem, HEAD);
    const n = node({ FunctionTable: IMAGE + PDATA_RVA, MinimumAddress: IMAGE, MaximumAddress: IMAGE + 0x10000, BaseAddress: IMAGE, Type: RF_SORTED, EntryCount: FUNCS });
    insertTable(mem, HEAD, n);
    assert.equal(lookupFunctionEntry(mem, images, tables, IMAGE + 0x1090), undefined);
    removeTable(mem, n);
    assert.equal(tableAt(mem, HEAD, IMAGE + 0x1090), 0);
  });
});

describe('lookupFunctionEntry: run-time function tables', () => {
  it('a zeroed list head is an empty list; insertion keeps a circular list in order', () => {
    mem.fill(HEAD, 0, 16);
    assert.equal(tableAt(mem, HEAD, JIT), 0);
    initTableList(mem, HEAD);
    assert.equal(mem.ptr(HEAD), HEAD);
    assert.equal(mem.ptr(HEAD + 8), HEAD);
    const a = node({ MinimumAddress: 1 });
    const b = node({ MinimumAddress: 2 });
    insertTable(mem, HEAD, a);
    insertTable(mem, HEAD, b);
    const order: number[] = [];
    findTable(mem, HEAD, (n) => (order.push(n), false));
    assert.deepEqual(order, [a, b]);
    assert.equal(mem.ptr(HEAD + 8), b, 'Blink is the last node');
    removeTable(mem, a);
    removeTable(mem, b);
    assert.equal(mem.ptr(HEAD), HEAD);
    assert.equal(mem.ptr(HEAD + 8), HEAD);
  });
  it('searches a sorted table, an unsorted one and a callback table, each with its own base', () => {
    mem.fill(HEAD, 0, 16);
    // Sorted: three functions of 0x20 bytes at JIT+0x100.., RVAs relative to JIT.
    for (let i = 0; i < 3; i++) entry(JIT + 12 * i, 0x100 + 0x20 * i, 0x120 + 0x20 * i, 0x900);
    // Unsorted: at JIT+0x300 and JIT+0x200 (in that order), RVAs relative to JIT+0x1000 - 0x1000.
    entry(JIT + 0x40, 0x1300, 0x1310, 0x900);
    entry(JIT + 0x4c, 0x1200, 0x1210, 0x900);
    const sorted = describeEntries(mem, JIT, 3, JIT);
    assert.deepEqual(sorted, { min: JIT + 0x100, max: JIT + 0x160, sorted: true });
    const unsorted = describeEntries(mem, JIT + 0x40, 2, JIT - 0x1000);
    assert.deepEqual(unsorted, { min: JIT + 0x200, max: JIT + 0x310, sorted: false });
    insertTable(mem, HEAD, node({ FunctionTable: JIT, MinimumAddress: sorted.min, MaximumAddress: sorted.max, BaseAddress: JIT, Type: RF_SORTED, EntryCount: 3 }));
    insertTable(mem, HEAD, node({ FunctionTable: JIT + 0x40, MinimumAddress: unsorted.min, MaximumAddress: unsorted.max, BaseAddress: JIT - 0x1000, Type: RF_UNSORTED, EntryCount: 2 }));
    insertTable(mem, HEAD, node({ FunctionTable: JIT | 3, MinimumAddress: JIT + 0x400, MaximumAddress: JIT + 0x500, BaseAddress: JIT + 0x400, Type: RF_CALLBACK, Callback: 0x7000, Context: 0x77 }));
    insertTable(mem, HEAD, node({ FunctionTable: JIT | 7, MinimumAddress: JIT + 0x500, MaximumAddress: JIT + 0x600, BaseAddress: JIT + 0x500, Type: RF_CALLBACK, Callback: 0x7000, Context: 0 }));

    assert.deepEqual(lookupFunctionEntry(mem, images, tables, JIT + 0x125), { entry: JIT + 12, imageBase: JIT });
    assert.equal(lookupFunctionEntry(mem, images, tables, JIT + 0x160), undefined, 'past the sorted range');
    assert.deepEqual(lookupFunctionEntry(mem, images, tables, JIT + 0x205), { entry: JIT + 0x4c, imageBase: JIT - 0x1000 });
    assert.deepEqual(lookupFunctionEntry(mem, images, tables, JIT + 0x300), { entry: JIT + 0x40, imageBase: JIT - 0x1000 });
    assert.equal(lookupFunctionEntry(mem, images, tables, JIT + 0x250), undefined, 'inside the unsorted range, no entry');
    calls.length = 0;
    assert.deepEqual(lookupFunctionEntry(mem, images, tables, JIT + 0x480), { entry: JIT + 0x800, imageBase: JIT + 0x400 });
    assert.deepEqual(calls, [[0x7000, JIT + 0x480, 0x77]], 'the callback gets the PC and its context');
    assert.equal(lookupFunctionEntry(mem, images, tables, JIT + 0x580), undefined, 'a callback returning NULL');
    assert.equal(lookupFunctionEntry(mem, images, tables, JIT + 0x700), undefined, 'outside every range');
    assert.equal(calls.length, 2);
  });
  it('uses the run-time tables for an image without an exception directory', () => {
    pdataSize = 0;
    mem.fill(HEAD, 0, 16);
    insertTable(mem, HEAD, node({ FunctionTable: IMAGE + PDATA_RVA, MinimumAddress: IMAGE, MaximumAddress: IMAGE + 0x10000, BaseAddress: IMAGE, Type: RF_SORTED, EntryCount: FUNCS }));
    assert.deepEqual(lookupFunctionEntry(mem, images, tables, IMAGE + 0x1310), { entry: IMAGE + PDATA_RVA + 36, imageBase: IMAGE });
    pdataSize = FUNCS * 12;
  });
});
