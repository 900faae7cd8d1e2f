/** Standard handles and file I/O on them (fileapi.h, processenv.h). Files arrive with the
 *  kernel32 issue; the console and redirected std handles work now. */
import { HandleType } from '../../kernel/handles.js';
import type { ApiContext } from '../types.js';
import { ERROR_INVALID_HANDLE } from './errors.js';

const STD_INPUT_HANDLE = -10;
const STD_ERROR_HANDLE = -12;
const FILE_TYPE_DISK = 1;
const FILE_TYPE_CHAR = 2;
const FILE_TYPE_UNKNOWN = 0;

export function GetStdHandle(ctx: ApiContext, which: number): number {
  if (which > STD_INPUT_HANDLE || which < STD_ERROR_HANDLE) {
    ctx.setLastError(ERROR_INVALID_HANDLE);
    return -1;
  }
  return ctx.process.stdHandles[STD_INPUT_HANDLE - which]!;
}

function fdOf(ctx: ApiContext, h: number): number {
  const o = ctx.process.handles.lookup(h);
  if (!o || (o.type !== HandleType.Console && o.type !== HandleType.File && o.type !== HandleType.Pipe)) return -1;
  return o.value;
}

export function WriteFile(ctx: ApiContext, h: number, buf: number, n: number, written: number, _overlapped: number): number {
  const fd = fdOf(ctx, h);
  if (fd < 0) {
    ctx.setLastError(ERROR_INVALID_HANDLE);
    return 0;
  }
  const data = ctx.mem.read(buf, n);
  const w = ctx.process.writeFd(fd, data);
  if (written) ctx.mem.setU32(written, w);
  return 1;
}

export function ReadFile(ctx: ApiContext, h: number, buf: number, n: number, read: number, _overlapped: number): number {
  const fd = fdOf(ctx, h);
  if (fd < 0) {
    ctx.setLastError(ERROR_INVALID_HANDLE);
    return 0;
  }
  ctx.mem.check(buf, n, true);
  const data = ctx.process.readFd(fd, n);
  ctx.mem.write(buf, data);
  if (read) ctx.mem.setU32(read, data.length);
  return 1;
}

export function GetFileType(ctx: ApiContext, h: number): number {
  const fd = fdOf(ctx, h);
  if (fd < 0) {
    ctx.setLastError(ERROR_INVALID_HANDLE);
    return FILE_TYPE_UNKNOWN;
  }
  return ctx.process.isatty(fd) ? FILE_TYPE_CHAR : FILE_TYPE_DISK;
}

export function CloseHandle(ctx: ApiContext, h: number): number {
  if (!ctx.process.handles.close(h)) {
    ctx.setLastError(ERROR_INVALID_HANDLE);
    return 0;
  }
  return 1;
}
