/**
 * The process's thread objects, in a SharedArrayBuffer so that every thread's JS realm (the
 * main thread and each Worker) sees the same state and a wait is one Atomics.wait on the
 * thread's state word, with no round trip through another thread (DESIGN.md §5). Slot 0 is the
 * main thread. Each slot is four 32-bit words: state, exit code, thread id, suspend count (a
 * thread created suspended waits on it before it starts; resumed, it runs).
 * A thread handle (HandleType.Thread) holds its slot index.
 */
export const enum ThreadState {
  Free = 0,
  /** Created; its Worker is starting or it runs guest code. */
  Running = 1,
  /** The start routine returned (or ExitThread ran): the exit code is final. */
  Exited = 2,
}

export const MAX_THREADS = 1024;
const WORDS = 4;
const STATE = 0;
const EXIT_CODE = 1;
const TID = 2;
const SUSPEND = 3;

/** GetExitCodeThread's value while the thread runs. */
export const STILL_ACTIVE = 259;

export class ThreadTable {
  private readonly words: Int32Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(MAX_THREADS * WORDS * 4 + 4)) {
    this.words = new Int32Array(buffer);
  }

  /** A slot for a new running thread with id `tid`, or -1 when the table is full. */
  allocate(tid: number, suspended = false): number {
    const w = this.words;
    for (let i = 1; i < MAX_THREADS; i++) {
      if (Atomics.compareExchange(w, WORDS * i + STATE, ThreadState.Free, ThreadState.Running) === ThreadState.Free) {
        w[WORDS * i + EXIT_CODE] = STILL_ACTIVE;
        Atomics.store(w, WORDS * i + SUSPEND, suspended ? 1 : 0);
        Atomics.store(w, WORDS * i + TID, tid);
        return i;
      }
    }
    return -1;
  }

  /** The next thread id: after `base` (the main thread's), multiples of 4 as Windows hands
   *  out. The counter is the word after the slots. */
  nextId(base: number): number {
    const n = Atomics.add(this.words, MAX_THREADS * WORDS, 1) + 1;
    return (Math.ceil(base / 4) + n) * 4;
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

  /** The thread ended with `code`: record it and wake every waiter. */
  exited(slot: number, code: number): void {
    Atomics.store(this.words, WORDS * slot + EXIT_CODE, code | 0);
    Atomics.store(this.words, WORDS * slot + STATE, ThreadState.Exited);
    Atomics.notify(this.words, WORDS * slot + STATE);
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
