/**
 * Reading security descriptors (securitybaseapi.h): IsValidSecurityDescriptor,
 * GetSecurityDescriptorLength/Control/Owner/Group/Dacl, for both forms: absolute (x64: the
 * header with four pointers, 40 bytes) and self-relative (offsets from the descriptor's start,
 * 20 bytes; SE_SELF_RELATIVE in Control).
 */
import type { ApiContext } from '../types.js';
import { fail, guardBool } from './common.js';

export const SE_OWNER_DEFAULTED = 0x1;
export const SE_GROUP_DEFAULTED = 0x2;
export const SE_DACL_PRESENT = 0x4;
export const SE_DACL_DEFAULTED = 0x8;
export const SE_SACL_PRESENT = 0x10;
export const SE_SELF_RELATIVE = 0x8000;
export const SECURITY_DESCRIPTOR_REVISION = 1;
export const ERROR_INVALID_SECURITY_DESCR = 1338;

type Part = 'owner' | 'group' | 'sacl' | 'dacl';
const SELF_RELATIVE_FIELD: Record<Part, number> = { owner: 4, group: 8, sacl: 12, dacl: 16 };
const ABSOLUTE_FIELD: Record<Part, number> = { owner: 8, group: 16, sacl: 24, dacl: 32 };

/** The address of a part of the descriptor at `sd` (0: none). */
export function sdPart(ctx: ApiContext, sd: number, part: Part): number {
  if (ctx.mem.u16(sd + 2) & SE_SELF_RELATIVE) {
    const off = ctx.mem.u32(sd + SELF_RELATIVE_FIELD[part]);
    return off === 0 ? 0 : sd + off;
  }
  return ctx.mem.ptr(sd + ABSOLUTE_FIELD[part]);
}

export function IsValidSecurityDescriptor(ctx: ApiContext, sd: number): number {
  return guardBool(ctx, () => (sd !== 0 && ctx.mem.u8(sd) === SECURITY_DESCRIPTOR_REVISION ? 1 : fail(ctx, ERROR_INVALID_SECURITY_DESCR)));
}

const sidLength = (ctx: ApiContext, p: number): number => (p === 0 ? 0 : 8 + 4 * ctx.mem.u8(p + 1));
const aclLength = (ctx: ApiContext, p: number): number => (p === 0 ? 0 : ctx.mem.u16(p + 2));
const align4 = (n: number): number => (n + 3) & ~3;

/** The header plus each part present, each rounded up to 4 bytes (what a self-relative copy
 *  of the descriptor needs). */
export function GetSecurityDescriptorLength(ctx: ApiContext, sd: number): number {
  const control = ctx.mem.u16(sd + 2);
  let n = control & SE_SELF_RELATIVE ? 20 : 40;
  n += align4(sidLength(ctx, sdPart(ctx, sd, 'owner'))) + align4(sidLength(ctx, sdPart(ctx, sd, 'group')));
  if (control & SE_SACL_PRESENT) n += align4(aclLength(ctx, sdPart(ctx, sd, 'sacl')));
  if (control & SE_DACL_PRESENT) n += align4(aclLength(ctx, sdPart(ctx, sd, 'dacl')));
  return n;
}

export function GetSecurityDescriptorControl(ctx: ApiContext, sd: number, control: number, revision: number): number {
  return guardBool(ctx, () => {
    ctx.mem.setU16(control, ctx.mem.u16(sd + 2));
    ctx.mem.setU32(revision, ctx.mem.u8(sd));
    return 1;
  });
}

function sidPart(ctx: ApiContext, sd: number, part: 'owner' | 'group', out: number, defaulted: number, flag: number): number {
  return guardBool(ctx, () => {
    ctx.mem.setU64(out, sdPart(ctx, sd, part));
    ctx.mem.setU32(defaulted, ctx.mem.u16(sd + 2) & flag ? 1 : 0);
    return 1;
  });
}

export const GetSecurityDescriptorOwner = (ctx: ApiContext, sd: number, owner: number, defaulted: number): number => sidPart(ctx, sd, 'owner', owner, defaulted, SE_OWNER_DEFAULTED);
export const GetSecurityDescriptorGroup = (ctx: ApiContext, sd: number, group: number, defaulted: number): number => sidPart(ctx, sd, 'group', group, defaulted, SE_GROUP_DEFAULTED);

/** *present says whether there is a DACL; only then are *dacl and *defaulted written. */
export function GetSecurityDescriptorDacl(ctx: ApiContext, sd: number, present: number, dacl: number, defaulted: number): number {
  return guardBool(ctx, () => {
    const control = ctx.mem.u16(sd + 2);
    ctx.mem.setU32(present, control & SE_DACL_PRESENT ? 1 : 0);
    if (control & SE_DACL_PRESENT) {
      ctx.mem.setU64(dacl, sdPart(ctx, sd, 'dacl'));
      ctx.mem.setU32(defaulted, control & SE_DACL_DEFAULTED ? 1 : 0);
    }
    return 1;
  });
}
