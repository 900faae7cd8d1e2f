/**
 * Version information (winver.h): GetFileVersionInfo(Size)(Ex) read the RT_VERSION resource of
 * a file mapped with LOAD_LIBRARY_AS_DATAFILE (a module already loaded, builtins included, is
 * read in place), and VerQueryValue walks its VS_VERSIONINFO tree:
 *
 *   node: wLength u16, wValueLength u16, wType u16 (1: text, value length in WCHARs),
 *         szKey (UTF-16, NUL), padding to 4, Value, padding to 4, children (each 4-aligned)
 *
 * The buffer GetFileVersionInfoSize asks for holds the resource, the signature "FE2X" and room
 * after it where VerQueryValueA puts the ANSI copies of text values (as Windows lays it out).
 */
import { LOAD_LIBRARY_AS_DATAFILE } from '../../kernel/dlldirs.js';
import { ERROR_RESOURCE_DATA_NOT_FOUND, findResource, resourceData, RT_VERSION } from '../kernel32/resources.js';
import { ERROR_RESOURCE_TYPE_NOT_FOUND } from '../kernel32/errors.js';
import { resolve } from '../kernel32/pathstr.js';
import { ansiToString, unitsToAnsi } from '../kernel32/text.js';
import type { ApiContext } from '../types.js';

const VS_VERSION_INFO = 1;
const ERROR_FILE_NOT_FOUND = 2;
const SIGNATURE = 0x58324546; // "FE2X"
/** Rounds up to 4 (addresses exceed 32 bits: no bitwise operators). */
const align4 = (n: number): number => Math.ceil(n / 4) * 4;

type Charset = 'A' | 'W';

function fail(ctx: ApiContext, error: number): number {
  ctx.setLastError(error);
  return 0;
}

function readName(ctx: ApiContext, p: number, cs: Charset): string {
  return cs === 'W' ? ctx.mem.wstring(p) : ansiToString(ctx, ctx.mem.cstringBytes(p));
}

/**
 * Runs `use` on the version resource of `file` (its guest address and size) with the file
 * mapped, then unmaps it; or returns the error Windows reports: a missing file or directory
 * (ERROR_FILE_NOT_FOUND / ERROR_PATH_NOT_FOUND), a file without version information
 * (ERROR_RESOURCE_DATA_NOT_FOUND / _TYPE_NOT_FOUND).
 */
function withVersionResource<T>(ctx: ApiContext, file: string, use: (addr: number, size: number) => T): T | { error: number } {
  const r = ctx.process.loadLibraryEx(file, LOAD_LIBRARY_AS_DATAFILE);
  if ('error' in r) {
    if (r.error === 193) return { error: ERROR_RESOURCE_DATA_NOT_FOUND };
    if (r.error !== 126) return { error: r.error };
    if (!/[\\/]/.test(file)) return { error: ERROR_FILE_NOT_FOUND };
    const where = resolve(ctx, file);
    return { error: where.kind === 'error' ? where.error : ERROR_FILE_NOT_FOUND };
  }
  try {
    const f = findResource(ctx, r.handle, RT_VERSION, VS_VERSION_INFO, 0);
    if ('error' in f) return f;
    const d = resourceData(ctx, r.handle, f.hrsrc);
    return use(d.addr, d.size);
  } finally {
    ctx.process.freeLibrary(r.handle);
  }
}

/** The buffer size for a resource of `len` bytes: the resource, the signature, the ANSI room. */
function bufferSize(len: number): number {
  return align4(len) + 4 + Math.ceil(1.5 * len) + 4;
}

function sizeOf(ctx: ApiContext, name: number, handleOut: number, cs: Charset): number {
  if (handleOut !== 0) ctx.mem.setU32(handleOut, 0);
  if (name === 0) return fail(ctx, ERROR_FILE_NOT_FOUND);
  const r = withVersionResource(ctx, readName(ctx, name, cs), (_addr, size) => bufferSize(size));
  return typeof r === 'number' ? r : fail(ctx, r.error);
}

export function GetFileVersionInfoSizeW(ctx: ApiContext, name: number, handleOut: number): number {
  return sizeOf(ctx, name, handleOut, 'W');
}
export function GetFileVersionInfoSizeA(ctx: ApiContext, name: number, handleOut: number): number {
  return sizeOf(ctx, name, handleOut, 'A');
}
/** The Ex forms' flags choose MUI resources, which winrun's files do not have. */
export function GetFileVersionInfoSizeExW(ctx: ApiContext, _flags: number, name: number, handleOut: number): number {
  return sizeOf(ctx, name, handleOut, 'W');
}
export function GetFileVersionInfoSizeExA(ctx: ApiContext, _flags: number, name: number, handleOut: number): number {
  return sizeOf(ctx, name, handleOut, 'A');
}

/** Copies the resource (truncated to `len`), and the signature when the buffer has room. */
function info(ctx: ApiContext, name: number, len: number, data: number, cs: Charset): number {
  if (name === 0) return fail(ctx, ERROR_FILE_NOT_FOUND);
  const r = withVersionResource(ctx, readName(ctx, name, cs), (addr, size) => {
    const n = Math.min(len, size);
    if (n > 0) ctx.mem.copy(data, addr, n);
    if (len >= align4(size) + 4) ctx.mem.setU32(data + align4(size), SIGNATURE);
    return 1;
  });
  return typeof r === 'number' ? r : fail(ctx, r.error);
}

export function GetFileVersionInfoW(ctx: ApiContext, name: number, _handle: number, len: number, data: number): number {
  return info(ctx, name, len, data, 'W');
}
export function GetFileVersionInfoA(ctx: ApiContext, name: number, _handle: number, len: number, data: number): number {
  return info(ctx, name, len, data, 'A');
}
export function GetFileVersionInfoExW(ctx: ApiContext, _flags: number, name: number, _handle: number, len: number, data: number): number {
  return info(ctx, name, len, data, 'W');
}
export function GetFileVersionInfoExA(ctx: ApiContext, _flags: number, name: number, _handle: number, len: number, data: number): number {
  return info(ctx, name, len, data, 'A');
}

interface VersionNode {
  at: number;
  length: number;
  key: string;
  text: boolean;
  value: number;
  /** Bytes of the value. */
  valueBytes: number;
  /** wValueLength as stored. */
  valueLength: number;
  children: number;
}

function node(ctx: ApiContext, at: number): VersionNode {
  const m = ctx.mem;
  const length = m.u16(at);
  const valueLength = m.u16(at + 2);
  const text = m.u16(at + 4) === 1;
  const key = String.fromCharCode(...m.wstringUnits(at + 6, Math.max((length - 6) / 2, 0)));
  const value = at + align4(6 + 2 * (key.length + 1));
  const valueBytes = text ? 2 * valueLength : valueLength;
  return { at, length, key, text, value, valueBytes, valueLength, children: align4(value + valueBytes) };
}

/** The node a `\`-separated path names (keys compared case-insensitively), or undefined. */
function find(ctx: ApiContext, block: number, path: string): VersionNode | undefined {
  let n = node(ctx, block);
  for (const part of path.split('\\').filter((p) => p !== '')) {
    const want = part.toUpperCase();
    let found: VersionNode | undefined;
    for (let c = n.children; c < n.at + n.length; ) {
      const child = node(ctx, c);
      if (child.length === 0) break;
      if (child.key.toUpperCase() === want) {
        found = child;
        break;
      }
      c = align4(c + child.length);
    }
    if (!found) return undefined;
    n = found;
  }
  return n;
}

function query(ctx: ApiContext, block: number, sub: number, out: number, outLen: number, cs: Charset): number {
  if (block === 0 || out === 0) return fail(ctx, ERROR_RESOURCE_TYPE_NOT_FOUND);
  const path = sub === 0 ? '\\' : readName(ctx, sub, cs);
  const n = find(ctx, block, path);
  if (!n) {
    ctx.mem.setU64(out, 0);
    if (outLen !== 0) ctx.mem.setU32(outLen, 0);
    return fail(ctx, ERROR_RESOURCE_TYPE_NOT_FOUND);
  }
  let ptr = n.value;
  let len = n.valueLength;
  if (cs === 'A' && n.text) {
    // The ANSI copy goes to the room after the signature, at 3/2 of the text's offset so that
    // copies of different values never overlap; without that room, over the text itself.
    const units = ctx.mem.wstringUnits(n.value, n.valueLength);
    const ansi = unitsToAnsi(ctx, units);
    const rootLength = ctx.mem.u16(block);
    const room = block + align4(rootLength);
    ptr = ctx.mem.accessible(room, 4, 'read') && ctx.mem.u32(room) === SIGNATURE ? room + 4 + Math.floor((3 * (n.value - block)) / 2) : n.value;
    ctx.mem.writeCString(ptr, ansi);
    len = ansi.length + 1;
  }
  ctx.mem.setU64(out, ptr);
  if (outLen !== 0) ctx.mem.setU32(outLen, len);
  return 1;
}

export function VerQueryValueW(ctx: ApiContext, block: number, sub: number, out: number, outLen: number): number {
  return query(ctx, block, sub, out, outLen, 'W');
}
export function VerQueryValueA(ctx: ApiContext, block: number, sub: number, out: number, outLen: number): number {
  return query(ctx, block, sub, out, outLen, 'A');
}
