/**
 * The console (consoleapi.h) on the terminal behind the std handles: modes, reading and
 * writing, code pages. GetConsoleMode fails on pipes and files, which is how programs detect
 * redirection. Input modes map onto the terminal's settings (termios): ENABLE_LINE_INPUT is
 * canonical mode, ENABLE_ECHO_INPUT echo, ENABLE_PROCESSED_INPUT makes Ctrl-C a signal, and
 * without line input Enter reads as CR as on Windows. The original settings come back at exit,
 * on Ctrl-C and on a crash (native/console.ts).
 */
import { HANDLE_CONSOLE_INPUT, HandleType } from '../../kernel/handles.js';
import { ERROR_ACCESS_DENIED, ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER } from '../../kernel/win32error.js';
import { TERMIOS, TERMIOS_FLAGS as T } from '../../native/console.js';
import { CONSOLE } from '../../native/layout.js';
import type { ApiContext } from '../types.js';
import { CP_UTF8, decodeBytes, encodeUnits, findCodePage } from './codepages.js';
import { utf16ToUtf8, utf8ToUtf16 } from './text.js';

const ENABLE_PROCESSED_INPUT = 0x1;
const ENABLE_LINE_INPUT = 0x2;
const ENABLE_ECHO_INPUT = 0x4;
const VALID_INPUT_MODES = 0x3ff;
const VALID_OUTPUT_MODES = 0x1f;

export interface ConsoleHandle {
  fd: number;
  input: boolean;
}

/** The terminal behind a console handle, or undefined (not a console: a pipe, a file). */
export function consoleHandle(ctx: ApiContext, h: number): ConsoleHandle | undefined {
  const o = ctx.process.handles.lookup(h);
  if (!o || o.type !== HandleType.Console || !ctx.process.isatty(o.value)) return undefined;
  return { fd: o.value, input: (o.flags & HANDLE_CONSOLE_INPUT) !== 0 };
}

/** Like consoleHandle, setting ERROR_INVALID_HANDLE when it is not one. */
export function requireConsole(ctx: ApiContext, h: number, side?: 'input' | 'output'): ConsoleHandle | undefined {
  const c = consoleHandle(ctx, h);
  if (!c || (side === 'input' && !c.input) || (side === 'output' && c.input)) {
    ctx.setLastError(ERROR_INVALID_HANDLE);
    return undefined;
  }
  return c;
}

const block = (ctx: ApiContext): number => ctx.process.consoleBlock;

export function GetConsoleMode(ctx: ApiContext, h: number, mode: number): number {
  const c = requireConsole(ctx, h);
  if (!c) return 0;
  ctx.mem.setU32(mode, ctx.mem.u32(block(ctx) + (c.input ? CONSOLE.InputMode : CONSOLE.OutputMode)));
  return 1;
}

/** Puts the terminal's settings in line with an input mode (from the ones saved at first use). */
function applyInputMode(ctx: ApiContext, fd: number, mode: number): boolean {
  const m = ctx.mem;
  const b = block(ctx);
  const t = ctx.process.terminal;
  if (m.u32(b + CONSOLE.Raw) === 0) {
    if (!t.get(fd, b + CONSOLE.Saved)) return false;
    m.setU32(b + CONSOLE.TermFd, fd);
  }
  const standard = ENABLE_PROCESSED_INPUT | ENABLE_LINE_INPUT | ENABLE_ECHO_INPUT;
  if ((mode & standard) === standard) {
    // The terminal as the program found it.
    m.setU32(b + CONSOLE.Raw, 0);
    return t.set(m.u32(b + CONSOLE.TermFd), b + CONSOLE.Saved);
  }
  const s = b + CONSOLE.Scratch;
  m.copy(s, b + CONSOLE.Saved, TERMIOS.Size);
  let lflag = m.u32(s + TERMIOS.Lflag);
  let iflag = m.u32(s + TERMIOS.Iflag);
  const set = (on: boolean, bits: number): void => void (lflag = on ? lflag | bits : lflag & ~bits);
  set((mode & ENABLE_LINE_INPUT) !== 0, T.ICANON);
  set((mode & ENABLE_ECHO_INPUT) !== 0, T.ECHO | T.ECHOE | T.ECHOK);
  set((mode & ENABLE_PROCESSED_INPUT) !== 0, T.ISIG);
  if (!(mode & ENABLE_LINE_INPUT)) {
    iflag &= ~(T.ICRNL | T.IXON); // Enter reads as CR; Ctrl-S and Ctrl-Q are keys
    m.setU8(s + TERMIOS.Cc + T.VMIN, 1);
    m.setU8(s + TERMIOS.Cc + T.VTIME, 0);
  }
  m.setU32(s + TERMIOS.Lflag, lflag >>> 0);
  m.setU32(s + TERMIOS.Iflag, iflag >>> 0);
  if (!t.set(m.u32(b + CONSOLE.TermFd), s)) return false;
  m.setU32(b + CONSOLE.Raw, 1);
  return true;
}

export function SetConsoleMode(ctx: ApiContext, h: number, mode: number): number {
  const c = requireConsole(ctx, h);
  if (!c) return 0;
  if ((mode & ~(c.input ? VALID_INPUT_MODES : VALID_OUTPUT_MODES)) !== 0) {
    ctx.setLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  if (c.input && !applyInputMode(ctx, c.fd, mode)) {
    ctx.setLastError(ERROR_INVALID_HANDLE);
    return 0;
  }
  ctx.mem.setU32(block(ctx) + (c.input ? CONSOLE.InputMode : CONSOLE.OutputMode), mode);
  return 1;
}

/** Writes UTF-8 to the terminal of an output console handle; the cursor follows. */
export function consoleWrite(ctx: ApiContext, c: ConsoleHandle, data: Uint8Array): void {
  ctx.process.writeFd(c.fd, data);
  ctx.process.consoleWritten?.(c.fd, data);
}

function writeConsole(ctx: ApiContext, h: number, data: () => Uint8Array, chars: number, written: number): number {
  const c = requireConsole(ctx, h);
  if (!c) return 0;
  consoleWrite(ctx, c, data());
  if (written) ctx.mem.setU32(written, chars);
  return 1;
}

export function WriteConsoleW(ctx: ApiContext, h: number, buf: number, n: number, written: number, _reserved: number): number {
  return writeConsole(ctx, h, () => utf16ToUtf8(new Uint16Array(ctx.mem.read(buf, 2 * n).slice().buffer)), n, written);
}

/** The bytes are in the console output code page (GetConsoleOutputCP). */
export function WriteConsoleA(ctx: ApiContext, h: number, buf: number, n: number, written: number, _reserved: number): number {
  return writeConsole(
    ctx,
    h,
    () => {
      const bytes = ctx.mem.read(buf, n);
      const cp = findCodePage(ctx.mem.u32(block(ctx) + CONSOLE.OutputCP));
      if (!cp || cp.id === CP_UTF8) return bytes;
      const units = decodeBytes(cp, bytes, 0);
      return units.ok ? utf16ToUtf8(units.value) : bytes;
    },
    n,
    written,
  );
}

function readConsole(ctx: ApiContext, h: number, max: number): Uint8Array | undefined {
  const c = requireConsole(ctx, h, 'input');
  if (!c) return undefined;
  const line = ctx.process.readFd(c.fd, Math.max(1, max));
  // Line input arrives as CR LF on Windows.
  const lineMode = (ctx.mem.u32(block(ctx) + CONSOLE.InputMode) & ENABLE_LINE_INPUT) !== 0;
  if (lineMode && line.length > 0 && line[line.length - 1] === 10 && (line.length < 2 || line[line.length - 2] !== 13)) {
    const out = new Uint8Array(line.length + 1);
    out.set(line.subarray(0, line.length - 1));
    out[line.length - 1] = 13;
    out[line.length] = 10;
    return out;
  }
  return line;
}

/** The characters arrive in the console input code page (GetConsoleCP). */
export function ReadConsoleA(ctx: ApiContext, h: number, buf: number, n: number, read: number, _control: number): number {
  const utf8 = readConsole(ctx, h, n - 1);
  if (!utf8) return 0;
  let data = utf8;
  const cp = findCodePage(ctx.mem.u32(block(ctx) + CONSOLE.InputCP));
  if (cp && cp.id !== CP_UTF8) {
    const e = encodeUnits(cp, utf8ToUtf16(utf8, false) ?? new Uint16Array(0), { flags: 0 });
    if (e.ok) data = e.value;
  }
  ctx.mem.write(buf, data.subarray(0, n));
  if (read) ctx.mem.setU32(read, Math.min(data.length, n));
  return 1;
}

export function ReadConsoleW(ctx: ApiContext, h: number, buf: number, n: number, read: number, _control: number): number {
  const data = readConsole(ctx, h, n - 1);
  if (!data) return 0;
  const units = (utf8ToUtf16(data, false) ?? new Uint16Array(0)).subarray(0, n);
  ctx.mem.write(buf, new Uint8Array(units.buffer, units.byteOffset, units.length * 2));
  if (read) ctx.mem.setU32(read, units.length);
  return 1;
}

export function GetConsoleCP(ctx: ApiContext): number {
  return ctx.mem.u32(block(ctx) + CONSOLE.InputCP);
}

export function GetConsoleOutputCP(ctx: ApiContext): number {
  return ctx.mem.u32(block(ctx) + CONSOLE.OutputCP);
}

function setCodePage(ctx: ApiContext, cp: number, field: number): number {
  if (cp < 4 || !findCodePage(cp)) {
    ctx.setLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  ctx.mem.setU32(block(ctx) + field, cp);
  return 1;
}

export const SetConsoleCP = (ctx: ApiContext, cp: number): number => setCodePage(ctx, cp, CONSOLE.InputCP);
export const SetConsoleOutputCP = (ctx: ApiContext, cp: number): number => setCodePage(ctx, cp, CONSOLE.OutputCP);

/** The process has its console already (the terminal it was started from). */
export function AllocConsole(ctx: ApiContext): number {
  ctx.setLastError(ERROR_ACCESS_DENIED);
  return 0;
}

export function AttachConsole(ctx: ApiContext, _pid: number): number {
  ctx.setLastError(ERROR_ACCESS_DENIED);
  return 0;
}

export function FreeConsole(): number {
  return 1;
}

export function GetConsoleWindow(): number {
  return 0;
}
