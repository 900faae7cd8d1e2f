/** Every builtin DLL, by canonical name. */
import { kernel32 } from './kernel32/exports.js';
import { msvcrt } from './msvcrt/exports.js';
import { ntdll } from './ntdll/exports.js';
import type { DllTable } from './types.js';
import { ucrtbase } from './ucrtbase/exports.js';

export const BUILTIN_DLLS: readonly DllTable[] = [ntdll, kernel32, msvcrt, ucrtbase];
