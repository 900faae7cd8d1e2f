/**
 * The registry of one process (a process-level kernel object): HKEY_LOCAL_MACHINE and the
 * user's hive (HKEY_USERS\<sid> = HKEY_CURRENT_USER), each kept in a text file in the prefix
 * (regfile.ts), with HKEY_CLASSES_ROOT as Windows' merged view of HKCU\Software\Classes over
 * HKLM\Software\Classes. Every operation returns a Win32 error code, as the Reg* functions
 * do. Key handles live in the process handle table.
 *
 * Persistence. Nothing is read until the first Reg* call. A missing file is created from the
 * seed (so random seeded data, such as MachineGuid, stays the same from run to run). A file
 * that does not parse is reported, renamed with a .corrupt suffix and replaced by the seed.
 * Changes are journaled and written (temporary file + rename, so a reader never sees half a
 * file) when a key is closed, on RegFlushKey and at exit: the file is current whenever the
 * program is done with a key, while a program that sets many values under one key pays for
 * one write, and writes at close are spaced at least WRITE_SPACING_MS apart. When another process rewrote the file meanwhile, its version is read again and
 * this process's journal replayed on it, so concurrent writers of different values do not
 * undo each other (the read and the write are one step under registry.lock, an
 * open-file-description lock in the prefix); opening a key from a predefined root picks up
 * such changes too. Each thread's realm has its own Registry: with threads, every change is
 * written at once and every call takes in the others' first (kernel/regpaths.ts finds a key
 * handle's key again in another thread).
 */
import { failed, O, type HostFs } from '../host/fs.js';
import { HandleType, type HandleTable } from './handles.js';
import { lockRegistry, parseHive, RegFileError, serializeHive } from './regfile.js';
import { adopt, replay, type JournalOp } from './regjournal.js';
import { addVolatileMachineKeys, seedMachine, seedUser, type SeedInfo } from './regseed.js';
import { findPath, foldName, RegKey, type RegValue } from './regtree.js';
import { keyPathOf, layersAt, type KeyPath, type RegistryKeyPaths } from './regpaths.js';
import { ERROR_ACCESS_DENIED, ERROR_BAD_PATHNAME, ERROR_FILE_NOT_FOUND, ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER, ERROR_SUCCESS } from './win32error.js';

export const ERROR_MORE_DATA = 234;
export const ERROR_NO_MORE_ITEMS = 259;
export const ERROR_KEY_DELETED = 1018;
export const ERROR_CHILD_MUST_BE_VOLATILE = 1021;

/** The least time between two writes at RegCloseKey: a program that opens, sets and closes
 *  keys in a loop writes the file about 20 times a second, not once per key (a write is a
 *  whole-file rewrite and a rename, ~0.5 ms on ext4). */
const WRITE_SPACING_MS = 50;

export const HKEY_CLASSES_ROOT = 0x80000000;
export const HKEY_CURRENT_USER = 0x80000001;
export const HKEY_LOCAL_MACHINE = 0x80000002;
export const HKEY_USERS = 0x80000003;
export const HKEY_CURRENT_CONFIG = 0x80000005;

export const KEY_QUERY_VALUE = 0x1;
export const KEY_SET_VALUE = 0x2;
export const KEY_ENUMERATE_SUB_KEYS = 0x8;
export const KEY_READ = 0x20019;
export const KEY_WRITE = 0x20006;
export const KEY_ALL_ACCESS = 0xf003f;
const DELETE = 0x10000;

/** A key as a handle sees it: one key, or (HKEY_CLASSES_ROOT) the user's and the machine's
 *  key of the same path, either of which may be missing. */
export class KeyView {
  constructor(
    /** [key], or [user key, machine key] for the merged classes view. */
    readonly layers: readonly (RegKey | undefined)[],
    readonly merged: boolean,
    readonly access: number,
    /** HKEY_LOCAL_MACHINE and the other predefined keys (never deleted). */
    readonly predefined = false,
  ) {}

  /** The layers that exist and are not deleted. */
  live(): RegKey[] {
    const only = this.layers.length === 1 ? this.layers[0] : undefined;
    if (only) return only.deleted ? [] : [only];
    return this.layers.filter((k): k is RegKey => k !== undefined && !k.deleted);
  }

  /** The first live layer: where values are written. */
  first(): RegKey | undefined {
    for (const k of this.layers) if (k && !k.deleted) return k;
    return undefined;
  }
}

export interface KeyInfo {
  subkeys: number;
  maxSubkeyLen: number;
  values: number;
  maxValueNameLen: number;
  maxValueLen: number;
  lastWrite: bigint;
}

interface Hive {
  readonly file: string;
  readonly title: string;
  root: RegKey;
  /** inode, size and mtime of the file as last read or written. */
  stamp: string | undefined;
  /** Changes not yet written. */
  journal: JournalOp[];
  /** The last write failed (reported once). */
  failed?: boolean;
}

export interface RegistryOptions {
  readonly fs: HostFs;
  readonly handles: HandleTable;
  /** The prefix directory, where system.reg and user.reg live. */
  readonly dir: string;
  readonly userSid: string;
  /** Facts for the seed, asked for only when the registry is first loaded. */
  readonly seedInfo: () => SeedInfo;
  /** Reports a problem on the `reg` channel (err level). */
  readonly report: (func: string, text: string) => void;
  /** Makes temporary file names unique to this process and thread (each thread's realm keeps
   *  its own copy of the hives and writes them itself). */
  readonly tag: string;
  /** Whether the process has other threads: then each change is written at once (no spacing),
   *  so that another thread opening a key sees it. */
  readonly threaded?: () => boolean;
  /** What each key handle names, shared with the process's other threads (their realms have
   *  their own copies of the hives: a handle is found again there by its path). */
  readonly paths?: RegistryKeyPaths;
  /** Current time as a FILETIME. */
  readonly now: () => bigint;
  /** A monotonic clock in milliseconds (spacing the writes). */
  readonly clockMs: () => number;
}

/** Generic and MAXIMUM_ALLOWED rights → KEY_* rights. */
export function keyAccess(sam: number): number {
  let a = sam & 0x00ffffff & ~0x300; // not the WOW64 view bits
  if (sam & 0x80000000) a |= KEY_READ;
  if (sam & 0x40000000) a |= KEY_WRITE;
  if (sam & 0x20000000) a |= KEY_READ;
  if (sam & 0x10000000 || sam & 0x02000000) a |= KEY_ALL_ACCESS;
  return a >>> 0;
}

/** A relative key path → names. A leading backslash is ERROR_BAD_PATHNAME; empty names (a
 *  doubled or trailing backslash) are skipped. */
export function splitKeyPath(path: string): string[] | number {
  if (path.startsWith('\\')) return ERROR_BAD_PATHNAME;
  const names = path.split('\\').filter((n) => n !== '');
  if (names.some((n) => n.length > 255)) return ERROR_INVALID_PARAMETER;
  return names;
}

export class Registry {
  private loaded = false;
  private lastWriteMs = -Infinity;
  private machine!: Hive;
  private user!: Hive;
  private users!: RegKey;
  /** Key handles' views in this thread, with the handle's value when the view was made (a
   *  handle closed in another thread and allocated again has another value). */
  private readonly views = new Map<number, { value: number; view: KeyView }>();
  private nextId = 1;

  constructor(private readonly o: RegistryOptions) {}

  // ---- handles -------------------------------------------------------------------------------

  /** The view behind a predefined HKEY or a key handle, or ERROR_INVALID_HANDLE. */
  resolve(hkey: bigint): KeyView | number {
    if (hkey >= 0x80000000n) {
      // Predefined keys are (HKEY)(LONG)0x8000000N: sign-extended on x64; only the low 32
      // bits count (Windows ignores the high ones).
      const low = Number(hkey & 0xffffffffn);
      return low >= 0x80000000 ? (this.predefined(low) ?? ERROR_INVALID_HANDLE) : ERROR_INVALID_HANDLE;
    }
    const low = Number(hkey);
    const h = this.o.handles.lookup(low);
    if (!h || h.type !== HandleType.RegistryKey) return ERROR_INVALID_HANDLE;
    // Another thread may have changed the hives (merged in place: views stay valid).
    if (this.o.threaded?.()) this.refresh();
    const known = this.views.get(low);
    return known && known.value === h.value ? known.view : this.adopt(low, h.value);
  }

  /** A key handle another thread opened: its key found again in this thread's hives by its
   *  root and path (ERROR_KEY_DELETED when it is gone from them). */
  private adopt(handle: number, value: number): KeyView | number {
    const key = this.o.paths?.find(handle);
    if (!key) return ERROR_INVALID_HANDLE;
    const from = this.predefined(key.root);
    if (!from) return ERROR_INVALID_HANDLE;
    const cur = layersAt(from.layers, key.path);
    if (!cur.some((k) => k !== undefined)) return ERROR_KEY_DELETED;
    const view = new KeyView(cur, from.merged, key.access);
    this.views.set(handle, { value, view });
    return view;
  }

  /** The root and path a view names, for the other threads (regpaths.ts). */
  private pathOf(view: KeyView): KeyPath | undefined {
    const classes = view.layers[0] ? findPath(this.user.root, ['Software', 'Classes']) : findPath(this.machine.root, ['SOFTWARE', 'Classes']);
    return keyPathOf(view, { [HKEY_LOCAL_MACHINE]: this.machine.root, [HKEY_CURRENT_USER]: this.user.root, [HKEY_USERS]: this.users, [HKEY_CLASSES_ROOT]: classes });
  }

  private predefined(h: number): KeyView | undefined {
    if (this.loaded) {
      this.refresh();
      this.flushSoon();
    } else this.load();
    switch (h) {
      case HKEY_LOCAL_MACHINE:
        return new KeyView([this.machine.root], false, KEY_ALL_ACCESS, true);
      case HKEY_CURRENT_USER:
        return new KeyView([this.user.root], false, KEY_ALL_ACCESS, true);
      case HKEY_USERS:
        return new KeyView([this.users], false, KEY_ALL_ACCESS, true);
      case HKEY_CLASSES_ROOT:
        return new KeyView([findPath(this.user.root, ['Software', 'Classes']), findPath(this.machine.root, ['SOFTWARE', 'Classes'])], true, KEY_ALL_ACCESS, true);
      case HKEY_CURRENT_CONFIG:
        return new KeyView([findPath(this.machine.root, ['SYSTEM', 'CurrentControlSet', 'Control', 'Hardware Profiles', 'Current'])], false, KEY_ALL_ACCESS, true);
      default:
        return undefined;
    }
  }

  /** HKEY_USERS holds the loaded user hives only: no values, no new keys. */
  private fixed(k: RegKey): boolean {
    return k === this.users;
  }

  /** The keys under HKEY_LOCAL_MACHINE and HKEY_USERS are hives and cannot be deleted. */
  private isHive(k: RegKey): boolean {
    return !k.parent || k.parent === this.machine.root || k.parent === this.users;
  }

  /** True for a predefined HKEY value. */
  static isPredefined(hkey: bigint): boolean {
    return hkey >= 0x80000000n && Number(hkey & 0xffffffffn) >= 0x80000000;
  }

  private allocate(view: KeyView): number | undefined {
    // Values unique in the process (the other threads' registries number their handles too).
    const value = this.o.paths?.nextValue() ?? this.nextId++;
    const h = this.o.handles.allocate(HandleType.RegistryKey, value, { access: view.access });
    if (h === 0) return undefined;
    this.views.set(h, { value, view });
    const key = this.o.paths && this.pathOf(view);
    if (key) this.o.paths!.record(h, key);
    return h;
  }

  /** Closes a key handle (also through CloseHandle); writes pending changes. */
  close(handle: number): number {
    const h = this.o.handles.lookup(handle);
    if (!h || h.type !== HandleType.RegistryKey) return ERROR_INVALID_HANDLE;
    this.o.handles.close(handle);
    this.views.delete(handle);
    this.o.paths?.forget(handle);
    this.flushSoon();
    return ERROR_SUCCESS;
  }

  /** Writes pending changes unless the last write was less than WRITE_SPACING_MS ago; then
   *  they wait for the next close, the next Reg* call on a predefined key, RegFlushKey or exit. */
  private flushSoon(): void {
    if (this.loaded && (this.o.clockMs() - this.lastWriteMs >= WRITE_SPACING_MS || this.o.threaded?.())) this.flush(false);
  }

  // ---- opening and creating -----------------------------------------------------------------

  /**
   * Opens (or with `create`, creates) `names` below `from` and returns a new handle. With
   * create, missing keys on the way are made; `created` tells whether the last one was new.
   */
  open(from: KeyView, names: readonly string[], sam: number, create?: { volatile: boolean }): { error: number } | { handle: number; created: boolean } {
    if (from.live().length === 0) return { error: ERROR_KEY_DELETED };
    let cur: (RegKey | undefined)[] = [...from.layers].map((k) => (k?.deleted ? undefined : k));
    let created = false;
    for (const name of names) {
      const next: (RegKey | undefined)[] = cur.map((k) => k?.child(name));
      if (!next.some((k) => k !== undefined)) {
        if (!create) return { error: ERROR_FILE_NOT_FOUND };
        // New keys under HKEY_CLASSES_ROOT go to HKLM\Software\Classes when the parent is
        // there (Microsoft: "Merged View of HKEY_CLASSES_ROOT"), else to the user's.
        const at = from.merged && cur[1] ? 1 : cur.findIndex((k) => k !== undefined);
        const parent = cur[at]!;
        // Windows ignores the parent handle's access rights here (KEY_CREATE_SUB_KEY included).
        if (parent.volatile && !create.volatile) return { error: ERROR_CHILD_MUST_BE_VOLATILE };
        if (this.fixed(parent)) return { error: ERROR_ACCESS_DENIED };
        const k = parent.addChild(name, create.volatile, this.o.now());
        next[at] = k;
        this.journal(k, { op: 'key', path: [] });
        created = true;
      } else created = false;
      cur = next;
    }
    const h = this.allocate(new KeyView(cur, from.merged, keyAccess(sam)));
    if (h === undefined) return { error: 1450 }; // ERROR_NO_SYSTEM_RESOURCES
    return { handle: h, created };
  }

  // ---- values ---------------------------------------------------------------------------------

  queryValue(v: KeyView, name: string): RegValue | number {
    if ((v.access & KEY_QUERY_VALUE) === 0) return ERROR_ACCESS_DENIED;
    const live = v.live();
    if (live.length === 0) return ERROR_KEY_DELETED;
    for (const k of live) {
      const val = k.value(name);
      if (val) return val;
    }
    return ERROR_FILE_NOT_FOUND;
  }

  setValue(v: KeyView, value: RegValue): number {
    if ((v.access & KEY_SET_VALUE) === 0) return ERROR_ACCESS_DENIED;
    const k = v.first();
    if (!k) return ERROR_KEY_DELETED;
    if (this.fixed(k)) return ERROR_ACCESS_DENIED;
    const copy = { name: value.name, type: value.type, data: value.data.slice() };
    k.setValue(copy, this.o.now());
    this.journal(k, { op: 'set', path: [], value: copy });
    return ERROR_SUCCESS;
  }

  deleteValue(v: KeyView, name: string): number {
    if ((v.access & KEY_SET_VALUE) === 0) return ERROR_ACCESS_DENIED;
    const live = v.live();
    if (live.length === 0) return ERROR_KEY_DELETED;
    let found = false;
    for (const k of live) {
      if (k.deleteValue(name, this.o.now())) {
        found = true;
        this.journal(k, { op: 'unset', path: [], name });
      }
    }
    return found ? ERROR_SUCCESS : ERROR_FILE_NOT_FOUND;
  }

  /** The index-th value (merged views: the user's values, then the machine's not shadowed). */
  enumValue(v: KeyView, index: number): RegValue | number {
    if ((v.access & KEY_QUERY_VALUE) === 0) return ERROR_ACCESS_DENIED;
    const all = this.allValues(v);
    if (typeof all === 'number') return all;
    return all[index] ?? ERROR_NO_MORE_ITEMS;
  }

  private allValues(v: KeyView): RegValue[] | number {
    const live = v.live();
    if (live.length === 0) return ERROR_KEY_DELETED;
    if (live.length === 1) return [...live[0]!.values.values()];
    const seen = new Map<string, RegValue>();
    for (const k of live) for (const [f, val] of k.values) if (!seen.has(f)) seen.set(f, val);
    return [...seen.values()];
  }

  // ---- subkeys --------------------------------------------------------------------------------

  private allSubkeys(v: KeyView): RegKey[] | number {
    const live = v.live();
    if (live.length === 0) return ERROR_KEY_DELETED;
    if (live.length === 1) return live[0]!.sorted();
    const seen = new Map<string, RegKey>();
    for (const k of live) for (const c of k.sorted()) if (!seen.has(foldName(c.name))) seen.set(foldName(c.name), c);
    return [...seen.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);
  }

  enumKey(v: KeyView, index: number): RegKey | number {
    if ((v.access & KEY_ENUMERATE_SUB_KEYS) === 0) return ERROR_ACCESS_DENIED;
    const all = this.allSubkeys(v);
    if (typeof all === 'number') return all;
    return all[index] ?? ERROR_NO_MORE_ITEMS;
  }

  info(v: KeyView): KeyInfo | number {
    if ((v.access & KEY_QUERY_VALUE) === 0) return ERROR_ACCESS_DENIED;
    const keys = this.allSubkeys(v);
    const values = this.allValues(v);
    if (typeof keys === 'number' || typeof values === 'number') return ERROR_KEY_DELETED;
    const live = v.live();
    return {
      subkeys: keys.length,
      maxSubkeyLen: Math.max(0, ...keys.map((k) => k.name.length)),
      values: values.length,
      maxValueNameLen: Math.max(0, ...values.map((x) => x.name.length)),
      maxValueLen: Math.max(0, ...values.map((x) => x.data.length)),
      lastWrite: live.reduce((t, k) => (k.lastWrite > t ? k.lastWrite : t), 0n),
    };
  }

  /** Deletes the key `names` below `v` (v itself when empty), which must have no subkeys. */
  deleteKey(v: KeyView, names: readonly string[]): number {
    if (names.length === 0 && (v.predefined || (v.access & DELETE) === 0)) return v.live().length === 0 ? ERROR_KEY_DELETED : ERROR_ACCESS_DENIED;
    const target = this.walk(v, names);
    if (typeof target === 'number') return target;
    for (const k of target) {
      if (k.subkeys.size > 0 || this.isHive(k)) return ERROR_ACCESS_DENIED;
    }
    for (const k of target) this.remove(k);
    return ERROR_SUCCESS;
  }

  /** RegDeleteTree: with names, the key and everything below it; without, everything below
   *  `v` and its values, keeping `v`. */
  deleteTree(v: KeyView, names: readonly string[] | undefined): number {
    if (names === undefined) {
      const live = v.live();
      if (live.length === 0) return ERROR_KEY_DELETED;
      if ((v.access & KEY_SET_VALUE) === 0) return ERROR_ACCESS_DENIED;
      for (const k of live) {
        if (this.fixed(k) || k === this.machine.root) return ERROR_ACCESS_DENIED;
        for (const c of [...k.subkeys.values()]) this.remove(c);
        for (const val of [...k.values.values()]) {
          k.deleteValue(val.name, this.o.now());
          this.journal(k, { op: 'unset', path: [], name: val.name });
        }
      }
      return ERROR_SUCCESS;
    }
    const target = this.walk(v, names);
    if (typeof target === 'number') return target;
    for (const k of target) if (this.isHive(k)) return ERROR_ACCESS_DENIED;
    for (const k of target) this.remove(k);
    return ERROR_SUCCESS;
  }

  private walk(v: KeyView, names: readonly string[]): RegKey[] | number {
    let cur: (RegKey | undefined)[] = v.layers.map((k) => (k?.deleted ? undefined : k));
    if (cur.every((k) => k === undefined)) return ERROR_KEY_DELETED;
    for (const n of names) cur = cur.map((k) => k?.child(n));
    const found = cur.filter((k): k is RegKey => k !== undefined);
    return found.length === 0 ? ERROR_FILE_NOT_FOUND : found;
  }

  private remove(k: RegKey): void {
    this.journal(k, { op: 'delete', path: [] });
    k.parent!.removeChild(k, this.o.now());
  }

  // ---- persistence ----------------------------------------------------------------------------

  private load(): void {
    if (this.loaded) return;
    this.loaded = true;
    const now = this.o.now();
    let info: SeedInfo | undefined;
    const seed = (): SeedInfo => (info ??= this.o.seedInfo());
    this.machine = this.loadHive(`${this.o.dir}/system.reg`, 'HKEY_LOCAL_MACHINE', () => seedMachine(seed(), now));
    this.user = this.loadHive(`${this.o.dir}/user.reg`, `HKEY_USERS\\${this.o.userSid} (HKEY_CURRENT_USER)`, () => seedUser(seed(), now));
    addVolatileMachineKeys(this.machine.root, seed(), now);
    this.users = new RegKey('', undefined, true, now);
    this.users.addChild('.DEFAULT', true, now);
    this.users.subkeys.set(foldName(this.o.userSid), this.user.root);
    this.users.changed(now);
    this.user.root.name = this.o.userSid;
  }

  private stampOf(file: string): string | undefined {
    const st = this.o.fs.stat(file);
    return failed(st) ? undefined : `${st.ino}:${st.size}:${st.mtimeNs}`;
  }

  /** The parsed file, undefined when it does not exist, or the problem that stops it parsing. */
  private read(file: string): RegKey | undefined | { problem: string } {
    const bytes = this.o.fs.readFile(file);
    if (failed(bytes)) return bytes.errno === 'ENOENT' || bytes.errno === 'ENOTDIR' ? undefined : { problem: `cannot be read (${bytes.errno})` };
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return { problem: 'is not UTF-8 text' };
    }
    try {
      return parseHive(text, this.o.now());
    } catch (e) {
      if (e instanceof RegFileError) return { problem: e.message };
      throw e;
    }
  }

  /** Renames a file that does not parse to FILE.corrupt (or FILE.N.corrupt) and says so. */
  private setAside(file: string, problem: string): void {
    let to = `${file}.corrupt`;
    for (let n = 2; !failed(this.o.fs.lstat(to)); n++) to = `${file}.${n}.corrupt`;
    const r = this.o.fs.rename(file, to);
    const kept = failed(r) ? `could not be renamed (${r.errno}); it is left as it is` : `it is kept as ${to}`;
    this.o.report('load', `${file} ${problem}; ${kept}, and the registry starts from the defaults`);
  }

  private loadHive(file: string, title: string, seed: () => RegKey): Hive {
    const stamp = this.stampOf(file);
    const r = this.read(file);
    const hive: Hive = { file, title, root: undefined as unknown as RegKey, stamp, journal: [] };
    if (r instanceof RegKey) {
      hive.root = r;
      return hive;
    }
    if (r !== undefined) this.setAside(file, r.problem);
    hive.root = seed();
    this.write(hive, false);
    return hive;
  }

  private hiveOf(k: RegKey): Hive | undefined {
    let r = k;
    while (r.parent) r = r.parent;
    return r === this.machine.root ? this.machine : r === this.user.root ? this.user : undefined;
  }

  private journal(k: RegKey, op: JournalOp): void {
    if (k.volatile) return;
    const hive = this.hiveOf(k);
    if (!hive) return;
    const last = hive.journal[hive.journal.length - 1];
    // A program setting the same value over and over journals it once.
    if (op.op === 'set' && last?.op === 'set' && last.key === k && foldName(last.value.name) === foldName(op.value.name)) {
      last.value = op.value;
      return;
    }
    hive.journal.push({ ...op, path: k.path(), key: k } as JournalOp);
    // With threads, each change goes to the file at once: the other threads' hives take it
    // from there (refresh) at their next Reg* call.
    if (this.o.threaded?.()) this.flush(false);
  }

  /** Takes in changes another process wrote to the files since this one last read them. */
  refresh(): void {
    if (!this.loaded) return;
    for (const h of [this.machine, this.user]) this.takeDiskVersion(h);
  }

  private takeDiskVersion(h: Hive): void {
    const stamp = this.stampOf(h.file);
    if (stamp === undefined || stamp === h.stamp) return;
    const r = this.read(h.file);
    if (!(r instanceof RegKey)) {
      if (r !== undefined) this.setAside(h.file, r.problem);
      h.stamp = undefined;
      if (h.journal.length === 0) h.journal.push({ op: 'key', path: [] }); // rewrite it
      return;
    }
    h.stamp = stamp;
    const now = this.o.now();
    for (const op of h.journal) replay(r, op, now);
    adopt(h.root, r, now);
  }

  /** Writes every hive with pending changes. `sync` also forces the data to disk (RegFlushKey). */
  flush(sync: boolean): void {
    if (!this.loaded || (this.machine.journal.length === 0 && this.user.journal.length === 0)) return;
    // Reading the other writers' version and writing ours is one step for every process and
    // thread: two writers that read the same version would lose one's changes.
    const unlock = lockRegistry(this.o.fs, this.o.dir);
    try {
      for (const h of [this.machine, this.user]) {
        if (h.journal.length === 0) continue;
        this.takeDiskVersion(h);
        this.write(h, sync);
      }
    } finally {
      unlock();
    }
  }

  private write(h: Hive, sync: boolean): void {
    const fs = this.o.fs;
    const bytes = new TextEncoder().encode(serializeHive(h.root, h.title));
    const tmp = `${h.file}.tmp-${this.o.tag}`;
    if (failed(fs.stat(this.o.dir))) fs.mkdirp(this.o.dir);
    const fd = fs.open(tmp, O.O_WRONLY | O.O_CREAT | O.O_TRUNC, 0o644);
    let problem: string | undefined;
    if (failed(fd)) problem = fd.errno;
    else {
      const w = fs.write(fd, bytes);
      const s = sync && !failed(w) ? fs.fsync(fd) : undefined;
      fs.close(fd);
      const mv = failed(w) || (s && failed(s)) ? undefined : fs.rename(tmp, h.file);
      problem = failed(w) ? w.errno : s && failed(s) ? s.errno : mv && failed(mv) ? mv.errno : undefined;
      if (problem !== undefined) fs.unlink(tmp);
    }
    // Try again at the next write, but say so once.
    this.lastWriteMs = this.o.clockMs();
    if (problem !== undefined) {
      if (!h.failed) this.o.report('save', `cannot write ${h.file} (${problem}); registry changes are kept in memory only`);
      h.failed = true;
      return;
    }
    h.failed = false;
    h.stamp = this.stampOf(h.file);
    h.journal = [];
  }
}
