/**
 * signal/raise (signal.h) with msvcrt's rules: a handler is reset to SIG_DFL before it is
 * called; SIG_IGN ignores; the default action ends the program (exit code 3, or
 * STATUS_CONTROL_C_EXIT for SIGINT/SIGBREAK). Handlers live in the CRT data block.
 */
import type { ApiContext } from '../types.js';
import { CRT, crt } from './crtdata.js';
import { setErrno } from './memory.js';

const SIGNALS = [2, 4, 8, 11, 15, 21, 22]; // SIGINT SIGILL SIGFPE SIGSEGV SIGTERM SIGBREAK SIGABRT
const SIG_ERR = -1;
const SIG_IGN = 1;
const SIGABRT = 22;
const STATUS_CONTROL_C_EXIT = 0xc000013a;

const handlerSlot = (ctx: ApiContext, sig: number): number => crt(ctx, CRT.SignalHandlers) + 8 * SIGNALS.indexOf(sig);

export function signal(ctx: ApiContext, sig: number, handler: number): number {
  if (!SIGNALS.includes(sig)) {
    setErrno(ctx, 22);
    return SIG_ERR;
  }
  const at = handlerSlot(ctx, sig);
  const old = ctx.mem.ptr(at);
  ctx.mem.setU64(at, handler);
  return old;
}

export function raise(ctx: ApiContext, sig: number): number {
  if (!SIGNALS.includes(sig)) return -1;
  const at = handlerSlot(ctx, sig);
  const handler = ctx.mem.ptr(at);
  if (handler === SIG_IGN) return 0;
  if (handler === 0) {
    if (sig === SIGABRT) return ctx.process.exit(3);
    return ctx.process.exit(sig === 2 || sig === 21 ? STATUS_CONTROL_C_EXIT : 3);
  }
  ctx.mem.setU64(at, 0); // reset to SIG_DFL before the handler runs
  ctx.callGuest(handler, [sig]);
  return 0;
}

/** Whether a program handler is installed for SIGABRT (abort() raises it first). */
export function raiseAbortHandler(ctx: ApiContext): void {
  const at = handlerSlot(ctx, SIGABRT);
  const handler = ctx.mem.ptr(at);
  if (handler > SIG_IGN) {
    ctx.mem.setU64(at, 0);
    ctx.callGuest(handler, [SIGABRT]);
  }
}
