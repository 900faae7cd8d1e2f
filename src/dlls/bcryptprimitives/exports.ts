/** bcryptprimitives.dll: ProcessPrng, the random source Rust's standard library (1.78+) and
 *  Go (1.22+) import directly. */
import { fillRandom } from '../advapi32/ntsecapi.js';
import type { ApiContext, DllTable } from '../types.js';

/** BOOL ProcessPrng(PBYTE, SIZE_T): always TRUE on Windows; a buffer winrun cannot write is
 *  a fault there, so it is reported here as FALSE rather than crashing winrun. */
function ProcessPrng(ctx: ApiContext, buf: number, len: bigint): number {
  try {
    fillRandom(ctx, buf, Number(len));
    return 1;
  } catch {
    return 0;
  }
}

export const bcryptprimitives: DllTable = {
  name: 'bcryptprimitives.dll',
  exports: [{ name: 'ProcessPrng', args: ['ptr', 'u64'], ret: 'bool', impl: ProcessPrng }],
};
