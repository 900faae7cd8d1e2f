/**
 * The address space with Windows semantics (reserve / commit / decommit / release, 64 KiB
 * allocation granularity, page protections, a region map shared by every thread for
 * VirtualQuery and for validating each access). Reading and writing guest memory is
 * GuestMemory's (guestmemory.ts), the vocabulary memprotect.ts's.
 */
import { GuestMemory, pageSlot } from './guestmemory.js';
import { MAX_RECORDS, RegionMap, RegionMapFull } from './regionmap.js';
import { discardPages, mmapAnywhere, mmapAt, mmapFileAt, mmapReplace, mprotect, msync, munmap, NativeError, PROT_NONE } from './host.js';
import {
  ALLOCATION_GRANULARITY, AddressSpaceError, ERROR_INVALID_ADDRESS, ERROR_INVALID_PARAMETER, ERROR_NOT_ENOUGH_MEMORY, GuestMemoryError, MEM_COMMIT, MEM_FREE, MEM_IMAGE,
  MEM_MAPPED, MEM_PRIVATE, MEM_RESERVE, PAGE_EXECUTE_READ, PAGE_EXECUTE_WRITECOPY, PAGE_READWRITE, PAGE_GUARD, PAGE_NOACCESS, PAGE_SIZE, USER_SPACE_END, USER_SPACE_START, alignDown, alignUp, cpuAllows, hostProt, isValidProtection, readable, writable,
  type Access, type Allocation, type MemoryType, type RegionInfo,
} from './memprotect.js';

/** The arena of arenaPlace: [6 GiB, 8 GiB), in the 4 GiB window of the usual image base
 *  0x140000000 (5 GiB); blocks up to a default heap (1 GiB) and a bit. A DLL that prefers
 *  0x180000000 may find it taken and be relocated, as ASLR would do on Windows. */
const ARENA_LOW = 0x180000000;
const ARENA_HIGH = 0x200000000;
const ARENA_MAX_BLOCK = (1 << 30) + (1 << 20);

/** A process's address space: its region map, and guest memory access through it. */
export class AddressSpace extends GuestMemory {
  /** The allocation map, shared by every thread of the process (native/regionmap.ts). */
  private readonly map: RegionMap;
  /** Where arenaPlace looks first (this realm's last placement). */
  private arenaHint = ARENA_LOW;
  /** The map's header words (the generation is word 1). */
  private readonly header: Int32Array;
  /** The map generation this thread's caches below were filled in. */
  private seenGeneration = -1;
  /** The record `find` returned last, valid while the map's generation is lastGeneration. */
  private lastIndex = -1;
  private lastBase = 0;
  private lastEnd = 0;
  private lastGeneration = -1;

  /** A new address space, or (in a thread's Worker) the process's, given its shared map. */
  constructor(shared?: SharedArrayBuffer) {
    super();
    this.map = new RegionMap(shared);
    this.header = this.map.header;
  }

  /** The allocation map's buffer, for a new thread's AddressSpace. */
  get shared(): SharedArrayBuffer {
    return this.map.buffer;
  }

  /** Changes whenever a MEM_IMAGE allocation is released by any thread. */
  imageReleases(): number {
    return this.map.imageReleases();
  }

  /**
   * Drops this thread's caches (accessible pages) when the map changed since they were filled,
   * by any thread. The dispatcher calls this at every API call and callGuest after each JS →
   * guest call, so that a change another thread made before the guest synchronised with it is
   * seen; between those points the caches are trusted (a change racing with an access is a race
   * in the guest on Windows too), which keeps `check`'s fast path free of shared-memory reads.
   */
  sync(): void {
    // A plain read (about 1 ns against Atomics.load's 8 on every API call): racing with a
    // writer only delays the flush to this thread's next call.
    const g = this.header[1]!;
    if (g !== this.seenGeneration) {
      this.seenGeneration = g;
      this.okRead.fill(-1);
      this.okWrite.fill(-1);
    }
  }

  /** A number that changes whenever the map changes (any thread's change, as `sync` sees it):
   *  what a cache of "this range was readable" is valid for. */
  mapGeneration(): number {
    this.sync();
    return this.seenGeneration;
  }

  /** Takes the map's lock, with this thread's caches current. */
  private enter(): RegionMap {
    this.map.lock();
    this.sync();
    return this.map;
  }

  /** Releases the lock; a change made under it drops this thread's caches. */
  private leave(): void {
    this.sync();
    this.map.unlock();
  }

  // ---- region map (under the lock) ---------------------------------------------------------
  /** The record holding addr, or −1. */
  private find(addr: number): number {
    const g = Atomics.load(this.header, 1);
    if (this.lastGeneration === g && addr >= this.lastBase && addr < this.lastEnd) return this.lastIndex;
    const m = this.map;
    const i = m.find(addr);
    if (i >= 0) {
      this.lastIndex = i;
      this.lastBase = m.base(i);
      this.lastEnd = this.lastBase + m.size(i);
      this.lastGeneration = g;
    }
    return i;
  }

  /** Sets pages [from, to) of record i to `state` in the map (before the host change, so that
   *  a full map leaves both unchanged). */
  private setPages(i: number, from: number, to: number, state: number): void {
    try {
      this.map.setPages(i, from, to, state);
    } catch (e) {
      if (e instanceof RegionMapFull) throw new AddressSpaceError(ERROR_NOT_ENOUGH_MEMORY, e.message);
      throw e;
    }
  }

  private describe(i: number): Allocation {
    const m = this.map;
    return { base: m.base(i), size: m.size(i), type: m.type(i) as MemoryType, allocationProtect: m.allocationProtect(i) };
  }

  /** The allocation holding addr (a copy of its record), or undefined. */
  allocationAt(addr: number): Allocation | undefined {
    this.enter();
    try {
      const i = this.find(addr);
      return i < 0 ? undefined : this.describe(i);
    } finally {
      this.leave();
    }
  }

  /** Whether every page of [addr, addr+size) is committed, in one allocation. */
  committed(addr: number, size: number): boolean {
    const m = this.enter();
    try {
      const i = this.find(addr);
      if (i < 0) return false;
      const base = m.base(i);
      if (addr + size > base + m.size(i)) return false;
      for (let p = alignDown(addr, PAGE_SIZE); p < addr + size; p += PAGE_SIZE) if (m.page(i, (p - base) / PAGE_SIZE) === 0) return false;
      return true;
    } finally {
      this.leave();
    }
  }

  /** Places winrun's own machine code in a private allocation of its own, readable and
   *  executable only; returns its address. */
  placeCode(code: Uint8Array): number {
    const at = this.allocate(0, code.length, true, PAGE_READWRITE, MEM_PRIVATE);
    this.write(at, code);
    this.protect(at, code.length, PAGE_EXECUTE_READ);
    return at;
  }

  /**
   * Reserves (and optionally commits) a new allocation, at `addr` exactly when given
   * (64 KiB aligned), else anywhere 64 KiB aligned. Returns the base.
   */
  allocate(addr: number, size: number, commit: boolean, protect: number, type: MemoryType = MEM_PRIVATE): number {
    if (size <= 0) throw new AddressSpaceError(ERROR_INVALID_PARAMETER, 'allocation of 0 bytes');
    if (!isValidProtection(protect)) throw new AddressSpaceError(ERROR_INVALID_PARAMETER, `invalid protection 0x${protect.toString(16)}`);
    // A requested address rounds down to 64 KiB; the allocation then covers every page of
    // [addr, addr+size).
    const len = addr !== 0 ? alignUp(addr + size, PAGE_SIZE) - alignDown(addr, ALLOCATION_GRANULARITY) : alignUp(size, PAGE_SIZE);
    const prot = commit ? hostProt(protect) : PROT_NONE;
    const m = this.enter();
    try {
      if (m.count >= MAX_RECORDS) throw new AddressSpaceError(ERROR_NOT_ENOUGH_MEMORY, `cannot reserve ${len} bytes: winrun's region map holds at most ${MAX_RECORDS} allocations`);
      let base: number;
      try {
        if (addr !== 0) {
          base = mmapAt(alignDown(addr, ALLOCATION_GRANULARITY), len, prot);
        } else {
          const placed = this.arenaPlace(m, len, prot);
          if (placed !== undefined) {
            m.insert(placed, len, type, type === MEM_IMAGE ? PAGE_EXECUTE_WRITECOPY : protect, commit ? protect : 0);
            return placed;
          }
          // Over-allocate, then trim to 64 KiB alignment.
          const raw = mmapAnywhere(len + ALLOCATION_GRANULARITY, prot);
          base = alignUp(raw, ALLOCATION_GRANULARITY);
          if (base > raw) munmap(raw, base - raw);
          const tail = raw + len + ALLOCATION_GRANULARITY - (base + len);
          if (tail > 0) munmap(base + len, tail);
        }
      } catch (e) {
        if (e instanceof NativeError) {
          throw new AddressSpaceError(addr !== 0 ? ERROR_INVALID_ADDRESS : ERROR_NOT_ENOUGH_MEMORY, `cannot reserve ${len} bytes${addr ? ` at 0x${addr.toString(16)}` : ''}: ${e.message}`);
        }
        throw e;
      }
      // An image reports the protection its section was created with, as Windows does.
      m.insert(base, len, type, type === MEM_IMAGE ? PAGE_EXECUTE_WRITECOPY : protect, commit ? protect : 0);
      return base;
    } finally {
      this.leave();
    }
  }

  /**
   * Where an allocation without an address goes while there is room: the arena, the upper
   * half of the 4 GiB window that also holds a program's usual image base (0x140000000). JS
   * reads guest memory through one koffi view per 4 GiB window, and V8 answers every new view
   * with a full garbage collection (the view counts as external memory): with the engine's
   * code, the heaps, the PEB, stacks and the program in one window, a start-up pays for one
   * view instead of three. First fit from this realm's hint, checked against the region map;
   * MAP_FIXED_NOREPLACE guards against host mappings the map does not know. Undefined: the
   * caller maps anywhere.
   */
  private arenaPlace(m: RegionMap, len: number, prot: number): number | undefined {
    if (len > ARENA_MAX_BLOCK) return undefined;
    for (const start of this.arenaHint > ARENA_LOW ? [this.arenaHint, ARENA_LOW] : [ARENA_LOW]) {
      let cursor = start;
      for (let tries = 0; tries < 64 && cursor + len <= ARENA_HIGH; tries++) {
        const inside = m.find(cursor);
        if (inside >= 0) {
          cursor = alignUp(m.base(inside) + m.size(inside), ALLOCATION_GRANULARITY);
          continue;
        }
        const next = m.firstAbove(cursor);
        const gapEnd = next < m.count ? Math.min(m.base(next), ARENA_HIGH) : ARENA_HIGH;
        if (gapEnd - cursor >= len) {
          try {
            const base = mmapAt(cursor, len, prot);
            this.arenaHint = alignUp(base + len, ALLOCATION_GRANULARITY);
            return base;
          } catch (e) {
            if (!(e instanceof NativeError)) throw e;
            cursor += ALLOCATION_GRANULARITY; // a host mapping is there
            continue;
          }
        }
        if (next >= m.count) break;
        cursor = alignUp(m.base(next) + m.size(next), ALLOCATION_GRANULARITY);
      }
    }
    return undefined;
  }

  /**
   * Maps a view of a file (MapViewOfFile): `size` bytes from `offset` (64 KiB aligned), shared
   * or copy-on-write, at `addr` or anywhere 64 KiB aligned. Returns the base; the view is a
   * MEM_MAPPED allocation that `release` unmaps.
   */
  mapFile(addr: number, size: number, protect: number, fd: number, offset: number, shared: boolean): number {
    const m = this.enter();
    try {
      const base = this.allocate(addr, size, false, protect, MEM_MAPPED);
      const i = this.find(base);
      try {
        mmapFileAt(base, m.size(i), hostProt(protect), fd, offset, shared);
      } catch (e) {
        this.release(base);
        if (e instanceof NativeError) throw new AddressSpaceError(ERROR_NOT_ENOUGH_MEMORY, `cannot map the file view: ${e.message}`);
        throw e;
      }
      this.setPages(i, 0, m.size(i) / PAGE_SIZE, protect);
      return base;
    } finally {
      this.leave();
    }
  }

  /** FlushViewOfFile: writes the pages of [addr, addr+size) of a view back to the file. */
  flushView(addr: number, size: number): boolean {
    const a = this.allocationAt(addr);
    if (!a || a.type !== MEM_MAPPED) return false;
    const start = alignDown(addr, PAGE_SIZE);
    const end = size === 0 ? a.base + a.size : Math.min(alignUp(addr + size, PAGE_SIZE), a.base + a.size);
    return msync(start, end - start);
  }

  /** The record holding [addr, addr+size) whole, else an AddressSpaceError. */
  private within(addr: number, size: number, what: string): number {
    const i = this.find(addr);
    if (i < 0 || addr + size > this.map.base(i) + this.map.size(i)) throw new AddressSpaceError(ERROR_INVALID_ADDRESS, `0x${addr.toString(16)} is not ${what}`);
    return i;
  }

  /** Commits pages inside an existing allocation (VirtualAlloc MEM_COMMIT). */
  commit(addr: number, size: number, protect: number): void {
    if (!isValidProtection(protect)) throw new AddressSpaceError(ERROR_INVALID_PARAMETER, `invalid protection 0x${protect.toString(16)}`);
    const m = this.enter();
    try {
      const i = this.within(addr, size, 'reserved');
      const start = alignDown(addr, PAGE_SIZE);
      const end = alignUp(addr + size, PAGE_SIZE);
      this.setPages(i, (start - m.base(i)) / PAGE_SIZE, (end - m.base(i)) / PAGE_SIZE, protect);
      mprotect(start, end - start, hostProt(protect));
    } finally {
      this.leave();
    }
  }

  /** Gives the pages of [addr, addr+size) (committed, private) back to the host: they read as
   *  zero again, as newly committed pages do, and cost nothing until touched. */
  zeroPages(addr: number, size: number): void {
    const start = alignDown(addr, PAGE_SIZE);
    discardPages(start, alignUp(addr + size, PAGE_SIZE) - start);
  }

  decommit(addr: number, size: number): void {
    const m = this.enter();
    try {
      const i = this.within(addr, size, 'reserved');
      const start = alignDown(addr, PAGE_SIZE);
      const end = alignUp(addr + size, PAGE_SIZE);
      const from = (start - m.base(i)) / PAGE_SIZE;
      const to = (end - m.base(i)) / PAGE_SIZE;
      this.setPages(i, from, to, 0);
      m.setLockedPages(i, from, to, false);
      mmapReplace(start, end - start, PROT_NONE);
      discardPages(start, end - start);
    } finally {
      this.leave();
    }
  }

  release(base: number): void {
    const m = this.enter();
    try {
      const i = this.find(base);
      if (i < 0 || m.base(i) !== base) throw new AddressSpaceError(ERROR_INVALID_ADDRESS, `0x${base.toString(16)} is not the base of an allocation`);
      // Unmapped under the lock: no other thread can map the range before the record goes.
      munmap(base, m.size(i));
      m.remove(i);
    } finally {
      this.leave();
    }
  }

  /** Changes the protection of committed pages; returns the old protection of the first. */
  protect(addr: number, size: number, protect: number): number {
    if (!isValidProtection(protect)) throw new AddressSpaceError(ERROR_INVALID_PARAMETER, `invalid protection 0x${protect.toString(16)}`);
    const m = this.enter();
    try {
      const start = alignDown(addr, PAGE_SIZE);
      const end = alignUp(addr + Math.max(size, 1), PAGE_SIZE);
      const i = this.find(addr);
      if (i < 0 || end > m.base(i) + m.size(i)) throw new AddressSpaceError(ERROR_INVALID_ADDRESS, `0x${addr.toString(16)} is not allocated`);
      const first = (start - m.base(i)) / PAGE_SIZE;
      const last = (end - m.base(i)) / PAGE_SIZE;
      for (let p = first; p < last; p++) if (m.page(i, p) === 0) throw new AddressSpaceError(ERROR_INVALID_ADDRESS, 'pages are not committed');
      const old = m.page(i, first);
      this.setPages(i, first, last, protect);
      mprotect(start, end - start, hostProt(protect));
      return old;
    } finally {
      this.leave();
    }
  }

  /** VirtualQuery: the run of pages with the same state from `addr`. */
  query(addr: number): RegionInfo {
    const page = alignDown(addr, PAGE_SIZE);
    const m = this.enter();
    try {
      const i = this.find(addr);
      if (i < 0) {
        // A free region: from the end of the allocation below up to the next one.
        const next = m.firstAbove(page);
        const start = next > 0 ? m.base(next - 1) + m.size(next - 1) : 0;
        return { baseAddress: page, allocationBase: 0, allocationProtect: 0, regionSize: (next < m.count ? m.base(next) : USER_SPACE_END) - Math.max(page, start), state: MEM_FREE, protect: PAGE_NOACCESS, type: 0 };
      }
      const base = m.base(i);
      const pages = m.size(i) / PAGE_SIZE;
      let k = (page - base) / PAGE_SIZE;
      const p = m.page(i, k);
      let n = 0;
      while (k < pages && m.page(i, k) === p) {
        k++;
        n++;
      }
      return { baseAddress: page, allocationBase: base, allocationProtect: m.allocationProtect(i), regionSize: n * PAGE_SIZE, state: p === 0 ? MEM_RESERVE : MEM_COMMIT, protect: p, type: m.type(i) };
    } finally {
      this.leave();
    }
  }

  /**
   * Whether every page of [addr, addr+len) is committed with a protection that allows
   * `access` (the IsBad*Ptr probes: decided from the region map, memory is not touched).
   * The range may span adjacent allocations. A zero length is always accessible.
   */
  accessible(addr: number, len: number, access: Access): boolean {
    if (len <= 0) return true;
    if (!Number.isSafeInteger(addr) || addr < USER_SPACE_START || addr + len > USER_SPACE_END) return false;
    // Within one page, or two (a CONTEXT often spans two), that `check` or this found readable
    // (writable) since the map last changed.
    const page = Math.floor(addr / PAGE_SIZE);
    const end = addr + len;
    const pages = end <= (page + 1) * PAGE_SIZE ? 1 : end <= (page + 2) * PAGE_SIZE ? 2 : 0;
    if (pages !== 0 && access !== 'execute') {
      const ok = access === 'write' ? this.okWrite : this.okRead;
      if (ok[pageSlot(page)] === page && (pages === 1 || ok[pageSlot(page + 1)] === page + 1)) return true;
    }
    const m = this.enter();
    try {
      let p = alignDown(addr, PAGE_SIZE);
      while (p < end) {
        const i = this.find(p);
        if (i < 0) return false;
        const base = m.base(i);
        const stop = Math.min(end, base + m.size(i));
        for (let k = (p - base) / PAGE_SIZE; base + k * PAGE_SIZE < stop; k++) {
          const state = m.page(i, k);
          if (!cpuAllows(state, access)) return false;
          const at = Math.floor((base + k * PAGE_SIZE) / PAGE_SIZE);
          if (pages !== 0) {
            if (readable(state)) this.okRead[pageSlot(at)] = at;
            if (writable(state)) this.okWrite[pageSlot(at)] = at;
          }
        }
        p = base + m.size(i);
      }
      return true;
    } finally {
      this.leave();
    }
  }


  /**
   * VirtualLock / VirtualUnlock bookkeeping for the pages of [addr, addr+size), which must lie
   * in one allocation (else 'range'). Locking needs committed pages ('uncommitted'); unlocking
   * reports 'not-locked' when some page was not locked (the others are unlocked anyway, as
   * Windows does). Pages are not pinned on the host: Linux keeps them resident enough.
   */
  setLocked(addr: number, size: number, lock: boolean): 'ok' | 'range' | 'uncommitted' | 'not-locked' {
    const m = this.enter();
    try {
      const i = this.find(addr);
      const start = alignDown(addr, PAGE_SIZE);
      const end = alignUp(addr + Math.max(size, 1), PAGE_SIZE);
      if (i < 0 || end > m.base(i) + m.size(i)) return 'range';
      const first = (start - m.base(i)) / PAGE_SIZE;
      const last = (end - m.base(i)) / PAGE_SIZE;
      if (lock) {
        for (let k = first; k < last; k++) if (m.page(i, k) === 0) return 'uncommitted';
        try {
          m.setLockedPages(i, first, last, true);
        } catch (e) {
          if (e instanceof RegionMapFull) throw new AddressSpaceError(ERROR_NOT_ENOUGH_MEMORY, e.message);
          throw e;
        }
        return 'ok';
      }
      let all = true;
      for (let k = first; k < last; k++) if (!m.isLocked(i, k)) all = false;
      m.setLockedPages(i, first, last, false);
      return all ? 'ok' : 'not-locked';
    } finally {
      this.leave();
    }
  }

  /**
   * A guard page was touched: lifts PAGE_GUARD from the page holding `addr` (restoring its
   * protection on the host) and returns true; false when that page had no guard (or another
   * thread lifted it first: Windows raises the guard exception once).
   */
  liftGuard(addr: number): boolean {
    const m = this.enter();
    try {
      const i = this.find(addr);
      if (i < 0) return false;
      const k = Math.floor((addr - m.base(i)) / PAGE_SIZE);
      const p = m.page(i, k);
      if ((p & PAGE_GUARD) === 0) return false;
      this.setPages(i, k, k + 1, p & ~PAGE_GUARD);
      mprotect(m.base(i) + k * PAGE_SIZE, PAGE_SIZE, hostProt(p & ~PAGE_GUARD));
      return true;
    } finally {
      this.leave();
    }
  }

  protected override checkSlow(addr: number, len: number, write: boolean): void {
    const m = this.enter();
    try {
      const i = this.find(addr);
      if (i < 0 || !(len >= 0) || !Number.isSafeInteger(addr)) throw new GuestMemoryError(addr, len, write);
      const base = m.base(i);
      if (addr + len > base + m.size(i)) throw new GuestMemoryError(addr, len, write);
      const first = Math.floor((addr - base) / PAGE_SIZE);
      const last = Math.floor((addr + Math.max(len, 1) - 1 - base) / PAGE_SIZE);
      for (let k = first; k <= last; k++) {
        const p = m.page(i, k);
        if (write ? !writable(p) : !readable(p)) throw new GuestMemoryError(addr, len, write);
      }
      // One or two pages (the cache's fast path takes both).
      if (last - first <= 1) {
        for (let page = Math.floor(addr / PAGE_SIZE), k = first; k <= last; k++, page++) {
          (write ? this.okWrite : this.okRead)[pageSlot(page)] = page;
          if (write) this.okRead[pageSlot(page)] = page;
        }
      }
    } finally {
      this.leave();
    }
  }
}
