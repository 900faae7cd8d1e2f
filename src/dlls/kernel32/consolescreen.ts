/**
 * The console screen buffer (wincon.h) on a terminal: its size is the terminal window
 * (TIOCGWINSZ), colours and cursor moves become ANSI escape sequences, and the cursor position
 * is the one kernel/console.ts follows. Screen and window are the same rectangle (no scrollback
 * is reported). FillConsoleOutputAttribute cannot recolour text already on a terminal; it is
 * accepted and says so once.
 */
import { cursorOf, moveSequence, setCursor, type WindowSize } from '../../kernel/console.js';
import { ERROR_INSUFFICIENT_BUFFER, ERROR_INVALID_PARAMETER } from '../../kernel/win32error.js';
import { CONSOLE } from '../../native/layout.js';
import type { ApiContext } from '../types.js';
import { consoleWrite, requireConsole, type ConsoleHandle } from './console.js';
import { CP_UTF8, decodeBytes, findCodePage, unitsToString } from './codepages.js';

const enc = new TextEncoder();
const block = (ctx: ApiContext): number => ctx.process.consoleBlock;
const coordX = (c: number): number => (c << 16) >> 16;
const coordY = (c: number): number => c >> 16;

interface Screen {
  c: ConsoleHandle;
  size: WindowSize;
}

function screen(ctx: ApiContext, h: number): Screen | undefined {
  const c = requireConsole(ctx, h, 'output');
  if (!c) return undefined;
  return { c, size: ctx.process.windowSize(c.fd) ?? { cols: 80, rows: 25 } };
}

/** CONSOLE_SCREEN_BUFFER_INFO's fields from dwSize on (the Ex form shares them at +4). */
function writeInfo(ctx: ApiContext, s: Screen, at: number): void {
  const m = ctx.mem;
  const { cols, rows } = s.size;
  const cur = cursorOf(m, block(ctx), s.size);
  m.setU16(at + 0, cols);
  m.setU16(at + 2, rows);
  m.setU16(at + 4, cur.x);
  m.setU16(at + 6, cur.y);
  m.setU16(at + 8, m.u32(block(ctx) + CONSOLE.Attribute));
  m.setU16(at + 10, 0);
  m.setU16(at + 12, 0);
  m.setU16(at + 14, cols - 1);
  m.setU16(at + 16, rows - 1);
  m.setU16(at + 18, cols);
  m.setU16(at + 20, rows);
}

export function GetConsoleScreenBufferInfo(ctx: ApiContext, h: number, info: number): number {
  const s = screen(ctx, h);
  if (!s) return 0;
  ctx.mem.check(info, 22, true);
  writeInfo(ctx, s, info);
  return 1;
}

/** The 16 colours of the Windows 10 console (Campbell scheme), as COLORREF 0x00BBGGRR. */
const COLOR_TABLE = [
  0x0c0c0c, 0xda3700, 0x0ea113, 0xdd963a, 0x1f0fc5, 0x981788, 0x009cc1, 0xcccccc, 0x767676, 0xff783b, 0x0cc616, 0xd6d661, 0x5648e7, 0x9e00b4, 0xa5f1f9, 0xf2f2f2,
];
const INFOEX_SIZE = 0x60;

export function GetConsoleScreenBufferInfoEx(ctx: ApiContext, h: number, info: number): number {
  const s = screen(ctx, h);
  if (!s) return 0;
  const m = ctx.mem;
  if (m.u32(info) !== INFOEX_SIZE) {
    ctx.setLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  m.check(info, INFOEX_SIZE, true);
  writeInfo(ctx, s, info + 4);
  m.setU16(info + 26, 0xf5); // popups: purple on white
  m.setU32(info + 28, 0);
  COLOR_TABLE.forEach((c, i) => m.setU32(info + 32 + 4 * i, c));
  return 1;
}

/** A console colour (blue 1, green 2, red 4) as an ANSI colour number (red 1, green 2, blue 4). */
const ansi = (c: number): number => ((c & 4) >> 2) | (c & 2) | ((c & 1) << 2);

/** The SGR sequence for a character attribute; grey on black is the terminal's own colours. */
export function sgrFor(attr: number): string {
  const fg = attr & 7;
  const bg = (attr >> 4) & 7;
  const parts = ['0'];
  if (attr & 0x08) parts.push(String(90 + ansi(fg)));
  else if (fg !== 7) parts.push(String(30 + ansi(fg)));
  if (attr & 0x80) parts.push(String(100 + ansi(bg)));
  else if (bg !== 0) parts.push(String(40 + ansi(bg)));
  if (attr & 0x4000) parts.push('7'); // COMMON_LVB_REVERSE_VIDEO
  if (attr & 0x8000) parts.push('4'); // COMMON_LVB_UNDERSCORE
  return `\x1b[${parts.join(';')}m`;
}

export function SetConsoleTextAttribute(ctx: ApiContext, h: number, attr: number): number {
  const s = screen(ctx, h);
  if (!s) return 0;
  ctx.mem.setU32(block(ctx) + CONSOLE.Attribute, attr & 0xffff);
  consoleWrite(ctx, s.c, enc.encode(sgrFor(attr & 0xffff)));
  return 1;
}

export function SetConsoleCursorPosition(ctx: ApiContext, h: number, coord: number): number {
  const s = screen(ctx, h);
  if (!s) return 0;
  const to = { x: coordX(coord), y: coordY(coord) };
  if (to.x < 0 || to.y < 0 || to.x >= s.size.cols || to.y >= s.size.rows) {
    ctx.setLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  const from = cursorOf(ctx.mem, block(ctx), s.size);
  ctx.process.writeFd(s.c.fd, enc.encode(moveSequence(from, to)));
  setCursor(ctx.mem, block(ctx), to);
  return 1;
}

/** Writes `count` copies of `ch` from `at`, leaving the cursor where it was; returns the
 *  number of cells written (the fill stops at the end of the screen). */
function fill(ctx: ApiContext, s: Screen, ch: string, count: number, coord: number): number {
  const { cols, rows } = s.size;
  const at = { x: coordX(coord), y: coordY(coord) };
  if (at.x < 0 || at.y < 0 || at.x >= cols || at.y >= rows) return -1;
  const n = Math.min(count, cols * rows - (at.y * cols + at.x));
  const m = ctx.mem;
  if (at.x === 0 && at.y === 0 && n === cols * rows && ch === ' ') {
    // Clearing the screen (what `cls` does): the window and the tracked cursor start over.
    ctx.process.writeFd(s.c.fd, enc.encode('\x1b[H\x1b[2J'));
    setCursor(m, block(ctx), { x: 0, y: 0 });
    return n;
  }
  const from = cursorOf(m, block(ctx), s.size);
  const text = ch.repeat(n);
  ctx.process.writeFd(s.c.fd, enc.encode(`\x1b7${moveSequence(from, at)}${text}\x1b8`));
  return n;
}

function fillCharacter(ctx: ApiContext, h: number, ch: string, count: number, coord: number, written: number): number {
  const s = screen(ctx, h);
  if (!s) return 0;
  const n = fill(ctx, s, ch, count, coord);
  if (n < 0) {
    ctx.setLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  if (written) ctx.mem.setU32(written, n);
  return 1;
}

export function FillConsoleOutputCharacterW(ctx: ApiContext, h: number, ch: number, count: number, coord: number, written: number): number {
  return fillCharacter(ctx, h, String.fromCharCode(ch & 0xffff), count, coord, written);
}

export function FillConsoleOutputCharacterA(ctx: ApiContext, h: number, ch: number, count: number, coord: number, written: number): number {
  const cp = findCodePage(ctx.mem.u32(block(ctx) + CONSOLE.OutputCP));
  let text = String.fromCharCode(ch & 0xff);
  if (cp && cp.id !== CP_UTF8) {
    const d = decodeBytes(cp, Uint8Array.of(ch & 0xff), 0);
    if (d.ok) text = unitsToString(d.value);
  } else if ((ch & 0xff) >= 0x80) text = '\ufffd';
  return fillCharacter(ctx, h, text, count, coord, written);
}

export function FillConsoleOutputAttribute(ctx: ApiContext, h: number, attr: number, count: number, coord: number, written: number): number {
  const s = screen(ctx, h);
  if (!s) return 0;
  const { cols, rows } = s.size;
  const x = coordX(coord);
  const y = coordY(coord);
  if (x < 0 || y < 0 || x >= cols || y >= rows) {
    ctx.setLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  if (attr !== ctx.mem.u32(block(ctx) + CONSOLE.Attribute)) ctx.fixme('console', 'FillConsoleOutputAttribute', 'text already on a terminal keeps its colours');
  if (written) ctx.mem.setU32(written, Math.min(count, cols * rows - (y * cols + x)));
  return 1;
}

export function GetConsoleCursorInfo(ctx: ApiContext, h: number, info: number): number {
  if (!screen(ctx, h)) return 0;
  const m = ctx.mem;
  m.check(info, 8, true);
  m.setU32(info, m.u32(block(ctx) + CONSOLE.CursorSize));
  m.setU32(info + 4, m.u32(block(ctx) + CONSOLE.CursorHidden) ? 0 : 1);
  return 1;
}

export function SetConsoleCursorInfo(ctx: ApiContext, h: number, info: number): number {
  const s = screen(ctx, h);
  if (!s) return 0;
  const m = ctx.mem;
  const size = m.u32(info);
  const visible = m.u32(info + 4) !== 0;
  if (size < 1 || size > 100) {
    ctx.setLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  m.setU32(block(ctx) + CONSOLE.CursorSize, size);
  m.setU32(block(ctx) + CONSOLE.CursorHidden, visible ? 0 : 1);
  ctx.process.writeFd(s.c.fd, enc.encode(visible ? '\x1b[?25h' : '\x1b[?25l'));
  return 1;
}

export function GetLargestConsoleWindowSize(ctx: ApiContext, h: number): number {
  const s = screen(ctx, h);
  if (!s) return 0;
  return ((s.size.rows & 0xffff) << 16) | (s.size.cols & 0xffff);
}

// ---- title ----------------------------------------------------------------------------------

function setTitle(ctx: ApiContext, title: string): number {
  const t = title.slice(0, CONSOLE.TitleMax);
  ctx.mem.writeWString(block(ctx) + CONSOLE.Title, t);
  // The terminal's title follows, when there is a terminal to show it.
  for (const fd of [1, 2]) {
    if (ctx.process.isatty(fd)) {
      ctx.process.writeFd(fd, enc.encode(`\x1b]0;${[...t].filter((ch) => ch >= ' ' && ch !== '\x7f').join('')}\x07`));
      break;
    }
  }
  return 1;
}

export const SetConsoleTitleW = (ctx: ApiContext, title: number): number => setTitle(ctx, ctx.mem.wstring(title));

export function SetConsoleTitleA(ctx: ApiContext, title: number): number {
  const bytes = ctx.mem.cstringBytes(title);
  const cp = findCodePage(ctx.process.codePages.ansi);
  const d = cp ? decodeBytes(cp, bytes, 0) : undefined;
  return setTitle(ctx, d?.ok ? unitsToString(d.value) : new TextDecoder().decode(bytes));
}

/** Copies the title (truncated to fit, NUL-terminated); returns its length in characters. */
export function GetConsoleTitleW(ctx: ApiContext, buf: number, size: number): number {
  const t = ctx.mem.wstring(block(ctx) + CONSOLE.Title);
  if (size === 0) {
    ctx.setLastError(ERROR_INSUFFICIENT_BUFFER);
    return 0;
  }
  const n = Math.min(t.length, size - 1);
  ctx.mem.check(buf, 2 * (n + 1), true);
  ctx.mem.writeWString(buf, t.slice(0, n));
  return t.length;
}

export function GetConsoleTitleA(ctx: ApiContext, buf: number, size: number): number {
  const t = ctx.mem.wstring(block(ctx) + CONSOLE.Title);
  const bytes = enc.encode(t);
  if (size === 0) {
    ctx.setLastError(ERROR_INSUFFICIENT_BUFFER);
    return 0;
  }
  const n = Math.min(bytes.length, size - 1);
  ctx.mem.check(buf, n + 1, true);
  ctx.mem.write(buf, bytes.subarray(0, n));
  ctx.mem.setU8(buf + n, 0);
  return bytes.length;
}
