/**
 * The registry's data model (winreg.h, winnt.h REG_*): keys with case-insensitive,
 * case-preserving names, and typed values kept as the raw bytes Windows stores (strings as
 * UTF-16LE with their NULs), so that whatever a program writes reads back byte for byte.
 */
export const REG_NONE = 0;
export const REG_SZ = 1;
export const REG_EXPAND_SZ = 2;
export const REG_BINARY = 3;
export const REG_DWORD = 4;
export const REG_DWORD_BIG_ENDIAN = 5;
export const REG_LINK = 6;
export const REG_MULTI_SZ = 7;
export const REG_QWORD = 11;

export interface RegValue {
  readonly name: string;
  readonly type: number;
  readonly data: Uint8Array;
}

/** Windows compares key and value names after upcasing each UTF-16 unit on its own
 *  (RtlUpcaseUnicodeChar): no length-changing mappings such as ß → SS. */
export function foldName(s: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(s)) return s.toUpperCase();
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    const u = c.toUpperCase();
    out += u.length === 1 ? u : c;
  }
  return out;
}

export class RegKey {
  readonly subkeys = new Map<string, RegKey>();
  /** By folded name, in creation order (RegEnumValue's order). */
  readonly values = new Map<string, RegValue>();
  deleted = false;
  /** Subkeys sorted the way RegEnumKeyEx returns them (cached until the next change). */
  private sortedCache: RegKey[] | undefined;

  constructor(
    public name: string,
    public parent: RegKey | undefined,
    /** REG_OPTION_VOLATILE: lives until the process ends and is never written to disk. */
    readonly volatile: boolean,
    /** FILETIME of the last change to the key's values or subkey list. */
    public lastWrite: bigint,
  ) {}

  child(name: string): RegKey | undefined {
    return this.subkeys.get(foldName(name));
  }

  /** Adds (or returns the existing) subkey. */
  addChild(name: string, volatile: boolean, now: bigint): RegKey {
    const f = foldName(name);
    const have = this.subkeys.get(f);
    if (have) return have;
    const k = new RegKey(name, this, volatile, now);
    this.subkeys.set(f, k);
    this.changed(now);
    return k;
  }

  /** Removes a subkey and marks it and everything below it deleted. */
  removeChild(child: RegKey, now: bigint): void {
    this.subkeys.delete(foldName(child.name));
    markDeleted(child);
    this.changed(now);
  }

  setValue(v: RegValue, now: bigint): void {
    const f = foldName(v.name);
    const old = this.values.get(f);
    // Replacing keeps the value's place and the name's original case, as Windows does.
    this.values.set(f, old ? { name: old.name, type: v.type, data: v.data } : v);
    this.lastWrite = now;
  }

  deleteValue(name: string, now: bigint): boolean {
    const ok = this.values.delete(foldName(name));
    if (ok) this.lastWrite = now;
    return ok;
  }

  value(name: string): RegValue | undefined {
    return this.values.get(foldName(name));
  }

  /** Subkeys ordered by their upcased names, as the hive's index keeps them. */
  sorted(): RegKey[] {
    if (!this.sortedCache) this.sortedCache = [...this.subkeys.entries()].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map((e) => e[1]);
    return this.sortedCache;
  }

  changed(now: bigint): void {
    this.sortedCache = undefined;
    this.lastWrite = now;
  }

  /** Names from the hive root down to this key (empty for the root). */
  path(): string[] {
    const out: string[] = [];
    if (!this.parent) return out;
    out.push(this.name);
    for (let k = this.parent; k.parent; k = k.parent) out.unshift(k.name);
    return out;
  }
}

function markDeleted(k: RegKey): void {
  k.deleted = true;
  for (const c of k.subkeys.values()) markDeleted(c);
}

/** Walks `names` from `root`; undefined when a key on the way is missing. */
export function findPath(root: RegKey, names: readonly string[]): RegKey | undefined {
  let k: RegKey | undefined = root;
  for (const n of names) {
    k = k.child(n);
    if (!k) return undefined;
  }
  return k;
}

/** Walks `names`, creating missing (non-volatile) keys. */
export function ensurePath(root: RegKey, names: readonly string[], now: bigint): RegKey {
  let k = root;
  for (const n of names) k = k.addChild(n, false, now);
  return k;
}

// ---- values from and to JS data (seeds, tests) ----------------------------------------------------

export function utf16z(s: string): Uint8Array {
  const b = new Uint8Array(2 * s.length + 2);
  for (let i = 0; i < s.length; i++) {
    b[2 * i] = s.charCodeAt(i) & 0xff;
    b[2 * i + 1] = s.charCodeAt(i) >> 8;
  }
  return b;
}

export function szValue(name: string, s: string, type = REG_SZ): RegValue {
  return { name, type, data: utf16z(s) };
}

export function multiSzValue(name: string, items: readonly string[]): RegValue {
  return { name, type: REG_MULTI_SZ, data: utf16z(items.map((s) => s + '\0').join('')) };
}

export function dwordValue(name: string, n: number): RegValue {
  const data = new Uint8Array(4);
  new DataView(data.buffer).setUint32(0, n >>> 0, true);
  return { name, type: REG_DWORD, data };
}

export function qwordValue(name: string, n: bigint): RegValue {
  const data = new Uint8Array(8);
  new DataView(data.buffer).setBigUint64(0, BigInt.asUintN(64, n), true);
  return { name, type: REG_QWORD, data };
}

/** The UTF-16 units of value data (an odd trailing byte is dropped). */
export function dataUnits(data: Uint8Array): Uint16Array {
  const n = data.length >> 1;
  const u = new Uint16Array(n);
  for (let i = 0; i < n; i++) u[i] = data[2 * i]! | (data[2 * i + 1]! << 8);
  return u;
}

export function unitsString(u: Uint16Array): string {
  let s = '';
  for (let i = 0; i < u.length; i += 4096) s += String.fromCharCode(...u.subarray(i, i + 4096));
  return s;
}
