/**
 * The address space with Windows semantics (reserve / commit / decommit / release, 64 KiB
 * allocation granularity, page protections, a region map for VirtualQuery) and the one API
 * through which JS reads and writes guest memory. Every access is validated against the
 * region map first: a bad guest pointer is a GuestMemoryError, never a host crash.
 */
import { koffi } from './ffi.js';
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
  /** Per page: 0 = reserved (not committed), else the PAGE_* protection. */
  readonly pages: Uint16Array;
  /** Per page: 1 when VirtualLock'ed (created on first lock). */
  locked?: Uint8Array;
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
  private allocations: Allocation[] = [];
  /** Windows by index (address / 4 GiB; the user range has 32768): an array, since the
   *  stack and the images lie in different windows and accesses alternate between them. */
  private readonly windows: (GuestWindow | undefined)[] = new Array<GuestWindow | undefined>(Math.ceil(USER_SPACE_END / FOUR_GIB)).fill(undefined);
  private lastWindow: GuestWindow | undefined;
  private last: Allocation | undefined;
  /** Pages `check` found readable (writable) since the last change to any page's protection:
   *  a direct-mapped cache of page numbers (-1: empty), so that repeated accesses to the same
   *  stack, thread-block and image pages are one comparison. */
  private readonly okRead = new Float64Array(64).fill(-1);
  private readonly okWrite = new Float64Array(64).fill(-1);

  /** Any allocation or protection changed: pages known accessible are known no longer. */
  private forgetAccess(): void {
    this.okRead.fill(-1);
    this.okWrite.fill(-1);
  }

  // ---- region map --------------------------------------------------------------------------
  private find(addr: number): Allocation | undefined {
    const l = this.last;
    if (l && addr >= l.base && addr < l.base + l.size) return l;
    const a = this.allocations;
    let lo = 0;
    let hi = a.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const x = a[mid]!;
      if (addr < x.base) hi = mid - 1;
      else if (addr >= x.base + x.size) lo = mid + 1;
      else return (this.last = x);
    }
    return undefined;
  }

  /**
   * The region map as plain data, for a new thread's JS realm (a Worker has its own
   * AddressSpace object over the same memory). A snapshot: allocations made afterwards by
   * either side are not seen by the other (issue 8 must move this map to shared memory).
   */
  snapshot(): Allocation[] {
    return this.allocations.map((a) => ({ base: a.base, size: a.size, type: a.type, allocationProtect: a.allocationProtect, pages: a.pages.slice(), ...(a.locked ? { locked: a.locked.slice() } : {}) }));
  }

  /** Takes over a region map made by `snapshot` (in a thread's Worker: it maps nothing). */
  adopt(allocations: readonly Allocation[]): void {
    this.forgetAccess();
    this.allocations = [...allocations].sort((x, y) => x.base - y.base);
    this.last = undefined;
  }

  allocationAt(addr: number): Allocation | undefined {
    return this.find(addr);
  }

  private insert(a: Allocation): void {
    this.forgetAccess();
    let i = 0;
    while (i < this.allocations.length && this.allocations[i]!.base < a.base) i++;
    this.allocations.splice(i, 0, a);
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
    const pages = new Uint16Array(len / PAGE_SIZE);
    if (commit) pages.fill(protect);
    // An image reports the protection its section was created with, as Windows does.
    this.insert({ base, size: len, type, allocationProtect: type === MEM_IMAGE ? PAGE_EXECUTE_WRITECOPY : protect, pages });
    return base;
  }

  /**
   * Maps a view of a file (MapViewOfFile): `size` bytes from `offset` (64 KiB aligned), shared
   * or copy-on-write, at `addr` or anywhere 64 KiB aligned. Returns the base; the view is a
   * MEM_MAPPED allocation that `release` unmaps.
   */
  mapFile(addr: number, size: number, protect: number, fd: number, offset: number, shared: boolean): number {
    const base = this.allocate(addr, size, false, protect, MEM_MAPPED);
    const a = this.find(base)!;
    try {
      mmapFileAt(base, a.size, hostProt(protect), fd, offset, shared);
    } catch (e) {
      this.release(base);
      if (e instanceof NativeError) throw new AddressSpaceError(ERROR_NOT_ENOUGH_MEMORY, `cannot map the file view: ${e.message}`);
      throw e;
    }
    a.pages.fill(protect);
    return base;
  }

  /** FlushViewOfFile: writes the pages of [addr, addr+size) of a view back to the file. */
  flushView(addr: number, size: number): boolean {
    const a = this.find(addr);
    if (!a || a.type !== MEM_MAPPED) return false;
    const start = alignDown(addr, PAGE_SIZE);
    const end = size === 0 ? a.base + a.size : Math.min(alignUp(addr + size, PAGE_SIZE), a.base + a.size);
    return msync(start, end - start);
  }

  /** Commits pages inside an existing allocation (VirtualAlloc MEM_COMMIT). */
  commit(addr: number, size: number, protect: number): void {
    this.forgetAccess();
    if (!isValidProtection(protect)) throw new AddressSpaceError(ERROR_INVALID_PARAMETER, `invalid protection 0x${protect.toString(16)}`);
    const a = this.find(addr);
    if (!a || addr + size > a.base + a.size) throw new AddressSpaceError(ERROR_INVALID_ADDRESS, `0x${addr.toString(16)} is not reserved`);
    const start = alignDown(addr, PAGE_SIZE);
    const end = alignUp(addr + size, PAGE_SIZE);
    mprotect(start, end - start, hostProt(protect));
    a.pages.fill(protect, (start - a.base) / PAGE_SIZE, (end - a.base) / PAGE_SIZE);
  }

  decommit(addr: number, size: number): void {
    this.forgetAccess();
    const a = this.find(addr);
    if (!a || addr + size > a.base + a.size) throw new AddressSpaceError(ERROR_INVALID_ADDRESS, `0x${addr.toString(16)} is not reserved`);
    const start = alignDown(addr, PAGE_SIZE);
    const end = alignUp(addr + size, PAGE_SIZE);
    mmapReplace(start, end - start, PROT_NONE);
    discardPages(start, end - start);
    a.pages.fill(0, (start - a.base) / PAGE_SIZE, (end - a.base) / PAGE_SIZE);
    a.locked?.fill(0, (start - a.base) / PAGE_SIZE, (end - a.base) / PAGE_SIZE);
  }

  release(base: number): void {
    this.forgetAccess();
    const a = this.find(base);
    if (!a || a.base !== base) throw new AddressSpaceError(ERROR_INVALID_ADDRESS, `0x${base.toString(16)} is not the base of an allocation`);
    munmap(a.base, a.size);
    this.allocations.splice(this.allocations.indexOf(a), 1);
    if (this.last === a) this.last = undefined;
  }

  /** Changes the protection of committed pages; returns the old protection of the first. */
  protect(addr: number, size: number, protect: number): number {
    this.forgetAccess();
    if (!isValidProtection(protect)) throw new AddressSpaceError(ERROR_INVALID_PARAMETER, `invalid protection 0x${protect.toString(16)}`);
    const a = this.find(addr);
    const start = alignDown(addr, PAGE_SIZE);
    const end = alignUp(addr + Math.max(size, 1), PAGE_SIZE);
    if (!a || end > a.base + a.size) throw new AddressSpaceError(ERROR_INVALID_ADDRESS, `0x${addr.toString(16)} is not allocated`);
    const first = (start - a.base) / PAGE_SIZE;
    const last = (end - a.base) / PAGE_SIZE;
    for (let i = first; i < last; i++) if (a.pages[i] === 0) throw new AddressSpaceError(ERROR_INVALID_ADDRESS, 'pages are not committed');
    const old = a.pages[first]!;
    mprotect(start, end - start, hostProt(protect));
    a.pages.fill(protect, first, last);
    return old;
  }

  /** VirtualQuery: the run of pages with the same state from `addr`. */
  query(addr: number): RegionInfo {
    const page = alignDown(addr, PAGE_SIZE);
    const a = this.find(addr);
    if (!a) {
      // A free region: up to the next allocation.
      const next = this.allocations.find((x) => x.base > page);
      const prev = [...this.allocations].reverse().find((x) => x.base + x.size <= page);
      const start = prev ? prev.base + prev.size : 0;
      return { baseAddress: page, allocationBase: 0, allocationProtect: 0, regionSize: (next ? next.base : USER_SPACE_END) - Math.max(page, start), state: MEM_FREE, protect: PAGE_NOACCESS, type: 0 };
    }
    let i = (page - a.base) / PAGE_SIZE;
    const p = a.pages[i]!;
    let n = 0;
    while (i < a.pages.length && a.pages[i] === p) {
      i++;
      n++;
    }
    return { baseAddress: page, allocationBase: a.base, allocationProtect: a.allocationProtect, regionSize: n * PAGE_SIZE, state: p === 0 ? MEM_RESERVE : MEM_COMMIT, protect: p, type: a.type };
  }

  /**
   * Whether every page of [addr, addr+len) is committed with a protection that allows
   * `access` (the IsBad*Ptr probes: decided from the region map, memory is not touched).
   * The range may span adjacent allocations. A zero length is always accessible.
   */
  accessible(addr: number, len: number, access: Access): boolean {
    if (len <= 0) return true;
    if (!Number.isSafeInteger(addr) || addr < USER_SPACE_START || addr + len > USER_SPACE_END) return false;
    let p = alignDown(addr, PAGE_SIZE);
    const end = addr + len;
    while (p < end) {
      const a = this.find(p);
      if (!a) return false;
      const stop = Math.min(end, a.base + a.size);
      for (let i = (p - a.base) / PAGE_SIZE; a.base + i * PAGE_SIZE < stop; i++) if (!cpuAllows(a.pages[i]!, access)) return false;
      p = a.base + a.size;
    }
    return true;
  }

  /**
   * VirtualLock / VirtualUnlock bookkeeping for the pages of [addr, addr+size), which must lie
   * in one allocation (else 'range'). Locking needs committed pages ('uncommitted'); unlocking
   * reports 'not-locked' when some page was not locked (the others are unlocked anyway, as
   * Windows does). Pages are not pinned on the host: Linux keeps them resident enough.
   */
  setLocked(addr: number, size: number, lock: boolean): 'ok' | 'range' | 'uncommitted' | 'not-locked' {
    const a = this.find(addr);
    const start = alignDown(addr, PAGE_SIZE);
    const end = alignUp(addr + Math.max(size, 1), PAGE_SIZE);
    if (!a || end > a.base + a.size) return 'range';
    const first = (start - a.base) / PAGE_SIZE;
    const last = (end - a.base) / PAGE_SIZE;
    if (lock) {
      for (let i = first; i < last; i++) if (a.pages[i] === 0) return 'uncommitted';
      (a.locked ??= new Uint8Array(a.pages.length)).fill(1, first, last);
      return 'ok';
    }
    let all = true;
    for (let i = first; i < last; i++) {
      if (a.locked?.[i] !== 1) all = false;
      else a.locked[i] = 0;
    }
    return all ? 'ok' : 'not-locked';
  }

  /**
   * A guard page was touched: lifts PAGE_GUARD from the page holding `addr` (restoring its
   * protection on the host) and returns true; false when that page had no guard.
   */
  liftGuard(addr: number): boolean {
    this.forgetAccess();
    const a = this.find(addr);
    if (!a) return false;
    const i = Math.floor((addr - a.base) / PAGE_SIZE);
    const p = a.pages[i]!;
    if ((p & PAGE_GUARD) === 0) return false;
    a.pages[i] = p & ~PAGE_GUARD;
    mprotect(a.base + i * PAGE_SIZE, PAGE_SIZE, hostProt(a.pages[i]!));
    return true;
  }

  // ---- access from JS ----------------------------------------------------------------------
  /** Throws GuestMemoryError unless [addr, addr+len) is committed and readable (writable). */
  check(addr: number, len: number, write = false): void {
    const page = Math.floor(addr / PAGE_SIZE);
    const ok = write ? this.okWrite : this.okRead;
    if (ok[page & 63] === page && len >= 0 && addr + len <= (page + 1) * PAGE_SIZE && Number.isSafeInteger(addr)) return;
    const a = this.find(addr);
    if (!a || !(len >= 0) || addr + len > a.base + a.size || !Number.isSafeInteger(addr)) throw new GuestMemoryError(addr, len, write);
    const first = Math.floor((addr - a.base) / PAGE_SIZE);
    const last = Math.floor((addr + Math.max(len, 1) - 1 - a.base) / PAGE_SIZE);
    for (let i = first; i <= last; i++) {
      const p = a.pages[i]!;
      if (write ? !writable(p) : !readable(p)) throw new GuestMemoryError(addr, len, write);
    }
    if (first === last) {
      ok[page & 63] = page;
      if (write) this.okRead[page & 63] = page;
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
