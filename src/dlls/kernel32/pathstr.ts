/**
 * Strings in and out of the path and file APIs: the A forms use the ANSI code page (UTF-8 by
 * default, DESIGN.md §7), the W forms UTF-16; buffers follow the usual Win32 size rule (the
 * length without the NUL when it fits, else the size needed with the NUL).
 */
import { fullPathName, type Resolved } from '../../kernel/paths.js';
import { ERROR_FILE_NOT_FOUND, ERROR_INVALID_NAME, ERROR_PATH_NOT_FOUND } from '../../kernel/win32error.js';
import type { ApiContext } from '../types.js';
import { CP_UTF8, decodeBytes, encodeUnits, findCodePage, unitsToString } from './codepages.js';
import { fileApiCodePage } from './fileapicp.js';
import { stringToUnits } from './text.js';

const UTF8_DECODER = new TextDecoder();
const UTF8_ENCODER = new TextEncoder();

const PEB_PROCESS_PARAMETERS = 0x20;
const RUPP_CURRENT_DIRECTORY = 0x38;

export type Charset = 'A' | 'W';

/** A path argument: UTF-16 for W, the file APIs' code page for A (fileapicp.ts). */
export function readPath(ctx: ApiContext, p: number, cs: Charset): string {
  if (cs === 'W') return ctx.mem.wstring(p);
  const bytes = ctx.mem.cstringBytes(p);
  const cp = fileApiCodePage(ctx);
  if (cp === CP_UTF8) return UTF8_DECODER.decode(bytes);
  const r = decodeBytes(findCodePage(cp)!, bytes, 0);
  return r.ok ? unitsToString(r.value) : '';
}

/** Bytes or units of `s` in the charset (without NUL): A text in the file APIs' code page. */
export function encoded(ctx: ApiContext, s: string, cs: Charset): Uint8Array | Uint16Array {
  if (cs === 'A') {
    const cp = fileApiCodePage(ctx);
    if (cp === CP_UTF8) return UTF8_ENCODER.encode(s);
    const r = encodeUnits(findCodePage(cp)!, stringToUnits(s), { flags: 0 });
    return r.ok ? r.value : new Uint8Array(0);
  }
  const u = new Uint16Array(s.length);
  for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i);
  return u;
}

/** Writes `s` + NUL into a buffer of `size` characters. Returns the length written (without
 *  NUL), or the size needed (with NUL) when it does not fit. */
export function putString(ctx: ApiContext, buf: number, size: number, s: string, cs: Charset): number {
  const e = encoded(ctx, s, cs);
  if (e.length + 1 > size || buf === 0) return e.length + 1;
  writeUnits(ctx, buf, e, cs);
  return e.length;
}

export function writeUnits(ctx: ApiContext, buf: number, e: Uint8Array | Uint16Array, cs: Charset): void {
  if (cs === 'A') ctx.mem.writeCString(buf, e as Uint8Array);
  else {
    const z = new Uint16Array(e.length + 1);
    z.set(e);
    ctx.mem.write(buf, new Uint8Array(z.buffer));
  }
}

/** The process's current directory, from PEB.ProcessParameters (with a trailing `\`). */
export function currentDirectory(ctx: ApiContext): string {
  const pp = ctx.mem.ptr(ctx.process.pebAddress + PEB_PROCESS_PARAMETERS);
  const len = ctx.mem.u16(pp + RUPP_CURRENT_DIRECTORY);
  const buf = ctx.mem.ptr(pp + RUPP_CURRENT_DIRECTORY + 8);
  return String.fromCharCode(...ctx.mem.wstringUnits(buf, len / 2));
}

/** Stores a new current directory; false when it does not fit the PEB's buffer. */
export function storeCurrentDirectory(ctx: ApiContext, dir: string): boolean {
  const pp = ctx.mem.ptr(ctx.process.pebAddress + PEB_PROCESS_PARAMETERS);
  const max = ctx.mem.u16(pp + RUPP_CURRENT_DIRECTORY + 2);
  const d = dir.endsWith('\\') ? dir : dir + '\\';
  if (2 * (d.length + 1) > max) return false;
  ctx.mem.writeWString(ctx.mem.ptr(pp + RUPP_CURRENT_DIRECTORY + 8), d);
  ctx.mem.setU16(pp + RUPP_CURRENT_DIRECTORY, 2 * d.length);
  return true;
}

export function fullPath(ctx: ApiContext, path: string): string | undefined {
  return fullPathName(path, currentDirectory(ctx));
}

/** A guest path → its Unix file, or sets the last error and returns undefined (a device name
 *  gives ERROR_FILE_NOT_FOUND). */
export function unixPath(ctx: ApiContext, path: string): string | undefined {
  const r = resolve(ctx, path);
  if (r.kind === 'file') return r.unix;
  ctx.setLastError(r.kind === 'error' ? r.error : ERROR_FILE_NOT_FOUND);
  return undefined;
}

export function resolve(ctx: ApiContext, path: string): Resolved {
  if (path === '') return { kind: 'error', error: ERROR_PATH_NOT_FOUND };
  const full = fullPath(ctx, path);
  if (full === undefined) return { kind: 'error', error: ERROR_INVALID_NAME };
  return ctx.process.drives.resolve(full);
}
