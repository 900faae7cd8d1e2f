/**
 * stdio over the std handles (stdio.h), with msvcrt's FILE layout so that programs and
 * mingw-w64's inline helpers can read `_iob` themselves:
 *   struct _iobuf { char *_ptr; int _cnt; char *_base; int _flag; int _file; int _charbuf;
 *                   int _bufsiz; char *_tmpfname; }   // 48 bytes on x64
 * Streams write straight through for now (the CRT issue adds buffering); text-mode streams
 * turn LF into CR LF, as msvcrt does for the console, pipes and files alike.
 */
import type { ApiContext, VarArgs } from '../types.js';
import { CRT, crt } from './crtdata.js';
import { formatNarrow, type FormatEnv } from './printf.js';

export const FILE_SIZE = 48;
export const IOB_COUNT = 20;
const _file = 28;
const _flag = 24;
const _IOREAD = 0x1;
const _IOWRITE = 0x2;
const EOF = -1;

/** _iob initialisation (a data export of msvcrt): stdin, stdout, stderr on fds 0–2. */
export function initIob(ctx: ApiContext, iob: number): void {
  const m = ctx.mem;
  for (let i = 0; i < IOB_COUNT; i++) {
    const f = iob + FILE_SIZE * i;
    m.setU32(f + _file, i < 3 ? i : 0xffffffff);
    m.setU32(f + _flag, i === 0 ? _IOREAD : i < 3 ? _IOWRITE : 0);
  }
}

export function __iob_func(ctx: ApiContext): number {
  return ctx.dataAddress('msvcrt.dll', '_iob');
}

function fdOf(ctx: ApiContext, stream: number): number {
  return ctx.mem.i32(stream + _file);
}

function isBinary(ctx: ApiContext, fd: number): boolean {
  return fd >= 0 && fd < 64 && ctx.mem.u8(crt(ctx, CRT.FdBinary) + fd) !== 0;
}

/** Writes bytes to a low-level fd with msvcrt's text-mode translation. */
export function writeText(ctx: ApiContext, fd: number, data: Uint8Array): number {
  if (fd < 0 || fd > 2) return -1; // files arrive with the CRT issue
  let out = data;
  if (!isBinary(ctx, fd) && data.includes(10)) {
    const parts: number[] = [];
    for (const b of data) {
      if (b === 10) parts.push(13);
      parts.push(b);
    }
    out = Uint8Array.from(parts);
  }
  ctx.process.writeFd(fd, out);
  return data.length;
}

export function fwrite(ctx: ApiContext, buf: number, size: bigint, count: bigint, stream: number): bigint {
  const total = Number(size * count);
  if (total === 0) return 0n;
  const n = writeText(ctx, fdOf(ctx, stream), ctx.mem.read(buf, total));
  return n < 0 ? 0n : count;
}

export function fputc(ctx: ApiContext, c: number, stream: number): number {
  return writeText(ctx, fdOf(ctx, stream), Uint8Array.of(c & 0xff)) < 0 ? EOF : c & 0xff;
}

export function putchar(ctx: ApiContext, c: number): number {
  return writeText(ctx, 1, Uint8Array.of(c & 0xff)) < 0 ? EOF : c & 0xff;
}

export function fputs(ctx: ApiContext, s: number, stream: number): number {
  return writeText(ctx, fdOf(ctx, stream), ctx.mem.cstringBytes(s)) < 0 ? EOF : 0;
}

export function puts(ctx: ApiContext, s: number): number {
  const b = ctx.mem.cstringBytes(s);
  const line = new Uint8Array(b.length + 1);
  line.set(b);
  line[b.length] = 10;
  return writeText(ctx, 1, line) < 0 ? EOF : 0;
}

export function fflush(): number {
  return 0;
}

export function flushAll(_ctx: ApiContext): void {
  // Streams are unbuffered for now: nothing to flush.
}

export function _setmode(ctx: ApiContext, fd: number, mode: number): number {
  const _O_BINARY = 0x8000;
  if (fd < 0 || fd >= 64) return -1;
  const at = crt(ctx, CRT.FdBinary) + fd;
  const old = ctx.mem.u8(at) ? _O_BINARY : 0x4000;
  ctx.mem.setU8(at, mode & _O_BINARY ? 1 : 0);
  return old;
}

export function _fileno(ctx: ApiContext, stream: number): number {
  return fdOf(ctx, stream);
}

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

export function vfprintf(ctx: ApiContext, stream: number, fmt: number, va: number): number {
  const out = format(ctx, fmt, vaListEnv(ctx, va));
  return writeText(ctx, fdOf(ctx, stream), out) < 0 ? -1 : out.length;
}

export function fprintf(ctx: ApiContext, stream: number, fmt: number): number {
  const out = format(ctx, fmt, varArgsEnv(ctx, ctx.varargs()));
  return writeText(ctx, fdOf(ctx, stream), out) < 0 ? -1 : out.length;
}

export function printf(ctx: ApiContext, fmt: number): number {
  const out = format(ctx, fmt, varArgsEnv(ctx, ctx.varargs()));
  return writeText(ctx, 1, out) < 0 ? -1 : out.length;
}

export function vprintf(ctx: ApiContext, fmt: number, va: number): number {
  const out = format(ctx, fmt, vaListEnv(ctx, va));
  return writeText(ctx, 1, out) < 0 ? -1 : out.length;
}

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
