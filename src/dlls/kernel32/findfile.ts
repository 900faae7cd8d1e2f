/**
 * FindFirstFile / FindNextFile / FindClose. A search reads the directory once and keeps its
 * results as ready WIN32_FIND_DATAW records in a block on the process heap (guest memory,
 * DESIGN.md §5); the handle's value is the block's address:
 *   u32 next, u32 count, then `count` records (see RECORD).
 * Wildcards match the Windows way: case-insensitive, `*.*` is everything, `?` also matches
 * nothing at the end of a name or before its dot, a trailing `.` matches names without one.
 */
import { failed, type HostStat } from '../../host/fs.js';
import { attributesOf, fileTimeOf } from '../../kernel/files.js';
import { HandleType } from '../../kernel/handles.js';
import { ERROR_FILE_NOT_FOUND, ERROR_INVALID_HANDLE, ERROR_NOT_ENOUGH_MEMORY, ERROR_INVALID_PARAMETER, ERROR_NO_MORE_FILES, ERROR_PATH_NOT_FOUND, win32FromErrno } from '../../kernel/win32error.js';
import type { ApiContext } from '../types.js';
import { fullPath, readPath, type Charset } from './pathstr.js';

const RECORD_W = 592;
const RECORD_A = 320;
const HEADER = 16;
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

/** A search block record: WIN32_FIND_DATAW (592 bytes), then the name in the ANSI code page
 *  (260 bytes with its NUL) so that the A calls copy instead of converting. */
const RECORD = RECORD_W + 264;

/** Fills record `i` of a search block being built in JS (one write to guest memory after). */
function putRecord(dv: DataView, bytes: Uint8Array, i: number, name: string, st: HostStat): void {
  const at = HEADER + i * RECORD;
  dv.setUint32(at, attributesOf(st), true);
  dv.setBigUint64(at + 4, fileTimeOf(st.birthtimeNs), true);
  dv.setBigUint64(at + 12, fileTimeOf(st.atimeNs), true);
  dv.setBigUint64(at + 20, fileTimeOf(st.mtimeNs), true);
  const size = st.isDirectory ? 0n : st.size;
  dv.setUint32(at + 28, Number(size >> 32n), true);
  dv.setUint32(at + 32, Number(size & 0xffffffffn), true);
  const n = Math.min(name.length, 259);
  for (let k = 0; k < n; k++) dv.setUint16(at + 44 + 2 * k, name.charCodeAt(k), true);
  ENCODER.encodeInto(name, bytes.subarray(at + RECORD_W, at + RECORD_W + 259));
}

/** Copies record `i` of a search block to the caller's WIN32_FIND_DATA{A,W}. */
function copyOut(ctx: ApiContext, block: number, i: number, out: number, cs: Charset): void {
  const rec = block + HEADER + i * RECORD;
  const m = ctx.mem;
  if (cs === 'W') {
    m.check(out, RECORD_W, true);
    m.copy(out, rec, RECORD_W);
    return;
  }
  m.check(out, RECORD_A, true);
  m.copy(out, rec, 44);
  m.copy(out + 44, rec + RECORD_W, 260);
  m.fill(out + 304, 0, RECORD_A - 304);
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
  const names = listing.sort((a, b) => {
    const x = a.toUpperCase();
    const y = b.toUpperCase();
    return x < y ? -1 : x > y ? 1 : 0;
  });
  if (!isRoot) names.unshift('.', '..');
  const found: [string, HostStat][] = [];
  const base = dir.unix === '/' ? '' : dir.unix;
  for (const n of names) {
    if (!wildcardMatch(mask, n)) continue;
    const st = n === '.' ? dst : fs.stat(n === '..' ? base.slice(0, base.lastIndexOf('/')) || '/' : base + '/' + n);
    if (failed(st)) continue; // a dangling link: Windows would not list it either
    found.push([n, st]);
  }
  if (found.length === 0) return fail(ERROR_FILE_NOT_FOUND);
  const size = HEADER + found.length * RECORD;
  const block = ctx.process.heapAlloc(ctx.process.processHeap, size, 0);
  if (block === 0) return fail(ERROR_NOT_ENOUGH_MEMORY);
  const bytes = new Uint8Array(size);
  const dv = new DataView(bytes.buffer);
  dv.setUint32(0, 1, true);
  dv.setUint32(4, found.length, true);
  found.forEach(([n, st], i) => putRecord(dv, bytes, i, n, st));
  ctx.mem.write(block, bytes);
  const h = ctx.process.handles.allocate(HandleType.Find, block);
  copyOut(ctx, block, 0, out, cs);
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
  const block = o.value;
  const next = ctx.mem.u32(block);
  if (next >= ctx.mem.u32(block + 4)) {
    ctx.setLastError(ERROR_NO_MORE_FILES);
    return 0;
  }
  copyOut(ctx, block, next, out, cs);
  ctx.mem.setU32(block, next + 1);
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
  ctx.process.heapFree(ctx.process.processHeap, o.value);
  return 1;
}
