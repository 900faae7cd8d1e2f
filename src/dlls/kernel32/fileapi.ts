/** Files and directories (fileapi.h, processenv.h): CreateFile and the handle calls, attributes,
 *  times, and the directory operations, over kernel/files.ts. */
import { failed, type HostResult, type HostStat } from '../../host/fs.js';
import {
  attributesOf,
  deleteAllowed,
  modeForAttributes,
  fileTimeOf,
  fileType,
  FILE_TYPE_UNKNOWN,
  INVALID_FILE_ATTRIBUTES,
  missingError,
  openFile,
  readHandle,
  seekHandle,
  statHandle,
  unixNsOf,
  writeHandle,
  setEndOfFile,
  flushHandle,
  renamePath,
  CREATE_ALWAYS,
  OPEN_ALWAYS,
  openDevice,
  fdOfHandle,
  FILE_SHARE_DELETE,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
} from '../../kernel/files.js';
import {
  ERROR_ACCESS_DENIED,
  ERROR_ALREADY_EXISTS,
  ERROR_BROKEN_PIPE,
  ERROR_DIRECTORY,
  ERROR_FILE_EXISTS,
  ERROR_INVALID_HANDLE,
  ERROR_INVALID_PARAMETER,
  ERROR_PATH_NOT_FOUND,
  ERROR_SHARING_VIOLATION,
  ERROR_SUCCESS,
  win32FromErrno,
} from '../../kernel/win32error.js';
import { VOLUME_SERIAL } from '../../kernel/volume.js';
import type { ApiContext } from '../types.js';
import { readPath, resolve, unixPath, type Charset } from './pathstr.js';
import { inheritFlag } from './handleapi.js';
import { HandleType } from '../../kernel/handles.js';
import { pipeNameOf } from '../../kernel/namedpipes.js';
import { namedPipeSlot, openNamedPipeClient, readNamedPipe, writeNamedPipe } from './namedpipeapi.js';

const INVALID_HANDLE_VALUE = -1;
const STD_INPUT_HANDLE = -10;
const STD_ERROR_HANDLE = -12;

export function GetStdHandle(ctx: ApiContext, which: number): number {
  if (which > STD_INPUT_HANDLE || which < STD_ERROR_HANDLE) {
    ctx.setLastError(ERROR_INVALID_HANDLE);
    return INVALID_HANDLE_VALUE;
  }
  return ctx.process.stdHandles[STD_INPUT_HANDLE - which]!;
}

export function SetStdHandle(ctx: ApiContext, which: number, h: number): number {
  if (which > STD_INPUT_HANDLE || which < STD_ERROR_HANDLE) {
    ctx.setLastError(ERROR_INVALID_HANDLE);
    return 0;
  }
  ctx.process.stdHandles[STD_INPUT_HANDLE - which] = h;
  return 1;
}

function fail(ctx: ApiContext, error: number, value = 0): number {
  ctx.setLastError(error);
  return value;
}

function createFile(ctx: ApiContext, cs: Charset, name: number, access: number, share: number, sa: number, disposition: number, flags: number, _template: number): number {
  if (name === 0) return fail(ctx, ERROR_PATH_NOT_FOUND, INVALID_HANDLE_VALUE);
  const path = readPath(ctx, name, cs);
  const pipe = pipeNameOf(path);
  if (pipe !== undefined) return openNamedPipeClient(ctx, pipe, access, sa);
  const r = resolve(ctx, path);
  if (r.kind === 'error') return fail(ctx, r.error, INVALID_HANDLE_VALUE);
  if (r.kind === 'device') {
    const d = openDevice(ctx.process, r.device, access, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE);
    return d.ok ? d.value.handle : fail(ctx, d.error, INVALID_HANDLE_VALUE);
  }
  const o = openFile(ctx.process, r.unix, access, share, disposition, flags);
  if (!o.ok) return fail(ctx, o.error, INVALID_HANDLE_VALUE);
  const inherit = inheritFlag(ctx, sa);
  if (inherit) ctx.process.handles.updateFlags(o.value.handle, inherit);
  if (disposition === CREATE_ALWAYS || disposition === OPEN_ALWAYS) ctx.setLastError(o.value.existed ? ERROR_ALREADY_EXISTS : ERROR_SUCCESS);
  return o.value.handle;
}

export const CreateFileW = (ctx: ApiContext, ...a: [number, number, number, number, number, number, number]): number => createFile(ctx, 'W', ...a);
export const CreateFileA = (ctx: ApiContext, ...a: [number, number, number, number, number, number, number]): number => createFile(ctx, 'A', ...a);

function overlappedOffset(ctx: ApiContext, ov: number): bigint | null {
  if (ov === 0) return null;
  return (BigInt(ctx.mem.u32(ov + 20)) << 32n) | BigInt(ctx.mem.u32(ov + 16));
}

export function ReadFile(ctx: ApiContext, h: number, buf: number, n: number, read: number, ov: number): number {
  if (read) ctx.mem.setU32(read, 0);
  const view = ctx.mem.view(buf, n, true);
  const pipe = namedPipeSlot(ctx, h);
  if (pipe >= 0) return pipeResult(ctx, readNamedPipe(ctx, pipe, view), read, ov);
  const r = readHandle(ctx.process, h, view, overlappedOffset(ctx, ov));
  if (!r.ok) return fail(ctx, r.error);
  // A pipe whose writers are all gone reads as ERROR_BROKEN_PIPE, not as an empty read.
  if (r.value === 0 && n > 0 && ctx.process.handles.lookup(h)?.type === HandleType.Pipe) return fail(ctx, ERROR_BROKEN_PIPE);
  if (read) ctx.mem.setU32(read, r.value);
  if (ov) ctx.mem.setU64(ov + 8, r.value);
  return 1;
}

/** A named pipe's ReadFile/WriteFile result: ERROR_MORE_DATA fails with the count set. */
function pipeResult(ctx: ApiContext, r: { error?: number; value?: number }, count: number, ov: number): number {
  if (r.value !== undefined) {
    if (count) ctx.mem.setU32(count, r.value);
    if (ov) ctx.mem.setU64(ov + 8, r.value);
  }
  return r.error !== undefined ? fail(ctx, r.error) : 1;
}

export function WriteFile(ctx: ApiContext, h: number, buf: number, n: number, written: number, ov: number): number {
  if (written) ctx.mem.setU32(written, 0);
  const view = ctx.mem.view(buf, n, false);
  const pipe = namedPipeSlot(ctx, h);
  if (pipe >= 0) return pipeResult(ctx, writeNamedPipe(ctx, pipe, view), written, ov);
  const r = writeHandle(ctx.process, h, view, overlappedOffset(ctx, ov));
  if (!r.ok) return fail(ctx, r.error);
  if (written) ctx.mem.setU32(written, r.value);
  if (ov) ctx.mem.setU64(ov + 8, r.value);
  return 1;
}

export function GetFileType(ctx: ApiContext, h: number): number {
  if (namedPipeSlot(ctx, h) >= 0) return 3; // FILE_TYPE_PIPE
  const r = fileType(ctx.process, h);
  if (!r.ok) return fail(ctx, r.error, FILE_TYPE_UNKNOWN);
  return r.value;
}

export function SetFilePointer(ctx: ApiContext, h: number, lo: number, high: number, method: number): number {
  const dist = high ? (BigInt(ctx.mem.i32(high)) << 32n) | BigInt(lo >>> 0) : BigInt(lo | 0);
  const r = seekHandle(ctx.process, h, dist, method);
  if (!r.ok) return fail(ctx, r.error, 0xffffffff);
  if (high) ctx.mem.setU32(high, Number(r.value >> 32n));
  const low = Number(r.value & 0xffffffffn);
  if (low === 0xffffffff) ctx.setLastError(ERROR_SUCCESS);
  return low;
}

export function SetFilePointerEx(ctx: ApiContext, h: number, dist: bigint, newPos: number, method: number): number {
  const r = seekHandle(ctx.process, h, dist, method);
  if (!r.ok) return fail(ctx, r.error);
  if (newPos) ctx.mem.setU64(newPos, r.value);
  return 1;
}

export function SetEndOfFile(ctx: ApiContext, h: number): number {
  const r = setEndOfFile(ctx.process, h, null);
  return r.ok ? 1 : fail(ctx, r.error);
}

export function FlushFileBuffers(ctx: ApiContext, h: number): number {
  const r = flushHandle(ctx.process, h);
  return r.ok ? 1 : fail(ctx, r.error);
}

export function GetFileSize(ctx: ApiContext, h: number, high: number): number {
  const st = statHandle(ctx.process, h);
  if (!st.ok) return fail(ctx, st.error, 0xffffffff);
  if (high) ctx.mem.setU32(high, Number(st.value.size >> 32n));
  const low = Number(st.value.size & 0xffffffffn);
  if (low === 0xffffffff) ctx.setLastError(ERROR_SUCCESS);
  return low;
}

export function GetFileSizeEx(ctx: ApiContext, h: number, out: number): number {
  const st = statHandle(ctx.process, h);
  if (!st.ok) return fail(ctx, st.error);
  ctx.mem.setU64(out, st.value.size);
  return 1;
}

export function GetFileInformationByHandle(ctx: ApiContext, h: number, info: number): number {
  const r = statHandle(ctx.process, h);
  if (!r.ok) return fail(ctx, r.error);
  const st = r.value;
  const m = ctx.mem;
  m.check(info, 52, true);
  m.setU32(info, attributesOf(st));
  m.setU64(info + 4, fileTimeOf(st.birthtimeNs));
  m.setU64(info + 12, fileTimeOf(st.atimeNs));
  m.setU64(info + 20, fileTimeOf(st.mtimeNs));
  m.setU32(info + 28, VOLUME_SERIAL);
  m.setU32(info + 32, Number(st.size >> 32n));
  m.setU32(info + 36, Number(st.size & 0xffffffffn));
  m.setU32(info + 40, st.nlink);
  m.setU32(info + 44, Number((st.ino >> 32n) & 0xffffffffn));
  m.setU32(info + 48, Number(st.ino & 0xffffffffn));
  return 1;
}

export function GetFileTime(ctx: ApiContext, h: number, c: number, a: number, w: number): number {
  const r = statHandle(ctx.process, h);
  if (!r.ok) return fail(ctx, r.error);
  if (c) ctx.mem.setU64(c, fileTimeOf(r.value.birthtimeNs));
  if (a) ctx.mem.setU64(a, fileTimeOf(r.value.atimeNs));
  if (w) ctx.mem.setU64(w, fileTimeOf(r.value.mtimeNs));
  return 1;
}

export function SetFileTime(ctx: ApiContext, h: number, _c: number, a: number, w: number): number {
  const r = statHandle(ctx.process, h);
  if (!r.ok) return fail(ctx, r.error);
  // A FILETIME of 0 (or a NULL pointer) keeps the current time; creation time cannot be set on Linux.
  const pick = (p: number, cur: bigint): bigint => {
    if (!p) return cur;
    const ft = ctx.mem.u64(p);
    return ft === 0n || ft === 0xffffffffffffffffn ? cur : unixNsOf(ft);
  };
  const u = ctx.process.fs.futimes(fdOfHandle(ctx.process, h), pick(a, r.value.atimeNs), pick(w, r.value.mtimeNs));
  if (failed(u)) return fail(ctx, win32FromErrno(u.errno));
  return 1;
}

// ---- by path --------------------------------------------------------------------------------

export function statPath(ctx: ApiContext, cs: Charset, name: number): { unix: string; st: HostResult<HostStat> } | undefined {
  const unix = unixPath(ctx, readPath(ctx, name, cs));
  if (unix === undefined) return undefined;
  return { unix, st: ctx.process.fs.stat(unix) };
}

/** The file a path names, which must exist; else the last error is set (FILE_NOT_FOUND or
 *  PATH_NOT_FOUND as its directory exists or not) and the result is undefined. */
export function existing(ctx: ApiContext, cs: Charset, name: number): { unix: string; st: HostStat } | undefined {
  const p = statPath(ctx, cs, name);
  if (!p) return undefined;
  if (failed(p.st)) {
    ctx.setLastError(p.st.errno === 'ENOENT' ? missingError(ctx.process, p.unix) : win32FromErrno(p.st.errno));
    return undefined;
  }
  return { unix: p.unix, st: p.st };
}

function getFileAttributes(ctx: ApiContext, cs: Charset, name: number): number {
  const p = existing(ctx, cs, name);
  if (!p) return INVALID_FILE_ATTRIBUTES;
  return attributesOf(p.st);
}
export const GetFileAttributesW = (ctx: ApiContext, name: number): number => getFileAttributes(ctx, 'W', name);
export const GetFileAttributesA = (ctx: ApiContext, name: number): number => getFileAttributes(ctx, 'A', name);

function getFileAttributesEx(ctx: ApiContext, cs: Charset, name: number, level: number, out: number): number {
  if (level !== 0) return fail(ctx, ERROR_INVALID_PARAMETER);
  const p = existing(ctx, cs, name);
  if (!p) return 0;
  const st = p.st;
  const m = ctx.mem;
  m.check(out, 36, true);
  m.setU32(out, attributesOf(st));
  m.setU64(out + 4, fileTimeOf(st.birthtimeNs));
  m.setU64(out + 12, fileTimeOf(st.atimeNs));
  m.setU64(out + 20, fileTimeOf(st.mtimeNs));
  m.setU32(out + 28, st.isDirectory ? 0 : Number(st.size >> 32n));
  m.setU32(out + 32, st.isDirectory ? 0 : Number(st.size & 0xffffffffn));
  return 1;
}
export const GetFileAttributesExW = (ctx: ApiContext, name: number, level: number, out: number): number => getFileAttributesEx(ctx, 'W', name, level, out);
export const GetFileAttributesExA = (ctx: ApiContext, name: number, level: number, out: number): number => getFileAttributesEx(ctx, 'A', name, level, out);

function setFileAttributes(ctx: ApiContext, cs: Charset, name: number, attrs: number): number {
  const p = existing(ctx, cs, name);
  if (!p) return 0;
  // Only READONLY has a Unix meaning: the write bits. The rest are accepted and not kept.
  const r = ctx.process.fs.chmod(p.unix, modeForAttributes(p.st.mode, attrs));
  if (failed(r)) return fail(ctx, win32FromErrno(r.errno));
  return 1;
}
export const SetFileAttributesW = (ctx: ApiContext, name: number, attrs: number): number => setFileAttributes(ctx, 'W', name, attrs);
export const SetFileAttributesA = (ctx: ApiContext, name: number, attrs: number): number => setFileAttributes(ctx, 'A', name, attrs);

function deleteFile(ctx: ApiContext, cs: Charset, name: number): number {
  const p = existing(ctx, cs, name);
  if (!p) return 0;
  if (p.st.isDirectory || (p.st.mode & 0o222) === 0) return fail(ctx, ERROR_ACCESS_DENIED);
  if (!deleteAllowed(ctx.process, p.unix)) return fail(ctx, ERROR_SHARING_VIOLATION);
  const r = ctx.process.fs.unlink(p.unix);
  if (failed(r)) return fail(ctx, win32FromErrno(r.errno));
  return 1;
}
export const DeleteFileW = (ctx: ApiContext, name: number): number => deleteFile(ctx, 'W', name);
export const DeleteFileA = (ctx: ApiContext, name: number): number => deleteFile(ctx, 'A', name);

function createDirectory(ctx: ApiContext, cs: Charset, name: number): number {
  const unix = unixPath(ctx, readPath(ctx, name, cs));
  if (unix === undefined) return 0;
  const r = ctx.process.fs.mkdir(unix);
  if (failed(r)) return fail(ctx, r.errno === 'ENOENT' ? ERROR_PATH_NOT_FOUND : win32FromErrno(r.errno));
  return 1;
}
export const CreateDirectoryW = (ctx: ApiContext, name: number, _sa: number): number => createDirectory(ctx, 'W', name);
export const CreateDirectoryA = (ctx: ApiContext, name: number, _sa: number): number => createDirectory(ctx, 'A', name);

function removeDirectory(ctx: ApiContext, cs: Charset, name: number): number {
  const p = existing(ctx, cs, name);
  if (!p) return 0;
  if (!p.st.isDirectory) return fail(ctx, ERROR_DIRECTORY);
  const r = ctx.process.fs.rmdir(p.unix);
  if (failed(r)) return fail(ctx, win32FromErrno(r.errno));
  return 1;
}
export const RemoveDirectoryW = (ctx: ApiContext, name: number): number => removeDirectory(ctx, 'W', name);
export const RemoveDirectoryA = (ctx: ApiContext, name: number): number => removeDirectory(ctx, 'A', name);

const MOVEFILE_REPLACE_EXISTING = 1;
const MOVEFILE_COPY_ALLOWED = 2;

function moveFile(ctx: ApiContext, cs: Charset, from: number, to: number, flags: number): number {
  const src = existing(ctx, cs, from);
  if (!src) return 0;
  if (to === 0) return fail(ctx, ERROR_INVALID_PARAMETER); // delayed deletion needs MOVEFILE_DELAY_UNTIL_REBOOT
  const dst = statPath(ctx, cs, to);
  if (!dst) return 0;
  const r = renamePath(ctx.process, src.unix, src.st, dst.unix, (flags & MOVEFILE_REPLACE_EXISTING) !== 0, (flags & MOVEFILE_COPY_ALLOWED) !== 0);
  return r.ok ? 1 : fail(ctx, r.error);
}
export const MoveFileW = (ctx: ApiContext, from: number, to: number): number => moveFile(ctx, 'W', from, to, MOVEFILE_COPY_ALLOWED);
export const MoveFileA = (ctx: ApiContext, from: number, to: number): number => moveFile(ctx, 'A', from, to, MOVEFILE_COPY_ALLOWED);
export const MoveFileExW = (ctx: ApiContext, from: number, to: number, flags: number): number => moveFile(ctx, 'W', from, to, flags);
export const MoveFileExA = (ctx: ApiContext, from: number, to: number, flags: number): number => moveFile(ctx, 'A', from, to, flags);

function copyFile(ctx: ApiContext, cs: Charset, from: number, to: number, failIfExists: number): number {
  const src = existing(ctx, cs, from);
  if (!src) return 0;
  if (src.st.isDirectory) return fail(ctx, ERROR_ACCESS_DENIED);
  const dst = statPath(ctx, cs, to);
  if (!dst) return 0;
  if (!failed(dst.st)) {
    if (failIfExists) return fail(ctx, ERROR_FILE_EXISTS);
    if (dst.st.isDirectory || (dst.st.mode & 0o222) === 0) return fail(ctx, ERROR_ACCESS_DENIED);
  }
  const r = ctx.process.fs.copyFile(src.unix, dst.unix, failIfExists !== 0);
  if (!failed(r)) ctx.setLastError(0);
  if (failed(r)) return fail(ctx, r.errno === 'ENOENT' ? ERROR_PATH_NOT_FOUND : r.errno === 'EEXIST' ? ERROR_FILE_EXISTS : win32FromErrno(r.errno));
  return 1;
}
export const CopyFileW = (ctx: ApiContext, from: number, to: number, f: number): number => copyFile(ctx, 'W', from, to, f);
export const CopyFileA = (ctx: ApiContext, from: number, to: number, f: number): number => copyFile(ctx, 'A', from, to, f);
const COPY_FILE_FAIL_IF_EXISTS = 1;
export const CopyFileExW = (ctx: ApiContext, from: number, to: number, _p: number, _d: number, _c: number, flags: number): number => copyFile(ctx, 'W', from, to, flags & COPY_FILE_FAIL_IF_EXISTS);
export const CopyFileExA = (ctx: ApiContext, from: number, to: number, _p: number, _d: number, _c: number, flags: number): number => copyFile(ctx, 'A', from, to, flags & COPY_FILE_FAIL_IF_EXISTS);

function createHardLink(ctx: ApiContext, cs: Charset, link: number, existing: number): number {
  const dst = unixPath(ctx, readPath(ctx, link, cs));
  const src = dst === undefined ? undefined : unixPath(ctx, readPath(ctx, existing, cs));
  if (dst === undefined || src === undefined) return 0;
  const r = ctx.process.fs.link(src, dst);
  if (failed(r)) return fail(ctx, r.errno === 'ENOENT' ? missingError(ctx.process, src) : win32FromErrno(r.errno));
  return 1;
}
export const CreateHardLinkW = (ctx: ApiContext, link: number, existing: number, _sa: number): number => createHardLink(ctx, 'W', link, existing);
export const CreateHardLinkA = (ctx: ApiContext, link: number, existing: number, _sa: number): number => createHardLink(ctx, 'A', link, existing);
