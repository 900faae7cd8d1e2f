/**
 * The NT file calls (winternl.h, ntifs.h): NtCreateFile/NtOpenFile on NT object names
 * (`\??\C:\dir\file`, or a name relative to a directory handle), NtReadFile/NtWriteFile,
 * NtFlushBuffersFile, NtClose, NtDeleteFile and NtQuery(Full)AttributesFile. They open and use
 * the same kernel objects as kernel32 (kernel/files.ts), so a handle from one works with the
 * other. All I/O completes synchronously; the event and APC of an I/O call are not signalled.
 */
import { failed, type HostStat } from '../../host/fs.js';
import {
  CREATE_ALWAYS,
  CREATE_NEW,
  deleteAllowed,
  FILE_ATTRIBUTE_READONLY,
  FILE_FLAG_BACKUP_SEMANTICS,
  FILE_FLAG_DELETE_ON_CLOSE,
  flushHandle,
  missingError,
  OPEN_ALWAYS,
  OPEN_EXISTING,
  openDevice,
  openFile,
  readHandle,
  TRUNCATE_EXISTING,
  writeHandle,
} from '../../kernel/files.js';
import { HANDLE_MODE_SHIFT, HANDLE_NT_MODE, HandleType, type HandleInfo } from '../../kernel/handles.js';
import {
  ntStatusFromWin32,
  STATUS_CANNOT_DELETE,
  STATUS_DIRECTORY_NOT_EMPTY,
  STATUS_END_OF_FILE,
  STATUS_FILE_IS_A_DIRECTORY,
  STATUS_INVALID_DEVICE_REQUEST,
  STATUS_INVALID_HANDLE,
  STATUS_INVALID_PARAMETER,
  STATUS_INVALID_USER_BUFFER,
  STATUS_NOT_A_DIRECTORY,
  STATUS_OBJECT_NAME_INVALID,
  STATUS_PIPE_BROKEN,
  STATUS_SHARING_VIOLATION,
  STATUS_SUCCESS,
} from '../../kernel/ntstatus.js';
import { ERROR_PATH_NOT_FOUND, win32FromErrno } from '../../kernel/win32error.js';
import { GuestMemoryError } from '../../native/memprotect.js';
import { closeAnyHandle } from '../kernel32/objects.js';
import type { ApiContext } from '../types.js';
import { complete, IO_STATUS_BLOCK, isCurrentProcess, ntCall } from './ntdef.js';
import { basicInformation, networkOpenInformation } from './ntfileinfo.js';
import {
  FILE_CREATE,
  FILE_DELETE_ON_CLOSE,
  FILE_DIRECTORY_FILE,
  FILE_MODE_OPTIONS,
  FILE_NON_DIRECTORY_FILE,
  FILE_OPEN,
  FILE_OPEN_IF,
  FILE_OVERWRITE,
  FILE_OVERWRITE_IF,
  FILE_SUPERSEDE,
  FILE_SYNCHRONOUS_IO_ALERT,
  FILE_SYNCHRONOUS_IO_NONALERT,
  resolveObject,
} from './ntname.js';

// IO_STATUS_BLOCK.Information of a create
const FILE_SUPERSEDED = 0;
const FILE_OPENED = 1;
const FILE_CREATED = 2;
const FILE_OVERWRITTEN = 3;
const DELETE = 0x10000;
const SYNCHRONIZE = 0x100000;


/** The status for a path that does not exist (its directory does or does not). */
const missing = (ctx: ApiContext, unix: string): number => ntStatusFromWin32(missingError(ctx.process, unix));

const CREATE_DISPOSITIONS = [CREATE_ALWAYS, OPEN_EXISTING, CREATE_NEW, OPEN_ALWAYS, TRUNCATE_EXISTING, CREATE_ALWAYS];

function information(disposition: number, existed: boolean): number {
  if (!existed) return FILE_CREATED;
  if (disposition === FILE_SUPERSEDE) return FILE_SUPERSEDED;
  if (disposition === FILE_OVERWRITE || disposition === FILE_OVERWRITE_IF) return FILE_OVERWRITTEN;
  return FILE_OPENED;
}

interface Created {
  status: number;
  handle?: number;
  information?: number;
}

function create(ctx: ApiContext, access: number, oa: number, attrs: number, share: number, disposition: number, options: number): Created {
  if (disposition > FILE_OVERWRITE_IF) return { status: STATUS_INVALID_PARAMETER };
  const dirOnly = (options & FILE_DIRECTORY_FILE) !== 0;
  const fileOnly = (options & FILE_NON_DIRECTORY_FILE) !== 0;
  const sync = options & (FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT);
  if ((dirOnly && fileOnly) || (dirOnly && disposition !== FILE_CREATE && disposition !== FILE_OPEN && disposition !== FILE_OPEN_IF)) return { status: STATUS_INVALID_PARAMETER };
  if ((options & FILE_DELETE_ON_CLOSE && !(access & DELETE)) || sync === (FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT) || (sync && !(access & SYNCHRONIZE))) {
    return { status: STATUS_INVALID_PARAMETER };
  }
  const t = resolveObject(ctx, oa);
  if (t.kind === 'error') return { status: t.status };
  const k = ctx.process;
  if (t.kind === 'device') {
    const d = openDevice(k, t.device, access, share);
    return d.ok ? { status: STATUS_SUCCESS, handle: d.value.handle, information: FILE_OPENED } : { status: ntStatusFromWin32(d.error) };
  }
  const st = k.fs.stat(t.unix);
  const existed = !failed(st);
  let madeDirectory = false;
  if (existed) {
    if (st.isDirectory && fileOnly) return { status: STATUS_FILE_IS_A_DIRECTORY };
    if (!st.isDirectory && (dirOnly || t.trailingSlash)) return { status: t.trailingSlash ? STATUS_OBJECT_NAME_INVALID : STATUS_NOT_A_DIRECTORY };
  } else if (dirOnly && disposition !== FILE_OPEN) {
    const m = k.fs.mkdir(t.unix);
    if (failed(m)) return { status: ntStatusFromWin32(m.errno === 'ENOENT' ? ERROR_PATH_NOT_FOUND : win32FromErrno(m.errno)) };
    madeDirectory = true;
  } else if (disposition === FILE_OPEN || disposition === FILE_OVERWRITE) {
    return { status: st.errno === 'ENOENT' ? missing(ctx, t.unix) : ntStatusFromWin32(win32FromErrno(st.errno)) };
  }
  const flags = (attrs & FILE_ATTRIBUTE_READONLY) | (fileOnly ? 0 : FILE_FLAG_BACKUP_SEMANTICS) | (options & FILE_DELETE_ON_CLOSE ? FILE_FLAG_DELETE_ON_CLOSE : 0);
  const o = openFile(k, t.unix, access, share, madeDirectory ? OPEN_EXISTING : CREATE_DISPOSITIONS[disposition]!, flags);
  if (!o.ok) return { status: ntStatusFromWin32(o.error) };
  k.handles.updateFlags(o.value.handle, HANDLE_NT_MODE | ((options & FILE_MODE_OPTIONS) << HANDLE_MODE_SHIFT));
  return { status: STATUS_SUCCESS, handle: o.value.handle, information: information(disposition, existed) };
}

export function NtCreateFile(ctx: ApiContext, out: number, access: number, oa: number, iosb: number, _alloc: number, attrs: number, share: number, disposition: number, options: number, _ea: number, _eaLength: number): number {
  return ntCall(() => {
    ctx.mem.check(out, 8, true);
    ctx.mem.check(iosb, IO_STATUS_BLOCK.Size, true);
    const r = create(ctx, access, oa, attrs, share, disposition, options);
    if (r.handle === undefined) return r.status;
    ctx.mem.setU64(out, r.handle);
    return complete(ctx, iosb, r.status, r.information);
  });
}

export function NtOpenFile(ctx: ApiContext, out: number, access: number, oa: number, iosb: number, share: number, options: number): number {
  return NtCreateFile(ctx, out, access, oa, iosb, 0, 0, share, FILE_OPEN, options, 0, 0);
}

/** FILE_WRITE_TO_END_OF_FILE and FILE_USE_FILE_POINTER_POSITION as a ByteOffset. */
const WRITE_TO_END = -1n;
const USE_FILE_POINTER = -2n;

/** A handle the file system keeps a file pointer for: kernel32's handles, and NtCreateFile's
 *  with a FILE_SYNCHRONOUS_IO_* option. Others need a ByteOffset for every read and write. */
function synchronous(o: HandleInfo): boolean {
  return !(o.flags & HANDLE_NT_MODE) || ((o.flags >>> HANDLE_MODE_SHIFT) & (FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT)) !== 0;
}

interface Transfer {
  o: HandleInfo;
  position: bigint | null;
}

/** The checks NtReadFile and NtWriteFile share; a status when the call fails before any I/O. */
function transfer(ctx: ApiContext, h: number, event: number, apc: number, offsetPtr: number, func: string): Transfer | number {
  const o = ctx.process.handles.lookup(h);
  if (!o || o.type === HandleType.Find) return STATUS_INVALID_HANDLE;
  if (o.type === HandleType.Directory) return STATUS_INVALID_DEVICE_REQUEST;
  if (event || apc) ctx.fixme('file', func, 'completion event and APC are not signalled: I/O completes synchronously');
  let position: bigint | null = offsetPtr ? BigInt.asIntN(64, ctx.mem.u64(offsetPtr)) : null;
  if (position === USE_FILE_POINTER) position = null;
  if (o.type !== HandleType.File) position = null;
  else if (position === null && !synchronous(o)) return STATUS_INVALID_PARAMETER;
  return { o, position };
}

export function NtReadFile(ctx: ApiContext, h: number, event: number, apc: number, _apcContext: number, iosb: number, buf: number, len: number, offsetPtr: number, _key: number): number {
  return ntCall(() => {
    const t = transfer(ctx, h, event, apc, offsetPtr, 'NtReadFile');
    if (typeof t === 'number') return t;
    ctx.mem.check(iosb, IO_STATUS_BLOCK.Size, true);
    if (t.position !== null && t.position < 0n) return STATUS_INVALID_PARAMETER;
    const r = readHandle(ctx.process, h, ctx.mem.view(buf, len, true), t.position);
    if (!r.ok) return complete(ctx, iosb, ntStatusFromWin32(r.error));
    // Nothing more to read: the end of a file, or of a pipe whose writers are gone.
    if (r.value === 0 && len > 0) return complete(ctx, iosb, t.o.type === HandleType.Pipe ? STATUS_PIPE_BROKEN : STATUS_END_OF_FILE);
    return complete(ctx, iosb, STATUS_SUCCESS, r.value);
  });
}

export function NtWriteFile(ctx: ApiContext, h: number, event: number, apc: number, _apcContext: number, iosb: number, buf: number, len: number, offsetPtr: number, _key: number): number {
  return ntCall(() => {
    const t = transfer(ctx, h, event, apc, offsetPtr, 'NtWriteFile');
    if (typeof t === 'number') return t;
    ctx.mem.check(iosb, IO_STATUS_BLOCK.Size, true);
    let position = t.position;
    if (position === WRITE_TO_END) {
      const st = ctx.process.fs.fstat(t.o.value);
      position = failed(st) ? null : st.size;
    }
    if (position !== null && position < 0n) return STATUS_INVALID_PARAMETER;
    // The file system copies from the caller's buffer itself and reports a bad one so.
    let data: Uint8Array;
    try {
      data = ctx.mem.view(buf, len, false);
    } catch (e) {
      if (e instanceof GuestMemoryError) return STATUS_INVALID_USER_BUFFER;
      throw e;
    }
    const r = writeHandle(ctx.process, h, data, position);
    if (!r.ok) return complete(ctx, iosb, ntStatusFromWin32(r.error));
    return complete(ctx, iosb, STATUS_SUCCESS, r.value);
  });
}

export function NtFlushBuffersFile(ctx: ApiContext, h: number, iosb: number): number {
  return ntCall(() => {
    const r = flushHandle(ctx.process, h);
    if (!r.ok) return ntStatusFromWin32(r.error);
    return complete(ctx, iosb, STATUS_SUCCESS);
  });
}

const STATUS_HANDLE_NOT_CLOSABLE = 0xc0000235;

/** NtClose: any handle, as CloseHandle closes it; the pseudo-handles of the current process
 *  and thread close successfully; a handle protected from closing stays open. */
export function NtClose(ctx: ApiContext, h: bigint): number {
  const v = BigInt.asIntN(64, h);
  if (isCurrentProcess(h) || v === -2n) return STATUS_SUCCESS;
  if (v <= 0n || v > 0xffffffffn) return STATUS_INVALID_HANDLE;
  const r = closeAnyHandle(ctx, Number(v));
  return r === 'closed' ? STATUS_SUCCESS : r === 'protected' ? STATUS_HANDLE_NOT_CLOSABLE : STATUS_INVALID_HANDLE;
}

/** The file an OBJECT_ATTRIBUTES names, which must exist. */
function existing(ctx: ApiContext, oa: number): { unix: string; st: HostStat } | number {
  const t = resolveObject(ctx, oa);
  if (t.kind === 'error') return t.status;
  const unix = t.kind === 'device' ? '/dev/null' : t.unix;
  const st = ctx.process.fs.stat(unix);
  if (failed(st)) return st.errno === 'ENOENT' ? missing(ctx, unix) : ntStatusFromWin32(win32FromErrno(st.errno));
  if (t.kind === 'file' && t.trailingSlash && !st.isDirectory) return STATUS_OBJECT_NAME_INVALID;
  return { unix, st };
}

/** NtQueryAttributesFile(oa, FILE_BASIC_INFORMATION*). */
export function NtQueryAttributesFile(ctx: ApiContext, oa: number, info: number): number {
  return ntCall(() => {
    const e = existing(ctx, oa);
    if (typeof e === 'number') return e;
    ctx.mem.write(info, basicInformation(e.st));
    return STATUS_SUCCESS;
  });
}

/** NtQueryFullAttributesFile(oa, FILE_NETWORK_OPEN_INFORMATION*). */
export function NtQueryFullAttributesFile(ctx: ApiContext, oa: number, info: number): number {
  return ntCall(() => {
    const e = existing(ctx, oa);
    if (typeof e === 'number') return e;
    ctx.mem.write(info, networkOpenInformation(e.st));
    return STATUS_SUCCESS;
  });
}

/** NtDeleteFile: a file, or an empty directory. */
export function NtDeleteFile(ctx: ApiContext, oa: number): number {
  return ntCall(() => {
    const e = existing(ctx, oa);
    if (typeof e === 'number') return e;
    if ((e.st.mode & 0o222) === 0) return STATUS_CANNOT_DELETE;
    if (!deleteAllowed(ctx.process, e.unix)) return STATUS_SHARING_VIOLATION;
    const r = e.st.isDirectory ? ctx.process.fs.rmdir(e.unix) : ctx.process.fs.unlink(e.unix);
    if (failed(r)) return r.errno === 'ENOTEMPTY' || r.errno === 'EEXIST' ? STATUS_DIRECTORY_NOT_EMPTY : ntStatusFromWin32(win32FromErrno(r.errno));
    return STATUS_SUCCESS;
  });
}
