/**
 * Security identifiers in guest memory (securitybaseapi.h, sddl.h): validation, length, copy,
 * comparison, allocation, the sub-authority accessors, and the "S-1-5-…" string forms.
 * Allocated SIDs come from the process heap (AllocateAndInitializeSid, freed by FreeSid) or
 * LocalAlloc (the sddl.h conversions, freed by LocalFree), as on Windows.
 */
import { parseSidString, SID_MAX_SUB_AUTHORITIES, type Sid, sidBytes, sidLength, sidString } from '../../kernel/security.js';
import type { ApiContext } from '../types.js';
import { type Charset, encodeString, ERROR_INSUFFICIENT_BUFFER, ERROR_INVALID_PARAMETER, ERROR_INVALID_SID, ERROR_NOT_ENOUGH_MEMORY, fail, guardBool, readString, writeWithNul } from './common.js';

/** The SID at p, or undefined when it is not a valid SID (revision 1, at most 15
 *  sub-authorities). Throws GuestMemoryError for unreadable memory. */
export function readSid(ctx: ApiContext, p: number): Sid | undefined {
  if (p === 0) return undefined;
  const head = ctx.mem.read(p, 8);
  if (head[0] !== 1 || head[1]! > SID_MAX_SUB_AUTHORITIES) return undefined;
  const authority = ((head[2]! << 8) | head[3]!) * 2 ** 32 + ((head[4]! << 24) >>> 0) + ((head[5]! << 16) | (head[6]! << 8) | head[7]!);
  const subs: number[] = [];
  for (let i = 0; i < head[1]!; i++) subs.push(ctx.mem.u32(p + 8 + 4 * i));
  return { authority, subs };
}

/** A heap copy of a SID (LocalAlloc'd, as the sddl.h functions return), or 0. */
export function allocSid(ctx: ApiContext, s: Sid): number {
  const b = sidBytes(s);
  const p = ctx.process.heapAlloc(ctx.process.processHeap, b.length, 0);
  if (p !== 0) ctx.mem.write(p, b);
  return p;
}

export function IsValidSid(ctx: ApiContext, p: number): number {
  try {
    return readSid(ctx, p) ? 1 : 0;
  } catch {
    return 0;
  }
}

export function GetLengthSid(ctx: ApiContext, p: number): number {
  return sidLength(ctx.mem.u8(p + 1));
}

export function GetSidLengthRequired(_ctx: ApiContext, count: number): number {
  return sidLength(count);
}

export function CopySid(ctx: ApiContext, size: number, dst: number, src: number): number {
  return guardBool(ctx, () => {
    const s = readSid(ctx, src);
    if (!s) return fail(ctx, ERROR_INVALID_SID);
    if (size < sidLength(s.subs.length)) return fail(ctx, ERROR_INSUFFICIENT_BUFFER);
    ctx.mem.write(dst, sidBytes(s));
    return 1;
  });
}

/** FALSE for SIDs that differ; a SID that is not valid also gives ERROR_INVALID_SID. */
export function EqualSid(ctx: ApiContext, a: number, b: number): number {
  return guardBool(ctx, () => {
    const x = readSid(ctx, a);
    const y = readSid(ctx, b);
    if (!x || !y) return fail(ctx, ERROR_INVALID_SID);
    ctx.setLastError(0);
    return sidString(x) === sidString(y) ? 1 : 0;
  });
}

export function InitializeSid(ctx: ApiContext, p: number, auth: number, count: number): number {
  return guardBool(ctx, () => {
    if (count > SID_MAX_SUB_AUTHORITIES) return 0;
    const a = ctx.mem.read(auth, 6);
    ctx.mem.write(p, Uint8Array.from([1, count, ...a]));
    return 1;
  });
}

export function AllocateAndInitializeSid(ctx: ApiContext, auth: number, count: number, ...rest: number[]): number {
  return guardBool(ctx, () => {
    const out = rest[8]!;
    if (count > 8) return fail(ctx, ERROR_INVALID_SID);
    const a = ctx.mem.read(auth, 6);
    const p = ctx.process.heapAlloc(ctx.process.processHeap, sidLength(count), 0);
    if (p === 0) return fail(ctx, ERROR_NOT_ENOUGH_MEMORY);
    ctx.mem.write(p, Uint8Array.from([1, count, ...a]));
    for (let i = 0; i < count; i++) ctx.mem.setU32(p + 8 + 4 * i, rest[i]!);
    ctx.mem.setU64(out, p);
    return 1;
  });
}

/** Returns NULL, as documented. */
export function FreeSid(ctx: ApiContext, p: number): number {
  if (p !== 0) ctx.process.heapFree(ctx.process.processHeap, p);
  return 0;
}

export function GetSidSubAuthority(ctx: ApiContext, p: number, n: number): number {
  ctx.setLastError(0);
  return p + 8 + 4 * n;
}

export function GetSidSubAuthorityCount(ctx: ApiContext, p: number): number {
  ctx.setLastError(0);
  return p + 1;
}

export function GetSidIdentifierAuthority(ctx: ApiContext, p: number): number {
  ctx.setLastError(0);
  return p + 2;
}

// ---- sddl.h ---------------------------------------------------------------------------------------

function sidToString(ctx: ApiContext, cs: Charset, p: number, out: number): number {
  return guardBool(ctx, () => {
    if (out === 0) return fail(ctx, ERROR_INVALID_PARAMETER);
    const s = readSid(ctx, p);
    if (!s) return fail(ctx, ERROR_INVALID_SID);
    const e = encodeString(ctx, sidString(s), cs);
    const buf = ctx.process.heapAlloc(ctx.process.processHeap, e.length + (cs === 'W' ? 2 : 1), 0);
    if (buf === 0) return fail(ctx, ERROR_NOT_ENOUGH_MEMORY);
    writeWithNul(ctx, buf, e, cs);
    ctx.mem.setU64(out, buf);
    return 1;
  });
}

export const ConvertSidToStringSidA = (ctx: ApiContext, p: number, out: number): number => sidToString(ctx, 'A', p, out);
export const ConvertSidToStringSidW = (ctx: ApiContext, p: number, out: number): number => sidToString(ctx, 'W', p, out);

function stringToSid(ctx: ApiContext, cs: Charset, str: number, out: number): number {
  return guardBool(ctx, () => {
    if (str === 0 || out === 0) return fail(ctx, ERROR_INVALID_PARAMETER);
    const s = parseSidString(readString(ctx, str, cs), ctx.process.token.machine);
    if (!s) return fail(ctx, ERROR_INVALID_SID);
    const p = allocSid(ctx, s);
    if (p === 0) return fail(ctx, ERROR_NOT_ENOUGH_MEMORY);
    ctx.mem.setU64(out, p);
    return 1;
  });
}

export const ConvertStringSidToSidA = (ctx: ApiContext, str: number, out: number): number => stringToSid(ctx, 'A', str, out);
export const ConvertStringSidToSidW = (ctx: ApiContext, str: number, out: number): number => stringToSid(ctx, 'W', str, out);
