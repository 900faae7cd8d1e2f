/**
 * Resources (libloaderapi.h, winbase.h): FindResource(Ex), LoadResource, SizeofResource,
 * EnumResourceTypes/Names/Languages, read from the resource directory of the mapped image in
 * guest memory, as Windows does. An HRSRC is the address of the IMAGE_RESOURCE_DATA_ENTRY, and
 * LoadResource's result is the address of the data. A LOAD_LIBRARY_AS_DATAFILE mapping (handle
 * | 1) is the file as it is, so its RVAs go through the section table.
 *
 * Language choice (checked against Wine 8): for LANG_NEUTRAL the neutral resource, then the
 * thread's language (en-US), English, the default languages, and finally the first one there
 * is; for a given language that language, its primary language with SUBLANG_NEUTRAL, then the
 * neutral resource, else ERROR_RESOURCE_LANG_NOT_FOUND.
 */
import { GuestMemoryError } from '../../native/memprotect.js';
import type { ApiContext } from '../types.js';
import { ERROR_RESOURCE_TYPE_NOT_FOUND } from './errors.js';
import { ansiToString, stringToUnits, unitsToAnsi } from './text.js';

export const RT_STRING = 6;
export const RT_VERSION = 16;
export const ERROR_RESOURCE_DATA_NOT_FOUND = 1812;
export const ERROR_RESOURCE_NAME_NOT_FOUND = 1814;
export const ERROR_RESOURCE_LANG_NOT_FOUND = 1815;
const ERROR_RESOURCE_ENUM_USER_STOP = 15106;
const LANG_EN_US = 0x409;
const IMAGE_DIRECTORY_ENTRY_RESOURCE = 2;

/** A type or name: an integer id, or an upper-case string. */
export type ResourceKey = number | string;
export type Charset = 'A' | 'W';

interface Image {
  base: number;
  /** Mapped as the file is (LOAD_LIBRARY_AS_DATAFILE), not as an image. */
  flat: boolean;
}

interface Entry {
  key: ResourceKey;
  /** A name as stored (key is upper-cased for lookups). */
  text?: string;
  /** Address of the subdirectory or of the data entry. */
  addr: number;
  dir: boolean;
}

/** The image behind a module handle (NULL: the program); a handle with low bits set must be
 *  a data-file mapping. */
function imageOf(ctx: ApiContext, h: number): Image | undefined {
  if (h === 0) return { base: ctx.process.moduleHandle(null), flat: false };
  if (h % 4 !== 0 && !ctx.process.isDataFile(h)) return undefined;
  return { base: h - (h % 4), flat: h % 4 === 1 };
}

/** The file offset an RVA has in a flat mapping (through the section table). */
function rvaToAddress(ctx: ApiContext, img: Image, rva: number): number {
  if (!img.flat) return img.base + rva;
  const m = ctx.mem;
  const nt = img.base + m.u32(img.base + 0x3c);
  const count = m.u16(nt + 6);
  const table = nt + 24 + m.u16(nt + 20);
  for (let i = 0; i < count; i++) {
    const s = table + 40 * i;
    const va = m.u32(s + 12);
    const size = Math.max(m.u32(s + 8), m.u32(s + 16));
    if (rva >= va && rva < va + size) return img.base + m.u32(s + 20) + (rva - va);
  }
  return img.base + rva; // in the headers
}

/** The root resource directory, or 0 when the module has none. */
function resourceRoot(ctx: ApiContext, img: Image | undefined): number {
  if (!img) return 0;
  const m = ctx.mem;
  if (m.u16(img.base) !== 0x5a4d) return 0;
  const nt = img.base + m.u32(img.base + 0x3c);
  if (m.u32(nt) !== 0x4550) return 0;
  const oh = nt + 24;
  const magic = m.u16(oh);
  const dirs = oh + (magic === 0x20b ? 112 : 96);
  const count = m.u32(dirs - 4);
  if (count <= IMAGE_DIRECTORY_ENTRY_RESOURCE) return 0;
  const rva = m.u32(dirs + 8 * IMAGE_DIRECTORY_ENTRY_RESOURCE);
  return rva === 0 ? 0 : rvaToAddress(ctx, img, rva);
}

/** The entries of an IMAGE_RESOURCE_DIRECTORY: named ones (upper-cased) first, then ids. */
function entriesOf(ctx: ApiContext, root: number, at: number): Entry[] {
  const m = ctx.mem;
  const n = m.u16(at + 12) + m.u16(at + 14);
  const out: Entry[] = [];
  for (let i = 0; i < n; i++) {
    const name = m.u32(at + 16 + 8 * i);
    const target = m.u32(at + 20 + 8 * i);
    const addr = root + (target & 0x7fffffff);
    const dir = (target & 0x80000000) !== 0;
    if (name & 0x80000000) {
      const s = root + (name & 0x7fffffff);
      const text = String.fromCharCode(...m.wstringUnits(s + 2, m.u16(s)));
      out.push({ key: text.toUpperCase(), text, addr, dir });
    } else out.push({ key: name & 0xffff, addr, dir });
  }
  return out;
}

function lookup(entries: Entry[], key: ResourceKey): Entry | undefined {
  return entries.find((e) => e.key === key);
}

/** Languages to try, in order, for a requested one. */
function languageOrder(lang: number): number[] {
  if (lang === 0) return [0, LANG_EN_US, LANG_EN_US & 0x3ff, 0x400, 0x800];
  return [lang, lang & 0x3ff, 0];
}

/** The data entry (an HRSRC) of type/name/language, or a Win32 error. */
export function findResource(ctx: ApiContext, h: number, type: ResourceKey, name: ResourceKey, lang: number): { hrsrc: number } | { error: number } {
  try {
    const root = resourceRoot(ctx, imageOf(ctx, h));
    if (root === 0) return { error: ERROR_RESOURCE_DATA_NOT_FOUND };
    const t = lookup(entriesOf(ctx, root, root), type);
    if (!t?.dir) return { error: ERROR_RESOURCE_TYPE_NOT_FOUND };
    const n = lookup(entriesOf(ctx, root, t.addr), name);
    if (!n) return { error: ERROR_RESOURCE_NAME_NOT_FOUND };
    if (!n.dir) return { hrsrc: n.addr };
    const langs = entriesOf(ctx, root, n.addr).filter((e) => !e.dir);
    for (const l of languageOrder(lang)) {
      const e = lookup(langs, l);
      if (e) return { hrsrc: e.addr };
    }
    if (lang === 0 && langs.length > 0) return { hrsrc: langs[0]!.addr };
    return { error: ERROR_RESOURCE_LANG_NOT_FOUND };
  } catch (e) {
    if (e instanceof GuestMemoryError) return { error: ERROR_RESOURCE_DATA_NOT_FOUND };
    throw e;
  }
}

/** A resource's data address and size. `h` 0 means the module the HRSRC lies in. */
export function resourceData(ctx: ApiContext, h: number, hrsrc: number): { addr: number; size: number } {
  const owner = h !== 0 ? h : ctx.process.moduleAt(hrsrc) || ctx.process.moduleHandle(null);
  const img = imageOf(ctx, owner) ?? { base: owner - (owner % 4), flat: false };
  return { addr: rvaToAddress(ctx, img, ctx.mem.u32(hrsrc)), size: ctx.mem.u32(hrsrc + 4) };
}

/** A type or name argument: MAKEINTRESOURCE, "#123", or a name (compared upper-cased). */
export function readKey(ctx: ApiContext, p: number, cs: Charset): ResourceKey {
  if (p < 0x10000) return p;
  const s = cs === 'W' ? ctx.mem.wstring(p) : ansiToString(ctx, ctx.mem.cstringBytes(p));
  if (/^#\d+$/.test(s)) return Number(s.slice(1)) & 0xffff;
  return s.toUpperCase();
}

function fail(ctx: ApiContext, error: number): number {
  ctx.setLastError(error);
  return 0;
}

function findResourceEx(ctx: ApiContext, h: number, type: number, name: number, lang: number, cs: Charset): number {
  const r = findResource(ctx, h, readKey(ctx, type, cs), readKey(ctx, name, cs), lang);
  return 'hrsrc' in r ? r.hrsrc : fail(ctx, r.error);
}

export function FindResourceExW(ctx: ApiContext, h: number, type: number, name: number, lang: number): number {
  return findResourceEx(ctx, h, type, name, lang, 'W');
}

export function FindResourceExA(ctx: ApiContext, h: number, type: number, name: number, lang: number): number {
  return findResourceEx(ctx, h, type, name, lang, 'A');
}

/** Note the order: FindResource(module, name, type), FindResourceEx(module, type, name, lang). */
export function FindResourceW(ctx: ApiContext, h: number, name: number, type: number): number {
  return findResourceEx(ctx, h, type, name, 0, 'W');
}

export function FindResourceA(ctx: ApiContext, h: number, name: number, type: number): number {
  return findResourceEx(ctx, h, type, name, 0, 'A');
}

/** The data's address (resources are never moved, so the "global handle" is the pointer). */
export function LoadResource(ctx: ApiContext, h: number, hrsrc: number): number {
  if (hrsrc === 0) return 0;
  return resourceData(ctx, h, hrsrc).addr;
}

export function LockResource(_ctx: ApiContext, data: number): number {
  return data;
}

export function SizeofResource(ctx: ApiContext, h: number, hrsrc: number): number {
  if (hrsrc === 0) return 0;
  return resourceData(ctx, h, hrsrc).size;
}

/** Obsolete: there is nothing to free; FALSE as on 32-bit Windows. */
export function FreeResource(): number {
  return 0;
}

// ---- enumeration -----------------------------------------------------------------------------

/**
 * Calls `callback` with each entry of a resource directory level: an id as MAKEINTRESOURCE, a
 * name as a temporary string in the caller's character set. Stops when it returns FALSE (then
 * FALSE with ERROR_RESOURCE_ENUM_USER_STOP, as since Windows Vista).
 */
function enumerate(ctx: ApiContext, h: number, path: ResourceKey[], cs: Charset, call: (key: number) => bigint): number {
  let list: Entry[];
  try {
    const root = resourceRoot(ctx, imageOf(ctx, h));
    if (root === 0) return fail(ctx, ERROR_RESOURCE_DATA_NOT_FOUND);
    let dir = root;
    for (let i = 0; i < path.length; i++) {
      const e = lookup(entriesOf(ctx, root, dir), path[i]!);
      if (!e?.dir) return fail(ctx, i === 0 ? ERROR_RESOURCE_TYPE_NOT_FOUND : ERROR_RESOURCE_NAME_NOT_FOUND);
      dir = e.addr;
    }
    list = entriesOf(ctx, root, dir);
  } catch (e) {
    if (e instanceof GuestMemoryError) return fail(ctx, ERROR_RESOURCE_DATA_NOT_FOUND);
    throw e;
  }
  const heap = ctx.process.processHeap;
  for (const e of list) {
    let arg: number;
    if (e.text === undefined) arg = e.key as number;
    else {
      const units = stringToUnits(e.text + '\0');
      const bytes = cs === 'W' ? new Uint8Array(units.buffer) : unitsToAnsi(ctx, units);
      arg = ctx.process.heapAlloc(heap, bytes.length, 0);
      ctx.mem.write(arg, bytes);
    }
    let go: bigint;
    try {
      go = call(arg);
    } finally {
      if (e.text !== undefined) ctx.process.heapFree(heap, arg);
    }
    if ((go & 0xffffffffn) === 0n) return fail(ctx, ERROR_RESOURCE_ENUM_USER_STOP);
  }
  return 1;
}

function enumTypes(ctx: ApiContext, h: number, proc: number, param: bigint, cs: Charset): number {
  return enumerate(ctx, h, [], cs, (type) => ctx.callGuest(proc, [h, type, param]));
}

export function EnumResourceTypesW(ctx: ApiContext, h: number, proc: number, param: bigint): number {
  return enumTypes(ctx, h, proc, param, 'W');
}

export function EnumResourceTypesA(ctx: ApiContext, h: number, proc: number, param: bigint): number {
  return enumTypes(ctx, h, proc, param, 'A');
}

function enumNames(ctx: ApiContext, h: number, type: number, proc: number, param: bigint, cs: Charset): number {
  return enumerate(ctx, h, [readKey(ctx, type, cs)], cs, (name) => ctx.callGuest(proc, [h, type, name, param]));
}

export function EnumResourceNamesW(ctx: ApiContext, h: number, type: number, proc: number, param: bigint): number {
  return enumNames(ctx, h, type, proc, param, 'W');
}

export function EnumResourceNamesA(ctx: ApiContext, h: number, type: number, proc: number, param: bigint): number {
  return enumNames(ctx, h, type, proc, param, 'A');
}

function enumLanguages(ctx: ApiContext, h: number, type: number, name: number, proc: number, param: bigint, cs: Charset): number {
  return enumerate(ctx, h, [readKey(ctx, type, cs), readKey(ctx, name, cs)], cs, (lang) => ctx.callGuest(proc, [h, type, name, lang, param]));
}

export function EnumResourceLanguagesW(ctx: ApiContext, h: number, type: number, name: number, proc: number, param: bigint): number {
  return enumLanguages(ctx, h, type, name, proc, param, 'W');
}

export function EnumResourceLanguagesA(ctx: ApiContext, h: number, type: number, name: number, proc: number, param: bigint): number {
  return enumLanguages(ctx, h, type, name, proc, param, 'A');
}
