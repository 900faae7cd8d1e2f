// The JS side of the heap (kernel/heap.ts) and the layout the native fast paths rely on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BLOCK_MAGIC, HEAP_SMALL_LISTS, HEAP_ZERO_MEMORY, HeapManager, LARGE_MIN, smallClass } from '../src/kernel/heap.js';
import { AddressSpace } from '../src/native/memory.js';

describe('heap', () => {
  const mem = new AddressSpace();
  const heaps = new HeapManager(mem);
  const h = heaps.create();
  it('maps request sizes to 16-byte classes', () => {
    assert.deepEqual([0, 1, 16, 17, 32, 1024, 1025].map(smallClass), [0, 0, 0, 1, 1, 63, -1]);
  });
  it('keeps the requested size, the in-use bit and the heap tag in the block header', () => {
    const p = heaps.alloc(h, 20, 0);
    assert.equal(p % 16, 0);
    assert.equal(mem.u64(p - 16), (20n << 4n) | 1n);
    assert.equal(mem.u64(p - 8), BLOCK_MAGIC ^ BigInt(h));
    assert.equal(heaps.size(h, p), 20);
  });
  it('reuses freed small blocks of the same class through the class free list', () => {
    const p = heaps.alloc(h, 40, 0);
    assert.ok(heaps.free(h, p));
    assert.equal(mem.ptr(h + HEAP_SMALL_LISTS + 8 * smallClass(40)), p, 'the list head is the freed block');
    assert.equal(heaps.alloc(h, 33, 0), p, 'same class (33..48 bytes)');
    assert.equal(heaps.size(h, p), 33);
  });
  it('refuses double frees, foreign and wild pointers', () => {
    const p = heaps.alloc(h, 8, 0);
    assert.ok(heaps.free(h, p));
    assert.ok(!heaps.free(h, p), 'double free');
    const other = heaps.create();
    const q = heaps.alloc(other, 8, 0);
    assert.ok(!heaps.free(h, q), 'a block of another heap');
    assert.ok(!heaps.free(h, 0x10) && !heaps.free(h, p + 8) && !heaps.free(0x1234, p));
    assert.ok(heaps.destroy(other));
    assert.ok(!heaps.isHeap(other));
  });
  it('serves large blocks from their own mappings and releases them', () => {
    const p = heaps.alloc(h, LARGE_MIN * 2, HEAP_ZERO_MEMORY);
    assert.equal(heaps.block(h, p)?.large, true);
    assert.equal(mem.query(p).allocationBase, p - 32);
    assert.ok(heaps.free(h, p));
    assert.equal(mem.query(p).state, 0x10000, 'MEM_FREE');
  });
  it('reallocates in place within a class and moves otherwise, keeping the data', () => {
    const p = heaps.alloc(h, 20, 0);
    mem.write(p, Uint8Array.from([1, 2, 3]));
    assert.equal(heaps.realloc(h, p, 30, 0), p);
    const q = heaps.realloc(h, p, 3000, HEAP_ZERO_MEMORY);
    assert.notEqual(q, p);
    assert.deepEqual([...mem.read(q, 4)], [1, 2, 3, 0]);
    assert.equal(heaps.size(h, q), 3000);
    assert.ok(heaps.validate(h, 0));
  });
});
