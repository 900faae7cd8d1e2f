/**
 * Pipes (namedpipeapi.h): CreatePipe over a Linux pipe (both ends close-on-exec unless the
 * security attributes make them inheritable), PeekNamedPipe. Reading a pipe whose writers are
 * all gone fails with ERROR_BROKEN_PIPE (fileapi.ts ReadFile); writing one whose reader is gone
 * fails with ERROR_NO_DATA.
 */
import { FILE_GENERIC_READ, FILE_GENERIC_WRITE } from '../../kernel/files.js';
import { HandleType } from '../../kernel/handles.js';
import { makePipe, peekPipe, pipeState, closeDescriptor } from '../../native/spawn.js';
import type { ApiContext } from '../types.js';
import { ERROR_BROKEN_PIPE, ERROR_INVALID_HANDLE, ERROR_NOACCESS } from './errors.js';
import { inheritFlag } from './handleapi.js';

const ERROR_TOO_MANY_OPEN_FILES = 4;

function fail(ctx: ApiContext, code: number): number {
  ctx.setLastError(code);
  return 0;
}

export function CreatePipe(ctx: ApiContext, readOut: number, writeOut: number, sa: number, _size: number): number {
  if (!ctx.mem.accessible(readOut, 8, 'write') || !ctx.mem.accessible(writeOut, 8, 'write')) return fail(ctx, ERROR_NOACCESS);
  const flags = inheritFlag(ctx, sa);
  const [r, w] = makePipe();
  const hr = ctx.process.handles.allocate(HandleType.Pipe, r, { access: FILE_GENERIC_READ, share: 3, flags });
  const hw = hr === 0 ? 0 : ctx.process.handles.allocate(HandleType.Pipe, w, { access: FILE_GENERIC_WRITE, share: 3, flags });
  if (hw === 0) {
    if (hr !== 0) ctx.process.handles.close(hr);
    closeDescriptor(r);
    closeDescriptor(w);
    return fail(ctx, ERROR_TOO_MANY_OPEN_FILES);
  }
  ctx.mem.setU64(readOut, hr);
  ctx.mem.setU64(writeOut, hw);
  return 1;
}

/**
 * PeekNamedPipe: copies waiting data without taking it, and tells how much waits. An empty pipe
 * whose writers are gone fails with ERROR_BROKEN_PIPE, as ReadFile would. Byte-mode pipes have
 * no message, so lpBytesLeftThisMessage is 0.
 */
export function PeekNamedPipe(ctx: ApiContext, h: number, buf: number, size: number, readOut: number, availOut: number, leftOut: number): number {
  const o = ctx.process.handles.lookup(h);
  if (!o || o.type !== HandleType.Pipe) return fail(ctx, ERROR_INVALID_HANDLE);
  for (const p of [readOut, availOut, leftOut]) if (p !== 0 && !ctx.mem.accessible(p, 4, 'write')) return fail(ctx, ERROR_NOACCESS);
  if (buf !== 0 && size > 0 && !ctx.mem.accessible(buf, size, 'write')) return fail(ctx, ERROR_NOACCESS);
  const st = pipeState(o.value);
  if (st.available === 0 && st.hangup) return fail(ctx, ERROR_BROKEN_PIPE);
  let got = 0;
  if (buf !== 0 && size > 0 && st.available > 0) {
    const tmp = new Uint8Array(Math.min(size, st.available));
    got = peekPipe(o.value, tmp);
    ctx.mem.write(buf, tmp.subarray(0, got));
  }
  if (readOut !== 0) ctx.mem.setU32(readOut, got);
  if (availOut !== 0) ctx.mem.setU32(availOut, st.available);
  if (leftOut !== 0) ctx.mem.setU32(leftOut, 0);
  return 1;
}
