/**
 * The process handle table, in a SharedArrayBuffer so that every thread's JS realm sees the
 * same handles (DESIGN.md §5). Each slot is eight 32-bit words:
 *   type, value (low), value (high), access mask, share mode, flags, file id (low), file id (high)
 * For files and the console the value is the Unix file descriptor; for a find handle it is the
 * guest address of its search block; for registry keys and tokens, see HandleType. The file
 * id (device and inode folded) lets CreateFile enforce FILE_SHARE_* between handles of the
 * process. Handle values are multiples of 4.
 */
export const enum HandleType {
  Free = 0,
  Console = 1,
  File = 2,
  Pipe = 3,
  Directory = 4,
  Find = 5,
  /** A file mapping (section): value = a descriptor of the backing file, access = the page
   *  protection it was created with, file id = its maximum size. */
  Mapping = 6,
  /** A registry key: the value is the key's id in the process's Registry. */
  RegistryKey = 7,
  /** An access token: the value says which (kernel/security.ts). */
  Token = 8,
  /** A semaphore: the value is the guest address of its { count, maximum, waiters } block. */
  Semaphore = 9,
  /** A thread: the value is its slot in the process's ThreadTable (kernel/threads.ts). */
  Thread = 10,
  /** An event: the value is the guest address of its { signalled, manual reset, waiters }
   *  block (kernel/waitable.ts). */
  Event = 11,
  /** A mutex: the value is the guest address of its { owner thread id, recursion, waiters }
   *  block (dlls/kernel32/mutex.ts). */
  Mutex = 12,
  /** A waitable timer: the value is the guest address of its block (kernel32/timers.ts). */
  Timer = 13,
  /** A child process: the value is its slot in the process's ProcessTable
   *  (kernel/process-objects.ts). */
  Process = 20,
  /** The main thread of a child process: the value is the child's ProcessTable slot. */
  ProcessThread = 21,
  /** A named pipe's server instance or client end: the value is its slot in the process's
   *  NamedPipeTable (kernel/namedpipes.ts). */
  NamedPipe = 22,
}

/** Slot flags. */
export const HANDLE_DELETE_ON_CLOSE = 1;
export const HANDLE_APPEND = 2;
/** The descriptor is not owned by the handle (std handles on fds 0–2). */
export const HANDLE_BORROWED_FD = 4;
/** A console handle on the input side (STD_INPUT_HANDLE, CONIN$). */
export const HANDLE_CONSOLE_INPUT = 8;
/** NtSetInformationFile(FileDispositionInformation) marked the file for deletion. */
export const HANDLE_DELETE_PENDING = 0x10;
/** The handle was opened by NtCreateFile: bits 16–31 hold its FILE_* mode options
 *  (FILE_SYNCHRONOUS_IO_NONALERT …), which FileModeInformation reports. */
export const HANDLE_NT_MODE = 0x20;
export const HANDLE_MODE_SHIFT = 16;
/** HANDLE_FLAG_INHERIT and HANDLE_FLAG_PROTECT_FROM_CLOSE (Get/SetHandleInformation). */
export const HANDLE_INHERIT = 0x40;
export const HANDLE_PROTECT = 0x80;

export const MAX_HANDLES = 4096;
const WORDS = 8;
/** Bytes per slot; the type is word 0, the value words 1–2, the access mask word 3 (machine
 *  code reads them: native/iofast.ts). */
export const HANDLE_SLOT_SIZE = WORDS * 4;
const FIRST = 1; // handle 0 is never valid

export interface HandleInfo {
  type: HandleType;
  value: number;
  access: number;
  share: number;
  flags: number;
  fileId: bigint;
}

export class HandleTable {
  private readonly slots: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(MAX_HANDLES * WORDS * 4)) {
    this.slots = new Int32Array(buffer);
  }

  /** A new handle for (type, value), or 0 when the table is full. */
  allocate(type: HandleType, value: number, info: Partial<Omit<HandleInfo, 'type' | 'value'>> = {}): number {
    const s = this.slots;
    for (let i = FIRST; i < MAX_HANDLES; i++) {
      const b = WORDS * i;
      if (Atomics.compareExchange(s, b, HandleType.Free, -1) === HandleType.Free) {
        const id = info.fileId ?? 0n;
        s[b + 1] = value % 0x100000000 | 0;
        s[b + 2] = Math.floor(value / 0x100000000) | 0;
        s[b + 3] = info.access ?? 0;
        s[b + 4] = info.share ?? 0;
        s[b + 5] = info.flags ?? 0;
        s[b + 6] = Number(BigInt.asIntN(32, id));
        s[b + 7] = Number(BigInt.asIntN(32, id >> 32n));
        Atomics.store(s, b, type);
        return i * 4;
      }
    }
    return 0;
  }

  /** Puts (type, value) at exactly `handle` (a handle inherited from the parent process
   *  keeps its value); false when that slot is taken or invalid. */
  allocateAt(handle: number, type: HandleType, value: number, info: Partial<Omit<HandleInfo, 'type' | 'value'>> = {}): boolean {
    const i = this.index(handle);
    if (i < FIRST) return false;
    const s = this.slots;
    const b = WORDS * i;
    if (Atomics.compareExchange(s, b, HandleType.Free, -1) !== HandleType.Free) return false;
    const id = info.fileId ?? 0n;
    s[b + 1] = value % 0x100000000 | 0;
    s[b + 2] = Math.floor(value / 0x100000000) | 0;
    s[b + 3] = info.access ?? 0;
    s[b + 4] = info.share ?? 0;
    s[b + 5] = info.flags ?? 0;
    s[b + 6] = Number(BigInt.asIntN(32, id));
    s[b + 7] = Number(BigInt.asIntN(32, id >> 32n));
    Atomics.store(s, b, type);
    return true;
  }

  /** Every open handle (for handle inheritance). */
  all(): (HandleInfo & { handle: number })[] {
    const out: (HandleInfo & { handle: number })[] = [];
    for (let i = FIRST; i < MAX_HANDLES; i++) {
      const h = this.read(i);
      if (h) out.push({ ...h, handle: i * 4 });
    }
    return out;
  }

  private index(handle: number): number {
    if (handle % 4 !== 0 || handle <= 0 || handle >= MAX_HANDLES * 4) return -1;
    return handle / 4;
  }

  private read(i: number): HandleInfo | undefined {
    const s = this.slots;
    const b = WORDS * i;
    const type = Atomics.load(s, b) as HandleType;
    if (type === HandleType.Free || (type as number) === -1) return undefined;
    return {
      type,
      value: (s[b + 1]! >>> 0) + (s[b + 2]! >>> 0) * 0x100000000,
      access: s[b + 3]! >>> 0,
      share: s[b + 4]! >>> 0,
      flags: s[b + 5]! >>> 0,
      fileId: (BigInt(s[b + 7]! >>> 0) << 32n) | BigInt(s[b + 6]! >>> 0),
    };
  }

  lookup(handle: number): HandleInfo | undefined {
    const i = this.index(handle);
    return i < 0 ? undefined : this.read(i);
  }

  /** Every open handle on the file with this id (for sharing checks). */
  openOn(fileId: bigint): HandleInfo[] {
    const out: HandleInfo[] = [];
    if (fileId === 0n) return out;
    for (let i = FIRST; i < MAX_HANDLES; i++) {
      const t = Atomics.load(this.slots, WORDS * i);
      if (t !== HandleType.File && t !== HandleType.Directory) continue;
      const h = this.read(i);
      if (h && h.fileId === fileId) out.push(h);
    }
    return out;
  }

  /** The open handles with any of `flags` set. */
  withFlags(flags: number): number[] {
    const out: number[] = [];
    for (let i = FIRST; i < MAX_HANDLES; i++) {
      const h = this.read(i);
      if (h && h.flags & flags) out.push(i * 4);
    }
    return out;
  }

  /** Frees the slot; returns what it held (the caller closes the descriptor). */
  close(handle: number): HandleInfo | undefined {
    const i = this.index(handle);
    if (i < 0) return undefined;
    const h = this.read(i);
    if (!h) return undefined;
    return Atomics.compareExchange(this.slots, WORDS * i, h.type, HandleType.Free) === h.type ? h : undefined;
  }

  /** Sets and clears flags of an open handle; false when the handle is not open. */
  updateFlags(handle: number, set: number, clear = 0): boolean {
    const i = this.index(handle);
    if (i < 0 || !this.read(i)) return false;
    const at = WORDS * i + 5;
    for (;;) {
      const old = Atomics.load(this.slots, at);
      if (Atomics.compareExchange(this.slots, at, old, (old & ~clear) | set) === old) return true;
    }
  }
}
