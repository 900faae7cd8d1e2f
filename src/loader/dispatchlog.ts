/**
 * The process's dispatch ids, shared by all its threads (DESIGN.md §5: shared tables in
 * SharedArrayBuffers). A thunk names its export by a dispatch id; each thread's Worker has its
 * own list of entries, copied from its creator when it starts. A builtin DLL or a named trap
 * made later by one thread takes its ids from this log, so that no two threads give one id to
 * different exports, and a thread that meets an id it does not know (a function pointer another
 * thread got from GetProcAddress) reads the entry here.
 *
 * Layout (32-bit words): [0] the next free id; [1] the next free unit of the name area; then two
 * words per id, written by the thread that took it (the second first, the first last):
 * table index + 1 and row (a builtin DLL's export), or -1 and the name's offset (a trap: its DLL
 * and function names, each as a length then UTF-16 units, in the name area).
 */
import type { DispatchRecord } from './threads.js';

const MAX_IDS = 32768;
const HEADER_WORDS = 2;
const NAME_UNITS = 65536;
const BYTES = 4 * (HEADER_WORDS + 2 * MAX_IDS) + 2 * NAME_UNITS;

export class DispatchLog {
  private readonly words: Int32Array;
  private readonly names: Uint16Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(BYTES)) {
    this.words = new Int32Array(buffer, 0, HEADER_WORDS + 2 * MAX_IDS);
    this.names = new Uint16Array(buffer, 4 * (HEADER_WORDS + 2 * MAX_IDS), NAME_UNITS);
  }

  /** Takes `count` consecutive ids for rows 0… of builtin table `table` (its index in
   *  BUILTIN_DLLS); returns the first. */
  appendBuiltin(table: number, count: number): number {
    const first = Atomics.add(this.words, 0, count);
    for (let i = 0; i < count && first + i < MAX_IDS; i++) this.publish(first + i, table + 1, i);
    return first;
  }

  /** Takes one id for a named trap (`dll!fn`); returns it. */
  appendTrap(dll: string, fn: string): number {
    const id = Atomics.add(this.words, 0, 1);
    const units = 2 + dll.length + fn.length;
    const at = Atomics.add(this.words, 1, units);
    if (id >= MAX_IDS || at + units > NAME_UNITS) return id;
    const n = this.names;
    n[at] = dll.length;
    for (let k = 0; k < dll.length; k++) n[at + 1 + k] = dll.charCodeAt(k);
    n[at + 1 + dll.length] = fn.length;
    for (let k = 0; k < fn.length; k++) n[at + 2 + dll.length + k] = fn.charCodeAt(k);
    this.publish(id, -1, at);
    return id;
  }

  /** The entry of `id` as some thread wrote it; undefined when no thread did (or the log was
   *  full when it was taken). */
  record(id: number): DispatchRecord | undefined {
    if (!(id >= 0 && id < MAX_IDS)) return undefined;
    const w = HEADER_WORDS + 2 * id;
    const kind = Atomics.load(this.words, w);
    if (kind === 0) return undefined;
    const value = this.words[w + 1]!;
    if (kind > 0) return [kind - 1, value];
    const n = this.names;
    const dllLength = n[value]!;
    const fnAt = value + 1 + dllLength;
    return [String.fromCharCode(...n.subarray(value + 1, fnAt)), String.fromCharCode(...n.subarray(fnAt + 1, fnAt + 1 + n[fnAt]!))];
  }

  private publish(id: number, kind: number, value: number): void {
    const w = HEADER_WORDS + 2 * id;
    this.words[w + 1] = value;
    Atomics.store(this.words, w, kind);
  }
}
