/** Path names and volumes: GetFullPathName, the current directory, the temporary and system
 *  directories, drives and volumes, GetFinalPathNameByHandle. */
import { failed } from '../../host/fs.js';
import { closeFileHandle, missingError, openFile, pathOfHandle } from '../../kernel/files.js';
import { filePartOffset } from '../../kernel/paths.js';
import {
  ERROR_DIRECTORY,
  ERROR_FILE_EXISTS,
  ERROR_FILENAME_EXCED_RANGE,
  ERROR_INVALID_PARAMETER,
  ERROR_PATH_NOT_FOUND,
  ERROR_SUCCESS,
  win32FromErrno,
} from '../../kernel/win32error.js';
import { FILE_SYSTEM_FLAGS, FILE_SYSTEM_NAME, MAX_COMPONENT_LENGTH, VOLUME_SERIAL, volumeDevicePath } from '../../kernel/volume.js';
import type { ApiContext } from '../types.js';
import { currentDirectory, encoded, fullPath, putString, readPath, storeCurrentDirectory, unixPath, type Charset } from './pathstr.js';

const MAX_PATH = 260;

function getFullPathName(ctx: ApiContext, cs: Charset, name: number, size: number, buf: number, filePart: number): number {
  const full = fullPath(ctx, readPath(ctx, name, cs));
  if (full === undefined) return 0;
  const r = putString(ctx, buf, size, full, cs);
  if (filePart && r < size) {
    const off = filePartOffset(full);
    // The offset in the output's own units (bytes for A: UTF-8 before the file part).
    const units = off < 0 ? -1 : encoded(ctx, full.slice(0, off), cs).length;
    ctx.mem.setU64(filePart, units < 0 ? 0 : buf + units * (cs === 'W' ? 2 : 1));
  }
  return r;
}
export const GetFullPathNameW = (ctx: ApiContext, n: number, size: number, buf: number, fp: number): number => getFullPathName(ctx, 'W', n, size, buf, fp);
export const GetFullPathNameA = (ctx: ApiContext, n: number, size: number, buf: number, fp: number): number => getFullPathName(ctx, 'A', n, size, buf, fp);

function getCurrentDirectory(ctx: ApiContext, cs: Charset, size: number, buf: number): number {
  let cwd = currentDirectory(ctx);
  if (cwd.length > 3) cwd = cwd.replace(/\\$/, '');
  return putString(ctx, buf, size, cwd, cs);
}
export const GetCurrentDirectoryW = (ctx: ApiContext, size: number, buf: number): number => getCurrentDirectory(ctx, 'W', size, buf);
export const GetCurrentDirectoryA = (ctx: ApiContext, size: number, buf: number): number => getCurrentDirectory(ctx, 'A', size, buf);

function setCurrentDirectory(ctx: ApiContext, cs: Charset, name: number): number {
  const text = readPath(ctx, name, cs);
  const full = fullPath(ctx, text);
  const fail = (e: number): number => {
    ctx.setLastError(e);
    return 0;
  };
  if (full === undefined) return fail(ERROR_PATH_NOT_FOUND);
  if (full.length + 1 >= MAX_PATH - 1) return fail(ERROR_FILENAME_EXCED_RANGE);
  const unix = unixPath(ctx, full);
  if (unix === undefined) return 0;
  const st = ctx.process.fs.stat(unix);
  if (failed(st)) return fail(st.errno === 'ENOENT' ? missingError(ctx.process, unix) : win32FromErrno(st.errno));
  if (!st.isDirectory) return fail(ERROR_DIRECTORY);
  if (!storeCurrentDirectory(ctx, full)) return fail(ERROR_FILENAME_EXCED_RANGE);
  return 1;
}
export const SetCurrentDirectoryW = (ctx: ApiContext, name: number): number => setCurrentDirectory(ctx, 'W', name);
export const SetCurrentDirectoryA = (ctx: ApiContext, name: number): number => setCurrentDirectory(ctx, 'A', name);

/** GetTempPath: %TMP%, %TEMP%, %USERPROFILE%, then the Windows directory; with a trailing `\`. */
export function tempPath(ctx: ApiContext): string {
  const env = ctx.process.environment;
  const find = (k: string): string | undefined => {
    for (const [n, v] of env) if (n.toUpperCase() === k && v !== '') return v;
    return undefined;
  };
  const raw = find('TMP') ?? find('TEMP') ?? find('USERPROFILE') ?? 'C:\\windows';
  const full = fullPath(ctx, raw) ?? 'C:\\windows';
  return full.endsWith('\\') ? full : full + '\\';
}
function getTempPath(ctx: ApiContext, cs: Charset, size: number, buf: number): number {
  return putString(ctx, buf, size, tempPath(ctx), cs);
}
export const GetTempPathW = (ctx: ApiContext, size: number, buf: number): number => getTempPath(ctx, 'W', size, buf);
export const GetTempPathA = (ctx: ApiContext, size: number, buf: number): number => getTempPath(ctx, 'A', size, buf);
export const GetTempPath2W = GetTempPathW;
export const GetTempPath2A = GetTempPathA;

function getTempFileName(ctx: ApiContext, cs: Charset, dir: number, prefix: number, unique: number, buf: number): number {
  const d = readPath(ctx, dir, cs);
  const pre = prefix ? readPath(ctx, prefix, cs).slice(0, 3) : '';
  const base = d.endsWith('\\') || d.endsWith('/') ? d : d + '\\';
  const nameFor = (u: number): string => `${base}${pre}${(u & 0xffff).toString(16).toUpperCase()}.tmp`;
  const store = (s: string): void => void putString(ctx, buf, MAX_PATH, s, cs);
  if (unique !== 0) {
    store(nameFor(unique));
    return unique & 0xffff;
  }
  const dirUnix = unixPath(ctx, d);
  if (dirUnix === undefined) return 0;
  const st = ctx.process.fs.stat(dirUnix);
  if (failed(st) || !st.isDirectory) {
    ctx.setLastError(ERROR_DIRECTORY);
    return 0;
  }
  let u = (ctx.process.tickCount() & 0xffff) || 1;
  for (let tries = 0; tries < 0x10000; tries++, u = (u % 0xffff) + 1) {
    const name = nameFor(u);
    const unix = unixPath(ctx, name);
    if (unix === undefined) return 0;
    const o = openFile(ctx.process, unix, 0x40000000, 0, 1, 0);
    if (o.ok) {
      closeFileHandle(ctx.process, o.value.handle);
      store(name);
      ctx.setLastError(ERROR_SUCCESS);
      return u;
    }
    if (o.error !== ERROR_FILE_EXISTS) {
      ctx.setLastError(o.error);
      return 0;
    }
  }
  ctx.setLastError(ERROR_FILE_EXISTS);
  return 0;
}
export const GetTempFileNameW = (ctx: ApiContext, d: number, p: number, u: number, b: number): number => getTempFileName(ctx, 'W', d, p, u, b);
export const GetTempFileNameA = (ctx: ApiContext, d: number, p: number, u: number, b: number): number => getTempFileName(ctx, 'A', d, p, u, b);

/** GetLongPathName / GetShortPathName: there are no 8.3 names; the path must exist. */
function longPathName(ctx: ApiContext, cs: Charset, name: number, buf: number, size: number): number {
  if (name === 0) {
    ctx.setLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  const text = readPath(ctx, name, cs);
  const unix = unixPath(ctx, text);
  if (unix === undefined) return 0;
  const st = ctx.process.fs.stat(unix);
  if (failed(st)) {
    ctx.setLastError(st.errno === 'ENOENT' ? missingError(ctx.process, unix) : win32FromErrno(st.errno));
    return 0;
  }
  return putString(ctx, buf, size, text, cs);
}
export const GetLongPathNameW = (ctx: ApiContext, n: number, b: number, s: number): number => longPathName(ctx, 'W', n, b, s);
export const GetLongPathNameA = (ctx: ApiContext, n: number, b: number, s: number): number => longPathName(ctx, 'A', n, b, s);
export const GetShortPathNameW = GetLongPathNameW;
export const GetShortPathNameA = GetLongPathNameA;

function systemDir(ctx: ApiContext, cs: Charset, buf: number, size: number, dir: string): number {
  ctx.process.drives.ensurePrefix();
  return putString(ctx, buf, size, dir, cs);
}
export const GetWindowsDirectoryW = (ctx: ApiContext, b: number, s: number): number => systemDir(ctx, 'W', b, s, 'C:\\windows');
export const GetWindowsDirectoryA = (ctx: ApiContext, b: number, s: number): number => systemDir(ctx, 'A', b, s, 'C:\\windows');
export const GetSystemWindowsDirectoryW = GetWindowsDirectoryW;
export const GetSystemWindowsDirectoryA = GetWindowsDirectoryA;
export const GetSystemDirectoryW = (ctx: ApiContext, b: number, s: number): number => systemDir(ctx, 'W', b, s, 'C:\\windows\\system32');
export const GetSystemDirectoryA = (ctx: ApiContext, b: number, s: number): number => systemDir(ctx, 'A', b, s, 'C:\\windows\\system32');

export function GetLogicalDrives(ctx: ApiContext): number {
  return ctx.process.drives.logicalDrives();
}

function getLogicalDriveStrings(ctx: ApiContext, cs: Charset, size: number, buf: number): number {
  const mask = ctx.process.drives.logicalDrives();
  let s = '';
  for (let i = 0; i < 26; i++) if (mask & (1 << i)) s += String.fromCharCode(65 + i) + ':\\\0';
  const e = encoded(ctx, s, cs);
  if (e.length + 1 > size) return e.length + 1;
  const z = cs === 'W' ? new Uint16Array(e.length + 1) : new Uint8Array(e.length + 1);
  z.set(e);
  ctx.mem.write(buf, new Uint8Array(z.buffer));
  return e.length;
}
export const GetLogicalDriveStringsW = (ctx: ApiContext, size: number, buf: number): number => getLogicalDriveStrings(ctx, 'W', size, buf);
export const GetLogicalDriveStringsA = (ctx: ApiContext, size: number, buf: number): number => getLogicalDriveStrings(ctx, 'A', size, buf);

const DRIVE_NO_ROOT_DIR = 1;
const DRIVE_FIXED = 3;
function getDriveType(ctx: ApiContext, cs: Charset, root: number): number {
  const text = root ? readPath(ctx, root, cs) : currentDirectory(ctx);
  const m = /^([a-zA-Z]):/.exec(text);
  if (!m) return DRIVE_NO_ROOT_DIR;
  return ctx.process.drives.driveRoot(m[1]!) === undefined ? DRIVE_NO_ROOT_DIR : DRIVE_FIXED;
}
export const GetDriveTypeW = (ctx: ApiContext, root: number): number => getDriveType(ctx, 'W', root);
export const GetDriveTypeA = (ctx: ApiContext, root: number): number => getDriveType(ctx, 'A', root);

function statfsOf(ctx: ApiContext, cs: Charset, root: number): { bsize: number; blocks: number; bavail: number; bfree: number } | undefined {
  const unix = unixPath(ctx, root ? readPath(ctx, root, cs) : currentDirectory(ctx));
  if (unix === undefined) return undefined;
  const s = ctx.process.fs.statfs(unix);
  if (failed(s)) {
    ctx.setLastError(s.errno === 'ENOENT' ? ERROR_PATH_NOT_FOUND : win32FromErrno(s.errno));
    return undefined;
  }
  return s;
}

function getDiskFreeSpaceEx(ctx: ApiContext, cs: Charset, root: number, avail: number, total: number, free: number): number {
  const s = statfsOf(ctx, cs, root);
  if (!s) return 0;
  const b = BigInt(s.bsize);
  if (avail) ctx.mem.setU64(avail, BigInt(s.bavail) * b);
  if (total) ctx.mem.setU64(total, BigInt(s.blocks) * b);
  if (free) ctx.mem.setU64(free, BigInt(s.bfree) * b);
  return 1;
}
export const GetDiskFreeSpaceExW = (ctx: ApiContext, r: number, a: number, t: number, f: number): number => getDiskFreeSpaceEx(ctx, 'W', r, a, t, f);
export const GetDiskFreeSpaceExA = (ctx: ApiContext, r: number, a: number, t: number, f: number): number => getDiskFreeSpaceEx(ctx, 'A', r, a, t, f);

function getDiskFreeSpace(ctx: ApiContext, cs: Charset, root: number, spc: number, bps: number, freeClusters: number, totalClusters: number): number {
  const s = statfsOf(ctx, cs, root);
  if (!s) return 0;
  // Clusters are counted in the file system's blocks, as sectors of 512 bytes; both counts
  // saturate at 32 bits as on Windows for large volumes.
  const sectors = Math.max(1, Math.floor(s.bsize / 512));
  if (spc) ctx.mem.setU32(spc, sectors);
  if (bps) ctx.mem.setU32(bps, 512);
  if (freeClusters) ctx.mem.setU32(freeClusters, Math.min(s.bavail, 0xffffffff));
  if (totalClusters) ctx.mem.setU32(totalClusters, Math.min(s.blocks, 0xffffffff));
  return 1;
}
export const GetDiskFreeSpaceW = (ctx: ApiContext, r: number, a: number, b: number, c: number, d: number): number => getDiskFreeSpace(ctx, 'W', r, a, b, c, d);
export const GetDiskFreeSpaceA = (ctx: ApiContext, r: number, a: number, b: number, c: number, d: number): number => getDiskFreeSpace(ctx, 'A', r, a, b, c, d);

function getVolumeInformation(ctx: ApiContext, cs: Charset, root: number, name: number, nameSize: number, serial: number, maxComp: number, flags: number, fsName: number, fsNameSize: number): number {
  const s = statfsOf(ctx, cs, root);
  if (!s) return 0;
  const put = (buf: number, size: number, v: string): boolean => {
    if (!buf) return true;
    if (putString(ctx, buf, size, v, cs) >= size) {
      ctx.setLastError(234 /* ERROR_MORE_DATA */);
      return false;
    }
    return true;
  };
  if (!put(name, nameSize, '')) return 0;
  if (serial) ctx.mem.setU32(serial, VOLUME_SERIAL);
  if (maxComp) ctx.mem.setU32(maxComp, MAX_COMPONENT_LENGTH);
  if (flags) ctx.mem.setU32(flags, FILE_SYSTEM_FLAGS);
  if (!put(fsName, fsNameSize, FILE_SYSTEM_NAME)) return 0;
  return 1;
}
export const GetVolumeInformationW = (ctx: ApiContext, ...a: [number, number, number, number, number, number, number, number]): number => getVolumeInformation(ctx, 'W', ...a);
export const GetVolumeInformationA = (ctx: ApiContext, ...a: [number, number, number, number, number, number, number, number]): number => getVolumeInformation(ctx, 'A', ...a);

const VOLUME_NAME_NT = 2;
const VOLUME_NAME_NONE = 4;
function getFinalPathNameByHandle(ctx: ApiContext, cs: Charset, h: number, buf: number, size: number, flags: number): number {
  const p = pathOfHandle(ctx.process, h);
  if (!p.ok) {
    ctx.setLastError(p.error);
    return 0;
  }
  const dos = ctx.process.drives.toDos(p.value);
  let s = '\\\\?\\' + dos;
  if (flags & VOLUME_NAME_NONE) s = dos.slice(2);
  else if (flags & VOLUME_NAME_NT) s = volumeDevicePath(dos);
  return putString(ctx, buf, size, s, cs);
}
export const GetFinalPathNameByHandleW = (ctx: ApiContext, h: number, b: number, s: number, f: number): number => getFinalPathNameByHandle(ctx, 'W', h, b, s, f);
export const GetFinalPathNameByHandleA = (ctx: ApiContext, h: number, b: number, s: number, f: number): number => getFinalPathNameByHandle(ctx, 'A', h, b, s, f);
