/**
 * Linux primitives the engine needs, as plain functions over numbers (guest addresses fit in
 * 47 bits, so JS numbers hold them exactly). Failures are NativeErrors with the errno.
 */
import { libcErrno, libcMadvise, libcMmap, libcMprotect, libcMsync, libcMunmap, libcSyscall3 } from './ffi.js';

export const PROT_NONE = 0;
export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;

const MAP_PRIVATE = 0x02;
const MAP_FIXED = 0x10;
const MAP_ANONYMOUS = 0x20;
const MAP_NORESERVE = 0x4000;
const MAP_FIXED_NOREPLACE = 0x100000;
const MADV_DONTNEED = 4;
const MAP_FAILED = 0xffffffffffffffffn;

const SYS_arch_prctl = 158;
const SYS_exit_group = 231;
const SYS_gettid = 186;
const ARCH_SET_GS = 0x1001;
const ARCH_GET_GS = 0x1004;

export class NativeError extends Error {
  override readonly name = 'NativeError';
  constructor(
    readonly call: string,
    readonly errno: number,
    message: string,
  ) {
    super(message);
  }
}

function mapped(r: number | bigint, call: string): number {
  if (BigInt(r) === MAP_FAILED || Number(r) === -1) {
    const e = libcErrno();
    throw new NativeError(call, e, `${call} failed (errno ${e})`);
  }
  return Number(r);
}

/** Anonymous private mapping anywhere the kernel likes. */
export function mmapAnywhere(size: number, prot: number): number {
  return mapped(libcMmap(0, size, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0), 'mmap');
}

/** Anonymous private mapping exactly at `addr`, failing (EEXIST) if anything is there. */
export function mmapAt(addr: number, size: number, prot: number): number {
  const r = mapped(libcMmap(addr, size, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED_NOREPLACE, -1, 0), 'mmap');
  if (r !== addr) {
    // Kernels before 4.17 ignore MAP_FIXED_NOREPLACE and treat the address as a hint.
    libcMunmap(r, size);
    throw new NativeError('mmap', 17, `mmap at 0x${addr.toString(16)} is not available`);
  }
  return r;
}

/** Replaces pages in [addr, addr+size) of our own mapping with fresh zero pages. */
export function mmapReplace(addr: number, size: number, prot: number): void {
  mapped(libcMmap(addr, size, prot, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0), 'mmap');
}

/** Maps `size` bytes of file `fd` from `offset` exactly at `addr` (over a reservation of ours):
 *  shared, or private copy-on-write. */
export function mmapFileAt(addr: number, size: number, prot: number, fd: number, offset: number, shared: boolean): void {
  const MAP_SHARED = 0x01;
  mapped(libcMmap(addr, size, prot, (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED, fd, offset), 'mmap');
}

/** Writes a mapped range back to its file (MS_SYNC). */
export function msync(addr: number, size: number): boolean {
  return libcMsync(addr, size, 4) === 0;
}

export function munmap(addr: number, size: number): void {
  if (libcMunmap(addr, size) !== 0) throw new NativeError('munmap', libcErrno(), `munmap(0x${addr.toString(16)}, ${size}) failed`);
}

export function mprotect(addr: number, size: number, prot: number): void {
  if (libcMprotect(addr, size, prot) !== 0) throw new NativeError('mprotect', libcErrno(), `mprotect(0x${addr.toString(16)}, ${size}) failed`);
}

export function discardPages(addr: number, size: number): void {
  libcMadvise(addr, size, MADV_DONTNEED);
}

/** Points this thread's GS base at `addr` (the TEB). */
export function setGsBase(addr: number): void {
  const r = libcSyscall3(SYS_arch_prctl, ARCH_SET_GS, addr, 0);
  if (r !== 0) throw new NativeError('arch_prctl', libcErrno(), 'arch_prctl(ARCH_SET_GS) failed');
}

export function getGsBase(out: BigUint64Array, outAddr: number): bigint {
  libcSyscall3(SYS_arch_prctl, ARCH_GET_GS, outAddr, 0);
  return out[0]!;
}

export function gettid(): number {
  return libcSyscall3(SYS_gettid, 0, 0, 0);
}

let beforeExit: (() => void) | undefined;

/** Registers work to do right before exit_group (the launcher saves V8's code cache). */
export function setBeforeExit(hook: (() => void) | undefined): void {
  beforeExit = hook;
}

/** Ends every thread of the process at once with `code` (no atexit handlers, no waiting
 *  for Node's event loop or workers: NATIVE-NOTES "Exit"). Flush output first. */
export function exitGroup(code: number): never {
  try {
    beforeExit?.();
  } catch {
    /* best effort */
  }
  libcSyscall3(SYS_exit_group, code, 0, 0);
  throw new NativeError('exit_group', 0, 'exit_group returned');
}
