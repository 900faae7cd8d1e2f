/** vcruntime140.dll (MSVC 2015+ C++ runtime support) and vcruntime140_1.dll (its x64
 *  __CxxFrameHandler4, for MSVC 2019 and later). */
import * as mem from '../msvcrt/memory.js';
import * as str from '../msvcrt/string.js';
import * as w from '../msvcrt/wstring.js';
import type { DllTable } from '../types.js';
import * as vc from './vcruntime.js';
import { C_SPECIFIC_HANDLER } from '../ntdll/excexports.js';
import { VCRUNTIME_1_CXX_EXPORTS, VCRUNTIME_CXX_EXPORTS } from './cxxexports.js';

export const vcruntime140: DllTable = {
  name: 'vcruntime140.dll',
  exports: [
    C_SPECIFIC_HANDLER,
    ...VCRUNTIME_CXX_EXPORTS,
    { name: '__std_type_info_compare', args: ['ptr', 'ptr'], ret: 'i32', impl: vc.__std_type_info_compare },
    { name: '__std_type_info_hash', args: ['ptr'], ret: 'u64', impl: vc.__std_type_info_hash },
    { name: '__std_type_info_name', args: ['ptr', 'ptr'], ret: 'str', impl: vc.__std_type_info_name },
    { name: '__std_type_info_destroy_list', args: ['ptr'], ret: 'void', impl: vc.__std_type_info_destroy_list },
    { name: '__std_exception_copy', args: ['ptr', 'ptr'], ret: 'void', impl: vc.__std_exception_copy },
    { name: '__std_exception_destroy', args: ['ptr'], ret: 'void', impl: vc.__std_exception_destroy },
    { name: '_purecall', args: [], ret: 'i32', impl: vc._purecall },
    { name: '__current_exception', args: [], ret: 'ptr', impl: vc.__current_exception },
    { name: '__current_exception_context', args: [], ret: 'ptr', impl: vc.__current_exception_context },
    { name: '__telemetry_main_invoke_trigger', args: ['ptr'], ret: 'void', impl: () => undefined },
    { name: '__telemetry_main_return_trigger', args: ['ptr'], ret: 'void', impl: () => undefined },
    { name: 'memcpy', args: ['ptr', 'ptr', 'u64'], ret: 'ptr', native: 'memcpy' },
    { name: 'memmove', args: ['ptr', 'ptr', 'u64'], ret: 'ptr', native: 'memmove' },
    { name: 'memset', args: ['ptr', 'i32', 'u64'], ret: 'ptr', native: 'memset' },
    { name: 'memcmp', args: ['ptr', 'ptr', 'u64'], ret: 'i32', native: 'memcmp' },
    { name: 'memchr', args: ['ptr', 'i32', 'u64'], ret: 'ptr', impl: vc.memchr },
    { name: 'strchr', args: ['str', 'i32'], ret: 'ptr', impl: mem.strchr },
    { name: 'strrchr', args: ['str', 'i32'], ret: 'ptr', impl: mem.strrchr },
    { name: 'strstr', args: ['str', 'str'], ret: 'ptr', impl: str.strstr },
    { name: 'wcschr', args: ['wstr', 'u16'], ret: 'ptr', impl: w.wcschr },
    { name: 'wcsrchr', args: ['wstr', 'u16'], ret: 'ptr', impl: w.wcsrchr },
    { name: 'wcsstr', args: ['wstr', 'wstr'], ret: 'ptr', impl: w.wcsstr },
  ],
};

export const vcruntime140_1: DllTable = { name: 'vcruntime140_1.dll', exports: [...VCRUNTIME_1_CXX_EXPORTS] };
