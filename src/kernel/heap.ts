/**
 * Heaps with all their metadata in guest memory (DESIGN.md §5: it must work unchanged when
 * threads arrive): a heap header at the start of its region, then 16-byte-aligned blocks with
 * a 16-byte header each, first-fit reuse from a free list threaded through free blocks.
 *
 *   heap header (64 bytes): magic u64, top u64 (next unused byte), end u64, freeHead u64
 *   block header (16 bytes): size u64 (payload bytes; bit 0 = in use), magic u64
 */
import { MEM_PRIVATE, PAGE_READWRITE, type AddressSpace } from '../native/memory.js';

const HEAP_MAGIC = 0x5041454852574e49n; // "INWRHEAP"
const BLOCK_MAGIC = 0x4b434c4252574e49n; // "INWRBLCK"
const HEADER = 64;
const BLOCK_HEADER = 16;
const IN_USE = 1;
export const HEAP_ZERO_MEMORY = 0x8;
export const HEAP_REALLOC_IN_PLACE_ONLY = 0x10;
/** Heaps reserve this much address space (committed lazily by the kernel: MAP_NORESERVE). */
const DEFAULT_HEAP_SIZE = 256 << 20;

const align16 = (n: number): number => (n + 15) & ~15;

export class HeapManager {
  constructor(private readonly mem: AddressSpace) {}

  create(maximumSize = 0): number {
    const size = Math.max(maximumSize, DEFAULT_HEAP_SIZE);
    const base = this.mem.allocate(0, size, true, PAGE_READWRITE, MEM_PRIVATE);
    this.mem.setU64(base, HEAP_MAGIC);
    this.mem.setU64(base + 8, base + HEADER);
    this.mem.setU64(base + 16, base + size);
    this.mem.setU64(base + 24, 0);
    return base;
  }

  isHeap(heap: number): boolean {
    try {
      return this.mem.u64(heap) === HEAP_MAGIC;
    } catch {
      return false;
    }
  }

  /** Payload address, or 0 when the heap is exhausted or invalid. */
  alloc(heap: number, size: number, flags: number): number {
    if (!this.isHeap(heap) || size < 0 || size > 0x7fff0000) return 0;
    const need = align16(Math.max(size, 1));
    const m = this.mem;
    // First fit from the free list.
    let prev = 0;
    let p = m.ptr(heap + 24);
    while (p !== 0) {
      const bsize = m.ptr(p - BLOCK_HEADER);
      const next = m.ptr(p);
      if (bsize >= need) {
        if (prev === 0) m.setU64(heap + 24, next);
        else m.setU64(prev, next);
        m.setU64(p - BLOCK_HEADER, bsize | IN_USE);
        if (flags & HEAP_ZERO_MEMORY) m.fill(p, 0, bsize);
        return p;
      }
      prev = p;
      p = next;
    }
    const top = m.ptr(heap + 8);
    const end = m.ptr(heap + 16);
    if (top + BLOCK_HEADER + need > end) return 0;
    m.setU64(top, need | IN_USE);
    m.setU64(top + 8, BLOCK_MAGIC);
    m.setU64(heap + 8, top + BLOCK_HEADER + need);
    // Fresh memory from the bump pointer is already zero (never used before).
    return top + BLOCK_HEADER;
  }

  /** The block's payload size, or -1 when `p` is not a live block of `heap`. */
  size(heap: number, p: number): number {
    if (!this.isHeap(heap) || p < heap + HEADER + BLOCK_HEADER || p >= this.mem.ptr(heap + 8) || p % 16 !== 0) return -1;
    try {
      if (this.mem.u64(p - 8) !== BLOCK_MAGIC) return -1;
      const s = this.mem.ptr(p - BLOCK_HEADER);
      return s & IN_USE ? s - IN_USE : -1;
    } catch {
      return -1;
    }
  }

  free(heap: number, p: number): boolean {
    const s = this.size(heap, p);
    if (s < 0) return false;
    this.mem.setU64(p - BLOCK_HEADER, s);
    this.mem.setU64(p, this.mem.ptr(heap + 24));
    this.mem.setU64(heap + 24, p);
    return true;
  }

  realloc(heap: number, p: number, size: number, flags: number): number {
    const old = this.size(heap, p);
    if (old < 0) return 0;
    if (align16(Math.max(size, 1)) <= old) {
      return p; // shrink in place (the block keeps its capacity)
    }
    if (flags & HEAP_REALLOC_IN_PLACE_ONLY) return 0;
    const q = this.alloc(heap, size, flags);
    if (q === 0) return 0;
    this.mem.copy(q, p, old);
    if (flags & HEAP_ZERO_MEMORY) this.mem.fill(q + old, 0, align16(size) - old);
    this.free(heap, p);
    return q;
  }
}
