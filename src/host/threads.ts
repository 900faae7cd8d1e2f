/**
 * Host threads for guest threads (DESIGN.md §5): each further guest thread runs on a
 * `worker_threads` Worker that loads winrun itself (the CLI bundle, or the ESM build under
 * tests) and calls its `threadMain`. Nothing here waits on the creator's event loop: the
 * creator is usually blocked inside a guest call, so a Worker reports only through shared
 * memory, and writes its errors to fd 2 itself.
 *
 * The pool (WorkerPool): a Worker whose guest thread ended does not exit; it waits, idle, for
 * the next thread, and CreateThread hands the boot data of a new thread to an idle Worker
 * through a mailbox in shared memory (v8.serialize) instead of loading winrun in a new one
 * (~40–60 ms). One spare Worker is kept starting or idle once a process has created a thread,
 * so a burst of CreateThread calls finds one warm; WINRUN_THREAD_POOL=N starts N spares when
 * the first thread is created. A Worker never exits before the process (exit_group ends them
 * all), which also keeps alive the Workers it created itself: Node ends a Worker's children
 * with it.
 */
import { writeSync } from 'node:fs';
import type * as V8 from 'node:v8';
import { availableParallelism } from 'node:os';
import type * as WorkerThreads from 'node:worker_threads';
import { builtin } from './builtins.js';
import { EARLY_WINDOW } from '../native/guestmemory.js';

/** Node modules a process that starts no thread does not load (host/builtins.ts). */
const v8 = (): typeof V8 => builtin<typeof V8>('node:v8');
const workerThreads = (): typeof WorkerThreads => builtin<typeof WorkerThreads>('node:worker_threads');

const SLOTS = 256;
const CORES = availableParallelism();
/** Words: mailbox lock, length of the thread part in the mailbox, spares starting, Workers
 *  started, length of the process part (after the thread part; -1: not sent, the Worker holds
 *  it), then a state per slot, then per slot the hash (2 words) of the process part's key the
 *  Worker holds (0, 0: none). */
const LOCK = 0;
const LENGTH = 1;
const STARTING = 2;
const STARTED = 3;
const PROCESS_LENGTH = 4;
const STATE = 5;
const HELD = STATE + SLOTS;
const WORDS = HELD + 2 * SLOTS;
const MAILBOX_OFFSET = WORDS * 4;

/** Two 32-bit FNV-1a hashes of a key (different offsets): the Worker's held key as the creator
 *  sees it. The Worker checks the key itself before it relies on what it holds. */
function keyHash(key: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x811c9dc5) ^ (b >>> 15);
  }
  // 0, 0 means "none".
  return [a | 1, b];
}
const MAILBOX_SIZE = 8 << 20;

const enum Slot {
  /** No Worker, or one that is starting. */
  None = 0,
  Idle = 1,
  /** A creator chose it and is writing the mailbox. */
  Claimed = 2,
  /** The mailbox holds its boot data. */
  Booted = 3,
  Busy = 4,
  /** A spare Worker is loading winrun. */
  Starting = 5,
}

/** What a pooled Worker is started with: the pool, its slot, and maybe its first thread. */
export interface PoolWorkerData {
  readonly pool: SharedArrayBuffer;
  readonly slot: number;
  /** The process's SharedArrayBuffers, which every thread's boot data names (the mailbox
   *  carries the rest: v8.serialize cannot carry a SharedArrayBuffer). */
  readonly shared: Record<string, SharedArrayBuffer>;
  readonly boot?: Record<string, unknown>;
  /** A spare's data to prepare itself with while it waits (the process part of the boot data
   *  of the thread whose creation started it). */
  readonly prepare?: Record<string, unknown>;
}

type Boot = Record<string, unknown>;

/**
 * How a thread's boot data is split for the mailbox: the fields that are the same for every
 * thread while the process's modules do not change (named by `fields`, identified by `key`),
 * and the rest. The creator serializes the process part once per key; a Worker that has the
 * key's part already does not read it again.
 */
export interface ProcessPart {
  readonly key: string;
  readonly fields: readonly string[];
}

const KEY_FIELD = 'processKey';
const NOTHING = new Uint8Array(0);
function split(boot: Boot): { plain: Boot; shared: Record<string, SharedArrayBuffer> } {
  const plain: Boot = {};
  const shared: Record<string, SharedArrayBuffer> = {};
  for (const [k, v] of Object.entries(boot)) {
    if (v instanceof SharedArrayBuffer) shared[k] = v;
    else plain[k] = v;
  }
  return { plain, shared };
}

export class WorkerPool {
  private readonly words: Int32Array;
  /** The creator's serialized process part, by key. */
  private sent: { key: string; bytes: Uint8Array } | undefined;
  /** A Worker's deserialized process part, by key. */
  private received: { key: string; part: Boot } | undefined;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(MAILBOX_OFFSET + MAILBOX_SIZE)) {
    this.words = new Int32Array(buffer, 0, WORDS);
  }

  /** Gives `boot` to an idle Worker; false when none is idle or the data does not fit. */
  hand(boot: Boot, part: ProcessPart): boolean {
    const w = this.words;
    let slot = -1;
    for (let i = 0; i < SLOTS && slot < 0; i++) {
      if (Atomics.load(w, STATE + i) === Slot.Idle && Atomics.compareExchange(w, STATE + i, Slot.Idle, Slot.Claimed) === Slot.Idle) slot = i;
    }
    if (slot < 0) return false;
    const plain = split(boot).plain;
    const threadPart: Boot = { [KEY_FIELD]: part.key };
    const processPart: Boot = {};
    for (const [k, v] of Object.entries(plain)) {
      if (part.fields.includes(k)) processPart[k] = v;
      else threadPart[k] = v;
    }
    // A Worker that holds this process part already (it ran a thread of it, or prepared
    // itself with it) is not sent it again.
    const [h1, h2] = keyHash(part.key);
    const held = Atomics.load(w, HELD + 2 * slot) === h1 && Atomics.load(w, HELD + 2 * slot + 1) === h2;
    if (!held && this.sent?.key !== part.key) this.sent = { key: part.key, bytes: v8().serialize(processPart) };
    const bytes = v8().serialize(threadPart);
    const processBytes = held ? NOTHING : this.sent!.bytes;
    if (bytes.length + processBytes.length > MAILBOX_SIZE) {
      Atomics.store(w, STATE + slot, Slot.Idle);
      return false;
    }
    // The lock is released by the Worker once it has read the mailbox.
    while (Atomics.compareExchange(w, LOCK, 0, 1) !== 0) Atomics.wait(w, LOCK, 1, 5);
    new Uint8Array(this.buffer, MAILBOX_OFFSET, bytes.length).set(bytes);
    new Uint8Array(this.buffer, MAILBOX_OFFSET + bytes.length, processBytes.length).set(processBytes);
    Atomics.store(w, PROCESS_LENGTH, held ? -1 : processBytes.length);
    Atomics.store(w, LENGTH, bytes.length);
    Atomics.store(w, STATE + slot, Slot.Booted);
    Atomics.notify(w, STATE + slot);
    return true;
  }

  /** Whether the process has started a Worker (a thread) at all. */
  everStarted(): boolean {
    return Atomics.load(this.words, STARTED) > 0;
  }

  /** Whether a Worker is idle or starting as a spare. */
  private spareReady(): boolean {
    if (Atomics.load(this.words, STARTING) > 0) return true;
    for (let i = 0; i < SLOTS; i++) if (Atomics.load(this.words, STATE + i) === Slot.Idle) return true;
    return false;
  }

  /**
   * Whether to start a spare now: not while the pool's threads are as many as the cores. A
   * Worker loading winrun takes a core for ~40 ms; with every core running a guest thread that
   * time would be taken from them (a CPU-bound program on two threads lost 10–20 % of its
   * speed-up to it), and a thread created then could not run at once anyway.
   */
  private spareWanted(): boolean {
    if (this.spareReady()) return false;
    let busy = 0;
    for (let i = 0; i < SLOTS; i++) {
      const s = Atomics.load(this.words, STATE + i);
      if (s === Slot.Busy || s === Slot.Booted || s === Slot.Claimed) busy++;
    }
    return busy < CORES;
  }

  /** Starts a Worker for `boot` (a thread no idle Worker took); then keeps a spare coming
   *  (`prepare`: what the spare prepares itself with). */
  start(boot: Boot, prepare: Boot): void {
    const first = Atomics.load(this.words, STARTED) === 0;
    const { shared } = split(boot);
    if (!this.spawn(shared, boot)) startWorker({ pool: this.buffer, slot: -1, shared, boot });
    const extra = first ? Math.max(1, Number(process.env.WINRUN_THREAD_POOL ?? 1) | 0) - 1 : 0;
    if (this.spareWanted()) this.startSpare(shared, prepare);
    for (let i = 0; i < extra; i++) this.startSpare(shared, prepare);
  }

  /** Keeps the spare coming after an idle Worker took a thread. */
  replenish(boot: Boot, prepare: Boot): void {
    if (this.spareWanted()) this.startSpare(split(boot).shared, prepare);
  }

  private startSpare(shared: Record<string, SharedArrayBuffer>, prepare: Boot): void {
    Atomics.add(this.words, STARTING, 1);
    if (!this.spawn(shared, undefined, prepare)) Atomics.sub(this.words, STARTING, 1);
  }

  private spawn(shared: Record<string, SharedArrayBuffer>, boot: Boot | undefined, prepare?: Boot): boolean {
    const w = this.words;
    for (let i = 0; i < SLOTS; i++) {
      // A slot with no Worker becomes Busy (with a thread) or stays None until the spare is up.
      if (Atomics.load(w, STATE + i) !== Slot.None) continue;
      if (Atomics.compareExchange(w, STATE + i, Slot.None, boot === undefined ? Slot.Starting : Slot.Busy) !== Slot.None) continue;
      Atomics.add(w, STARTED, 1);
      startWorker({ pool: this.buffer, slot: i, shared, ...(boot && { boot }), ...(prepare && { prepare: split(prepare).plain }) });
      return true;
    }
    return false;
  }

  /** Records that this Worker (slot `slot`) holds the process part of `key`. */
  private hold(slot: number, key: string, part: Boot): void {
    this.received = { key, part };
    if (slot < 0) return;
    const [h1, h2] = keyHash(key);
    Atomics.store(this.words, HELD + 2 * slot, h1);
    Atomics.store(this.words, HELD + 2 * slot + 1, h2);
  }

  /**
   * In a pooled Worker: runs its first thread if it has one, then serves the threads handed to
   * it, one at a time, for the life of the process. A Worker without a slot (the pool was full)
   * runs its one thread and ends.
   */
  serve(data: PoolWorkerData, run: (boot: Boot) => void): void {
    const w = this.words;
    const slot = data.slot;
    let spare = data.boot === undefined;
    // What this Worker holds of the process: its first thread's boot data (a superset of the
    // process part: a later thread's own fields replace the rest), or what it prepared with.
    const first = data.boot ?? data.prepare;
    if (first && typeof first[KEY_FIELD] === 'string') this.hold(slot, first[KEY_FIELD], first);
    if (data.boot) run(data.boot);
    if (slot < 0) return;
    for (;;) {
      Atomics.store(w, STATE + slot, Slot.Idle);
      if (spare) Atomics.sub(w, STARTING, 1);
      spare = false;
      for (let s = Atomics.load(w, STATE + slot); s !== Slot.Booted; s = Atomics.load(w, STATE + slot)) Atomics.wait(w, STATE + slot, s);
      const length = Atomics.load(w, LENGTH);
      const threadPart = v8().deserialize(new Uint8Array(this.buffer, MAILBOX_OFFSET, length).slice()) as Boot;
      const key = threadPart[KEY_FIELD] as string;
      const processLength = Atomics.load(w, PROCESS_LENGTH);
      if (processLength >= 0 && this.received?.key !== key) {
        const part = v8().deserialize(new Uint8Array(this.buffer, MAILBOX_OFFSET + length, processLength).slice()) as Boot;
        this.hold(slot, key, part);
      }
      Atomics.store(w, STATE + slot, Slot.Busy);
      Atomics.store(w, LOCK, 0);
      Atomics.notify(w, LOCK);
      // Not sent: the creator saw this key's hash here; the key itself must match too (a
      // different key with the same two hashes would be an internal error, reported as one).
      if (this.received?.key !== key) throw new Error(`a thread's boot data came without its process part (key ${key})`);
      run({ ...this.received.part, ...threadPart, ...data.shared });
    }
  }
}

/** The file that defines `threadMain`: the CJS bundle when running from it, else the ESM
 *  build's cli.js next to this module. */
function entryScript(): { path: string; cjs: boolean } {
  // In the bundle (CommonJS), __filename is the bundle itself; under ESM it is undefined.
  if (typeof __filename === 'string' && __filename.endsWith('.cjs')) return { path: __filename, cjs: true };
  return { path: new URL('../cli.js', import.meta.url).href, cjs: false };
}

/** Starts a Worker that runs `threadMain()` with `data` as its workerData (structured clone;
 *  SharedArrayBuffers in it are shared, not copied). */
function startWorker(data: PoolWorkerData): void {
  const { path, cjs } = entryScript();
  const fail = `(e) => { require('node:fs').writeSync(2, 'winrun: thread start failed: ' + (e && e.stack || e) + '\\n'); }`;
  // The bundle loads the way bin/winrun loads it: with the V8 code cache written beside it
  // when its first line (the build id) matches, so that a Worker skips compiling winrun; and
  // after the early window's view, made while the heap is small (guestmemory.ts adoptWindows).
  const early = `new Map([[${EARLY_WINDOW.base}, createRequire(file)('koffi').view(${EARLY_WINDOW.base}, ${EARLY_WINDOW.size})]])`;
  const loadBundle = `const fs = require('node:fs'); const vm = require('node:vm'); const { createRequire } = require('node:module');
    const file = ${JSON.stringify(path)}; let windows; try { windows = ${early}; } catch {}
    const source = fs.readFileSync(file, 'utf8');
    const id = Buffer.from(source.slice(0, source.indexOf('\\n') + 1)); let cachedData;
    try { const c = fs.readFileSync(file + '.cache'); if (c.subarray(0, id.length).equals(id)) cachedData = c.subarray(id.length); } catch {}
    const script = new vm.Script('(function (exports, require, module, __filename, __dirname) {' + source + '\\n})', { filename: file, cachedData });
    const mod = { exports: {} }; script.runInThisContext()(mod.exports, createRequire(file), mod, file, require('node:path').dirname(file));
    mod.exports.threadMain(windows);`;
  const code = cjs
    ? `try { ${loadBundle} } catch (e) { (${fail})(e); }`
    : `import(${JSON.stringify(path)}).then((m) => m.threadMain(), ${fail});`;
  const w = new (workerThreads().Worker)(code, { eval: true, workerData: data, stdout: false, stderr: false });
  // The process ends with exit_group, never by waiting for its Workers.
  w.unref();
}

/** The boot data of this Worker, or undefined on the main thread. */
export function threadBootData(): unknown {
  const wt = workerThreads();
  return wt.isMainThread ? undefined : wt.workerData;
}

/** Writes a line to fd 2 directly (a Worker's process.stderr goes through its parent's loop). */
export function reportToStderr(text: string): void {
  writeSync(2, text.endsWith('\n') ? text : text + '\n');
}
