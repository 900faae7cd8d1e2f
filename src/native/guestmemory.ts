/**
 * The one API through which JS reads and writes guest memory: DataViews over 4 GiB windows of
 * the process's address space (created lazily, each a `koffi.view` ≤ 4 GiB that never starts at
 * address 0), every access validated first (`check`: a page cache, then the address space's
 * region map) so that a bad guest pointer is a GuestMemoryError, never a host crash.
 */
import { koffi } from './ffi.js';
import { FOUR_GIB, GuestMemoryError, LOWEST_VIEW, PAGE_SIZE, SMALL_COPY, USER_SPACE_END, alignDown } from './memprotect.js';

/** One 4 GiB window of guest memory: [base, end) as a DataView and bytes. */
export interface GuestWindow {
  readonly base: number;
  readonly end: number;
  readonly dv: DataView;
  readonly u8: Uint8Array;
  /** The same memory as 32-bit words: indices below 2^30 are small integers, where DataView
   *  offsets above 2^31 are heap numbers (the exception walk's hot loop reads through this). */
  readonly u32: Uint32Array;
}

/** Windows by index (address / 4 GiB; the user range has 32768): an array, since the stack
 *  and the images lie in different windows and accesses alternate between them. One list per
 *  JS realm, shared by every AddressSpace in it: there is one guest address space per host
 *  process, and a koffi view of 4 GiB costs 3–6 ms to make, which a pooled Worker would
 *  otherwise pay for each window again at every guest thread it runs. */
const realmWindows: (GuestWindow | undefined)[] = new Array<GuestWindow | undefined>(Math.ceil(USER_SPACE_END / FOUR_GIB)).fill(undefined);

/**
 * Takes views of 4 GiB windows made before this realm's code was loaded (by bin/winrun, or a
 * thread's Worker bootstrap in host/threads.ts): base address → ArrayBuffer over
 * [base, the window's end). V8 counts a view's 4 GiB as external memory and answers with a
 * full garbage collection, whose cost grows with the heap: made before the code cache fills
 * the heap, the view of the window most programs use costs ~2.5 ms of it instead of ~8 ms
 * (BENCHMARKS.md, start-up). A view that does not match a window's bounds is ignored.
 */
export function adoptWindows(views: ReadonlyMap<number, ArrayBuffer>): void {
  for (const [base, ab] of views) {
    const k = Math.floor(base / FOUR_GIB);
    if (k < 0 || k >= realmWindows.length || realmWindows[k] !== undefined) continue;
    const end = (k + 1) * FOUR_GIB;
    if (base !== Math.max(k * FOUR_GIB, LOWEST_VIEW) || ab.byteLength !== end - base) continue;
    realmWindows[k] = { base, end, dv: new DataView(ab), u8: new Uint8Array(ab), u32: new Uint32Array(ab) };
  }
}

/** The window made early (adoptWindows): [4 GiB, 8 GiB), where images load (an x64 exe's
 *  default base is 0x140000000, a DLL's 0x180000000) and where winrun puts stacks and thread
 *  blocks. */
export const EARLY_WINDOW = { base: FOUR_GIB, size: FOUR_GIB } as const;

/** Slots of the page caches: direct-mapped, by a hash that spreads pages 4 MiB apart (with 64
 *  slots by page & 63, a stack page and an image page often shared a slot and evicted each
 *  other on every access of an exception walk). */
export const PAGE_CACHE_SLOTS = 1024;
export function pageSlot(page: number): number {
  return (page ^ (page >>> 10)) & (PAGE_CACHE_SLOTS - 1);
}

/** GuestMemory.words: 32-bit words `u` from index `i`, live guest memory or a copy. */
export interface GuestWords {
  readonly u: Uint32Array;
  readonly i: number;
  readonly live: boolean;
}

/** A 64-bit value into words `i`, `i + 1` of `u`: an address or count as two halves, anything
 *  else (a negative number, a BigInt) as its two's complement. */
export function putU64(u: Uint32Array, i: number, v: number | bigint): void {
  if (typeof v === 'number' && v >= 0 && v <= Number.MAX_SAFE_INTEGER && Number.isInteger(v)) {
    u[i] = v >>> 0;
    u[i + 1] = Math.floor(v / 0x100000000);
    return;
  }
  const b = BigInt.asUintN(64, BigInt(v));
  u[i] = Number(b & 0xffffffffn);
  u[i + 1] = Number(b >> 32n);
}

/** Words `i`, `i + 1` of `u` as an address (exact below 2^53). */
export function getPtr(u: Uint32Array, i: number): number {
  return u[i]! + u[i + 1]! * 0x100000000;
}

/** Reads and writes of guest memory; AddressSpace (memory.ts) supplies the region map. */
export abstract class GuestMemory {
  private readonly windows = realmWindows;
  private lastWindow: GuestWindow | undefined;
  /** Pages `check` found readable (writable) since the last change to the map by any thread
   *  that `sync` has seen: a direct-mapped cache of page numbers (-1: empty), so that repeated accesses to the same
   *  stack, thread-block and image pages are one comparison. */
  protected readonly okRead = new Float64Array(PAGE_CACHE_SLOTS).fill(-1);
  protected readonly okWrite = new Float64Array(PAGE_CACHE_SLOTS).fill(-1);

  // ---- access from JS ----------------------------------------------------------------------
  /** Throws GuestMemoryError unless [addr, addr+len) is committed and readable (writable). */
  check(addr: number, len: number, write = false): void {
    const page = Math.floor(addr / PAGE_SIZE);
    const ok = write ? this.okWrite : this.okRead;
    if (ok[pageSlot(page)] === page && len >= 0 && Number.isSafeInteger(addr)) {
      const end = addr + len;
      // Within the page, or across into the next (a CONTEXT often is) when it is known too.
      if (end <= (page + 1) * PAGE_SIZE || (end <= (page + 2) * PAGE_SIZE && ok[pageSlot(page + 1)] === page + 1)) return;
    }
    this.checkSlow(addr, len, write);
  }

  /** The region-map check behind `check`'s page cache (the address space's own). */
  protected abstract checkSlow(addr: number, len: number, write: boolean): void;

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
      w = { base, end, dv: new DataView(ab), u8: new Uint8Array(ab), u32: new Uint32Array(ab) };
      this.windows[k] = w;
    }
    return (this.lastWindow = w);
  }

  /** The window record holding `addr` (no validation, no allocation): for hot paths that
   *  checked the range themselves (the offset of addr in it is addr − base). */
  windowOf(addr: number): GuestWindow {
    return this.win(addr);
  }

  /**
   * The 32-bit words of [addr, addr+len), checked as `check` does: the live window's words from
   * index `i` when the range is 4-byte aligned and in one window (`live`), else a copy of the
   * bytes (a write through it is stored back with `store`). For structures written or read field
   * by field on hot paths (exception records, dispatcher contexts): one check, no accessor per
   * field.
   */
  words(addr: number, len: number, write = false): GuestWords {
    this.check(addr, len, write);
    const w = this.win(addr);
    if ((addr & 3) === 0 && addr + len <= w.end) return { u: w.u32, i: (addr - w.base) / 4, live: true };
    const copy = new Uint8Array((len + 3) & ~3);
    copy.set(this.read(addr, len));
    return { u: new Uint32Array(copy.buffer), i: 0, live: false };
  }

  /** Stores back words that `words` returned as a copy (nothing to do for live words). */
  store(addr: number, len: number, words: GuestWords): void {
    if (!words.live) this.write(addr, new Uint8Array(words.u.buffer, 0, len));
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
    const off = addr - w.base;
    // Aligned words through the word view (a small-integer index); else through the DataView.
    if ((off & 3) === 0 && addr + 4 <= w.end) return w.u32[off / 4]!;
    return w.dv.getUint32(off, true);
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
    if ((off & 3) === 0 && addr + 8 <= w.end) return w.u32[off / 4]! + w.u32[off / 4 + 1]! * 0x100000000;
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
    const off = addr - w.base;
    if ((off & 3) === 0 && addr + 4 <= w.end) w.u32[off / 4] = v >>> 0;
    else w.dv.setUint32(off, v >>> 0, true);
  }
  setU64(addr: number, v: bigint | number): void {
    this.check(addr, 8, true);
    const w = this.win(addr);
    const off = addr - w.base;
    // Addresses and counts (non-negative safe integers) go in two halves, without a BigInt.
    if (typeof v === 'number' && v >= 0 && v <= Number.MAX_SAFE_INTEGER && Number.isInteger(v)) {
      if ((off & 3) === 0 && addr + 8 <= w.end) {
        w.u32[off / 4] = v >>> 0;
        w.u32[off / 4 + 1] = Math.floor(v / 0x100000000);
      } else {
        w.dv.setUint32(off, v >>> 0, true);
        w.dv.setUint32(off + 4, Math.floor(v / 0x100000000), true);
      }
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
    // Word indices stay small integers (byte offsets past 2^31 cost the builtin a conversion).
    if (value === 0 && ((off | len) & 3) === 0 && addr + len <= w.end) w.u32.fill(0, off / 4, (off + len) / 4);
    else w.u8.fill(value, off, off + len);
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
    if (s === d) {
      const so = src - s.base;
      const doff = dst - d.base;
      if (((so | doff | len) & 3) === 0 && src + len <= s.end && dst + len <= d.end) s.u32.copyWithin(doff / 4, so / 4, (so + len) / 4);
      else s.u8.copyWithin(doff, so, so + len);
    } else d.u8.set(s.u8.subarray(src - s.base, src - s.base + len), dst - d.base);
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

