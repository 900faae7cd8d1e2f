/**
 * The IsBad*Ptr probes (winbase.h). Windows touches the memory inside an exception handler;
 * winrun decides from the address space's region map instead (committed pages and their
 * protections), so a probe never faults. One difference follows: on Windows a probe that
 * touches a PAGE_GUARD page consumes the guard; here the page reports "bad" and keeps it.
 */
import { GuestMemoryError, PAGE_SIZE, type Access } from '../../native/memprotect.js';
import type { ApiContext } from '../types.js';

const probe = (ctx: ApiContext, p: number, size: number, access: Access): number => (size === 0 ? 0 : p === 0 || !ctx.mem.accessible(p, size, access) ? 1 : 0);

export function IsBadReadPtr(ctx: ApiContext, p: number, size: bigint): number {
  return probe(ctx, p, Number(size), 'read');
}

export function IsBadWritePtr(ctx: ApiContext, p: number, size: bigint): number {
  return probe(ctx, p, Number(size), 'write');
}

/** Windows checks that one byte of the function can be read (x86 executes what it reads). */
export function IsBadCodePtr(ctx: ApiContext, p: number): number {
  return probe(ctx, p, 1, 'read');
}

/** True when a readable NUL-terminated string of `unit`-byte characters does not start at
 *  `p` within `max` characters (a string that fills all `max` characters is fine). */
function badString(ctx: ApiContext, p: number, maxChars: bigint, unit: number): number {
  if (p === 0) return 1;
  const max = maxChars > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(maxChars);
  let n = 0;
  while (n < max) {
    const at = p + n * unit;
    const room = Math.floor((PAGE_SIZE - (at % PAGE_SIZE)) / unit);
    const count = Math.min(max - n, Math.max(room, 1));
    if (!ctx.mem.accessible(at, count * unit, 'read')) return 1;
    let bytes: Uint8Array;
    try {
      bytes = ctx.mem.read(at, count * unit);
    } catch (e) {
      if (e instanceof GuestMemoryError) return 1; // a character straddling two allocations
      throw e;
    }
    for (let i = 0; i < count; i++) {
      if (bytes[i * unit] === 0 && (unit === 1 || bytes[i * unit + 1] === 0)) return 0;
    }
    n += count;
  }
  return 0;
}

export function IsBadStringPtrA(ctx: ApiContext, p: number, max: bigint): number {
  return badString(ctx, p, max, 1);
}

export function IsBadStringPtrW(ctx: ApiContext, p: number, max: bigint): number {
  return badString(ctx, p, max, 2);
}
