/**
 * Handle information (handleapi.h): GetHandleInformation and SetHandleInformation, i.e.
 * HANDLE_FLAG_INHERIT (whether CreateProcess with bInheritHandles passes the handle on) and
 * HANDLE_FLAG_PROTECT_FROM_CLOSE (CloseHandle refuses it). Both live in the handle's slot flags.
 */
import { HANDLE_INHERIT, HANDLE_PROTECT } from '../../kernel/handles.js';
import type { ApiContext } from '../types.js';
import { ERROR_INVALID_HANDLE, ERROR_NOACCESS } from './errors.js';

export const HANDLE_FLAG_INHERIT = 1;
export const HANDLE_FLAG_PROTECT_FROM_CLOSE = 2;

function fail(ctx: ApiContext, code: number): number {
  ctx.setLastError(code);
  return 0;
}

/** The SECURITY_ATTRIBUTES' bInheritHandle (offset 16), as a handle slot flag. */
export function inheritFlag(ctx: ApiContext, sa: number): number {
  if (sa === 0 || !ctx.mem.accessible(sa + 16, 4, 'read')) return 0;
  return ctx.mem.u32(sa + 16) !== 0 ? HANDLE_INHERIT : 0;
}

export function GetHandleInformation(ctx: ApiContext, h: number, flagsOut: number): number {
  const o = ctx.process.handles.lookup(h);
  if (!o) return fail(ctx, ERROR_INVALID_HANDLE);
  if (!ctx.mem.accessible(flagsOut, 4, 'write')) return fail(ctx, ERROR_NOACCESS);
  ctx.mem.setU32(flagsOut, (o.flags & HANDLE_INHERIT ? HANDLE_FLAG_INHERIT : 0) | (o.flags & HANDLE_PROTECT ? HANDLE_FLAG_PROTECT_FROM_CLOSE : 0));
  return 1;
}

export function SetHandleInformation(ctx: ApiContext, h: number, mask: number, flags: number): number {
  const m = (mask & HANDLE_FLAG_INHERIT ? HANDLE_INHERIT : 0) | (mask & HANDLE_FLAG_PROTECT_FROM_CLOSE ? HANDLE_PROTECT : 0);
  const f = (flags & HANDLE_FLAG_INHERIT ? HANDLE_INHERIT : 0) | (flags & HANDLE_FLAG_PROTECT_FROM_CLOSE ? HANDLE_PROTECT : 0);
  if (!ctx.process.handles.updateFlags(h, f & m, m & ~f)) return fail(ctx, ERROR_INVALID_HANDLE);
  return 1;
}
