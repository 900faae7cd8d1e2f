/** USER32.dll: the text subset (STYLE.md 1). Windows, messages and the rest of the GUI are not
 *  here yet; programs that import them still load and stop at the first call. */
import type { DllTable } from '../types.js';
import * as chars from './chars.js';
import * as str from './loadstring.js';
import * as fmt from './wsprintf.js';

export const user32: DllTable = {
  name: 'user32.dll',
  exports: [
    { name: 'CharLowerA', args: ['ptr'], ret: 'ptr', impl: chars.CharLowerA },
    { name: 'CharLowerBuffA', args: ['ptr', 'u32'], ret: 'u32', impl: chars.CharLowerBuffA },
    { name: 'CharLowerBuffW', args: ['ptr', 'u32'], ret: 'u32', impl: chars.CharLowerBuffW },
    { name: 'CharLowerW', args: ['ptr'], ret: 'ptr', impl: chars.CharLowerW },
    { name: 'CharNextA', args: ['str'], ret: 'ptr', impl: chars.CharNextA },
    { name: 'CharNextExA', args: ['u16', 'ptr', 'u32'], ret: 'ptr', impl: chars.CharNextExA },
    { name: 'CharNextW', args: ['wstr'], ret: 'ptr', impl: chars.CharNextW },
    { name: 'CharPrevA', args: ['str', 'str'], ret: 'ptr', impl: chars.CharPrevA },
    { name: 'CharPrevExA', args: ['u16', 'ptr', 'ptr', 'u32'], ret: 'ptr', impl: chars.CharPrevExA },
    { name: 'CharPrevW', args: ['wstr', 'wstr'], ret: 'ptr', impl: chars.CharPrevW },
    { name: 'CharUpperA', args: ['ptr'], ret: 'ptr', impl: chars.CharUpperA },
    { name: 'CharUpperBuffA', args: ['ptr', 'u32'], ret: 'u32', impl: chars.CharUpperBuffA },
    { name: 'CharUpperBuffW', args: ['ptr', 'u32'], ret: 'u32', impl: chars.CharUpperBuffW },
    { name: 'CharUpperW', args: ['ptr'], ret: 'ptr', impl: chars.CharUpperW },
    { name: 'IsCharAlphaA', args: ['u8'], ret: 'bool', impl: chars.IsCharAlphaA },
    { name: 'IsCharAlphaNumericA', args: ['u8'], ret: 'bool', impl: chars.IsCharAlphaNumericA },
    { name: 'IsCharAlphaNumericW', args: ['u16'], ret: 'bool', impl: chars.IsCharAlphaNumericW },
    { name: 'IsCharAlphaW', args: ['u16'], ret: 'bool', impl: chars.IsCharAlphaW },
    { name: 'IsCharLowerA', args: ['u8'], ret: 'bool', impl: chars.IsCharLowerA },
    { name: 'IsCharLowerW', args: ['u16'], ret: 'bool', impl: chars.IsCharLowerW },
    { name: 'IsCharUpperA', args: ['u8'], ret: 'bool', impl: chars.IsCharUpperA },
    { name: 'IsCharUpperW', args: ['u16'], ret: 'bool', impl: chars.IsCharUpperW },
    { name: 'LoadStringA', args: ['handle', 'u32', 'ptr', 'i32'], ret: 'i32', impl: str.LoadStringA },
    { name: 'LoadStringW', args: ['handle', 'u32', 'ptr', 'i32'], ret: 'i32', impl: str.LoadStringW },
    { name: 'wsprintfA', args: ['ptr', 'str'], varargs: true, ret: 'i32', impl: fmt.wsprintfA },
    { name: 'wsprintfW', args: ['ptr', 'wstr'], varargs: true, ret: 'i32', impl: fmt.wsprintfW },
    { name: 'wvsprintfA', args: ['ptr', 'str', 'ptr'], ret: 'i32', impl: fmt.wvsprintfA },
    { name: 'wvsprintfW', args: ['ptr', 'wstr', 'ptr'], ret: 'i32', impl: fmt.wvsprintfW },
  ],
};
