// The allocation map in shared memory (native/regionmap.ts): several AddressSpace objects over
// one map (as the main thread's and each Worker's are) see each other's changes, drop their
// page caches (at the next sync point, an API call) when another changes the map, compact the page pool, report a full map clearly,
// and keep the map consistent under concurrent changes from two host threads.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { AddressSpace } from '../src/native/memory.js';
import { AddressSpaceError, GuestMemoryError, MEM_COMMIT, MEM_FREE, MEM_RESERVE, PAGE_NOACCESS, PAGE_READONLY, PAGE_READWRITE } from '../src/native/memprotect.js';
import { POOL_PAGES } from '../src/native/regionmap.js';

describe('shared allocation map', () => {
  it("one AddressSpace sees another's allocations, protections and releases", () => {
    const a = new AddressSpace();
    const b = new AddressSpace(a.shared);
    const base = a.allocate(0, 0x20000, true, PAGE_READWRITE);
    b.setU32(base + 0x1000, 0x12345678);
    assert.equal(a.u32(base + 0x1000), 0x12345678);
    assert.equal(b.u32(base + 0x1000), 0x12345678, 'b now has the page in its cache');
    a.protect(base + 0x1000, 0x1000, PAGE_NOACCESS);
    b.sync(); // what b's thread does at its next API call
    assert.throws(() => b.u32(base + 0x1000), GuestMemoryError, "b's cached page is forgotten");
    assert.equal(b.protect(base + 0x1000, 1, PAGE_READONLY), PAGE_NOACCESS);
    assert.equal(a.u32(base + 0x1000), 0x12345678);
    assert.throws(() => a.setU32(base + 0x1000, 1), GuestMemoryError);
    const reserve = b.allocate(0, 0x10000, false, PAGE_READWRITE);
    a.commit(reserve + 0x2000, 0x1000, PAGE_READWRITE);
    assert.equal(b.query(reserve + 0x2000).state, MEM_COMMIT);
    assert.equal(b.query(reserve).state, MEM_RESERVE);
    b.release(base);
    a.sync();
    assert.equal(a.query(base).state, MEM_FREE);
    assert.throws(() => a.u32(base), GuestMemoryError);
    assert.equal(a.allocationAt(reserve)?.base, reserve);
    a.release(reserve);
  });

  it('compacts the page pool and keeps the surviving page states', () => {
    const m = new AddressSpace();
    const keep = m.allocate(0, 0x100000, false, PAGE_READWRITE);
    m.commit(keep + 0x3000, 0x2000, PAGE_READONLY);
    // 1 GiB reservations with one committed page each take 262144 pool entries; twenty of
    // them pass the pool's size, so it compacts on the way.
    for (let i = 0; i < 20; i++) {
      const r = m.allocate(0, 1 << 30, false, PAGE_READWRITE);
      m.commit(r + 0x5000, 0x1000, PAGE_READWRITE);
      assert.equal(m.query(r + 0x5000).state, MEM_COMMIT);
      m.release(r);
    }
    assert.deepEqual([m.query(keep).state, m.query(keep + 0x3000).protect, m.query(keep + 0x3000).regionSize, m.query(keep + 0x5000).state], [MEM_RESERVE, PAGE_READONLY, 0x2000, MEM_RESERVE]);
    m.release(keep);
  });

  it('a change that needs more page states than the pool holds fails with ERROR_NOT_ENOUGH_MEMORY and changes nothing', () => {
    const m = new AddressSpace();
    const size = (POOL_PAGES + 16) * 0x1000;
    const r = m.allocate(0, size, false, PAGE_READWRITE);
    assert.throws(
      () => m.commit(r, 0x1000, PAGE_READWRITE),
      (e: unknown) => e instanceof AddressSpaceError && e.win32Error === 8 && /region map/.test(e.message),
    );
    assert.equal(m.query(r).state, MEM_RESERVE);
    assert.throws(() => m.u8(r), GuestMemoryError);
    m.release(r);
  });

  it('stays consistent while a Worker allocates and frees at the same time', async () => {
    const m = new AddressSpace();
    const url = new URL('../src/native/memory.js', import.meta.url).href;
    const rounds = 300;
    const w = new Worker(
      `const { workerData, parentPort } = require('node:worker_threads');
       import(${JSON.stringify(url)}).then(({ AddressSpace }) => {
         const m = new AddressSpace(workerData);
         const kept = [];
         for (let i = 0; i < ${rounds}; i++) {
           const b = m.allocate(0, 0x10000, true, 4);
           m.protect(b + 0x1000, 0x1000, 2);
           m.setU32(b, i);
           if (i % 2) m.release(b); else kept.push(b);
         }
         parentPort.postMessage(kept);
       });`,
      { eval: true, workerData: m.shared },
    );
    const done = new Promise<number[]>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    const mine: number[] = [];
    for (let i = 0; i < rounds; i++) {
      const b = m.allocate(0, 0x10000, true, PAGE_READWRITE);
      m.commit(b, 0x1000, PAGE_READWRITE);
      m.setU32(b, 1000 + i);
      if (i % 3) m.release(b);
      else mine.push(b);
    }
    const theirs = await done;
    await w.terminate();
    m.sync();
    theirs.forEach((b, k) => {
      assert.equal(m.u32(b), 2 * k, "the Worker's value");
      assert.equal(m.query(b + 0x1000).protect, PAGE_READONLY);
      assert.throws(() => m.setU8(b + 0x1000, 0), GuestMemoryError);
    });
    mine.forEach((b, k) => assert.equal(m.u32(b), 1000 + 3 * k));
    for (const b of [...theirs, ...mine]) m.release(b);
  });
});
