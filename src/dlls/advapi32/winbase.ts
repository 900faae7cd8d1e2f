/**
 * Accounts and privileges by name (winbase.h): GetUserName, LookupPrivilegeValue/Name and
 * LookupAccountSid, on the local machine only. Buffer sizes follow each function's documented
 * protocol: too small gives ERROR_INSUFFICIENT_BUFFER and the size needed with the NUL.
 */
import { PRIVILEGE_NAMES, privilegeLuid } from '../../kernel/security.js';
import type { ApiContext } from '../types.js';
import { type Charset, encodeString, ERROR_INSUFFICIENT_BUFFER, ERROR_INVALID_PARAMETER, ERROR_INVALID_SID, ERROR_NO_SUCH_PRIVILEGE, ERROR_NONE_MAPPED, fail, guardBool, readString, writeWithNul } from './common.js';
import { readSid } from './sid.js';

const units = (e: Uint8Array, cs: Charset): number => (cs === 'W' ? e.length / 2 : e.length);

/** GetUserName: on success *size is the length written including the NUL. */
function getUserName(ctx: ApiContext, cs: Charset, buf: number, size: number): number {
  return guardBool(ctx, () => {
    if (size === 0) return fail(ctx, ERROR_INVALID_PARAMETER);
    const e = encodeString(ctx, ctx.process.token.userName, cs);
    const need = units(e, cs) + 1;
    if (buf === 0 || ctx.mem.u32(size) < need) {
      ctx.mem.setU32(size, need);
      return fail(ctx, ERROR_INSUFFICIENT_BUFFER);
    }
    writeWithNul(ctx, buf, e, cs);
    ctx.mem.setU32(size, need);
    return 1;
  });
}

export const GetUserNameA = (ctx: ApiContext, buf: number, size: number): number => getUserName(ctx, 'A', buf, size);
export const GetUserNameW = (ctx: ApiContext, buf: number, size: number): number => getUserName(ctx, 'W', buf, size);

function lookupPrivilegeValue(ctx: ApiContext, cs: Charset, _system: number, name: number, luid: number): number {
  return guardBool(ctx, () => {
    if (name === 0 || luid === 0) return fail(ctx, ERROR_INVALID_PARAMETER);
    const n = privilegeLuid(readString(ctx, name, cs));
    if (n === undefined) return fail(ctx, ERROR_NO_SUCH_PRIVILEGE);
    ctx.mem.setU32(luid, n);
    ctx.mem.setU32(luid + 4, 0);
    return 1;
  });
}

export const LookupPrivilegeValueA = (ctx: ApiContext, sys: number, name: number, luid: number): number => lookupPrivilegeValue(ctx, 'A', sys, name, luid);
export const LookupPrivilegeValueW = (ctx: ApiContext, sys: number, name: number, luid: number): number => lookupPrivilegeValue(ctx, 'W', sys, name, luid);

/** On success *cch is the length without the NUL; too small: the size with it. */
function lookupPrivilegeName(ctx: ApiContext, cs: Charset, _system: number, luid: number, buf: number, cch: number): number {
  return guardBool(ctx, () => {
    if (luid === 0 || cch === 0) return fail(ctx, ERROR_INVALID_PARAMETER);
    const lo = ctx.mem.u32(luid);
    const hi = ctx.mem.u32(luid + 4);
    const name = hi === 0 ? PRIVILEGE_NAMES[lo] : undefined;
    if (!name) return fail(ctx, ERROR_NO_SUCH_PRIVILEGE);
    const e = encodeString(ctx, name, cs);
    const n = units(e, cs);
    if (buf === 0 || ctx.mem.u32(cch) <= n) {
      ctx.mem.setU32(cch, n + 1);
      return fail(ctx, ERROR_INSUFFICIENT_BUFFER);
    }
    writeWithNul(ctx, buf, e, cs);
    ctx.mem.setU32(cch, n);
    return 1;
  });
}

export const LookupPrivilegeNameA = (ctx: ApiContext, sys: number, luid: number, buf: number, cch: number): number => lookupPrivilegeName(ctx, 'A', sys, luid, buf, cch);
export const LookupPrivilegeNameW = (ctx: ApiContext, sys: number, luid: number, buf: number, cch: number): number => lookupPrivilegeName(ctx, 'W', sys, luid, buf, cch);

const RPC_S_SERVER_UNAVAILABLE = 1722;

/** Whether a lpSystemName argument names this computer (NULL, empty, NAME or \\\\NAME). */
function isLocalSystem(ctx: ApiContext, cs: Charset, p: number): boolean {
  const s = p === 0 ? '' : readString(ctx, p, cs).replace(/^\\\\/, '');
  return s === '' || s.toUpperCase() === ctx.process.token.computerName.toUpperCase();
}

/**
 * The user's own SID, the machine's "None" group and the well-known SIDs resolve; others give
 * ERROR_NONE_MAPPED. On success the sizes are the lengths without the NUL; when either buffer
 * is too small both receive the sizes needed with it. A NULL buffer that is big enough "by
 * size" is skipped, as Windows does.
 */
function lookupAccountSid(ctx: ApiContext, cs: Charset, system: number, sid: number, name: number, cchName: number, domain: number, cchDomain: number, use: number): number {
  return guardBool(ctx, () => {
    if (!isLocalSystem(ctx, cs, system)) return fail(ctx, RPC_S_SERVER_UNAVAILABLE);
    const s = readSid(ctx, sid);
    if (!s) return fail(ctx, ERROR_INVALID_SID);
    if (cchName === 0 || cchDomain === 0) return fail(ctx, ERROR_INVALID_PARAMETER);
    const acct = ctx.process.token.account(s);
    if (!acct) return fail(ctx, ERROR_NONE_MAPPED);
    const n = encodeString(ctx, acct.name, cs);
    const d = encodeString(ctx, acct.domain, cs);
    const nn = units(n, cs);
    const dn = units(d, cs);
    if (ctx.mem.u32(cchName) <= nn || ctx.mem.u32(cchDomain) <= dn) {
      ctx.mem.setU32(cchName, nn + 1);
      ctx.mem.setU32(cchDomain, dn + 1);
      return fail(ctx, ERROR_INSUFFICIENT_BUFFER);
    }
    if (name !== 0) writeWithNul(ctx, name, n, cs);
    if (domain !== 0) writeWithNul(ctx, domain, d, cs);
    ctx.mem.setU32(cchName, nn);
    ctx.mem.setU32(cchDomain, dn);
    if (use !== 0) ctx.mem.setU32(use, acct.use);
    return 1;
  });
}

export const LookupAccountSidA = (ctx: ApiContext, sys: number, sid: number, name: number, cchName: number, domain: number, cchDomain: number, use: number): number =>
  lookupAccountSid(ctx, 'A', sys, sid, name, cchName, domain, cchDomain, use);
export const LookupAccountSidW = (ctx: ApiContext, sys: number, sid: number, name: number, cchName: number, domain: number, cchDomain: number, use: number): number =>
  lookupAccountSid(ctx, 'W', sys, sid, name, cchName, domain, cchDomain, use);
