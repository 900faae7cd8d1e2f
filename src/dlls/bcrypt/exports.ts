/** BCRYPT.dll: CNG, the random number generator part (STYLE.md 1). */
import type { DllTable } from '../types.js';
import * as bc from './bcrypt.js';

export const bcrypt: DllTable = {
  name: 'bcrypt.dll',
  exports: [
    { name: 'BCryptCloseAlgorithmProvider', args: ['u64', 'u32'], ret: 'u32', impl: bc.BCryptCloseAlgorithmProvider },
    { name: 'BCryptGenRandom', args: ['u64', 'ptr', 'u32', 'u32'], ret: 'u32', impl: bc.BCryptGenRandom },
    { name: 'BCryptOpenAlgorithmProvider', args: ['ptr', 'ptr', 'ptr', 'u32'], ret: 'u32', impl: bc.BCryptOpenAlgorithmProvider },
  ],
};
