/**
 * The process's thread objects, in a SharedArrayBuffer so that every thread's JS realm (the
 * main thread and each Worker) sees the same state and a wait is one Atomics.wait on the
 * thread's state word, with no round trip through another thread (DESIGN.md §5). Slot 0 is the
 * main thread. Each slot is eleven 32-bit words: state, exit code, thread id, suspend count (a
 * thread created suspended waits on it before it starts; resumed, it runs), references, the
 * TEB address (2 words), the priority SetThreadPriority recorded, the address of the
 * description SetThreadDescription stored (2 words), and a TerminateThread request (read by
 * the thread's dispatcher at each API call).
 * A thread handle (HandleType.Thread) holds its slot index. The references are the thread's
 * handles plus one for the running thread itself: when the thread has ended and its last
 * handle is closed, the slot is free for another thread (Windows frees the thread object then).
 */
export const enum ThreadState {
  Free = 0,
  /** Created; its Worker is starting or it runs guest code. */
  Running = 1,
  /** The start routine returned (or ExitThread ran): the exit code is final. */
  Exited = 2,
}

export const MAX_THREADS = 1024;
const WORDS = 11;
const STATE = 0;
const EXIT_CODE = 1;
const TID = 2;
const SUSPEND = 3;
const REFS = 4;
const TEB_LOW = 5;
const PRIORITY = 7;
const DESCRIPTION = 8;
const TERMINATE = 10;

/** After the slots and the thread id counter: ended threads' blocks (TEB and stack) kept for
 *  the next CreateThread, each entry a state word, the TEB and stack addresses (2 words each)
 *  and the stack's size in 64 KiB units. */
const KEPT = MAX_THREADS * WORDS + 1;
const KEPT_ENTRIES = 4;
const KEPT_WORDS = 6;
const enum Kept {
  Empty = 0,
  /** A thread is writing or reading the entry. */
  Busy = 1,
  Full = 2,
}

/** GetExitCodeThread's value while the thread runs. */
export const STILL_ACTIVE = 259;

export class ThreadTable {
  private readonly words: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer((KEPT + KEPT_ENTRIES * KEPT_WORDS) * 4)) {
    this.words = new Int32Array(buffer);
  }

  /** Keeps an ended thread's TEB and stack (`size` bytes at `stack`) for a later thread; false
   *  when every entry is taken (the caller frees the block). */
  keepBlock(teb: number, stack: number, size: number): boolean {
    const w = this.words;
    for (let i = 0; i < KEPT_ENTRIES; i++) {
      const e = KEPT + KEPT_WORDS * i;
      if (Atomics.compareExchange(w, e, Kept.Empty, Kept.Busy) !== Kept.Empty) continue;
      w[e + 1] = teb % 0x100000000 | 0;
      w[e + 2] = Math.floor(teb / 0x100000000);
      w[e + 3] = stack % 0x100000000 | 0;
      w[e + 4] = Math.floor(stack / 0x100000000);
      w[e + 5] = size / 0x10000;
      Atomics.store(w, e, Kept.Full);
      return true;
    }
    return false;
  }

  /** Takes a kept block whose stack has `size` bytes, or undefined. */
  takeBlock(size: number): { teb: number; stack: number } | undefined {
    const w = this.words;
    for (let i = 0; i < KEPT_ENTRIES; i++) {
      const e = KEPT + KEPT_WORDS * i;
      if (Atomics.load(w, e) !== Kept.Full || Atomics.compareExchange(w, e, Kept.Full, Kept.Busy) !== Kept.Full) continue;
      if (w[e + 5] !== size / 0x10000) {
        Atomics.store(w, e, Kept.Full);
        continue;
      }
      const block = { teb: (w[e + 1]! >>> 0) + w[e + 2]! * 0x100000000, stack: (w[e + 3]! >>> 0) + w[e + 4]! * 0x100000000 };
      Atomics.store(w, e, Kept.Empty);
      return block;
    }
    return undefined;
  }

  /** A slot for a new running thread with id `tid`, or -1 when the table is full. It holds
   *  two references: the thread's own and its creator's handle. */
  allocate(tid: number, teb: number, suspended = false): number {
    const w = this.words;
    for (let i = 1; i < MAX_THREADS; i++) {
      if (Atomics.compareExchange(w, WORDS * i + STATE, ThreadState.Free, ThreadState.Running) === ThreadState.Free) {
        this.init(i, teb);
        Atomics.store(w, WORDS * i + REFS, 2);
        Atomics.store(w, WORDS * i + SUSPEND, suspended ? 1 : 0);
        Atomics.store(w, WORDS * i + TID, tid);
        return i;
      }
    }
    return -1;
  }

  /** Slot 0: the main thread, running with id `tid` (its reference ends with the process). */
  registerMain(tid: number, teb: number): void {
    const w = this.words;
    this.init(0, teb);
    Atomics.store(w, TID, tid);
    Atomics.store(w, REFS, 1);
    Atomics.store(w, STATE, ThreadState.Running);
  }

  private init(slot: number, teb: number): void {
    const w = this.words;
    const b = WORDS * slot;
    w[b + EXIT_CODE] = STILL_ACTIVE;
    w[b + TEB_LOW] = teb % 0x100000000 | 0;
    w[b + TEB_LOW + 1] = Math.floor(teb / 0x100000000);
    w[b + PRIORITY] = 0;
    w[b + DESCRIPTION] = 0;
    w[b + DESCRIPTION + 1] = 0;
    Atomics.store(w, b + TERMINATE, 0);
  }

  teb(slot: number): number {
    const b = WORDS * slot;
    return (this.words[b + TEB_LOW]! >>> 0) + (this.words[b + TEB_LOW + 1]! >>> 0) * 0x100000000;
  }

  priority(slot: number): number {
    return Atomics.load(this.words, WORDS * slot + PRIORITY);
  }

  setPriority(slot: number, p: number): void {
    Atomics.store(this.words, WORDS * slot + PRIORITY, p);
  }

  /** The guest address of the thread's description (a process-heap string), or 0. */
  description(slot: number): number {
    const b = WORDS * slot;
    return (Atomics.load(this.words, b + DESCRIPTION) >>> 0) + (Atomics.load(this.words, b + DESCRIPTION + 1) >>> 0) * 0x100000000;
  }

  /** Sets the description's address, returning the previous one (the caller frees it). */
  swapDescription(slot: number, addr: number): number {
    const b = WORDS * slot;
    const old = this.description(slot);
    Atomics.store(this.words, b + DESCRIPTION, addr % 0x100000000 | 0);
    Atomics.store(this.words, b + DESCRIPTION + 1, Math.floor(addr / 0x100000000));
    return old;
  }

  /** The word a thread's dispatcher watches for a TerminateThread request (code + 1 … as
   *  non-zero: see requestTerminate). */
  terminateWord(slot: number): Int32Array {
    return new Int32Array(this.buffer, (WORDS * slot + TERMINATE) * 4, 1);
  }

  /**
   * TerminateThread of another thread: the thread ends now as far as everyone else can see
   * (exit code, signalled handle, abandoned mutexes); its own host thread stops at its next API
   * call. False when it had ended already.
   */
  requestTerminate(slot: number, code: number): boolean {
    const b = WORDS * slot;
    if (Atomics.compareExchange(this.words, b + TERMINATE, 0, 1) !== 0) return false;
    if (Atomics.load(this.words, b + STATE) !== ThreadState.Running) return false;
    this.exited(slot, code);
    return true;
  }

  /** Whether TerminateThread ended this thread already (its own end then records nothing). */
  terminated(slot: number): boolean {
    return Atomics.load(this.words, WORDS * slot + TERMINATE) !== 0;
  }

  /** One more reference (a new handle) to a slot the caller holds a reference to. */
  addRef(slot: number): void {
    Atomics.add(this.words, WORDS * slot + REFS, 1);
  }

  /** A reference to the slot of thread `tid` if it exists (OpenThread), or -1. */
  refById(tid: number): number {
    const w = this.words;
    for (let i = 0; i < MAX_THREADS; i++) {
      if (Atomics.load(w, WORDS * i + STATE) === ThreadState.Free || Atomics.load(w, WORDS * i + TID) >>> 0 !== tid) continue;
      for (let r = Atomics.load(w, WORDS * i + REFS); r > 0; r = Atomics.load(w, WORDS * i + REFS)) {
        if (Atomics.compareExchange(w, WORDS * i + REFS, r, r + 1) === r) {
          if (Atomics.load(w, WORDS * i + TID) >>> 0 === tid) return i;
          this.release(i);
          break;
        }
      }
    }
    return -1;
  }

  /** Drops a reference; the last one of an ended thread frees the slot. */
  release(slot: number): void {
    const w = this.words;
    if (Atomics.sub(w, WORDS * slot + REFS, 1) !== 1) return;
    if (Atomics.compareExchange(w, WORDS * slot + STATE, ThreadState.Exited, ThreadState.Free) === ThreadState.Exited) Atomics.store(w, WORDS * slot + TID, 0);
  }

  /** The slot of running or ended thread `tid`, or -1 (the thread is gone or never was). */
  slotOf(tid: number): number {
    for (let i = 0; i < MAX_THREADS; i++) {
      if (Atomics.load(this.words, WORDS * i + STATE) !== ThreadState.Free && Atomics.load(this.words, WORDS * i + TID) >>> 0 === tid) return i;
    }
    return -1;
  }

  /** The next thread id: after `base` (the main thread's), multiples of 4 as Windows hands
   *  out. The counter is the word after the slots. */
  nextId(base: number): number {
    const n = Atomics.add(this.words, MAX_THREADS * WORDS, 1) + 1;
    return (Math.ceil(base / 4) + n) * 4;
  }

  /** The TEBs of the threads running now (slot 0, the main thread, included). */
  runningTebs(): number[] {
    const out: number[] = [];
    for (let i = 0; i < MAX_THREADS; i++) if (this.state(i) === ThreadState.Running && this.teb(i) !== 0) out.push(this.teb(i));
    return out;
  }

  state(slot: number): ThreadState {
    return Atomics.load(this.words, WORDS * slot + STATE) as ThreadState;
  }

  exitCode(slot: number): number {
    return Atomics.load(this.words, WORDS * slot + EXIT_CODE) >>> 0;
  }

  tid(slot: number): number {
    return Atomics.load(this.words, WORDS * slot + TID) >>> 0;
  }

  /** ResumeThread: lowers the suspend count, returning the previous one; at 0 the thread starts. */
  resume(slot: number): number {
    const at = WORDS * slot + SUSPEND;
    for (;;) {
      const c = Atomics.load(this.words, at);
      if (c === 0) return 0;
      if (Atomics.compareExchange(this.words, at, c, c - 1) === c) {
        if (c === 1) Atomics.notify(this.words, at);
        return c;
      }
    }
  }

  /** SuspendThread on a thread that has not started yet: the previous count; -1 when it runs
   *  (suspending a running thread is not supported). */
  suspendPending(slot: number): number {
    const at = WORDS * slot + SUSPEND;
    for (;;) {
      const c = Atomics.load(this.words, at);
      if (c === 0) return -1;
      if (Atomics.compareExchange(this.words, at, c, c + 1) === c) return c;
    }
  }

  /** In the new thread, before it starts: waits while it is suspended. */
  waitResumed(slot: number): void {
    const at = WORDS * slot + SUSPEND;
    for (let c = Atomics.load(this.words, at); c > 0; c = Atomics.load(this.words, at)) Atomics.wait(this.words, at, c);
  }

  /** The thread ended with `code`: record it, wake every waiter and drop the thread's own
   *  reference. */
  exited(slot: number, code: number): void {
    Atomics.store(this.words, WORDS * slot + EXIT_CODE, code | 0);
    Atomics.store(this.words, WORDS * slot + STATE, ThreadState.Exited);
    Atomics.notify(this.words, WORDS * slot + STATE);
    this.release(slot);
  }

  /** Blocks until the thread has exited or `ms` passed (Infinity: no limit); true when it
   *  exited. */
  wait(slot: number, ms: number): boolean {
    const at = WORDS * slot + STATE;
    const end = Number.isFinite(ms) ? performance.now() + ms : Infinity;
    for (;;) {
      if (Atomics.load(this.words, at) === ThreadState.Exited) return true;
      const left = end - performance.now();
      if (left <= 0) return false;
      Atomics.wait(this.words, at, ThreadState.Running, left);
    }
  }
}
