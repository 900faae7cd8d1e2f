/**
 * The keys behind registry key handles, shared by every thread of the process. Each thread's
 * realm keeps its own copy of the hives (kernel/registry.ts: they are kept in step through the
 * prefix's files), so a handle one thread opened is found again in another thread by what it
 * names: its predefined root, its path below that root and its access. A SharedArrayBuffer of
 * fixed records: the handle (0: free, -1: being written), the root, the access, the path's
 * length, then the path in UTF-16. A path longer than PATH_CHARS is not recorded (its handle
 * stays valid only in its own thread).
 */
import type { RegKey } from './regtree.js';

const RECORDS = 1024;
const PATH_CHARS = 512;
const HEADER_WORDS = 4;
const RECORD_BYTES = HEADER_WORDS * 4 + PATH_CHARS * 2;
const RECORD_WORDS = RECORD_BYTES / 4;
/** After the records: the counter of handle values. */
const COUNTER = RECORDS * RECORD_WORDS;

export interface KeyPath {
  /** The predefined HKEY the path starts from. */
  readonly root: number;
  readonly access: number;
  /** Subkey names from the root, joined with backslashes ('' for the root itself). */
  readonly path: string;
}

export class RegistryKeyPaths {
  private readonly words: Int32Array;
  private readonly chars: Uint16Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(RECORDS * RECORD_BYTES + 4)) {
    this.words = new Int32Array(buffer);
    this.chars = new Uint16Array(buffer);
  }

  /** A handle value no thread of the process has used (1, 2, …). */
  nextValue(): number {
    return Atomics.add(this.words, COUNTER, 1) + 1;
  }

  /** Records what `handle` names (nothing when the table is full or the path too long). */
  record(handle: number, key: KeyPath): void {
    if (key.path.length > PATH_CHARS) return;
    const w = this.words;
    for (let i = 0; i < RECORDS; i++) {
      const at = i * RECORD_WORDS;
      if (Atomics.load(w, at) !== 0 || Atomics.compareExchange(w, at, 0, -1) !== 0) continue;
      w[at + 1] = key.root | 0;
      w[at + 2] = key.access | 0;
      w[at + 3] = key.path.length;
      const c = (at + HEADER_WORDS) * 2;
      for (let j = 0; j < key.path.length; j++) this.chars[c + j] = key.path.charCodeAt(j);
      Atomics.store(w, at, handle);
      return;
    }
  }

  /** What `handle` names, or undefined when it was not recorded. */
  find(handle: number): KeyPath | undefined {
    const w = this.words;
    for (let i = 0; i < RECORDS; i++) {
      const at = i * RECORD_WORDS;
      if (Atomics.load(w, at) !== handle) continue;
      const c = (at + HEADER_WORDS) * 2;
      return { root: w[at + 1]! >>> 0, access: w[at + 2]! >>> 0, path: String.fromCharCode(...this.chars.subarray(c, c + w[at + 3]!)) };
    }
    return undefined;
  }

  /** Forgets `handle` (closed). */
  forget(handle: number): void {
    const w = this.words;
    for (let i = 0; i < RECORDS; i++) {
      const at = i * RECORD_WORDS;
      if (Atomics.load(w, at) === handle) Atomics.compareExchange(w, at, handle, 0);
    }
  }
}

/** A key handle's view as regpaths needs it (registry.ts KeyView). */
interface View {
  readonly layers: readonly (RegKey | undefined)[];
  readonly merged: boolean;
  readonly access: number;
}

/**
 * The root and path `view` names: below the first of `roots` (predefined HKEY → its key; for
 * the merged classes view, the classes key of the layer that exists) its key reaches.
 * Undefined for a volatile key (never written: the other threads' hives do not have it).
 */
export function keyPathOf(view: View, roots: Readonly<Record<number, RegKey | undefined>>): KeyPath | undefined {
  const names: string[] = [];
  const entries = Object.entries(roots).filter(([root]) => view.merged === (Number(root) === 0x80000000));
  let k = view.merged ? (view.layers[0] ?? view.layers[1]) : view.layers[0];
  for (; k; k = k.parent) {
    const hit = entries.find(([, r]) => r === k);
    if (hit) return { root: Number(hit[0]), access: view.access, path: names.join('\\') };
    if (k.volatile) return undefined;
    names.unshift(k.name);
  }
  return undefined;
}

/** The layers `path` (from keyPathOf) reaches below `layers` (undefined where it is missing). */
export function layersAt(layers: readonly (RegKey | undefined)[], path: string): (RegKey | undefined)[] {
  let cur = [...layers];
  for (const name of path === '' ? [] : path.split('\\')) cur = cur.map((k) => k?.child(name));
  return cur;
}
