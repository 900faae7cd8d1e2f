/** The host's secure random source (the kernel's getrandom, through Node's crypto, loaded on
 *  first use: host/builtins.ts). */
import type * as Crypto from 'node:crypto';
import { builtin } from './builtins.js';

const CHUNK = 1 << 30; // randomFillSync takes at most 2^31 - 1 bytes at a time

/** Fills `view` (guest memory included) with cryptographically secure random bytes. */
export function secureRandomFill(view: Uint8Array): void {
  const { randomFillSync } = builtin<typeof Crypto>('node:crypto');
  for (let off = 0; off < view.length; off += CHUNK) randomFillSync(view.subarray(off, Math.min(view.length, off + CHUNK)));
}
