/**
 * Access token queries and changes (securitybaseapi.h): GetTokenInformation for the classes
 * programs ask at start-up, AdjustTokenPrivileges, CheckTokenMembership. The token is the one
 * kernel/security.ts describes: a standard user, not elevated, medium integrity.
 */
import { LOCAL_SYSTEM, MEDIUM_INTEGRITY, type Privilege, type Sid, sidBytes, SE_GROUP_INTEGRITY, SE_GROUP_INTEGRITY_ENABLED } from '../../kernel/security.js';
import type { ApiContext } from '../types.js';
import { ERROR_ACCESS_DENIED, ERROR_INSUFFICIENT_BUFFER, ERROR_INVALID_PARAMETER, ERROR_NOT_ALL_ASSIGNED, ERROR_SUCCESS, fail, guardBool } from './common.js';
import { TOKEN_ADJUST_PRIVILEGES, TOKEN_QUERY, TOKEN_QUERY_SOURCE, tokenHandleAccess } from './processthreadsapi.js';
import { readSid } from './sid.js';

const ERROR_NO_SUCH_LOGON_SESSION = 1312;
const ERROR_NO_IMPERSONATION_TOKEN = 1309;

const TokenUser = 1;
const TokenGroups = 2;
const TokenPrivileges = 3;
const TokenOwner = 4;
const TokenPrimaryGroup = 5;
const TokenDefaultDacl = 6;
const TokenSource = 7;
const TokenType = 8;
const TokenStatistics = 10;
const TokenSessionId = 12;
const TokenSandBoxInert = 15;
const TokenOrigin = 17;
const TokenElevationType = 18;
const TokenLinkedToken = 19;
const TokenElevation = 20;
const TokenHasRestrictions = 21;
const TokenVirtualizationAllowed = 23;
const TokenVirtualizationEnabled = 24;
const TokenIntegrityLevel = 25;
const TokenUIAccess = 26;
const TokenMandatoryPolicy = 27;
const TokenLogonSid = 28;
const TokenIsAppContainer = 29;
const TokenAppContainerSid = 31;
const TokenAppContainerNumber = 32;
const TokenIsRestricted = 40;

const TokenPrimary = 1;
const TokenElevationTypeDefault = 1;
const TOKEN_MANDATORY_POLICY_VALID_MASK = 3; // NO_WRITE_UP | NEW_PROCESS_MIN
const SYSTEM_LUID = 0x3e7n;

/**
 * A token information block: a fixed part, then the SIDs (or an ACL) it points to. `fill`
 * writes the fixed part given the guest address of the block and of each SID.
 */
interface Block {
  fixed: number;
  sids: readonly Sid[];
  tail?: Uint8Array;
  fill(dv: DataView, base: number, sidAt: readonly number[], tailAt: number): void;
}

const dword = (n: number): Block => ({ fixed: 4, sids: [], fill: (dv) => dv.setUint32(0, n, true) });

/** SID_AND_ATTRIBUTES[] (16 bytes each on x64) at `off`. */
function sidAndAttributes(dv: DataView, off: number, sidAt: readonly number[], attrs: readonly number[]): void {
  attrs.forEach((a, i) => {
    dv.setBigUint64(off + 16 * i, BigInt(sidAt[i]!), true);
    dv.setUint32(off + 16 * i + 8, a >>> 0, true);
  });
}

function groupsBlock(groups: readonly { sid: Sid; attributes: number }[]): Block {
  return {
    fixed: 8 + 16 * groups.length,
    sids: groups.map((g) => g.sid),
    fill: (dv, _b, sidAt) => {
      dv.setUint32(0, groups.length, true);
      sidAndAttributes(dv, 8, sidAt, groups.map((g) => g.attributes));
    },
  };
}

/** A DACL of ACCESS_ALLOWED_ACEs (winnt.h ACL, ACE_HEADER): SID, access mask, ACE flags. */
export function acl(aces: readonly (readonly [Sid, number, number?])[]): Uint8Array {
  const bodies = aces.map(([s, mask, flags]) => {
    const sb = sidBytes(s);
    const b = new Uint8Array(8 + sb.length);
    const dv = new DataView(b.buffer);
    b[1] = flags ?? 0;
    dv.setUint16(2, b.length, true);
    dv.setUint32(4, mask >>> 0, true);
    b.set(sb, 8);
    return b;
  });
  const size = 8 + bodies.reduce((n, b) => n + b.length, 0);
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  out[0] = 2; // ACL_REVISION
  dv.setUint16(2, size, true);
  dv.setUint16(4, aces.length, true);
  let off = 8;
  for (const b of bodies) {
    out.set(b, off);
    off += b.length;
  }
  return out;
}

function tokenBlock(ctx: ApiContext, cls: number): Block | undefined {
  const t = ctx.process.token;
  const onePointer = (s: Sid): Block => ({ fixed: 8, sids: [s], fill: (dv, _b, at) => dv.setBigUint64(0, BigInt(at[0]!), true) });
  switch (cls) {
    case TokenUser:
      return { fixed: 16, sids: [t.user], fill: (dv, _b, at) => sidAndAttributes(dv, 0, at, [0]) };
    case TokenGroups:
      return groupsBlock(t.groups);
    case TokenPrivileges:
      return {
        fixed: 4 + 12 * t.privileges.length,
        sids: [],
        fill: (dv) => {
          dv.setUint32(0, t.privileges.length, true);
          t.privileges.forEach((p, i) => {
            dv.setUint32(4 + 12 * i, p.luid, true);
            dv.setUint32(12 + 12 * i, p.attributes >>> 0, true);
          });
        },
      };
    case TokenOwner:
      return onePointer(t.user);
    case TokenPrimaryGroup:
      return onePointer(t.primaryGroup);
    case TokenDefaultDacl: {
      const dacl = acl([
        [t.user, 0x10000000],
        [LOCAL_SYSTEM, 0x10000000],
        [t.logonSid, 0xa0000000],
      ]);
      return { fixed: 8, sids: [], tail: dacl, fill: (dv, _b, _s, tail) => dv.setBigUint64(0, BigInt(tail), true) };
    }
    case TokenSource:
      return {
        fixed: 16,
        sids: [],
        fill: (dv) => {
          'User32 \0'.split('').forEach((c, i) => dv.setUint8(i, c.charCodeAt(0)));
          dv.setUint32(8, 0x2a1c, true);
        },
      };
    case TokenType:
      return dword(TokenPrimary);
    case TokenStatistics:
      return {
        fixed: 56,
        sids: [],
        fill: (dv) => {
          dv.setBigUint64(0, t.tokenId, true);
          dv.setBigUint64(8, t.authenticationId, true);
          dv.setBigUint64(16, 0x7fffffffffffffffn, true);
          dv.setUint32(24, TokenPrimary, true);
          dv.setUint32(32, 4096, true); // DynamicCharged
          dv.setUint32(36, 3800, true); // DynamicAvailable
          dv.setUint32(40, t.groups.length, true);
          dv.setUint32(44, t.privileges.length, true);
          dv.setBigUint64(48, t.modifiedId, true);
        },
      };
    case TokenSessionId:
      return dword(t.sessionId);
    case TokenOrigin:
      return { fixed: 8, sids: [], fill: (dv) => dv.setBigUint64(0, SYSTEM_LUID, true) };
    case TokenElevationType:
      return dword(TokenElevationTypeDefault);
    case TokenElevation:
      return dword(0);
    case TokenVirtualizationAllowed:
      return dword(1);
    case TokenSandBoxInert:
    case TokenHasRestrictions:
    case TokenVirtualizationEnabled:
    case TokenUIAccess:
    case TokenIsAppContainer:
    case TokenAppContainerNumber:
    case TokenIsRestricted:
      return dword(0);
    case TokenIntegrityLevel:
      return { fixed: 16, sids: [MEDIUM_INTEGRITY], fill: (dv, _b, at) => sidAndAttributes(dv, 0, at, [SE_GROUP_INTEGRITY | SE_GROUP_INTEGRITY_ENABLED]) };
    case TokenMandatoryPolicy:
      return dword(TOKEN_MANDATORY_POLICY_VALID_MASK);
    case TokenLogonSid:
      return groupsBlock(t.groups.filter((g) => g.sid === t.logonSid));
    case TokenAppContainerSid:
      return { fixed: 8, sids: [], fill: () => undefined };
    default:
      return undefined;
  }
}

export function GetTokenInformation(ctx: ApiContext, token: bigint, cls: number, buf: number, len: number, retLen: number): number {
  return guardBool(ctx, () => {
    const h = tokenHandleAccess(ctx, token);
    if ('error' in h) return fail(ctx, h.error);
    if ((h.access & (cls === TokenSource ? TOKEN_QUERY_SOURCE : TOKEN_QUERY)) === 0) return fail(ctx, ERROR_ACCESS_DENIED);
    if (cls === TokenLinkedToken) return fail(ctx, ERROR_NO_SUCH_LOGON_SESSION); // a standard user has no linked token
    const b = tokenBlock(ctx, cls);
    if (!b) {
      ctx.fixme('advapi', 'GetTokenInformation', `information class ${cls} is not supported`);
      return fail(ctx, ERROR_INVALID_PARAMETER);
    }
    const sids = b.sids.map(sidBytes);
    const size = b.fixed + sids.reduce((n, s) => n + s.length, 0) + (b.tail?.length ?? 0);
    if (retLen !== 0) ctx.mem.setU32(retLen, size);
    if (len < size) return fail(ctx, ERROR_INSUFFICIENT_BUFFER);
    const out = new Uint8Array(size);
    const dv = new DataView(out.buffer);
    const sidAt: number[] = [];
    let off = b.fixed;
    for (const s of sids) {
      sidAt.push(buf + off);
      out.set(s, off);
      off += s.length;
    }
    if (b.tail) out.set(b.tail, off);
    b.fill(dv, buf, sidAt, buf + off);
    ctx.mem.write(buf, out);
    return 1;
  });
}

const readPrivileges = (ctx: ApiContext, p: number): Privilege[] => {
  const n = ctx.mem.u32(p);
  const out: Privilege[] = [];
  for (let i = 0; i < n; i++) {
    const lo = ctx.mem.u32(p + 4 + 12 * i);
    const hi = ctx.mem.u32(p + 8 + 12 * i);
    out.push({ luid: hi === 0 ? lo : -1, attributes: ctx.mem.u32(p + 12 + 12 * i) });
  }
  return out;
};

/** TRUE whenever the call was valid; the last error then says ERROR_NOT_ALL_ASSIGNED when
 *  the token lacks one of the privileges, else ERROR_SUCCESS (documented). */
export function AdjustTokenPrivileges(ctx: ApiContext, token: bigint, disableAll: number, newState: number, bufLen: number, prevState: number, retLen: number): number {
  return guardBool(ctx, () => {
    const h = tokenHandleAccess(ctx, token);
    if ('error' in h) return fail(ctx, h.error);
    if ((h.access & TOKEN_ADJUST_PRIVILEGES) === 0 || (prevState !== 0 && (h.access & TOKEN_QUERY) === 0)) return fail(ctx, ERROR_ACCESS_DENIED);
    if (!disableAll && newState === 0) return fail(ctx, ERROR_INVALID_PARAMETER);
    const requests = disableAll ? [] : readPrivileges(ctx, newState);
    const t = ctx.process.token;
    const { previous } = t.adjust(disableAll !== 0, requests, false);
    const needed = 4 + 12 * previous.length;
    if (prevState !== 0) {
      if (retLen === 0) return fail(ctx, ERROR_INVALID_PARAMETER);
      ctx.mem.setU32(retLen, needed);
      if (bufLen < needed) return fail(ctx, ERROR_INSUFFICIENT_BUFFER);
    }
    const r = t.adjust(disableAll !== 0, requests, true);
    if (prevState !== 0) {
      ctx.mem.setU32(prevState, r.previous.length);
      r.previous.forEach((p, i) => {
        ctx.mem.setU32(prevState + 4 + 12 * i, p.luid);
        ctx.mem.setU32(prevState + 8 + 12 * i, 0);
        ctx.mem.setU32(prevState + 12 + 12 * i, p.attributes);
      });
    }
    ctx.setLastError(r.notAllAssigned ? ERROR_NOT_ALL_ASSIGNED : ERROR_SUCCESS);
    return 1;
  });
}

/** With a NULL token, checks the calling thread's (here: the process's) token; a primary
 *  token handle is refused, as documented (it must be an impersonation token). */
export function CheckTokenMembership(ctx: ApiContext, token: bigint, sidPtr: number, isMember: number): number {
  return guardBool(ctx, () => {
    if (token !== 0n) {
      const h = tokenHandleAccess(ctx, token);
      return fail(ctx, 'error' in h ? h.error : ERROR_NO_IMPERSONATION_TOKEN);
    }
    const s = readSid(ctx, sidPtr);
    if (!s || isMember === 0) return fail(ctx, ERROR_INVALID_PARAMETER);
    ctx.mem.setU32(isMember, ctx.process.token.isMember(s) ? 1 : 0);
    return 1;
  });
}
