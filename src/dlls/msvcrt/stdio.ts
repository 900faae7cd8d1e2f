/**
 * stdio.h over the buffered streams of stream.ts: opening and closing, character, line and
 * block I/O, positioning, buffering control, and the printf family on streams.
 */
import { invalidParameter } from './invarg.js';
import type { ApiContext, VarArgs } from '../types.js';
import { EEXIST, EINVAL, fdFlags, FTEXT, setFdFlags, sopen, validFd, _O_BINARY, _O_CREAT, _O_EXCL, _O_RDWR, _O_TEMPORARY, _O_TEXT, _S_IREAD, _S_IWRITE } from './lowio.js';
import { tempPath } from '../kernel32/pathapi.js';
import { readPath } from '../kernel32/pathstr.js';
import { _errno, setErrno, strerror } from './memory.js';
import { formatNarrow, formatWide, type FormatEnv } from './printf.js';
import { allStreams, closeStream, flushAll, openStream, parseMode, setvbufStream, streamOnFd } from './fopen.js';
import {
  endCall,
  EOF,
  FILE,
  filenoOf,
  flushStream,
  setStreamFlag,
  streamFlag,
  streamGetc,
  streamRead,
  streamSeek,
  streamTell,
  streamUngetc,
  streamWrite,
  ucrtIob,
  validStream,
  _IOEOF,
  _IOERR,
  _IONBF,
  _IOREAD,
  _IORW,
  _IOWRT,
} from './stream.js';

export { FILE_SIZE, IOB_COUNT, initIob } from './stream.js';
export { flushAll } from './fopen.js';


export function __iob_func(ctx: ApiContext): number {
  return ctx.dataAddress('msvcrt.dll', '_iob');
}

/** The std stream `i` (0 stdin, 1 stdout, 2 stderr) for functions both CRTs export (puts,
 *  printf …): UCRT's table when ucrtbase is loaded, else msvcrt's `_iob`. */
export function stdStream(ctx: ApiContext, i: number): number {
  if (ctx.process.moduleHandle('ucrtbase.dll') !== 0) return ucrtIob(ctx) + 48 * i;
  return __iob_func(ctx) + 48 * i;
}

const _SH_DENYNO = 0x40;
/** A FILE in use: open for reading, writing or both. */
const OPEN = _IOREAD | _IOWRT | _IORW;

/** A narrow string argument (the ANSI code page, UTF-8). */
const narrow = (ctx: ApiContext, p: number): string => readPath(ctx, p, 'A');

/** Writes bytes to a stream as one library call; returns bytes accepted. */
export function writeBytes(ctx: ApiContext, f: number, data: Uint8Array): number {
  const n = streamWrite(ctx, f, data);
  endCall(ctx, f);
  return n;
}

// ---- opening -------------------------------------------------------------------------------

export function fopen(ctx: ApiContext, path: number, mode: number): number {
  if (path === 0 || mode === 0) {
    invalidParameter(ctx);
    return 0;
  }
  return openStream(ctx, narrow(ctx, path), narrow(ctx, mode), _SH_DENYNO);
}

export function _wfopen(ctx: ApiContext, path: number, mode: number): number {
  if (path === 0 || mode === 0) {
    invalidParameter(ctx);
    return 0;
  }
  return openStream(ctx, ctx.mem.wstring(path), ctx.mem.wstring(mode), _SH_DENYNO);
}

export function _fsopen(ctx: ApiContext, path: number, mode: number, sh: number): number {
  if (path === 0 || mode === 0) {
    invalidParameter(ctx);
    return 0;
  }
  return openStream(ctx, narrow(ctx, path), narrow(ctx, mode), sh);
}

export function _wfsopen(ctx: ApiContext, path: number, mode: number, sh: number): number {
  if (path === 0 || mode === 0) {
    invalidParameter(ctx);
    return 0;
  }
  return openStream(ctx, ctx.mem.wstring(path), ctx.mem.wstring(mode), sh);
}

function openS(ctx: ApiContext, out: number, open: () => number): number {
  if (out === 0) {
    invalidParameter(ctx);
    return EINVAL;
  }
  const f = open();
  ctx.mem.setU64(out, f);
  return f ? 0 : ctx.mem.u32(_errno(ctx));
}
// fopen_s opens files unshared for writing (_SH_SECURE): others may read only when we only read.
export const fopen_s = (ctx: ApiContext, out: number, path: number, mode: number): number => openS(ctx, out, () => fopen(ctx, path, mode));
export const _wfopen_s = (ctx: ApiContext, out: number, path: number, mode: number): number => openS(ctx, out, () => _wfopen(ctx, path, mode));

export function _fdopen(ctx: ApiContext, fd: number, mode: number): number {
  const p = mode ? parseMode(narrow(ctx, mode)) : undefined;
  if (!p) {
    invalidParameter(ctx);
    return 0;
  }
  if (!validFd(ctx, fd)) return 0;
  if (p.oflag & _O_BINARY) setFdFlags(ctx, fd, fdFlags(ctx, fd) & ~FTEXT);
  else if (p.oflag & _O_TEXT) setFdFlags(ctx, fd, fdFlags(ctx, fd) | FTEXT);
  return streamOnFd(ctx, fd, p.streamFlag);
}

export function freopen(ctx: ApiContext, path: number, mode: number, f: number): number {
  if (!validStream(ctx, f) || mode === 0) return 0;
  if (streamFlag(ctx, f) & OPEN) closeStream(ctx, f, false);
  if (path === 0) {
    invalidParameter(ctx);
    return 0;
  }
  return openStream(ctx, narrow(ctx, path), narrow(ctx, mode), _SH_DENYNO, f);
}

export function _wfreopen(ctx: ApiContext, path: number, mode: number, f: number): number {
  if (!validStream(ctx, f) || mode === 0) return 0;
  if (streamFlag(ctx, f) & OPEN) closeStream(ctx, f, false);
  if (path === 0) {
    invalidParameter(ctx);
    return 0;
  }
  return openStream(ctx, ctx.mem.wstring(path), ctx.mem.wstring(mode), _SH_DENYNO, f);
}

export function fclose(ctx: ApiContext, f: number): number {
  if (!validStream(ctx, f)) return EOF;
  return closeStream(ctx, f);
}

/** Closes every stream but stdin, stdout and stderr; returns how many. */
export function _fcloseall(ctx: ApiContext): number {
  let n = 0;
  for (const f of allStreams(ctx)) {
    const fd = filenoOf(ctx, f);
    if (fd > 2 && streamFlag(ctx, f) & OPEN) {
      closeStream(ctx, f);
      n++;
    }
  }
  return n;
}

/** tmpfile: a binary update stream on a new file in the temporary directory, deleted when
 *  closed. */
export function tmpfile(ctx: ApiContext): number {
  const dir = tempPath(ctx);
  for (let i = 0; i < 1000; i++) {
    const name = `${dir}t${(ctx.process.tickCount() + i * 7919).toString(36)}${i}.tmp`;
    const fd = sopen(ctx, name, _O_RDWR | _O_CREAT | _O_EXCL | _O_BINARY | _O_TEMPORARY, _SH_DENYNO, _S_IREAD | _S_IWRITE);
    if (fd >= 0) return streamOnFd(ctx, fd, _IORW);
    if (ctx.mem.u32(_errno(ctx)) !== EEXIST) break;
  }
  return 0;
}
export function tmpfile_s(ctx: ApiContext, out: number): number {
  if (out === 0) return EINVAL;
  const f = tmpfile(ctx);
  ctx.mem.setU64(out, f);
  return f ? 0 : 13;
}

// ---- characters and lines -------------------------------------------------------------------

export function fgetc(ctx: ApiContext, f: number): number {
  if (!validStream(ctx, f)) return EOF;
  return streamGetc(ctx, f);
}

export function getchar(ctx: ApiContext): number {
  return streamGetc(ctx, stdStream(ctx, 0));
}

/** _filbuf: what the getc macro calls when `_cnt` runs out (it already decremented it). */
export function _filbuf(ctx: ApiContext, f: number): number {
  ctx.mem.setU32(f + FILE.Cnt, 0);
  return streamGetc(ctx, f);
}

/** _flsbuf: what the putc macro calls when the buffer is full (or was never set up). */
export function _flsbuf(ctx: ApiContext, c: number, f: number): number {
  const base = ctx.mem.ptr(f + FILE.Base);
  // The macro decremented _cnt; the pointer is still right.
  if (base !== 0) ctx.mem.setU32(f + FILE.Cnt, 0);
  return writeBytes(ctx, f, Uint8Array.of(c & 0xff)) === 1 ? c & 0xff : EOF;
}

export function ungetc(ctx: ApiContext, c: number, f: number): number {
  if (!validStream(ctx, f)) return EOF;
  return streamUngetc(ctx, c, f);
}

export function fputc(ctx: ApiContext, c: number, f: number): number {
  if (!validStream(ctx, f)) return EOF;
  return writeBytes(ctx, f, Uint8Array.of(c & 0xff)) === 1 ? c & 0xff : EOF;
}

export function putchar(ctx: ApiContext, c: number): number {
  return fputc(ctx, c, stdStream(ctx, 1));
}

export function fputs(ctx: ApiContext, s: number, f: number): number {
  if (!validStream(ctx, f) || s === 0) {
    invalidParameter(ctx);
    return EOF;
  }
  const b = ctx.mem.cstringBytes(s);
  return writeBytes(ctx, f, b) === b.length ? 0 : EOF;
}

export function puts(ctx: ApiContext, s: number): number {
  const b = ctx.mem.cstringBytes(s);
  const line = new Uint8Array(b.length + 1);
  line.set(b);
  line[b.length] = 10;
  return writeBytes(ctx, stdStream(ctx, 1), line) === line.length ? 0 : EOF;
}

/** fgets: up to n-1 bytes, through the first LF; NULL at end of file with nothing read. */
export function fgets(ctx: ApiContext, buf: number, n: number, f: number): number {
  if (!validStream(ctx, f) || buf === 0 || n <= 0) {
    invalidParameter(ctx);
    return 0;
  }
  const m = ctx.mem;
  let i = 0;
  while (i < n - 1) {
    const cnt = streamFlag(ctx, f) & _IOREAD ? m.i32(f + FILE.Cnt) : 0;
    if (cnt > 0) {
      // Take a run from the buffer up to the LF.
      const p = m.ptr(f + FILE.Ptr);
      const take = Math.min(cnt, n - 1 - i);
      const chunk = m.view(p, take, false);
      const lf = chunk.indexOf(10);
      const k = lf >= 0 ? lf + 1 : take;
      m.copy(buf + i, p, k);
      m.setU64(f + FILE.Ptr, p + k);
      m.setU32(f + FILE.Cnt, cnt - k);
      i += k;
      if (lf >= 0) break;
      continue;
    }
    const c = streamGetc(ctx, f);
    if (c === EOF) break;
    m.setU8(buf + i++, c);
    if (c === 10) break;
  }
  if (i === 0) return 0;
  m.setU8(buf + i, 0);
  return buf;
}

export function gets(ctx: ApiContext, buf: number): number {
  const f = stdStream(ctx, 0);
  let i = 0;
  for (;;) {
    const c = streamGetc(ctx, f);
    if (c === EOF) {
      if (i === 0) return 0;
      break;
    }
    if (c === 10) break;
    ctx.mem.setU8(buf + i++, c);
  }
  ctx.mem.setU8(buf + i, 0);
  return buf;
}

// ---- blocks ---------------------------------------------------------------------------------

export function fwrite(ctx: ApiContext, buf: number, size: bigint, count: bigint, f: number): bigint {
  const total = Number(size * count);
  if (total === 0) return 0n;
  if (!validStream(ctx, f)) return 0n;
  const n = writeBytes(ctx, f, ctx.mem.view(buf, total, false).slice());
  return BigInt(Math.floor(n / Number(size)));
}

export function fread(ctx: ApiContext, buf: number, size: bigint, count: bigint, f: number): bigint {
  const total = Number(size * count);
  if (total === 0) return 0n;
  if (!validStream(ctx, f)) return 0n;
  ctx.mem.check(buf, total, true);
  const n = streamRead(ctx, f, buf, total);
  return BigInt(Math.floor(n / Number(size)));
}

// ---- state and position ---------------------------------------------------------------------

export function fflush(ctx: ApiContext, f: number): number {
  if (f === 0) {
    flushAll(ctx);
    return 0;
  }
  if (!validStream(ctx, f)) return EOF;
  return flushStream(ctx, f);
}

export function _flushall(ctx: ApiContext): number {
  return flushAll(ctx);
}

export const feof = (ctx: ApiContext, f: number): number => (validStream(ctx, f) ? streamFlag(ctx, f) & _IOEOF : 0);
export const ferror = (ctx: ApiContext, f: number): number => (validStream(ctx, f) ? streamFlag(ctx, f) & _IOERR : 0);
export function clearerr(ctx: ApiContext, f: number): void {
  if (validStream(ctx, f)) setStreamFlag(ctx, f, streamFlag(ctx, f) & ~(_IOEOF | _IOERR));
}

export function _fileno(ctx: ApiContext, f: number): number {
  if (!validStream(ctx, f)) return -1;
  return filenoOf(ctx, f);
}

export function fseek(ctx: ApiContext, f: number, off: number, whence: number): number {
  if (!validStream(ctx, f)) return -1;
  return streamSeek(ctx, f, BigInt(off), whence);
}

export function _fseeki64(ctx: ApiContext, f: number, off: bigint, whence: number): number {
  if (!validStream(ctx, f)) return -1;
  return streamSeek(ctx, f, off, whence);
}

export function ftell(ctx: ApiContext, f: number): number {
  if (!validStream(ctx, f)) return -1;
  const p = streamTell(ctx, f);
  if (p > 0x7fffffffn) {
    setErrno(ctx, EINVAL);
    return -1;
  }
  return Number(p);
}

export function _ftelli64(ctx: ApiContext, f: number): bigint {
  if (!validStream(ctx, f)) return -1n;
  return streamTell(ctx, f);
}

export function rewind(ctx: ApiContext, f: number): void {
  if (!validStream(ctx, f)) return;
  streamSeek(ctx, f, 0n, 0);
  setStreamFlag(ctx, f, streamFlag(ctx, f) & ~_IOERR);
}

export function fgetpos(ctx: ApiContext, f: number, pos: number): number {
  if (!validStream(ctx, f) || pos === 0) return -1;
  const p = streamTell(ctx, f);
  if (p < 0n) return -1;
  ctx.mem.setU64(pos, p);
  return 0;
}

export function fsetpos(ctx: ApiContext, f: number, pos: number): number {
  if (!validStream(ctx, f) || pos === 0) return -1;
  return streamSeek(ctx, f, ctx.mem.u64(pos), 0);
}

export function setvbuf(ctx: ApiContext, f: number, buf: number, mode: number, size: bigint): number {
  if (!validStream(ctx, f)) return -1;
  return setvbufStream(ctx, f, buf, mode, Number(BigInt.asIntN(64, size)));
}

export function setbuf(ctx: ApiContext, f: number, buf: number): void {
  if (!validStream(ctx, f)) return;
  if (buf === 0) setvbufStream(ctx, f, 0, _IONBF, 0);
  else setvbufStream(ctx, f, buf, 0, 512 /* BUFSIZ */);
}

// ---- wide characters: widestream.ts -----------------------------------------------------------

export { fgetwc, fgetws, fputwc, fputws, getwchar, putwchar, ungetwc, _putws } from './widestream.js';
import { wprintTo } from './widestream.js';

// ---- printf on streams ----------------------------------------------------------------------

/** A FormatEnv reading varargs slots from `next`. */
export function formatEnv(ctx: ApiContext, next: () => bigint): FormatEnv {
  const m = ctx.mem;
  return {
    next,
    cstring: (p) => m.cstringBytes(Number(p)),
    wstring: (p) => m.wstringUnits(Number(p)),
    store: (p, size, v) => {
      const a = Number(p);
      if (size === 1) m.setU8(a, Number(v & 0xffn));
      else if (size === 2) m.setU16(a, Number(v & 0xffffn));
      else if (size === 4) m.setU32(a, Number(v & 0xffffffffn));
      else m.setU64(a, v);
    },
  };
}

/** va_list on x64 Windows is a pointer to the next 8-byte slot. */
export function vaListEnv(ctx: ApiContext, va: number): FormatEnv {
  let p = va;
  return formatEnv(ctx, () => {
    const v = ctx.mem.u64(p);
    p += 8;
    return v;
  });
}

export function varArgsEnv(ctx: ApiContext, va: VarArgs): FormatEnv {
  return formatEnv(ctx, () => va.next());
}

function format(ctx: ApiContext, fmt: number, env: FormatEnv): Uint8Array {
  return formatNarrow(ctx.mem.cstringBytes(fmt), env, { msvcrt: true });
}

/** Writes formatted output to a stream: the count, or -1 when not all of it was written. */
export function printTo(ctx: ApiContext, f: number, out: Uint8Array): number {
  if (!validStream(ctx, f)) return -1;
  return writeBytes(ctx, f, out) === out.length ? out.length : -1;
}

export const vfprintf = (ctx: ApiContext, f: number, fmt: number, va: number): number => printTo(ctx, f, format(ctx, fmt, vaListEnv(ctx, va)));
export const fprintf = (ctx: ApiContext, f: number, fmt: number): number => printTo(ctx, f, format(ctx, fmt, varArgsEnv(ctx, ctx.varargs())));
export const printf = (ctx: ApiContext, fmt: number): number => printTo(ctx, stdStream(ctx, 1), format(ctx, fmt, varArgsEnv(ctx, ctx.varargs())));
export const vprintf = (ctx: ApiContext, fmt: number, va: number): number => printTo(ctx, stdStream(ctx, 1), format(ctx, fmt, vaListEnv(ctx, va)));

function wformat(ctx: ApiContext, fmt: number, env: FormatEnv): Uint16Array {
  return formatWide(ctx.mem.wstringUnits(fmt), env, { msvcrt: true });
}
export const vfwprintf = (ctx: ApiContext, f: number, fmt: number, va: number): number => wprintTo(ctx, f, wformat(ctx, fmt, vaListEnv(ctx, va)));
export const fwprintf = (ctx: ApiContext, f: number, fmt: number): number => wprintTo(ctx, f, wformat(ctx, fmt, varArgsEnv(ctx, ctx.varargs())));
export const wprintf = (ctx: ApiContext, fmt: number): number => wprintTo(ctx, stdStream(ctx, 1), wformat(ctx, fmt, varArgsEnv(ctx, ctx.varargs())));
export const vwprintf = (ctx: ApiContext, fmt: number, va: number): number => wprintTo(ctx, stdStream(ctx, 1), wformat(ctx, fmt, vaListEnv(ctx, va)));

function store(ctx: ApiContext, buf: number, out: Uint8Array): number {
  ctx.mem.writeCString(buf, out);
  return out.length;
}

export function sprintf(ctx: ApiContext, buf: number, fmt: number): number {
  return store(ctx, buf, format(ctx, fmt, varArgsEnv(ctx, ctx.varargs())));
}

export function vsprintf(ctx: ApiContext, buf: number, fmt: number, va: number): number {
  return store(ctx, buf, format(ctx, fmt, vaListEnv(ctx, va)));
}

/** _snprintf / _vsnprintf: writes at most `count` bytes, NUL only if it fits; returns -1 on
 *  truncation (msvcrt's rule, unlike C99 snprintf). */
function msSnprintf(ctx: ApiContext, buf: number, count: number, out: Uint8Array): number {
  if (out.length < count) return store(ctx, buf, out);
  ctx.mem.write(buf, out.subarray(0, count));
  return out.length === count ? count : -1;
}

export function _snprintf(ctx: ApiContext, buf: number, count: bigint, fmt: number): number {
  return msSnprintf(ctx, buf, Number(count), format(ctx, fmt, varArgsEnv(ctx, ctx.varargs())));
}

export function _vsnprintf(ctx: ApiContext, buf: number, count: bigint, fmt: number, va: number): number {
  return msSnprintf(ctx, buf, Number(count), format(ctx, fmt, vaListEnv(ctx, va)));
}

export function _vscprintf(ctx: ApiContext, fmt: number, va: number): number {
  return format(ctx, fmt, vaListEnv(ctx, va)).length;
}

export function perror(ctx: ApiContext, s: number): void {
  const text = ctx.mem.cstring(strerror(ctx, ctx.mem.u32(_errno(ctx))));
  const prefix = s && ctx.mem.u8(s) ? narrow(ctx, s) + ': ' : '';
  const f = stdStream(ctx, 2);
  flushStream(ctx, stdStream(ctx, 1));
  writeBytes(ctx, f, new TextEncoder().encode(`${prefix}${text}\n`));
}
