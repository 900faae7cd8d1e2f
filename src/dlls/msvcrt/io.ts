/** io.h, direct.h and sys/stat.h: the descriptor calls, file-system calls and stat, on
 *  lowio.ts and kernel32. */
import { failed, type HostStat } from '../../host/fs.js';
import { closeFileHandle, statHandle } from '../../kernel/files.js';
import { HandleType } from '../../kernel/handles.js';
import * as k32 from '../kernel32/fileapi.js';
import * as k32path from '../kernel32/pathapi.js';
import { readPath, unixPath, type Charset } from '../kernel32/pathstr.js';
import type { ApiContext } from '../types.js';
import {
  allocFd,
  closeFd,
  dosmaperr,
  duplicateHandle,
  FOPEN,
  installFd,
  kindFlags,
  MAX_FDS,
  EACCES,
  EBADF,
  EINVAL,
  ENOENT,
  fdFlags,
  FAPPEND,
  FDEV,
  FEOFLAG,
  FPIPE,
  FTEXT,
  osHandle,
  readFd,
  seekFd,
  setFdFlags,
  setTextMode,
  sopen,
  textMode,
  TM_ANSI,
  TM_UTF16,
  TM_UTF8,
  validFd,
  writeFd,
  _O_APPEND,
  _O_BINARY,
  _O_CREAT,
  _S_IREAD,
  _S_IWRITE,
  _O_TEXT,
  _O_U16TEXT,
  _O_U8TEXT,
  _O_WTEXT,
} from './lowio.js';
import { _errno, setErrno } from './memory.js';

const _SH_DENYNO = 0x40;

/** _open/_sopen and wide forms: the permission argument follows only with _O_CREAT. */
function openPath(ctx: ApiContext, cs: Charset, path: number, oflag: number, sh: number): number {
  if (path === 0) {
    setErrno(ctx, EINVAL);
    return -1;
  }
  const pmode = oflag & _O_CREAT ? Number(ctx.varargs().next() & 0xffffffffn) : _S_IREAD | _S_IWRITE;
  return sopen(ctx, readPath(ctx, path, cs), oflag, sh, pmode);
}

export const _open = (ctx: ApiContext, path: number, oflag: number): number => openPath(ctx, 'A', path, oflag, _SH_DENYNO);
export const _wopen = (ctx: ApiContext, path: number, oflag: number): number => openPath(ctx, 'W', path, oflag, _SH_DENYNO);
export const _sopen = (ctx: ApiContext, path: number, oflag: number, sh: number): number => openPath(ctx, 'A', path, oflag, sh);
export const _wsopen = (ctx: ApiContext, path: number, oflag: number, sh: number): number => openPath(ctx, 'W', path, oflag, sh);

function sopenS(ctx: ApiContext, cs: Charset, out: number, path: number, oflag: number, sh: number, pmode: number): number {
  if (out === 0 || path === 0) {
    setErrno(ctx, EINVAL);
    return EINVAL;
  }
  ctx.mem.setU32(out, 0xffffffff);
  const fd = sopen(ctx, readPath(ctx, path, cs), oflag, sh, pmode);
  if (fd < 0) return ctx.mem.u32(_errno(ctx));
  ctx.mem.setU32(out, fd);
  return 0;
}
export const _sopen_s = (ctx: ApiContext, out: number, path: number, oflag: number, sh: number, pmode: number): number => sopenS(ctx, 'A', out, path, oflag, sh, pmode);
export const _wsopen_s = (ctx: ApiContext, out: number, path: number, oflag: number, sh: number, pmode: number): number => sopenS(ctx, 'W', out, path, oflag, sh, pmode);

export const _close = (ctx: ApiContext, fd: number): number => closeFd(ctx, fd);

export function _read(ctx: ApiContext, fd: number, buf: number, n: number): number {
  if (n > 0x7fffffff || (buf === 0 && n > 0)) {
    setErrno(ctx, EINVAL);
    return -1;
  }
  return readFd(ctx, fd, buf, n);
}

export function _write(ctx: ApiContext, fd: number, buf: number, n: number): number {
  if (buf === 0 && n > 0) {
    setErrno(ctx, EINVAL);
    return -1;
  }
  if (!validFd(ctx, fd)) return -1;
  return writeFd(ctx, fd, n === 0 ? new Uint8Array(0) : ctx.mem.view(buf, n, false).slice());
}

export function _lseek(ctx: ApiContext, fd: number, off: number, whence: number): number {
  const r = seekFd(ctx, fd, BigInt(off), whence);
  if (r > 0x7fffffffn) {
    setErrno(ctx, EINVAL);
    return -1;
  }
  return Number(r);
}
export const _lseeki64 = (ctx: ApiContext, fd: number, off: bigint, whence: number): bigint => seekFd(ctx, fd, off, whence);
export const _tell = (ctx: ApiContext, fd: number): number => _lseek(ctx, fd, 0, 1);
export const _telli64 = (ctx: ApiContext, fd: number): bigint => seekFd(ctx, fd, 0n, 1);

export function _eof(ctx: ApiContext, fd: number): number {
  if (!validFd(ctx, fd)) return -1;
  if (fdFlags(ctx, fd) & FEOFLAG) return 1;
  const st = statHandle(ctx.process, osHandle(ctx, fd));
  const here = seekFd(ctx, fd, 0n, 1);
  if (!st.ok || here < 0n) return -1;
  return here >= st.value.size ? 1 : 0;
}

export function _filelengthi64(ctx: ApiContext, fd: number): bigint {
  if (!validFd(ctx, fd)) return -1n;
  const st = statHandle(ctx.process, osHandle(ctx, fd));
  if (!st.ok) {
    dosmaperr(ctx, st.error);
    return -1n;
  }
  return st.value.size;
}
export const _filelength = (ctx: ApiContext, fd: number): number => Number(_filelengthi64(ctx, fd));

export function _chsize_s(ctx: ApiContext, fd: number, size: bigint): number {
  if (!validFd(ctx, fd)) return EBADF;
  if (size < 0n) {
    setErrno(ctx, EINVAL);
    return EINVAL;
  }
  const o = ctx.process.handles.lookup(osHandle(ctx, fd));
  if (!o || o.type !== HandleType.File) {
    setErrno(ctx, EBADF);
    return EBADF;
  }
  const r = ctx.process.fs.truncate(o.value, size);
  if (failed(r)) {
    setErrno(ctx, EACCES);
    return EACCES;
  }
  return 0;
}
export const _chsize = (ctx: ApiContext, fd: number, size: number): number => (_chsize_s(ctx, fd, BigInt(size)) === 0 ? 0 : -1);

export function _commit(ctx: ApiContext, fd: number): number {
  if (!validFd(ctx, fd)) return -1;
  k32.FlushFileBuffers(ctx, osHandle(ctx, fd));
  return 0;
}

export function _get_osfhandle(ctx: ApiContext, fd: number): number {
  if (!validFd(ctx, fd)) return -1;
  return osHandle(ctx, fd);
}

export function _open_osfhandle(ctx: ApiContext, h: bigint, flags: number): number {
  const handle = Number(BigInt.asIntN(64, h));
  const o = ctx.process.handles.lookup(handle);
  if (!o) {
    setErrno(ctx, EBADF);
    return -1;
  }
  return allocFd(ctx, handle, kindFlags(ctx, handle) | (flags & _O_APPEND ? FAPPEND : 0) | (flags & (_O_TEXT | _O_WTEXT | _O_U16TEXT | _O_U8TEXT) || !(flags & _O_BINARY) ? FTEXT : 0));
}

/** _dup2: fd2 becomes a second descriptor on fd1's file (closed first if open). */
export function _dup2(ctx: ApiContext, fd1: number, fd2: number): number {
  if (!validFd(ctx, fd1)) return -1;
  if (fd2 < 0 || fd2 >= MAX_FDS) {
    setErrno(ctx, EBADF);
    return -1;
  }
  if (fd1 === fd2) return 0;
  const h = duplicateHandle(ctx, osHandle(ctx, fd1));
  if (h === 0) return -1;
  if (fdFlags(ctx, fd2) & FOPEN) closeFd(ctx, fd2);
  installFd(ctx, fd2, h, fdFlags(ctx, fd1) & ~FEOFLAG);
  // Descriptors 0–2 stand for the process's std handles too.
  if (fd2 < 3) ctx.process.stdHandles[fd2] = h;
  return 0;
}

export function _dup(ctx: ApiContext, fd: number): number {
  if (!validFd(ctx, fd)) return -1;
  const h = duplicateHandle(ctx, osHandle(ctx, fd));
  if (h === 0) return -1;
  const n = allocFd(ctx, h, fdFlags(ctx, fd) & ~FEOFLAG);
  if (n < 0) closeFileHandle(ctx.process, h);
  return n;
}

export function _setmode(ctx: ApiContext, fd: number, mode: number): number {
  if (!validFd(ctx, fd)) return -1;
  const known = _O_TEXT | _O_BINARY | _O_WTEXT | _O_U16TEXT | _O_U8TEXT;
  if ((mode & known) === 0 || (mode & ~known) !== 0) {
    setErrno(ctx, EINVAL);
    return -1;
  }
  const flags = fdFlags(ctx, fd);
  // A Unicode text mode reports itself as _O_WTEXT, whichever it was.
  const old = flags & FTEXT ? (textMode(ctx, fd) !== TM_ANSI ? _O_WTEXT : _O_TEXT) : _O_BINARY;
  setFdFlags(ctx, fd, mode & _O_BINARY ? flags & ~FTEXT : flags | FTEXT);
  setTextMode(ctx, fd, mode & (_O_WTEXT | _O_U16TEXT) ? TM_UTF16 : mode & _O_U8TEXT ? TM_UTF8 : TM_ANSI);
  return old;
}

export function _isatty(ctx: ApiContext, fd: number): number {
  if (!(fd >= 0 && fd < 512) || !(fdFlags(ctx, fd) & 1)) {
    setErrno(ctx, EBADF);
    return 0;
  }
  return fdFlags(ctx, fd) & FDEV ? 0x40 : 0;
}

// ---- by path --------------------------------------------------------------------------------

/** Calls a kernel32 path API and maps its failure to errno: 0 or -1. */
function viaKernel32(ctx: ApiContext, ok: number): number {
  if (ok) return 0;
  dosmaperr(ctx, ctx.getLastError());
  return -1;
}

export const remove = (ctx: ApiContext, p: number): number => viaKernel32(ctx, k32.DeleteFileA(ctx, p));
export const _wremove = (ctx: ApiContext, p: number): number => viaKernel32(ctx, k32.DeleteFileW(ctx, p));
export const _unlink = remove;
export const _wunlink = _wremove;
export const rename = (ctx: ApiContext, a: number, b: number): number => viaKernel32(ctx, k32.MoveFileExA(ctx, a, b, 2));
export const _wrename = (ctx: ApiContext, a: number, b: number): number => viaKernel32(ctx, k32.MoveFileExW(ctx, a, b, 2));
export const _mkdir = (ctx: ApiContext, p: number): number => viaKernel32(ctx, k32.CreateDirectoryA(ctx, p, 0));
export const _wmkdir = (ctx: ApiContext, p: number): number => viaKernel32(ctx, k32.CreateDirectoryW(ctx, p, 0));
export const _rmdir = (ctx: ApiContext, p: number): number => viaKernel32(ctx, k32.RemoveDirectoryA(ctx, p));
export const _wrmdir = (ctx: ApiContext, p: number): number => viaKernel32(ctx, k32.RemoveDirectoryW(ctx, p));
export const _chdir = (ctx: ApiContext, p: number): number => viaKernel32(ctx, k32path.SetCurrentDirectoryA(ctx, p));
export const _wchdir = (ctx: ApiContext, p: number): number => viaKernel32(ctx, k32path.SetCurrentDirectoryW(ctx, p));

function getcwd(ctx: ApiContext, cs: Charset, buf: number, size: number): number {
  const need = cs === 'W' ? k32path.GetCurrentDirectoryW(ctx, 0, 0) : k32path.GetCurrentDirectoryA(ctx, 0, 0);
  if (buf === 0) {
    const n = Math.max(size, need);
    const b = ctx.process.heapAlloc(ctx.process.processHeap, n * (cs === 'W' ? 2 : 1), 0);
    if (b === 0) {
      setErrno(ctx, 12);
      return 0;
    }
    buf = b;
    size = n;
  }
  if (need > size) {
    setErrno(ctx, 34 /* ERANGE */);
    return 0;
  }
  if (cs === 'W') k32path.GetCurrentDirectoryW(ctx, size, buf);
  else k32path.GetCurrentDirectoryA(ctx, size, buf);
  return buf;
}
export const _getcwd = (ctx: ApiContext, buf: number, size: number): number => getcwd(ctx, 'A', buf, size);
export const _wgetcwd = (ctx: ApiContext, buf: number, size: number): number => getcwd(ctx, 'W', buf, size);

function access(ctx: ApiContext, cs: Charset, p: number, mode: number): number {
  if (p === 0 || mode & ~6) {
    setErrno(ctx, EINVAL);
    return -1;
  }
  const attrs = cs === 'W' ? k32.GetFileAttributesW(ctx, p) : k32.GetFileAttributesA(ctx, p);
  if (attrs === 0xffffffff) {
    dosmaperr(ctx, ctx.getLastError());
    return -1;
  }
  if (attrs & 1 && mode & 2 && !(attrs & 0x10)) {
    setErrno(ctx, EACCES);
    return -1;
  }
  return 0;
}
export const _access = (ctx: ApiContext, p: number, mode: number): number => access(ctx, 'A', p, mode);
export const _waccess = (ctx: ApiContext, p: number, mode: number): number => access(ctx, 'W', p, mode);
export const _access_s = (ctx: ApiContext, p: number, mode: number): number => (access(ctx, 'A', p, mode) === 0 ? 0 : ctx.mem.u32(_errno(ctx)));
export const _waccess_s = (ctx: ApiContext, p: number, mode: number): number => (access(ctx, 'W', p, mode) === 0 ? 0 : ctx.mem.u32(_errno(ctx)));

// ---- stat -----------------------------------------------------------------------------------

/** The layouts of struct _stat*: time and size widths. */
export type StatLayout = '64' | '64i32' | '32' | '32i64';

const EXECUTABLE = /\.(exe|com|bat|cmd)$/i;

function statMode(st: HostStat, name: string): number {
  let mode = st.isDirectory ? 0x4000 : st.isCharDevice ? 0x2000 : st.isFifo || st.isSocket ? 0x1000 : 0x8000;
  let perm = 0x100; // _S_IREAD
  if ((st.mode & 0o222) !== 0 || st.isDirectory) perm |= 0x80; // _S_IWRITE (directories: always)
  if (st.isDirectory || EXECUTABLE.test(name)) perm |= 0x40; // _S_IEXEC
  mode |= perm | (perm >> 3) | (perm >> 6);
  return mode;
}

function writeStat(ctx: ApiContext, out: number, st: HostStat, mode: number, drive: number, layout: StatLayout): void {
  const m = ctx.mem;
  const size = layout === '64' ? 56 : layout === '64i32' || layout === '32i64' ? 48 : 36;
  m.check(out, size, true);
  m.fill(out, 0, size);
  m.setU32(out, drive);
  m.setU16(out + 6, mode);
  m.setU16(out + 8, 1);
  m.setU32(out + 16, drive);
  const secs = (ns: bigint): bigint => ns / 1_000_000_000n;
  const fileSize = st.isDirectory ? 0n : st.size;
  if (layout === '64') {
    m.setU64(out + 24, fileSize);
    m.setU64(out + 32, secs(st.atimeNs));
    m.setU64(out + 40, secs(st.mtimeNs));
    m.setU64(out + 48, secs(st.ctimeNs));
  } else if (layout === '64i32') {
    m.setU32(out + 20, Number(fileSize & 0xffffffffn));
    m.setU64(out + 24, secs(st.atimeNs));
    m.setU64(out + 32, secs(st.mtimeNs));
    m.setU64(out + 40, secs(st.ctimeNs));
  } else if (layout === '32i64') {
    m.setU64(out + 24, fileSize);
    m.setU32(out + 32, Number(secs(st.atimeNs) & 0xffffffffn));
    m.setU32(out + 36, Number(secs(st.mtimeNs) & 0xffffffffn));
    m.setU32(out + 40, Number(secs(st.ctimeNs) & 0xffffffffn));
  } else {
    m.setU32(out + 20, Number(fileSize & 0xffffffffn));
    m.setU32(out + 24, Number(secs(st.atimeNs) & 0xffffffffn));
    m.setU32(out + 28, Number(secs(st.mtimeNs) & 0xffffffffn));
    m.setU32(out + 32, Number(secs(st.ctimeNs) & 0xffffffffn));
  }
}

export function statPath(ctx: ApiContext, cs: Charset, p: number, out: number, layout: StatLayout): number {
  if (p === 0 || out === 0) {
    setErrno(ctx, EINVAL);
    return -1;
  }
  const name = readPath(ctx, p, cs);
  // A trailing separator is allowed only on a directory; wildcards never match.
  if (/[?*]/.test(name)) {
    setErrno(ctx, ENOENT);
    return -1;
  }
  const unix = unixPath(ctx, name.replace(/[\\/]+$/, (t) => (/^[a-zA-Z]:[\\/]$/.test(name) ? t : '')));
  if (unix === undefined) {
    setErrno(ctx, ENOENT);
    return -1;
  }
  const st = ctx.process.fs.stat(unix);
  if (failed(st) || (/[\\/]$/.test(name) && !st.isDirectory && !/^[a-zA-Z]:[\\/]$/.test(name))) {
    setErrno(ctx, ENOENT);
    return -1;
  }
  const full = ctx.process.drives.toDos(unix);
  const drive = full.charCodeAt(0) - 65;
  writeStat(ctx, out, st, statMode(st, name), drive, layout);
  return 0;
}

export function fstatFd(ctx: ApiContext, fd: number, out: number, layout: StatLayout): number {
  if (!validFd(ctx, fd)) return -1;
  if (out === 0) {
    setErrno(ctx, EINVAL);
    return -1;
  }
  const h = osHandle(ctx, fd);
  const st = statHandle(ctx.process, h);
  if (!st.ok) {
    dosmaperr(ctx, st.error);
    return -1;
  }
  const s = st.value;
  const flags = fdFlags(ctx, fd);
  // Devices and pipes: no times, no permissions beyond read/write.
  if (flags & (FDEV | FPIPE)) {
    const mode = (flags & FDEV ? 0x2000 : 0x1000) | 0x180 | 0x30 | 0x6;
    writeStat(ctx, out, { ...s, size: flags & FPIPE ? s.size : 0n, atimeNs: 0n, mtimeNs: 0n, ctimeNs: 0n }, mode, flags & FDEV ? fd : 0, layout);
    if (flags & FDEV) ctx.mem.setU32(out, fd);
    return 0;
  }
  writeStat(ctx, out, s, statMode(s, ''), 0, layout);
  return 0;
}

