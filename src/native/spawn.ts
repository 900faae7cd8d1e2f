/**
 * Child processes without libuv (DESIGN.md §5, issue 10): the guest blocks the Node main thread
 * in its waits, so child_process's events could never fire there. Children start with
 * posix_spawn, are watched through a pidfd (poll for timed waits) and reaped with
 * waitid(P_PIDFD): libuv only waitpid()s the children it started itself, so nothing races.
 * Pipes come from pipe2(O_CLOEXEC): a descriptor reaches a child only through an explicit dup2
 * in the spawn's file actions.
 */
import { koffi, libcErrno } from './ffi.js';

const libc = koffi.load('libc.so.6');

const pipe2Call = libc.func('int pipe2(_Out_ int *fds, int flags)') as (fds: Int32Array, flags: number) => number;
const spawnCall = libc.func('int posix_spawn(_Out_ int *pid, const char *path, void *fa, void *attr, char **argv, char **envp)') as (
  pid: Int32Array,
  path: string,
  fa: Uint8Array,
  attr: Uint8Array,
  argv: (string | null)[],
  envp: (string | null)[],
) => number;
const faInit = libc.func('int posix_spawn_file_actions_init(void *fa)') as (fa: Uint8Array) => number;
const faDestroy = libc.func('int posix_spawn_file_actions_destroy(void *fa)') as (fa: Uint8Array) => number;
const faDup2 = libc.func('int posix_spawn_file_actions_adddup2(void *fa, int fd, int newfd)') as (fa: Uint8Array, fd: number, newfd: number) => number;
const faOpen = libc.func('int posix_spawn_file_actions_addopen(void *fa, int fd, const char *path, int oflag, int mode)') as (fa: Uint8Array, fd: number, path: string, oflag: number, mode: number) => number;
const faChdir = libc.func('int posix_spawn_file_actions_addchdir_np(void *fa, const char *path)') as (fa: Uint8Array, path: string) => number;
const attrInit = libc.func('int posix_spawnattr_init(void *attr)') as (a: Uint8Array) => number;
const attrDestroy = libc.func('int posix_spawnattr_destroy(void *attr)') as (a: Uint8Array) => number;
const attrSetFlags = libc.func('int posix_spawnattr_setflags(void *attr, short flags)') as (a: Uint8Array, f: number) => number;
const attrSetSigmask = libc.func('int posix_spawnattr_setsigmask(void *attr, void *set)') as (a: Uint8Array, s: Uint8Array) => number;
const attrSetSigdefault = libc.func('int posix_spawnattr_setsigdefault(void *attr, void *set)') as (a: Uint8Array, s: Uint8Array) => number;
const attrSetPgroup = libc.func('int posix_spawnattr_setpgroup(void *attr, int pgroup)') as (a: Uint8Array, g: number) => number;
const sigEmpty = libc.func('int sigemptyset(void *set)') as (s: Uint8Array) => number;
const sigAdd = libc.func('int sigaddset(void *set, int sig)') as (s: Uint8Array, sig: number) => number;
const syscall2 = libc.func('long syscall(long n, long a, long b)') as (n: number, a: number, b: number) => number;
const syscall4 = libc.func('long syscall(long n, long a, long b, long c, long d)') as (n: number, a: number, b: number, c: number, d: number) => number;
const pollCall = libc.func('int poll(_Inout_ int16_t *fds, unsigned long n, int timeout)') as (fds: Int16Array, n: number, timeout: number) => number;
const waitidCall = libc.func('int waitid(int idtype, int id, _Out_ uint8_t *info, int options)') as (idtype: number, id: number, info: Uint8Array, options: number) => number;
const fcntl3 = libc.func('int fcntl(int fd, int cmd, int arg)') as (fd: number, cmd: number, arg: number) => number;
const ioctlInt = libc.func('int ioctl(int fd, unsigned long req, _Out_ int *arg)') as (fd: number, req: number, arg: Int32Array) => number;
const closeCall = libc.func('int close(int fd)') as (fd: number) => number;
const killCall = libc.func('int kill(int pid, int sig)') as (pid: number, sig: number) => number;
const readCall = libc.func('long read(int fd, _Out_ uint8_t *buf, unsigned long n)') as (fd: number, buf: Uint8Array, n: number) => number;

const SYS_pidfd_open = 434;
const SYS_pidfd_send_signal = 424;
const O_CLOEXEC = 0o2000000;
const O_NONBLOCK = 0o4000;
const F_DUPFD_CLOEXEC = 1030;
const F_GETFD = 1;
const F_SETFD = 2;
const F_GETFL = 3;
const F_SETFL = 4;
const FD_CLOEXEC = 1;
const FIONREAD = 0x541b;
const POLLIN = 1;
const P_PIDFD = 3;
const WEXITED = 4;
const WNOHANG = 1;
const WNOWAIT = 0x01000000;
const CLD_EXITED = 1;
const POSIX_SPAWN_SETPGROUP = 0x02;
const POSIX_SPAWN_SETSIGDEF = 0x04;
const POSIX_SPAWN_SETSIGMASK = 0x08;
const EINTR = 4;

/** An errno, for the caller's errno → Win32 table. */
export class SpawnError extends Error {
  override readonly name = 'SpawnError';
  constructor(
    readonly errno: number,
    readonly call: string,
  ) {
    super(`${call} failed (errno ${errno})`);
  }
}

/** A new pipe: [read end, write end], both close-on-exec (O_NONBLOCK on both when asked). */
export function makePipe(nonBlocking = false): [number, number] {
  const fds = new Int32Array(2);
  if (pipe2Call(fds, O_CLOEXEC | (nonBlocking ? O_NONBLOCK : 0)) !== 0) throw new SpawnError(libcErrno(), 'pipe2');
  return [fds[0]!, fds[1]!];
}

export interface SpawnRequest {
  /** The executable's Unix path. */
  path: string;
  argv: readonly string[];
  env: readonly string[];
  /** [parent descriptor, child descriptor]: what the child finds at each of its descriptors
   *  (every other descriptor of the parent is close-on-exec). -1 as the parent descriptor
   *  gives the child /dev/null there. */
  fds: readonly (readonly [number, number])[];
  /** The child's working directory (Unix). */
  cwd?: string;
  /** Start the child in a process group of its own (CREATE_NEW_PROCESS_GROUP). */
  newGroup?: boolean;
}

/** Starts a process; its pid, or a SpawnError (ENOENT, EACCES, ENOEXEC …). */
export function spawnProcess(req: SpawnRequest): number {
  const top = Math.max(10, ...req.fds.map(([, c]) => c + 1));
  // The sources move above every target first, so that no dup2 overwrites a later source.
  const moved: number[] = [];
  const fa = new Uint8Array(128);
  const attr = new Uint8Array(512);
  faInit(fa);
  attrInit(attr);
  try {
    for (const [p, c] of req.fds) {
      if (p < 0) {
        faOpen(fa, c, '/dev/null', 2 /* O_RDWR */, 0);
        continue;
      }
      const high = fcntl3(p, F_DUPFD_CLOEXEC, top);
      if (high < 0) throw new SpawnError(libcErrno(), 'fcntl');
      moved.push(high);
      faDup2(fa, high, c);
    }
    if (req.cwd !== undefined) faChdir(fa, req.cwd);
    const empty = new Uint8Array(128);
    sigEmpty(empty);
    // Node ignores SIGPIPE, and exec keeps an ignored signal ignored: a Linux child expects it.
    const defaults = new Uint8Array(128);
    sigEmpty(defaults);
    for (const s of [1, 2, 3, 13, 15]) sigAdd(defaults, s);
    attrSetSigmask(attr, empty);
    attrSetSigdefault(attr, defaults);
    let flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
    if (req.newGroup) {
      flags |= POSIX_SPAWN_SETPGROUP;
      attrSetPgroup(attr, 0);
    }
    attrSetFlags(attr, flags);
    const pid = new Int32Array(1);
    const r = spawnCall(pid, req.path, fa, attr, [...req.argv, null], [...req.env, null]);
    if (r !== 0) throw new SpawnError(r, 'posix_spawn');
    return pid[0]!;
  } finally {
    for (const fd of moved) closeCall(fd);
    faDestroy(fa);
    attrDestroy(attr);
  }
}

/** A pidfd for `pid` (close-on-exec), or -1. */
export function pidfdOpen(pid: number): number {
  return syscall2(SYS_pidfd_open, pid, 0);
}

/** Waits until `fd` is readable (a pidfd: the process ended) or `ms` pass (Infinity: no
 *  limit); true when readable. */
export function pollReadable(fd: number, ms: number): boolean {
  const end = Number.isFinite(ms) ? performance.now() + ms : Infinity;
  const pfd = new Int16Array(4);
  for (;;) {
    const left = end === Infinity ? -1 : Math.max(0, Math.ceil(end - performance.now()));
    const dv = new DataView(pfd.buffer);
    dv.setInt32(0, fd, true);
    dv.setInt16(4, POLLIN, true);
    dv.setInt16(6, 0, true);
    const r = pollCall(pfd, 1, Math.min(left, 0x7fffffff));
    if (r > 0) return true;
    if (r === 0) return false;
    if (libcErrno() !== EINTR) return false;
  }
}

/** How a process ended: its exit status (0–255), or the signal that killed it. */
export type Ended = { code: number } | { signal: number };

/** waitid(P_PIDFD): how the process ended, or undefined while it runs. `reap` collects it
 *  (otherwise it stays a zombie and can be asked again). */
export function waitPidfd(pidfd: number, reap: boolean): Ended | undefined {
  const info = new Uint8Array(128);
  for (;;) {
    const r = waitidCall(P_PIDFD, pidfd, info, WEXITED | WNOHANG | (reap ? 0 : WNOWAIT));
    if (r === 0) break;
    if (libcErrno() !== EINTR) return undefined;
  }
  const dv = new DataView(info.buffer);
  if (dv.getInt32(16, true) === 0) return undefined; // si_pid 0: still running
  const code = dv.getInt32(8, true);
  const status = dv.getInt32(24, true);
  return code === CLD_EXITED ? { code: status & 0xff } : { signal: status };
}

/** Sends `signal` to the process behind a pidfd; false when it is gone. */
export function pidfdSignal(pidfd: number, signal: number): boolean {
  return syscall4(SYS_pidfd_send_signal, pidfd, signal, 0, 0) === 0;
}

/** kill(2): to a process, or to a process group when `pid` is negative. */
export function sendSignal(pid: number, signal: number): boolean {
  return killCall(pid, signal) === 0;
}

export function closeDescriptor(fd: number): void {
  closeCall(fd);
}

export function setCloseOnExec(fd: number, on: boolean): void {
  const f = fcntl3(fd, F_GETFD, 0);
  if (f >= 0) fcntl3(fd, F_SETFD, on ? f | FD_CLOEXEC : f & ~FD_CLOEXEC);
}

export function setNonBlocking(fd: number, on: boolean): void {
  const f = fcntl3(fd, F_GETFL, 0);
  if (f >= 0) fcntl3(fd, F_SETFL, on ? f | O_NONBLOCK : f & ~O_NONBLOCK);
}

/** Bytes waiting to be read on a pipe or socket (FIONREAD), or -1. */
export function bytesAvailable(fd: number): number {
  const n = new Int32Array(1);
  return ioctlInt(fd, FIONREAD, n) === 0 ? n[0]! : -1;
}

/** read(2) into `buf`: the count, 0 at end of file, -errno on failure. */
export function readDescriptor(fd: number, buf: Uint8Array): number {
  for (;;) {
    const r = readCall(fd, buf, buf.length);
    if (r >= 0) return r;
    const e = libcErrno();
    if (e !== EINTR) return -e;
  }
}

const teeCall = libc.func('long tee(int fdIn, int fdOut, unsigned long len, unsigned int flags)') as (i: number, o: number, len: number, flags: number) => number;
const SPLICE_F_NONBLOCK = 2;
const POLLHUP = 0x10;

/** A pipe's read side as PeekNamedPipe sees it: bytes waiting, and whether every writer is
 *  gone (POLLHUP). */
export function pipeState(fd: number): { available: number; hangup: boolean } {
  const pfd = new Int16Array(4);
  const dv = new DataView(pfd.buffer);
  dv.setInt32(0, fd, true);
  dv.setInt16(4, POLLIN, true);
  pollCall(pfd, 1, 0);
  const revents = dv.getInt16(6, true);
  return { available: Math.max(0, bytesAvailable(fd)), hangup: (revents & POLLHUP) !== 0 };
}

/** Copies up to `buf.length` waiting bytes of a pipe into `buf` without consuming them (tee(2)
 *  into a scratch pipe); the count. */
export function peekPipe(fd: number, buf: Uint8Array): number {
  if (buf.length === 0) return 0;
  const [r, w] = makePipe(true);
  try {
    const n = teeCall(fd, w, buf.length, SPLICE_F_NONBLOCK);
    if (n <= 0) return 0;
    let got = 0;
    while (got < n) {
      const k = readDescriptor(r, buf.subarray(got, n));
      if (k <= 0) break;
      got += k;
    }
    return got;
  } finally {
    closeCall(r);
    closeCall(w);
  }
}
