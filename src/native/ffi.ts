/**
 * The one place koffi is configured and libc is bound. koffi's synchronous-call stack must be
 * sized before the first load (NATIVE-NOTES: deep JS ↔ guest nesting overflows the 2 MiB
 * default); every other native module imports from here.
 */
import koffi from 'koffi';

/** koffi's maximum; each JS → native → JS level costs ~3.6 KB of it. */
const SYNC_STACK_SIZE = 16 << 20;
koffi.config({ ...koffi.config(), sync_stack_size: SYNC_STACK_SIZE });

export { koffi };

const libc = koffi.load('libc.so.6');

export const libcMmap = libc.func('uint64_t mmap(uint64_t addr, size_t length, int prot, int flags, int fd, int64_t offset)') as (
  addr: number,
  length: number,
  prot: number,
  flags: number,
  fd: number,
  offset: number,
) => number | bigint;
export const libcMunmap = libc.func('int munmap(uint64_t addr, size_t length)') as (addr: number, length: number) => number;
export const libcMprotect = libc.func('int mprotect(uint64_t addr, size_t length, int prot)') as (addr: number, length: number, prot: number) => number;
export const libcMadvise = libc.func('int madvise(uint64_t addr, size_t length, int advice)') as (addr: number, length: number, advice: number) => number;
export const libcSyscall3 = libc.func('long syscall(long number, uint64_t a, uint64_t b, uint64_t c)') as (n: number, a: number, b: number, c: number) => number;
export const libcSyscall4 = libc.func('long syscall(long number, uint64_t a, uint64_t b, uint64_t c, uint64_t d)') as (n: number, a: number, b: number, c: number, d: number) => number;
export const libcErrno = (): number => koffi.errno();
export const libcLseek = libc.func('int64_t lseek(int fd, int64_t offset, int whence)') as (fd: number, offset: bigint, whence: number) => number | bigint;
export const libcFtruncate = libc.func('int ftruncate(int fd, int64_t length)') as (fd: number, length: bigint) => number;
export const libcDup = libc.func('int dup(int fd)') as (fd: number) => number;

/** struct flock (x86-64): for fcntl's open-file-description locks. */
const Flock = koffi.struct('winrun_flock', { l_type: 'short', l_whence: 'short', l_start: 'int64_t', l_len: 'int64_t', l_pid: 'int' });
export interface FlockRecord {
  l_type: number;
  l_whence: number;
  l_start: bigint | number;
  l_len: bigint | number;
  l_pid: number;
}
export const libcFcntlLock = libc.func('fcntl', 'int', ['int', 'int', koffi.inout(koffi.pointer(Flock))]) as unknown as (fd: number, cmd: number, lock: FlockRecord) => number;
export const libcMsync = libc.func('int msync(uint64_t addr, size_t length, int flags)') as (addr: number, length: number, flags: number) => number;
export const libcInotifyInit1 = libc.func('int inotify_init1(int flags)') as (flags: number) => number;
export const libcInotifyAddWatch = libc.func('int inotify_add_watch(int fd, const char *path, uint32_t mask)') as (fd: number, path: string, mask: number) => number;
/** clock_gettime(clock, struct timespec *): the timespec is a BigInt64Array(2) passed by pointer. */
export const libcClockGettime = libc.func('int clock_gettime(int clk, void *tp)') as (clk: number, tp: BigInt64Array) => number;
/** futimens(fd, times[2]): struct timespec pairs as four int64 (exact nanoseconds, unlike
 *  fs.futimesSync's floating-point seconds). */
export const libcFutimens = libc.func('int futimens(int fd, const void *times)') as (fd: number, times: BigInt64Array) => number;
export const libcSchedGetcpu = libc.func('int sched_getcpu()') as () => number;
export const libcIsatty = libc.func('int isatty(int fd)') as (fd: number) => number;
export const libcStatx = libc.func('int statx(int dirfd, const char *path, int flags, unsigned int mask, _Out_ uint8_t *buf)') as (dirfd: number, path: string, flags: number, mask: number, buf: Uint8Array) => number;

const memcpyToSelf = libc.func('uint64_t memcpy(void *dst, void *src, size_t n)') as (dst: Int32Array, src: Int32Array, n: number) => number | bigint;
/**
 * The address of a SharedArrayBuffer's memory, for machine code that reads a process table in
 * place. koffi passes a typed array's own memory to a pointer parameter, and memcpy returns
 * its destination; the memory of a SharedArrayBuffer never moves and lives as long as it.
 */
export function sharedBufferAddress(b: SharedArrayBuffer): number {
  const view = new Int32Array(b, 0, 1);
  return Number(memcpyToSelf(view, view, 0));
}
