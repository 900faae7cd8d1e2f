/**
 * Process and thread functions (processthreadsapi.h, processenv.h, errhandlingapi.h): startup
 * information, the command line, exit, TLS slots, the unhandled-exception filter.
 * Process-wide values kept in guest memory live in winrun's extension of the PEB allocation.
 */
import { TEB, TLS_MINIMUM_AVAILABLE } from '../../native/layout.js';
import type { ApiContext } from '../types.js';
import { ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER } from './errors.js';
import { processSlot, terminateChild } from './processobjects.js';
import { utf16ToUtf8 } from './text.js';

/** winrun's fields after the PEB (the PEB allocation is 64 KiB; Windows' PEB is 0x7c8). */
export const PEB_EXT = {
  CommandLineA: 0x800,
  UnhandledExceptionFilter: 0x808,
  /** TLS slot bitmap: 64 bits (slot i allocated = bit i). */
  TlsBitmap: 0x810,
  /** Unused: GetEnvironmentStringsA now returns a fresh block each call. */
  EnvironmentA: 0x818,
  /* 0x820: msvcrt's CRT data (msvcrt/crtdata.ts). */
  /** u32: the A file APIs use the OEM code page (fileapicp.ts). */
  FileApisOem: 0x828,
} as const;

const peb = (ctx: ApiContext): number => ctx.process.pebAddress;

export function GetCommandLineW(ctx: ApiContext): number {
  // RTL_USER_PROCESS_PARAMETERS.CommandLine.Buffer
  const pp = ctx.mem.ptr(peb(ctx) + 0x20);
  return ctx.mem.ptr(pp + 0x70 + 8);
}

export function GetCommandLineA(ctx: ApiContext): number {
  const m = ctx.mem;
  const slot = peb(ctx) + PEB_EXT.CommandLineA;
  let p = m.ptr(slot);
  if (p === 0) {
    const bytes = new TextEncoder().encode(ctx.process.commandLineW);
    p = ctx.process.heapAlloc(ctx.process.processHeap, bytes.length + 1, 0);
    m.writeCString(p, bytes);
    m.setU64(slot, p);
  }
  return p;
}

const STARTUPINFO_SIZE = 104;
export function GetStartupInfoW(ctx: ApiContext, si: number): void {
  const m = ctx.mem;
  m.fill(si, 0, STARTUPINFO_SIZE);
  m.setU32(si, STARTUPINFO_SIZE);
  m.setU64(si + 80, ctx.process.stdHandles[0]!);
  m.setU64(si + 88, ctx.process.stdHandles[1]!);
  m.setU64(si + 96, ctx.process.stdHandles[2]!);
}
export function GetStartupInfoA(ctx: ApiContext, si: number): void {
  GetStartupInfoW(ctx, si);
}

export function ExitProcess(ctx: ApiContext, code: number): never {
  ctx.process.exit(code);
}

/** TerminateProcess on the current process (the -1 pseudo-handle): ends it at once, without
 *  DLL detach or flushing, as on Windows; on a child: processobjects.ts. */
export function TerminateProcess(ctx: ApiContext, h: bigint, code: number): number {
  if (h === -1n) ctx.process.terminate(code);
  const slot = processSlot(ctx, h);
  if (slot >= 0) return terminateChild(ctx, slot, code);
  ctx.setLastError(ERROR_INVALID_HANDLE);
  return 0;
}

function tlsBitmap(ctx: ApiContext): Int32Array {
  const first = ctx.mem.int32At(peb(ctx) + PEB_EXT.TlsBitmap);
  return new Int32Array(first.buffer, first.byteOffset, 2);
}

/** TlsAlloc: a free slot, taken atomically (threads allocate at once); its value in the
 *  calling thread starts at 0. */
export function TlsAlloc(ctx: ApiContext): number {
  const bits = tlsBitmap(ctx);
  for (let i = 0; i < TLS_MINIMUM_AVAILABLE; i++) {
    const word = i >> 5;
    const bit = 1 << (i & 31);
    const old = Atomics.load(bits, word);
    if (old & bit) continue;
    if (Atomics.compareExchange(bits, word, old, old | bit) !== old) {
      i--;
      continue;
    }
    ctx.mem.setU64(ctx.teb + TEB.TlsSlots + 8 * i, 0);
    return i;
  }
  return 0xffffffff; // TLS_OUT_OF_INDEXES
}

export function TlsFree(ctx: ApiContext, i: number): number {
  const bits = tlsBitmap(ctx);
  if (i >>> 0 >= TLS_MINIMUM_AVAILABLE || (Atomics.load(bits, i >> 5) & (1 << (i & 31))) === 0) {
    ctx.setLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  // Windows clears the index in every thread (so that a later TlsAlloc of it reads NULL
  // everywhere). A thread that ends meanwhile may have freed its TEB: skip it.
  for (const teb of ctx.process.threads.runningTebs()) {
    if (ctx.mem.accessible(teb + TEB.TlsSlots + 8 * i, 8, 'write')) ctx.mem.setU64(teb + TEB.TlsSlots + 8 * i, 0);
  }
  Atomics.and(bits, i >> 5, ~(1 << (i & 31)));
  return 1;
}

/** Slow paths of the native TlsGetValue/TlsSetValue (indexes past the TEB's 64 slots). */
export function TlsGetValue(ctx: ApiContext, _i: number): number {
  ctx.setLastError(ERROR_INVALID_PARAMETER);
  return 0;
}
export function TlsSetValue(ctx: ApiContext, _i: number, _v: number): number {
  ctx.setLastError(ERROR_INVALID_PARAMETER);
  return 0;
}

export function SetUnhandledExceptionFilter(ctx: ApiContext, filter: number): number {
  const at = peb(ctx) + PEB_EXT.UnhandledExceptionFilter;
  const old = ctx.mem.ptr(at);
  ctx.mem.setU64(at, filter);
  return old;
}

/** A fresh copy of the current environment block ("NAME=value\0…\0"), as Windows returns:
 *  later changes do not show in it, and FreeEnvironmentStrings releases it. */
function environmentBlock(ctx: ApiContext): string {
  return [...ctx.process.environment].map(([k, v]) => `${k}=${v}\0`).join('') + '\0';
}

export function GetEnvironmentStringsW(ctx: ApiContext): number {
  const s = environmentBlock(ctx);
  const p = ctx.process.heapAlloc(ctx.process.processHeap, 2 * s.length, 0);
  if (p !== 0) ctx.mem.writeWString(p, s.slice(0, -1));
  return p;
}

export function GetEnvironmentStringsA(ctx: ApiContext): number {
  const s = environmentBlock(ctx);
  const bytes = utf16ToUtf8(Uint16Array.from(s, (c) => c.charCodeAt(0)));
  const p = ctx.process.heapAlloc(ctx.process.processHeap, bytes.length, 0);
  if (p !== 0) ctx.mem.write(p, bytes);
  return p;
}

export function FreeEnvironmentStrings(ctx: ApiContext, block: number): number {
  if (block !== 0) ctx.process.heapFree(ctx.process.processHeap, block);
  return 1;
}

export function GetEnvironmentVariableW(ctx: ApiContext, name: number, buf: number, size: number): number {
  const n = ctx.mem.wstring(name);
  const key = [...ctx.process.environment.keys()].find((k) => k.toUpperCase() === n.toUpperCase());
  if (key === undefined) {
    ctx.setLastError(203); // ERROR_ENVVAR_NOT_FOUND
    return 0;
  }
  const v = ctx.process.environment.get(key)!;
  if (size < v.length + 1) return v.length + 1;
  ctx.mem.writeWString(buf, v);
  return v.length;
}

export function GetEnvironmentVariableA(ctx: ApiContext, name: number, buf: number, size: number): number {
  const n = ctx.mem.cstring(name);
  const key = [...ctx.process.environment.keys()].find((k) => k.toUpperCase() === n.toUpperCase());
  if (key === undefined) {
    ctx.setLastError(203);
    return 0;
  }
  const v = new TextEncoder().encode(ctx.process.environment.get(key)!);
  if (size < v.length + 1) return v.length + 1;
  ctx.mem.writeCString(buf, v);
  return v.length;
}

/** SetEnvironmentVariable: a NULL value removes the variable. Names are case-insensitive. */
function setEnvironment(ctx: ApiContext, name: string, value: string | null): number {
  if (name === '' || name.includes('=')) {
    ctx.setLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  const env = ctx.process.environment;
  for (const k of [...env.keys()]) if (k.toUpperCase() === name.toUpperCase()) env.delete(k);
  if (value !== null) env.set(name, value);
  return 1;
}

export function SetEnvironmentVariableW(ctx: ApiContext, name: number, value: number): number {
  return setEnvironment(ctx, ctx.mem.wstring(name), value === 0 ? null : ctx.mem.wstring(value));
}

export function SetEnvironmentVariableA(ctx: ApiContext, name: number, value: number): number {
  return setEnvironment(ctx, ctx.mem.cstring(name), value === 0 ? null : ctx.mem.cstring(value));
}
