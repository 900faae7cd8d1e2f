/**
 * Windows' memory vocabulary (memoryapi.h, winnt.h): page size and allocation granularity, the
 * PAGE_* protections and MEM_* states and types, what a protection allows and how it maps to the
 * host's, the user address range, and the errors guest-memory access reports.
 */
import { PROT_EXEC, PROT_NONE, PROT_READ, PROT_WRITE } from './host.js';

export const PAGE_SIZE = 0x1000;
export const ALLOCATION_GRANULARITY = 0x10000;

// PAGE_* protections (winnt.h)
export const PAGE_NOACCESS = 0x01;
export const PAGE_READONLY = 0x02;
export const PAGE_READWRITE = 0x04;
export const PAGE_WRITECOPY = 0x08;
export const PAGE_EXECUTE = 0x10;
export const PAGE_EXECUTE_READ = 0x20;
export const PAGE_EXECUTE_READWRITE = 0x40;
export const PAGE_EXECUTE_WRITECOPY = 0x80;
export const PAGE_GUARD = 0x100;

// MEM_* types and states
export const MEM_COMMIT = 0x1000;
export const MEM_RESERVE = 0x2000;
export const MEM_FREE = 0x10000;
export const MEM_PRIVATE = 0x20000;
export const MEM_MAPPED = 0x40000;
export const MEM_IMAGE = 0x1000000;

export type MemoryType = typeof MEM_PRIVATE | typeof MEM_MAPPED | typeof MEM_IMAGE;

/** Why an access was refused; the API layer maps these to ERROR_NOACCESS / ERROR_INVALID_PARAMETER. */
export class GuestMemoryError extends Error {
  override readonly name = 'GuestMemoryError';
  constructor(
    readonly address: number,
    readonly length: number,
    readonly write: boolean,
  ) {
    super(`invalid guest ${write ? 'write' : 'read'} of ${length} bytes at 0x${address.toString(16)}`);
  }
}

export class AddressSpaceError extends Error {
  override readonly name = 'AddressSpaceError';
  constructor(
    /** The Win32 error the API layer should report. */
    readonly win32Error: number,
    message: string,
  ) {
    super(message);
  }
}
export const ERROR_INVALID_ADDRESS = 487;
export const ERROR_INVALID_PARAMETER = 87;
export const ERROR_NOT_ENOUGH_MEMORY = 8;

export interface Allocation {
  readonly base: number;
  readonly size: number;
  readonly type: MemoryType;
  readonly allocationProtect: number;
}

/** What a probe (IsBadReadPtr and friends) asks of a range. */
export type Access = 'read' | 'write' | 'execute';

export interface RegionInfo {
  baseAddress: number;
  allocationBase: number;
  allocationProtect: number;
  regionSize: number;
  state: number;
  protect: number;
  type: number;
}

export function hostProt(p: number): number {
  // A guard page faults on first touch (the fault handler then lifts the guard).
  if (p & PAGE_GUARD) return isValidProtection(p) ? PROT_NONE : -1;
  switch (p & 0xff) {
    case PAGE_NOACCESS:
      return PROT_NONE;
    case PAGE_READONLY:
      return PROT_READ;
    case PAGE_READWRITE:
    case PAGE_WRITECOPY:
      return PROT_READ | PROT_WRITE;
    case PAGE_EXECUTE:
      return PROT_EXEC | PROT_READ; // x86 cannot execute without read
    case PAGE_EXECUTE_READ:
      return PROT_EXEC | PROT_READ;
    case PAGE_EXECUTE_READWRITE:
    case PAGE_EXECUTE_WRITECOPY:
      return PROT_EXEC | PROT_READ | PROT_WRITE;
    default:
      return -1;
  }
}

export const PAGE_NOCACHE = 0x200;
export const PAGE_WRITECOMBINE = 0x400;

/** Exactly one base protection, optionally with one of the GUARD / NOCACHE / WRITECOMBINE
 *  modifiers; the modifiers do not combine with PAGE_NOACCESS (memoryapi.h rules). */
export function isValidProtection(p: number): boolean {
  const base = p & 0xff;
  const mod = p & 0x700;
  if ((p & ~0x7ff) !== 0 || base === 0 || (base & (base - 1)) !== 0) return false;
  if (mod !== 0 && ((mod & (mod - 1)) !== 0 || base === PAGE_NOACCESS)) return false;
  return true;
}

export const readable = (p: number): boolean => p !== 0 && (p & (PAGE_NOACCESS | PAGE_GUARD)) === 0 && (p & 0xff) !== PAGE_EXECUTE;
export const writable = (p: number): boolean => (p & (PAGE_READWRITE | PAGE_WRITECOPY | PAGE_EXECUTE_READWRITE | PAGE_EXECUTE_WRITECOPY)) !== 0 && (p & PAGE_GUARD) === 0;
/** What the CPU allows (x86 has no execute-only pages: PAGE_EXECUTE reads). */
export const cpuAllows = (p: number, access: Access): boolean => {
  if (p === 0 || (p & (PAGE_NOACCESS | PAGE_GUARD)) !== 0) return false;
  if (access === 'write') return writable(p);
  if (access === 'execute') return (p & (PAGE_EXECUTE | PAGE_EXECUTE_READ | PAGE_EXECUTE_READWRITE | PAGE_EXECUTE_WRITECOPY)) !== 0;
  return true;
};

/** The lowest and the end of the user address range of an x64 process (Windows 10). */
export const USER_SPACE_START = 0x10000;
export const USER_SPACE_END = 0x7ffffffeffff + 1;

export const FOUR_GIB = 0x100000000;
export const LOWEST_VIEW = 0x10000;
/** Copies up to this many bytes (a multiple of 4) move word by word. */
export const SMALL_COPY = 64;
export const alignUp = (n: number, a: number): number => Math.ceil(n / a) * a;
export const alignDown = (n: number, a: number): number => Math.floor(n / a) * a;
