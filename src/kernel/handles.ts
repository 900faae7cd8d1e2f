/**
 * The process handle table, in a SharedArrayBuffer so that every thread's JS realm sees the
 * same handles (DESIGN.md §5). Each slot holds an object type and one integer (for files and
 * the console: the Unix file descriptor). Handle values are multiples of 4, as on Windows.
 */
export const enum HandleType {
  Free = 0,
  Console = 1,
  File = 2,
  Pipe = 3,
}

const MAX_HANDLES = 4096;
const FIRST = 1; // handle 0 is never valid

export class HandleTable {
  private readonly slots: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(MAX_HANDLES * 2 * 4)) {
    this.slots = new Int32Array(buffer);
  }

  /** A new handle for (type, value), or 0 when the table is full. */
  allocate(type: HandleType, value: number): number {
    for (let i = FIRST; i < MAX_HANDLES; i++) {
      if (Atomics.compareExchange(this.slots, 2 * i, HandleType.Free, type) === HandleType.Free) {
        Atomics.store(this.slots, 2 * i + 1, value);
        return i * 4;
      }
    }
    return 0;
  }

  private index(handle: number): number {
    if (handle % 4 !== 0 || handle <= 0 || handle >= MAX_HANDLES * 4) return -1;
    return handle / 4;
  }

  lookup(handle: number): { type: HandleType; value: number } | undefined {
    const i = this.index(handle);
    if (i < 0) return undefined;
    const type = Atomics.load(this.slots, 2 * i) as HandleType;
    if (type === HandleType.Free) return undefined;
    return { type, value: Atomics.load(this.slots, 2 * i + 1) };
  }

  close(handle: number): boolean {
    const i = this.index(handle);
    if (i < 0) return false;
    return Atomics.exchange(this.slots, 2 * i, HandleType.Free) !== HandleType.Free;
  }
}
