/**
 * The Linux file system as the kernel layer sees it: every call returns a value or an errno
 * name ('ENOENT', …) instead of throwing, so that kernel/ turns failures into Win32 errors
 * through one table. Reads and writes go straight between a descriptor and guest memory views.
 */
import * as fs from 'node:fs';
import { libcDup, libcErrno, libcFtruncate, libcLseek } from '../native/ffi.js';

export type Errno = string;
export interface Failed {
  readonly errno: Errno;
}
export type HostResult<T> = T | Failed;

export function failed<T>(r: HostResult<T>): r is Failed {
  return typeof r === 'object' && r !== null && 'errno' in r;
}

function attempt<T>(f: () => T): HostResult<T> {
  try {
    return f();
  } catch (e) {
    return { errno: (e as { code?: string }).code ?? 'EIO' };
  }
}

export interface HostStat {
  isFile: boolean;
  isDirectory: boolean;
  isSymlink: boolean;
  isCharDevice: boolean;
  isFifo: boolean;
  isSocket: boolean;
  size: bigint;
  mode: number;
  dev: bigint;
  ino: bigint;
  nlink: number;
  /** Times in nanoseconds since the Unix epoch. */
  atimeNs: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  birthtimeNs: bigint;
}

function toStat(s: fs.BigIntStats): HostStat {
  return {
    isFile: s.isFile(),
    isDirectory: s.isDirectory(),
    isSymlink: s.isSymbolicLink(),
    isCharDevice: s.isCharacterDevice(),
    isFifo: s.isFIFO(),
    isSocket: s.isSocket(),
    size: s.size,
    mode: Number(s.mode),
    dev: s.dev,
    ino: s.ino,
    nlink: Number(s.nlink),
    atimeNs: s.atimeNs,
    mtimeNs: s.mtimeNs,
    ctimeNs: s.ctimeNs,
    birthtimeNs: s.birthtimeNs > 0n ? s.birthtimeNs : s.mtimeNs,
  };
}

export const O = fs.constants;

export const hostFs = {
  open: (path: string, flags: number, mode = 0o666): HostResult<number> => attempt(() => fs.openSync(path, flags, mode)),
  close: (fd: number): HostResult<void> => attempt(() => fs.closeSync(fd)),
  stat: (path: string): HostResult<HostStat> => attempt(() => toStat(fs.statSync(path, { bigint: true }))),
  lstat: (path: string): HostResult<HostStat> => attempt(() => toStat(fs.lstatSync(path, { bigint: true }))),
  fstat: (fd: number): HostResult<HostStat> => attempt(() => toStat(fs.fstatSync(fd, { bigint: true }))),
  readdir: (path: string): HostResult<string[]> => attempt(() => fs.readdirSync(path)),
  /** A whole (small) file. */
  readFile: (path: string): HostResult<Uint8Array> =>
    attempt(() => {
      const b = fs.readFileSync(path);
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    }),
  mkdir: (path: string): HostResult<void> => attempt(() => void fs.mkdirSync(path)),
  mkdirp: (path: string): HostResult<void> => attempt(() => void fs.mkdirSync(path, { recursive: true })),
  rmdir: (path: string): HostResult<void> => attempt(() => fs.rmdirSync(path)),
  unlink: (path: string): HostResult<void> => attempt(() => fs.unlinkSync(path)),
  rename: (from: string, to: string): HostResult<void> => attempt(() => fs.renameSync(from, to)),
  link: (from: string, to: string): HostResult<void> => attempt(() => fs.linkSync(from, to)),
  copyFile: (from: string, to: string, exclusive: boolean): HostResult<void> => attempt(() => fs.copyFileSync(from, to, exclusive ? fs.constants.COPYFILE_EXCL : 0)),
  chmod: (path: string, mode: number): HostResult<void> => attempt(() => fs.chmodSync(path, mode)),
  /** Times in nanoseconds since the Unix epoch; undefined keeps the current value. */
  futimes: (fd: number, atimeNs: bigint, mtimeNs: bigint): HostResult<void> => attempt(() => fs.futimesSync(fd, Number(atimeNs) / 1e9, Number(mtimeNs) / 1e9)),
  readlink: (path: string): HostResult<string> => attempt(() => fs.readlinkSync(path)),
  realpath: (path: string): HostResult<string> => attempt(() => fs.realpathSync(path)),
  statfs: (path: string): HostResult<{ bsize: number; blocks: number; bavail: number; bfree: number }> =>
    attempt(() => {
      const s = fs.statfsSync(path);
      return { bsize: s.bsize, blocks: s.blocks, bavail: s.bavail, bfree: s.bfree };
    }),
  fsync: (fd: number): HostResult<void> => attempt(() => fs.fsyncSync(fd)),
  /** Reads into `view` at the descriptor's position (or at `position`); 0 at end of file. */
  read: (fd: number, view: Uint8Array, position: number | null = null): HostResult<number> =>
    attempt(() => {
      for (;;) {
        try {
          return fs.readSync(fd, view, 0, view.length, position);
        } catch (e) {
          const code = (e as { code?: string }).code;
          if (code === 'EAGAIN' || code === 'EINTR') continue;
          if (code === 'EOF') return 0;
          throw e;
        }
      }
    }),
  /** Writes all of `view` (short writes are continued). */
  write: (fd: number, view: Uint8Array, position: number | null = null): HostResult<number> =>
    attempt(() => {
      let done = 0;
      while (done < view.length) {
        try {
          done += fs.writeSync(fd, view, done, view.length - done, position === null ? null : position + done);
        } catch (e) {
          const code = (e as { code?: string }).code;
          if (code === 'EAGAIN' || code === 'EINTR') continue;
          if (done > 0) return done;
          throw e;
        }
      }
      return done;
    }),
  /** lseek(2): the new offset, or an errno. */
  seek: (fd: number, offset: bigint, whence: 0 | 1 | 2): HostResult<bigint> => {
    const r = libcLseek(fd, offset, whence);
    const v = typeof r === 'bigint' ? r : BigInt(r);
    if (v < 0n) return { errno: errnoName(libcErrno()) };
    return v;
  },
  /** dup(2): a second descriptor sharing the file position. */
  dup: (fd: number): HostResult<number> => {
    const r = libcDup(fd);
    return r < 0 ? { errno: errnoName(libcErrno()) } : r;
  },
  truncate: (fd: number, length: bigint): HostResult<void> => {
    if (libcFtruncate(fd, length) !== 0) return { errno: errnoName(libcErrno()) };
    return undefined;
  },
};

const ERRNO_NAMES: Record<number, string> = { 1: 'EPERM', 2: 'ENOENT', 5: 'EIO', 9: 'EBADF', 13: 'EACCES', 22: 'EINVAL', 27: 'EFBIG', 28: 'ENOSPC', 29: 'ESPIPE', 30: 'EROFS' };
function errnoName(n: number): string {
  return ERRNO_NAMES[n] ?? 'EIO';
}

export type HostFs = typeof hostFs;

/** The login name, for C:\users\<name>. */
export function hostUserName(): string {
  return process.env.USER ?? process.env.LOGNAME ?? 'user';
}

export function hostHomeDataDir(): string {
  const xdg = process.env.XDG_DATA_HOME;
  if (xdg && xdg.startsWith('/')) return xdg;
  return (process.env.HOME ?? '/tmp') + '/.local/share';
}
