/**
 * UCRT start-up and its variables (corecrt_startup.h, stdlib.h): argv and the environment are
 * built by _configure_*_argv / _initialize_*_environment and reached through the __p__*
 * functions; all of it lives in the CRT data block in guest memory.
 */
import { splitCommandLine } from '../../loader/commandline.js';
import type { ApiContext } from '../types.js';
import { CRT, crt, stringVariable } from '../msvcrt/crtdata.js';
import { environmentStrings, narrowStringArray, wideStringArray } from '../msvcrt/startup.js';
import { zoneVariables } from '../msvcrt/time.js';

const argvOf = (ctx: ApiContext): string[] => splitCommandLine(ctx.process.commandLineW, 'ucrt');

/** _configure_narrow_argv(mode): builds __argc/__argv (wildcard expansion is not done). */
export function _configure_narrow_argv(ctx: ApiContext): number {
  const argv = argvOf(ctx);
  ctx.mem.setU32(crt(ctx, CRT.Argc), argv.length);
  ctx.mem.setU64(crt(ctx, CRT.Argv), narrowStringArray(ctx, argv));
  return 0;
}

export function _configure_wide_argv(ctx: ApiContext): number {
  const argv = argvOf(ctx);
  ctx.mem.setU32(crt(ctx, CRT.Argc), argv.length);
  ctx.mem.setU64(crt(ctx, CRT.Wargv), wideStringArray(ctx, argv));
  return 0;
}

export function _initialize_narrow_environment(ctx: ApiContext): number {
  ctx.mem.setU64(crt(ctx, CRT.Environ), narrowStringArray(ctx, environmentStrings(ctx)));
  return 0;
}

export function _initialize_wide_environment(ctx: ApiContext): number {
  ctx.mem.setU64(crt(ctx, CRT.Wenviron), wideStringArray(ctx, environmentStrings(ctx)));
  return 0;
}

export const __p___argc = (ctx: ApiContext): number => crt(ctx, CRT.Argc);
export const __p___argv = (ctx: ApiContext): number => crt(ctx, CRT.Argv);
export const __p__fmode = (ctx: ApiContext): number => crt(ctx, CRT.Fmode);
export const __p__commode = (ctx: ApiContext): number => crt(ctx, CRT.Commode);

export function __p___wargv(ctx: ApiContext): number {
  const at = crt(ctx, CRT.Wargv);
  if (ctx.mem.ptr(at) === 0) ctx.mem.setU64(at, wideStringArray(ctx, argvOf(ctx)));
  return at;
}

export function __p__environ(ctx: ApiContext): number {
  const at = crt(ctx, CRT.Environ);
  if (ctx.mem.ptr(at) === 0) _initialize_narrow_environment(ctx);
  return at;
}

export function __p__wenviron(ctx: ApiContext): number {
  const at = crt(ctx, CRT.Wenviron);
  if (ctx.mem.ptr(at) === 0) _initialize_wide_environment(ctx);
  return at;
}

export const __p__acmdln = (ctx: ApiContext): number => stringVariable(ctx, CRT.Acmdln, () => ctx.process.commandLineW, false);
export const __p__wcmdln = (ctx: ApiContext): number => stringVariable(ctx, CRT.Wcmdln, () => ctx.process.commandLineW, true);

export function _set_invalid_parameter_handler(ctx: ApiContext, handler: number): number {
  const at = crt(ctx, CRT.InvalidParameterHandler);
  const old = ctx.mem.ptr(at);
  ctx.mem.setU64(at, handler);
  return old;
}

export function _get_invalid_parameter_handler(ctx: ApiContext): number {
  return ctx.mem.ptr(crt(ctx, CRT.InvalidParameterHandler));
}

export function _set_new_mode(ctx: ApiContext, mode: number): number {
  const at = crt(ctx, CRT.NewMode);
  const old = ctx.mem.i32(at);
  ctx.mem.setU32(at, mode);
  return old;
}

/** _tzset: the zone (TZ, else the host's) into _timezone, _daylight and _tzname. */
export function _tzset(ctx: ApiContext): void {
  const m = ctx.mem;
  const z = zoneVariables(ctx);
  m.setU32(crt(ctx, CRT.Daylight), z.daylight ? 1 : 0);
  m.setU32(crt(ctx, CRT.Timezone), z.west >>> 0);
  const names = crt(ctx, CRT.TznameStrings);
  m.writeCString(names, new TextEncoder().encode(z.names[0].slice(0, 7)));
  m.writeCString(names + 8, new TextEncoder().encode(z.names[1].slice(0, 7)));
  m.setU64(crt(ctx, CRT.Tzname), names);
  m.setU64(crt(ctx, CRT.Tzname) + 8, names + 8);
}

export const __daylight = (ctx: ApiContext): number => crt(ctx, CRT.Daylight);
export const __timezone = (ctx: ApiContext): number => crt(ctx, CRT.Timezone);
export function __tzname(ctx: ApiContext): number {
  if (ctx.mem.ptr(crt(ctx, CRT.Tzname)) === 0) _tzset(ctx);
  return crt(ctx, CRT.Tzname);
}
