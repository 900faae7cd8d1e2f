/** Every builtin DLL, by canonical name. */
import { advapi32 } from './advapi32/exports.js';
import { bcrypt } from './bcrypt/exports.js';
import { bcryptprimitives } from './bcryptprimitives/exports.js';
import { kernel32 } from './kernel32/exports.js';
import { msvcrt } from './msvcrt/exports.js';
import { ntdll } from './ntdll/exports.js';
import { oleaut32 } from './oleaut32/exports.js';
import type { DllTable } from './types.js';
import { ucrtbase } from './ucrtbase/exports.js';
import { user32 } from './user32/exports.js';
import { version } from './version/exports.js';
import { vcruntime140, vcruntime140_1 } from './vcruntime140/exports.js';

export const BUILTIN_DLLS: readonly DllTable[] = [ntdll, kernel32, msvcrt, ucrtbase, vcruntime140, vcruntime140_1, user32, version, advapi32, bcrypt, bcryptprimitives, oleaut32];
