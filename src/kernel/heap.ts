/**
 * Heaps with all their metadata in guest memory (DESIGN.md §5: the same structures serve the
 * native fast paths and every thread later).
 *
 *   heap header (HEAP_HEADER_SIZE bytes at the heap base)
 *     +0   magic u64            HEAP_MAGIC
 *     +8   top u64              next unused byte of the bump region
 *     +16  end u64              end of the heap's region
 *     +24  lock u32             bit 0 held (native paths: lock bts, release by storing 0;
 *                               contention → JS); bit 1: a JS thread sleeps on the word
 *     +28  flags u32            HeapCreate flags
 *     +32  medium u64           free list of medium blocks (> SMALL_MAX), first fit
 *     +40  large u64            list of large blocks (own mappings), for HeapDestroy
 *     +64  small[64] u64        free list heads of the small size classes (16-byte steps)
 *   block header (16 bytes before the payload)
 *     -16  word u64             requested size << 4 | FLAG_* (bit 0 in use, bit 1 large)
 *     -8   tag u64              BLOCK_MAGIC ^ heap base: rejects foreign pointers
 *   a free block's payload starts with the next-pointer of its free list; a free medium block
 *   keeps its capacity (instead of a request) in the word.
 *
 * Small blocks have capacity (class + 1) * 16; medium blocks their rounded size; large blocks
 * live in their own allocation (region start: next link; payload at +32).
 */
import { futexWait, futexWake } from '../native/futex.js';
import { type AddressSpace } from '../native/memory.js';
import { MEM_PRIVATE, PAGE_READWRITE } from '../native/memprotect.js';

export const HEAP_MAGIC = 0x5041454852574e49n; // "INWRHEAP"
export const BLOCK_MAGIC = 0x4b434c4252574e49n; // "INWRBLCK"
export const HEAP_HEADER_SIZE = 0x240;
export const HEAP_LOCK = 24;
export const HEAP_SMALL_LISTS = 64;
export const SMALL_CLASSES = 64;
/** Largest request served from the small size classes. */
export const SMALL_MAX = SMALL_CLASSES * 16;
/** Requests from this size up get their own mapping ("large blocks straight from the address space"). */
export const LARGE_MIN = 512 * 1024;
export const FLAG_IN_USE = 1;
export const FLAG_LARGE = 2;

export const HEAP_NO_SERIALIZE = 0x1;
export const HEAP_GENERATE_EXCEPTIONS = 0x4;
export const HEAP_ZERO_MEMORY = 0x8;
export const HEAP_REALLOC_IN_PLACE_ONLY = 0x10;

const TOP = 8;
const END = 16;
const FLAGS = 28;
const MEDIUM = 32;
const LARGE = 40;
const LARGE_PAYLOAD = 32;
/** Address space a growable heap reserves (pages are committed lazily by the kernel). */
const DEFAULT_HEAP_SIZE = 1 << 30;
const MAX_REQUEST = 0x7fffffff0;

/** Lock attempts before a contending thread sleeps: the native paths hold the lock for a few
 *  instructions. */
const LOCK_SPINS = 200;
/** A sleeper's longest nap: a native release stores 0 without waking anyone. */
const LOCK_NAP_MS = 0.2;
const LOCK_HELD = 1;
const LOCK_SLEEPER = 2;

const align16 = (n: number): number => Math.ceil(n / 16) * 16;

/** The small class of a request (0 for 0..16 bytes), or -1 when it is not small. */
export function smallClass(size: number): number {
  return size <= SMALL_MAX ? Math.max(Math.ceil(size / 16), 1) - 1 : -1;
}

export interface BlockInfo {
  size: number;
  large: boolean;
}

export class HeapManager {
  constructor(private readonly mem: AddressSpace) {}

  create(maximumSize = 0, flags = 0): number {
    const size = maximumSize > 0 ? Math.max(align16(maximumSize) + HEAP_HEADER_SIZE, 0x10000) : DEFAULT_HEAP_SIZE;
    const base = this.mem.allocate(0, size, true, PAGE_READWRITE, MEM_PRIVATE);
    const m = this.mem;
    m.setU64(base, HEAP_MAGIC);
    m.setU64(base + TOP, base + HEAP_HEADER_SIZE);
    m.setU64(base + END, base + size);
    m.setU32(base + FLAGS, flags);
    return base;
  }

  isHeap(heap: number): boolean {
    try {
      return heap % 0x10000 === 0 && this.mem.u64(heap) === HEAP_MAGIC;
    } catch {
      return false;
    }
  }

  /**
   * Takes the heap's lock (HEAP_LOCK, the word the native fast paths take with `lock bts`),
   * so that the JS slow path and the native paths of every thread exclude each other.
   */
  private lock(heap: number): Int32Array {
    const w = this.mem.int32At(heap + HEAP_LOCK);
    for (let i = 0; ; i++) {
      if ((Atomics.or(w, 0, LOCK_HELD) & LOCK_HELD) === 0) return w;
      if (i < LOCK_SPINS) continue;
      const v = Atomics.or(w, 0, LOCK_SLEEPER) | LOCK_SLEEPER;
      if (v & LOCK_HELD) futexWait(heap + HEAP_LOCK, v, LOCK_NAP_MS);
    }
  }

  private unlock(heap: number, w: Int32Array): void {
    if (Atomics.exchange(w, 0, 0) & LOCK_SLEEPER) futexWake(heap + HEAP_LOCK, 0x7fffffff);
  }

  private locked<T>(heap: number, f: () => T): T {
    const w = this.lock(heap);
    try {
      return f();
    } finally {
      this.unlock(heap, w);
    }
  }

  destroy(heap: number): boolean {
    if (!this.isHeap(heap)) return false;
    // The lock is never given back: the word goes with the heap's memory.
    this.lock(heap);
    for (let r = this.mem.ptr(heap + LARGE); r !== 0; ) {
      const next = this.mem.ptr(r);
      this.mem.release(r);
      r = next;
    }
    this.mem.setU64(heap, 0);
    this.mem.release(heap);
    return true;
  }

  private tag(heap: number): bigint {
    return BLOCK_MAGIC ^ BigInt(heap);
  }

  private header(p: number, heap: number, size: number, flags: number): void {
    this.mem.setU64(p - 16, (BigInt(size) << 4n) | BigInt(flags));
    this.mem.setU64(p - 8, this.tag(heap));
  }

  /** The live block at `p` of `heap`, or undefined for anything else (freed, foreign, wild). */
  block(heap: number, p: number): BlockInfo | undefined {
    if (!this.isHeap(heap) || p % 16 !== 0 || p < 16) return undefined;
    try {
      if (this.mem.u64(p - 8) !== this.tag(heap)) return undefined;
      const w = this.mem.u64(p - 16);
      if ((w & BigInt(FLAG_IN_USE)) === 0n) return undefined;
      return { size: Number(w >> 4n), large: (w & BigInt(FLAG_LARGE)) !== 0n };
    } catch {
      return undefined;
    }
  }

  /** Capacity of a block of requested size `size` (not large). */
  private capacity(size: number): number {
    const c = smallClass(size);
    return c >= 0 ? (c + 1) * 16 : align16(size);
  }

  /** Payload address, or 0 when the heap is exhausted or invalid. */
  alloc(heap: number, size: number, flags: number): number {
    if (!this.isHeap(heap) || !(size >= 0) || size > MAX_REQUEST) return 0;
    return this.locked(heap, () => this.allocLocked(heap, size, flags));
  }

  private allocLocked(heap: number, size: number, flags: number): number {
    const m = this.mem;
    let p = 0;
    if (size >= LARGE_MIN) {
      const region = m.allocate(0, LARGE_PAYLOAD + size, true, PAGE_READWRITE, MEM_PRIVATE);
      m.setU64(region, m.ptr(heap + LARGE));
      m.setU64(heap + LARGE, region);
      p = region + LARGE_PAYLOAD;
      this.header(p, heap, size, FLAG_IN_USE | FLAG_LARGE);
      return p; // fresh pages are zero
    }
    const cap = this.capacity(size);
    const cls = smallClass(size);
    let fresh = false;
    if (cls >= 0) {
      const head = heap + HEAP_SMALL_LISTS + 8 * cls;
      p = m.ptr(head);
      if (p !== 0) m.setU64(head, m.ptr(p));
    } else {
      // A freed medium block of exactly this capacity (kept in its word while free); the
      // header must go on telling the requested size, so larger blocks are not split.
      let prev = heap + MEDIUM;
      for (let q = m.ptr(prev); q !== 0; prev = q, q = m.ptr(q)) {
        if (Number(m.u64(q - 16) >> 4n) === cap) {
          m.setU64(prev, m.ptr(q));
          p = q;
          break;
        }
      }
    }
    if (p === 0) {
      const top = m.ptr(heap + TOP);
      if (top + 16 + cap > m.ptr(heap + END)) return 0;
      p = top + 16;
      m.setU64(heap + TOP, p + cap);
      fresh = true;
    }
    this.header(p, heap, size, FLAG_IN_USE);
    if (flags & HEAP_ZERO_MEMORY && !fresh) m.fill(p, 0, cap);
    return p;
  }

  /** The requested size of the block, or -1 when `p` is not a live block of `heap`. */
  size(heap: number, p: number): number {
    return this.block(heap, p)?.size ?? -1;
  }

  free(heap: number, p: number): boolean {
    if (!this.isHeap(heap)) return false;
    return this.locked(heap, () => this.freeLocked(heap, p));
  }

  private freeLocked(heap: number, p: number): boolean {
    const b = this.block(heap, p);
    if (!b) return false;
    const m = this.mem;
    if (b.large) {
      const region = p - LARGE_PAYLOAD;
      for (let prev = heap + LARGE, r = m.ptr(prev); r !== 0; prev = r, r = m.ptr(r)) {
        if (r === region) {
          m.setU64(prev, m.ptr(r));
          break;
        }
      }
      m.release(region);
      return true;
    }
    const cls = smallClass(b.size);
    if (cls >= 0) {
      m.setU64(p - 16, BigInt(b.size) << 4n);
      const head = heap + HEAP_SMALL_LISTS + 8 * cls;
      m.setU64(p, m.ptr(head));
      m.setU64(head, p);
    } else {
      m.setU64(p - 16, BigInt(this.capacity(b.size)) << 4n);
      m.setU64(p, m.ptr(heap + MEDIUM));
      m.setU64(heap + MEDIUM, p);
    }
    return true;
  }

  realloc(heap: number, p: number, size: number, flags: number): number {
    if (!this.isHeap(heap)) return 0;
    return this.locked(heap, () => this.reallocLocked(heap, p, size, flags));
  }

  private reallocLocked(heap: number, p: number, size: number, flags: number): number {
    const b = this.block(heap, p);
    if (!b || !(size >= 0) || size > MAX_REQUEST) return 0;
    const m = this.mem;
    if (!b.large && this.capacity(size) === this.capacity(b.size) && smallClass(size) === smallClass(b.size)) {
      if (flags & HEAP_ZERO_MEMORY && size > b.size) m.fill(p + b.size, 0, size - b.size);
      this.header(p, heap, size, FLAG_IN_USE);
      return p;
    }
    if (flags & HEAP_REALLOC_IN_PLACE_ONLY) return 0;
    const q = this.allocLocked(heap, size, flags & HEAP_ZERO_MEMORY);
    if (q === 0) return 0;
    m.copy(q, p, Math.min(size, b.size));
    if (flags & HEAP_ZERO_MEMORY && size > b.size) m.fill(q + b.size, 0, size - b.size);
    this.freeLocked(heap, p);
    return q;
  }

  /** HeapValidate: one block, or (p = 0) the header and every block of the bump region. */
  validate(heap: number, p: number): boolean {
    if (!this.isHeap(heap)) return false;
    if (p !== 0) return this.block(heap, p) !== undefined;
    return this.locked(heap, () => this.validateLocked(heap));
  }

  private validateLocked(heap: number): boolean {
    const m = this.mem;
    const top = m.ptr(heap + TOP);
    const tag = this.tag(heap);
    for (let q = heap + HEAP_HEADER_SIZE + 16; q <= top; ) {
      if (m.u64(q - 8) !== tag) return false;
      const w = m.u64(q - 16);
      const inUse = (w & 1n) !== 0n;
      const n = Number(w >> 4n);
      const cls = smallClass(n);
      // A free medium block records its capacity; anything else its request.
      const cap = !inUse && cls < 0 ? n : this.capacity(n);
      q += cap + 16;
      if (q - 16 > top) return false;
      if (q - 16 === top) return true;
    }
    return true;
  }
}
