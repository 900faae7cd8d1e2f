/**
 * What advapi32's A and W entry points share: strings in the ANSI code page or UTF-16, the
 * guard that turns a bad guest pointer into ERROR_NOACCESS, and the error codes.
 */
import { GuestMemoryError } from '../../native/memprotect.js';
import { ansiToString, stringToUnits, unitsToAnsi } from '../kernel32/text.js';
import type { ApiContext } from '../types.js';

export type Charset = 'A' | 'W';

export const ERROR_SUCCESS = 0;
export const ERROR_FILE_NOT_FOUND = 2;
export const ERROR_ACCESS_DENIED = 5;
export const ERROR_INVALID_HANDLE = 6;
export const ERROR_NOT_ENOUGH_MEMORY = 8;
export const ERROR_INVALID_PARAMETER = 87;
export const ERROR_INSUFFICIENT_BUFFER = 122;
export const ERROR_MORE_DATA = 234;
export const ERROR_NOACCESS = 998;
export const ERROR_NO_TOKEN = 1008;
export const ERROR_NOT_ALL_ASSIGNED = 1300;
export const ERROR_NO_SUCH_PRIVILEGE = 1313;
export const ERROR_NONE_MAPPED = 1332;
export const ERROR_INVALID_SID = 1337;
export const ERROR_UNSUPPORTED_TYPE = 1630;

/** A string argument: ANSI code page for A, UTF-16 for W. */
export function readString(ctx: ApiContext, p: number, cs: Charset): string {
  return cs === 'W' ? ctx.mem.wstring(p) : ansiToString(ctx, ctx.mem.cstringBytes(p));
}

/** An optional string argument (NULL → undefined). */
export function readOptional(ctx: ApiContext, p: number, cs: Charset): string | undefined {
  return p === 0 ? undefined : readString(ctx, p, cs);
}

/** `s` as the charset's bytes, without a NUL. */
export function encodeString(ctx: ApiContext, s: string, cs: Charset): Uint8Array {
  const u = stringToUnits(s);
  return cs === 'W' ? new Uint8Array(u.buffer) : unitsToAnsi(ctx, u);
}

/** Characters of `s` in the charset (bytes for A). */
export function charCount(ctx: ApiContext, s: string, cs: Charset): number {
  return cs === 'W' ? s.length : encodeString(ctx, s, 'A').length;
}

/** Writes encoded text plus its NUL at p. */
export function writeWithNul(ctx: ApiContext, p: number, e: Uint8Array, cs: Charset): void {
  const out = new Uint8Array(e.length + (cs === 'W' ? 2 : 1));
  out.set(e);
  ctx.mem.write(p, out);
}

/** Runs a registry-style body (returning a Win32 code); a bad guest pointer met on the way
 *  gives ERROR_NOACCESS, as the NT calls under these functions report it. */
export function guardCode(body: () => number): number {
  try {
    return body();
  } catch (e) {
    if (e instanceof GuestMemoryError) return ERROR_NOACCESS;
    throw e;
  }
}

/** Runs a BOOL-returning body; a bad guest pointer gives FALSE with `error`. */
export function guardBool(ctx: ApiContext, body: () => number, error = ERROR_NOACCESS): number {
  try {
    return body();
  } catch (e) {
    if (!(e instanceof GuestMemoryError)) throw e;
    ctx.setLastError(error);
    return 0;
  }
}

export function fail(ctx: ApiContext, error: number): number {
  ctx.setLastError(error);
  return 0;
}
