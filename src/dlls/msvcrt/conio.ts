/**
 * conio.h: the keyboard and screen of the console, whatever stdin and stdout are redirected to.
 * _getch reads one key press without echo from the console's input records (kernel32
 * consoleinput.ts), giving 0xE0 (or 0 for function keys) and then the scan code for a key
 * without a character. The keyboard is the terminal on stdin; with stdin redirected there is
 * none (Windows would still read the console's keyboard; winrun, like Wine without a console,
 * reports the end of input).
 */
import { CONSOLE_BLOCK, CONSOLE_INPUT_QUEUE, INPUT_QUEUE as Q } from '../../native/layout.js';
import { fillQueue, nextRecord } from '../kernel32/consoleinput.js';
import { utf16ToUtf8 } from '../kernel32/text.js';
import type { ApiContext } from '../types.js';

const EOF = -1;
const WEOF = 0xffff;

const queue = (ctx: ApiContext): number => ctx.process.consoleBlock - CONSOLE_BLOCK + CONSOLE_INPUT_QUEUE;
/** The console's input descriptor: stdin's terminal, or -1. */
const inputFd = (ctx: ApiContext): number => (ctx.process.isatty(0) ? 0 : -1);
/** Where conio writes: the terminal, else stdout. */
const outputFd = (ctx: ApiContext): number => (ctx.process.isatty(1) ? 1 : ctx.process.isatty(2) ? 2 : 1);

function pending(ctx: ApiContext): number {
  const at = queue(ctx) + Q.PendingChar;
  const p = ctx.mem.u32(at);
  if (p) ctx.mem.setU32(at, 0);
  return p ? p & 0xffff : -1;
}

/** The next character or extended-key prefix, as a UTF-16 unit; -1 at the end of input. */
function getKey(ctx: ApiContext): number {
  const p = pending(ctx);
  if (p >= 0) return p;
  const fd = inputFd(ctx);
  if (fd < 0) return -1;
  for (;;) {
    const r = nextRecord(ctx, fd);
    if (!r) return -1;
    if (!r.down || (r.vk >= 0x10 && r.vk <= 0x12)) continue; // key-ups, Shift, Ctrl, Alt
    if (r.char) return r.char;
    ctx.mem.setU32(queue(ctx) + Q.PendingChar, 0x10000 | r.scan);
    return r.state & 0x100 ? 0xe0 : 0;
  }
}

export function _getch(ctx: ApiContext): number {
  const c = getKey(ctx);
  return c < 0 ? EOF : c > 0xff ? 0x3f : c;
}

export function _getwch(ctx: ApiContext): number {
  const c = getKey(ctx);
  return c < 0 ? WEOF : c;
}

export function _putch(ctx: ApiContext, c: number): number {
  ctx.process.writeFd(outputFd(ctx), Uint8Array.of(c & 0xff));
  return c & 0xff;
}

export function _putwch(ctx: ApiContext, c: number): number {
  ctx.process.writeFd(outputFd(ctx), utf16ToUtf8(Uint16Array.of(c & 0xffff)));
  return c & 0xffff;
}

export function _getche(ctx: ApiContext): number {
  const c = _getch(ctx);
  if (c !== EOF) _putch(ctx, c);
  return c;
}

export function _getwche(ctx: ApiContext): number {
  const c = _getwch(ctx);
  if (c !== WEOF) _putwch(ctx, c);
  return c;
}

export function _ungetch(ctx: ApiContext, c: number): number {
  const at = queue(ctx) + Q.PendingChar;
  if (c === EOF || ctx.mem.u32(at)) return EOF;
  ctx.mem.setU32(at, 0x10000 | (c & 0xff));
  return c & 0xff;
}

export function _ungetwch(ctx: ApiContext, c: number): number {
  const at = queue(ctx) + Q.PendingChar;
  if (c === WEOF || ctx.mem.u32(at)) return WEOF;
  ctx.mem.setU32(at, 0x10000 | (c & 0xffff));
  return c & 0xffff;
}

/** Non-zero when a key press is waiting. */
export function _kbhit(ctx: ApiContext): number {
  const m = ctx.mem;
  const q = queue(ctx);
  if (m.u32(q + Q.PendingChar)) return 1;
  if (inputFd(ctx) < 0) return 0;
  fillQueue(ctx, inputFd(ctx), false);
  const n = m.u32(q + Q.Count);
  for (let i = 0; i < n; i++) {
    const r = q + Q.Records + Q.RecordSize * i;
    const vk = m.u16(r + 10);
    if (m.u32(r + 4) && !(vk >= 0x10 && vk <= 0x12)) return 1;
  }
  return 0;
}

export function _cputs(ctx: ApiContext, s: number): number {
  ctx.process.writeFd(outputFd(ctx), ctx.mem.cstringBytes(s));
  return 0;
}

export function _cputws(ctx: ApiContext, s: number): number {
  ctx.process.writeFd(outputFd(ctx), utf16ToUtf8(ctx.mem.wstringUnits(s)));
  return 0;
}
