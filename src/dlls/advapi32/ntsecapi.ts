/**
 * Random numbers from the host's secure source (the kernel's getrandom): RtlGenRandom
 * (exported as SystemFunction036, ntsecapi.h), and the helper bcrypt and bcryptprimitives
 * share.
 */
import { secureRandomFill } from '../../host/random.js';
import type { ApiContext } from '../types.js';

const CHUNK = 1 << 20;

/** Fills [p, p+len) with random bytes; throws GuestMemoryError (nothing written) when any
 *  of it is not writable. */
export function fillRandom(ctx: ApiContext, p: number, len: number): void {
  if (len === 0) return;
  ctx.mem.check(p, len, true);
  for (let off = 0; off < len; off += CHUNK) secureRandomFill(ctx.mem.view(p + off, Math.min(CHUNK, len - off), true));
}

/** BOOLEAN RtlGenRandom(PVOID, ULONG): FALSE for a buffer that is not writable. */
export function SystemFunction036(ctx: ApiContext, p: number, len: number): number {
  try {
    fillRandom(ctx, p, len);
    return 1;
  } catch {
    return 0;
  }
}
