/**
 * Waitable timers (synchapi.h): CreateWaitableTimer(Ex)A/W, OpenWaitableTimerA/W,
 * SetWaitableTimer(Ex), CancelWaitableTimer. A timer is an event block with a due time and a
 * period (kernel/waitable.ts): a manual-reset ("notification") timer stays signalled until set
 * again; a synchronization timer releases one waiter per expiry. Setting a timer makes it
 * non-signalled. Completion routines are APCs, which need alertable waits winrun does not
 * have: a timer set with one still signals, and the routine is reported and not called.
 */
import { HandleType } from '../../kernel/handles.js';
import { TIMER_DUE, TIMER_PERIOD, dueTimeMs, initEvent, resetEvent } from '../../kernel/waitable.js';
import type { ApiContext } from '../types.js';
import { ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER, ERROR_NOACCESS } from './errors.js';
import { createObject, openObject } from './objects.js';

const CREATE_WAITABLE_TIMER_MANUAL_RESET = 0x1;
const CREATE_WAITABLE_TIMER_HIGH_RESOLUTION = 0x2;

function fail(ctx: ApiContext, code: number, value = 0): number {
  ctx.setLastError(code);
  return value;
}

function createTimer(ctx: ApiContext, name: number, flags: number, wide: boolean): number {
  if (flags & ~(CREATE_WAITABLE_TIMER_MANUAL_RESET | CREATE_WAITABLE_TIMER_HIGH_RESOLUTION)) return fail(ctx, ERROR_INVALID_PARAMETER);
  return createObject(ctx, HandleType.Timer, name, wide, (block) => {
    initEvent(ctx.mem, block, (flags & CREATE_WAITABLE_TIMER_MANUAL_RESET) !== 0, false);
    ctx.mem.setF64(block + TIMER_DUE, Infinity);
    ctx.mem.setU32(block + TIMER_PERIOD, 0);
  });
}

export const CreateWaitableTimerW = (ctx: ApiContext, _attrs: number, manual: number, name: number): number => createTimer(ctx, name, manual ? CREATE_WAITABLE_TIMER_MANUAL_RESET : 0, true);
export const CreateWaitableTimerA = (ctx: ApiContext, _attrs: number, manual: number, name: number): number => createTimer(ctx, name, manual ? CREATE_WAITABLE_TIMER_MANUAL_RESET : 0, false);
export const CreateWaitableTimerExW = (ctx: ApiContext, _attrs: number, name: number, flags: number, _access: number): number => createTimer(ctx, name, flags, true);
export const CreateWaitableTimerExA = (ctx: ApiContext, _attrs: number, name: number, flags: number, _access: number): number => createTimer(ctx, name, flags, false);
export const OpenWaitableTimerW = (ctx: ApiContext, access: number, _inherit: number, name: number): number => openObject(ctx, HandleType.Timer, access, name, true);
export const OpenWaitableTimerA = (ctx: ApiContext, access: number, _inherit: number, name: number): number => openObject(ctx, HandleType.Timer, access, name, false);

function timerBlock(ctx: ApiContext, h: number): number {
  const o = ctx.process.handles.lookup(h);
  return o?.type === HandleType.Timer ? o.value : 0;
}

/** SetWaitableTimer: `due` is a LARGE_INTEGER: negative, relative (100 ns); else an absolute
 *  UTC FILETIME. */
export function SetWaitableTimerEx(ctx: ApiContext, h: number, due: number, periodMs: number, routine: number, _arg: number, _wake: number, _delay: number): number {
  const block = timerBlock(ctx, h);
  if (block === 0) return fail(ctx, ERROR_INVALID_HANDLE);
  if (periodMs < 0) return fail(ctx, ERROR_INVALID_PARAMETER);
  if (!ctx.mem.accessible(due, 8, 'read')) return fail(ctx, ERROR_NOACCESS);
  if (routine !== 0) ctx.fixme('sync', 'SetWaitableTimer', 'completion routines (APCs) are not called');
  const at = dueTimeMs(BigInt.asIntN(64, ctx.mem.u64(due)));
  resetEvent(ctx.mem, block);
  ctx.mem.setU32(block + TIMER_PERIOD, periodMs);
  ctx.mem.setF64(block + TIMER_DUE, at);
  ctx.setLastError(0);
  return 1;
}

export function SetWaitableTimer(ctx: ApiContext, h: number, due: number, periodMs: number, routine: number, arg: number, resume: number): number {
  return SetWaitableTimerEx(ctx, h, due, periodMs, routine, arg, 0, resume);
}

/** CancelWaitableTimer: the timer stops; its signalled state stays as it is. */
export function CancelWaitableTimer(ctx: ApiContext, h: number): number {
  const block = timerBlock(ctx, h);
  if (block === 0) return fail(ctx, ERROR_INVALID_HANDLE);
  ctx.mem.setF64(block + TIMER_DUE, Infinity);
  return 1;
}
