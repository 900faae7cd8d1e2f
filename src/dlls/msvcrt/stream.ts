/**
 * Buffered streams (FILE) with msvcrt's layout and rules, so that programs and old MSVC
 * headers' getc/putc macros can work on `_ptr`/`_cnt` themselves:
 *   struct _iobuf { char *_ptr; int _cnt; char *_base; int _flag; int _file; int _charbuf;
 *                   int _bufsiz; char *_tmpfname; }   // 48 bytes on x64
 * All state is in the FILE and its buffer (guest memory, DESIGN.md §5). In write mode `_cnt`
 * is the room left in the buffer; in read mode, the bytes not yet consumed. Files and pipes
 * are fully buffered; stdout and stderr on a console are written through at the end of each
 * call (msvcrt's temporary buffering has the same visible effect).
 */
import type { ApiContext } from '../types.js';
import { CRT, crt } from './crtdata.js';
import { EBADF, EINVAL, fdFlags, FDEV, FTEXT, readFd, seekFd, validFd, writeFd } from './lowio.js';
import { setErrno } from './memory.js';

export const FILE_SIZE = 48;
export const IOB_COUNT = 20;
/** Field offsets of msvcrt's FILE. */
export const FILE = { Ptr: 0, Cnt: 8, Base: 16, Flag: 24, File: 28, Charbuf: 32, Bufsiz: 36, Tmpfname: 40 } as const;
const { Ptr: PTR, Cnt: CNT, Base: BASE, Flag: FLAG, File: FILENO, Charbuf: CHARBUF, Bufsiz: BUFSIZ_ } = FILE;

export const _IOREAD = 0x1;
export const _IOWRT = 0x2;
export const _IONBF = 0x4;
export const _IOMYBUF = 0x8;
export const _IOEOF = 0x10;
export const _IOERR = 0x20;
export const _IOSTRG = 0x40;
export const _IORW = 0x80;
export const _USERBUF = 0x100;
export const EOF = -1;
export const BUFFER_SIZE = 4096;

/** Stream table initialisation (msvcrt's `_iob` export, UCRT's own table): stdin, stdout,
 *  stderr on descriptors 0–2. */
export function initIob(ctx: ApiContext, iob: number): void {
  const m = ctx.mem;
  for (let i = 0; i < IOB_COUNT; i++) {
    const f = iob + FILE_SIZE * i;
    m.setU32(f + FILENO, i < 3 ? i : 0xffffffff);
    m.setU32(f + FLAG, i === 0 ? _IOREAD : i < 3 ? _IOWRT : 0);
  }
}

/** UCRT's stream table (behind __acrt_iob_func), set up on first use. */
export function ucrtIob(ctx: ApiContext): number {
  const iob = crt(ctx, CRT.UcrtIob);
  // stdout's _flag is never 0 once initialised.
  if (ctx.mem.u32(iob + FILE_SIZE + FLAG) === 0) initIob(ctx, iob);
  return iob;
}

export const streamFlag = (ctx: ApiContext, f: number): number => ctx.mem.u32(f + FLAG);
export const setStreamFlag = (ctx: ApiContext, f: number, v: number): void => ctx.mem.setU32(f + FLAG, v);
const flagOf = streamFlag;
const setFlag = setStreamFlag;
export const filenoOf = (ctx: ApiContext, f: number): number => ctx.mem.i32(f + FILENO);

/** Validates a FILE pointer the way the CRT's invalid-parameter check does. */
export function validStream(ctx: ApiContext, f: number): boolean {
  if (f === 0) {
    setErrno(ctx, EINVAL);
    return false;
  }
  ctx.mem.check(f, FILE_SIZE, true);
  return true;
}

/** stdout/stderr on a console: written through at the end of each call. */
function writesThrough(ctx: ApiContext, f: number): boolean {
  const flag = flagOf(ctx, f);
  if (flag & _IONBF) return true;
  if (flag & _USERBUF) return false;
  const fd = filenoOf(ctx, f);
  return (fd === 1 || fd === 2) && (fdFlags(ctx, fd) & FDEV) !== 0 && ctx.mem.ptr(f + BASE) === 0;
}

function ensureBuffer(ctx: ApiContext, f: number): void {
  const m = ctx.mem;
  if (m.ptr(f + BASE) !== 0) return;
  const buf = ctx.process.heapAlloc(ctx.process.processHeap, BUFFER_SIZE, 0);
  if (buf === 0) {
    // No memory: one character at a time through _charbuf.
    setFlag(ctx, f, flagOf(ctx, f) | _IONBF);
    return;
  }
  m.setU64(f + BASE, buf);
  m.setU64(f + PTR, buf);
  m.setU32(f + BUFSIZ_, BUFFER_SIZE);
  m.setU32(f + CNT, 0);
  setFlag(ctx, f, flagOf(ctx, f) | _IOMYBUF);
}

/** Writes out the buffered bytes of a stream in write mode. 0, or EOF on error. */
export function flushStream(ctx: ApiContext, f: number): number {
  const m = ctx.mem;
  const flag = flagOf(ctx, f);
  let r = 0;
  const base = m.ptr(f + BASE);
  if (flag & _IOWRT && base !== 0) {
    const used = m.ptr(f + PTR) - base;
    if (used > 0) {
      const n = writeFd(ctx, filenoOf(ctx, f), m.read(base, used));
      if (n !== used) {
        setFlag(ctx, f, flag | _IOERR);
        r = EOF;
      }
    }
    m.setU64(f + PTR, base);
    m.setU32(f + CNT, 0);
  }
  if (flag & _IOREAD && flag & _IORW && base !== 0 && m.i32(f + CNT) > 0) {
    // An update stream leaving read mode: the descriptor goes back to the logical position.
    const pos = streamTell(ctx, f);
    if (pos >= 0n) seekFd(ctx, filenoOf(ctx, f), pos, 0);
    m.setU64(f + PTR, base);
    m.setU32(f + CNT, 0);
  }
  if (flagOf(ctx, f) & _IORW) setFlag(ctx, f, flagOf(ctx, f) & ~(_IOWRT | _IOREAD));
  return r;
}

/** Puts a stream in write mode; false (with _IOERR) when it cannot write. */
function toWriteMode(ctx: ApiContext, f: number): boolean {
  const flag = flagOf(ctx, f);
  if (flag & _IOWRT) return true;
  if (!(flag & _IORW)) {
    setFlag(ctx, f, flag | _IOERR);
    setErrno(ctx, EBADF);
    return false;
  }
  if (flag & _IOREAD) {
    // Leaving read mode: give back what was read ahead so the file position is right.
    const cnt = ctx.mem.i32(f + CNT);
    if (cnt > 0) seekFd(ctx, filenoOf(ctx, f), BigInt(-cnt), 1);
    const base = ctx.mem.ptr(f + BASE);
    ctx.mem.setU64(f + PTR, base);
    ctx.mem.setU32(f + CNT, 0);
  }
  setFlag(ctx, f, (flagOf(ctx, f) & ~(_IOREAD | _IOEOF)) | _IOWRT);
  return true;
}

/** Appends bytes to a stream; returns how many were accepted. */
export function streamWrite(ctx: ApiContext, f: number, data: Uint8Array): number {
  if (!toWriteMode(ctx, f)) return 0;
  const m = ctx.mem;
  const fd = filenoOf(ctx, f);
  if (writesThrough(ctx, f)) {
    if (data.length === 0) return 0;
    flushStream(ctx, f);
    setFlag(ctx, f, flagOf(ctx, f) | _IOWRT);
    if (writeFd(ctx, fd, data) !== data.length) {
      setFlag(ctx, f, flagOf(ctx, f) | _IOERR);
      return 0;
    }
    return data.length;
  }
  ensureBuffer(ctx, f);
  const base = m.ptr(f + BASE);
  const size = m.u32(f + BUFSIZ_);
  let done = 0;
  while (done < data.length) {
    const used = m.ptr(f + PTR) - base;
    if (used === 0 && data.length - done >= size) {
      // A write as large as the buffer goes straight to the descriptor.
      const n = writeFd(ctx, fd, data.subarray(done));
      if (n < 0) {
        setFlag(ctx, f, flagOf(ctx, f) | _IOERR);
        return done;
      }
      done = data.length;
      break;
    }
    const room = size - used;
    if (room === 0) {
      if (flushStream(ctx, f) !== 0) return done;
      setFlag(ctx, f, flagOf(ctx, f) | _IOWRT);
      continue;
    }
    const chunk = Math.min(room, data.length - done);
    m.write(base + used, data.subarray(done, done + chunk));
    m.setU64(f + PTR, base + used + chunk);
    done += chunk;
  }
  m.setU32(f + CNT, size - (m.ptr(f + PTR) - base));
  return done;
}

/** Refills the read buffer; false at end of file or on error (flags set). */
function fill(ctx: ApiContext, f: number): boolean {
  const m = ctx.mem;
  let flag = flagOf(ctx, f);
  if (!(flag & (_IOREAD | _IORW)) || flag & _IOSTRG) {
    setFlag(ctx, f, flag | _IOERR);
    setErrno(ctx, EBADF);
    return false;
  }
  if (flag & _IOWRT) {
    if (!(flag & _IORW)) {
      setFlag(ctx, f, flag | _IOERR);
      return false;
    }
    flushStream(ctx, f);
    flag = flagOf(ctx, f);
  }
  setFlag(ctx, f, flag | _IOREAD);
  let base: number;
  let size: number;
  if (flagOf(ctx, f) & _IONBF) {
    base = f + CHARBUF;
    size = 1;
    m.setU64(f + BASE, 0);
  } else {
    ensureBuffer(ctx, f);
    base = m.ptr(f + BASE);
    size = m.u32(f + BUFSIZ_);
  }
  const n = readFd(ctx, filenoOf(ctx, f), base, size);
  if (n <= 0) {
    setFlag(ctx, f, flagOf(ctx, f) | (n === 0 ? _IOEOF : _IOERR));
    m.setU32(f + CNT, 0);
    m.setU64(f + PTR, base);
    return false;
  }
  m.setU64(f + PTR, base);
  m.setU32(f + CNT, n);
  return true;
}

/** fgetc: the next byte or EOF. */
export function streamGetc(ctx: ApiContext, f: number): number {
  const m = ctx.mem;
  if (m.i32(f + CNT) <= 0 || !(flagOf(ctx, f) & _IOREAD)) {
    if (!fill(ctx, f)) return EOF;
  }
  const p = m.ptr(f + PTR);
  const c = m.u8(p);
  m.setU64(f + PTR, p + 1);
  m.setU32(f + CNT, m.i32(f + CNT) - 1);
  return c;
}

export function streamUngetc(ctx: ApiContext, c: number, f: number): number {
  if (c === EOF) return EOF;
  const m = ctx.mem;
  let flag = flagOf(ctx, f);
  if (!(flag & (_IOREAD | _IORW)) || (flag & _IOWRT && !(flag & _IORW))) return EOF;
  if (flag & _IOWRT) {
    flushStream(ctx, f);
    flag = flagOf(ctx, f);
  }
  if (!(flag & _IOREAD)) {
    setFlag(ctx, f, flag | _IOREAD);
    m.setU32(f + CNT, 0);
  }
  if (flagOf(ctx, f) & _IONBF || m.ptr(f + BASE) === 0) {
    if (flagOf(ctx, f) & _IONBF) {
      m.setU8(f + CHARBUF, c);
      m.setU64(f + PTR, f + CHARBUF);
      m.setU32(f + CNT, 1);
      setFlag(ctx, f, flagOf(ctx, f) & ~_IOEOF);
      return c & 0xff;
    }
    ensureBuffer(ctx, f);
  }
  const base = m.ptr(f + BASE);
  let p = m.ptr(f + PTR);
  const cnt = Math.max(0, m.i32(f + CNT));
  if (p === base) {
    if (cnt > 0) {
      if (cnt >= m.u32(f + BUFSIZ_)) return EOF;
      m.copy(base + 1, base, cnt);
    }
    p = base + 1;
  }
  p -= 1;
  m.setU8(p, c);
  m.setU64(f + PTR, p);
  m.setU32(f + CNT, cnt + 1);
  setFlag(ctx, f, flagOf(ctx, f) & ~_IOEOF);
  return c & 0xff;
}

/** fread into guest memory: returns the bytes read. */
export function streamRead(ctx: ApiContext, f: number, dst: number, total: number): number {
  const m = ctx.mem;
  let done = 0;
  while (done < total) {
    const cnt = flagOf(ctx, f) & _IOREAD ? m.i32(f + CNT) : 0;
    if (cnt > 0) {
      const k = Math.min(cnt, total - done);
      const p = m.ptr(f + PTR);
      m.copy(dst + done, p, k);
      m.setU64(f + PTR, p + k);
      m.setU32(f + CNT, cnt - k);
      done += k;
      continue;
    }
    const size = m.u32(f + BUFSIZ_) || BUFFER_SIZE;
    if (total - done >= size && flagOf(ctx, f) & (_IOREAD | _IORW) && !(flagOf(ctx, f) & _IOWRT)) {
      // Large reads go straight into the caller's memory, whole buffers at a time.
      setFlag(ctx, f, flagOf(ctx, f) | _IOREAD);
      const want = Math.floor((total - done) / size) * size;
      const n = readFd(ctx, filenoOf(ctx, f), dst + done, want);
      if (n <= 0) {
        setFlag(ctx, f, flagOf(ctx, f) | (n === 0 ? _IOEOF : _IOERR));
        break;
      }
      done += n;
      continue;
    }
    if (!fill(ctx, f)) break;
  }
  return done;
}

/** Ends a library call on a stream: write-through streams are flushed. */
export function endCall(ctx: ApiContext, f: number): void {
  if (writesThrough(ctx, f) && flagOf(ctx, f) & _IOWRT) flushStream(ctx, f);
}

/** Bytes between the descriptor's position and the stream's logical position. */
export function streamTell(ctx: ApiContext, f: number): bigint {
  const m = ctx.mem;
  const fd = filenoOf(ctx, f);
  if (!validFd(ctx, fd)) return -1n;
  const pos = seekFd(ctx, fd, 0n, 1);
  if (pos < 0n) return -1n;
  const flag = flagOf(ctx, f);
  const base = m.ptr(f + BASE);
  const text = (fdFlags(ctx, fd) & FTEXT) !== 0;
  if (flag & _IOREAD) {
    const cnt = Math.max(0, m.i32(f + CNT));
    if (cnt === 0) return pos;
    let adjust = BigInt(cnt);
    if (text) {
      // Each LF still in the buffer was CR LF in the file.
      const p = m.ptr(f + PTR);
      const unread = m.read(p, cnt);
      for (const b of unread) if (b === 10) adjust += 1n;
    }
    return pos - adjust;
  }
  if (flag & _IOWRT && base !== 0) {
    const used = m.ptr(f + PTR) - base;
    let add = BigInt(used);
    if (text && used > 0) for (const b of m.read(base, used)) if (b === 10) add += 1n;
    return pos + add;
  }
  return pos;
}

export function streamSeek(ctx: ApiContext, f: number, offset: bigint, whence: number): number {
  if (whence < 0 || whence > 2) {
    setErrno(ctx, EINVAL);
    return -1;
  }
  const m = ctx.mem;
  let off = offset;
  if (whence === 1) {
    const here = streamTell(ctx, f);
    if (here < 0n) return -1;
    off += here;
    whence = 0;
  }
  flushStream(ctx, f);
  const base = m.ptr(f + BASE);
  m.setU64(f + PTR, base);
  m.setU32(f + CNT, 0);
  let flag = flagOf(ctx, f) & ~_IOEOF;
  if (flag & _IORW) flag &= ~(_IOREAD | _IOWRT);
  setFlag(ctx, f, flag);
  return seekFd(ctx, filenoOf(ctx, f), off, whence) < 0n ? -1 : 0;
}
