/**
 * Registry values (winreg.h): reading with the size protocol (NULL data asks for the size,
 * a short buffer gives ERROR_MORE_DATA and the size needed), RegGetValue's type filter and
 * expansion, writing, enumerating and deleting. Values are stored as the bytes Windows keeps;
 * the A forms convert string data (REG_SZ, REG_EXPAND_SZ, REG_MULTI_SZ) between the ANSI code
 * page and UTF-16 on the way.
 */
import { KEY_QUERY_VALUE, KEY_SET_VALUE, type KeyView, splitKeyPath } from '../../kernel/registry.js';
import { dataUnits, REG_BINARY, REG_DWORD, REG_EXPAND_SZ, REG_MULTI_SZ, REG_NONE, REG_QWORD, REG_SZ, type RegValue, unitsString } from '../../kernel/regtree.js';
import { ansiToUnits, stringToUnits, unitsToAnsi } from '../kernel32/text.js';
import type { ApiContext } from '../types.js';
import { type Charset, ERROR_FILE_NOT_FOUND, ERROR_INVALID_PARAMETER, ERROR_MORE_DATA, ERROR_NOACCESS, ERROR_SUCCESS, ERROR_UNSUPPORTED_TYPE, guardCode, readOptional, writeWithNul, encodeString } from './common.js';
import { keyView } from './regkey.js';

const isString = (type: number): boolean => type === REG_SZ || type === REG_EXPAND_SZ || type === REG_MULTI_SZ;

const unitBytes = (u: Uint16Array): Uint8Array => new Uint8Array(u.buffer, u.byteOffset, u.byteLength);

/** A value's data as the A or W function hands it out. */
function dataFor(ctx: ApiContext, v: RegValue, cs: Charset): Uint8Array {
  if (cs === 'W' || !isString(v.type)) return v.data;
  return unitsToAnsi(ctx, dataUnits(v.data));
}

/** Opens `subkey` below `v` for one operation (undefined: `v` itself). */
function withSubkey(ctx: ApiContext, v: KeyView, subkey: string | undefined, sam: number, create: boolean, body: (k: KeyView) => number): number {
  if (subkey === undefined || subkey === '') return body(v);
  const names = splitKeyPath(subkey);
  if (typeof names === 'number') return names;
  const reg = ctx.process.registry;
  const r = reg.open(v, names, sam, create ? { volatile: false } : undefined);
  if ('error' in r) return r.error;
  const k = reg.resolve(BigInt(r.handle));
  try {
    return typeof k === 'number' ? k : body(k);
  } finally {
    reg.close(r.handle);
  }
}

// ---- RegQueryValueEx -------------------------------------------------------------------------------

function queryValueEx(ctx: ApiContext, cs: Charset, hkey: bigint, name: number, reserved: number, type: number, data: number, pcb: number): number {
  return guardCode(() => {
    if ((data !== 0 && pcb === 0) || reserved !== 0) return ERROR_INVALID_PARAMETER;
    const v = keyView(ctx, hkey);
    if (typeof v === 'number') return v;
    // Read first: lpType and lpcbData may be the same variable.
    const room = pcb !== 0 ? ctx.mem.u32(pcb) : 0;
    const val = ctx.process.registry.queryValue(v, readOptional(ctx, name, cs) ?? '');
    if (typeof val === 'number') {
      // The A form reports a missing value as REG_NONE, and size 0 when asked for the size.
      if (val === ERROR_FILE_NOT_FOUND && cs === 'A') {
        if (type !== 0) ctx.mem.setU32(type, REG_NONE);
        if (data === 0 && pcb !== 0) ctx.mem.setU32(pcb, 0);
      }
      return val;
    }
    const bytes = dataFor(ctx, val, cs);
    if (type !== 0) ctx.mem.setU32(type, val.type);
    if (pcb !== 0) ctx.mem.setU32(pcb, bytes.length);
    if (data === 0) return ERROR_SUCCESS;
    if (bytes.length > room) return ERROR_MORE_DATA;
    ctx.mem.write(data, bytes);
    return ERROR_SUCCESS;
  });
}

export const RegQueryValueExA = (ctx: ApiContext, hkey: bigint, name: number, res: number, type: number, data: number, pcb: number): number => queryValueEx(ctx, 'A', hkey, name, res, type, data, pcb);
export const RegQueryValueExW = (ctx: ApiContext, hkey: bigint, name: number, res: number, type: number, data: number, pcb: number): number => queryValueEx(ctx, 'W', hkey, name, res, type, data, pcb);

// ---- RegGetValue ------------------------------------------------------------------------------------

const RRF_RT_REG_NONE = 0x1;
const RRF_RT_REG_SZ = 0x2;
const RRF_RT_REG_EXPAND_SZ = 0x4;
const RRF_RT_REG_BINARY = 0x8;
const RRF_RT_REG_DWORD = 0x10;
const RRF_RT_REG_MULTI_SZ = 0x20;
const RRF_RT_REG_QWORD = 0x40;
const RRF_RT_ANY = 0xffff;
const RRF_SUBKEY_WOW64_BOTH = 0x30000;
const RRF_NOEXPAND = 0x10000000;
const RRF_ZEROONFAILURE = 0x20000000;

const TYPE_FLAG: Readonly<Record<number, number>> = {
  [REG_NONE]: RRF_RT_REG_NONE,
  [REG_SZ]: RRF_RT_REG_SZ,
  [REG_EXPAND_SZ]: RRF_RT_REG_EXPAND_SZ,
  [REG_BINARY]: RRF_RT_REG_BINARY,
  [REG_DWORD]: RRF_RT_REG_DWORD,
  [REG_MULTI_SZ]: RRF_RT_REG_MULTI_SZ,
  [REG_QWORD]: RRF_RT_REG_QWORD,
};

/** Whether RegGetValue's RRF_RT_* restriction admits a value. REG_BINARY under RRF_RT_DWORD or
 *  RRF_RT_QWORD (binary together with dword/qword) must be 4 or 8 bytes long. */
export function typeAllowed(flags: number, type: number, size: number): boolean {
  const rt = flags & RRF_RT_ANY;
  if (rt === RRF_RT_ANY) return true;
  if (type === REG_BINARY && (rt & RRF_RT_REG_BINARY) !== 0 && (rt & (RRF_RT_REG_DWORD | RRF_RT_REG_QWORD)) !== 0) {
    return ((rt & RRF_RT_REG_DWORD) !== 0 && size === 4) || ((rt & RRF_RT_REG_QWORD) !== 0 && size === 8);
  }
  return (rt & (TYPE_FLAG[type] ?? 0)) !== 0;
}

/** ExpandEnvironmentStrings' rule: %NAME% becomes the variable's value; an unknown name is
 *  kept with its first %, and the closing % may start the next variable. */
export function expandVariables(s: string, lookup: (name: string) => string | undefined): string {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    const j = c === '%' ? s.indexOf('%', i + 1) : -1;
    if (j < 0) {
      out += c;
      i++;
      continue;
    }
    const name = s.slice(i + 1, j);
    const value = name === '' ? undefined : lookup(name);
    if (value !== undefined) {
      out += value;
      i = j + 1;
    } else {
      out += '%' + name;
      i = j;
    }
  }
  return out;
}

function environmentLookup(ctx: ApiContext): (name: string) => string | undefined {
  const env = ctx.process.environment;
  return (name) => {
    const u = name.toUpperCase();
    for (const [k, v] of env) if (k.toUpperCase() === u) return v;
    return undefined;
  };
}

/**
 * The data RegGetValue returns and the size it reports. Strings are NUL-terminated (two NULs
 * for REG_MULTI_SZ) even when stored without. An expanded REG_EXPAND_SZ is reported as
 * REG_SZ with the larger of the stored and the expanded size, as Windows reports it; asked for
 * the size only, the A form adds one more byte, ExpandEnvironmentStringsA's documented extra.
 */
function getValueData(ctx: ApiContext, cs: Charset, val: RegValue, expand: boolean, sizeOnly: boolean): { type: number; bytes: Uint8Array; size: number } {
  if (!isString(val.type)) return { type: val.type, bytes: val.data, size: val.data.length };
  const raw = terminate(ctx, cs, dataUnits(val.data), val.type === REG_MULTI_SZ ? 2 : 1);
  if (val.type !== REG_EXPAND_SZ || !expand) return { type: val.type, bytes: raw, size: raw.length };
  const s = unitsString(dataUnits(val.data));
  const z = s.indexOf('\0');
  const bytes = terminate(ctx, cs, stringToUnits(expandVariables(z < 0 ? s : s.slice(0, z), environmentLookup(ctx))), 1);
  return { type: REG_SZ, bytes, size: Math.max(raw.length, bytes.length + (sizeOnly && cs === 'A' ? 1 : 0)) };
}

/** UTF-16 units → the charset's bytes, ending in `nuls` NUL characters. */
function terminate(ctx: ApiContext, cs: Charset, units: Uint16Array, nuls: number): Uint8Array {
  const n = units.length;
  let have = 0;
  while (have < nuls && n - have > 0 && units[n - have - 1] === 0) have++;
  const u = new Uint16Array(n + nuls - have);
  u.set(units);
  return cs === 'W' ? unitBytes(u) : unitsToAnsi(ctx, u);
}

const ERROR_DATATYPE_MISMATCH = 1629;

/**
 * RegGetValue. Even when the type is refused (ERROR_UNSUPPORTED_TYPE, or
 * ERROR_DATATYPE_MISMATCH for a REG_BINARY of the wrong size under RRF_RT_DWORD/QWORD) the
 * type, size and data are returned, as Windows does; RRF_ZEROONFAILURE then zeroes the buffer.
 */
function getValue(ctx: ApiContext, cs: Charset, hkey: bigint, subkey: number, name: number, flags: number, ptype: number, data: number, pcb: number): number {
  return guardCode(() => {
    if (data !== 0 && pcb === 0) return ERROR_INVALID_PARAMETER;
    if ((flags & RRF_SUBKEY_WOW64_BOTH) === RRF_SUBKEY_WOW64_BOTH) return ERROR_INVALID_PARAMETER;
    const room = data !== 0 ? ctx.mem.u32(pcb) : 0;
    const fail = (code: number): number => {
      if (data !== 0 && (flags & RRF_ZEROONFAILURE) !== 0) ctx.mem.fill(data, 0, room);
      return code;
    };
    const v = keyView(ctx, hkey);
    if (typeof v === 'number') return fail(v);
    const valueName = readOptional(ctx, name, cs) ?? '';
    let found: RegValue | undefined;
    const r = withSubkey(ctx, v, readOptional(ctx, subkey, cs), KEY_QUERY_VALUE, false, (k) => {
      const val = ctx.process.registry.queryValue(k, valueName);
      if (typeof val === 'number') return val;
      found = val;
      return ERROR_SUCCESS;
    });
    if (r !== ERROR_SUCCESS || !found) return fail(r === ERROR_SUCCESS ? ERROR_FILE_NOT_FOUND : r);
    const expand = (flags & RRF_NOEXPAND) === 0;
    const out = getValueData(ctx, cs, found, expand, data === 0);
    let status = ERROR_SUCCESS;
    if (!typeAllowed(flags, out.type, found.data.length)) {
      const binaryOfWrongSize = found.type === REG_BINARY && (flags & RRF_RT_REG_BINARY) !== 0 && (flags & (RRF_RT_REG_DWORD | RRF_RT_REG_QWORD)) !== 0;
      status = binaryOfWrongSize ? ERROR_DATATYPE_MISMATCH : ERROR_UNSUPPORTED_TYPE;
    }
    if (ptype !== 0) ctx.mem.setU32(ptype, out.type);
    if (pcb !== 0) ctx.mem.setU32(pcb, out.size);
    if (data !== 0) {
      if (out.size > room) return fail(ERROR_MORE_DATA);
      ctx.mem.write(data, out.bytes);
    }
    return status === ERROR_SUCCESS ? status : fail(status);
  });
}

export const RegGetValueA = (ctx: ApiContext, hkey: bigint, subkey: number, name: number, flags: number, type: number, data: number, pcb: number): number => getValue(ctx, 'A', hkey, subkey, name, flags, type, data, pcb);
export const RegGetValueW = (ctx: ApiContext, hkey: bigint, subkey: number, name: number, flags: number, type: number, data: number, pcb: number): number => getValue(ctx, 'W', hkey, subkey, name, flags, type, data, pcb);

// ---- setting ------------------------------------------------------------------------------------

/**
 * The bytes to store. A-form string data converts from the ANSI code page. For string types a
 * size that leaves out the terminating NUL is extended over it when the character right after
 * the data is NUL, as Windows NT does for programs that forgot to count it.
 */
function storedData(ctx: ApiContext, cs: Charset, type: number, data: number, size: number): Uint8Array {
  let n = size;
  if (n > 0 && isString(type)) {
    const unit = cs === 'W' ? 2 : 1;
    try {
      const last = cs === 'W' ? (n >= 2 ? ctx.mem.u16(data + n - 2 - (n % 2)) : 0) : ctx.mem.u8(data + n - 1);
      const next = cs === 'W' ? ctx.mem.u16(data + n - (n % 2)) : ctx.mem.u8(data + n);
      if (last !== 0 && next === 0 && n % unit === 0) n += unit;
    } catch {
      /* the byte after the data is not readable: store what was given */
    }
  }
  const bytes = n === 0 ? new Uint8Array(0) : ctx.mem.read(data, n);
  if (cs === 'W' || !isString(type)) return bytes;
  return unitBytes(ansiToUnits(ctx, bytes));
}

function setValue(ctx: ApiContext, cs: Charset, v: KeyView, name: string, type: number, data: number, size: number): number {
  if (data === 0 && size !== 0) return ERROR_NOACCESS;
  return ctx.process.registry.setValue(v, { name, type, data: storedData(ctx, cs, type, data, size) });
}

function setValueEx(ctx: ApiContext, cs: Charset, hkey: bigint, name: number, type: number, data: number, size: number): number {
  return guardCode(() => {
    const v = keyView(ctx, hkey);
    if (typeof v === 'number') return v;
    return setValue(ctx, cs, v, readOptional(ctx, name, cs) ?? '', type, data, size);
  });
}

export const RegSetValueExA = (ctx: ApiContext, hkey: bigint, name: number, _res: number, type: number, data: number, size: number): number => setValueEx(ctx, 'A', hkey, name, type, data, size);
export const RegSetValueExW = (ctx: ApiContext, hkey: bigint, name: number, _res: number, type: number, data: number, size: number): number => setValueEx(ctx, 'W', hkey, name, type, data, size);

/** RegSetKeyValue: the subkey is created when missing. */
function setKeyValue(ctx: ApiContext, cs: Charset, hkey: bigint, subkey: number, name: number, type: number, data: number, size: number): number {
  return guardCode(() => {
    const v = keyView(ctx, hkey);
    if (typeof v === 'number') return v;
    const valueName = readOptional(ctx, name, cs) ?? '';
    return withSubkey(ctx, v, readOptional(ctx, subkey, cs), KEY_SET_VALUE, true, (k) => setValue(ctx, cs, k, valueName, type, data, size));
  });
}

export const RegSetKeyValueA = (ctx: ApiContext, hkey: bigint, subkey: number, name: number, type: number, data: number, size: number): number => setKeyValue(ctx, 'A', hkey, subkey, name, type, data, size);
export const RegSetKeyValueW = (ctx: ApiContext, hkey: bigint, subkey: number, name: number, type: number, data: number, size: number): number => setKeyValue(ctx, 'W', hkey, subkey, name, type, data, size);

// ---- enumerating and deleting ----------------------------------------------------------------------

/** RegEnumValue: the type and the data size are reported even when the name or the data do
 *  not fit (ERROR_MORE_DATA); the name length is then left alone. */
function enumValue(ctx: ApiContext, cs: Charset, hkey: bigint, index: number, name: number, pcchName: number, reserved: number, ptype: number, data: number, pcb: number): number {
  return guardCode(() => {
    if (name === 0 || pcchName === 0 || reserved !== 0 || (data !== 0 && pcb === 0)) return ERROR_INVALID_PARAMETER;
    const v = keyView(ctx, hkey);
    if (typeof v === 'number') return v;
    const val = ctx.process.registry.enumValue(v, index);
    if (typeof val === 'number') return val;
    const e = encodeString(ctx, val.name, cs);
    const n = cs === 'W' ? e.length / 2 : e.length;
    const bytes = dataFor(ctx, val, cs);
    const room = pcb !== 0 ? ctx.mem.u32(pcb) : 0;
    if (ptype !== 0) ctx.mem.setU32(ptype, val.type);
    if (pcb !== 0) ctx.mem.setU32(pcb, bytes.length);
    if (n >= ctx.mem.u32(pcchName)) return ERROR_MORE_DATA;
    const dataFits = data === 0 || bytes.length <= room;
    // When only the data does not fit, the W form still gives the name; the A form does not.
    if (!dataFits && cs === 'A') return ERROR_MORE_DATA;
    writeWithNul(ctx, name, e, cs);
    ctx.mem.setU32(pcchName, n);
    if (!dataFits) return ERROR_MORE_DATA;
    if (data !== 0) ctx.mem.write(data, bytes);
    return ERROR_SUCCESS;
  });
}

export const RegEnumValueA = (ctx: ApiContext, hkey: bigint, i: number, name: number, pcch: number, res: number, type: number, data: number, pcb: number): number => enumValue(ctx, 'A', hkey, i, name, pcch, res, type, data, pcb);
export const RegEnumValueW = (ctx: ApiContext, hkey: bigint, i: number, name: number, pcch: number, res: number, type: number, data: number, pcb: number): number => enumValue(ctx, 'W', hkey, i, name, pcch, res, type, data, pcb);

function deleteValue(ctx: ApiContext, cs: Charset, hkey: bigint, subkey: number, name: number): number {
  return guardCode(() => {
    const v = keyView(ctx, hkey);
    if (typeof v === 'number') return v;
    const valueName = readOptional(ctx, name, cs) ?? '';
    return withSubkey(ctx, v, readOptional(ctx, subkey, cs), KEY_SET_VALUE, false, (k) => ctx.process.registry.deleteValue(k, valueName));
  });
}

export const RegDeleteValueA = (ctx: ApiContext, hkey: bigint, name: number): number => deleteValue(ctx, 'A', hkey, 0, name);
export const RegDeleteValueW = (ctx: ApiContext, hkey: bigint, name: number): number => deleteValue(ctx, 'W', hkey, 0, name);
export const RegDeleteKeyValueA = (ctx: ApiContext, hkey: bigint, subkey: number, name: number): number => deleteValue(ctx, 'A', hkey, subkey, name);
export const RegDeleteKeyValueW = (ctx: ApiContext, hkey: bigint, subkey: number, name: number): number => deleteValue(ctx, 'W', hkey, subkey, name);
