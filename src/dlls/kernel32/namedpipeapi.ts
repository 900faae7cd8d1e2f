/**
 * Pipes (namedpipeapi.h): CreatePipe over a Linux pipe (both ends close-on-exec unless the
 * security attributes make them inheritable), PeekNamedPipe. Reading a pipe whose writers are
 * all gone fails with ERROR_BROKEN_PIPE (fileapi.ts ReadFile); writing one whose reader is gone
 * fails with ERROR_NO_DATA. Named pipes: CreateNamedPipe, ConnectNamedPipe,
 * DisconnectNamedPipe, WaitNamedPipe, SetNamedPipeHandleState, GetNamedPipeInfo, and the client
 * end CreateFile opens (the objects and their protocol: kernel/namedpipes.ts).
 */
import { FILE_GENERIC_READ, FILE_GENERIC_WRITE } from '../../kernel/files.js';
import { HandleType } from '../../kernel/handles.js';
import { NP_INBOUND, NP_MESSAGE_TYPE, NP_NOWAIT, NP_OUTBOUND, NP_READ_MESSAGE, NP_SERVER, pipeNameOf } from '../../kernel/namedpipes.js';
import { TEB } from '../../native/layout.js';
import { makePipe, peekPipe, pipeState, closeDescriptor } from '../../native/spawn.js';
import type { ApiContext } from '../types.js';
import { ERROR_BROKEN_PIPE, ERROR_INVALID_HANDLE, ERROR_NOACCESS } from './errors.js';
import { SetEvent } from './event.js';
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
  if (!o || (o.type !== HandleType.Pipe && o.type !== HandleType.NamedPipe)) return fail(ctx, ERROR_INVALID_HANDLE);
  for (const p of [readOut, availOut, leftOut]) if (p !== 0 && !ctx.mem.accessible(p, 4, 'write')) return fail(ctx, ERROR_NOACCESS);
  if (buf !== 0 && size > 0 && !ctx.mem.accessible(buf, size, 'write')) return fail(ctx, ERROR_NOACCESS);
  if (o.type === HandleType.NamedPipe) return peekNamed(ctx, o.value, buf, size, readOut, availOut, leftOut);
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

// ---- named pipes (kernel/namedpipes.ts) ------------------------------------------------------

const INVALID_HANDLE_VALUE = -1;
const ERROR_INVALID_NAME = 123;
const ERROR_PATH_NOT_FOUND = 3;
const ERROR_PIPE_CONNECTED = 535;
const ERROR_INVALID_PARAMETER = 87;
const ERROR_SEM_TIMEOUT = 121;
const ERROR_FILE_NOT_FOUND = 2;
const PIPE_ACCESS_INBOUND = 1;
const PIPE_ACCESS_OUTBOUND = 2;
const FILE_FLAG_FIRST_PIPE_INSTANCE = 0x80000;
const PIPE_TYPE_MESSAGE = 4;
const PIPE_READMODE_MESSAGE = 2;
const PIPE_NOWAIT = 1;
const PIPE_REJECT_REMOTE_CLIENTS = 8;
const PIPE_UNLIMITED_INSTANCES = 255;
const PIPE_SERVER_END = 1;
const NMPWAIT_USE_DEFAULT_WAIT = 0;
const NMPWAIT_WAIT_FOREVER = 0xffffffff;
/** What WaitNamedPipe waits with NMPWAIT_USE_DEFAULT_WAIT (the server's nDefaultTimeOut is
 *  not kept: Windows' default of 50 ms). */
const DEFAULT_WAIT_MS = 50;

/** The named pipe slot of a handle, or -1. */
export function namedPipeSlot(ctx: ApiContext, h: number): number {
  const o = ctx.process.handles.lookup(h);
  return o?.type === HandleType.NamedPipe ? o.value : -1;
}

function readName(ctx: ApiContext, p: number, wide: boolean): string | undefined {
  if (p === 0 || !ctx.mem.accessible(p, wide ? 2 : 1, 'read')) return undefined;
  return wide ? ctx.mem.wstring(p) : ctx.mem.cstring(p);
}

function createNamedPipe(ctx: ApiContext, name: string | undefined, openMode: number, pipeMode: number, max: number, outSize: number, inSize: number, sa: number): number {
  if (name === undefined) return fail(ctx, ERROR_NOACCESS) || INVALID_HANDLE_VALUE;
  const pipe = pipeNameOf(name);
  if (pipe === undefined) return fail(ctx, ERROR_PATH_NOT_FOUND) || INVALID_HANDLE_VALUE;
  const direction = openMode & 3;
  const known = PIPE_TYPE_MESSAGE | PIPE_READMODE_MESSAGE | PIPE_NOWAIT | PIPE_REJECT_REMOTE_CLIENTS;
  const badMode = pipeMode & ~known || (pipeMode & PIPE_READMODE_MESSAGE && !(pipeMode & PIPE_TYPE_MESSAGE));
  if (direction === 0 || badMode || max === 0 || max > PIPE_UNLIMITED_INSTANCES) return fail(ctx, ERROR_INVALID_PARAMETER) || INVALID_HANDLE_VALUE;
  const flags =
    (openMode & PIPE_ACCESS_INBOUND ? NP_INBOUND : 0) |
    (openMode & PIPE_ACCESS_OUTBOUND ? NP_OUTBOUND : 0) |
    (pipeMode & PIPE_TYPE_MESSAGE ? NP_MESSAGE_TYPE : 0) |
    (pipeMode & PIPE_READMODE_MESSAGE ? NP_READ_MESSAGE : 0) |
    (pipeMode & PIPE_NOWAIT ? NP_NOWAIT : 0);
  const pid = ctx.mem.u32(ctx.teb + TEB.ClientIdUniqueProcess);
  const r = ctx.process.namedPipes.create(pipe, flags, { maxInstances: max, outSize, inSize }, (openMode & FILE_FLAG_FIRST_PIPE_INSTANCE) !== 0, pid);
  if (r.error !== undefined) return fail(ctx, r.error) || INVALID_HANDLE_VALUE;
  const access = (openMode & PIPE_ACCESS_INBOUND ? FILE_GENERIC_READ : 0) | (openMode & PIPE_ACCESS_OUTBOUND ? FILE_GENERIC_WRITE : 0);
  const h = ctx.process.handles.allocate(HandleType.NamedPipe, r.value, { access, flags: inheritFlag(ctx, sa) });
  if (h === 0) {
    ctx.process.namedPipes.release(r.value);
    return fail(ctx, ERROR_TOO_MANY_OPEN_FILES) || INVALID_HANDLE_VALUE;
  }
  ctx.setLastError(0);
  return h;
}

export function CreateNamedPipeW(ctx: ApiContext, name: number, openMode: number, pipeMode: number, max: number, outSize: number, inSize: number, _timeout: number, sa: number): number {
  return createNamedPipe(ctx, readName(ctx, name, true), openMode, pipeMode, max, outSize, inSize, sa);
}

export function CreateNamedPipeA(ctx: ApiContext, name: number, openMode: number, pipeMode: number, max: number, outSize: number, inSize: number, _timeout: number, sa: number): number {
  return createNamedPipe(ctx, readName(ctx, name, false), openMode, pipeMode, max, outSize, inSize, sa);
}

/** CreateFile's path for \\.\pipe\NAME: a client end (the handle), or INVALID_HANDLE_VALUE. */
export function openNamedPipeClient(ctx: ApiContext, pipe: string, access: number, sa: number): number {
  const GENERIC_READ = 0x80000000;
  const GENERIC_WRITE = 0x40000000;
  const GENERIC_ALL = 0x10000000;
  const read = (access & (GENERIC_READ | GENERIC_ALL | 1 /* FILE_READ_DATA */)) !== 0;
  const write = (access & (GENERIC_WRITE | GENERIC_ALL | 2 /* FILE_WRITE_DATA */)) !== 0;
  const r = ctx.process.namedPipes.open(pipe, read, write, access);
  if (r.error !== undefined) return fail(ctx, r.error) || INVALID_HANDLE_VALUE;
  const h = ctx.process.handles.allocate(HandleType.NamedPipe, r.value, { access: (read ? FILE_GENERIC_READ : 0) | (write ? FILE_GENERIC_WRITE : 0), flags: inheritFlag(ctx, sa) });
  if (h === 0) {
    ctx.process.namedPipes.release(r.value);
    return fail(ctx, ERROR_TOO_MANY_OPEN_FILES) || INVALID_HANDLE_VALUE;
  }
  ctx.setLastError(0);
  return h;
}

/**
 * ConnectNamedPipe. With an OVERLAPPED the call still waits for the client (winrun has no
 * asynchronous I/O yet), then reports what an overlapped connect that finished at once
 * reports: FALSE with ERROR_PIPE_CONNECTED, the event set — the answer programs written for
 * overlapped pipes handle (Microsoft's sample treats TRUE as a failure there).
 */
export function ConnectNamedPipe(ctx: ApiContext, h: number, ov: number): number {
  const slot = namedPipeSlot(ctx, h);
  if (slot < 0) return fail(ctx, ERROR_INVALID_HANDLE);
  if (ov !== 0 && !ctx.mem.accessible(ov, 32, 'write')) return fail(ctx, ERROR_NOACCESS);
  const r = ctx.process.namedPipes.connect(slot);
  if (ov !== 0 && (r.error === undefined || r.error === ERROR_PIPE_CONNECTED)) {
    ctx.fixme('file', 'ConnectNamedPipe', 'OVERLAPPED: waited for the client synchronously');
    ctx.mem.setU64(ov, 0n); // Internal: STATUS_SUCCESS
    ctx.mem.setU64(ov + 8, 0n); // InternalHigh: no bytes
    const event = Number(ctx.mem.u64(ov + 24));
    if (event !== 0) SetEvent(ctx, event);
    return fail(ctx, ERROR_PIPE_CONNECTED);
  }
  return r.error !== undefined ? fail(ctx, r.error) : 1;
}

export function DisconnectNamedPipe(ctx: ApiContext, h: number): number {
  const slot = namedPipeSlot(ctx, h);
  if (slot < 0) return fail(ctx, ERROR_INVALID_HANDLE);
  const r = ctx.process.namedPipes.disconnect(slot);
  return r.error !== undefined ? fail(ctx, r.error) : 1;
}

function waitNamedPipe(ctx: ApiContext, name: string | undefined, timeout: number): number {
  if (name === undefined) return fail(ctx, ERROR_NOACCESS);
  const pipe = pipeNameOf(name);
  if (pipe === undefined) return fail(ctx, ERROR_INVALID_NAME);
  const ms = timeout === NMPWAIT_USE_DEFAULT_WAIT ? DEFAULT_WAIT_MS : timeout === NMPWAIT_WAIT_FOREVER ? Infinity : timeout;
  const end = performance.now() + ms;
  for (;;) {
    const any = ctx.process.namedPipes.anyListening(pipe);
    if (any === undefined) return fail(ctx, ERROR_FILE_NOT_FOUND);
    if (any) return 1;
    const left = end - performance.now();
    if (left <= 0) return fail(ctx, ERROR_SEM_TIMEOUT);
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, Math.min(left, 10));
  }
}

export const WaitNamedPipeW = (ctx: ApiContext, name: number, timeout: number): number => waitNamedPipe(ctx, readName(ctx, name, true), timeout);
export const WaitNamedPipeA = (ctx: ApiContext, name: number, timeout: number): number => waitNamedPipe(ctx, readName(ctx, name, false), timeout);

/** SetNamedPipeHandleState: the read mode (message mode only on a message-type pipe) and the
 *  wait mode; the collection count and timeout concern remote clients and are ignored. */
export function SetNamedPipeHandleState(ctx: ApiContext, h: number, mode: number, _maxCollection: number, _timeout: number): number {
  const slot = namedPipeSlot(ctx, h);
  if (slot < 0) return fail(ctx, ERROR_INVALID_HANDLE);
  if (mode === 0) return 1;
  if (!ctx.mem.accessible(mode, 4, 'read')) return fail(ctx, ERROR_NOACCESS);
  const m = ctx.mem.u32(mode);
  const pipes = ctx.process.namedPipes;
  if (m & ~(PIPE_READMODE_MESSAGE | PIPE_NOWAIT) || (m & PIPE_READMODE_MESSAGE && !(pipes.flags(slot) & NP_MESSAGE_TYPE))) return fail(ctx, ERROR_INVALID_PARAMETER);
  pipes.setMode(slot, (m & PIPE_READMODE_MESSAGE) !== 0, (m & PIPE_NOWAIT) !== 0);
  return 1;
}

export function GetNamedPipeInfo(ctx: ApiContext, h: number, flagsOut: number, outSize: number, inSize: number, maxOut: number): number {
  const slot = namedPipeSlot(ctx, h);
  if (slot < 0) return fail(ctx, ERROR_INVALID_HANDLE);
  for (const p of [flagsOut, outSize, inSize, maxOut]) if (p !== 0 && !ctx.mem.accessible(p, 4, 'write')) return fail(ctx, ERROR_NOACCESS);
  const i = ctx.process.namedPipes.info(slot);
  if (flagsOut) ctx.mem.setU32(flagsOut, (i.flags & NP_SERVER ? PIPE_SERVER_END : 0) | (i.flags & NP_MESSAGE_TYPE ? PIPE_TYPE_MESSAGE : 0));
  if (outSize) ctx.mem.setU32(outSize, i.outSize);
  if (inSize) ctx.mem.setU32(inSize, i.inSize);
  if (maxOut) ctx.mem.setU32(maxOut, i.maxInstances);
  return 1;
}

/** PeekNamedPipe on a named pipe end. */
function peekNamed(ctx: ApiContext, slot: number, buf: number, size: number, readOut: number, availOut: number, leftOut: number): number {
  const r = ctx.process.namedPipes.peek(slot, buf !== 0 ? size : 0);
  if (r.error !== undefined) return fail(ctx, r.error);
  const { data, available, left } = r.value;
  if (data.length) ctx.mem.write(buf, data);
  if (readOut !== 0) ctx.mem.setU32(readOut, data.length);
  if (availOut !== 0) ctx.mem.setU32(availOut, available);
  if (leftOut !== 0) ctx.mem.setU32(leftOut, left);
  return 1;
}

/** ReadFile and WriteFile on a named pipe end (fileapi.ts): the count, or the Win32 error
 *  (ERROR_MORE_DATA comes with a count). */
export function readNamedPipe(ctx: ApiContext, slot: number, view: Uint8Array): { error?: number; value?: number } {
  return ctx.process.namedPipes.read(slot, view);
}

export function writeNamedPipe(ctx: ApiContext, slot: number, view: Uint8Array): { error?: number; value?: number } {
  return ctx.process.namedPipes.write(slot, view);
}
