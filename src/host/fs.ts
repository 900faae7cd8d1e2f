/**
 * The Linux file system as the kernel layer sees it: every call returns a value or an errno
 * name ('ENOENT', …) instead of throwing, so that kernel/ turns failures into Win32 errors
 * through one table. Reads and writes go straight between a descriptor and guest memory views.
 */
import * as fs from 'node:fs';
import { libcDup, libcErrno, libcFcntlLock, libcFtruncate, libcFutimens, libcInotifyAddWatch, libcInotifyInit1, libcLseek, libcStatx } from '../native/ffi.js';

export type Errno = string;
export interface Failed {
  readonly errno: Errno;
}
export type HostResult<T> = T | Failed;

const NS = 1_000_000_000n;

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

const S_IFMT = 0o170000;
const STATX_BASIC_AND_BTIME = 0xfff;
const STATX_BTIME = 0x800;

const statxBuf = new Uint8Array(256);
const statxView = new DataView(statxBuf.buffer);

/** The few facts a directory listing needs, as plain numbers (no BigInt: FindNextFile runs
 *  once per entry). Times are seconds and nanoseconds since the Unix epoch. */
export interface ListingStat {
  isDirectory: boolean;
  mode: number;
  size: number;
  btimeSec: number;
  btimeNsec: number;
  atimeSec: number;
  atimeNsec: number;
  mtimeSec: number;
  mtimeNsec: number;
}

function listingStatAt(dirfd: number, name: string): HostResult<ListingStat> {
  if (libcStatx(dirfd, name, 0, STATX_BASIC_AND_BTIME, statxBuf) !== 0) return { errno: errnoName(libcErrno()) };
  const dv = statxView;
  const sec = (at: number): number => dv.getUint32(at, true) + dv.getInt32(at + 4, true) * 0x100000000;
  const hasBirth = (dv.getUint32(0, true) & STATX_BTIME) !== 0;
  return {
    isDirectory: (dv.getUint16(28, true) & S_IFMT) === 0o040000,
    mode: dv.getUint16(28, true),
    size: dv.getUint32(40, true) + dv.getUint32(44, true) * 0x100000000,
    btimeSec: sec(hasBirth ? 80 : 112),
    btimeNsec: dv.getUint32(hasBirth ? 88 : 120, true),
    atimeSec: sec(64),
    atimeNsec: dv.getUint32(72, true),
    mtimeSec: sec(112),
    mtimeNsec: dv.getUint32(120, true),
  };
}

export const hostFs = {
  open: (path: string, flags: number, mode = 0o666): HostResult<number> => attempt(() => fs.openSync(path, flags, mode)),
  close: (fd: number): HostResult<void> => attempt(() => fs.closeSync(fd)),
  listingStatAt,
  /** A descriptor of a directory (for listingStatAt). */
  openDir: (path: string): HostResult<number> => attempt(() => fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY)),
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
  /** Exact to the nanosecond: FILETIMEs have 100 ns steps, which seconds as a double lose. */
  futimes: (fd: number, atimeNs: bigint, mtimeNs: bigint): HostResult<void> => {
    const times = BigInt64Array.of(atimeNs / NS, atimeNs % NS, mtimeNs / NS, mtimeNs % NS);
    // Times before 1970 have a negative remainder; timespec wants 0 ≤ tv_nsec < 1e9.
    for (const i of [0, 2]) {
      if (times[i + 1]! < 0n) {
        times[i] = times[i]! - 1n;
        times[i + 1] = times[i + 1]! + NS;
      }
    }
    return libcFutimens(fd, times) === 0 ? undefined : { errno: errnoName(libcErrno()) };
  },
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
  /**
   * A byte-range lock owned by the open file description (F_OFD_SETLK): it conflicts with
   * locks of other descriptions, in this process or another, as Windows locks conflict between
   * handles. `type` is 'read', 'write' or 'unlock'; EAGAIN reports a conflict.
   */
  lockRange: (fd: number, type: 'read' | 'write' | 'unlock', start: bigint, length: bigint, wait: boolean): HostResult<void> => {
    const F_OFD_SETLK = 37;
    const F_OFD_SETLKW = 38;
    const lk = { l_type: type === 'read' ? 0 : type === 'write' ? 1 : 2, l_whence: 0, l_start: start, l_len: length, l_pid: 0 };
    if (libcFcntlLock(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, lk) !== 0) return { errno: errnoName(libcErrno()) };
    return undefined;
  },
  /** inotify(7): a new instance (close-on-exec), or an errno. */
  inotifyInit: (): HostResult<number> => {
    const fd = libcInotifyInit1(0o2000000 /* IN_CLOEXEC */);
    return fd < 0 ? { errno: errnoName(libcErrno()) } : fd;
  },
  /** Watches `path` for the IN_* events of `mask`; the watch descriptor, or an errno. */
  inotifyWatch: (fd: number, path: string, mask: number): HostResult<number> => {
    const wd = libcInotifyAddWatch(fd, path, mask);
    return wd < 0 ? { errno: errnoName(libcErrno()) } : wd;
  },
  /** The user id (names of shared objects are per user). */
  uid: (): number => process.getuid?.() ?? 0,
  truncate: (fd: number, length: bigint): HostResult<void> => {
    if (libcFtruncate(fd, length) !== 0) return { errno: errnoName(libcErrno()) };
    return undefined;
  },
};

const ERRNO_NAMES: Record<number, string> = { 1: 'EPERM', 2: 'ENOENT', 20: 'ENOTDIR', 40: 'ELOOP', 36: 'ENAMETOOLONG', 4: 'EINTR', 5: 'EIO', 9: 'EBADF', 11: 'EAGAIN', 12: 'ENOMEM', 35: 'EDEADLK', 13: 'EACCES', 22: 'EINVAL', 27: 'EFBIG', 28: 'ENOSPC', 29: 'ESPIPE', 30: 'EROFS' };
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
