/** NTDLL.dll: mapped into every process; the Rtl heap functions forward-resolve to the
 *  same heaps kernel32 uses. */
import * as heap from '../kernel32/heapapi.js';
import * as osver from '../kernel32/osversion.js';
import type { DllTable } from '../types.js';

export const ntdll: DllTable = {
  name: 'ntdll.dll',
  exports: [
    { name: 'RtlAllocateHeap', args: ['handle', 'u32', 'u64'], ret: 'ptr', native: 'HeapAlloc', impl: (ctx, h: number, f: number, n: bigint) => heap.HeapAlloc(ctx, h, f, Number(n)) },
    { name: 'RtlFreeHeap', args: ['handle', 'u32', 'ptr'], ret: 'bool', native: 'HeapFree', impl: heap.HeapFree },
    { name: 'RtlGetLastWin32Error', args: [], ret: 'u32', native: 'GetLastError' },
    { name: 'RtlGetVersion', args: ['ptr'], ret: 'u32', impl: osver.RtlGetVersion },
    { name: 'RtlSetLastWin32Error', args: ['u32'], ret: 'void', native: 'SetLastError' },
    { name: 'RtlVerifyVersionInfo', args: ['ptr', 'u32', 'u64'], ret: 'u32', impl: osver.RtlVerifyVersionInfo },
    { name: 'VerSetConditionMask', args: ['u64', 'u32', 'u8'], ret: 'u64', impl: osver.VerSetConditionMask },
  ],
};
