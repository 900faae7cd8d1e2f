/** The console (consoleapi.h) on the terminal behind the std handles. GetConsoleMode fails on
 *  pipes and files, which is how programs detect redirection. */
import { HandleType } from '../../kernel/handles.js';
import { ERROR_INVALID_HANDLE } from '../../kernel/win32error.js';
import type { ApiContext } from '../types.js';
import { utf16ToUtf8, utf8ToUtf16 } from './text.js';

const ENABLE_PROCESSED_INPUT = 0x1;
const ENABLE_LINE_INPUT = 0x2;
const ENABLE_ECHO_INPUT = 0x4;
const ENABLE_PROCESSED_OUTPUT = 0x1;
const ENABLE_WRAP_AT_EOL_OUTPUT = 0x2;

/** The terminal descriptor behind a console handle, or -1 (not a console). */
function consoleFd(ctx: ApiContext, h: number): number {
  const o = ctx.process.handles.lookup(h);
  if (!o || o.type !== HandleType.Console) return -1;
  return ctx.process.isatty(o.value) ? o.value : -1;
}

export function GetConsoleMode(ctx: ApiContext, h: number, mode: number): number {
  const fd = consoleFd(ctx, h);
  if (fd < 0) {
    ctx.setLastError(ERROR_INVALID_HANDLE);
    return 0;
  }
  ctx.mem.setU32(mode, fd === 0 ? ENABLE_PROCESSED_INPUT | ENABLE_LINE_INPUT | ENABLE_ECHO_INPUT : ENABLE_PROCESSED_OUTPUT | ENABLE_WRAP_AT_EOL_OUTPUT);
  return 1;
}

export function SetConsoleMode(ctx: ApiContext, h: number, _mode: number): number {
  if (consoleFd(ctx, h) < 0) {
    ctx.setLastError(ERROR_INVALID_HANDLE);
    return 0;
  }
  ctx.fixme('console', 'SetConsoleMode', 'modes are accepted but the terminal is not switched to raw mode yet');
  return 1;
}

function writeConsole(ctx: ApiContext, h: number, data: Uint8Array, chars: number, written: number): number {
  const fd = consoleFd(ctx, h);
  if (fd < 0) {
    ctx.setLastError(ERROR_INVALID_HANDLE);
    return 0;
  }
  ctx.process.writeFd(fd, data);
  if (written) ctx.mem.setU32(written, chars);
  return 1;
}

export function WriteConsoleW(ctx: ApiContext, h: number, buf: number, n: number, written: number, _reserved: number): number {
  const units = new Uint16Array(ctx.mem.read(buf, 2 * n).buffer.slice(0));
  return writeConsole(ctx, h, utf16ToUtf8(units), n, written);
}

export function WriteConsoleA(ctx: ApiContext, h: number, buf: number, n: number, written: number, _reserved: number): number {
  return writeConsole(ctx, h, ctx.mem.read(buf, n), n, written);
}

function readConsole(ctx: ApiContext, h: number, max: number): Uint8Array | undefined {
  const fd = consoleFd(ctx, h);
  if (fd < 0) {
    ctx.setLastError(ERROR_INVALID_HANDLE);
    return undefined;
  }
  const line = ctx.process.readFd(fd, Math.max(1, max));
  // Line input arrives as CR LF on Windows.
  if (line.length > 0 && line[line.length - 1] === 10 && (line.length < 2 || line[line.length - 2] !== 13)) {
    const out = new Uint8Array(line.length + 1);
    out.set(line.subarray(0, line.length - 1));
    out[line.length - 1] = 13;
    out[line.length] = 10;
    return out;
  }
  return line;
}

export function ReadConsoleA(ctx: ApiContext, h: number, buf: number, n: number, read: number, _control: number): number {
  const data = readConsole(ctx, h, n - 1);
  if (!data) return 0;
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

export function SetConsoleCtrlHandler(ctx: ApiContext, _handler: number, _add: number): number {
  ctx.fixme('console', 'SetConsoleCtrlHandler', 'handlers are accepted but Ctrl-C does not reach them yet');
  return 1;
}

export function GetConsoleWindow(): number {
  return 0;
}

