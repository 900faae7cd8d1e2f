/** OLEAUT32.dll: BSTRs and VARIANTs (STYLE.md 1). Programs import these by ordinal (MSVC's
 *  oleaut32.lib does), so every row carries Windows' ordinal. */
import type { DllTable } from '../types.js';
import * as bstr from './oleauto.js';
import * as vnt from './variant.js';

export const oleaut32: DllTable = {
  name: 'oleaut32.dll',
  exports: [
    { name: 'SysAllocString', ordinal: 2, args: ['ptr'], ret: 'ptr', impl: bstr.SysAllocString },
    { name: 'SysAllocStringByteLen', ordinal: 150, args: ['ptr', 'u32'], ret: 'ptr', impl: bstr.SysAllocStringByteLen },
    { name: 'SysAllocStringLen', ordinal: 4, args: ['ptr', 'u32'], ret: 'ptr', impl: bstr.SysAllocStringLen },
    { name: 'SysFreeString', ordinal: 6, args: ['ptr'], ret: 'void', impl: bstr.SysFreeString },
    { name: 'SysReAllocString', ordinal: 3, args: ['ptr', 'ptr'], ret: 'i32', impl: bstr.SysReAllocString },
    { name: 'SysReAllocStringLen', ordinal: 5, args: ['ptr', 'ptr', 'u32'], ret: 'i32', impl: bstr.SysReAllocStringLen },
    { name: 'SysStringByteLen', ordinal: 149, args: ['ptr'], ret: 'u32', impl: bstr.SysStringByteLen },
    { name: 'SysStringLen', ordinal: 7, args: ['ptr'], ret: 'u32', impl: bstr.SysStringLen },
    { name: 'VariantClear', ordinal: 9, args: ['ptr'], ret: 'u32', impl: vnt.VariantClear },
    { name: 'VariantCopy', ordinal: 10, args: ['ptr', 'ptr'], ret: 'u32', impl: vnt.VariantCopy },
    { name: 'VariantInit', ordinal: 8, args: ['ptr'], ret: 'void', impl: vnt.VariantInit },
  ],
};
