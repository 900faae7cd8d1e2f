/**
 * The structures of ntdef.h and winternl.h that ntdll's functions take, with their x64
 * layouts, and reading and writing them in guest memory. A bad pointer met in an Nt* call is
 * STATUS_ACCESS_VIOLATION (the kernel probes its arguments); in an Rtl* call it is what the
 * dispatcher reports for any API (Windows would raise an access violation there).
 */
import { STATUS_ACCESS_VIOLATION } from '../../kernel/ntstatus.js';
import { GuestMemoryError } from '../../native/memprotect.js';
import type { ApiContext } from '../types.js';

/** UNICODE_STRING / ANSI_STRING / OEM_STRING: USHORT Length, USHORT MaximumLength, Buffer. */
export const STRING = { Length: 0, MaximumLength: 2, Buffer: 8, Size: 16 } as const;

/** OBJECT_ATTRIBUTES. */
export const OBJECT_ATTRIBUTES = { Length: 0, RootDirectory: 8, ObjectName: 16, Attributes: 24, SecurityDescriptor: 32, SecurityQualityOfService: 40, Size: 48 } as const;

/** IO_STATUS_BLOCK: Status (or Pointer), Information. */
export const IO_STATUS_BLOCK = { Status: 0, Information: 8, Size: 16 } as const;

export interface CountedString {
  /** Bytes in use. */
  length: number;
  /** Bytes of the buffer. */
  maximumLength: number;
  buffer: number;
}

export function readCounted(ctx: ApiContext, p: number): CountedString {
  ctx.mem.check(p, STRING.Size);
  return { length: ctx.mem.u16(p + STRING.Length), maximumLength: ctx.mem.u16(p + STRING.MaximumLength), buffer: ctx.mem.ptr(p + STRING.Buffer) };
}

export function writeCounted(ctx: ApiContext, p: number, s: CountedString): void {
  ctx.mem.check(p, STRING.Size, true);
  ctx.mem.setU16(p + STRING.Length, s.length);
  ctx.mem.setU16(p + STRING.MaximumLength, s.maximumLength);
  ctx.mem.setU64(p + STRING.Buffer, s.buffer);
}

/** The UTF-16 units of a UNICODE_STRING (Length / 2 of them). */
export function unicodeUnits(ctx: ApiContext, s: CountedString): Uint16Array {
  const n = s.length >> 1;
  if (n === 0) return new Uint16Array(0);
  const bytes = ctx.mem.read(s.buffer, 2 * n);
  return new Uint16Array(bytes.buffer, bytes.byteOffset, n);
}

/** The text of the UNICODE_STRING at p. */
export function readUnicodeString(ctx: ApiContext, p: number): string {
  return String.fromCharCode(...unicodeUnits(ctx, readCounted(ctx, p)));
}

export function ansiBytes(ctx: ApiContext, s: CountedString): Uint8Array {
  return ctx.mem.read(s.buffer, s.length);
}

export function writeUnitsAt(ctx: ApiContext, p: number, units: Uint16Array): void {
  ctx.mem.write(p, new Uint8Array(units.buffer, units.byteOffset, 2 * units.length));
}

export function unitsOf(s: string): Uint16Array {
  const u = new Uint16Array(s.length);
  for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i);
  return u;
}

/** Runs an Nt* body; a bad guest pointer met on the way is STATUS_ACCESS_VIOLATION. */
export function ntCall(body: () => number): number {
  try {
    return body();
  } catch (e) {
    if (e instanceof GuestMemoryError) return STATUS_ACCESS_VIOLATION;
    throw e;
  }
}

/** Stores an IO_STATUS_BLOCK (when the pointer is not NULL) and returns the status. */
export function complete(ctx: ApiContext, iosb: number, status: number, information: number | bigint = 0): number {
  if (iosb) {
    ctx.mem.check(iosb, IO_STATUS_BLOCK.Size, true);
    ctx.mem.setU32(iosb + IO_STATUS_BLOCK.Status, status);
    ctx.mem.setU64(iosb + IO_STATUS_BLOCK.Information, information);
  }
  return status;
}

/** The process pseudo-handle (GetCurrentProcess) as a 64-bit argument, or 0 (NULL means the
 *  current process to some calls). */
export function isCurrentProcess(h: bigint): boolean {
  return BigInt.asIntN(64, h) === -1n;
}
