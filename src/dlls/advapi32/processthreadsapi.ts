/**
 * Opening access tokens (processthreadsapi.h): the process's primary token through a handle
 * in the handle table, and the pseudo-handles GetCurrentProcessToken() (-4),
 * GetCurrentThreadToken() (-5) and GetCurrentThreadEffectiveToken() (-6). Threads never
 * impersonate, so there is no thread token.
 */
import { HandleType } from '../../kernel/handles.js';
import type { ApiContext } from '../types.js';
import { ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER, ERROR_NO_TOKEN, fail, guardBool } from './common.js';

export const TOKEN_QUERY = 0x8;
export const TOKEN_QUERY_SOURCE = 0x10;
export const TOKEN_ADJUST_PRIVILEGES = 0x20;
const TOKEN_ALL_ACCESS = 0xf01ff;
const TOKEN_READ = 0x20008;
const TOKEN_WRITE = 0x200e0;
const TOKEN_EXECUTE = 0x20000;

/** The value a primary-token handle holds. */
const PRIMARY_TOKEN = 1;

const CURRENT_PROCESS = -1n;
const CURRENT_THREAD = -2n;
const CURRENT_PROCESS_TOKEN = -4n;
const CURRENT_THREAD_TOKEN = -5n;
const CURRENT_THREAD_EFFECTIVE_TOKEN = -6n;

function tokenAccess(access: number): number {
  let a = access & 0x00ffffff;
  if (access & 0x80000000) a |= TOKEN_READ;
  if (access & 0x40000000) a |= TOKEN_WRITE;
  if (access & 0x20000000) a |= TOKEN_EXECUTE;
  if (access & 0x10000000 || access & 0x02000000) a |= TOKEN_ALL_ACCESS;
  return a >>> 0;
}

/** The access a token handle grants, or the error for a handle that is not a token. */
export function tokenHandleAccess(ctx: ApiContext, handle: bigint): { access: number } | { error: number } {
  const h = BigInt.asIntN(64, handle);
  // The pseudo-handles only query (Microsoft: GetCurrentProcessToken "TOKEN_QUERY and TOKEN_QUERY_SOURCE").
  if (h === CURRENT_PROCESS_TOKEN || h === CURRENT_THREAD_EFFECTIVE_TOKEN) return { access: TOKEN_QUERY | TOKEN_QUERY_SOURCE };
  if (h === CURRENT_THREAD_TOKEN) return { error: ERROR_NO_TOKEN };
  if (h <= 0n || h > 0xffffffffn) return { error: ERROR_INVALID_HANDLE };
  const o = ctx.process.handles.lookup(Number(h));
  if (!o || o.type !== HandleType.Token || o.value !== PRIMARY_TOKEN) return { error: ERROR_INVALID_HANDLE };
  return { access: o.access };
}

export function OpenProcessToken(ctx: ApiContext, process: bigint, access: number, out: number): number {
  return guardBool(ctx, () => {
    if (BigInt.asIntN(64, process) !== CURRENT_PROCESS) return fail(ctx, ERROR_INVALID_HANDLE);
    if (out === 0) return fail(ctx, ERROR_INVALID_PARAMETER);
    ctx.mem.check(out, 8, true);
    const h = ctx.process.handles.allocate(HandleType.Token, PRIMARY_TOKEN, { access: tokenAccess(access) });
    if (h === 0) return fail(ctx, 1450); // ERROR_NO_SYSTEM_RESOURCES
    ctx.mem.setU64(out, h);
    return 1;
  });
}

/** No thread impersonates, so there is never a thread token (ERROR_NO_TOKEN). */
export function OpenThreadToken(ctx: ApiContext, thread: bigint, _access: number, _openAsSelf: number, _out: number): number {
  const h = BigInt.asIntN(64, thread);
  if (h !== CURRENT_THREAD && (h <= 0n || h > 0xffffffffn || ctx.process.handles.lookup(Number(h)) === undefined)) return fail(ctx, ERROR_INVALID_HANDLE);
  return fail(ctx, ERROR_NO_TOKEN);
}
