/**
 * Child process objects, in a SharedArrayBuffer so that every thread's JS realm sees them
 * (DESIGN.md §5). A process handle (HandleType.Process) and the handle of its main thread
 * (HandleType.ProcessThread) hold a slot index here; the slot counts the handles on it.
 *
 * How a child's end reaches the parent (issue 10):
 * - the child is watched through a pidfd: a wait is poll(2) on it, with its timeout, from
 *   whichever thread waits; nothing depends on Node's event loop;
 * - a Linux exit status has 8 bits, so a winrun child gets the write end of a "status pipe"
 *   (WINRUN_STATUS_FD in its boot data) and writes its full 32-bit exit code there as decimal
 *   text right before exit_group — from ExitProcess, from the end of main, from a crash (the
 *   NTSTATUS), from TerminateProcess on itself. The parent reads the pipe once the child ended;
 *   when it holds nothing (a winrun child killed from outside, or a Linux program), the code
 *   comes from the Linux status (see codeFromStatus);
 * - TerminateProcess records the code it was given before it sends SIGKILL, and that code wins.
 * The first thread to see the pidfd readable reaps the child (waitid) and stores the code; the
 * others wait for the state word to say so.
 */
import { closeDescriptor, pidfdSignal, pollReadable, readDescriptor, sendSignal, setNonBlocking, waitPidfd, type Ended } from '../native/spawn.js';

export const MAX_PROCESSES = 256;
const WORDS = 16;
const STATE = 0;
const PID = 1;
const PIDFD = 2;
const STATUS_FD = 3;
const RESUME_FD = 4;
const EXIT_CODE = 5;
const REFS = 6;
const TERMINATED = 7;
const TERMINATE_CODE = 8;
const WINRUN_CHILD = 9;
/** Float64 slots (word index / 2): creation and exit times in Unix milliseconds. */
const CREATED = 10;
const EXITED_AT = 12;
/** How many handles DuplicateHandle put into the child before it started. */
const HANDLES_SENT = 14;
/** 1: started with CREATE_NEW_PROCESS_GROUP (its pid is its group's id). */
const NEW_GROUP = 15;
/** The child handle values DuplicateHandle hands out, from the top of the table down (the
 *  inherited handles keep the parent's values, which start at the bottom). */
const FIRST_SENT_HANDLE = 0x3ffc;

const enum State {
  Free = 0,
  Running = 1,
  Reaping = 2,
  Exited = 3,
}

/** GetExitCodeProcess's value while the process runs. */
export const STILL_ACTIVE = 259;
const STATUS_ACCESS_VIOLATION = 0xc0000005;
const STATUS_ILLEGAL_INSTRUCTION = 0xc000001d;
const STATUS_INTEGER_DIVIDE_BY_ZERO = 0xc0000094;
const STATUS_CONTROL_C_EXIT = 0xc000013a;
/** What winrun's console signal handler exits with when no handler takes Ctrl-C: the low
 *  8 bits of STATUS_CONTROL_C_EXIT, with no status text (native/console.ts). */
const CTRL_C_EXIT_STATUS = STATUS_CONTROL_C_EXIT & 0xff;

/**
 * The exit code of a child that left no status text. A Linux program's own status is its
 * code; a signal becomes the NTSTATUS of the matching Windows exception (SIGSEGV/SIGBUS:
 * access violation, SIGILL, SIGFPE), SIGINT/SIGTERM/SIGHUP become STATUS_CONTROL_C_EXIT,
 * SIGABRT 3 (what abort() exits with on Windows), any other signal 128 + its number (the
 * shell's convention: Windows has no such code). A winrun child that exited with status 58
 * without writing its code ended on Ctrl-C in the signal handler.
 */
export function codeFromStatus(e: Ended, winrunChild: boolean): number {
  if ('code' in e) return winrunChild && e.code === CTRL_C_EXIT_STATUS ? STATUS_CONTROL_C_EXIT : e.code;
  switch (e.signal) {
    case 11:
    case 7:
      return STATUS_ACCESS_VIOLATION;
    case 4:
      return STATUS_ILLEGAL_INSTRUCTION;
    case 8:
      return STATUS_INTEGER_DIVIDE_BY_ZERO;
    case 2:
    case 15:
    case 1:
      return STATUS_CONTROL_C_EXIT;
    case 6:
      return 3;
    default:
      return 128 + e.signal;
  }
}

export interface ChildRecord {
  pid: number;
  pidfd: number;
  /** Read end of the status pipe (-1: none, a Linux program). */
  statusFd: number;
  /** The parent's end of the resume channel of a child created suspended (-1: none). */
  resumeFd: number;
  newGroup?: boolean;
}

export class ProcessTable {
  private readonly words: Int32Array;
  private readonly times: Float64Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(MAX_PROCESSES * WORDS * 4)) {
    this.words = new Int32Array(buffer);
    this.times = new Float64Array(buffer);
  }

  /** A slot for a child that just started (no handle counted yet), or -1 when full. */
  add(c: ChildRecord): number {
    const w = this.words;
    for (let i = 0; i < MAX_PROCESSES; i++) {
      const b = WORDS * i;
      if (Atomics.compareExchange(w, b + STATE, State.Free, State.Reaping) !== State.Free) continue;
      w[b + PID] = c.pid;
      w[b + PIDFD] = c.pidfd;
      w[b + STATUS_FD] = c.statusFd;
      w[b + RESUME_FD] = c.resumeFd;
      w[b + EXIT_CODE] = STILL_ACTIVE;
      w[b + REFS] = 0;
      w[b + TERMINATED] = 0;
      w[b + WINRUN_CHILD] = c.statusFd >= 0 ? 1 : 0;
      w[b + HANDLES_SENT] = 0;
      w[b + NEW_GROUP] = c.newGroup ? 1 : 0;
      this.times[b / 2 + CREATED / 2] = Date.now();
      this.times[b / 2 + EXITED_AT / 2] = 0;
      Atomics.store(w, b + STATE, State.Running);
      return i;
    }
    return -1;
  }

  pid(slot: number): number {
    return this.words[WORDS * slot + PID]!;
  }

  createdAt(slot: number): number {
    return this.times[(WORDS * slot + CREATED) / 2]!;
  }

  /** Unix milliseconds when the process was seen to end, 0 while it runs. */
  exitedAt(slot: number): number {
    return this.times[(WORDS * slot + EXITED_AT) / 2]!;
  }

  /** The slot of a running or ended child with this pid that still has handles, or -1. */
  byPid(pid: number): number {
    for (let i = 0; i < MAX_PROCESSES; i++) {
      const b = WORDS * i;
      if (Atomics.load(this.words, b + STATE) !== State.Free && this.words[b + PID] === pid) return i;
    }
    return -1;
  }

  addRef(slot: number): void {
    Atomics.add(this.words, WORDS * slot + REFS, 1);
  }

  /** Drops a handle's reference; the last one closes the descriptors and frees the slot
   *  (a child still running goes on, as a Windows process outlives its handles). */
  release(slot: number): void {
    const b = WORDS * slot;
    if (Atomics.sub(this.words, b + REFS, 1) !== 1) return;
    const w = this.words;
    for (const at of [PIDFD, STATUS_FD, RESUME_FD]) if (w[b + at]! >= 0) closeDescriptor(w[b + at]!);
    Atomics.store(w, b + STATE, State.Free);
  }

  /** Whether the process has ended (reaping it the first time). */
  ended(slot: number): boolean {
    return this.wait(slot, 0);
  }

  /** Waits at most `ms` (Infinity: no limit) for the process to end; true when it has. */
  wait(slot: number, ms: number): boolean {
    const b = WORDS * slot;
    if (Atomics.load(this.words, b + STATE) === State.Exited) return true;
    if (!pollReadable(this.words[b + PIDFD]!, ms)) return false;
    this.finish(slot);
    return true;
  }

  /** GetExitCodeProcess: STILL_ACTIVE while the process runs. */
  exitCode(slot: number): number {
    this.ended(slot);
    return Atomics.load(this.words, WORDS * slot + EXIT_CODE) >>> 0;
  }

  /** TerminateProcess: the code is recorded, then SIGKILL. False when it had already ended. */
  terminate(slot: number, code: number): boolean {
    const b = WORDS * slot;
    if (this.ended(slot)) return false;
    this.words[b + TERMINATE_CODE] = code | 0;
    Atomics.store(this.words, b + TERMINATED, 1);
    pidfdSignal(this.words[b + PIDFD]!, 9);
    return true;
  }

  /** Whether the child was started in a process group of its own. */
  newGroup(slot: number): boolean {
    return this.words[WORDS * slot + NEW_GROUP] === 1;
  }

  /** The slots of the children still running. */
  running(): number[] {
    const out: number[] = [];
    for (let i = 0; i < MAX_PROCESSES; i++) if (Atomics.load(this.words, WORDS * i + STATE) === State.Running && !this.ended(i)) out.push(i);
    return out;
  }

  /** Sends a Linux signal to a running child (to its whole process group with `group`, which
   *  a child started in a group of its own leads); false when it has ended. */
  signal(slot: number, signal: number, group: boolean): boolean {
    if (this.ended(slot)) return false;
    return group ? sendSignal(-this.pid(slot), signal) : pidfdSignal(this.words[WORDS * slot + PIDFD]!, signal);
  }

  /** The resume channel of a winrun child that has not started yet (-1: started, or no such
   *  channel), and the handle value the next handle sent to it gets. */
  pendingStart(slot: number): { channel: number; nextValue: () => number } {
    const b = WORDS * slot;
    return { channel: Atomics.load(this.words, b + RESUME_FD), nextValue: () => FIRST_SENT_HANDLE - 4 * Atomics.add(this.words, b + HANDLES_SENT, 1) };
  }

  /** Lets a child created suspended run: its main thread waits on the resume pipe. Returns
   *  the previous suspend count (1, then 0). */
  resume(slot: number): number {
    const b = WORDS * slot;
    const fd = Atomics.exchange(this.words, b + RESUME_FD, -1);
    if (fd < 0) return 0;
    closeDescriptor(fd);
    return 1;
  }

  /** Reaps the child and stores its exit code, once (other threads wait for that). */
  private finish(slot: number): void {
    const w = this.words;
    const b = WORDS * slot;
    if (Atomics.compareExchange(w, b + STATE, State.Running, State.Reaping) !== State.Running) {
      while (Atomics.load(w, b + STATE) === State.Reaping) Atomics.wait(w, b + STATE, State.Reaping, 1);
      return;
    }
    const ended = waitPidfd(w[b + PIDFD]!, true) ?? { code: 0 };
    let code: number | undefined;
    if (Atomics.load(w, b + TERMINATED)) code = w[b + TERMINATE_CODE]! >>> 0;
    else if (w[b + STATUS_FD]! >= 0) code = readStatus(w[b + STATUS_FD]!);
    code ??= codeFromStatus(ended, w[b + WINRUN_CHILD] === 1);
    w[b + EXIT_CODE] = code | 0;
    this.times[(b + EXITED_AT) / 2] = Date.now();
    Atomics.store(w, b + STATE, State.Exited);
    Atomics.notify(w, b + STATE);
  }
}

/** The decimal code a winrun child wrote before it ended, if any. */
function readStatus(fd: number): number | undefined {
  setNonBlocking(fd, true);
  const buf = new Uint8Array(32);
  let text = '';
  for (;;) {
    const n = readDescriptor(fd, buf);
    if (n <= 0) break;
    text += String.fromCharCode(...buf.subarray(0, n));
  }
  const m = /^(\d+)\n/.exec(text);
  return m ? Number(m[1]) >>> 0 : undefined;
}
