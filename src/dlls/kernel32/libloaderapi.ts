/**
 * Modules (libloaderapi.h): handles are image bases, as on Windows; LOAD_LIBRARY_AS_DATAFILE
 * and AS_IMAGE_RESOURCE give mapping handles with a low bit set. LoadLibraryEx's flags and the
 * DLL search settings (SetDllDirectory, AddDllDirectory, SetDefaultDllDirectories) are checked
 * here; the loader (src/loader/modules.ts) searches, maps, counts references and unloads.
 */
import {
  LOAD_LIBRARY_SEARCH_APPLICATION_DIR,
  LOAD_LIBRARY_SEARCH_DEFAULT_DIRS,
  LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR,
  LOAD_LIBRARY_SEARCH_FLAGS,
  LOAD_LIBRARY_SEARCH_SYSTEM32,
  LOAD_LIBRARY_SEARCH_USER_DIRS,
  LOAD_PACKAGED_LIBRARY,
  LOAD_WITH_ALTERED_SEARCH_PATH,
} from '../../kernel/dlldirs.js';
import type { ApiContext } from '../types.js';
import { ERROR_INSUFFICIENT_BUFFER, ERROR_INVALID_PARAMETER, ERROR_MOD_NOT_FOUND, ERROR_PROC_NOT_FOUND } from './errors.js';
import { putString, type Charset } from './pathstr.js';
import { ansiToString } from './text.js';

const GET_MODULE_HANDLE_EX_FLAG_PIN = 0x1;
const GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT = 0x2;
const GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS = 0x4;
const ERROR_BAD_EXE_FORMAT = 193;
/** LoadLibraryEx accepts flags in the low 16 bits only. */
const LOAD_LIBRARY_VALID_FLAGS = 0xffff;
const DEFAULT_DIRECTORY_FLAGS = LOAD_LIBRARY_SEARCH_APPLICATION_DIR | LOAD_LIBRARY_SEARCH_USER_DIRS | LOAD_LIBRARY_SEARCH_SYSTEM32 | LOAD_LIBRARY_SEARCH_DEFAULT_DIRS;

const fail = (ctx: ApiContext, error: number): number => {
  ctx.setLastError(error);
  return 0;
};

/** A string argument in the A (ANSI code page) or W form. */
function readName(ctx: ApiContext, p: number, cs: Charset): string {
  return cs === 'W' ? ctx.mem.wstring(p) : ansiToString(ctx, ctx.mem.cstringBytes(p));
}

const isAbsolute = (name: string): boolean => /^[a-zA-Z]:[\\/]|^\\\\/.test(name);

function getModuleHandle(ctx: ApiContext, name: number, cs: Charset): number {
  const h = ctx.process.moduleHandle(name === 0 ? null : readName(ctx, name, cs));
  return h !== 0 ? h : fail(ctx, ERROR_MOD_NOT_FOUND);
}

export function GetModuleHandleW(ctx: ApiContext, name: number): number {
  return getModuleHandle(ctx, name, 'W');
}

export function GetModuleHandleA(ctx: ApiContext, name: number): number {
  return getModuleHandle(ctx, name, 'A');
}

/** GetModuleHandleEx: by name or (FROM_ADDRESS) by an address inside the image, adding a
 *  reference unless UNCHANGED_REFCOUNT, or pinning with PIN. *phModule is NULL on failure. */
function getModuleHandleEx(ctx: ApiContext, flags: number, name: number, out: number, cs: Charset): number {
  const pinAndKeep = GET_MODULE_HANDLE_EX_FLAG_PIN | GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT;
  if (out === 0 || (flags & ~(pinAndKeep | GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS)) !== 0 || (flags & pinAndKeep) === pinAndKeep) {
    if (out !== 0) ctx.mem.setU64(out, 0);
    return fail(ctx, ERROR_INVALID_PARAMETER);
  }
  const h = flags & GET_MODULE_HANDLE_EX_FLAG_FROM_ADDRESS ? ctx.process.moduleAt(name) : ctx.process.moduleHandle(name === 0 ? null : readName(ctx, name, cs));
  ctx.mem.setU64(out, h);
  if (h === 0) return fail(ctx, ERROR_MOD_NOT_FOUND);
  if ((flags & GET_MODULE_HANDLE_EX_FLAG_UNCHANGED_REFCOUNT) === 0) ctx.process.referenceModule(h, (flags & GET_MODULE_HANDLE_EX_FLAG_PIN) !== 0);
  return 1;
}

export function GetModuleHandleExW(ctx: ApiContext, flags: number, name: number, out: number): number {
  return getModuleHandleEx(ctx, flags, name, out, 'W');
}

export function GetModuleHandleExA(ctx: ApiContext, flags: number, name: number, out: number): number {
  return getModuleHandleEx(ctx, flags, name, out, 'A');
}

export function GetProcAddress(ctx: ApiContext, module: number, name: number): number {
  // An ordinal is passed as a "pointer" below 64 KiB (MAKEINTRESOURCE).
  const what = name < 0x10000 ? name : ctx.mem.cstring(name);
  const p = ctx.process.procAddress(module === 0 ? ctx.process.moduleHandle(null) : module, what);
  if (p === 0) ctx.setLastError(ERROR_PROC_NOT_FOUND);
  return p;
}

/**
 * LoadLibraryEx's parameter rules: hFile must be NULL, flags are the documented low 16 bits,
 * LOAD_WITH_ALTERED_SEARCH_PATH does not combine with the LOAD_LIBRARY_SEARCH_* flags, and
 * SEARCH_DLL_LOAD_DIR needs a full path. A packaged library needs a package (there is none).
 */
function loadLibraryEx(ctx: ApiContext, name: string, file: number, flags: number): number {
  if (file !== 0 || (flags & ~LOAD_LIBRARY_VALID_FLAGS) !== 0 || flags & LOAD_PACKAGED_LIBRARY) return fail(ctx, ERROR_INVALID_PARAMETER);
  if (flags & LOAD_WITH_ALTERED_SEARCH_PATH && flags & LOAD_LIBRARY_SEARCH_FLAGS) return fail(ctx, ERROR_INVALID_PARAMETER);
  if (flags & LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR && !isAbsolute(name)) return fail(ctx, ERROR_INVALID_PARAMETER);
  if (name === '') return fail(ctx, ERROR_MOD_NOT_FOUND);
  const r = ctx.process.loadLibraryEx(name, flags);
  return 'handle' in r ? r.handle : fail(ctx, r.error);
}

export function LoadLibraryExW(ctx: ApiContext, name: number, file: number, flags: number): number {
  if (name === 0) return fail(ctx, ERROR_INVALID_PARAMETER);
  return loadLibraryEx(ctx, readName(ctx, name, 'W'), file, flags);
}

/** A NULL name reads as an empty one (Windows converts it to an empty string first). */
export function LoadLibraryExA(ctx: ApiContext, name: number, file: number, flags: number): number {
  return loadLibraryEx(ctx, name === 0 ? '' : readName(ctx, name, 'A'), file, flags);
}

export function LoadLibraryW(ctx: ApiContext, name: number): number {
  return LoadLibraryExW(ctx, name, 0, 0);
}

export function LoadLibraryA(ctx: ApiContext, name: number): number {
  return LoadLibraryExA(ctx, name, 0, 0);
}

/**
 * One reference less; at zero the DLL gets DLL_PROCESS_DETACH and is unmapped, and its own
 * imports let go. Modules loaded at start-up and builtins stay. A data mapping is unmapped.
 */
export function FreeLibrary(ctx: ApiContext, module: number): number {
  if (ctx.process.freeLibrary(module)) return 1;
  return fail(ctx, module % 4 !== 0 ? ERROR_BAD_EXE_FORMAT : ERROR_MOD_NOT_FOUND);
}

/** Turns off DLL_THREAD_ATTACH/DETACH for a DLL; like Windows it refuses a DLL with static TLS
 *  (which needs them) and a handle that is not a module. */
export function DisableThreadLibraryCalls(ctx: ApiContext, module: number): number {
  return ctx.process.disableThreadLibraryCalls(module) ? 1 : fail(ctx, ERROR_MOD_NOT_FOUND);
}

// ---- the DLL search settings -----------------------------------------------------------------

/** NULL restores the standard order; '' removes the current directory from it. */
function setDllDirectory(ctx: ApiContext, dir: number, cs: Charset): number {
  ctx.process.dllDirectories.dllDirectory = dir === 0 ? undefined : readName(ctx, dir, cs);
  return 1;
}

export function SetDllDirectoryW(ctx: ApiContext, dir: number): number {
  return setDllDirectory(ctx, dir, 'W');
}

export function SetDllDirectoryA(ctx: ApiContext, dir: number): number {
  return setDllDirectory(ctx, dir, 'A');
}

/** The directory SetDllDirectory set: its length, or the size needed with the NUL. */
function getDllDirectory(ctx: ApiContext, size: number, buf: number, cs: Charset): number {
  const dir = ctx.process.dllDirectories.dllDirectory ?? '';
  const n = putString(ctx, buf, size, dir, cs);
  if (n > size || (buf === 0 && size > 0)) ctx.setLastError(ERROR_INSUFFICIENT_BUFFER);
  return n;
}

export function GetDllDirectoryW(ctx: ApiContext, size: number, buf: number): number {
  return getDllDirectory(ctx, size, buf, 'W');
}

export function GetDllDirectoryA(ctx: ApiContext, size: number, buf: number): number {
  return getDllDirectory(ctx, size, buf, 'A');
}

/** A full path only; the cookie identifies it for RemoveDllDirectory. */
export function AddDllDirectory(ctx: ApiContext, dir: number): number {
  if (dir === 0) return fail(ctx, ERROR_INVALID_PARAMETER);
  const path = ctx.mem.wstring(dir);
  if (!isAbsolute(path)) return fail(ctx, ERROR_INVALID_PARAMETER);
  return ctx.process.dllDirectories.add(path);
}

export function RemoveDllDirectory(ctx: ApiContext, cookie: number): number {
  return ctx.process.dllDirectories.remove(cookie) ? 1 : fail(ctx, ERROR_INVALID_PARAMETER);
}

/** The places searched when LoadLibraryEx names none: a non-empty mix of APPLICATION_DIR,
 *  USER_DIRS, SYSTEM32 and DEFAULT_DIRS. */
export function SetDefaultDllDirectories(ctx: ApiContext, flags: number): number {
  if (flags === 0 || (flags & ~DEFAULT_DIRECTORY_FLAGS) !== 0) return fail(ctx, ERROR_INVALID_PARAMETER);
  ctx.process.dllDirectories.defaultFlags = flags;
  return 1;
}

/**
 * GetModuleFileName's rules once, for both character sizes: the path is truncated to fit
 * `size` units with its NUL, and then the result is `size` with ERROR_INSUFFICIENT_BUFFER.
 */
function moduleFileName(ctx: ApiContext, module: number, buf: number, size: number, wide: boolean): number {
  const path = ctx.process.moduleFileName(module === 0 ? ctx.process.moduleHandle(null) : module);
  if (path === undefined) {
    ctx.setLastError(ERROR_MOD_NOT_FOUND);
    return 0;
  }
  if (size === 0) return 0;
  const units = wide ? path.length : new TextEncoder().encode(path).length;
  const fits = units < size;
  if (wide) ctx.mem.writeWString(buf, fits ? path : path.slice(0, size - 1));
  else {
    const bytes = new TextEncoder().encode(path);
    ctx.mem.writeCString(buf, fits ? bytes : bytes.subarray(0, size - 1));
  }
  if (!fits) {
    ctx.setLastError(ERROR_INSUFFICIENT_BUFFER);
    return size;
  }
  return units;
}

export function GetModuleFileNameW(ctx: ApiContext, module: number, buf: number, size: number): number {
  return moduleFileName(ctx, module, buf, size, true);
}

export function GetModuleFileNameA(ctx: ApiContext, module: number, buf: number, size: number): number {
  return moduleFileName(ctx, module, buf, size, false);
}
