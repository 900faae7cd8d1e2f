/**
 * Opening and closing streams, the table of streams fopen creates (CRT.Streams: pointers to
 * heap FILEs), flushing them all, and setvbuf.
 */
import { invalidParameter } from './invarg.js';
import type { ApiContext } from '../types.js';
import { CRT, crt } from './crtdata.js';
import { readHandle, seekHandle, statHandle, writeHandle } from '../../kernel/files.js';
import { closeFd, EINVAL, osHandle, setTextMode, sopen, TM_UTF16, TM_UTF8, _O_APPEND, _O_BINARY, _O_CREAT, _O_EXCL, _O_NOINHERIT, _O_RDONLY, _O_RDWR, _O_TEMPORARY, _O_TEXT, _O_TRUNC, _O_U16TEXT, _O_U8TEXT, _O_WRONLY, _S_IREAD, _S_IWRITE } from './lowio.js';
import { setErrno } from './memory.js';
import { EOF, FILE, FILE_SIZE, filenoOf, flushStream, IOB_COUNT, setStreamFlag as setFlag, streamFlag as flagOf, _IOEOF, _IOMYBUF, _IONBF, _IOREAD, _IORW, _IOWRT, _USERBUF } from './stream.js';

export interface ModeFlags {
  oflag: number;
  streamFlag: number;
}

/** Parses an fopen mode ("r", "w+b", "a+t, ccs=UTF-8", "wx" …); undefined when invalid. */
export function parseMode(mode: string): ModeFlags | undefined {
  const m = /^\s*([rwa])(.*)$/.exec(mode);
  if (!m) return undefined;
  let oflag = m[1] === 'r' ? _O_RDONLY : m[1] === 'w' ? _O_WRONLY | _O_CREAT | _O_TRUNC : _O_WRONLY | _O_CREAT | _O_APPEND;
  let streamFlag = m[1] === 'r' ? _IOREAD : _IOWRT;
  let rest = m[2]!;
  const ccs = /,\s*ccs\s*=\s*([A-Za-z0-9-]+)\s*$/.exec(rest);
  if (ccs) {
    const enc = ccs[1]!.toUpperCase();
    if (enc === 'UTF-8') oflag |= _O_U8TEXT;
    else if (enc === 'UTF-16LE' || enc === 'UNICODE') oflag |= _O_U16TEXT;
    else return undefined;
    rest = rest.slice(0, ccs.index);
  }
  let seenPlus = false;
  let seenMode = false;
  for (const c of rest) {
    switch (c) {
      case '+':
        if (seenPlus) return undefined;
        seenPlus = true;
        oflag = (oflag & ~(_O_RDONLY | _O_WRONLY)) | _O_RDWR;
        streamFlag = _IORW;
        break;
      case 'b':
      case 't':
        if (seenMode) return undefined;
        seenMode = true;
        oflag |= c === 'b' ? _O_BINARY : _O_TEXT;
        break;
      case 'x':
        if (m[1] !== 'w') return undefined;
        oflag |= _O_EXCL;
        break;
      case 'D':
        oflag |= _O_TEMPORARY;
        break;
      case 'N':
        oflag |= _O_NOINHERIT;
        break;
      case 'c':
      case 'n':
      case 'S':
      case 'R':
      case 'T':
      case ' ':
        break;
      default:
        return undefined;
    }
  }
  return { oflag, streamFlag };
}

/** msvcrt allocates streams beyond the static table as _FILEX: the FILE followed by its
 *  CRITICAL_SECTION, which mingw-w64's _lock_file enters directly. */
const FILEX_SIZE = FILE_SIZE + 40;

/** A free FILE for a new stream: heap-allocated and entered in the stream table. */
function newStream(ctx: ApiContext): number {
  const table = crt(ctx, CRT.Streams);
  for (let i = 0; i < CRT.StreamsMax; i++) {
    if (ctx.mem.ptr(table + 8 * i) !== 0) continue;
    const f = ctx.process.heapAlloc(ctx.process.processHeap, FILEX_SIZE, 8 /* HEAP_ZERO_MEMORY */);
    if (f === 0) return 0;
    ctx.mem.setU32(f + FILE_SIZE + 8, 0xffffffff); // the lock's LockCount: -1, free
    ctx.mem.setU64(table + 8 * i, f);
    return f;
  }
  setErrno(ctx, 24 /* EMFILE */);
  return 0;
}

function releaseStream(ctx: ApiContext, f: number): void {
  const table = crt(ctx, CRT.Streams);
  for (let i = 0; i < CRT.StreamsMax; i++) {
    if (ctx.mem.ptr(table + 8 * i) === f) {
      ctx.mem.setU64(table + 8 * i, 0);
      ctx.process.heapFree(ctx.process.processHeap, f);
      return;
    }
  }
  // A stream of a static table: just mark it free.
  ctx.mem.fill(f, 0, FILE_SIZE);
  ctx.mem.setU32(f + FILE.File, 0xffffffff);
}

/** A stream on an open descriptor (fopen, _fdopen). */
export function streamOnFd(ctx: ApiContext, fd: number, streamFlag: number, into = 0): number {
  const f = into || newStream(ctx);
  if (f === 0) return 0;
  const m = ctx.mem;
  m.fill(f, 0, FILE_SIZE);
  m.setU32(f + FILE.File, fd);
  setFlag(ctx, f, streamFlag);
  return f;
}

const BOM_UTF8 = Uint8Array.of(0xef, 0xbb, 0xbf);
const BOM_UTF16LE = Uint8Array.of(0xff, 0xfe);

/** The Unicode mode a file's byte order mark says (with the BOM's length), if it has one. */
function bomOf(head: Uint8Array): { tm: number; length: number } | undefined {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { tm: TM_UTF8, length: 3 };
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return { tm: TM_UTF16, length: 2 };
  return undefined;
}

function sniffBom(ctx: ApiContext, path: string): { tm: number; length: number } | undefined {
  const fd = sopen(ctx, path, _O_RDONLY | _O_BINARY, 0x40, 0);
  if (fd < 0) return undefined;
  const head = new Uint8Array(3);
  const r = readHandle(ctx.process, osHandle(ctx, fd), head, 0n);
  closeFd(ctx, fd);
  return r.ok ? bomOf(head.subarray(0, r.value)) : undefined;
}

/**
 * fopen with ccs=: an existing file's byte order mark decides the encoding (and is skipped); a
 * file opened for writing from its start, or still empty, gets one (Microsoft's table: UTF-8
 * or UTF-16LE as asked, UNICODE meaning UTF-16LE).
 */
function unicodeStart(ctx: ApiContext, fd: number, oflag: number, appendBom: { tm: number; length: number } | undefined): void {
  const h = osHandle(ctx, fd);
  const asked = oflag & _O_U8TEXT ? TM_UTF8 : TM_UTF16;
  const st = statHandle(ctx.process, h);
  const size = st.ok ? st.value.size : 0n;
  if (size > 0n && !(oflag & _O_TRUNC)) {
    let bom = appendBom;
    if (!(oflag & _O_APPEND) || oflag & _O_RDWR) {
      const head = new Uint8Array(3);
      const r = readHandle(ctx.process, h, head, 0n);
      bom = r.ok ? bomOf(head.subarray(0, r.value)) : undefined;
      seekHandle(ctx.process, h, bom && !(oflag & _O_APPEND) ? BigInt(bom.length) : 0n, 0);
    }
    setTextMode(ctx, fd, bom ? bom.tm : asked);
    return;
  }
  setTextMode(ctx, fd, asked);
  if (oflag & (_O_WRONLY | _O_RDWR)) writeHandle(ctx.process, h, asked === TM_UTF8 ? BOM_UTF8 : BOM_UTF16LE, null);
}

export function openStream(ctx: ApiContext, path: string, mode: string, shflag: number, into = 0): number {
  const p = parseMode(mode);
  if (!p) {
    invalidParameter(ctx);
    return 0;
  }
  const unicode = p.oflag & (_O_U8TEXT | _O_U16TEXT);
  // "a, ccs=": the encoding of a file that has a byte order mark is read with a second,
  // read-only open (the stream itself may only write).
  const appendBom = unicode && p.oflag & _O_APPEND && !(p.oflag & _O_RDWR) ? sniffBom(ctx, path) : undefined;
  const fd = sopen(ctx, path, p.oflag, shflag, _S_IREAD | _S_IWRITE);
  if (fd < 0) return 0;
  if (unicode) unicodeStart(ctx, fd, p.oflag, appendBom);
  const f = streamOnFd(ctx, fd, p.streamFlag, into);
  if (f === 0) closeFd(ctx, fd);
  return f;
}

/** fclose: flush, close the descriptor, free the buffer and the FILE. */
export function closeStream(ctx: ApiContext, f: number, release = true): number {
  const m = ctx.mem;
  const flag = flagOf(ctx, f);
  if (!(flag & (_IOREAD | _IOWRT | _IORW))) {
    setErrno(ctx, EINVAL);
    return EOF;
  }
  let r = flushStream(ctx, f);
  if (closeFd(ctx, filenoOf(ctx, f)) < 0) r = EOF;
  if (flag & _IOMYBUF) ctx.process.heapFree(ctx.process.processHeap, m.ptr(f + FILE.Base));
  const tmp = m.ptr(f + FILE.Tmpfname);
  if (tmp) ctx.process.heapFree(ctx.process.processHeap, tmp);
  if (release) releaseStream(ctx, f);
  else {
    m.fill(f, 0, FILE_SIZE);
    m.setU32(f + FILE.File, 0xffffffff);
  }
  return r;
}

/** Every stream of the process: the std tables and the fopen'ed ones. */
export function allStreams(ctx: ApiContext): number[] {
  const out: number[] = [];
  const m = ctx.mem;
  if (ctx.process.moduleHandle('msvcrt.dll') !== 0) {
    try {
      const iob = ctx.dataAddress('msvcrt.dll', '_iob');
      for (let i = 0; i < IOB_COUNT; i++) out.push(iob + FILE_SIZE * i);
    } catch {
      /* no image data */
    }
  }
  const ucrt = crt(ctx, CRT.UcrtIob);
  if (m.u32(ucrt + FILE_SIZE + FILE.Flag) !== 0) for (let i = 0; i < IOB_COUNT; i++) out.push(ucrt + FILE_SIZE * i);
  const table = crt(ctx, CRT.Streams);
  for (let i = 0; i < CRT.StreamsMax; i++) {
    const f = m.ptr(table + 8 * i);
    if (f) out.push(f);
  }
  return out;
}

export function flushAll(ctx: ApiContext): number {
  let n = 0;
  for (const f of allStreams(ctx)) {
    if (flagOf(ctx, f) & (_IOREAD | _IOWRT | _IORW)) {
      n++;
      if (flagOf(ctx, f) & _IOWRT) flushStream(ctx, f);
    }
  }
  return n;
}

export function setvbufStream(ctx: ApiContext, f: number, buf: number, mode: number, size: number): number {
  const _IOFBF = 0;
  const _IOLBF = 0x40;
  if (mode !== _IOFBF && mode !== _IOLBF && mode !== _IONBF) {
    invalidParameter(ctx);
    return -1;
  }
  if (mode !== _IONBF && (size < 2 || size > 0x7fffffff)) {
    invalidParameter(ctx);
    return -1;
  }
  const m = ctx.mem;
  flushStream(ctx, f);
  let flag = flagOf(ctx, f);
  if (flag & _IOMYBUF) ctx.process.heapFree(ctx.process.processHeap, m.ptr(f + FILE.Base));
  // A read-only or write-only stream keeps its direction; an update stream starts neutral.
  const direction = flag & _IORW ? 0 : flag & (_IOREAD | _IOWRT);
  flag = (flag & ~(_IOMYBUF | _USERBUF | _IONBF | _IOREAD | _IOWRT | _IOEOF)) | direction;
  m.setU32(f + FILE.Cnt, 0);
  if (mode === _IONBF) {
    flag |= _IONBF;
    m.setU64(f + FILE.Base, 0);
    m.setU64(f + FILE.Ptr, 0);
    m.setU32(f + FILE.Bufsiz, 0);
  } else {
    const sz = size & ~1;
    let b = buf;
    if (b === 0) {
      b = ctx.process.heapAlloc(ctx.process.processHeap, sz, 0);
      if (b === 0) return -1;
      flag |= _IOMYBUF;
    }
    flag |= _USERBUF;
    m.setU64(f + FILE.Base, b);
    m.setU64(f + FILE.Ptr, b);
    m.setU32(f + FILE.Bufsiz, sz);
  }
  setFlag(ctx, f, flag);
  return 0;
}
