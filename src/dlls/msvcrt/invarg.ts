/**
 * The CRT's invalid-parameter path (_invalid_parameter, the UCRT's invarg.cpp): a function given
 * a parameter its documentation forbids (a NULL format or buffer) sets errno, calls the handler
 * installed with _set_invalid_parameter_handler, and, if the handler returns, fails with its
 * documented value. Without a handler msvcrt.dll simply fails that way, while the UCRT ends the
 * process at once ("the default invalid parameter handler calls Watson crash reporting, which
 * causes the application to crash"): __fastfail(FAST_FAIL_INVALID_ARG), whose exit status is
 * STATUS_STACK_BUFFER_OVERRUN, with no DLL detach and no flushing. A process that has loaded
 * ucrtbase.dll gets the UCRT's rule. (Wine neither validates nor ends the process here.)
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
  else if (ctx.process.moduleHandle('ucrtbase.dll') !== 0) {
    ctx.process.writeFd(2, new TextEncoder().encode('winrun: invalid parameter passed to a C runtime function: the UCRT ends the process (fast fail)\n'));
    ctx.process.terminate(STATUS_STACK_BUFFER_OVERRUN);
  }
}

const STATUS_STACK_BUFFER_OVERRUN = 0xc0000409;
