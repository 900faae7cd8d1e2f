// The address space's Windows semantics and the guarded JS access to guest memory.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AddressSpace } from '../src/native/memory.js';
import { AddressSpaceError, GuestMemoryError, MEM_COMMIT, MEM_FREE, MEM_PRIVATE, MEM_RESERVE, PAGE_NOACCESS, PAGE_READONLY, PAGE_READWRITE } from '../src/native/memprotect.js';

describe('address space', () => {
  const mem = new AddressSpace();
  it('reserves at 64 KiB granularity and commits pages on demand', () => {
    const base = mem.allocate(0, 0x30000, false, PAGE_READWRITE);
    assert.equal(base % 0x10000, 0);
    assert.deepEqual(mem.query(base), { baseAddress: base, allocationBase: base, allocationProtect: PAGE_READWRITE, regionSize: 0x30000, state: MEM_RESERVE, protect: 0, type: MEM_PRIVATE });
    assert.throws(() => mem.u32(base), GuestMemoryError, 'reserved memory is not accessible');
    mem.commit(base + 0x1000, 0x1800, PAGE_READWRITE); // rounds out to whole pages
    const q = mem.query(base + 0x1000);
    assert.equal(q.state, MEM_COMMIT);
    assert.equal(q.regionSize, 0x2000);
    mem.setU32(base + 0x2ffc, 0xdeadbeef);
    assert.equal(mem.u32(base + 0x2ffc), 0xdeadbeef);
    assert.throws(() => mem.u32(base + 0x2ffe), GuestMemoryError, 'a read straddling into reserved pages fails');
    mem.decommit(base + 0x1000, 0x1000);
    assert.equal(mem.query(base + 0x1000).state, MEM_RESERVE);
    assert.equal(mem.u32(base + 0x2ffc), 0xdeadbeef, 'the other page keeps its data');
    mem.release(base);
    assert.equal(mem.query(base).state, MEM_FREE);
    assert.throws(() => mem.release(base), AddressSpaceError);
  });
  it('changes protections and reports the old one; read-only memory refuses writes', () => {
    const base = mem.allocate(0, 0x2000, true, PAGE_READWRITE);
    mem.setU8(base, 7);
    assert.equal(mem.protect(base, 0x1000, PAGE_READONLY), PAGE_READWRITE);
    assert.equal(mem.u8(base), 7);
    assert.throws(() => mem.setU8(base, 1), GuestMemoryError);
    mem.protect(base, 0x1000, PAGE_NOACCESS);
    assert.throws(() => mem.u8(base), GuestMemoryError);
    assert.equal(mem.query(base).protect, PAGE_NOACCESS);
    assert.equal(mem.query(base + 0x1000).protect, PAGE_READWRITE);
    assert.throws(() => mem.protect(base, 0x1000, 0x3), AddressSpaceError, 'an invalid protection value');
  });
  it('places an allocation at a requested address or refuses', () => {
    const probe = mem.allocate(0, 0x10000, true, PAGE_READWRITE);
    mem.release(probe);
    assert.equal(mem.allocate(probe, 0x10000, true, PAGE_READWRITE), probe);
    assert.throws(() => mem.allocate(probe, 0x10000, true, PAGE_READWRITE), AddressSpaceError, 'taken');
  });
  it('reads strings and copies with memmove semantics', () => {
    const base = mem.allocate(0, 0x2000, true, PAGE_READWRITE);
    mem.write(base, new TextEncoder().encode('hello\0'));
    assert.equal(mem.cstring(base), 'hello');
    mem.writeWString(base + 0x100, 'wïde');
    assert.equal(mem.wstring(base + 0x100), 'wïde');
    mem.write(base + 0x200, Uint8Array.from([1, 2, 3, 4, 5]));
    mem.copy(base + 0x201, base + 0x200, 4);
    assert.deepEqual([...mem.read(base + 0x200, 5)], [1, 1, 2, 3, 4]);
    // A string running into an inaccessible page is an error, not a crash.
    mem.protect(base + 0x1000, 0x1000, PAGE_NOACCESS);
    mem.fill(base + 0xff0, 0x41, 0x10);
    assert.throws(() => mem.cstring(base + 0xff0), GuestMemoryError);
  });
  it('rejects null and wild pointers', () => {
    for (const p of [0, 8, 0x7fffffff0000, -1, 2 ** 60]) assert.throws(() => mem.u64(p), GuestMemoryError);
  });
});
