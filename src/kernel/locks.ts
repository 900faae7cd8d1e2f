/**
 * Byte-range locks (LockFile, LockFileEx) of the process, in a SharedArrayBuffer like the
 * handle table so that every thread sees them. Windows locks are mandatory: a region another
 * handle holds exclusively cannot be read or written through this one, and a shared lock
 * stops writes through every handle, the owner's included. Each lock is also an open file
 * description lock on the descriptor, so other processes (other winruns) see it.
 * Slot: handle, file id (low, high), offset (low, high), length (low, high), exclusive.
 */
const MAX_LOCKS = 1024;
const WORDS = 8;

export interface RangeLock {
  handle: number;
  fileId: bigint;
  offset: bigint;
  length: bigint;
  exclusive: boolean;
}

const lo = (v: bigint): number => Number(BigInt.asIntN(32, v));
const hi = (v: bigint): number => Number(BigInt.asIntN(32, v >> 32n));
const join = (l: number, h: number): bigint => (BigInt(h >>> 0) << 32n) | BigInt(l >>> 0);

export class LockTable {
  private readonly slots: Int32Array;
  /** Word 0: the number of locks (I/O checks nothing while it is 0). */
  private readonly count: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(4 + MAX_LOCKS * WORDS * 4)) {
    this.count = new Int32Array(buffer, 0, 1);
    this.slots = new Int32Array(buffer, 4);
  }

  get empty(): boolean {
    return Atomics.load(this.count, 0) === 0;
  }

  private at(i: number): RangeLock | undefined {
    const s = this.slots;
    const b = i * WORDS;
    if (s[b] === 0) return undefined;
    return { handle: s[b]!, fileId: join(s[b + 1]!, s[b + 2]!), offset: join(s[b + 3]!, s[b + 4]!), length: join(s[b + 5]!, s[b + 6]!), exclusive: s[b + 7] !== 0 };
  }

  all(fileId?: bigint): RangeLock[] {
    const out: RangeLock[] = [];
    if (this.empty) return out;
    for (let i = 0; i < MAX_LOCKS; i++) {
      const l = this.at(i);
      if (l && (fileId === undefined || l.fileId === fileId)) out.push(l);
    }
    return out;
  }

  add(l: RangeLock): boolean {
    const s = this.slots;
    for (let i = 0; i < MAX_LOCKS; i++) {
      const b = i * WORDS;
      if (Atomics.compareExchange(s, b, 0, -1) === 0) {
        s.set([l.handle, lo(l.fileId), hi(l.fileId), lo(l.offset), hi(l.offset), lo(l.length), hi(l.length), l.exclusive ? 1 : 0], b);
        Atomics.add(this.count, 0, 1);
        return true;
      }
    }
    return false;
  }

  /** Removes the lock of `handle` on exactly this range; false when there is none. */
  remove(handle: number, offset: bigint, length: bigint): boolean {
    for (let i = 0; i < MAX_LOCKS; i++) {
      const l = this.at(i);
      if (l && l.handle === handle && l.offset === offset && l.length === length) {
        this.slots[i * WORDS] = 0;
        Atomics.sub(this.count, 0, 1);
        return true;
      }
    }
    return false;
  }

  /** Drops every lock of a handle being closed. */
  release(handle: number): void {
    if (this.empty) return;
    for (let i = 0; i < MAX_LOCKS; i++) {
      if (this.slots[i * WORDS] === handle) {
        this.slots[i * WORDS] = 0;
        Atomics.sub(this.count, 0, 1);
      }
    }
  }
}

const overlaps = (l: RangeLock, offset: bigint, length: bigint): boolean => length > 0n && l.length > 0n && offset < l.offset + l.length && l.offset < offset + length;

/** Whether a new lock conflicts with one held: "exclusive locks cannot overlap an existing
 *  locked region; shared locks can overlap a region provided the locks held on it are shared"
 *  (LockFileEx) — whoever holds them. */
export function lockConflicts(held: readonly RangeLock[], offset: bigint, length: bigint, exclusive: boolean): boolean {
  return held.some((l) => overlaps(l, offset, length) && (l.exclusive || exclusive));
}

/** Whether reading (or writing) the range through `handle` is refused by a lock. */
export function ioConflicts(held: readonly RangeLock[], handle: number, offset: bigint, length: bigint, write: boolean): boolean {
  return held.some((l) => overlaps(l, offset, length) && (l.exclusive ? l.handle !== handle : write));
}
