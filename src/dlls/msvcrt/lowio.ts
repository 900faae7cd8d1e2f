/**
 * The CRT's low-level I/O (io.h): file descriptors over Win32 handles, with msvcrt's text mode
 * (LF → CR LF on write; CR LF → LF and Ctrl-Z as end of file on read). The descriptor table
 * lives in the CRT block (DESIGN.md §5), 16 bytes a descriptor:
 *   u64 OS handle, u8 flags (msvcrt's FOPEN, FEOFLAG, …), u8 text encoding, u8 lookahead, u8 has-lookahead
 */
import {
  closeFileHandle,
  CREATE_ALWAYS,
  CREATE_NEW,
  FILE_ATTRIBUTE_READONLY,
  FILE_FLAG_DELETE_ON_CLOSE,
  FILE_SHARE_READ,
  FILE_SHARE_WRITE,
  fileType,
  FILE_TYPE_CHAR,
  FILE_TYPE_PIPE,
  GENERIC_READ,
  GENERIC_WRITE,
  OPEN_ALWAYS,
  OPEN_EXISTING,
  openDevice,
  openFile,
  readHandle,
  seekHandle,
  TRUNCATE_EXISTING,
  writeHandle,
} from '../../kernel/files.js';
import { HANDLE_BORROWED_FD, HANDLE_DELETE_ON_CLOSE, HandleType } from '../../kernel/handles.js';
import { resolve } from '../kernel32/pathstr.js';
import type { ApiContext } from '../types.js';
import { CRT, crt } from './crtdata.js';
import { __doserrno, setErrno } from './memory.js';

export const MAX_FDS = 512;
const ENTRY = 16;

// Descriptor flags (msvcrt's ioinfo.osfile bits).
export const FOPEN = 0x01;
export const FEOFLAG = 0x02;
export const FCRLF = 0x04;
export const FPIPE = 0x08;
export const FNOINHERIT = 0x10;
export const FAPPEND = 0x20;
export const FDEV = 0x40;
export const FTEXT = 0x80;

// _open flags (fcntl.h).
export const _O_RDONLY = 0;
export const _O_WRONLY = 1;
export const _O_RDWR = 2;
export const _O_APPEND = 0x8;
export const _O_TEMPORARY = 0x40;
export const _O_NOINHERIT = 0x80;
export const _O_CREAT = 0x100;
export const _O_TRUNC = 0x200;
export const _O_EXCL = 0x400;
export const _O_TEXT = 0x4000;
export const _O_BINARY = 0x8000;
export const _O_WTEXT = 0x10000;
export const _O_U16TEXT = 0x20000;
export const _O_U8TEXT = 0x40000;
export const _S_IREAD = 0x100;
export const _S_IWRITE = 0x80;
const _SH_DENYRW = 0x10;
const _SH_DENYWR = 0x20;
const _SH_DENYRD = 0x30;

// errno values.
export const EPERM = 1;
export const ENOENT = 2;
export const EBADF = 9;
export const ENOMEM = 12;
export const EACCES = 13;
export const EEXIST = 17;
export const EINVAL = 22;
export const EMFILE = 24;
export const ENOSPC = 28;
export const EPIPE = 32;
export const ENOTEMPTY = 41;

/** _dosmaperr: a Win32 error → errno, and _doserrno keeps the Win32 code. */
export function dosmaperr(ctx: ApiContext, win32: number): void {
  ctx.mem.setU32(__doserrno(ctx), win32);
  const map: Record<number, number> = {
    2: ENOENT, 3: ENOENT, 15: ENOENT, 18: ENOENT, 53: ENOENT, 123: ENOENT, 161: ENOENT, 206: ENOENT,
    4: EMFILE, 5: EACCES, 19: EACCES, 32: EACCES, 33: EACCES, 267: EACCES, 6: EBADF, 8: ENOMEM, 14: ENOMEM,
    80: EEXIST, 183: EEXIST, 87: EINVAL, 131: EINVAL, 112: ENOSPC, 39: ENOSPC, 109: EPIPE, 232: EPIPE, 145: ENOTEMPTY,
  };
  setErrno(ctx, map[win32] ?? EINVAL);
}

const entry = (ctx: ApiContext, fd: number): number => crt(ctx, CRT.FdTable) + ENTRY * fd;

/** Sets up descriptors 0–2 on the std handles the first time the table is used. */
function ensureStd(ctx: ApiContext): void {
  const m = ctx.mem;
  const flagAt = crt(ctx, CRT.FdTableReady);
  if (m.u8(flagAt)) return;
  m.setU8(flagAt, 1);
  for (let fd = 0; fd < 3; fd++) {
    const h = ctx.process.stdHandles[fd]!;
    const e = entry(ctx, fd);
    m.setU64(e, h);
    m.setU8(e + 8, FOPEN | FTEXT | kindFlags(ctx, h));
  }
}

export function fdFlags(ctx: ApiContext, fd: number): number {
  if (!(fd >= 0 && fd < MAX_FDS)) return 0;
  ensureStd(ctx);
  return ctx.mem.u8(entry(ctx, fd) + 8);
}

export function setFdFlags(ctx: ApiContext, fd: number, flags: number): void {
  ctx.mem.setU8(entry(ctx, fd) + 8, flags);
}

export function osHandle(ctx: ApiContext, fd: number): number {
  return Number(ctx.mem.u64(entry(ctx, fd)));
}

/** True (with errno EBADF set otherwise) when fd is an open descriptor. */
export function validFd(ctx: ApiContext, fd: number): boolean {
  if (fdFlags(ctx, fd) & FOPEN) return true;
  setErrno(ctx, EBADF);
  ctx.mem.setU32(__doserrno(ctx), 0);
  return false;
}

/** The default text/binary mode of new descriptors: _fmode (msvcrt's export, or UCRT's). */
export function defaultBinary(ctx: ApiContext): boolean {
  if (ctx.process.moduleHandle('msvcrt.dll') !== 0) {
    try {
      if (ctx.mem.u32(ctx.dataAddress('msvcrt.dll', '_fmode')) & _O_BINARY) return true;
    } catch {
      /* msvcrt's image has no data yet */
    }
  }
  return (ctx.mem.u32(crt(ctx, CRT.Fmode)) & _O_BINARY) !== 0;
}

/** Allocates the lowest free descriptor for a handle; -1 (EMFILE) when the table is full. */
export function allocFd(ctx: ApiContext, handle: number, flags: number): number {
  ensureStd(ctx);
  for (let fd = 0; fd < MAX_FDS; fd++) {
    const e = entry(ctx, fd);
    if (ctx.mem.u8(e + 8) & FOPEN) continue;
    ctx.mem.setU64(e, handle);
    ctx.mem.setU8(e + 8, flags | FOPEN);
    ctx.mem.setU16(e + 10, 0);
    return fd;
  }
  setErrno(ctx, EMFILE);
  return -1;
}

/** Puts (handle, flags) at a given descriptor (for _dup2). */
export function installFd(ctx: ApiContext, fd: number, handle: number, flags: number): void {
  ensureStd(ctx);
  const e = entry(ctx, fd);
  ctx.mem.setU64(e, handle);
  ctx.mem.setU8(e + 8, flags | FOPEN);
  ctx.mem.setU16(e + 10, 0);
}

/** A second handle on the same open file (DuplicateHandle), or 0 with errno set. */
export function duplicateHandle(ctx: ApiContext, h: number): number {
  const o = ctx.process.handles.lookup(h);
  if (!o || o.type === HandleType.Find) {
    setErrno(ctx, EBADF);
    return 0;
  }
  const fd = ctx.process.fs.dup(o.value);
  if (typeof fd !== 'number') {
    setErrno(ctx, EMFILE);
    return 0;
  }
  const n = ctx.process.handles.allocate(o.type, fd, { access: o.access, share: o.share, flags: o.flags & ~(HANDLE_BORROWED_FD | HANDLE_DELETE_ON_CLOSE), fileId: o.fileId });
  if (n === 0) {
    ctx.process.fs.close(fd);
    setErrno(ctx, EMFILE);
  }
  return n;
}

/** FDEV for a character device, FPIPE for a pipe, as msvcrt marks descriptors. */
export function kindFlags(ctx: ApiContext, h: number): number {
  const t = fileType(ctx.process, h);
  return t.ok && t.value === FILE_TYPE_CHAR ? FDEV : t.ok && t.value === FILE_TYPE_PIPE ? FPIPE : 0;
}

/** _sopen: the heart of _open/_wopen/_sopen_s/fopen. Returns the fd or -1 with errno. */
export function sopen(ctx: ApiContext, path: string, oflag: number, shflag: number, pmode: number): number {
  const acc = oflag & 3;
  if (acc === 3) {
    setErrno(ctx, EINVAL);
    return -1;
  }
  const access = acc === _O_RDONLY ? GENERIC_READ : acc === _O_WRONLY ? GENERIC_WRITE : GENERIC_READ | GENERIC_WRITE;
  const share = shflag === _SH_DENYRW ? 0 : shflag === _SH_DENYWR ? FILE_SHARE_READ : shflag === _SH_DENYRD ? FILE_SHARE_WRITE : FILE_SHARE_READ | FILE_SHARE_WRITE;
  const c = oflag & (_O_CREAT | _O_EXCL | _O_TRUNC);
  const disposition =
    c === (_O_CREAT | _O_EXCL) || c === (_O_CREAT | _O_EXCL | _O_TRUNC) ? CREATE_NEW : c === (_O_CREAT | _O_TRUNC) ? CREATE_ALWAYS : c & _O_CREAT ? OPEN_ALWAYS : c & _O_TRUNC ? TRUNCATE_EXISTING : OPEN_EXISTING;
  let attrs = 0;
  if (oflag & _O_CREAT && !(pmode & _S_IWRITE)) attrs |= FILE_ATTRIBUTE_READONLY;
  if (oflag & _O_TEMPORARY) attrs |= FILE_FLAG_DELETE_ON_CLOSE;
  const r = resolve(ctx, path);
  if (r.kind === 'error') {
    dosmaperr(ctx, r.error);
    return -1;
  }
  const o = r.kind === 'device' ? openDevice(ctx.process, r.device, access, share) : openFile(ctx.process, r.unix, access, share, disposition, attrs);
  if (!o.ok) {
    dosmaperr(ctx, o.error);
    return -1;
  }
  const handle = o.value.handle;
  const binary = oflag & _O_BINARY ? true : oflag & (_O_TEXT | _O_WTEXT | _O_U16TEXT | _O_U8TEXT) ? false : defaultBinary(ctx);
  const flags = (binary ? 0 : FTEXT) | (oflag & _O_APPEND ? FAPPEND : 0) | (oflag & _O_NOINHERIT ? FNOINHERIT : 0) | kindFlags(ctx, handle);
  const fd = allocFd(ctx, handle, flags);
  if (fd < 0) closeFileHandle(ctx.process, handle);
  else setTextMode(ctx, fd, oflag & _O_U16TEXT || oflag & _O_WTEXT ? TM_UTF16 : oflag & _O_U8TEXT ? TM_UTF8 : TM_ANSI);
  return fd;
}

/** A descriptor's Unicode text mode (fopen's ccs=, _setmode): lowio entry byte 9. */
export const TM_ANSI = 0;
export const TM_UTF8 = 1;
export const TM_UTF16 = 2;
export function textMode(ctx: ApiContext, fd: number): number {
  return ctx.mem.u8(entry(ctx, fd) + 9);
}
export function setTextMode(ctx: ApiContext, fd: number, tm: number): void {
  ctx.mem.setU8(entry(ctx, fd) + 9, tm);
}

export function closeFd(ctx: ApiContext, fd: number): number {
  if (!validFd(ctx, fd)) return -1;
  const h = osHandle(ctx, fd);
  ctx.mem.setU8(entry(ctx, fd) + 8, 0);
  ctx.mem.setU64(entry(ctx, fd), 0xffffffffffffffffn);
  // The std descriptors' handles belong to the process (closing fd 1 does not close stdout's handle).
  const o = ctx.process.handles.lookup(h);
  if (o && !ctx.process.stdHandles.includes(h)) closeFileHandle(ctx.process, h);
  return 0;
}

/** Writes raw bytes to the descriptor's handle (append mode seeks to the end first). */
function writeRaw(ctx: ApiContext, fd: number, data: Uint8Array): number {
  const h = osHandle(ctx, fd);
  if (fdFlags(ctx, fd) & FAPPEND) seekHandle(ctx.process, h, 0n, 2);
  const r = writeHandle(ctx.process, h, data, null);
  if (!r.ok) {
    dosmaperr(ctx, r.error);
    return -1;
  }
  if (r.value < data.length) {
    setErrno(ctx, ENOSPC);
    return -1;
  }
  return r.value;
}

/** _write: returns the count of the caller's bytes written, or -1. */
export function writeFd(ctx: ApiContext, fd: number, data: Uint8Array): number {
  if (!validFd(ctx, fd)) return -1;
  const flags = fdFlags(ctx, fd);
  // In a Unicode text mode the wide writers have translated LF already (widestream.ts).
  if (!(flags & FTEXT) || !data.includes(10) || textMode(ctx, fd) !== TM_ANSI) {
    if (data.length === 0) return 0;
    return writeRaw(ctx, fd, data) < 0 ? -1 : data.length;
  }
  let lf = 0;
  for (const b of data) if (b === 10) lf++;
  const out = new Uint8Array(data.length + lf);
  let j = 0;
  for (const b of data) {
    if (b === 10) out[j++] = 13;
    out[j++] = b;
  }
  return writeRaw(ctx, fd, out) < 0 ? -1 : data.length;
}

/** Reads raw bytes into `view`; returns the count, 0 at end, -1 on error. */
function readRaw(ctx: ApiContext, fd: number, view: Uint8Array): number {
  const h = osHandle(ctx, fd);
  const r = readHandle(ctx.process, h, view, null);
  if (!r.ok) {
    if (r.error === 109) return 0; // a broken pipe reads as end of file
    dosmaperr(ctx, r.error);
    return -1;
  }
  return r.value;
}

/** _read into guest memory at `buf`: text mode folds CR LF and stops at Ctrl-Z. */
export function readFd(ctx: ApiContext, fd: number, buf: number, n: number): number {
  if (!validFd(ctx, fd)) return -1;
  const m = ctx.mem;
  const e = entry(ctx, fd);
  let flags = fdFlags(ctx, fd);
  if (n === 0) return 0;
  if (flags & FEOFLAG) return 0;
  const view = m.view(buf, n, true);
  let got = 0;
  if (m.u8(e + 11)) {
    view[0] = m.u8(e + 10);
    m.setU8(e + 11, 0);
    got = 1;
  }
  if (got < n) {
    const r = readRaw(ctx, fd, view.subarray(got));
    if (r < 0) return -1;
    got += r;
  }
  // UTF-16 text is translated on characters (widestream.ts), not on bytes.
  if (!(flags & FTEXT) || textMode(ctx, fd) === TM_UTF16) return got;
  // Text mode: CR LF → LF, a lone CR stays; Ctrl-Z ends the file.
  let out = 0;
  for (let i = 0; i < got; i++) {
    const b = view[i]!;
    if (b === 0x1a) {
      flags |= FEOFLAG;
      setFdFlags(ctx, fd, flags);
      // Leave the rest unread for a seekable file.
      if (!(flags & (FDEV | FPIPE))) seekHandle(ctx.process, osHandle(ctx, fd), BigInt(i - got), 1);
      break;
    }
    if (b === 13) {
      if (i + 1 < got) {
        if (view[i + 1] === 10) {
          view[out++] = 10;
          i++;
        } else view[out++] = 13;
        continue;
      }
      // CR at the end of what was read: look at the next byte.
      const one = new Uint8Array(1);
      const r = readRaw(ctx, fd, one);
      if (r <= 0) view[out++] = 13;
      else if (one[0] === 10) view[out++] = 10;
      else {
        view[out++] = 13;
        if (flags & (FDEV | FPIPE)) {
          m.setU8(e + 10, one[0]!);
          m.setU8(e + 11, 1);
        } else seekHandle(ctx.process, osHandle(ctx, fd), -1n, 1);
      }
      continue;
    }
    view[out++] = b;
  }
  return out;
}

/** _lseeki64: the new position or -1. */
export function seekFd(ctx: ApiContext, fd: number, offset: bigint, whence: number): bigint {
  if (!validFd(ctx, fd)) return -1n;
  if (whence < 0 || whence > 2) {
    setErrno(ctx, EINVAL);
    return -1n;
  }
  const h = osHandle(ctx, fd);
  const o = ctx.process.handles.lookup(h);
  if (o && o.type !== HandleType.File) {
    setErrno(ctx, 29 /* ESPIPE */);
    return -1n;
  }
  let off = offset;
  const e = entry(ctx, fd);
  if (whence === 1 && ctx.mem.u8(e + 11)) off -= 1n;
  const r = seekHandle(ctx.process, h, off, whence);
  if (!r.ok) {
    dosmaperr(ctx, r.error);
    return -1n;
  }
  ctx.mem.setU8(e + 11, 0);
  setFdFlags(ctx, fd, fdFlags(ctx, fd) & ~FEOFLAG);
  return r.value;
}

export function isDevice(ctx: ApiContext, fd: number): boolean {
  return (fdFlags(ctx, fd) & FDEV) !== 0;
}
