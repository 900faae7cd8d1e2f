/**
 * The Global and Local allocators (winbase.h): one implementation, as on Windows, on the
 * process heap. Fixed blocks are plain heap blocks. A moveable block has a handle: the address
 * of the pointer field of an entry in a handle table in guest memory (DESIGN.md §5), so a
 * handle is 8 mod 16 while heap pointers are 16-byte aligned, and `*(void **)handle` is the
 * block, as programs that peek at handles expect.
 *
 *   handle table chunk (64 KiB, chained; the first one's address in the PEB extension)
 *     +0   next chunk u64
 *     +8   magic u64               TABLE_MAGIC
 *     +16  free list head u64      (first chunk only: entries of every chunk)
 *     +32  entries[ENTRIES]        16 bytes each
 *   entry
 *     +0   flags u64               in use: bit 0 | MOVEABLE | DISCARDABLE | DISCARDED |
 *                                  DDESHARE, lock count in bits 16-23; free: the next free entry
 *     +8   pointer u64             the data block, 0 when discarded
 *   a moveable data block is a heap block of at least size + 16 bytes whose last 16 bytes hold
 *   its handle and its size (GlobalHandle reads the handle back and checks that the entry
 *   points at the block; a block shrinks in place by lowering the size).
 */
import { HEAP_REALLOC_IN_PLACE_ONLY, HEAP_ZERO_MEMORY } from '../../kernel/heap.js';
import { MEM_PRIVATE, PAGE_READWRITE } from '../../native/memprotect.js';
import type { ApiContext } from '../types.js';
import { ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER, ERROR_NOACCESS, ERROR_NOT_ENOUGH_MEMORY } from './errors.js';

export const GMEM_MOVEABLE = 0x2;
export const GMEM_ZEROINIT = 0x40;
export const GMEM_MODIFY = 0x80;
export const GMEM_DISCARDABLE = 0x100;
const GMEM_DDESHARE = 0x2000;
const GMEM_DISCARDED = 0x4000;
export const GMEM_INVALID_HANDLE = 0x8000;
const LMEM_DISCARDABLE = 0xf00;
const ERROR_DISCARDED = 157;
const ERROR_NOT_LOCKED = 158;

/** PEB extension slot (kernel32 memory: 0xf00–0xf0f) holding the first handle-table chunk. */
const PEB_HANDLE_TABLE = 0xf00;
const CHUNK_SIZE = 0x10000;
const TABLE_MAGIC = 0x4c42544852574e49n; // "INWRHTBL"
const FIRST_ENTRY = 32;
const ENTRY_SIZE = 16;
const ENTRIES = (CHUNK_SIZE - FIRST_ENTRY) / ENTRY_SIZE;
/** Windows' table holds 0x10000 handles; so does this one, in 16 chunks. */
const MAX_CHUNKS = 16;

const IN_USE = 0x1;
const F_MOVEABLE = 0x2;
const F_DISCARDABLE = 0x4;
const F_DISCARDED = 0x8;
const F_DDESHARE = 0x8000;
const LOCK_SHIFT = 16;
const LOCK_MASK = 0xff;
const TRAILER = 16;

/** Which API family is asking: their error reports differ in a few places. */
export type Family = 'global' | 'local';

type Block = { kind: 'moveable'; handle: number; entry: number } | { kind: 'fixed'; p: number } | { kind: 'invalid'; readable: boolean };

const heap = (ctx: ApiContext): number => ctx.process.processHeap;
const fail = <T>(ctx: ApiContext, error: number, value: T): T => {
  ctx.setLastError(error);
  return value;
};

function discardable(flags: number, family: Family): boolean {
  return (flags & (family === 'global' ? GMEM_DISCARDABLE : LMEM_DISCARDABLE)) !== 0;
}

// ---- the handle table ----------------------------------------------------------------------

function firstChunk(ctx: ApiContext): number {
  return ctx.mem.ptr(ctx.process.pebAddress + PEB_HANDLE_TABLE);
}

/** A free entry (unlinked), or 0 when the table is full. */
function newEntry(ctx: ApiContext): number {
  const m = ctx.mem;
  let first = firstChunk(ctx);
  if (first === 0 || m.ptr(first + 16) === 0) {
    let chunks = 0;
    let last = 0;
    for (let c = first; c !== 0; c = m.ptr(c)) {
      chunks++;
      last = c;
    }
    if (chunks >= MAX_CHUNKS) return 0;
    const c = m.allocate(0, CHUNK_SIZE, true, PAGE_READWRITE, MEM_PRIVATE);
    m.setU64(c + 8, TABLE_MAGIC);
    if (first === 0) {
      first = c;
      m.setU64(ctx.process.pebAddress + PEB_HANDLE_TABLE, c);
    } else m.setU64(last, c);
    // Chain the new entries in address order onto the (empty) free list.
    for (let i = 0; i < ENTRIES; i++) {
      const e = c + FIRST_ENTRY + ENTRY_SIZE * i;
      m.setU64(e, i + 1 < ENTRIES ? e + ENTRY_SIZE : 0);
    }
    m.setU64(first + 16, c + FIRST_ENTRY);
  }
  const e = m.ptr(first + 16);
  m.setU64(first + 16, m.ptr(e));
  return e;
}

function freeEntry(ctx: ApiContext, e: number): void {
  const first = firstChunk(ctx);
  ctx.mem.setU64(e, ctx.mem.ptr(first + 16));
  ctx.mem.setU64(e + 8, 0);
  ctx.mem.setU64(first + 16, e);
}

/** The live entry a handle names, or 0. */
function entryOf(ctx: ApiContext, h: number): number {
  if (h % 16 !== 8) return 0;
  const e = h - 8;
  const a = ctx.mem.allocationAt(e);
  if (!a || a.size !== CHUNK_SIZE || e < a.base + FIRST_ENTRY || (e - a.base - FIRST_ENTRY) % ENTRY_SIZE !== 0) return 0;
  if (!ctx.mem.accessible(a.base + 8, 8, 'read') || ctx.mem.u64(a.base + 8) !== TABLE_MAGIC) return 0;
  return (ctx.mem.u32(e) & IN_USE) !== 0 ? e : 0;
}

const flagsOf = (ctx: ApiContext, e: number): number => ctx.mem.u32(e);
const setFlags = (ctx: ApiContext, e: number, f: number): void => ctx.mem.setU64(e, f >>> 0);
const dataOf = (ctx: ApiContext, e: number): number => ctx.mem.ptr(e + 8);

/** Sets an entry's data block and the block's trailer (handle, size). */
function setData(ctx: ApiContext, e: number, p: number, size: number): void {
  ctx.mem.setU64(e + 8, p);
  if (p === 0) return;
  const end = p + ctx.process.heapSize(heap(ctx), p);
  ctx.mem.setU64(end - TRAILER, e + 8);
  ctx.mem.setU64(end - 8, size);
}

/** What `h` is: a moveable block (by handle, or by its data pointer), a fixed heap block, or
 *  neither (and whether its header could be read at all). */
function classify(ctx: ApiContext, h: number): Block {
  const e = entryOf(ctx, h);
  if (e !== 0) return { kind: 'moveable', handle: h, entry: e };
  const size = h === 0 ? -1 : ctx.process.heapSize(heap(ctx), h);
  if (size < 0) return { kind: 'invalid', readable: h !== 0 && ctx.mem.accessible(h - 16, 16, 'read') };
  if (size >= TRAILER) {
    const back = ctx.mem.ptr(h + size - TRAILER);
    const be = entryOf(ctx, back);
    if (be !== 0 && dataOf(ctx, be) === h) return { kind: 'moveable', handle: back, entry: be };
  }
  return { kind: 'fixed', p: h };
}

/** Size of a moveable block's data (0 when discarded). */
function moveableSize(ctx: ApiContext, e: number): number {
  const p = dataOf(ctx, e);
  return p === 0 ? 0 : ctx.mem.ptr(p + ctx.process.heapSize(heap(ctx), p) - 8);
}

/** Zeroes [from, to) of a block that grew. */
function zeroGrowth(ctx: ApiContext, p: number, from: number, to: number): void {
  if (to > from) ctx.mem.fill(p + from, 0, to - from);
}

// ---- the API, once for both families -------------------------------------------------------

export function memAlloc(ctx: ApiContext, flags: number, size: number, family: Family): number {
  const zero = flags & GMEM_ZEROINIT ? HEAP_ZERO_MEMORY : 0;
  if ((flags & GMEM_MOVEABLE) === 0) {
    // A fixed block of 0 bytes is still a distinct block: Windows gives it 1 byte.
    const p = ctx.process.heapAlloc(heap(ctx), Math.max(size, 1), zero);
    return p !== 0 ? p : fail(ctx, ERROR_NOT_ENOUGH_MEMORY, 0);
  }
  const e = newEntry(ctx);
  if (e === 0) return fail(ctx, ERROR_NOT_ENOUGH_MEMORY, 0);
  let f = IN_USE | F_MOVEABLE | (discardable(flags, family) ? F_DISCARDABLE : 0) | (family === 'global' && flags & GMEM_DDESHARE ? F_DDESHARE : 0);
  if (size === 0) f |= F_DISCARDED;
  else {
    const p = ctx.process.heapAlloc(heap(ctx), size + TRAILER, zero);
    if (p === 0) {
      freeEntry(ctx, e);
      return fail(ctx, ERROR_NOT_ENOUGH_MEMORY, 0);
    }
    setData(ctx, e, p, size);
  }
  setFlags(ctx, e, f);
  return e + 8;
}

/** NULL on success; the argument (with the error) on failure. */
export function memFree(ctx: ApiContext, h: number): number {
  if (h === 0) return 0;
  const b = classify(ctx, h);
  if (b.kind === 'invalid') return fail(ctx, b.readable ? ERROR_INVALID_HANDLE : ERROR_NOACCESS, h);
  if (b.kind === 'fixed') return ctx.process.heapFree(heap(ctx), b.p) ? 0 : fail(ctx, ERROR_INVALID_HANDLE, h);
  const p = dataOf(ctx, b.entry);
  if (p !== 0) ctx.process.heapFree(heap(ctx), p);
  freeEntry(ctx, b.entry);
  return 0;
}

export function memLock(ctx: ApiContext, h: number): number {
  const b = classify(ctx, h);
  if (b.kind === 'fixed') return b.p;
  if (b.kind === 'invalid') return fail(ctx, ERROR_INVALID_HANDLE, 0);
  const f = flagsOf(ctx, b.entry);
  const p = dataOf(ctx, b.entry);
  if (p === 0) return fail(ctx, ERROR_DISCARDED, 0);
  const locks = (f >>> LOCK_SHIFT) & LOCK_MASK;
  // The count saturates at 255, as Windows' byte-wide count does.
  if (locks < LOCK_MASK) setFlags(ctx, b.entry, (f & ~(LOCK_MASK << LOCK_SHIFT)) | ((locks + 1) << LOCK_SHIFT));
  return p;
}

/**
 * TRUE while still locked; FALSE with NO_ERROR when the count reaches zero, FALSE with
 * ERROR_NOT_LOCKED when it was zero. Fixed blocks have no count: GlobalUnlock says TRUE,
 * LocalUnlock FALSE with ERROR_NOT_LOCKED. A bad handle is ERROR_INVALID_HANDLE (and TRUE
 * from GlobalUnlock, as Windows answers).
 */
export function memUnlock(ctx: ApiContext, h: number, family: Family): number {
  const b = classify(ctx, h);
  if (b.kind === 'fixed') return family === 'global' ? 1 : fail(ctx, ERROR_NOT_LOCKED, 0);
  if (b.kind === 'invalid') {
    if (h % 16 !== 8) return family === 'global' ? 1 : fail(ctx, ERROR_NOT_LOCKED, 0);
    return fail(ctx, ERROR_INVALID_HANDLE, family === 'global' ? 1 : 0);
  }
  const f = flagsOf(ctx, b.entry);
  const locks = (f >>> LOCK_SHIFT) & LOCK_MASK;
  if (locks === 0) return fail(ctx, ERROR_NOT_LOCKED, 0);
  setFlags(ctx, b.entry, (f & ~(LOCK_MASK << LOCK_SHIFT)) | ((locks - 1) << LOCK_SHIFT));
  if (locks > 1) return 1;
  ctx.setLastError(0);
  return 0;
}

export function memSize(ctx: ApiContext, h: number): number {
  const b = classify(ctx, h);
  if (b.kind === 'invalid') return fail(ctx, ERROR_INVALID_HANDLE, 0);
  if (b.kind === 'fixed') return ctx.process.heapSize(heap(ctx), b.p);
  return moveableSize(ctx, b.entry);
}

/** Lock count | DISCARDABLE | DISCARDED (| DDESHARE); GMEM_INVALID_HANDLE for a bad one. */
export function memFlags(ctx: ApiContext, h: number, family: Family): number {
  const b = classify(ctx, h);
  if (b.kind === 'fixed') return 0;
  if (b.kind === 'invalid') return fail(ctx, family === 'local' && h % 16 !== 8 ? ERROR_NOACCESS : ERROR_INVALID_HANDLE, GMEM_INVALID_HANDLE);
  const f = flagsOf(ctx, b.entry);
  let r = (f >>> LOCK_SHIFT) & LOCK_MASK;
  if (f & F_DISCARDABLE) r |= family === 'global' ? GMEM_DISCARDABLE : LMEM_DISCARDABLE;
  if (f & F_DISCARDED) r |= GMEM_DISCARDED;
  if (f & F_DDESHARE) r |= GMEM_DDESHARE;
  return r;
}

/** The handle of a block given its pointer (a fixed block is its own handle). */
export function memHandle(ctx: ApiContext, p: number, family: Family): number {
  const b = classify(ctx, p);
  if (b.kind === 'fixed') return b.p;
  if (b.kind === 'moveable') return b.handle;
  return fail(ctx, family === 'local' ? ERROR_NOACCESS : ERROR_INVALID_HANDLE, 0);
}

/**
 * GlobalReAlloc / LocalReAlloc with Windows 10's rules:
 *  - MODIFY changes attributes only: DISCARDABLE is added, and MOVEABLE turns a fixed block
 *    into a moveable one (a new handle; the data moves to a new block);
 *  - DISCARDABLE without MODIFY fails;
 *  - a fixed block grows or shrinks in place unless MOVEABLE lets it move;
 *  - a locked moveable block stays in place unless MOVEABLE is given;
 *  - size 0 with MOVEABLE discards an unlocked moveable block (the handle stays valid);
 *  - a discarded block gets new memory.
 */
export function memReAlloc(ctx: ApiContext, h: number, size: number, flags: number, family: Family): number {
  const b = classify(ctx, h);
  if (b.kind === 'invalid') return fail(ctx, h % 16 === 8 ? ERROR_INVALID_HANDLE : ERROR_NOACCESS, 0);
  const m = ctx.mem;
  const zero = (flags & GMEM_ZEROINIT) !== 0;
  if (b.kind === 'fixed') {
    const old = ctx.process.heapSize(heap(ctx), b.p);
    if (flags & GMEM_MODIFY) {
      if ((flags & GMEM_MOVEABLE) === 0) return b.p;
      const e = newEntry(ctx);
      if (e === 0) return fail(ctx, ERROR_NOT_ENOUGH_MEMORY, 0);
      const q = ctx.process.heapAlloc(heap(ctx), old + TRAILER, 0);
      if (q === 0) {
        freeEntry(ctx, e);
        return fail(ctx, ERROR_NOT_ENOUGH_MEMORY, 0);
      }
      m.copy(q, b.p, old);
      ctx.process.heapFree(heap(ctx), b.p);
      setData(ctx, e, q, old);
      setFlags(ctx, e, IN_USE | F_MOVEABLE | (discardable(flags, family) ? F_DISCARDABLE : 0));
      return e + 8;
    }
    if (discardable(flags, family)) return fail(ctx, ERROR_NOT_ENOUGH_MEMORY, 0);
    const q = ctx.process.heapReAlloc(heap(ctx), b.p, size, flags & GMEM_MOVEABLE ? 0 : HEAP_REALLOC_IN_PLACE_ONLY);
    if (q === 0) return fail(ctx, ERROR_NOT_ENOUGH_MEMORY, 0);
    if (zero) zeroGrowth(ctx, q, old, size);
    return q;
  }
  const e = b.entry;
  const f = flagsOf(ctx, e);
  if (flags & GMEM_MODIFY) {
    if (discardable(flags, family)) setFlags(ctx, e, f | F_DISCARDABLE);
    return b.handle;
  }
  if (discardable(flags, family)) return fail(ctx, ERROR_INVALID_PARAMETER, 0);
  const locked = ((f >>> LOCK_SHIFT) & LOCK_MASK) !== 0;
  const p = dataOf(ctx, e);
  if (size === 0) {
    if ((flags & GMEM_MOVEABLE) === 0 || locked) return fail(ctx, ERROR_INVALID_PARAMETER, 0);
    if (p !== 0) ctx.process.heapFree(heap(ctx), p);
    setData(ctx, e, 0, 0);
    setFlags(ctx, e, f | F_DISCARDED);
    return b.handle;
  }
  if (p === 0) {
    const q = ctx.process.heapAlloc(heap(ctx), size + TRAILER, zero ? HEAP_ZERO_MEMORY : 0);
    if (q === 0) return fail(ctx, ERROR_NOT_ENOUGH_MEMORY, 0);
    setData(ctx, e, q, size);
    setFlags(ctx, e, f & ~F_DISCARDED);
    return b.handle;
  }
  const old = moveableSize(ctx, e);
  let q = p;
  // Within the block's room the size just changes; beyond it the block is reallocated
  // (in place only while it is locked, unless MOVEABLE allows a move).
  if (size + TRAILER > ctx.process.heapSize(heap(ctx), p)) {
    const inPlace = locked && (flags & GMEM_MOVEABLE) === 0;
    q = ctx.process.heapReAlloc(heap(ctx), p, size + TRAILER, inPlace ? HEAP_REALLOC_IN_PLACE_ONLY : 0);
    if (q === 0) return fail(ctx, ERROR_NOT_ENOUGH_MEMORY, 0);
  }
  if (zero) zeroGrowth(ctx, q, old, size);
  setData(ctx, e, q, size);
  return b.handle;
}

// ---- GlobalAlloc and friends (the Local ones are in localalloc.ts) ---------------------------

export function GlobalAlloc(ctx: ApiContext, flags: number, size: bigint): number {
  return memAlloc(ctx, flags, Number(size), 'global');
}

export function GlobalFree(ctx: ApiContext, h: number): number {
  return memFree(ctx, h);
}

export function GlobalLock(ctx: ApiContext, h: number): number {
  return memLock(ctx, h);
}

export function GlobalUnlock(ctx: ApiContext, h: number): number {
  return memUnlock(ctx, h, 'global');
}

export function GlobalReAlloc(ctx: ApiContext, h: number, size: bigint, flags: number): number {
  return memReAlloc(ctx, h, Number(size), flags, 'global');
}

export function GlobalSize(ctx: ApiContext, h: number): bigint {
  return BigInt(memSize(ctx, h));
}

export function GlobalFlags(ctx: ApiContext, h: number): number {
  return memFlags(ctx, h, 'global');
}

export function GlobalHandle(ctx: ApiContext, p: number): number {
  return memHandle(ctx, p, 'global');
}
