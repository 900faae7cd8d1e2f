/**
 * msvcrt's process-wide data in guest memory (DESIGN.md §5): the atexit table and the
 * per-fd text/binary modes, in winrun's extension area of the PEB allocation.
 */
import type { ApiContext } from '../types.js';

/** Offsets after the PEB (kernel32 uses 0x800–0x83f). */
const CRT_EXT = 0x900;
export const CRT = {
  /** atexit/_onexit table: count u32 at +0, then up to 256 function pointers. */
  AtExitCount: CRT_EXT,
  AtExitTable: CRT_EXT + 8,
  AtExitMax: 256,
  /** 64 bytes: one per low fd, 1 = binary mode. */
  FdBinary: CRT_EXT + 8 + 8 * 256,
  /** Set once exit processing began. */
  Exiting: CRT_EXT + 8 + 8 * 256 + 64,
} as const;

export function crt(ctx: ApiContext, off: number): number {
  return ctx.process.pebAddress + off;
}
