/**
 * File security descriptors (securitybaseapi.h): GetFileSecurityW/A and SetFileSecurityW/A.
 * A file reads as what Windows 10 shows for a file in the user's own folders: owned by the
 * user, primary group "None", and a DACL of inherited ACEs granting full control to SYSTEM,
 * the Administrators and the user (read and execute only when the Unix file is not writable),
 * and read and execute to Users when others may read it. The descriptor is self-relative, in
 * the order Windows builds them (SACL, DACL, owner, group).
 *
 * SetFileSecurity validates the descriptor and the file and changes nothing: Unix has no place
 * for SIDs and ACLs (7-Zip's -sni restores descriptors this way and then reads the file's own
 * back). A SACL needs SeSecurityPrivilege, which a standard user does not hold.
 */
import { BUILTIN_ADMINISTRATORS, BUILTIN_USERS, LOCAL_SYSTEM, sidBytes, type Sid } from '../../kernel/security.js';
import { existing } from '../kernel32/fileapi.js';
import type { Charset } from '../kernel32/pathstr.js';
import type { ApiContext } from '../types.js';
import { ERROR_INSUFFICIENT_BUFFER, ERROR_INVALID_PARAMETER, fail, guardBool } from './common.js';
import { ERROR_INVALID_SECURITY_DESCR, sdPart, SE_DACL_PRESENT, SE_SACL_PRESENT, SE_SELF_RELATIVE, SECURITY_DESCRIPTOR_REVISION } from './secdesc.js';
import { acl } from './securitybaseapi.js';
import { readSid } from './sid.js';

const OWNER_SECURITY_INFORMATION = 0x1;
const GROUP_SECURITY_INFORMATION = 0x2;
const DACL_SECURITY_INFORMATION = 0x4;
const SACL_SECURITY_INFORMATION = 0x8;
const LABEL_SECURITY_INFORMATION = 0x10;

const SE_DACL_AUTO_INHERITED = 0x400;
const SD_HEADER = 20;

const INHERITED_ACE = 0x10;
const FILE_ALL_ACCESS = 0x1f01ff;
const FILE_READ_EXECUTE = 0x1200a9;

const ERROR_PRIVILEGE_NOT_HELD = 1314;

/** The self-relative descriptor of a file with Unix mode `mode`, holding the parts asked for. */
export function fileSecurityDescriptor(user: Sid, group: Sid, mode: number, info: number): Uint8Array {
  // [offset field in the header, bytes], in the order they follow the header.
  const parts: [number, Uint8Array][] = [];
  let control = SE_SELF_RELATIVE;
  if (info & DACL_SECURITY_INFORMATION) {
    control |= SE_DACL_PRESENT | SE_DACL_AUTO_INHERITED;
    const aces: [Sid, number, number][] = [
      [LOCAL_SYSTEM, FILE_ALL_ACCESS, INHERITED_ACE],
      [BUILTIN_ADMINISTRATORS, FILE_ALL_ACCESS, INHERITED_ACE],
      [user, mode & 0o200 ? FILE_ALL_ACCESS : FILE_READ_EXECUTE, INHERITED_ACE],
    ];
    if (mode & 0o004) aces.push([BUILTIN_USERS, FILE_READ_EXECUTE, INHERITED_ACE]);
    parts.push([16, acl(aces)]);
  }
  if (info & OWNER_SECURITY_INFORMATION) parts.push([4, sidBytes(user)]);
  if (info & GROUP_SECURITY_INFORMATION) parts.push([8, sidBytes(group)]);
  const out = new Uint8Array(parts.reduce((n, [, b]) => n + b.length, SD_HEADER));
  const dv = new DataView(out.buffer);
  out[0] = SECURITY_DESCRIPTOR_REVISION;
  dv.setUint16(2, control, true);
  let off = SD_HEADER;
  for (const [field, bytes] of parts) {
    dv.setUint32(field, off, true);
    out.set(bytes, off);
    off += bytes.length;
  }
  return out;
}

function getFileSecurity(ctx: ApiContext, cs: Charset, name: number, info: number, sd: number, len: number, needed: number): number {
  return guardBool(ctx, () => {
    if (info & SACL_SECURITY_INFORMATION) return fail(ctx, ERROR_PRIVILEGE_NOT_HELD);
    const f = existing(ctx, cs, name);
    if (!f) return 0;
    const t = ctx.process.token;
    // The mandatory label of an ordinary file is implicit: an empty SACL part.
    const bytes = fileSecurityDescriptor(t.user, t.primaryGroup, f.st.mode, info & ~LABEL_SECURITY_INFORMATION);
    if (needed === 0) return fail(ctx, ERROR_INVALID_PARAMETER);
    ctx.mem.setU32(needed, bytes.length);
    if (len < bytes.length) return fail(ctx, ERROR_INSUFFICIENT_BUFFER);
    ctx.mem.write(sd, bytes);
    return 1;
  });
}

export const GetFileSecurityW = (ctx: ApiContext, name: number, info: number, sd: number, len: number, needed: number): number => getFileSecurity(ctx, 'W', name, info, sd, len, needed);
export const GetFileSecurityA = (ctx: ApiContext, name: number, info: number, sd: number, len: number, needed: number): number => getFileSecurity(ctx, 'A', name, info, sd, len, needed);

/** Whether the descriptor's owner or group, when there is one, is a well-formed SID. */
function validSid(ctx: ApiContext, sd: number, part: 'owner' | 'group'): boolean {
  const p = sdPart(ctx, sd, part);
  return p === 0 || readSid(ctx, p) !== undefined;
}

function setFileSecurity(ctx: ApiContext, cs: Charset, name: number, info: number, sd: number): number {
  return guardBool(ctx, () => {
    if (sd === 0) return fail(ctx, ERROR_INVALID_SECURITY_DESCR);
    if (ctx.mem.u8(sd) !== SECURITY_DESCRIPTOR_REVISION) return fail(ctx, ERROR_INVALID_SECURITY_DESCR);
    const control = ctx.mem.u16(sd + 2);
    if ((info & OWNER_SECURITY_INFORMATION && !validSid(ctx, sd, 'owner')) || (info & GROUP_SECURITY_INFORMATION && !validSid(ctx, sd, 'group'))) {
      return fail(ctx, ERROR_INVALID_SECURITY_DESCR);
    }
    if (info & SACL_SECURITY_INFORMATION && control & SE_SACL_PRESENT) return fail(ctx, ERROR_PRIVILEGE_NOT_HELD);
    const f = existing(ctx, cs, name);
    if (!f) return 0;
    return 1;
  });
}

export const SetFileSecurityW = (ctx: ApiContext, name: number, info: number, sd: number): number => setFileSecurity(ctx, 'W', name, info, sd);
export const SetFileSecurityA = (ctx: ApiContext, name: number, info: number, sd: number): number => setFileSecurity(ctx, 'A', name, info, sd);
