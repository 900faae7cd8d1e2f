/**
 * The address space with Windows semantics (reserve / commit / decommit / release, 64 KiB
 * allocation granularity, page protections, a region map for VirtualQuery) and the one API
 * through which JS reads and writes guest memory. Every access is validated against the
 * region map first: a bad guest pointer is a GuestMemoryError, never a host crash.
 */
import { koffi } from './ffi.js';
import { MAX_RECORDS, RegionMap, RegionMapFull } from './regionmap.js';
import { discardPages, mmapAnywhere, mmapAt, mmapFileAt, mmapReplace, mprotect, msync, munmap, NativeError, PROT_EXEC, PROT_NONE, PROT_READ, PROT_WRITE } from './host.js';

export const PAGE_SIZE = 0x1000;
export const ALLOCATION_GRANULARITY = 0x10000;

// PAGE_* protections (winnt.h)
export const PAGE_NOACCESS = 0x01;
export const PAGE_READONLY = 0x02;
export const PAGE_READWRITE = 0x04;
export const PAGE_WRITECOPY = 0x08;
export const PAGE_EXECUTE = 0x10;
export const PAGE_EXECUTE_READ = 0x20;
export const PAGE_EXECUTE_READWRITE = 0x40;
export const PAGE_EXECUTE_WRITECOPY = 0x80;
export const PAGE_GUARD = 0x100;

// MEM_* types and states
export const MEM_COMMIT = 0x1000;
export const MEM_RESERVE = 0x2000;
export const MEM_FREE = 0x10000;
export const MEM_PRIVATE = 0x20000;
export const MEM_MAPPED = 0x40000;
export const MEM_IMAGE = 0x1000000;

export type MemoryType = typeof MEM_PRIVATE | typeof MEM_MAPPED | typeof MEM_IMAGE;

/** Why an access was refused; the API layer maps these to ERROR_NOACCESS / ERROR_INVALID_PARAMETER. */
export class GuestMemoryError extends Error {
  override readonly name = 'GuestMemoryError';
  constructor(
    readonly address: number,
    readonly length: number,
    readonly write: boolean,
  ) {
    super(`invalid guest ${write ? 'write' : 'read'} of ${length} bytes at 0x${address.toString(16)}`);
  }
}

export class AddressSpaceError extends Error {
  override readonly name = 'AddressSpaceError';
  constructor(
    /** The Win32 error the API layer should report. */
    readonly win32Error: number,
    message: string,
  ) {
    super(message);
  }
}
const ERROR_INVALID_ADDRESS = 487;
const ERROR_INVALID_PARAMETER = 87;
const ERROR_NOT_ENOUGH_MEMORY = 8;

export interface Allocation {
  readonly base: number;
  readonly size: number;
  readonly type: MemoryType;
  readonly allocationProtect: number;
}

/** What a probe (IsBadReadPtr and friends) asks of a range. */
export type Access = 'read' | 'write' | 'execute';

export interface RegionInfo {
  baseAddress: number;
  allocationBase: number;
  allocationProtect: number;
  regionSize: number;
  state: number;
  protect: number;
  type: number;
}

function hostProt(p: number): number {
  // A guard page faults on first touch (the fault handler then lifts the guard).
  if (p & PAGE_GUARD) return isValidProtection(p) ? PROT_NONE : -1;
  switch (p & 0xff) {
    case PAGE_NOACCESS:
      return PROT_NONE;
    case PAGE_READONLY:
      return PROT_READ;
    case PAGE_READWRITE:
    case PAGE_WRITECOPY:
      return PROT_READ | PROT_WRITE;
    case PAGE_EXECUTE:
      return PROT_EXEC | PROT_READ; // x86 cannot execute without read
    case PAGE_EXECUTE_READ:
      return PROT_EXEC | PROT_READ;
    case PAGE_EXECUTE_READWRITE:
    case PAGE_EXECUTE_WRITECOPY:
      return PROT_EXEC | PROT_READ | PROT_WRITE;
    default:
      return -1;
  }
}

export const PAGE_NOCACHE = 0x200;
export const PAGE_WRITECOMBINE = 0x400;

/** Exactly one base protection, optionally with one of the GUARD / NOCACHE / WRITECOMBINE
 *  modifiers; the modifiers do not combine with PAGE_NOACCESS (memoryapi.h rules). */
export function isValidProtection(p: number): boolean {
  const base = p & 0xff;
  const mod = p & 0x700;
  if ((p & ~0x7ff) !== 0 || base === 0 || (base & (base - 1)) !== 0) return false;
  if (mod !== 0 && ((mod & (mod - 1)) !== 0 || base === PAGE_NOACCESS)) return false;
  return true;
}

const readable = (p: number): boolean => p !== 0 && (p & (PAGE_NOACCESS | PAGE_GUARD)) === 0 && (p & 0xff) !== PAGE_EXECUTE;
const writable = (p: number): boolean => (p & (PAGE_READWRITE | PAGE_WRITECOPY | PAGE_EXECUTE_READWRITE | PAGE_EXECUTE_WRITECOPY)) !== 0 && (p & PAGE_GUARD) === 0;
/** What the CPU allows (x86 has no execute-only pages: PAGE_EXECUTE reads). */
const cpuAllows = (p: number, access: Access): boolean => {
  if (p === 0 || (p & (PAGE_NOACCESS | PAGE_GUARD)) !== 0) return false;
  if (access === 'write') return writable(p);
  if (access === 'execute') return (p & (PAGE_EXECUTE | PAGE_EXECUTE_READ | PAGE_EXECUTE_READWRITE | PAGE_EXECUTE_WRITECOPY)) !== 0;
  return true;
};

/** The lowest and the end of the user address range of an x64 process (Windows 10). */
export const USER_SPACE_START = 0x10000;
export const USER_SPACE_END = 0x7ffffffeffff + 1;

const FOUR_GIB = 0x100000000;
const LOWEST_VIEW = 0x10000;
/** Copies up to this many bytes (a multiple of 4) move word by word. */
const SMALL_COPY = 64;
const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;
const alignDown = (n: number, a: number): number => Math.floor(n / a) * a;

/** One 4 GiB window of guest memory: [base, end) as a DataView and bytes. */
interface GuestWindow {
  readonly base: number;
  readonly end: number;
  readonly dv: DataView;
  readonly u8: Uint8Array;
}

/**
 * Guest memory. JS reaches it through DataViews over 4 GiB windows (created lazily, each a
 * `koffi.view` ≤ 4 GiB that never starts at address 0), after `check` has validated the range.
 */
export class AddressSpace {
  /** The allocation map, shared by every thread of the process (native/regionmap.ts). */
  private readonly map: RegionMap;
  /** The map's header words (the generation is word 1). */
  private readonly header: Int32Array;
  /** The map generation this thread's caches below were filled in. */
  private seenGeneration = -1;
  /** Windows by index (address / 4 GiB; the user range has 32768): an array, since the
   *  stack and the images lie in different windows and accesses alternate between them. */
  private readonly windows: (GuestWindow | undefined)[] = new Array<GuestWindow | undefined>(Math.ceil(USER_SPACE_END / FOUR_GIB)).fill(undefined);
  private lastWindow: GuestWindow | undefined;
  /** The record `find` returned last, valid while the map's generation is lastGeneration. */
  private lastIndex = -1;
  private lastBase = 0;
  private lastEnd = 0;
  private lastGeneration = -1;
  /** Pages `check` found readable (writable) since the last change to the map by any thread
   *  that `sync` has seen: a direct-mapped cache of page numbers (-1: empty), so that repeated accesses to the same
   *  stack, thread-block and image pages are one comparison. */
  private readonly okRead = new Float64Array(64).fill(-1);
  private readonly okWrite = new Float64Array(64).fill(-1);

  /** A new address space, or (in a thread's Worker) the process's, given its shared map. */
  constructor(shared?: SharedArrayBuffer) {
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
    // Within one page that `check` found readable (writable) since the map last changed.
    const page = Math.floor(addr / PAGE_SIZE);
    const single = addr + len <= (page + 1) * PAGE_SIZE;
    if (single && access !== 'execute' && (access === 'write' ? this.okWrite : this.okRead)[page & 63] === page) return true;
    const m = this.enter();
    try {
      let p = alignDown(addr, PAGE_SIZE);
      const end = addr + len;
      while (p < end) {
        const i = this.find(p);
        if (i < 0) return false;
        const base = m.base(i);
        const stop = Math.min(end, base + m.size(i));
        for (let k = (p - base) / PAGE_SIZE; base + k * PAGE_SIZE < stop; k++) if (!cpuAllows(m.page(i, k), access)) return false;
        if (single) {
          const state = m.page(i, (p - base) / PAGE_SIZE);
          if (readable(state)) this.okRead[page & 63] = page;
          if (writable(state)) this.okWrite[page & 63] = page;
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

  // ---- access from JS ----------------------------------------------------------------------
  /** Throws GuestMemoryError unless [addr, addr+len) is committed and readable (writable). */
  check(addr: number, len: number, write = false): void {
    const page = Math.floor(addr / PAGE_SIZE);
    const ok = write ? this.okWrite : this.okRead;
    if (ok[page & 63] === page && len >= 0 && addr + len <= (page + 1) * PAGE_SIZE && Number.isSafeInteger(addr)) return;
    this.checkSlow(addr, len, write);
  }

  private checkSlow(addr: number, len: number, write: boolean): void {
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
      if (first === last) {
        const page = Math.floor(addr / PAGE_SIZE);
        (write ? this.okWrite : this.okRead)[page & 63] = page;
        if (write) this.okRead[page & 63] = page;
      }
    } finally {
      this.leave();
    }
  }

  /** The DataView window holding `addr` and the offset of addr in it (no validation). */
  window(addr: number): { dv: DataView; u8: Uint8Array; off: number } {
    const w = this.win(addr);
    return { dv: w.dv, u8: w.u8, off: addr - w.base };
  }

  /** The window record holding `addr` (created on first use; the last one is remembered, so
   *  the accessors below allocate nothing). */
  private win(addr: number): GuestWindow {
    const l = this.lastWindow;
    if (l !== undefined && addr >= l.base && addr < l.end) return l;
    const k = Math.floor(addr / FOUR_GIB);
    let w = this.windows[k];
    if (!w) {
      const base = Math.max(k * FOUR_GIB, LOWEST_VIEW);
      const end = (k + 1) * FOUR_GIB;
      const ab = koffi.view(base, end - base) as ArrayBuffer;
      w = { base, end, dv: new DataView(ab), u8: new Uint8Array(ab) };
      this.windows[k] = w;
    }
    return (this.lastWindow = w);
  }

  /** The DataView of the window holding `addr` (no validation, no allocation); the offset of
   *  addr in it is addr − windowBase(addr). For hot paths that checked the range themselves. */
  windowView(addr: number): DataView {
    return this.win(addr).dv;
  }
  windowBase(addr: number): number {
    return this.win(addr).base;
  }

  /** A live 32-bit word of guest memory, for Atomics (a flag machine code also writes). */
  int32At(addr: number): Int32Array {
    this.check(addr, 4, true);
    if (addr % 4 !== 0) throw new GuestMemoryError(addr, 4, true);
    const w = this.window(addr);
    return new Int32Array(w.u8.buffer, w.u8.byteOffset + w.off, 1);
  }

  /** A range never crosses a 4 GiB window in practice; handle it anyway byte by byte. */
  private crosses(addr: number, len: number): boolean {
    return Math.floor(addr / FOUR_GIB) !== Math.floor((addr + len - 1) / FOUR_GIB);
  }

  u8(addr: number): number {
    this.check(addr, 1);
    const w = this.win(addr);
    return w.u8[addr - w.base]!;
  }
  u16(addr: number): number {
    this.check(addr, 2);
    const w = this.win(addr);
    return w.dv.getUint16(addr - w.base, true);
  }
  u32(addr: number): number {
    this.check(addr, 4);
    const w = this.win(addr);
    return w.dv.getUint32(addr - w.base, true);
  }
  i32(addr: number): number {
    this.check(addr, 4);
    const w = this.win(addr);
    return w.dv.getInt32(addr - w.base, true);
  }
  u64(addr: number): bigint {
    this.check(addr, 8);
    const w = this.win(addr);
    return w.dv.getBigUint64(addr - w.base, true);
  }
  /** A 64-bit value known to be an address or small count: as a number. */
  ptr(addr: number): number {
    this.check(addr, 8);
    const w = this.win(addr);
    const off = addr - w.base;
    return w.dv.getUint32(off, true) + w.dv.getUint32(off + 4, true) * 0x100000000;
  }
  f64(addr: number): number {
    this.check(addr, 8);
    const w = this.win(addr);
    return w.dv.getFloat64(addr - w.base, true);
  }
  setU8(addr: number, v: number): void {
    this.check(addr, 1, true);
    const w = this.win(addr);
    w.u8[addr - w.base] = v;
  }
  setU16(addr: number, v: number): void {
    this.check(addr, 2, true);
    const w = this.win(addr);
    w.dv.setUint16(addr - w.base, v, true);
  }
  setU32(addr: number, v: number): void {
    this.check(addr, 4, true);
    const w = this.win(addr);
    w.dv.setUint32(addr - w.base, v >>> 0, true);
  }
  setU64(addr: number, v: bigint | number): void {
    this.check(addr, 8, true);
    const w = this.win(addr);
    const off = addr - w.base;
    // Addresses and counts (non-negative safe integers) go in two halves, without a BigInt.
    if (typeof v === 'number' && v >= 0 && v <= Number.MAX_SAFE_INTEGER && Number.isInteger(v)) {
      w.dv.setUint32(off, v >>> 0, true);
      w.dv.setUint32(off + 4, Math.floor(v / 0x100000000), true);
    } else w.dv.setBigUint64(off, BigInt.asUintN(64, BigInt(v)), true);
  }
  setF64(addr: number, v: number): void {
    this.check(addr, 8, true);
    const w = this.win(addr);
    w.dv.setFloat64(addr - w.base, v, true);
  }

  /** A live view of [addr, addr+len) for I/O straight into or out of guest memory (checked
   *  like read/write). Do not keep it beyond the call: the range may be freed. */
  view(addr: number, len: number, write: boolean): Uint8Array {
    this.check(addr, len, write);
    if (len === 0) return new Uint8Array(0);
    if (this.crosses(addr, len)) throw new GuestMemoryError(addr, len, write);
    const w = this.window(addr);
    return w.u8.subarray(w.off, w.off + len);
  }

  /** A copy of `len` bytes. */
  read(addr: number, len: number): Uint8Array {
    this.check(addr, len);
    if (len === 0) return new Uint8Array(0);
    if (this.crosses(addr, len)) return Uint8Array.from({ length: len }, (_, i) => this.u8(addr + i));
    const w = this.window(addr);
    return w.u8.slice(w.off, w.off + len);
  }
  write(addr: number, data: Uint8Array): void {
    this.check(addr, data.length, true);
    if (data.length === 0) return;
    if (this.crosses(addr, data.length)) {
      data.forEach((b, i) => this.setU8(addr + i, b));
      return;
    }
    const w = this.window(addr);
    w.u8.set(data, w.off);
  }
  fill(addr: number, value: number, len: number): void {
    this.check(addr, len, true);
    if (len === 0) return;
    const w = this.win(addr);
    const off = addr - w.base;
    w.u8.fill(value, off, off + len);
  }
  /** Copies within guest memory (memmove semantics). */
  copy(dst: number, src: number, len: number): void {
    this.check(src, len);
    this.check(dst, len, true);
    if (len === 0) return;
    const s = this.win(src);
    const d = this.win(dst);
    if (len <= SMALL_COPY && (len & 3) === 0) {
      // A few words (registers, record fields): word moves cost less than a typed-array call.
      if (!this.crosses(src, len) && !this.crosses(dst, len)) {
        const so = src - s.base;
        const doff = dst - d.base;
        if (s !== d || doff <= so || doff >= so + len) for (let i = 0; i < len; i += 4) d.dv.setUint32(doff + i, s.dv.getUint32(so + i, true), true);
        else for (let i = len - 4; i >= 0; i -= 4) d.dv.setUint32(doff + i, s.dv.getUint32(so + i, true), true);
        return;
      }
    }
    if (s === d) s.u8.copyWithin(dst - d.base, src - s.base, src - s.base + len);
    else d.u8.set(s.u8.subarray(src - s.base, src - s.base + len), dst - d.base);
  }
  /** Bytes of the NUL-terminated string at addr (without the NUL), at most `max` bytes. */
  cstringBytes(addr: number, max = 0x7fffffff): Uint8Array {
    let n = 0;
    // Validate page by page while scanning, so a string ending just before an unmapped
    // page is fine and one running into it is an error.
    for (;;) {
      const pageEnd = alignDown(addr + n, PAGE_SIZE) + PAGE_SIZE;
      this.check(addr + n, 1);
      const w = this.window(addr + n);
      const lim = Math.min(pageEnd - (addr + n), max - n);
      const i = w.u8.subarray(w.off, w.off + lim).indexOf(0);
      if (i >= 0) return this.read(addr, n + i);
      n += lim;
      if (n >= max) return this.read(addr, max);
    }
  }
  cstring(addr: number): string {
    return new TextDecoder('utf-8').decode(this.cstringBytes(addr));
  }
  /** UTF-16 code units of the NUL-terminated wide string at addr (without the NUL). */
  wstringUnits(addr: number, max = 0x3fffffff): Uint16Array {
    const out: number[] = [];
    for (let p = addr; out.length < max; p += 2) {
      const c = this.u16(p);
      if (c === 0) break;
      out.push(c);
    }
    return Uint16Array.from(out);
  }
  wstring(addr: number): string {
    return String.fromCharCode(...this.wstringUnits(addr));
  }
  /** Writes a string as UTF-16LE plus a NUL; returns bytes written (with the NUL). */
  writeWString(addr: number, s: string): number {
    const b = new Uint8Array(2 * s.length + 2);
    const dv = new DataView(b.buffer);
    for (let i = 0; i < s.length; i++) dv.setUint16(2 * i, s.charCodeAt(i), true);
    this.write(addr, b);
    return b.length;
  }
  /** Writes bytes plus a NUL. */
  writeCString(addr: number, bytes: Uint8Array): number {
    const b = new Uint8Array(bytes.length + 1);
    b.set(bytes);
    this.write(addr, b);
    return b.length;
  }
}
