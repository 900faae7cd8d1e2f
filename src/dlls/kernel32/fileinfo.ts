/**
 * Handle information by class (GetFileInformationByHandleEx, SetFileInformationByHandle),
 * ReplaceFile, and DeviceIoControl for the file-system controls programs probe.
 */
import { failed } from '../../host/fs.js';
import { attributesOf, deleteAllowed, FILE_DISPOSITION_DELETE, fileTimeOf, pathOfHandle, setDeleteDisposition, statHandle, modeForAttributes, unixNsOf } from '../../kernel/files.js';
import { HANDLE_DELETE_PENDING, HandleType } from '../../kernel/handles.js';
import { STATUS_SUCCESS, win32FromNtStatus } from '../../kernel/ntstatus.js';
import {
  ERROR_ACCESS_DENIED,
  ERROR_ALREADY_EXISTS,
  ERROR_BAD_LENGTH,
  ERROR_FILE_NOT_FOUND,
  ERROR_INSUFFICIENT_BUFFER,
  ERROR_INVALID_FUNCTION,
  ERROR_INVALID_HANDLE,
  ERROR_INVALID_PARAMETER,
  ERROR_MORE_DATA,
  ERROR_NOT_A_REPARSE_POINT,
  ERROR_SHARING_VIOLATION,
  ERROR_UNABLE_TO_MOVE_REPLACEMENT,
  ERROR_UNABLE_TO_REMOVE_REPLACED,
  win32FromErrno,
} from '../../kernel/win32error.js';
import { FILE_NOTIFY_VALID_MASK } from '../../kernel/watch.js';
import type { ApiContext } from '../types.js';
import { VOLUME_SERIAL } from '../../kernel/volume.js';
import { existing } from './fileapi.js';
import { readPath, resolve, type Charset } from './pathstr.js';

function fail(ctx: ApiContext, error: number): number {
  ctx.setLastError(error);
  return 0;
}

const FileBasicInfo = 0;
const FileStandardInfo = 1;
const FileNameInfo = 2;
const FileRenameInfo = 3;
const FileDispositionInfo = 4;
const FileAllocationInfo = 5;
const FileEndOfFileInfo = 6;
const FileStreamInfo = 7;
const FileCompressionInfo = 8;
const FileAttributeTagInfo = 9;
const FileIdInfo = 18;
const FileDispositionInfoEx = 21;
const FileRenameInfoEx = 22;
const FILE_RENAME_FLAG_REPLACE_IF_EXISTS = 1;

/** The handle's file as the DOS path without its drive (`\dir\name`), as FileNameInfo gives it. */
function nameOf(ctx: ApiContext, h: number): string | undefined {
  const p = pathOfHandle(ctx.process, h);
  if (!p.ok) return undefined;
  return ctx.process.drives.toDos(p.value).replace(/^[A-Za-z]:/, '');
}

export function GetFileInformationByHandleEx(ctx: ApiContext, h: number, cls: number, buf: number, size: number): number {
  const o = ctx.process.handles.lookup(h);
  if (!o || (o.type !== HandleType.File && o.type !== HandleType.Directory)) return fail(ctx, ERROR_INVALID_HANDLE);
  const r = statHandle(ctx.process, h);
  if (!r.ok) return fail(ctx, r.error);
  const st = r.value;
  const m = ctx.mem;
  const need = (n: number): boolean => {
    if (size < n) {
      ctx.setLastError(ERROR_BAD_LENGTH);
      return false;
    }
    m.check(buf, n, true);
    return true;
  };
  switch (cls) {
    case FileBasicInfo:
      if (!need(40)) return 0;
      m.setU64(buf, fileTimeOf(st.birthtimeNs));
      m.setU64(buf + 8, fileTimeOf(st.atimeNs));
      m.setU64(buf + 16, fileTimeOf(st.mtimeNs));
      m.setU64(buf + 24, fileTimeOf(st.ctimeNs));
      m.setU32(buf + 32, attributesOf(st));
      m.setU32(buf + 36, 0);
      return 1;
    case FileStandardInfo: {
      if (!need(24)) return 0;
      const alloc = st.isDirectory ? 0n : ((st.size + 4095n) / 4096n) * 4096n;
      m.setU64(buf, alloc);
      m.setU64(buf + 8, st.isDirectory ? 0n : st.size);
      m.setU32(buf + 16, st.nlink);
      m.setU8(buf + 20, o.flags & HANDLE_DELETE_PENDING ? 1 : 0);
      m.setU8(buf + 21, st.isDirectory ? 1 : 0);
      m.setU16(buf + 22, 0);
      return 1;
    }
    case FileNameInfo: {
      if (!need(4)) return 0;
      const name = nameOf(ctx, h);
      if (name === undefined) return fail(ctx, ERROR_INVALID_HANDLE);
      m.setU32(buf, 2 * name.length);
      // As much of the name as fits; ERROR_MORE_DATA when it is cut.
      const room = Math.floor((size - 4) / 2);
      const units = Math.min(room, name.length);
      for (let i = 0; i < units; i++) m.setU16(buf + 4 + 2 * i, name.charCodeAt(i));
      return units < name.length ? fail(ctx, ERROR_MORE_DATA) : 1;
    }
    case FileStreamInfo: {
      if (st.isDirectory) return fail(ctx, 38 /* ERROR_HANDLE_EOF: a directory has no data stream */);
      const name = '::$DATA';
      if (!need(24 + 2 * name.length)) return 0;
      m.setU32(buf, 0); // NextEntryOffset
      m.setU32(buf + 4, 2 * name.length);
      m.setU64(buf + 8, st.size);
      m.setU64(buf + 16, ((st.size + 4095n) / 4096n) * 4096n);
      for (let i = 0; i < name.length; i++) m.setU16(buf + 24 + 2 * i, name.charCodeAt(i));
      return 1;
    }
    case FileCompressionInfo:
      if (!need(16)) return 0;
      m.setU64(buf, st.size); // CompressedFileSize
      m.setU16(buf + 8, 0); // COMPRESSION_FORMAT_NONE
      m.fill(buf + 10, 0, 6);
      return 1;
    case FileAttributeTagInfo:
      if (!need(8)) return 0;
      m.setU32(buf, attributesOf(st));
      m.setU32(buf + 4, 0);
      return 1;
    case FileIdInfo:
      if (!need(24)) return 0;
      m.setU64(buf, BigInt(VOLUME_SERIAL));
      m.setU64(buf + 8, st.ino);
      m.setU64(buf + 16, 0n);
      return 1;
    default:
      return fail(ctx, ERROR_INVALID_PARAMETER);
  }
}

function setDisposition(ctx: ApiContext, h: number, flags: number): number {
  const status = setDeleteDisposition(ctx.process, h, flags);
  return status === STATUS_SUCCESS ? 1 : fail(ctx, win32FromNtStatus(status));
}

function rename(ctx: ApiContext, h: number, buf: number, size: number, replaceFlag: boolean): number {
  const m = ctx.mem;
  if (size < 24) return fail(ctx, ERROR_INVALID_PARAMETER);
  const replace = replaceFlag;
  const root = m.ptr(buf + 8);
  const len = m.u32(buf + 16);
  if (len === 0 || 20 + len > size) return fail(ctx, ERROR_INVALID_PARAMETER);
  let name = String.fromCharCode(...m.wstringUnits(buf + 20, len / 2));
  if (root) {
    const dir = nameOf(ctx, root);
    const drive = pathOfHandle(ctx.process, root);
    if (dir === undefined || !drive.ok) return fail(ctx, ERROR_INVALID_HANDLE);
    name = ctx.process.drives.toDos(drive.value) + '\\' + name;
  }
  const target = resolve(ctx, name);
  if (target.kind !== 'file') return fail(ctx, target.kind === 'error' ? target.error : ERROR_ACCESS_DENIED);
  const from = pathOfHandle(ctx.process, h);
  if (!from.ok) return fail(ctx, from.error);
  const fs = ctx.process.fs;
  const there = fs.stat(target.unix);
  if (!failed(there)) {
    if (!replace) return fail(ctx, ERROR_ALREADY_EXISTS);
    if (there.isDirectory) return fail(ctx, ERROR_ACCESS_DENIED);
  }
  const r = fs.rename(from.value, target.unix);
  return failed(r) ? fail(ctx, win32FromErrno(r.errno)) : 1;
}

export function SetFileInformationByHandle(ctx: ApiContext, h: number, cls: number, buf: number, size: number): number {
  const k = ctx.process;
  const o = k.handles.lookup(h);
  if (!o || (o.type !== HandleType.File && o.type !== HandleType.Directory)) return fail(ctx, ERROR_INVALID_HANDLE);
  const m = ctx.mem;
  const need = (n: number): boolean => {
    if (size < n) {
      ctx.setLastError(ERROR_BAD_LENGTH);
      return false;
    }
    m.check(buf, n);
    return true;
  };
  switch (cls) {
    case FileBasicInfo: {
      if (!need(40)) return 0;
      const st = statHandle(k, h);
      if (!st.ok) return fail(ctx, st.error);
      // 0 keeps a time; -1 would stop updates (not possible on Linux: kept too).
      const pick = (at: number, cur: bigint): bigint => {
        const ft = m.u64(at);
        return ft === 0n || ft === 0xffffffffffffffffn ? cur : unixNsOf(ft);
      };
      const a = pick(buf + 8, st.value.atimeNs);
      const w = pick(buf + 16, st.value.mtimeNs);
      if (a !== st.value.atimeNs || w !== st.value.mtimeNs) {
        const u = k.fs.futimes(o.value, a, w);
        if (failed(u)) return fail(ctx, win32FromErrno(u.errno));
      }
      const attrs = m.u32(buf + 32);
      const p = pathOfHandle(k, h);
      if (attrs !== 0 && p.ok) {
        const c = k.fs.chmod(p.value, modeForAttributes(st.value.mode, attrs));
        if (failed(c)) return fail(ctx, win32FromErrno(c.errno));
      }
      return 1;
    }
    case FileDispositionInfo:
      if (!need(1)) return 0;
      return setDisposition(ctx, h, m.u8(buf) !== 0 ? FILE_DISPOSITION_DELETE : 0);
    case FileDispositionInfoEx: {
      if (!need(4)) return 0;
      return setDisposition(ctx, h, m.u32(buf));
    }
    case FileEndOfFileInfo:
    case FileAllocationInfo: {
      if (!need(8)) return 0;
      if (o.type !== HandleType.File) return fail(ctx, ERROR_INVALID_PARAMETER);
      if (!(o.access & 0x2)) return fail(ctx, ERROR_ACCESS_DENIED);
      const len = BigInt.asIntN(64, m.u64(buf));
      if (len < 0n) return fail(ctx, ERROR_INVALID_PARAMETER);
      const st = statHandle(k, h);
      if (!st.ok) return fail(ctx, st.error);
      // The allocation size only ever cuts the file (space is not reserved ahead on Linux).
      if (cls === FileAllocationInfo && len >= st.value.size) return 1;
      const t = k.fs.truncate(o.value, len);
      return failed(t) ? fail(ctx, win32FromErrno(t.errno)) : 1;
    }
    case FileRenameInfo:
      if (!need(1)) return 0;
      return rename(ctx, h, buf, size, m.u8(buf) !== 0);
    case FileRenameInfoEx:
      if (!need(4)) return 0;
      return rename(ctx, h, buf, size, (m.u32(buf) & FILE_RENAME_FLAG_REPLACE_IF_EXISTS) !== 0);
    default:
      return fail(ctx, ERROR_INVALID_PARAMETER);
  }
}

// ---- ReplaceFile -----------------------------------------------------------------------------

function replaceFile(ctx: ApiContext, cs: Charset, replaced: number, replacement: number, backup: number): number {
  if (!replaced || !replacement) return fail(ctx, ERROR_INVALID_PARAMETER);
  const dst = existing(ctx, cs, replaced);
  if (!dst) return 0;
  const src = existing(ctx, cs, replacement);
  if (!src) return 0;
  const fs = ctx.process.fs;
  if (!deleteAllowed(ctx.process, dst.unix)) return fail(ctx, ERROR_UNABLE_TO_REMOVE_REPLACED);
  if (!deleteAllowed(ctx.process, src.unix)) return fail(ctx, ERROR_SHARING_VIOLATION);
  // The replaced file's attributes carry over to its new contents.
  fs.chmod(src.unix, dst.st.mode & 0o7777);
  if (backup) {
    const b = resolve(ctx, readPath(ctx, backup, cs));
    if (b.kind !== 'file') return fail(ctx, b.kind === 'error' ? b.error : ERROR_ACCESS_DENIED);
    const r = fs.rename(dst.unix, b.unix);
    if (failed(r)) return fail(ctx, ERROR_UNABLE_TO_REMOVE_REPLACED);
  }
  const r = fs.rename(src.unix, dst.unix);
  if (failed(r)) return fail(ctx, ERROR_UNABLE_TO_MOVE_REPLACEMENT);
  return 1;
}

export const ReplaceFileW = (ctx: ApiContext, a: number, b: number, c: number, _f: number, _x: number, _r: number): number => replaceFile(ctx, 'W', a, b, c);
export const ReplaceFileA = (ctx: ApiContext, a: number, b: number, c: number, _f: number, _x: number, _r: number): number => replaceFile(ctx, 'A', a, b, c);

// ---- DeviceIoControl -------------------------------------------------------------------------

const FSCTL_GET_COMPRESSION = 0x9003c;
const FSCTL_SET_COMPRESSION = 0x9c040;
const FSCTL_GET_OBJECT_ID = 0x9009c;
const FSCTL_GET_REPARSE_POINT = 0x900a8;
const FSCTL_SET_SPARSE = 0x900c4;
const FSCTL_QUERY_ALLOCATED_RANGES = 0x940cf;

/** The file-system controls programs probe on files; the rest are ERROR_INVALID_FUNCTION, as
 *  for a device that does not know them. */
export function DeviceIoControl(ctx: ApiContext, h: number, code: number, inBuf: number, inSize: number, outBuf: number, outSize: number, returned: number, _ov: number): number {
  const k = ctx.process;
  const o = k.handles.lookup(h);
  if (!o || o.type === HandleType.Find) return fail(ctx, ERROR_INVALID_HANDLE);
  const m = ctx.mem;
  const done = (n: number): number => {
    if (returned) m.setU32(returned, n);
    return 1;
  };
  if (returned) m.setU32(returned, 0);
  const onFile = o.type === HandleType.File || o.type === HandleType.Directory;
  switch (onFile ? code >>> 0 : -1) {
    case FSCTL_GET_REPARSE_POINT:
      return fail(ctx, ERROR_NOT_A_REPARSE_POINT);
    case FSCTL_GET_OBJECT_ID:
      return fail(ctx, ERROR_FILE_NOT_FOUND);
    case FSCTL_SET_SPARSE:
      return done(0);
    case FSCTL_GET_COMPRESSION:
      if (outSize < 2) return fail(ctx, ERROR_INSUFFICIENT_BUFFER);
      m.setU16(outBuf, 0);
      return done(2);
    case FSCTL_SET_COMPRESSION:
      if (inSize < 2) return fail(ctx, ERROR_INVALID_PARAMETER);
      return m.u16(inBuf) === 0 ? done(0) : fail(ctx, ERROR_INVALID_FUNCTION);
    case FSCTL_QUERY_ALLOCATED_RANGES: {
      // Input: the range asked about; output: the allocated part of it (all of the data).
      if (inSize < 16) return fail(ctx, ERROR_INVALID_PARAMETER);
      const st = statHandle(k, h);
      if (!st.ok) return fail(ctx, st.error);
      const start = m.u64(inBuf);
      const end = start + m.u64(inBuf + 8) < st.value.size ? start + m.u64(inBuf + 8) : st.value.size;
      if (end <= start) return done(0);
      if (outSize < 16) return fail(ctx, ERROR_MORE_DATA);
      m.setU64(outBuf, start);
      m.setU64(outBuf + 8, end - start);
      return done(16);
    }
    default:
      return fail(ctx, ERROR_INVALID_FUNCTION);
  }
}

// ---- ReadDirectoryChangesW -------------------------------------------------------------------

/** Synchronous: waits for changes and fills FILE_NOTIFY_INFORMATION records. Changes that do
 *  not fit the buffer are dropped with 0 bytes returned (Windows' overflow rule). */
export function ReadDirectoryChangesW(ctx: ApiContext, h: number, buf: number, len: number, subtree: number, filter: number, returned: number, ov: number, completion: number): number {
  const k = ctx.process;
  const o = k.handles.lookup(h);
  if (!o || o.type !== HandleType.Directory) return fail(ctx, ERROR_INVALID_HANDLE);
  if (filter === 0 || (filter & ~FILE_NOTIFY_VALID_MASK) !== 0) return fail(ctx, ERROR_INVALID_PARAMETER);
  if (ov || completion) {
    ctx.fixme('file', 'ReadDirectoryChangesW', 'asynchronous watches (OVERLAPPED, completion routines) need threads');
    return fail(ctx, ERROR_INVALID_FUNCTION);
  }
  const root = pathOfHandle(k, h);
  if (!root.ok) return fail(ctx, root.error);
  const changes = k.watches.wait(h, root.value, subtree !== 0, filter);
  if (typeof changes === 'number') return fail(ctx, changes);
  const m = ctx.mem;
  const sizes = changes.map((c) => (12 + 2 * c.name.length + 3) & ~3);
  const total = sizes.reduce((a, b) => a + b, 0);
  if (returned) m.setU32(returned, 0);
  if (total > len) return 1;
  m.check(buf, total, true);
  let at = buf;
  changes.forEach((c, i) => {
    const last = i === changes.length - 1;
    m.setU32(at, last ? 0 : sizes[i]!);
    m.setU32(at + 4, c.action);
    m.setU32(at + 8, 2 * c.name.length);
    for (let j = 0; j < c.name.length; j++) m.setU16(at + 12 + 2 * j, c.name.charCodeAt(j));
    at += sizes[i]!;
  });
  if (returned) m.setU32(returned, total);
  return 1;
}
