/** Modules (libloaderapi.h): handles are image bases, as on Windows. */
import type { ApiContext } from '../types.js';
import { ERROR_INSUFFICIENT_BUFFER, ERROR_MOD_NOT_FOUND, ERROR_PROC_NOT_FOUND } from './errors.js';

export function GetModuleHandleW(ctx: ApiContext, name: number): number {
  const h = ctx.process.moduleHandle(name === 0 ? null : ctx.mem.wstring(name));
  if (h === 0) ctx.setLastError(ERROR_MOD_NOT_FOUND);
  return h;
}

export function GetModuleHandleA(ctx: ApiContext, name: number): number {
  const h = ctx.process.moduleHandle(name === 0 ? null : ctx.mem.cstring(name));
  if (h === 0) ctx.setLastError(ERROR_MOD_NOT_FOUND);
  return h;
}

export function GetProcAddress(ctx: ApiContext, module: number, name: number): number {
  // An ordinal is passed as a "pointer" below 64 KiB (MAKEINTRESOURCE).
  const what = name < 0x10000 ? name : ctx.mem.cstring(name);
  const p = ctx.process.procAddress(module, what);
  if (p === 0) ctx.setLastError(ERROR_PROC_NOT_FOUND);
  return p;
}

export function LoadLibraryW(ctx: ApiContext, name: number): number {
  const h = ctx.process.loadLibrary(ctx.mem.wstring(name));
  if (h === 0) ctx.setLastError(ERROR_MOD_NOT_FOUND);
  return h;
}

export function LoadLibraryA(ctx: ApiContext, name: number): number {
  const h = ctx.process.loadLibrary(ctx.mem.cstring(name));
  if (h === 0) ctx.setLastError(ERROR_MOD_NOT_FOUND);
  return h;
}

export function LoadLibraryExW(ctx: ApiContext, name: number): number {
  return LoadLibraryW(ctx, name);
}

export function LoadLibraryExA(ctx: ApiContext, name: number): number {
  return LoadLibraryA(ctx, name);
}

/** Modules stay loaded until exit (reference counts arrive with the kernel32 issue). */
export function FreeLibrary(): number {
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
