/**
 * The address space's allocation map in one SharedArrayBuffer, so that every guest thread's JS
 * realm (the main thread and each Worker, DESIGN.md §5) reads and changes the same map: an
 * allocation made, protected or freed by one thread is seen by all (issue 8).
 *
 * Layout (all little-endian words of the one buffer):
 *   header    Int32[16]   lock word, generation, record count, page-pool top, image releases
 *   bases     Float64[MAX_RECORDS]   allocation bases, sorted ascending
 *   sizes     Float64[MAX_RECORDS]
 *   info      Int32[4 × MAX_RECORDS] per record: type, allocation protection, pool offset
 *                                    (−1: every page has the same state), that uniform state
 *   pages     Uint16[POOL_PAGES]     per page: 0 = reserved, else the PAGE_* protection
 *   locked    Uint8[POOL_PAGES]      per page: 1 when VirtualLock'ed (same offsets as pages)
 *
 * An allocation whose pages all share one state (a fresh reservation, a heap committed in one
 * go, an image before its sections are protected) needs no pool entries; the first change to
 * part of it gives it its own run of the pool. The pool is bump-allocated and compacted when
 * full. Capacity: MAX_RECORDS allocations and POOL_PAGES pages (16 GiB) of allocations whose
 * pages differ; past that the allocation fails with ERROR_NOT_ENOUGH_MEMORY and a message
 * naming this map.
 *
 * Every read and change of the records happens under the lock (a futex-style word: 0 free,
 * 1 held, 2 held with waiters; Atomics.wait when contended). Each change bumps the generation
 * first, so that a thread's own caches of what it read (AddressSpace's accessible-page cache)
 * are dropped on its next access after another thread changed the map.
 */
export const MAX_RECORDS = 65536;
export const POOL_PAGES = 1 << 22;

const LOCK = 0;
const GEN = 1;
const COUNT = 2;
const POOL_TOP = 3;
const IMAGE_RELEASES = 4;
const HEADER_BYTES = 64;
const INFO_WORDS = 4;
const TYPE = 0;
const APROT = 1;
const POOL = 2;
const UNIFORM = 3;

const BYTES = HEADER_BYTES + 16 * MAX_RECORDS + 4 * INFO_WORDS * MAX_RECORDS + 3 * POOL_PAGES;

/** The map is full (records or page pool). */
export class RegionMapFull extends Error {
  override readonly name = 'RegionMapFull';
}

export class RegionMap {
  /** Header words: Atomics over them. */
  readonly header: Int32Array;
  private readonly bases: Float64Array;
  private readonly sizes: Float64Array;
  private readonly info: Int32Array;
  private readonly pool: Uint16Array;
  private readonly lockedPool: Uint8Array;
  /** This realm's lock nesting (the lock is per process, the depth per thread). */
  private depth = 0;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(BYTES)) {
    let at = 0;
    this.header = new Int32Array(buffer, at, HEADER_BYTES / 4);
    at += HEADER_BYTES;
    this.bases = new Float64Array(buffer, at, MAX_RECORDS);
    at += 8 * MAX_RECORDS;
    this.sizes = new Float64Array(buffer, at, MAX_RECORDS);
    at += 8 * MAX_RECORDS;
    this.info = new Int32Array(buffer, at, INFO_WORDS * MAX_RECORDS);
    at += 4 * INFO_WORDS * MAX_RECORDS;
    this.pool = new Uint16Array(buffer, at, POOL_PAGES);
    at += 2 * POOL_PAGES;
    this.lockedPool = new Uint8Array(buffer, at, POOL_PAGES);
  }

  // ---- lock and generation -------------------------------------------------------------------
  lock(): void {
    if (this.depth++ > 0) return;
    const h = this.header;
    if (Atomics.compareExchange(h, LOCK, 0, 1) === 0) return;
    for (let spin = 0; spin < 100; spin++) if (Atomics.load(h, LOCK) === 0 && Atomics.compareExchange(h, LOCK, 0, 1) === 0) return;
    while (Atomics.exchange(h, LOCK, 2) !== 0) Atomics.wait(h, LOCK, 2);
  }

  unlock(): void {
    if (--this.depth > 0) return;
    if (Atomics.exchange(this.header, LOCK, 0) === 2) Atomics.notify(this.header, LOCK, 1);
  }

  /** Changes with each change to the map (by any thread). */
  generation(): number {
    return Atomics.load(this.header, GEN);
  }

  /** Counts releases of MEM_IMAGE allocations (code caches keyed by image address drop). */
  imageReleases(): number {
    return Atomics.load(this.header, IMAGE_RELEASES);
  }

  /** Under the lock, before changing anything. */
  private changing(): void {
    Atomics.add(this.header, GEN, 1);
  }

  // ---- records (call under the lock) ---------------------------------------------------------
  get count(): number {
    return this.header[COUNT]!;
  }
  base(i: number): number {
    return this.bases[i]!;
  }
  size(i: number): number {
    return this.sizes[i]!;
  }
  type(i: number): number {
    return this.info[INFO_WORDS * i + TYPE]!;
  }
  allocationProtect(i: number): number {
    return this.info[INFO_WORDS * i + APROT]!;
  }

  /** The record holding `addr`, or −1. */
  find(addr: number): number {
    let lo = 0;
    let hi = this.count - 1;
    const b = this.bases;
    const s = this.sizes;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const x = b[mid]!;
      if (addr < x) hi = mid - 1;
      else if (addr >= x + s[mid]!) lo = mid + 1;
      else return mid;
    }
    return -1;
  }

  /** The index of the first record whose base is above `addr` (count when none). */
  firstAbove(addr: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.bases[mid]! > addr) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  /** The state of page `page` (0-based in the allocation) of record i. */
  page(i: number, page: number): number {
    const off = this.info[INFO_WORDS * i + POOL]!;
    return off < 0 ? this.info[INFO_WORDS * i + UNIFORM]! : this.pool[off + page]!;
  }

  isLocked(i: number, page: number): boolean {
    const off = this.info[INFO_WORDS * i + POOL]!;
    return off >= 0 && this.lockedPool[off + page] === 1;
  }

  insert(base: number, size: number, type: number, allocationProtect: number, state: number): void {
    const n = this.count;
    if (n >= MAX_RECORDS) throw new RegionMapFull(`winrun's region map holds at most ${MAX_RECORDS} allocations`);
    this.changing();
    const i = this.firstAbove(base);
    this.bases.copyWithin(i + 1, i, n);
    this.sizes.copyWithin(i + 1, i, n);
    this.info.copyWithin(INFO_WORDS * (i + 1), INFO_WORDS * i, INFO_WORDS * n);
    this.bases[i] = base;
    this.sizes[i] = size;
    const w = INFO_WORDS * i;
    this.info[w + TYPE] = type;
    this.info[w + APROT] = allocationProtect;
    this.info[w + POOL] = -1;
    this.info[w + UNIFORM] = state;
    this.header[COUNT] = n + 1;
  }

  remove(i: number): void {
    this.changing();
    if (this.type(i) === 0x1000000 /* MEM_IMAGE */) Atomics.add(this.header, IMAGE_RELEASES, 1);
    const n = this.count;
    this.bases.copyWithin(i, i + 1, n);
    this.sizes.copyWithin(i, i + 1, n);
    this.info.copyWithin(INFO_WORDS * i, INFO_WORDS * (i + 1), INFO_WORDS * n);
    this.header[COUNT] = n - 1;
  }

  /** Sets pages [from, to) of record i to `state`. */
  setPages(i: number, from: number, to: number, state: number): void {
    this.changing();
    const w = INFO_WORDS * i;
    const pages = this.sizes[i]! / 0x1000;
    let off = this.info[w + POOL]!;
    if (off < 0) {
      const uniform = this.info[w + UNIFORM]!;
      if (uniform === state) return;
      if (from <= 0 && to >= pages) {
        this.info[w + UNIFORM] = state;
        return;
      }
      off = this.materialize(i);
    }
    this.pool.fill(state, off + from, off + to);
  }

  /** Sets the lock flags of pages [from, to) of record i. */
  setLockedPages(i: number, from: number, to: number, locked: boolean): void {
    let off = this.info[INFO_WORDS * i + POOL]!;
    if (off < 0 && !locked) return;
    this.changing();
    if (off < 0) off = this.materialize(i);
    this.lockedPool.fill(locked ? 1 : 0, off + from, off + to);
  }

  /** Gives record i its own run of the pool, filled with its uniform state. */
  private materialize(i: number): number {
    const w = INFO_WORDS * i;
    const pages = this.sizes[i]! / 0x1000;
    const off = this.poolRun(pages);
    this.pool.fill(this.info[w + UNIFORM]!, off, off + pages);
    this.lockedPool.fill(0, off, off + pages);
    this.info[w + POOL] = off;
    return off;
  }

  private poolRun(pages: number): number {
    const h = this.header;
    if (h[POOL_TOP]! + pages > POOL_PAGES) this.compact();
    const off = h[POOL_TOP]!;
    if (off + pages > POOL_PAGES) throw new RegionMapFull(`winrun's region map holds the page states of at most ${POOL_PAGES} pages of allocations with mixed protections`);
    h[POOL_TOP] = off + pages;
    return off;
  }

  /** Moves every record's run of the pool down, in pool order, closing the gaps left by
   *  released allocations. */
  private compact(): void {
    this.changing();
    const runs: number[] = [];
    for (let i = 0; i < this.count; i++) if (this.info[INFO_WORDS * i + POOL]! >= 0) runs.push(i);
    runs.sort((x, y) => this.info[INFO_WORDS * x + POOL]! - this.info[INFO_WORDS * y + POOL]!);
    let top = 0;
    for (const i of runs) {
      const w = INFO_WORDS * i;
      const off = this.info[w + POOL]!;
      const pages = this.sizes[i]! / 0x1000;
      if (off !== top) {
        this.pool.copyWithin(top, off, off + pages);
        this.lockedPool.copyWithin(top, off, off + pages);
        this.info[w + POOL] = top;
      }
      top += pages;
    }
    this.header[POOL_TOP] = top;
  }
}
