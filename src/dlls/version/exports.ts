/** VERSION.dll: file version information (STYLE.md 1). */
import type { DllTable } from '../types.js';
import * as ver from './verinfo.js';

export const version: DllTable = {
  name: 'version.dll',
  exports: [
    { name: 'GetFileVersionInfoA', args: ['str', 'u32', 'u32', 'ptr'], ret: 'bool', impl: ver.GetFileVersionInfoA },
    { name: 'GetFileVersionInfoExA', args: ['u32', 'str', 'u32', 'u32', 'ptr'], ret: 'bool', impl: ver.GetFileVersionInfoExA },
    { name: 'GetFileVersionInfoExW', args: ['u32', 'wstr', 'u32', 'u32', 'ptr'], ret: 'bool', impl: ver.GetFileVersionInfoExW },
    { name: 'GetFileVersionInfoSizeA', args: ['str', 'ptr'], ret: 'u32', impl: ver.GetFileVersionInfoSizeA },
    { name: 'GetFileVersionInfoSizeExA', args: ['u32', 'str', 'ptr'], ret: 'u32', impl: ver.GetFileVersionInfoSizeExA },
    { name: 'GetFileVersionInfoSizeExW', args: ['u32', 'wstr', 'ptr'], ret: 'u32', impl: ver.GetFileVersionInfoSizeExW },
    { name: 'GetFileVersionInfoSizeW', args: ['wstr', 'ptr'], ret: 'u32', impl: ver.GetFileVersionInfoSizeW },
    { name: 'GetFileVersionInfoW', args: ['wstr', 'u32', 'u32', 'ptr'], ret: 'bool', impl: ver.GetFileVersionInfoW },
    { name: 'VerFindFileA', stub: true },
    { name: 'VerFindFileW', stub: true },
    { name: 'VerInstallFileA', stub: true },
    { name: 'VerInstallFileW', stub: true },
    { name: 'VerQueryValueA', args: ['ptr', 'str', 'ptr', 'ptr'], ret: 'bool', impl: ver.VerQueryValueA },
    { name: 'VerQueryValueW', args: ['ptr', 'wstr', 'ptr', 'ptr'], ret: 'bool', impl: ver.VerQueryValueW },
  ],
};
