/** Byte-range locks (fileapi.h): LockFile(Ex), UnlockFile(Ex) over kernel/locks.ts. */
import { failed } from '../../host/fs.js';
import { FILE_READ_DATA, FILE_WRITE_DATA } from '../../kernel/files.js';
import { HandleType } from '../../kernel/handles.js';
import { lockConflicts } from '../../kernel/locks.js';
import { ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER, ERROR_LOCK_VIOLATION, ERROR_NOT_ENOUGH_MEMORY, ERROR_NOT_LOCKED } from '../../kernel/win32error.js';
import type { ApiContext } from '../types.js';

const LOCKFILE_FAIL_IMMEDIATELY = 1;
const LOCKFILE_EXCLUSIVE_LOCK = 2;
const INT64_MAX = 0x7fffffffffffffffn;

const u64 = (low: number, high: number): bigint => (BigInt(high >>> 0) << 32n) | BigInt(low >>> 0);

function fail(ctx: ApiContext, error: number): number {
  ctx.setLastError(error);
  return 0;
}

/** The part of a Windows range (offsets up to 2^64) that a Linux lock can cover. */
function hostRange(offset: bigint, length: bigint): [bigint, bigint] | undefined {
  if (length === 0n || offset > INT64_MAX) return undefined;
  const end = offset + length > INT64_MAX ? INT64_MAX : offset + length;
  return [offset, end - offset];
}

function lock(ctx: ApiContext, h: number, offset: bigint, length: bigint, exclusive: boolean, wait: boolean): number {
  const k = ctx.process;
  const o = k.handles.lookup(h);
  if (!o || o.type !== HandleType.File) return fail(ctx, ERROR_INVALID_HANDLE);
  if (!(o.access & (FILE_READ_DATA | FILE_WRITE_DATA))) return fail(ctx, 5);
  if (lockConflicts(k.locks.all(o.fileId), offset, length, exclusive)) return fail(ctx, ERROR_LOCK_VIOLATION);
  const range = hostRange(offset, length);
  if (range) {
    // Other processes: an open file description lock (a read lock needs a readable descriptor).
    const r = k.fs.lockRange(o.value, exclusive || !(o.access & FILE_READ_DATA) ? 'write' : 'read', range[0], range[1], wait);
    if (failed(r) && (r.errno === 'EAGAIN' || r.errno === 'EACCES' || r.errno === 'EDEADLK')) return fail(ctx, ERROR_LOCK_VIOLATION);
  }
  if (!k.locks.add({ handle: h, fileId: o.fileId, offset, length, exclusive })) return fail(ctx, ERROR_NOT_ENOUGH_MEMORY);
  return 1;
}

function unlock(ctx: ApiContext, h: number, offset: bigint, length: bigint): number {
  const k = ctx.process;
  const o = k.handles.lookup(h);
  if (!o || o.type !== HandleType.File) return fail(ctx, ERROR_INVALID_HANDLE);
  if (!k.locks.remove(h, offset, length)) return fail(ctx, ERROR_NOT_LOCKED);
  const range = hostRange(offset, length);
  if (range) {
    k.fs.lockRange(o.value, 'unlock', range[0], range[1], false);
    // Linux merges a description's locks; the handle's other locks over the range come back.
    for (const l of k.locks.all(o.fileId)) {
      const r = l.handle === h ? hostRange(l.offset, l.length) : undefined;
      if (r) k.fs.lockRange(o.value, l.exclusive || !(o.access & FILE_READ_DATA) ? 'write' : 'read', r[0], r[1], false);
    }
  }
  return 1;
}

export function LockFile(ctx: ApiContext, h: number, offLow: number, offHigh: number, lenLow: number, lenHigh: number): number {
  return lock(ctx, h, u64(offLow, offHigh), u64(lenLow, lenHigh), true, false);
}

export function UnlockFile(ctx: ApiContext, h: number, offLow: number, offHigh: number, lenLow: number, lenHigh: number): number {
  return unlock(ctx, h, u64(offLow, offHigh), u64(lenLow, lenHigh));
}

/** The offset is in the OVERLAPPED (required). Without LOCKFILE_FAIL_IMMEDIATELY a lock held
 *  by another process is waited for; one held in this process fails at once (single-threaded,
 *  waiting could never end). */
export function LockFileEx(ctx: ApiContext, h: number, flags: number, _reserved: number, lenLow: number, lenHigh: number, ov: number): number {
  if (!ov) return fail(ctx, ERROR_INVALID_PARAMETER);
  const offset = u64(ctx.mem.u32(ov + 16), ctx.mem.u32(ov + 20));
  const r = lock(ctx, h, offset, u64(lenLow, lenHigh), (flags & LOCKFILE_EXCLUSIVE_LOCK) !== 0, (flags & LOCKFILE_FAIL_IMMEDIATELY) === 0);
  if (r) ctx.mem.setU64(ov, 0n); // Internal: STATUS_SUCCESS
  return r;
}

export function UnlockFileEx(ctx: ApiContext, h: number, _reserved: number, lenLow: number, lenHigh: number, ov: number): number {
  if (!ov) return fail(ctx, ERROR_INVALID_PARAMETER);
  return unlock(ctx, h, u64(ctx.mem.u32(ov + 16), ctx.mem.u32(ov + 20)), u64(lenLow, lenHigh));
}
