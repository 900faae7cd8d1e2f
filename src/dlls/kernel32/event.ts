/**
 * Events (synchapi.h): CreateEvent(Ex)A/W, SetEvent, ResetEvent, PulseEvent. The state is a
 * block in the process heap (kernel/waitable.ts) that every thread reaches; waits are in
 * wait.ts. Named events are private to the process for now (fixme), as named semaphores are.
 */
import { HandleType } from '../../kernel/handles.js';
import { EVENT_SIZE, initEvent, resetEvent, setEvent } from '../../kernel/waitable.js';
import type { ApiContext } from '../types.js';
import { ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER } from './errors.js';

const CREATE_EVENT_MANUAL_RESET = 0x1;
const CREATE_EVENT_INITIAL_SET = 0x2;

function fail(ctx: ApiContext, code: number, value = 0): number {
  ctx.setLastError(code);
  return value;
}

export function CreateEventExW(ctx: ApiContext, _attrs: number, name: number, flags: number, _access: number): number {
  if (flags & ~(CREATE_EVENT_MANUAL_RESET | CREATE_EVENT_INITIAL_SET)) return fail(ctx, ERROR_INVALID_PARAMETER);
  if (name !== 0) ctx.fixme('sync', 'CreateEvent', 'named events are private to the process');
  const block = ctx.process.heapAlloc(ctx.process.processHeap, EVENT_SIZE, 0);
  initEvent(ctx.mem, block, (flags & CREATE_EVENT_MANUAL_RESET) !== 0, (flags & CREATE_EVENT_INITIAL_SET) !== 0);
  ctx.setLastError(0);
  return ctx.process.handles.allocate(HandleType.Event, block);
}

export function CreateEventExA(ctx: ApiContext, attrs: number, name: number, flags: number, access: number): number {
  return CreateEventExW(ctx, attrs, name, flags, access);
}

export function CreateEventW(ctx: ApiContext, attrs: number, manual: number, initial: number, name: number): number {
  return CreateEventExW(ctx, attrs, name, (manual ? CREATE_EVENT_MANUAL_RESET : 0) | (initial ? CREATE_EVENT_INITIAL_SET : 0), 0);
}

export function CreateEventA(ctx: ApiContext, attrs: number, manual: number, initial: number, name: number): number {
  return CreateEventW(ctx, attrs, manual, initial, name);
}

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
