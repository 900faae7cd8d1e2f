/**
 * CRT threads (process.h): _beginthreadex/_endthreadex, _beginthread/_endthread on top of
 * kernel32's CreateThread/ExitThread. Per-thread CRT state (errno, _doserrno) lives in each
 * thread's winrun block (WR), so a new thread starts with its own.
 */
import { CreateThread, ExitThread } from '../kernel32/thread.js';
import type { ApiContext } from '../types.js';
import { setErrno } from './memory.js';

const EINVAL = 22;
const EAGAIN = 11;
const CREATE_SUSPENDED = 0x4;
const STACK_SIZE_PARAM_IS_A_RESERVATION = 0x10000;

/** The new thread's handle (CloseHandle it), or 0 with errno. */
export function _beginthreadex(ctx: ApiContext, security: number, stackSize: number, start: number, arg: number, flags: number, tidOut: number): number {
  if (start === 0) {
    setErrno(ctx, EINVAL);
    return 0;
  }
  const h = CreateThread(ctx, security, BigInt(stackSize >>> 0), start, arg, flags & (CREATE_SUSPENDED | STACK_SIZE_PARAM_IS_A_RESERVATION), tidOut);
  if (h === 0) setErrno(ctx, EAGAIN);
  return h;
}

/**
 * The new thread's handle, or -1 with errno. Deviation: Windows closes this handle when the
 * thread ends; here it stays open (a handle-table slot per _beginthread until exit).
 */
export function _beginthread(ctx: ApiContext, start: number, stackSize: number, arg: number): number {
  if (start === 0) {
    setErrno(ctx, EINVAL);
    return -1;
  }
  const h = CreateThread(ctx, 0, BigInt(stackSize >>> 0), start, arg, 0, 0);
  if (h === 0) {
    setErrno(ctx, EAGAIN);
    return -1;
  }
  return h;
}

export function _endthreadex(ctx: ApiContext, code: number): void {
  ExitThread(ctx, code);
}

export function _endthread(ctx: ApiContext): void {
  ExitThread(ctx, 0);
}
