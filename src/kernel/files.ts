/**
 * File objects: CreateFile's dispositions, access and sharing over Unix descriptors, and the
 * handle-level read/write/seek that kernel32, ntdll and the CRT's low-level I/O share. Errors
 * come back as Win32 codes (through win32FromErrno), never as exceptions.
 */
import { failed, O, type HostFs, type HostStat } from '../host/fs.js';
import { ioConflicts, type LockTable } from './locks.js';
import { ntStatusFromWin32, STATUS_ACCESS_DENIED, STATUS_CANNOT_DELETE, STATUS_DIRECTORY_NOT_EMPTY, STATUS_INVALID_HANDLE, STATUS_SUCCESS } from './ntstatus.js';
import type { DirectoryWatches } from './watch.js';
import { HANDLE_APPEND, HANDLE_BORROWED_FD, HANDLE_CONSOLE_INPUT, HANDLE_DELETE_ON_CLOSE, HANDLE_DELETE_PENDING, HandleType, type HandleInfo, type HandleTable } from './handles.js';
import type { DosDrives } from './paths.js';
import {
  ERROR_ACCESS_DENIED,
  ERROR_ALREADY_EXISTS,
  ERROR_FILE_EXISTS,
  ERROR_FILE_NOT_FOUND,
  ERROR_INVALID_HANDLE,
  ERROR_INVALID_PARAMETER,
  ERROR_LOCK_VIOLATION,
  ERROR_NEGATIVE_SEEK,
  ERROR_PATH_NOT_FOUND,
  ERROR_SHARING_VIOLATION,
  win32FromErrno,
} from './win32error.js';

export const GENERIC_READ = 0x80000000;
export const GENERIC_WRITE = 0x40000000;
export const GENERIC_EXECUTE = 0x20000000;
export const GENERIC_ALL = 0x10000000;
export const FILE_READ_DATA = 0x1;
export const FILE_WRITE_DATA = 0x2;
export const FILE_APPEND_DATA = 0x4;
export const FILE_EXECUTE = 0x20;
export const FILE_READ_ATTRIBUTES = 0x80;
export const FILE_WRITE_ATTRIBUTES = 0x100;
export const SYNCHRONIZE = 0x100000;
export const DELETE = 0x10000;
export const FILE_SHARE_READ = 1;
export const FILE_SHARE_WRITE = 2;
export const FILE_SHARE_DELETE = 4;
export const CREATE_NEW = 1;
export const CREATE_ALWAYS = 2;
export const OPEN_EXISTING = 3;
export const OPEN_ALWAYS = 4;
export const TRUNCATE_EXISTING = 5;
export const FILE_ATTRIBUTE_READONLY = 0x1;
export const FILE_ATTRIBUTE_HIDDEN = 0x2;
export const FILE_ATTRIBUTE_DIRECTORY = 0x10;
export const FILE_ATTRIBUTE_ARCHIVE = 0x20;
export const FILE_ATTRIBUTE_NORMAL = 0x80;
export const FILE_FLAG_DELETE_ON_CLOSE = 0x04000000;
export const FILE_FLAG_BACKUP_SEMANTICS = 0x02000000;
export const FILE_TYPE_UNKNOWN = 0;
export const FILE_TYPE_DISK = 1;
export const FILE_TYPE_CHAR = 2;
export const FILE_TYPE_PIPE = 3;
export const INVALID_FILE_ATTRIBUTES = 0xffffffff;

/** What the file layer needs from the process. */
export interface FileKernel {
  readonly handles: HandleTable;
  readonly drives: DosDrives;
  readonly fs: HostFs;
  readonly locks: LockTable;
  readonly watches: DirectoryWatches;
  /** Bytes written to a console handle's terminal (the console follows its cursor). */
  consoleWritten?(fd: number, data: Uint8Array): void;
}

export type WinResult<T> = { ok: true; value: T } | { ok: false; error: number };
const ok = <T>(value: T): WinResult<T> => ({ ok: true, value });
const err = <T>(error: number): WinResult<T> => ({ ok: false, error });

/** The file object's generic mapping (winnt.h FILE_GENERIC_READ, FILE_GENERIC_WRITE,
 *  FILE_GENERIC_EXECUTE, FILE_ALL_ACCESS). */
export const FILE_GENERIC_READ = 0x120089;
export const FILE_GENERIC_WRITE = 0x120116;
export const FILE_GENERIC_EXECUTE = 0x1200a0;
export const FILE_ALL_ACCESS = 0x1f01ff;

/** Generic rights folded into the specific file rights, as the handle is granted them. */
export function fileAccess(access: number): number {
  let a = access & 0x0fffffff;
  if (access & GENERIC_READ) a |= FILE_GENERIC_READ;
  if (access & GENERIC_WRITE) a |= FILE_GENERIC_WRITE;
  if (access & GENERIC_EXECUTE) a |= FILE_GENERIC_EXECUTE;
  if (access & GENERIC_ALL) a |= FILE_ALL_ACCESS;
  return a >>> 0;
}

/** The FILE_SHARE_* bits other handles must grant for this access. */
const wants = (access: number): number =>
  (access & FILE_READ_DATA ? FILE_SHARE_READ : 0) | (access & (FILE_WRITE_DATA | FILE_APPEND_DATA) ? FILE_SHARE_WRITE : 0) | (access & DELETE ? FILE_SHARE_DELETE : 0);

/** True when a new open (access, share) is compatible with every handle already open. */
export function shareAllows(open: readonly HandleInfo[], access: number, share: number): boolean {
  for (const h of open) {
    if ((wants(access) & ~h.share) !== 0) return false;
    if ((wants(h.access) & ~share) !== 0) return false;
  }
  return true;
}

export function fileIdOf(st: HostStat): bigint {
  return ((st.dev & 0xffffn) << 48n) ^ st.ino;
}

export function attributesOf(st: HostStat): number {
  if (st.isDirectory) return FILE_ATTRIBUTE_DIRECTORY | ((st.mode & 0o222) === 0 ? FILE_ATTRIBUTE_READONLY : 0);
  return FILE_ATTRIBUTE_ARCHIVE | ((st.mode & 0o222) === 0 ? FILE_ATTRIBUTE_READONLY : 0);
}

/** Unix seconds and nanoseconds → FILETIME as its low and high 32 bits, in plain numbers (the
 *  product needs 58 bits: the seconds are split so that every step stays exact). */
/**
 * The Unix mode a file gets for new Windows attributes: only READONLY has a meaning, the write
 * bits. Setting it clears them all; clearing it gives the owner write access when the file had
 * none (a file that is already writable keeps its mode: 7-Zip sets FILE_ATTRIBUTE_ARCHIVE on
 * every file it extracts, which must not widen 0644 to 0666).
 */
export function modeForAttributes(mode: number, attrs: number): number {
  if (attrs & FILE_ATTRIBUTE_READONLY) return mode & 0o7555;
  return mode & 0o222 ? mode & 0o7777 : (mode | 0o200) & 0o7777;
}

export function fileTimeParts(sec: number, nsec: number): [low: number, high: number] {
  const s = sec + 11644473600;
  const a = Math.floor(s / 65536) * 10_000_000; // < 2^43
  const low = (a % 65536) * 65536 + (s % 65536) * 10_000_000 + Math.floor(nsec / 100); // < 2^42
  return [low % 0x100000000, Math.floor(a / 65536) + Math.floor(low / 0x100000000)];
}

/** Unix nanoseconds → FILETIME (100 ns units since 1601). */
export function fileTimeOf(ns: bigint): bigint {
  return ns / 100n + 116444736000000000n;
}
export function unixNsOf(ft: bigint): bigint {
  return (ft - 116444736000000000n) * 100n;
}

/** Classifies a missing path: FILE_NOT_FOUND if its directory exists, else PATH_NOT_FOUND. */
export function missingError(k: FileKernel, unix: string): number {
  const dir = unix.slice(0, unix.lastIndexOf('/')) || '/';
  const st = k.fs.stat(dir);
  return failed(st) || !st.isDirectory ? ERROR_PATH_NOT_FOUND : ERROR_FILE_NOT_FOUND;
}

export interface Opened {
  handle: number;
  /** The file existed before (CREATE_ALWAYS / OPEN_ALWAYS report ERROR_ALREADY_EXISTS). */
  existed: boolean;
}

/** CreateFile on a resolved Unix path. */
export function openFile(k: FileKernel, unix: string, desired: number, share: number, disposition: number, flagsAttrs: number): WinResult<Opened> {
  if (disposition < CREATE_NEW || disposition > TRUNCATE_EXISTING) return err(ERROR_INVALID_PARAMETER);
  const access = fileAccess(desired);
  const canWrite = (access & (FILE_WRITE_DATA | FILE_APPEND_DATA)) !== 0;
  const before = k.fs.stat(unix);
  const existed = !failed(before);
  if (existed && before.isDirectory) {
    if (!(flagsAttrs & FILE_FLAG_BACKUP_SEMANTICS) || disposition === CREATE_NEW || disposition === CREATE_ALWAYS || disposition === TRUNCATE_EXISTING) {
      return err(disposition === CREATE_NEW ? ERROR_FILE_EXISTS : ERROR_ACCESS_DENIED);
    }
    const fd = k.fs.open(unix, O.O_RDONLY | O.O_DIRECTORY);
    if (failed(fd)) return err(win32FromErrno(fd.errno));
    const h = k.handles.allocate(HandleType.Directory, fd, { access, share, fileId: fileIdOf(before) });
    return ok({ handle: h, existed: true });
  }
  if (!existed) {
    if (disposition === OPEN_EXISTING || disposition === TRUNCATE_EXISTING) return err(before.errno === 'ENOENT' ? missingError(k, unix) : win32FromErrno(before.errno));
  } else {
    if (disposition === CREATE_NEW) return err(ERROR_FILE_EXISTS);
    // Root reads past permission bits; the read-only attribute must still refuse writes.
    if ((canWrite || disposition === CREATE_ALWAYS || disposition === TRUNCATE_EXISTING) && (before.mode & 0o222) === 0) return err(ERROR_ACCESS_DENIED);
    if (!shareAllows(k.handles.openOn(fileIdOf(before)), access, share)) return err(ERROR_SHARING_VIOLATION);
  }
  const reading = (access & (FILE_READ_DATA | FILE_EXECUTE)) !== 0 || !canWrite;
  // Truncation needs a writable descriptor even when the handle itself may only read.
  const truncating = existed && (disposition === CREATE_ALWAYS || disposition === TRUNCATE_EXISTING);
  let flags = canWrite || truncating ? (reading ? O.O_RDWR : O.O_WRONLY) : O.O_RDONLY;
  if (!existed) flags |= O.O_CREAT | O.O_EXCL;
  const appendOnly = (access & FILE_APPEND_DATA) !== 0 && (access & FILE_WRITE_DATA) === 0;
  if (appendOnly) flags |= O.O_APPEND;
  const mode = flagsAttrs & FILE_ATTRIBUTE_READONLY && !existed ? 0o444 : 0o666;
  const fd = k.fs.open(unix, flags, mode);
  if (failed(fd)) {
    if (fd.errno === 'ENOENT') return err(missingError(k, unix));
    if (fd.errno === 'EEXIST') return err(ERROR_FILE_EXISTS);
    return err(win32FromErrno(fd.errno));
  }
  if (truncating) {
    const t = k.fs.truncate(fd, 0n);
    if (failed(t)) {
      k.fs.close(fd);
      return err(win32FromErrno(t.errno));
    }
  }
  const st = k.fs.fstat(fd);
  const isFile = failed(st) || st.isFile;
  const hflags = (flagsAttrs & FILE_FLAG_DELETE_ON_CLOSE ? HANDLE_DELETE_ON_CLOSE : 0) | (appendOnly ? HANDLE_APPEND : 0);
  const type = isFile ? HandleType.File : failed(st) || st.isCharDevice ? HandleType.Console : HandleType.Pipe;
  const h = k.handles.allocate(type, fd, { access, share, flags: hflags, fileId: failed(st) ? 0n : fileIdOf(st) });
  if (h === 0) {
    k.fs.close(fd);
    return err(win32FromErrno('EMFILE'));
  }
  return ok({ handle: h, existed });
}

/** A process that can also tell whether a descriptor is a terminal (for the console devices). */
export interface ConsoleKernel extends FileKernel {
  isatty(fd: number): boolean;
}

/** CreateFile of a DOS device: NUL, or the console (CON, CONIN$, CONOUT$), which is the
 *  terminal the std handles are on; without one, ERROR_INVALID_HANDLE. */
export function openDevice(k: ConsoleKernel, device: string, access: number, share: number): WinResult<Opened> {
  let unix: string;
  if (device === 'NUL') unix = '/dev/null';
  else if (device === 'CONIN$' || device === 'CON' || device === 'CONOUT$') {
    const out = device === 'CONOUT$' || (device === 'CON' && (access & (GENERIC_WRITE | FILE_WRITE_DATA)) !== 0);
    const fd = out ? (k.isatty(1) ? 1 : k.isatty(2) ? 2 : -1) : k.isatty(0) ? 0 : -1;
    if (fd < 0) return err(ERROR_INVALID_HANDLE);
    unix = `/proc/self/fd/${fd}`;
  } else return err(ERROR_FILE_NOT_FOUND);
  const r = openFile(k, unix, access, share, OPEN_EXISTING, 0);
  const input = device === 'CONIN$' || (device === 'CON' && (access & (GENERIC_WRITE | FILE_WRITE_DATA)) === 0);
  if (r.ok && input) k.handles.updateFlags(r.value.handle, HANDLE_CONSOLE_INPUT);
  return r;
}

/** The descriptor behind a handle that carries data (file, console, pipe), or -1. */
export function fdOfHandle(k: FileKernel, h: number): number {
  const o = k.handles.lookup(h);
  if (!o || (o.type !== HandleType.Console && o.type !== HandleType.File && o.type !== HandleType.Pipe && o.type !== HandleType.Directory)) return -1;
  return o.value;
}

export function closeFileHandle(k: FileKernel, h: number): boolean {
  const o = k.handles.close(h);
  if (!o) return false;
  if (o.type === HandleType.File) k.locks.release(h);
  if (o.type === HandleType.Directory) k.watches.release(h);
  // Only these hold a descriptor (find handles, registry keys, tokens do not).
  if (o.type !== HandleType.File && o.type !== HandleType.Directory && o.type !== HandleType.Console && o.type !== HandleType.Pipe && o.type !== HandleType.Mapping) return true;
  if (o.flags & HANDLE_BORROWED_FD) return true;
  if (o.flags & (HANDLE_DELETE_ON_CLOSE | HANDLE_DELETE_PENDING)) {
    const path = k.fs.readlink(`/proc/self/fd/${o.value}`);
    if (!failed(path)) {
      if (o.type === HandleType.Directory) k.fs.rmdir(path);
      else k.fs.unlink(path);
    }
  }
  k.fs.close(o.value);
  return true;
}

export function fileType(k: FileKernel, h: number): WinResult<number> {
  const fd = fdOfHandle(k, h);
  if (fd < 0) return err(ERROR_INVALID_HANDLE);
  const st = k.fs.fstat(fd);
  if (failed(st)) return ok(FILE_TYPE_UNKNOWN);
  if (st.isFile || st.isDirectory) return ok(FILE_TYPE_DISK);
  if (st.isCharDevice) return ok(FILE_TYPE_CHAR);
  if (st.isFifo || st.isSocket) return ok(FILE_TYPE_PIPE);
  return ok(FILE_TYPE_UNKNOWN);
}

/** Reads into `view`; with a position (OVERLAPPED offset) the file pointer ends after the data. */
export function readHandle(k: FileKernel, h: number, view: Uint8Array, position: bigint | null): WinResult<number> {
  const o = k.handles.lookup(h);
  if (!o || o.type === HandleType.Find) return err(ERROR_INVALID_HANDLE);
  if (o.type === HandleType.Directory) return err(ERROR_INVALID_PARAMETER);
  if (o.type === HandleType.File && !(o.access & FILE_READ_DATA)) return err(ERROR_ACCESS_DENIED);
  if (o.type === HandleType.File && !k.locks.empty && lockedOut(k, h, o.value, o.fileId, position, view.length, false)) return err(ERROR_LOCK_VIOLATION);
  const r = k.fs.read(o.value, view, position === null ? null : Number(position));
  if (failed(r)) return err(r.errno === 'EPIPE' ? 109 : win32FromErrno(r.errno));
  if (position !== null && o.type === HandleType.File) k.fs.seek(o.value, position + BigInt(r), 0);
  return ok(r);
}

export function writeHandle(k: FileKernel, h: number, view: Uint8Array, position: bigint | null): WinResult<number> {
  const o = k.handles.lookup(h);
  if (!o || o.type === HandleType.Find) return err(ERROR_INVALID_HANDLE);
  if (o.type === HandleType.Directory) return err(ERROR_INVALID_PARAMETER);
  if (o.type === HandleType.File && !(o.access & (FILE_WRITE_DATA | FILE_APPEND_DATA))) return err(ERROR_ACCESS_DENIED);
  if (o.type === HandleType.File && !k.locks.empty && lockedOut(k, h, o.value, o.fileId, o.flags & HANDLE_APPEND ? -1n : position, view.length, true)) return err(ERROR_LOCK_VIOLATION);
  const pos = o.flags & HANDLE_APPEND ? null : position === null ? null : Number(position);
  const r = k.fs.write(o.value, view, pos);
  if (failed(r)) return err(r.errno === 'EPIPE' ? 232 : win32FromErrno(r.errno));
  if (o.type === HandleType.Console) k.consoleWritten?.(o.value, view.subarray(0, r));
  if (position !== null && pos !== null && o.type === HandleType.File) k.fs.seek(o.value, position + BigInt(r), 0);
  return ok(r);
}

/** Whether a byte-range lock refuses this transfer (position null: the file pointer; -1:
 *  the end of the file, for appends). */
function lockedOut(k: FileKernel, h: number, fd: number, fileId: bigint, position: bigint | null, length: number, write: boolean): boolean {
  let at = position;
  if (at === null) {
    const cur = k.fs.seek(fd, 0n, 1);
    at = failed(cur) ? 0n : cur;
  } else if (at < 0n) {
    const st = k.fs.fstat(fd);
    at = failed(st) ? 0n : st.size;
  }
  return ioConflicts(k.locks.all(fileId), h, at, BigInt(length), write);
}

/** SetFilePointerEx: the new position. */
export function seekHandle(k: FileKernel, h: number, distance: bigint, method: number): WinResult<bigint> {
  const o = k.handles.lookup(h);
  if (!o || o.type === HandleType.Find) return err(ERROR_INVALID_HANDLE);
  if (method < 0 || method > 2) return err(ERROR_INVALID_PARAMETER);
  if (o.type !== HandleType.File && o.type !== HandleType.Directory) return ok(0n); // pipes and consoles: no position, no error
  let base = 0n;
  if (method === 1) {
    const cur = k.fs.seek(o.value, 0n, 1);
    if (failed(cur)) return err(win32FromErrno(cur.errno));
    base = cur;
  } else if (method === 2) {
    const st = k.fs.fstat(o.value);
    if (failed(st)) return err(win32FromErrno(st.errno));
    base = st.size;
  }
  const target = base + distance;
  if (target < 0n) return err(ERROR_NEGATIVE_SEEK);
  const r = k.fs.seek(o.value, target, 0);
  if (failed(r)) return err(win32FromErrno(r.errno));
  return ok(r);
}

export function statHandle(k: FileKernel, h: number): WinResult<HostStat> {
  const fd = fdOfHandle(k, h);
  if (fd < 0) return err(ERROR_INVALID_HANDLE);
  const st = k.fs.fstat(fd);
  return failed(st) ? err(win32FromErrno(st.errno)) : ok(st);
}

/** The Unix path a handle was opened on (for GetFinalPathNameByHandle). */
export function pathOfHandle(k: FileKernel, h: number): WinResult<string> {
  const fd = fdOfHandle(k, h);
  if (fd < 0) return err(ERROR_INVALID_HANDLE);
  const p = k.fs.readlink(`/proc/self/fd/${fd}`);
  return failed(p) ? err(win32FromErrno(p.errno)) : ok(p);
}

/** True when no open handle of the process forbids deleting the file at `unix` (the handle
 *  on descriptor `exceptFd`, the one asking, does not count). */
export function deleteAllowed(k: FileKernel, unix: string, exceptFd = -1): boolean {
  const st = k.fs.stat(unix);
  if (failed(st)) return true;
  return k.handles.openOn(fileIdOf(st)).every((h) => h.value === exceptFd || (h.share & FILE_SHARE_DELETE) !== 0 || (h.flags & (HANDLE_DELETE_ON_CLOSE | HANDLE_DELETE_PENDING)) !== 0);
}

/** SetEndOfFile (size null: at the file pointer) and NtSetInformationFile's
 *  FileEndOfFileInformation: the file's size becomes `size`. The handle must be able to write. */
export function setEndOfFile(k: FileKernel, h: number, size: bigint | null): WinResult<void> {
  const o = k.handles.lookup(h);
  if (!o || o.type !== HandleType.File) return err(ERROR_INVALID_HANDLE);
  if (!(o.access & (FILE_WRITE_DATA | FILE_APPEND_DATA))) return err(ERROR_ACCESS_DENIED);
  let at = size;
  if (at === null) {
    const pos = k.fs.seek(o.value, 0n, 1);
    if (failed(pos)) return err(win32FromErrno(pos.errno));
    at = pos;
  }
  if (at < 0n) return err(ERROR_INVALID_PARAMETER);
  const t = k.fs.truncate(o.value, at);
  return failed(t) ? err(win32FromErrno(t.errno)) : ok(undefined);
}

/** FlushFileBuffers / NtFlushBuffersFile: a file must be open for writing; pipes and
 *  terminals cannot be synced, which is not an error. */
export function flushHandle(k: FileKernel, h: number): WinResult<void> {
  const o = k.handles.lookup(h);
  const fd = fdOfHandle(k, h);
  if (!o || fd < 0) return err(ERROR_INVALID_HANDLE);
  if (o.type === HandleType.File && !(o.access & (FILE_WRITE_DATA | FILE_APPEND_DATA))) return err(ERROR_ACCESS_DENIED);
  k.fs.fsync(fd);
  return ok(undefined);
}

/** MoveFileEx and FileRenameInformation: renames the existing file `src` to `dst`, replacing
 *  a file there only when asked (never a directory or a read-only file); across file systems
 *  a file is copied when `copyAllowed`. `exceptFd` is the asking handle's own descriptor. */
export function renamePath(k: FileKernel, src: string, srcSt: HostStat, dst: string, replace: boolean, copyAllowed: boolean, exceptFd = -1): WinResult<void> {
  const d = k.fs.stat(dst);
  const same = !failed(d) && d.ino === srcSt.ino && d.dev === srcSt.dev;
  if (!failed(d) && !same) {
    if (!replace) return err(ERROR_ALREADY_EXISTS);
    if (d.isDirectory || (d.mode & 0o222) === 0) return err(ERROR_ACCESS_DENIED);
  }
  if (!deleteAllowed(k, src, exceptFd)) return err(ERROR_SHARING_VIOLATION);
  let r = k.fs.rename(src, dst);
  if (failed(r) && r.errno === 'EXDEV' && copyAllowed && srcSt.isFile) {
    r = k.fs.copyFile(src, dst, false);
    if (!failed(r)) r = k.fs.unlink(src);
  }
  if (failed(r)) return err(r.errno === 'ENOENT' ? ERROR_PATH_NOT_FOUND : win32FromErrno(r.errno));
  return ok(undefined);
}


export const FILE_DISPOSITION_DELETE = 0x1;
export const FILE_DISPOSITION_POSIX_SEMANTICS = 0x2;
export const FILE_DISPOSITION_ON_CLOSE = 0x8;

/**
 * The delete disposition of an open file (FileDispositionInformation(Ex), kernel32's
 * FileDispositionInfo): marks or unmarks it for deletion when its handle closes; POSIX
 * semantics remove the name at once. A read-only file cannot be deleted, nor a directory that
 * is not empty. Returns an NTSTATUS (kernel32 maps it the way RtlNtStatusToDosError does).
 */
export function setDeleteDisposition(k: FileKernel, h: number, flags: number): number {
  const o = k.handles.lookup(h);
  if (!o) return STATUS_INVALID_HANDLE;
  if (!(o.access & DELETE)) return STATUS_ACCESS_DENIED;
  if (!(flags & FILE_DISPOSITION_DELETE)) {
    k.handles.updateFlags(h, 0, HANDLE_DELETE_PENDING | (flags & FILE_DISPOSITION_ON_CLOSE ? HANDLE_DELETE_ON_CLOSE : 0));
    return STATUS_SUCCESS;
  }
  const p = pathOfHandle(k, h);
  const st = statHandle(k, h);
  if (!p.ok || !st.ok) return STATUS_INVALID_HANDLE;
  if ((st.value.mode & 0o222) === 0) return STATUS_CANNOT_DELETE;
  if (st.value.isDirectory) {
    const entries = k.fs.readdir(p.value);
    if (!failed(entries) && entries.length > 0) return STATUS_DIRECTORY_NOT_EMPTY;
  }
  if (flags & FILE_DISPOSITION_POSIX_SEMANTICS) {
    const r = st.value.isDirectory ? k.fs.rmdir(p.value) : k.fs.unlink(p.value);
    return failed(r) ? ntStatusFromWin32(win32FromErrno(r.errno)) : STATUS_SUCCESS;
  }
  k.handles.updateFlags(h, flags & FILE_DISPOSITION_ON_CLOSE ? HANDLE_DELETE_ON_CLOSE : HANDLE_DELETE_PENDING);
  return STATUS_SUCCESS;
}
