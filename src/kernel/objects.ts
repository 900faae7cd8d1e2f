/**
 * The life and names of the process's synchronization objects (events, semaphores, mutexes,
 * waitable timers). Each object is a block in the process heap (kernel/waitable.ts, mutex.ts)
 * whose words every thread reaches; this module adds the two things a handle table alone does
 * not give:
 *
 * - a reference count in the block (OBJECT_REFS): one per handle (CreateX, OpenX,
 *   DuplicateHandle) and one per thread sleeping on it, so the block is freed when the last
 *   one goes — not while another thread still waits on it, as Windows keeps an object alive for
 *   its waiters;
 * - the object namespace (ObjectNames), in a SharedArrayBuffer so that every thread's realm
 *   finds a name another thread created (OpenEvent, CreateMutex of an existing name). Names
 *   compare case-sensitively, as Windows' object manager does for these objects; "Local\" is
 *   the session namespace, which is where an unprefixed name lives too.
 *
 * Named objects change their count only under the namespace lock, so an Open that finds the
 * name can never meet a block being freed; unnamed objects are counted with plain atomics (only
 * a holder of a handle can add a reference).
 */

/** Byte offsets in every object block, after the type's own words (0–11). */
export const OBJECT_REFS = 12;
export const OBJECT_FLAGS = 16;
/** The block size every synchronization object allocates (its words, refs, flags, and a
 *  waitable timer's due time and period at +24). */
export const OBJECT_BLOCK_SIZE = 48;
/** OBJECT_FLAGS: the object has an entry in the namespace. */
export const OBJECT_NAMED = 1;

/** Longest name kept, in UTF-16 units (Windows allows more; such a name fails to create). */
export const MAX_OBJECT_NAME = 260;
const MAX_NAMES = 1024;
/** Entry: type, block low, block high, name length, then the name's units (2 per word). */
const ENTRY_WORDS = 4 + MAX_OBJECT_NAME / 2;
const LOCK = 0;
const FIRST = 1;

export interface NamedObject {
  type: number;
  block: number;
}

/** The name as the namespace keeps it: "Local\x" is "x"; "Global\x" stays apart. */
export function canonicalObjectName(name: string): string {
  return name.startsWith('Local\\') ? name.slice(6) : name;
}

export class ObjectNames {
  private readonly words: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer((FIRST + MAX_NAMES * ENTRY_WORDS) * 4)) {
    this.words = new Int32Array(buffer);
  }

  /** Runs `body` holding the namespace lock (a spin, then Atomics.wait: any realm may hold it). */
  locked<T>(body: () => T): T {
    const w = this.words;
    for (let spins = 0; Atomics.compareExchange(w, LOCK, 0, 1) !== 0; spins++) {
      if (spins > 100) {
        Atomics.store(w, LOCK, 2);
        if (Atomics.compareExchange(w, LOCK, 0, 2) === 0) break;
        Atomics.wait(w, LOCK, 2, 1);
      }
    }
    try {
      return body();
    } finally {
      if (Atomics.exchange(w, LOCK, 0) === 2) Atomics.notify(w, LOCK, 1);
    }
  }

  private base(i: number): number {
    return FIRST + i * ENTRY_WORDS;
  }

  private matches(i: number, name: string): boolean {
    const w = this.words;
    const b = this.base(i);
    if (w[b] === 0 || w[b + 3] !== name.length) return false;
    for (let k = 0; k < name.length; k++) {
      const word = w[b + 4 + (k >> 1)]!;
      const unit = k & 1 ? (word >>> 16) : word & 0xffff;
      if (unit !== name.charCodeAt(k)) return false;
    }
    return true;
  }

  /** The object of that name (call under the lock). */
  find(name: string): NamedObject | undefined {
    for (let i = 0; i < MAX_NAMES; i++) {
      if (this.matches(i, name)) {
        const b = this.base(i);
        return { type: this.words[b]!, block: (this.words[b + 1]! >>> 0) + (this.words[b + 2]! >>> 0) * 0x100000000 };
      }
    }
    return undefined;
  }

  /** Records a name (call under the lock, after find() said it is free); false when full. */
  insert(name: string, type: number, block: number): boolean {
    const w = this.words;
    for (let i = 0; i < MAX_NAMES; i++) {
      const b = this.base(i);
      if (w[b] !== 0) continue;
      w[b + 1] = block % 0x100000000 | 0;
      w[b + 2] = Math.floor(block / 0x100000000);
      w[b + 3] = name.length;
      for (let k = 0; k < name.length; k += 2) w[b + 4 + (k >> 1)] = name.charCodeAt(k) | ((k + 1 < name.length ? name.charCodeAt(k + 1) : 0) << 16);
      w[b] = type;
      return true;
    }
    return false;
  }

  /** Forgets the name of the object at `block` (call under the lock). */
  remove(block: number): void {
    const w = this.words;
    for (let i = 0; i < MAX_NAMES; i++) {
      const b = this.base(i);
      if (w[b] !== 0 && (w[b + 1]! >>> 0) + (w[b + 2]! >>> 0) * 0x100000000 === block) w[b] = 0;
    }
  }
}
