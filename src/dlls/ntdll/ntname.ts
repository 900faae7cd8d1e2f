/**
 * NT object names of files: `\??\C:\dir\file`, a DOS device, or a name relative to a directory
 * handle, resolved to the Unix file through the DOS drives (kernel/paths.ts); and the
 * NtCreateFile option values the file calls share.
 */
import { pathOfHandle } from '../../kernel/files.js';
import { HandleType } from '../../kernel/handles.js';
import {
  ntStatusFromWin32,
  STATUS_BAD_NETWORK_PATH,
  STATUS_INVALID_HANDLE,
  STATUS_INVALID_PARAMETER,
  STATUS_OBJECT_NAME_INVALID,
  STATUS_OBJECT_NAME_NOT_FOUND,
  STATUS_OBJECT_PATH_NOT_FOUND,
  STATUS_OBJECT_PATH_SYNTAX_BAD,
} from '../../kernel/ntstatus.js';
import type { ApiContext } from '../types.js';
import { OBJECT_ATTRIBUTES, readUnicodeString } from './ntdef.js';

// CreateDisposition
export const FILE_SUPERSEDE = 0;
export const FILE_OPEN = 1;
export const FILE_CREATE = 2;
export const FILE_OPEN_IF = 3;
export const FILE_OVERWRITE = 4;
export const FILE_OVERWRITE_IF = 5;
// CreateOptions
export const FILE_DIRECTORY_FILE = 0x1;
export const FILE_WRITE_THROUGH = 0x2;
export const FILE_SEQUENTIAL_ONLY = 0x4;
export const FILE_NO_INTERMEDIATE_BUFFERING = 0x8;
export const FILE_SYNCHRONOUS_IO_ALERT = 0x10;
export const FILE_SYNCHRONOUS_IO_NONALERT = 0x20;
export const FILE_NON_DIRECTORY_FILE = 0x40;
export const FILE_DELETE_ON_CLOSE = 0x1000;
/** The options FileModeInformation reports. */
export const FILE_MODE_OPTIONS = FILE_WRITE_THROUGH | FILE_SEQUENTIAL_ONLY | FILE_NO_INTERMEDIATE_BUFFERING | FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT | FILE_DELETE_ON_CLOSE;
/** What an OBJECT_ATTRIBUTES names. */
export type NtTarget =
  | { readonly kind: 'file'; readonly unix: string; readonly trailingSlash: boolean }
  | { readonly kind: 'device'; readonly device: string }
  | { readonly kind: 'error'; readonly status: number };

const fail = (status: number): NtTarget => ({ kind: 'error', status });
const DEVICE = /^(nul|con|aux|prn|com[1-9]|lpt[1-9]|conin\$|conout\$)$/i;

/** A DOS path below a drive letter, written the NT way: no `.` or `..` components, no empty
 *  ones, `\` only; a trailing `\` is allowed (it must then name a directory). */
function dosTarget(ctx: ApiContext, dos: string): NtTarget {
  const drive = dos.slice(0, 2);
  let rest = dos.slice(2);
  const trailingSlash = rest.length > 1 && rest.endsWith('\\');
  if (trailingSlash) rest = rest.slice(0, -1);
  if (rest !== '' && !rest.startsWith('\\')) return fail(STATUS_OBJECT_NAME_INVALID);
  const comps = rest === '' ? [] : rest.slice(1).split('\\');
  if (comps.some((c) => c === '' || c === '.' || c === '..' || c.includes('/'))) return fail(STATUS_OBJECT_NAME_INVALID);
  const r = ctx.process.drives.resolve(drive + '\\' + comps.join('\\'));
  if (r.kind === 'error') return fail(ntStatusFromWin32(r.error));
  if (r.kind === 'device') return { kind: 'device', device: r.device };
  return { kind: 'file', unix: r.unix, trailingSlash };
}

/** Resolves an NT name: `\??\` (also `\DosDevices\`, `\GLOBAL??\`) with a drive path, a DOS
 *  device or `UNC\…`; `\Device\Null`; or, with a directory handle, a name relative to it. */
export function resolveName(ctx: ApiContext, root: number, name: string): NtTarget {
  if (root) {
    const o = ctx.process.handles.lookup(root);
    if (!o || o.type !== HandleType.Directory) return fail(STATUS_INVALID_HANDLE);
    if (name.startsWith('\\')) return fail(STATUS_INVALID_PARAMETER);
    const dir = pathOfHandle(ctx.process, root);
    if (!dir.ok) return fail(ntStatusFromWin32(dir.error));
    const dos = ctx.process.drives.toDos(dir.value).replace(/\\$/, '');
    return dosTarget(ctx, name === '' ? dos : dos + '\\' + name);
  }
  if (!name.startsWith('\\')) return fail(STATUS_OBJECT_PATH_SYNTAX_BAD);
  const dosDevices = /^\\(\?\?|DosDevices|GLOBAL\?\?)\\(.*)$/i.exec(name);
  if (dosDevices) {
    const rest = dosDevices[2]!;
    if (/^[a-zA-Z]:(\\|$)/.test(rest)) return dosTarget(ctx, rest);
    if (DEVICE.test(rest)) return { kind: 'device', device: rest.toUpperCase() };
    if (/^unc(\\|$)/i.test(rest)) return fail(STATUS_BAD_NETWORK_PATH);
    return fail(rest.includes('\\') ? STATUS_OBJECT_PATH_NOT_FOUND : STATUS_OBJECT_NAME_NOT_FOUND);
  }
  if (/^\\Device\\Null$/i.test(name)) return { kind: 'device', device: 'NUL' };
  return fail(name.indexOf('\\', 1) > 0 ? STATUS_OBJECT_PATH_NOT_FOUND : STATUS_OBJECT_NAME_NOT_FOUND);
}

/** What an OBJECT_ATTRIBUTES names. */
export function resolveObject(ctx: ApiContext, oa: number): NtTarget {
  ctx.mem.check(oa, OBJECT_ATTRIBUTES.Size);
  const root = ctx.mem.ptr(oa + OBJECT_ATTRIBUTES.RootDirectory);
  const namePtr = ctx.mem.ptr(oa + OBJECT_ATTRIBUTES.ObjectName);
  return resolveName(ctx, root, namePtr ? readUnicodeString(ctx, namePtr) : '');
}
