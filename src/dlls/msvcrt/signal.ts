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

/** The exceptions _XcptFilter turns into signals, as msvcrt's action table does. */
const XCPT_SIGNALS = new Map<number, number>([
  [0xc0000005, 11], // ACCESS_VIOLATION: SIGSEGV
  [0xc000001d, 4], // ILLEGAL_INSTRUCTION: SIGILL
  [0xc0000096, 4], // PRIVILEGED_INSTRUCTION: SIGILL
  ...[0xc000008d, 0xc000008e, 0xc000008f, 0xc0000090, 0xc0000091, 0xc0000092, 0xc0000093, 0xc00002b4, 0xc00002b5].map((c): [number, number] => [c, 8]),
]);
/** _FPE_* sub-codes passed to a SIGFPE handler, by exception code. */
const FPE_CODES = new Map<number, number>([
  [0xc000008d, 0x82], [0xc000008e, 0x83], [0xc000008f, 0x86], [0xc0000090, 0x81], [0xc0000091, 0x84], [0xc0000092, 0x8a], [0xc0000093, 0x85], [0xc00002b4, 0x8d], [0xc00002b5, 0x8e],
]);
const EXCEPTION_CONTINUE_EXECUTION = -1;

/**
 * _XcptFilter: the filter of the CRT's startup __try. An exception with a signal() handler
 * installed for its signal runs that handler (reset to SIG_DFL first) and continues; SIG_IGN
 * continues; anything else goes to UnhandledExceptionFilter.
 */
export function _XcptFilter(ctx: ApiContext, code: number, pointers: number, unhandled: (ctx: ApiContext, pointers: number) => number): number {
  const sig = XCPT_SIGNALS.get(code >>> 0);
  if (sig === undefined) return unhandled(ctx, pointers);
  const at = handlerSlot(ctx, sig);
  const handler = ctx.mem.ptr(at);
  if (handler === 0) return unhandled(ctx, pointers);
  if (handler === SIG_IGN) return EXCEPTION_CONTINUE_EXECUTION;
  ctx.mem.setU64(at, 0);
  ctx.callGuest(handler, sig === 8 ? [sig, FPE_CODES.get(code >>> 0) ?? 0x81] : [sig]);
  return EXCEPTION_CONTINUE_EXECUTION;
}
