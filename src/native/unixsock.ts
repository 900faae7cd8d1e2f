/**
 * Unix domain sockets through libc, synchronous and without libuv (the guest blocks its thread
 * in these calls, as a Windows program blocks in ConnectNamedPipe or ReadFile): named pipes
 * (kernel/namedpipes.ts) are stream sockets bound under a per-user directory, and a child
 * created suspended receives duplicated handles over a SOCK_SEQPACKET pair with SCM_RIGHTS
 * (kernel/childstart.ts). Every descriptor is close-on-exec.
 */
import { koffi, libcErrno, sharedBufferAddress } from './ffi.js';

const libc = koffi.load('libc.so.6');

const socketCall = libc.func('int socket(int domain, int type, int protocol)') as (d: number, t: number, p: number) => number;
const socketpairCall = libc.func('int socketpair(int domain, int type, int protocol, _Out_ int *sv)') as (d: number, t: number, p: number, sv: Int32Array) => number;
const bindCall = libc.func('int bind(int fd, const uint8_t *addr, unsigned int len)') as (fd: number, addr: Uint8Array, len: number) => number;
const connectCall = libc.func('int connect(int fd, const uint8_t *addr, unsigned int len)') as (fd: number, addr: Uint8Array, len: number) => number;
const listenCall = libc.func('int listen(int fd, int backlog)') as (fd: number, backlog: number) => number;
const accept4Call = libc.func('int accept4(int fd, void *addr, void *len, int flags)') as (fd: number, addr: null, len: null, flags: number) => number;
const sendCall = libc.func('long send(int fd, const uint8_t *buf, unsigned long n, int flags)') as (fd: number, buf: Uint8Array, n: number, flags: number) => number;
const recvCall = libc.func('long recv(int fd, _Out_ uint8_t *buf, unsigned long n, int flags)') as (fd: number, buf: Uint8Array, n: number, flags: number) => number;
const sendmsgCall = libc.func('long sendmsg(int fd, uint64_t msg, int flags)') as (fd: number, msg: number, flags: number) => number;
const recvmsgCall = libc.func('long recvmsg(int fd, uint64_t msg, int flags)') as (fd: number, msg: number, flags: number) => number;
const shutdownCall = libc.func('int shutdown(int fd, int how)') as (fd: number, how: number) => number;
const pollCall = libc.func('int poll(_Inout_ int16_t *fds, unsigned long n, int timeout)') as (fds: Int16Array, n: number, timeout: number) => number;
const fcntl3 = libc.func('int fcntl(int fd, int cmd, int arg)') as (fd: number, cmd: number, arg: number) => number;
const closeCall = libc.func('int close(int fd)') as (fd: number) => number;

const AF_UNIX = 1;
export const SOCK_STREAM = 1;
export const SOCK_SEQPACKET = 5;
const SOCK_CLOEXEC = 0o2000000;
const SOL_SOCKET = 1;
const SCM_RIGHTS = 1;
const MSG_NOSIGNAL = 0x4000;
const MSG_PEEK = 2;
const MSG_DONTWAIT = 0x40;
const MSG_CMSG_CLOEXEC = 0x40000000;
const F_GETFL = 3;
const F_SETFL = 4;
const O_NONBLOCK = 0o4000;
const EINTR = 4;
const EAGAIN = 11;
const POLLIN = 1;
const SUN_PATH_MAX = 108;

/** Longest socket path (bytes, without the NUL) that fits a sockaddr_un. */
export const SOCKET_PATH_MAX = SUN_PATH_MAX - 1;

function address(path: string): Uint8Array {
  const bytes = new TextEncoder().encode(path);
  if (bytes.length > SOCKET_PATH_MAX) throw new RangeError(`socket path too long: ${path}`);
  const a = new Uint8Array(2 + SUN_PATH_MAX);
  a[0] = AF_UNIX;
  a.set(bytes, 2);
  return a;
}

const retry = (f: () => number): number => {
  for (;;) {
    const r = f();
    if (r >= 0) return r;
    const e = libcErrno();
    if (e !== EINTR) return -e;
  }
};

/** A connected pair of sockets: [a, b], or -errno. */
export function socketPair(type: number): [number, number] | number {
  const sv = new Int32Array(2);
  return socketpairCall(AF_UNIX, type | SOCK_CLOEXEC, 0, sv) === 0 ? [sv[0]!, sv[1]!] : -libcErrno();
}

/** A socket bound to `path` and listening with `backlog`; its descriptor or -errno. */
export function listenAt(path: string, backlog: number): number {
  const fd = socketCall(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -libcErrno();
  const a = address(path);
  if (bindCall(fd, a, a.length) !== 0 || listenCall(fd, backlog) !== 0) {
    const e = libcErrno();
    closeCall(fd);
    return -e;
  }
  return fd;
}

/** Connects to the socket at `path` without waiting for room in its queue: the connected
 *  descriptor, or -errno (ENOENT, ECONNREFUSED: nobody listens; EAGAIN: the queue is full). */
export function connectTo(path: string): number {
  const fd = socketCall(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -libcErrno();
  const a = address(path);
  const fl = fcntl3(fd, F_GETFL, 0);
  fcntl3(fd, F_SETFL, fl | O_NONBLOCK);
  const r = retry(() => connectCall(fd, a, a.length));
  if (r < 0) {
    closeCall(fd);
    return r;
  }
  fcntl3(fd, F_SETFL, fl);
  return fd;
}

/** accept(2), blocking: the connection's descriptor or -errno. */
export function acceptOn(fd: number): number {
  return retry(() => accept4Call(fd, null, null, SOCK_CLOEXEC));
}

/** Whether `fd` is readable (data, a pending connection, or the peer's end) within `ms`
 *  (0: now; Infinity: no limit). */
export function readableWithin(fd: number, ms: number): boolean {
  const pfd = new Int16Array(4);
  const dv = new DataView(pfd.buffer);
  dv.setInt32(0, fd, true);
  dv.setInt16(4, POLLIN, true);
  const r = retry(() => pollCall(pfd, 1, Number.isFinite(ms) ? Math.min(ms, 0x7fffffff) : -1));
  return r > 0;
}

/** Sends all of `data` (blocking); the count or -errno (EPIPE when the peer is gone). */
export function sendAll(fd: number, data: Uint8Array): number {
  let sent = 0;
  while (sent < data.length) {
    const part = data.subarray(sent);
    const r = retry(() => sendCall(fd, part, part.length, MSG_NOSIGNAL));
    if (r < 0) return r;
    sent += r;
  }
  return sent;
}

/** One recv(2) into `buf` (blocking unless `nowait`); the count, 0 at the peer's end, or -errno. */
export function recvSome(fd: number, buf: Uint8Array, opts: { peek?: boolean; nowait?: boolean } = {}): number {
  if (buf.length === 0) return 0;
  const flags = (opts.peek ? MSG_PEEK : 0) | (opts.nowait ? MSG_DONTWAIT : 0);
  return retry(() => recvCall(fd, buf, buf.length, flags));
}

/** Receives exactly `buf.length` bytes (blocking): the count (less at the peer's end) or -errno. */
export function recvExactly(fd: number, buf: Uint8Array): number {
  let got = 0;
  while (got < buf.length) {
    const r = recvSome(fd, buf.subarray(got));
    if (r < 0) return r;
    if (r === 0) break;
    got += r;
  }
  return got;
}

export const isAgain = (r: number): boolean => r === -EAGAIN;

/** shutdown(2) both directions: the peer reads its end at once, even while other descriptors
 *  of this socket stay open (a child that inherited one). */
export function shutdownSocket(fd: number): void {
  shutdownCall(fd, 2);
}

// msghdr (x86-64): name @0, namelen @8, iov @16, iovlen @24, control @32, controllen @40,
// flags @48; iovec: base @0, len @8; cmsghdr: len @0, level @8, type @12, data @16.
const MSG = 0;
const IOV = 64;
const CMSG = 80;
const CMSG_SPACE_ONE_FD = 24;
const DATA = 128;

function messageBuffer(size: number): { sab: SharedArrayBuffer; base: number; dv: DataView } {
  const sab = new SharedArrayBuffer(DATA + Math.max(size, 1));
  const base = sharedBufferAddress(sab);
  const dv = new DataView(sab);
  dv.setBigUint64(MSG + 16, BigInt(base + IOV), true);
  dv.setBigUint64(MSG + 24, 1n, true);
  dv.setBigUint64(MSG + 32, BigInt(base + CMSG), true);
  dv.setBigUint64(MSG + 40, BigInt(CMSG_SPACE_ONE_FD), true);
  dv.setBigUint64(IOV, BigInt(base + DATA), true);
  dv.setBigUint64(IOV + 8, BigInt(size), true);
  return { sab, base, dv };
}

/** Sends one message with a descriptor attached (SCM_RIGHTS; -1: none); 0 or -errno. */
export function sendWithDescriptor(sock: number, data: Uint8Array, fd: number): number {
  const { sab, base, dv } = messageBuffer(data.length);
  new Uint8Array(sab, DATA, data.length).set(data);
  if (fd >= 0) {
    dv.setBigUint64(CMSG, 20n, true); // CMSG_LEN(sizeof(int))
    dv.setInt32(CMSG + 8, SOL_SOCKET, true);
    dv.setInt32(CMSG + 12, SCM_RIGHTS, true);
    dv.setInt32(CMSG + 16, fd, true);
  } else {
    dv.setBigUint64(MSG + 32, 0n, true);
    dv.setBigUint64(MSG + 40, 0n, true);
  }
  const r = retry(() => sendmsgCall(sock, base + MSG, MSG_NOSIGNAL));
  return r < 0 ? r : 0;
}

/** Receives one message (blocking): its bytes and the descriptor that came with it (-1: none),
 *  null at the peer's end, or -errno. */
export function receiveWithDescriptor(sock: number, max: number): { data: Uint8Array; fd: number } | null | number {
  const { sab, base, dv } = messageBuffer(max);
  const r = retry(() => recvmsgCall(sock, base + MSG, MSG_CMSG_CLOEXEC));
  if (r < 0) return r;
  const controlLen = Number(dv.getBigUint64(MSG + 40, true));
  const fd = controlLen >= 20 && dv.getInt32(CMSG + 8, true) === SOL_SOCKET && dv.getInt32(CMSG + 12, true) === SCM_RIGHTS ? dv.getInt32(CMSG + 16, true) : -1;
  if (r === 0 && fd < 0) return null;
  return { data: new Uint8Array(sab, DATA, r).slice(), fd };
}
