/**
 * Registry keys (winreg.h): opening, creating, closing, enumerating and deleting, over the
 * process's Registry (kernel/registry.ts). Every function returns an LSTATUS (a Win32 code);
 * the A forms take and give names in the ANSI code page.
 */
import { type KeyView, Registry, splitKeyPath } from '../../kernel/registry.js';
import type { ApiContext } from '../types.js';
import { type Charset, encodeString, ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER, ERROR_MORE_DATA, ERROR_SUCCESS, guardCode, readOptional, writeWithNul } from './common.js';

const MAXIMUM_ALLOWED = 0x02000000;
const REG_OPTION_VOLATILE = 1;
const REG_CREATED_NEW_KEY = 1;
const REG_OPENED_EXISTING_KEY = 2;

/** The view behind an HKEY argument, or the error to return. */
export function keyView(ctx: ApiContext, hkey: bigint): KeyView | number {
  return ctx.process.registry.resolve(hkey);
}

function putHandle(ctx: ApiContext, out: number, h: number | bigint): void {
  ctx.mem.setU64(out, h);
}

const ERROR_BADKEY = 1010;
const isEmpty = (ctx: ApiContext, p: number, cs: Charset): boolean => p === 0 || (cs === 'W' ? ctx.mem.u16(p) : ctx.mem.u8(p)) === 0;

/** The names of a subkey argument. HKEY_CLASSES_ROOT takes a leading backslash (Windows
 *  accepts "\\clsid" there, and nowhere else). */
function subkeyNames(ctx: ApiContext, v: KeyView, subkey: number, cs: Charset): string[] | number {
  const s = readOptional(ctx, subkey, cs) ?? '';
  return splitKeyPath(v.merged && v.predefined ? s.replace(/^\\/, '') : s);
}

/**
 * RegOpenKeyEx. A NULL or empty subkey of a predefined key gives back the predefined handle;
 * of any other key, a new handle. On failure *phkResult is NULL (an invalid hKey leaves it
 * alone in the A form, as Windows does).
 */
function openKey(ctx: ApiContext, cs: Charset, hkey: bigint, subkey: number, sam: number, out: number): number {
  return guardCode(() => {
    if (out === 0) return ERROR_INVALID_PARAMETER;
    const v = keyView(ctx, hkey);
    if (typeof v === 'number') {
      if (cs === 'W') putHandle(ctx, out, 0);
      return v;
    }
    if (v.predefined && isEmpty(ctx, subkey, cs)) {
      putHandle(ctx, out, hkey);
      return ERROR_SUCCESS;
    }
    const names = subkeyNames(ctx, v, subkey, cs);
    const r = typeof names === 'number' ? { error: names } : ctx.process.registry.open(v, names, sam);
    if ('error' in r) {
      putHandle(ctx, out, 0);
      return r.error;
    }
    putHandle(ctx, out, r.handle);
    return ERROR_SUCCESS;
  });
}

export const RegOpenKeyExA = (ctx: ApiContext, hkey: bigint, subkey: number, _options: number, sam: number, out: number): number => openKey(ctx, 'A', hkey, subkey, sam, out);
export const RegOpenKeyExW = (ctx: ApiContext, hkey: bigint, subkey: number, _options: number, sam: number, out: number): number => openKey(ctx, 'W', hkey, subkey, sam, out);

/** RegOpenKey: a NULL or empty subkey gives back hKey itself, whatever it is. */
function openKeyOld(ctx: ApiContext, cs: Charset, hkey: bigint, subkey: number, out: number): number {
  return guardCode(() => {
    if (out === 0) return ERROR_INVALID_PARAMETER;
    if (isEmpty(ctx, subkey, cs)) {
      putHandle(ctx, out, hkey);
      return ERROR_SUCCESS;
    }
    return openKey(ctx, cs, hkey, subkey, MAXIMUM_ALLOWED, out);
  });
}

export const RegOpenKeyA = (ctx: ApiContext, hkey: bigint, subkey: number, out: number): number => openKeyOld(ctx, 'A', hkey, subkey, out);
export const RegOpenKeyW = (ctx: ApiContext, hkey: bigint, subkey: number, out: number): number => openKeyOld(ctx, 'W', hkey, subkey, out);

function createKey(ctx: ApiContext, cs: Charset, hkey: bigint, subkey: number, options: number, sam: number, out: number, disposition: number): number {
  return guardCode(() => {
    if (out === 0) return ERROR_BADKEY;
    if (subkey === 0) return ERROR_INVALID_PARAMETER;
    const v = keyView(ctx, hkey);
    if (typeof v === 'number') return v;
    const names = subkeyNames(ctx, v, subkey, cs);
    const r = typeof names === 'number' ? { error: names } : ctx.process.registry.open(v, names, sam, { volatile: (options & REG_OPTION_VOLATILE) !== 0 });
    if ('error' in r) {
      putHandle(ctx, out, 0);
      return r.error;
    }
    putHandle(ctx, out, r.handle);
    if (disposition !== 0) ctx.mem.setU32(disposition, r.created ? REG_CREATED_NEW_KEY : REG_OPENED_EXISTING_KEY);
    return ERROR_SUCCESS;
  });
}

export const RegCreateKeyExA = (ctx: ApiContext, hkey: bigint, subkey: number, _res: number, _cls: number, options: number, sam: number, _sa: number, out: number, disp: number): number =>
  createKey(ctx, 'A', hkey, subkey, options, sam, out, disp);
export const RegCreateKeyExW = (ctx: ApiContext, hkey: bigint, subkey: number, _res: number, _cls: number, options: number, sam: number, _sa: number, out: number, disp: number): number =>
  createKey(ctx, 'W', hkey, subkey, options, sam, out, disp);

/** RegCreateKey: a NULL subkey gives back the same handle (an empty one opens a new handle). */
function createKeyOld(ctx: ApiContext, cs: Charset, hkey: bigint, subkey: number, out: number): number {
  return guardCode(() => {
    if (out === 0) return ERROR_INVALID_PARAMETER;
    if (subkey === 0) {
      const v = keyView(ctx, hkey);
      if (typeof v === 'number') return v;
      putHandle(ctx, out, hkey);
      return ERROR_SUCCESS;
    }
    return createKey(ctx, cs, hkey, subkey, 0, MAXIMUM_ALLOWED, out, 0);
  });
}

export const RegCreateKeyA = (ctx: ApiContext, hkey: bigint, subkey: number, out: number): number => createKeyOld(ctx, 'A', hkey, subkey, out);
export const RegCreateKeyW = (ctx: ApiContext, hkey: bigint, subkey: number, out: number): number => createKeyOld(ctx, 'W', hkey, subkey, out);

export function RegCloseKey(ctx: ApiContext, hkey: bigint): number {
  if (Registry.isPredefined(hkey)) return ERROR_SUCCESS;
  if (hkey >> 32n !== 0n) return ERROR_INVALID_HANDLE;
  return ctx.process.registry.close(Number(hkey));
}

/** Writes pending changes and forces them to disk. */
export function RegFlushKey(ctx: ApiContext, hkey: bigint): number {
  const v = keyView(ctx, hkey);
  if (typeof v === 'number') return v;
  ctx.process.registry.flush(true);
  return ERROR_SUCCESS;
}

/** A real handle to the user's hive root (not the HKEY_CURRENT_USER pseudo-handle). */
export function RegOpenCurrentUser(ctx: ApiContext, sam: number, out: number): number {
  return guardCode(() => {
    if (out === 0) return ERROR_INVALID_PARAMETER;
    const v = keyView(ctx, 0x80000001n) as KeyView;
    const r = ctx.process.registry.open(v, [], sam);
    if ('error' in r) return r.error;
    putHandle(ctx, out, r.handle);
    return ERROR_SUCCESS;
  });
}

/** Succeeds without watching: winrun never signals a change (the event stays unsignaled; a
 *  synchronous call returns at once). */
export function RegNotifyChangeKeyValue(ctx: ApiContext, hkey: bigint, _subtree: number, _filter: number, _event: number, _async: number): number {
  const v = keyView(ctx, hkey);
  if (typeof v === 'number') return v;
  ctx.fixme('reg', 'RegNotifyChangeKeyValue', 'changes are never reported');
  return ERROR_SUCCESS;
}

export function RegDisablePredefinedCache(): number {
  return ERROR_SUCCESS;
}

// ---- deleting -----------------------------------------------------------------------------------

function deleteKey(ctx: ApiContext, cs: Charset, hkey: bigint, subkey: number): number {
  return guardCode(() => {
    if (subkey === 0) return ERROR_INVALID_PARAMETER;
    const v = keyView(ctx, hkey);
    if (typeof v === 'number') return v;
    const names = subkeyNames(ctx, v, subkey, cs);
    if (typeof names === 'number') return names;
    return ctx.process.registry.deleteKey(v, names);
  });
}

export const RegDeleteKeyA = (ctx: ApiContext, hkey: bigint, subkey: number): number => deleteKey(ctx, 'A', hkey, subkey);
export const RegDeleteKeyW = (ctx: ApiContext, hkey: bigint, subkey: number): number => deleteKey(ctx, 'W', hkey, subkey);
/** The WOW64 view flags in samDesired change nothing for a 64-bit process's own view. */
export const RegDeleteKeyExA = (ctx: ApiContext, hkey: bigint, subkey: number, _sam: number, _res: number): number => deleteKey(ctx, 'A', hkey, subkey);
export const RegDeleteKeyExW = (ctx: ApiContext, hkey: bigint, subkey: number, _sam: number, _res: number): number => deleteKey(ctx, 'W', hkey, subkey);

function deleteTree(ctx: ApiContext, cs: Charset, hkey: bigint, subkey: number): number {
  return guardCode(() => {
    const v = keyView(ctx, hkey);
    if (typeof v === 'number') return v;
    const names = isEmpty(ctx, subkey, cs) ? undefined : subkeyNames(ctx, v, subkey, cs);
    if (typeof names === 'number') return names;
    return ctx.process.registry.deleteTree(v, names);
  });
}

export const RegDeleteTreeA = (ctx: ApiContext, hkey: bigint, subkey: number): number => deleteTree(ctx, 'A', hkey, subkey);
export const RegDeleteTreeW = (ctx: ApiContext, hkey: bigint, subkey: number): number => deleteTree(ctx, 'W', hkey, subkey);

// ---- enumerating and describing -------------------------------------------------------------------

/** Writes a name into a buffer of *pcch characters: ERROR_MORE_DATA (and *pcch unchanged)
 *  when name + NUL does not fit, else the name with *pcch = its length. */
function putName(ctx: ApiContext, cs: Charset, buf: number, pcch: number, name: string): number {
  const e = encodeString(ctx, name, cs);
  const n = cs === 'W' ? e.length / 2 : e.length;
  if (n >= ctx.mem.u32(pcch)) return ERROR_MORE_DATA;
  writeWithNul(ctx, buf, e, cs);
  ctx.mem.setU32(pcch, n);
  return ERROR_SUCCESS;
}

function enumKeyEx(ctx: ApiContext, cs: Charset, hkey: bigint, index: number, name: number, pcch: number, cls: number, pcchCls: number, ft: number): number {
  return guardCode(() => {
    const v = keyView(ctx, hkey);
    if (typeof v === 'number') return v;
    if (name === 0 || pcch === 0) return ERROR_INVALID_PARAMETER;
    const k = ctx.process.registry.enumKey(v, index);
    if (typeof k === 'number') return k;
    const r = putName(ctx, cs, name, pcch, k.name);
    if (r !== ERROR_SUCCESS) return r;
    if (cls !== 0 && pcchCls !== 0) {
      const c = putName(ctx, cs, cls, pcchCls, '');
      if (c !== ERROR_SUCCESS) return c;
    }
    if (ft !== 0) ctx.mem.setU64(ft, k.lastWrite);
    return ERROR_SUCCESS;
  });
}

export const RegEnumKeyExA = (ctx: ApiContext, hkey: bigint, i: number, name: number, pcch: number, _res: number, cls: number, pcchCls: number, ft: number): number =>
  enumKeyEx(ctx, 'A', hkey, i, name, pcch, cls, pcchCls, ft);
export const RegEnumKeyExW = (ctx: ApiContext, hkey: bigint, i: number, name: number, pcch: number, _res: number, cls: number, pcchCls: number, ft: number): number =>
  enumKeyEx(ctx, 'W', hkey, i, name, pcch, cls, pcchCls, ft);

function enumKey(ctx: ApiContext, cs: Charset, hkey: bigint, index: number, name: number, cch: number): number {
  return guardCode(() => {
    const v = keyView(ctx, hkey);
    if (typeof v === 'number') return v;
    if (name === 0) return ERROR_INVALID_PARAMETER;
    const k = ctx.process.registry.enumKey(v, index);
    if (typeof k === 'number') return k;
    const e = encodeString(ctx, k.name, cs);
    if ((cs === 'W' ? e.length / 2 : e.length) >= cch) return ERROR_MORE_DATA;
    writeWithNul(ctx, name, e, cs);
    return ERROR_SUCCESS;
  });
}

export const RegEnumKeyA = (ctx: ApiContext, hkey: bigint, i: number, name: number, cch: number): number => enumKey(ctx, 'A', hkey, i, name, cch);
export const RegEnumKeyW = (ctx: ApiContext, hkey: bigint, i: number, name: number, cch: number): number => enumKey(ctx, 'W', hkey, i, name, cch);

function queryInfoKey(ctx: ApiContext, cs: Charset, hkey: bigint, a: readonly number[]): number {
  return guardCode(() => {
    const [cls, pcchCls, , subkeys, maxSubkey, maxCls, values, maxValueName, maxValue, sd, ft] = a as [number, number, number, number, number, number, number, number, number, number, number];
    const v = keyView(ctx, hkey);
    if (typeof v === 'number') return v;
    const info = ctx.process.registry.info(v);
    if (typeof info === 'number') return info;
    if (cls !== 0 && pcchCls !== 0) {
      const r = putName(ctx, cs, cls, pcchCls, '');
      if (r !== ERROR_SUCCESS) return r;
    } else if (pcchCls !== 0) ctx.mem.setU32(pcchCls, 0);
    const set = (p: number, n: number): void => {
      if (p !== 0) ctx.mem.setU32(p, n);
    };
    set(subkeys, info.subkeys);
    set(maxSubkey, info.maxSubkeyLen);
    set(maxCls, 0);
    set(values, info.values);
    set(maxValueName, info.maxValueNameLen);
    set(maxValue, info.maxValueLen);
    set(sd, 0);
    if (ft !== 0) ctx.mem.setU64(ft, info.lastWrite);
    return ERROR_SUCCESS;
  });
}

export const RegQueryInfoKeyA = (ctx: ApiContext, hkey: bigint, ...a: number[]): number => queryInfoKey(ctx, 'A', hkey, a);
export const RegQueryInfoKeyW = (ctx: ApiContext, hkey: bigint, ...a: number[]): number => queryInfoKey(ctx, 'W', hkey, a);
