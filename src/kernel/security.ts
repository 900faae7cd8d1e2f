/**
 * Security identifiers and the process's access token (winnt.h), for a normal, non-elevated
 * local user: the user's SID, the groups Windows 10 gives an interactive standard user, the
 * medium integrity level, and the five privileges such a user holds (only
 * SeChangeNotifyPrivilege enabled). The machine part of the SID comes from a hash of the
 * prefix path, so a prefix keeps its SID and different prefixes look like different machines.
 */

export interface Sid {
  /** IdentifierAuthority, a 48-bit number. */
  readonly authority: number;
  readonly subs: readonly number[];
}

export const SID_MAX_SUB_AUTHORITIES = 15;

export function sidString(s: Sid): string {
  const auth = s.authority < 2 ** 32 ? String(s.authority) : '0x' + s.authority.toString(16).toUpperCase().padStart(12, '0');
  return ['S-1', auth, ...s.subs.map((x) => String(x >>> 0))].join('-');
}

export function sidLength(subCount: number): number {
  return 8 + 4 * subCount;
}

/** The binary SID (revision 1, big-endian authority, little-endian sub-authorities). */
export function sidBytes(s: Sid): Uint8Array {
  const b = new Uint8Array(sidLength(s.subs.length));
  const dv = new DataView(b.buffer);
  b[0] = 1;
  b[1] = s.subs.length;
  dv.setUint16(2, Math.floor(s.authority / 2 ** 32), false);
  dv.setUint32(4, s.authority % 2 ** 32, false);
  s.subs.forEach((x, i) => dv.setUint32(8 + 4 * i, x >>> 0, true));
  return b;
}

export function sidEquals(a: Sid, b: Sid): boolean {
  return a.authority === b.authority && a.subs.length === b.subs.length && a.subs.every((x, i) => x === b.subs[i]);
}

const sid = (authority: number, ...subs: number[]): Sid => ({ authority, subs });

export const WORLD = sid(1, 0);
export const LOCAL = sid(2, 0);
export const CONSOLE_LOGON = sid(2, 1);
export const INTERACTIVE = sid(5, 4);
export const AUTHENTICATED_USERS = sid(5, 11);
export const THIS_ORGANIZATION = sid(5, 15);
export const LOCAL_SYSTEM = sid(5, 18);
export const BUILTIN_ADMINISTRATORS = sid(5, 32, 544);
export const BUILTIN_USERS = sid(5, 32, 545);
export const MEDIUM_INTEGRITY = sid(16, 8192);

/** SDDL's two-letter SID names (sddl.h), those that do not depend on a domain. */
const SDDL_ALIASES: Readonly<Record<string, Sid>> = {
  AN: sid(5, 7),
  AU: AUTHENTICATED_USERS,
  BA: BUILTIN_ADMINISTRATORS,
  BG: sid(5, 32, 546),
  BO: sid(5, 32, 551),
  BU: BUILTIN_USERS,
  CG: sid(3, 1),
  CO: sid(3, 0),
  HI: sid(16, 12288),
  IU: INTERACTIVE,
  LS: sid(5, 19),
  LW: sid(16, 4096),
  ME: MEDIUM_INTEGRITY,
  NS: sid(5, 20),
  NU: sid(5, 2),
  OW: sid(3, 4),
  PS: sid(5, 10),
  PU: sid(5, 32, 547),
  RC: sid(5, 12),
  SI: sid(16, 16384),
  SU: sid(5, 6),
  SY: LOCAL_SYSTEM,
  WD: WORLD,
};

/** "S-1-5-32-544" (or an SDDL alias like "BA") → a SID; undefined when malformed. */
export function parseSidString(text: string, machine: readonly number[]): Sid | undefined {
  const alias = SDDL_ALIASES[text];
  if (alias) return alias;
  if (text === 'LA') return sid(5, 21, ...machine, 500);
  if (text === 'LG') return sid(5, 21, ...machine, 501);
  const m = /^S-1-(0x[0-9a-fA-F]{12}|\d+)((?:-\d+)*)$/.exec(text);
  if (!m) return undefined;
  const authority = Number(m[1]);
  if (!Number.isSafeInteger(authority) || authority >= 2 ** 48) return undefined;
  const subs = m[2] === '' ? [] : m[2]!.slice(1).split('-').map(Number);
  if (subs.length > SID_MAX_SUB_AUTHORITIES || subs.some((x) => x > 0xffffffff)) return undefined;
  return { authority, subs };
}

/** Three sub-authorities for the machine SID, from a stable text (the prefix path). */
export function machineSubAuthorities(seed: string): number[] {
  return [0x811c9dc5, 0x01000193, 0x2a2a2a2a].map((salt) => {
    let h = salt >>> 0;
    for (let i = 0; i < seed.length; i++) {
      h ^= seed.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return (h | 0x10000000) >>> 0; // the size real machine SIDs' random parts have
  });
}

// ---- accounts --------------------------------------------------------------------------------------

export const SidTypeUser = 1;
export const SidTypeGroup = 2;
export const SidTypeAlias = 4;
export const SidTypeWellKnownGroup = 5;
export const SidTypeLabel = 10;
export const SidTypeLogonSession = 11;

export interface Account {
  readonly name: string;
  readonly domain: string;
  readonly use: number;
}

const WELL_KNOWN: readonly [Sid, Account][] = [
  [WORLD, { name: 'Everyone', domain: '', use: SidTypeWellKnownGroup }],
  [LOCAL, { name: 'LOCAL', domain: '', use: SidTypeWellKnownGroup }],
  [CONSOLE_LOGON, { name: 'CONSOLE LOGON', domain: '', use: SidTypeWellKnownGroup }],
  [sid(3, 0), { name: 'CREATOR OWNER', domain: '', use: SidTypeWellKnownGroup }],
  [INTERACTIVE, { name: 'INTERACTIVE', domain: 'NT AUTHORITY', use: SidTypeWellKnownGroup }],
  [AUTHENTICATED_USERS, { name: 'Authenticated Users', domain: 'NT AUTHORITY', use: SidTypeWellKnownGroup }],
  [THIS_ORGANIZATION, { name: 'This Organization', domain: 'NT AUTHORITY', use: SidTypeWellKnownGroup }],
  [LOCAL_SYSTEM, { name: 'SYSTEM', domain: 'NT AUTHORITY', use: SidTypeWellKnownGroup }],
  [sid(5, 19), { name: 'LOCAL SERVICE', domain: 'NT AUTHORITY', use: SidTypeWellKnownGroup }],
  [sid(5, 20), { name: 'NETWORK SERVICE', domain: 'NT AUTHORITY', use: SidTypeWellKnownGroup }],
  [BUILTIN_ADMINISTRATORS, { name: 'Administrators', domain: 'BUILTIN', use: SidTypeAlias }],
  [BUILTIN_USERS, { name: 'Users', domain: 'BUILTIN', use: SidTypeAlias }],
  [sid(5, 32, 546), { name: 'Guests', domain: 'BUILTIN', use: SidTypeAlias }],
  [sid(16, 4096), { name: 'Low Mandatory Level', domain: 'Mandatory Label', use: SidTypeLabel }],
  [MEDIUM_INTEGRITY, { name: 'Medium Mandatory Level', domain: 'Mandatory Label', use: SidTypeLabel }],
  [sid(16, 12288), { name: 'High Mandatory Level', domain: 'Mandatory Label', use: SidTypeLabel }],
  [sid(16, 16384), { name: 'System Mandatory Level', domain: 'Mandatory Label', use: SidTypeLabel }],
];

// ---- privileges --------------------------------------------------------------------------------------

/** Privilege names by LUID (winnt.h SE_*_PRIVILEGE numbering, 2…36). */
export const PRIVILEGE_NAMES: readonly string[] = [
  '',
  '',
  'SeCreateTokenPrivilege',
  'SeAssignPrimaryTokenPrivilege',
  'SeLockMemoryPrivilege',
  'SeIncreaseQuotaPrivilege',
  'SeMachineAccountPrivilege',
  'SeTcbPrivilege',
  'SeSecurityPrivilege',
  'SeTakeOwnershipPrivilege',
  'SeLoadDriverPrivilege',
  'SeSystemProfilePrivilege',
  'SeSystemtimePrivilege',
  'SeProfileSingleProcessPrivilege',
  'SeIncreaseBasePriorityPrivilege',
  'SeCreatePagefilePrivilege',
  'SeCreatePermanentPrivilege',
  'SeBackupPrivilege',
  'SeRestorePrivilege',
  'SeShutdownPrivilege',
  'SeDebugPrivilege',
  'SeAuditPrivilege',
  'SeSystemEnvironmentPrivilege',
  'SeChangeNotifyPrivilege',
  'SeRemoteShutdownPrivilege',
  'SeUndockPrivilege',
  'SeSyncAgentPrivilege',
  'SeEnableDelegationPrivilege',
  'SeManageVolumePrivilege',
  'SeImpersonatePrivilege',
  'SeCreateGlobalPrivilege',
  'SeTrustedCredManAccessPrivilege',
  'SeRelabelPrivilege',
  'SeIncreaseWorkingSetPrivilege',
  'SeTimeZonePrivilege',
  'SeCreateSymbolicLinkPrivilege',
  'SeDelegateSessionUserImpersonatePrivilege',
];

export function privilegeLuid(name: string): number | undefined {
  const n = name.toLowerCase();
  const i = PRIVILEGE_NAMES.findIndex((p) => p !== '' && p.toLowerCase() === n);
  return i < 0 ? undefined : i;
}

export const SE_PRIVILEGE_ENABLED_BY_DEFAULT = 1;
export const SE_PRIVILEGE_ENABLED = 2;
export const SE_PRIVILEGE_REMOVED = 4;

export const SE_GROUP_MANDATORY = 1;
export const SE_GROUP_ENABLED_BY_DEFAULT = 2;
export const SE_GROUP_ENABLED = 4;
export const SE_GROUP_INTEGRITY = 0x20;
export const SE_GROUP_INTEGRITY_ENABLED = 0x40;
export const SE_GROUP_LOGON_ID = 0xc0000000;

export interface Group {
  readonly sid: Sid;
  readonly attributes: number;
}

export interface Privilege {
  readonly luid: number;
  attributes: number;
}

const GROUP_ON = SE_GROUP_MANDATORY | SE_GROUP_ENABLED_BY_DEFAULT | SE_GROUP_ENABLED;

/** The process's primary token. Privilege states change through AdjustTokenPrivileges. */
export class ProcessToken {
  readonly user: Sid;
  readonly primaryGroup: Sid;
  readonly logonSid: Sid;
  readonly groups: readonly Group[];
  readonly privileges: Privilege[];
  /** LUIDs of the token, its logon session and its last modification. */
  readonly tokenId = 0x3f2a1n;
  readonly authenticationId = 0x1c0f3n;
  modifiedId = 0x3f2a2n;
  readonly sessionId = 1;

  constructor(
    readonly userName: string,
    readonly computerName: string,
    readonly machine: readonly number[],
  ) {
    this.user = sid(5, 21, ...machine, 1000);
    this.primaryGroup = sid(5, 21, ...machine, 513);
    this.logonSid = sid(5, 5, 0, Number(this.authenticationId));
    this.groups = [
      { sid: this.primaryGroup, attributes: GROUP_ON },
      { sid: WORLD, attributes: GROUP_ON },
      { sid: BUILTIN_USERS, attributes: GROUP_ON },
      { sid: INTERACTIVE, attributes: GROUP_ON },
      { sid: CONSOLE_LOGON, attributes: GROUP_ON },
      { sid: AUTHENTICATED_USERS, attributes: GROUP_ON },
      { sid: THIS_ORGANIZATION, attributes: GROUP_ON },
      { sid: this.logonSid, attributes: (GROUP_ON | SE_GROUP_LOGON_ID) >>> 0 },
      { sid: LOCAL, attributes: GROUP_ON },
      { sid: MEDIUM_INTEGRITY, attributes: SE_GROUP_INTEGRITY | SE_GROUP_INTEGRITY_ENABLED },
    ];
    this.privileges = [
      { luid: 19, attributes: 0 }, // SeShutdownPrivilege
      { luid: 23, attributes: SE_PRIVILEGE_ENABLED_BY_DEFAULT | SE_PRIVILEGE_ENABLED }, // SeChangeNotifyPrivilege
      { luid: 25, attributes: 0 }, // SeUndockPrivilege
      { luid: 33, attributes: 0 }, // SeIncreaseWorkingSetPrivilege
      { luid: 34, attributes: 0 }, // SeTimeZonePrivilege
    ];
  }

  /** Whether the SID is the user or an enabled group (CheckTokenMembership). */
  isMember(s: Sid): boolean {
    if (sidEquals(s, this.user)) return true;
    return this.groups.some((g) => sidEquals(g.sid, s) && (g.attributes & SE_GROUP_ENABLED) !== 0 && (g.attributes & SE_GROUP_INTEGRITY) === 0);
  }

  /** The account a SID names, as LookupAccountSid gives it. */
  account(s: Sid): Account | undefined {
    if (sidEquals(s, this.user)) return { name: this.userName, domain: this.computerName, use: SidTypeUser };
    if (sidEquals(s, this.primaryGroup)) return { name: 'None', domain: this.computerName, use: SidTypeGroup };
    if (s.authority === 5 && s.subs.length === 3 && s.subs[0] === 5) return { name: `LogonSessionId_${s.subs[1]}_${s.subs[2]}`, domain: 'NT AUTHORITY', use: SidTypeLogonSession };
    return WELL_KNOWN.find(([w]) => sidEquals(w, s))?.[1];
  }

  /**
   * AdjustTokenPrivileges: the privileges whose state changes, with their previous attributes,
   * and whether some requested privilege is not held. Nothing changes when `apply` is false.
   */
  adjust(disableAll: boolean, requests: readonly Privilege[], apply: boolean): { previous: Privilege[]; notAllAssigned: boolean } {
    const previous: Privilege[] = [];
    let notAllAssigned = false;
    const set = (p: Privilege, attributes: number): void => {
      if ((p.attributes & SE_PRIVILEGE_ENABLED) === (attributes & SE_PRIVILEGE_ENABLED)) return;
      if (!previous.some((x) => x.luid === p.luid)) previous.push({ luid: p.luid, attributes: p.attributes });
      if (apply) p.attributes = (p.attributes & ~SE_PRIVILEGE_ENABLED) | (attributes & SE_PRIVILEGE_ENABLED);
    };
    if (disableAll) {
      for (const p of this.privileges) set(p, 0);
    } else {
      for (const r of requests) {
        const p = this.privileges.find((x) => x.luid === r.luid);
        if (!p) notAllAssigned = true;
        else if (r.attributes & SE_PRIVILEGE_REMOVED) {
          if (apply) this.privileges.splice(this.privileges.indexOf(p), 1);
          previous.push({ luid: p.luid, attributes: p.attributes });
        } else set(p, r.attributes);
      }
    }
    if (apply && previous.length > 0) this.modifiedId++;
    return { previous, notAllAssigned };
  }
}
