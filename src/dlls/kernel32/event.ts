/**
 * Events (synchapi.h): CreateEvent(Ex)A/W, SetEvent, ResetEvent, PulseEvent. The state is a
 * block in the process heap (kernel/waitable.ts) that every thread reaches; waits are in
 * wait.ts. Names, references and OpenEvent are objects.ts.
 */
import { HandleType } from '../../kernel/handles.js';
import { initEvent, resetEvent, setEvent } from '../../kernel/waitable.js';
import type { ApiContext } from '../types.js';
import { createObject } from './objects.js';
import { ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER } from './errors.js';

const CREATE_EVENT_MANUAL_RESET = 0x1;
const CREATE_EVENT_INITIAL_SET = 0x2;

function fail(ctx: ApiContext, code: number, value = 0): number {
  ctx.setLastError(code);
  return value;
}

function createEvent(ctx: ApiContext, name: number, flags: number, wide: boolean): number {
  if (flags & ~(CREATE_EVENT_MANUAL_RESET | CREATE_EVENT_INITIAL_SET)) return fail(ctx, ERROR_INVALID_PARAMETER);
  return createObject(ctx, HandleType.Event, name, wide, (block) => initEvent(ctx.mem, block, (flags & CREATE_EVENT_MANUAL_RESET) !== 0, (flags & CREATE_EVENT_INITIAL_SET) !== 0));
}

const eventFlags = (manual: number, initial: number): number => (manual ? CREATE_EVENT_MANUAL_RESET : 0) | (initial ? CREATE_EVENT_INITIAL_SET : 0);

export const CreateEventExW = (ctx: ApiContext, _attrs: number, name: number, flags: number, _access: number): number => createEvent(ctx, name, flags, true);
export const CreateEventExA = (ctx: ApiContext, _attrs: number, name: number, flags: number, _access: number): number => createEvent(ctx, name, flags, false);
export const CreateEventW = (ctx: ApiContext, _attrs: number, manual: number, initial: number, name: number): number => createEvent(ctx, name, eventFlags(manual, initial), true);
export const CreateEventA = (ctx: ApiContext, _attrs: number, manual: number, initial: number, name: number): number => createEvent(ctx, name, eventFlags(manual, initial), false);

/** The state block of an event handle, or 0. */
export function eventBlock(ctx: ApiContext, h: number): number {
  const o = ctx.process.handles.lookup(h);
  return o?.type === HandleType.Event ? o.value : 0;
}

export function SetEvent(ctx: ApiContext, h: number): number {
  const e = eventBlock(ctx, h);
  if (e === 0) return fail(ctx, ERROR_INVALID_HANDLE);
  setEvent(ctx.mem, e);
  return 1;
}

export function ResetEvent(ctx: ApiContext, h: number): number {
  const e = eventBlock(ctx, h);
  if (e === 0) return fail(ctx, ERROR_INVALID_HANDLE);
  resetEvent(ctx.mem, e);
  return 1;
}

/** PulseEvent: Microsoft documents it as unreliable and deprecated; here the sleepers woken by
 *  the set may run before the reset, or not. */
export function PulseEvent(ctx: ApiContext, h: number): number {
  const e = eventBlock(ctx, h);
  if (e === 0) return fail(ctx, ERROR_INVALID_HANDLE);
  setEvent(ctx.mem, e);
  resetEvent(ctx.mem, e);
  return 1;
}
