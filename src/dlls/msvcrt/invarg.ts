/**
 * The CRT's invalid-parameter path (_invalid_parameter, the UCRT's invarg.cpp): a function given
 * a parameter its documentation forbids (a NULL format or buffer) sets errno, calls the handler
 * installed with _set_invalid_parameter_handler, and, if the handler returns, fails with its
 * documented value. Without a handler msvcrt.dll simply fails that way; the UCRT would end the
 * process (fast fail), which winrun does not do yet: it fails the same way as msvcrt.
 */
import type { ApiContext } from '../types.js';
import { CRT, crt } from './crtdata.js';
import { setErrno } from './memory.js';

export const EINVAL = 22;

export function invalidParameter(ctx: ApiContext, errno = EINVAL): void {
  setErrno(ctx, errno);
  const handler = ctx.mem.ptr(crt(ctx, CRT.InvalidParameterHandler));
  // handler(expression, function, file, line, reserved): release CRTs pass NULLs and 0.
  if (handler !== 0) ctx.callGuest(handler, [0, 0, 0, 0, 0]);
}
