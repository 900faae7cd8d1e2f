/**
 * Semaphores (synchapi.h). The count lives in guest memory (a process-heap block, see
 * kernel/waitable.ts) that every thread reaches; waiting on it is in wait.ts; names,
 * references and OpenSemaphore are objects.ts.
 */
import { HandleType } from '../../kernel/handles.js';
import { initSemaphore, releaseSemaphore } from '../../kernel/waitable.js';
import type { ApiContext } from '../types.js';
import { createObject } from './objects.js';
import { ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER, ERROR_NOACCESS } from './errors.js';

const ERROR_TOO_MANY_POSTS = 298;

function fail(ctx: ApiContext, code: number, value = 0): number {
  ctx.setLastError(code);
  return value;
}

function createSemaphore(ctx: ApiContext, initial: number, maximum: number, name: number, wide: boolean): number {
  if (maximum <= 0 || initial < 0 || initial > maximum) return fail(ctx, ERROR_INVALID_PARAMETER);
  return createObject(ctx, HandleType.Semaphore, name, wide, (block) => initSemaphore(ctx.mem, block, initial, maximum));
}

export const CreateSemaphoreExW = (ctx: ApiContext, _attrs: number, initial: number, maximum: number, name: number): number => createSemaphore(ctx, initial, maximum, name, true);
export const CreateSemaphoreExA = (ctx: ApiContext, _attrs: number, initial: number, maximum: number, name: number): number => createSemaphore(ctx, initial, maximum, name, false);
export const CreateSemaphoreW = CreateSemaphoreExW;
export const CreateSemaphoreA = CreateSemaphoreExA;

/** The state block of a semaphore handle, or 0. */
export function semaphoreBlock(ctx: ApiContext, h: number): number {
  const o = ctx.process.handles.lookup(h);
  return o?.type === HandleType.Semaphore ? o.value : 0;
}

export function ReleaseSemaphore(ctx: ApiContext, h: number, count: number, previous: number): number {
  const s = semaphoreBlock(ctx, h);
  if (s === 0) return fail(ctx, ERROR_INVALID_HANDLE);
  if (count <= 0) return fail(ctx, ERROR_INVALID_PARAMETER);
  if (previous !== 0 && !ctx.mem.accessible(previous, 4, 'write')) return fail(ctx, ERROR_NOACCESS);
  const prev = releaseSemaphore(ctx.mem, s, count);
  if (prev < 0) return fail(ctx, ERROR_TOO_MANY_POSTS);
  if (previous !== 0) ctx.mem.setU32(previous, prev);
  return 1;
}
