/**
 * Wide characters on streams. A descriptor's Unicode text mode (fopen's ccs=, _setmode with
 * _O_U8TEXT / _O_U16TEXT / _O_WTEXT) decides the bytes: UTF-16LE or UTF-8, with CR LF ↔ LF
 * done on characters in text mode. Without one, wide characters go through the ANSI code page
 * (UTF-8 here) like narrow text. A terminal is written UTF-8 whatever the mode, as Windows
 * writes the console through WriteConsoleW.
 */
import { utf16ToUtf8, utf8ToUtf16 } from '../kernel32/text.js';
import type { ApiContext } from '../types.js';
import { fdFlags, FDEV, FTEXT, textMode, TM_ANSI, TM_UTF16 } from './lowio.js';
import { EOF, filenoOf, streamGetc, streamUngetc, validStream } from './stream.js';
import { stdStream, writeBytes } from './stdio.js';

const WEOF = 0xffff;

/** LF → CR LF on characters. */
function crlf(units: Uint16Array): Uint16Array {
  let n = 0;
  for (const u of units) if (u === 10) n++;
  if (n === 0) return units;
  const out = new Uint16Array(units.length + n);
  let j = 0;
  for (const u of units) {
    if (u === 10) out[j++] = 13;
    out[j++] = u;
  }
  return out;
}

/** The bytes that represent `units` on stream `f`. */
export function wideBytes(ctx: ApiContext, f: number, units: Uint16Array): Uint8Array {
  const fd = filenoOf(ctx, f);
  const tm = fd >= 0 ? textMode(ctx, fd) : TM_ANSI;
  if (tm === TM_ANSI) return utf16ToUtf8(units); // the descriptor translates LF itself
  const flags = fdFlags(ctx, fd);
  const u = flags & FTEXT ? crlf(units) : units;
  if (tm === TM_UTF16 && !(flags & FDEV && ctx.process.isatty(fd))) return new Uint8Array(u.slice().buffer);
  return utf16ToUtf8(u);
}

/** Writes wide characters; true when all of them went. */
export function writeWide(ctx: ApiContext, f: number, units: Uint16Array): boolean {
  const b = wideBytes(ctx, f, units);
  return writeBytes(ctx, f, b) === b.length;
}

export function fputwc(ctx: ApiContext, c: number, f: number): number {
  if (!validStream(ctx, f)) return WEOF;
  return writeWide(ctx, f, Uint16Array.of(c & 0xffff)) ? c & 0xffff : WEOF;
}

export function fputws(ctx: ApiContext, s: number, f: number): number {
  if (!validStream(ctx, f) || s === 0) return EOF;
  return writeWide(ctx, f, ctx.mem.wstringUnits(s)) ? 0 : EOF;
}

export function _putws(ctx: ApiContext, s: number): number {
  return writeWide(ctx, stdStream(ctx, 1), Uint16Array.from([...ctx.mem.wstringUnits(s), 10])) ? 0 : EOF;
}

export function putwchar(ctx: ApiContext, c: number): number {
  return fputwc(ctx, c, stdStream(ctx, 1));
}

/** One UTF-16 unit from a UTF-16LE descriptor, CR LF read as LF in text mode. */
function getUtf16(ctx: ApiContext, f: number, text: boolean): number {
  const lo = streamGetc(ctx, f);
  if (lo === EOF) return WEOF;
  const hi = streamGetc(ctx, f);
  if (hi === EOF) return WEOF; // an odd byte at the end is dropped
  const u = lo | (hi << 8);
  if (text && u === 13) {
    const a = streamGetc(ctx, f);
    const b = a === EOF ? EOF : streamGetc(ctx, f);
    if (a === 10 && b === 0) return 10;
    if (b !== EOF) streamUngetc(ctx, b, f);
    if (a !== EOF) streamUngetc(ctx, a, f);
  }
  return u;
}

/** fgetwc: one UTF-16 unit (a UTF-8 or ANSI stream gives one unit per sequence). */
export function fgetwc(ctx: ApiContext, f: number): number {
  if (!validStream(ctx, f)) return WEOF;
  const fd = filenoOf(ctx, f);
  if (fd >= 0 && textMode(ctx, fd) === TM_UTF16) return getUtf16(ctx, f, (fdFlags(ctx, fd) & FTEXT) !== 0);
  const c = streamGetc(ctx, f);
  if (c === EOF) return WEOF;
  if (c < 0x80) return c;
  const len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
  const bytes = [c];
  for (let i = 1; i < len; i++) {
    const d = streamGetc(ctx, f);
    if (d === EOF) break;
    bytes.push(d);
  }
  const units = utf8ToUtf16(Uint8Array.from(bytes), false);
  return units && units.length > 0 ? units[0]! : 0xfffd;
}

export function getwchar(ctx: ApiContext): number {
  return fgetwc(ctx, stdStream(ctx, 0));
}

export function ungetwc(ctx: ApiContext, c: number, f: number): number {
  if (c === WEOF || !validStream(ctx, f)) return WEOF;
  const fd = filenoOf(ctx, f);
  const b = fd >= 0 && textMode(ctx, fd) === TM_UTF16 ? Uint8Array.of(c & 0xff, c >> 8) : utf16ToUtf8(Uint16Array.of(c));
  for (let i = b.length - 1; i >= 0; i--) if (streamUngetc(ctx, b[i]!, f) === EOF) return WEOF;
  return c;
}

export function fgetws(ctx: ApiContext, buf: number, n: number, f: number): number {
  if (!validStream(ctx, f) || buf === 0 || n <= 0) return 0;
  let i = 0;
  while (i < n - 1) {
    const c = fgetwc(ctx, f);
    if (c === WEOF) break;
    ctx.mem.setU16(buf + 2 * i++, c);
    if (c === 10) break;
  }
  if (i === 0) return 0;
  ctx.mem.setU16(buf + 2 * i, 0);
  return buf;
}

/** Formatted wide output to a stream: the number of characters, or -1. */
export function wprintTo(ctx: ApiContext, f: number, units: Uint16Array): number {
  if (!validStream(ctx, f)) return -1;
  return writeWide(ctx, f, units) ? units.length : -1;
}
