/**
 * DOS path names as ntdll sees them: their type, DOS device names, full path names, the
 * current directory (RtlGetCurrentDirectory_U), and the DOS → NT form (`C:\x` → `\??\C:\x`)
 * that NtCreateFile takes. The string rules are kernel/paths.ts's, shared with kernel32.
 */
import { STATUS_NO_MEMORY, STATUS_OBJECT_NAME_INVALID, STATUS_SUCCESS } from '../../kernel/ntstatus.js';
import { dosDeviceName, filePartOffset } from '../../kernel/paths.js';
import { currentDirectory, fullPath } from '../kernel32/pathstr.js';
import type { ApiContext } from '../types.js';
import { writeCounted } from './ntdef.js';
import { allocateString } from './rtlstring.js';

/** RTL_PATH_TYPE. */
export const RtlPathType = {
  Unknown: 0,
  UncAbsolute: 1,
  DriveAbsolute: 2,
  DriveRelative: 3,
  Rooted: 4,
  Relative: 5,
  LocalDevice: 6,
  RootLocalDevice: 7,
} as const;

const isSep = (c: string | undefined): boolean => c === '\\' || c === '/';

export function dosPathType(p: string): number {
  if (isSep(p[0])) {
    if (!isSep(p[1])) return RtlPathType.Rooted;
    if (p[2] === '.' || p[2] === '?') {
      if (isSep(p[3])) return RtlPathType.LocalDevice;
      if (p.length === 3) return RtlPathType.RootLocalDevice;
    }
    return RtlPathType.UncAbsolute;
  }
  if (p.length >= 2 && p[1] === ':') return isSep(p[2]) ? RtlPathType.DriveAbsolute : RtlPathType.DriveRelative;
  return RtlPathType.Relative;
}

export function RtlDetermineDosPathNameType_U(ctx: ApiContext, path: number): number {
  return dosPathType(ctx.mem.wstring(path));
}

/** Where the DOS device a path's last component names lies: (offset << 16) | length, both
 *  in bytes, or 0. UNC and `\\.\` paths never name one this way. */
export function dosDeviceSpan(p: string): number {
  const type = dosPathType(p);
  if (type === RtlPathType.UncAbsolute || type === RtlPathType.LocalDevice || type === RtlPathType.RootLocalDevice) return 0;
  let start = Math.max(p.lastIndexOf('\\'), p.lastIndexOf('/')) + 1;
  if (start === 0 && p[1] === ':') start = 2;
  const name = dosDeviceName(p.slice(start));
  return name === undefined ? 0 : ((2 * start) << 16) | (2 * name.length);
}

export function RtlIsDosDeviceName_U(ctx: ApiContext, path: number): number {
  return dosDeviceSpan(ctx.mem.wstring(path)) >>> 0;
}

/** RtlGetFullPathName_U(name, bufferBytes, buffer, filePart): bytes stored (without the NUL),
 *  or the bytes needed (with it) when the buffer is too small; 0 for an empty name. */
export function RtlGetFullPathName_U(ctx: ApiContext, name: number, size: number, buf: number, filePart: number): number {
  if (filePart) ctx.mem.setU64(filePart, 0);
  if (!name) return 0;
  const full = fullPath(ctx, ctx.mem.wstring(name));
  if (full === undefined) return 0;
  const bytes = 2 * full.length;
  if (bytes + 2 > size) return bytes + 2;
  ctx.mem.writeWString(buf, full);
  const off = filePartOffset(full);
  if (filePart && off >= 0) ctx.mem.setU64(filePart, buf + 2 * off);
  return bytes;
}

/** RtlGetCurrentDirectory_U(bufferBytes, buffer): as RtlGetFullPathName_U counts; the
 *  trailing `\` is kept only for a root. */
export function RtlGetCurrentDirectory_U(ctx: ApiContext, size: number, buf: number): number {
  let cwd = currentDirectory(ctx);
  if (cwd.length > 3) cwd = cwd.replace(/\\$/, '');
  const bytes = 2 * cwd.length;
  if (bytes + 2 > size) return bytes + 2;
  ctx.mem.writeWString(buf, cwd);
  return bytes;
}

export interface NtName {
  /** `\??\…` */
  nt: string;
  /** Offset of the file part in `nt`, or -1. */
  filePart: number;
}

/** The NT name of a DOS path: `\??\` + its full path; `\\?\x` → `\??\x` unchanged; UNC
 *  `\\server\share` → `\??\UNC\server\share`; a DOS device → `\??\NAME`. */
export function ntNameOf(ctx: ApiContext, dos: string): NtName | undefined {
  if (dos === '') return undefined;
  if (isSep(dos[0]) && isSep(dos[1]) && dos[2] === '?' && isSep(dos[3])) {
    const nt = '\\??\\' + dos.slice(4);
    const off = filePartOffset(nt);
    return { nt, filePart: off };
  }
  const full = fullPath(ctx, dos);
  if (full === undefined) return undefined;
  let nt: string;
  let filePart = -1;
  if (full.startsWith('\\\\.\\')) {
    nt = '\\??\\' + full.slice(4);
    if (!/^\\\\\.\\[^\\]+$/.test(full)) filePart = filePartOffset(nt);
  } else if (full.startsWith('\\\\')) {
    nt = '\\??\\UNC\\' + full.slice(2);
    filePart = filePartOffset(nt);
  } else {
    nt = '\\??\\' + full;
    filePart = filePartOffset(nt);
  }
  return { nt, filePart };
}

/** RTL_RELATIVE_NAME_U: UNICODE_STRING RelativeName, HANDLE ContainingDirectory, CurDirRef. */
const RTL_RELATIVE_NAME_SIZE = 32;

/** RtlDosPathNameToNtPathName_U_WithStatus(dos, ntName, filePart, relativeName): the NT name
 *  in a new buffer on the process heap (RtlFreeUnicodeString frees it). winrun never hands
 *  out a relative name: RelativeName is returned empty, so callers use the full name. */
export function RtlDosPathNameToNtPathName_U_WithStatus(ctx: ApiContext, dos: number, out: number, filePart: number, relative: number): number {
  const r = dos ? ntNameOf(ctx, ctx.mem.wstring(dos)) : undefined;
  if (!r) return STATUS_OBJECT_NAME_INVALID;
  const bytes = 2 * r.nt.length + 2;
  const buffer = allocateString(ctx, bytes);
  if (!buffer) return STATUS_NO_MEMORY;
  ctx.mem.writeWString(buffer, r.nt);
  writeCounted(ctx, out, { length: bytes - 2, maximumLength: bytes, buffer });
  if (filePart) ctx.mem.setU64(filePart, r.filePart < 0 ? 0 : buffer + 2 * r.filePart);
  if (relative) ctx.mem.fill(relative, 0, RTL_RELATIVE_NAME_SIZE);
  return STATUS_SUCCESS;
}

export function RtlDosPathNameToNtPathName_U(ctx: ApiContext, dos: number, out: number, filePart: number, relative: number): number {
  return RtlDosPathNameToNtPathName_U_WithStatus(ctx, dos, out, filePart, relative) === STATUS_SUCCESS ? 1 : 0;
}
