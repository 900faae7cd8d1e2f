/**
 * FindFirstFile / FindNextFile / FindClose. A search reads and sorts the directory's matching
 * names once and keeps them in a block on the process heap (guest memory, DESIGN.md §5; layout
 * in kernel/searchblock.ts); each FindNextFile stats its entry then (through a descriptor of
 * the directory, statx), as Windows reads a directory as it goes. FindNextFile usually runs as
 * machine code (native/iofast.ts) that does the same from the same block; what it does not
 * handle comes here.
 * Wildcards match the Windows way: case-insensitive, `*.*` is everything, `?` also matches
 * nothing at the end of a name or before its dot, a trailing `.` matches names without one.
 */
import { failed, type ListingStat } from '../../host/fs.js';
import { FILE_ATTRIBUTE_ARCHIVE, FILE_ATTRIBUTE_DIRECTORY, FILE_ATTRIBUTE_READONLY, fileTimeParts } from '../../kernel/files.js';
import { HandleType } from '../../kernel/handles.js';
import { ERROR_FILE_NOT_FOUND, ERROR_INVALID_HANDLE, ERROR_NOT_ENOUGH_MEMORY, ERROR_INVALID_PARAMETER, ERROR_NO_MORE_FILES, ERROR_PATH_NOT_FOUND, win32FromErrno } from '../../kernel/win32error.js';
import {
  ENTRY_LEN16,
  ENTRY_LEN8,
  ENTRY_NAME16,
  ENTRY_NAME8,
  FIND_DATA_A,
  FIND_DATA_NAME,
  FIND_DATA_W,
  FIND_NAME_MAX,
  SEARCH_COUNT,
  SEARCH_DIRFD,
  SEARCH_ENTRIES,
  SEARCH_ENTRY_SIZE,
  SEARCH_NEXT,
} from '../../kernel/searchblock.js';
import type { ApiContext } from '../types.js';
import { encoded, fullPath, readPath, type Charset } from './pathstr.js';

const INVALID_HANDLE_VALUE = -1;

/** Windows wildcard match of `name` against `mask` (both compared upper-cased). */
export function wildcardMatch(mask: string, name: string): boolean {
  if (mask === '*' || mask === '*.*') return true;
  const m = mask.toUpperCase();
  const n = name.toUpperCase();
  const lastDot = n.lastIndexOf('.');
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = i * 65536 + j;
    const hit = memo.get(key);
    if (hit !== undefined) return hit;
    let r: boolean;
    if (i === m.length) r = j === n.length;
    else {
      const c = m[i]!;
      // A `*` before a `.` stops at the name's last dot (DOS_STAR).
      if (c === '*') r = go(i + 1, j) || (j < n.length && !(m[i + 1] === '.' && j === lastDot) && go(i, j + 1));
      else if (c === '?') r = (j < n.length && go(i + 1, j + 1)) || ((j === n.length || n[j] === '.') && go(i + 1, j));
      // A `.` also matches the end of a name when only wildcards follow it (DOS_DOT).
      else if (c === '.' && j === n.length) r = /^[.?*]*$/.test(m.slice(i + 1));
      else r = j < n.length && n[j] === c && go(i + 1, j + 1);
    }
    memo.set(key, r);
    return r;
  };
  return go(0, 0);
}

const ENCODER = new TextEncoder();

const UTF16 = new TextDecoder('utf-16le');

/** Fills the caller's WIN32_FIND_DATA{W,A} for `name`, straight into guest memory. */
function putRecord(ctx: ApiContext, out: number, name: string, st: ListingStat, cs: Charset): void {
  const size = cs === 'W' ? FIND_DATA_W : FIND_DATA_A;
  const m = ctx.mem;
  m.check(out, size, true);
  m.fill(out, 0, size);
  const { dv, u8, off } = m.window(out);
  const readonly = (st.mode & 0o222) === 0 ? FILE_ATTRIBUTE_READONLY : 0;
  dv.setUint32(off, (st.isDirectory ? FILE_ATTRIBUTE_DIRECTORY : FILE_ATTRIBUTE_ARCHIVE) | readonly, true);
  const time = (at: number, sec: number, nsec: number): void => {
    const [lo, hi] = fileTimeParts(sec, nsec);
    dv.setUint32(off + at, lo, true);
    dv.setUint32(off + at + 4, hi, true);
  };
  time(4, st.btimeSec, st.btimeNsec);
  time(12, st.atimeSec, st.atimeNsec);
  time(20, st.mtimeSec, st.mtimeNsec);
  const bytes = st.isDirectory ? 0 : st.size;
  dv.setUint32(off + 28, Math.floor(bytes / 0x100000000), true);
  dv.setUint32(off + 32, bytes % 0x100000000, true);
  if (cs === 'W') {
    const n = Math.min(name.length, FIND_NAME_MAX);
    for (let k = 0; k < n; k++) dv.setUint16(off + FIND_DATA_NAME + 2 * k, name.charCodeAt(k), true);
  } else u8.set((encoded(ctx, name, 'A') as Uint8Array).subarray(0, FIND_NAME_MAX), off + FIND_DATA_NAME);
}

/** Name `i` of a search block. */
function nameAt(ctx: ApiContext, block: number, i: number): string {
  const m = ctx.mem;
  const e = block + SEARCH_ENTRIES + SEARCH_ENTRY_SIZE * i;
  return UTF16.decode(m.view(block + m.u32(e + ENTRY_NAME16), 2 * m.u32(e + ENTRY_LEN16), false));
}

/** Fills `out` with the next entry that still exists; false at the end. */
function advance(ctx: ApiContext, block: number, out: number, cs: Charset): boolean {
  const m = ctx.mem;
  const dirfd = m.i32(block + SEARCH_DIRFD);
  for (let i = m.u32(block + SEARCH_NEXT); i < m.u32(block + SEARCH_COUNT); i++) {
    const name = nameAt(ctx, block, i);
    const st = ctx.process.fs.listingStatAt(dirfd, name);
    if (failed(st)) continue; // gone since, or a dangling link: Windows would not list it either
    m.setU32(block + SEARCH_NEXT, i + 1);
    putRecord(ctx, out, name, st, cs);
    return true;
  }
  m.setU32(block + SEARCH_NEXT, m.u32(block + SEARCH_COUNT));
  return false;
}

function closeSearch(ctx: ApiContext, block: number): void {
  ctx.process.fs.close(ctx.mem.i32(block + SEARCH_DIRFD));
  ctx.process.heapFree(ctx.process.processHeap, block);
}

function findFirst(ctx: ApiContext, cs: Charset, pattern: number, out: number): number {
  const fail = (e: number): number => {
    ctx.setLastError(e);
    return INVALID_HANDLE_VALUE;
  };
  const text = readPath(ctx, pattern, cs);
  if (text === '') return fail(ERROR_FILE_NOT_FOUND);
  if (/[\\/]$/.test(text)) return fail(ERROR_FILE_NOT_FOUND);
  const full = fullPath(ctx, text);
  if (full === undefined) return fail(ERROR_PATH_NOT_FOUND);
  const cut = full.lastIndexOf('\\');
  const dirDos = full.slice(0, cut + 1);
  // The mask is the pattern's own last component (GetFullPathName would strip its dots).
  const mask = text.slice(Math.max(text.lastIndexOf('\\'), text.lastIndexOf('/')) + 1).replace(/^[a-zA-Z]:/, '');
  const dir = ctx.process.drives.resolve(dirDos);
  if (dir.kind !== 'file') return fail(dir.kind === 'error' ? dir.error : ERROR_FILE_NOT_FOUND);
  const fs = ctx.process.fs;
  const dst = fs.stat(dir.unix);
  if (failed(dst) || !dst.isDirectory) return fail(ERROR_PATH_NOT_FOUND);
  const listing = fs.readdir(dir.unix);
  if (failed(listing)) return fail(win32FromErrno(listing.errno));
  const isRoot = /^[a-zA-Z]:\\$/.test(dirDos);
  const keyed = listing.map((n) => [n.toUpperCase(), n] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  const matchAll = mask === '*' || mask === '*.*';
  const names = (isRoot ? [] : ['.', '..']).concat(keyed.map((k) => k[1])).filter((n) => matchAll || wildcardMatch(mask, n));
  if (names.length === 0) return fail(ERROR_FILE_NOT_FOUND);
  const dirfd = fs.openDir(dir.unix);
  if (failed(dirfd)) return fail(win32FromErrno(dirfd.errno));
  // Each name twice: UTF-8 with a NUL for statx and the A record, UTF-16 for the W record.
  const utf8 = names.map((n) => ENCODER.encode(n));
  const text8 = SEARCH_ENTRIES + SEARCH_ENTRY_SIZE * names.length;
  let bytes8 = 0;
  for (const b of utf8) bytes8 += b.length + 1;
  const text16 = text8 + bytes8 + (bytes8 & 1);
  let units = 0;
  for (const n of names) units += n.length;
  const size = text16 + 2 * units;
  const block = ctx.process.heapAlloc(ctx.process.processHeap, size, 0);
  if (block === 0) {
    fs.close(dirfd);
    return fail(ERROR_NOT_ENOUGH_MEMORY);
  }
  const bytes = new Uint8Array(size);
  const dv = new DataView(bytes.buffer);
  dv.setUint32(SEARCH_COUNT, names.length, true);
  dv.setInt32(SEARCH_DIRFD, dirfd, true);
  let at8 = text8;
  let at16 = text16;
  names.forEach((n, i) => {
    const e = SEARCH_ENTRIES + SEARCH_ENTRY_SIZE * i;
    const b = utf8[i]!;
    dv.setUint32(e + ENTRY_NAME8, at8, true);
    dv.setUint32(e + ENTRY_LEN8, b.length, true);
    bytes.set(b, at8);
    at8 += b.length + 1;
    dv.setUint32(e + ENTRY_NAME16, at16, true);
    dv.setUint32(e + ENTRY_LEN16, n.length, true);
    for (let k = 0; k < n.length; k++) dv.setUint16(at16 + 2 * k, n.charCodeAt(k), true);
    at16 += 2 * n.length;
  });
  ctx.mem.write(block, bytes);
  if (!advance(ctx, block, out, cs)) {
    closeSearch(ctx, block);
    return fail(ERROR_FILE_NOT_FOUND);
  }
  const h = ctx.process.handles.allocate(HandleType.Find, block);
  return h;
}

export const FindFirstFileW = (ctx: ApiContext, pattern: number, out: number): number => findFirst(ctx, 'W', pattern, out);
export const FindFirstFileA = (ctx: ApiContext, pattern: number, out: number): number => findFirst(ctx, 'A', pattern, out);

function findFirstEx(ctx: ApiContext, cs: Charset, pattern: number, level: number, out: number, op: number, filter: number): number {
  // FindExInfoStandard (0) and FindExInfoBasic (1); FindExSearchNameMatch (0) or
  // FindExSearchLimitToDirectories (1), which is only a hint.
  if (level > 1 || op > 1 || filter !== 0) {
    ctx.setLastError(ERROR_INVALID_PARAMETER);
    return INVALID_HANDLE_VALUE;
  }
  return findFirst(ctx, cs, pattern, out);
}
export const FindFirstFileExW = (ctx: ApiContext, p: number, level: number, out: number, op: number, filter: number): number => findFirstEx(ctx, 'W', p, level, out, op, filter);
export const FindFirstFileExA = (ctx: ApiContext, p: number, level: number, out: number, op: number, filter: number): number => findFirstEx(ctx, 'A', p, level, out, op, filter);

function findNext(ctx: ApiContext, cs: Charset, h: number, out: number): number {
  const o = ctx.process.handles.lookup(h);
  if (!o || o.type !== HandleType.Find) {
    ctx.setLastError(ERROR_INVALID_HANDLE);
    return 0;
  }
  if (!advance(ctx, o.value, out, cs)) {
    ctx.setLastError(ERROR_NO_MORE_FILES);
    return 0;
  }
  return 1;
}
export const FindNextFileW = (ctx: ApiContext, h: number, out: number): number => findNext(ctx, 'W', h, out);
export const FindNextFileA = (ctx: ApiContext, h: number, out: number): number => findNext(ctx, 'A', h, out);

export function FindClose(ctx: ApiContext, h: number): number {
  const o = ctx.process.handles.lookup(h);
  if (!o || o.type !== HandleType.Find) {
    ctx.setLastError(ERROR_INVALID_HANDLE);
    return 0;
  }
  ctx.process.handles.close(h);
  closeSearch(ctx, o.value);
  return 1;
}
