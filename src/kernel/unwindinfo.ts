/**
 * UNWIND_INFO as the x64 unwinder reads it (kernel/unwind.ts, and the compiled plans of
 * kernel/unwindfast.ts): the header and code slots of one info, the info an entry names (also
 * through indirect entries), the slots each unwind code takes, the frame register's offset and
 * whether the prolog has set it; and the typed error every unwind reports.
 */
import type { AddressSpace } from '../native/memory.js';
import { MAX_UNWIND_CHAIN, UWOP } from '../pe/exceptions.js';

export const UNWIND_ERROR_KINDS = {
  /** Guest memory the unwind needs (unwind data, code bytes, the stack, the CONTEXT or the
   *  context pointers) is not mapped or not readable/writable. */
  BadMemory: 'guest memory the unwind reads or writes is not accessible',
  /** The unwind data is not valid (unknown version, a chain that does not end). */
  BadFunctionTable: 'the unwind data is invalid',
} as const;
export type UnwindErrorKind = keyof typeof UNWIND_ERROR_KINDS;

export class UnwindError extends Error {
  override readonly name = 'UnwindError';
  constructor(
    readonly kind: UnwindErrorKind,
    /** The guest address involved (the bad access, or the unwind info). */
    readonly address: number,
    message: string,
  ) {
    super(message);
  }
}

/** Slots (2-byte units) each code takes, itself included. ALLOC_LARGE with OpInfo 1 takes 3;
 *  version 2's EPILOG codes take 1 each (version 1's code 6 and 7 are the old SAVE_XMM and
 *  SAVE_XMM_FAR, 2 and 3). */
export function slotsOf(op: number, opInfo: number, version: number): number {
  switch (op) {
    case UWOP.ALLOC_LARGE:
      return opInfo === 0 ? 2 : 3;
    case UWOP.SAVE_NONVOL:
    case UWOP.SAVE_XMM128:
      return 2;
    case UWOP.SAVE_NONVOL_FAR:
    case UWOP.SAVE_XMM128_FAR:
    case UWOP.SET_FPREG_LARGE:
      return 3;
    case UWOP.EPILOG:
      return version === 2 ? 1 : 2;
    case UWOP.SPARE_CODE:
      return 3;
    default:
      return 1;
  }
}

/** One UNWIND_INFO's header fields and a live view (or a copy) of its code slots. */
export interface Info {
  /** Address of the UNWIND_INFO. */
  address: number;
  version: number;
  flags: number;
  prolog: number;
  count: number;
  frameReg: number;
  /** FrameOffset × 16. */
  frameOffset: number;
  codes: Uint8Array;
  /** Address of what follows the (even-padded) code array: handler RVA or chained entry. */
  tail: number;
}

const NO_CODES = new Uint8Array(0);

export function readInfo(mem: AddressSpace, at: number): Info {
  const hdr = mem.u32(at);
  const version = hdr & 7;
  if (version !== 1 && version !== 2) {
    throw new UnwindError('BadFunctionTable', at, `unwind info at 0x${at.toString(16)} has version ${version}`);
  }
  const count = (hdr >>> 16) & 0xff;
  return {
    address: at,
    version,
    flags: (hdr >>> 3) & 0x1f,
    prolog: (hdr >>> 8) & 0xff,
    count,
    frameReg: (hdr >>> 24) & 0xf,
    frameOffset: ((hdr >>> 28) & 0xf) * 16,
    codes: count === 0 ? NO_CODES : mem.view(at + 4, 2 * count, false),
    tail: at + 4 + 4 * ((count + 1) >> 1),
  };
}

export const u16At = (b: Uint8Array, i: number): number => b[i]! | (b[i + 1]! << 8);
export const u32At = (b: Uint8Array, i: number): number => (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) >>> 0;

/** The unwind info address for the RUNTIME_FUNCTION at `entry` (an indirect entry, UnwindData
 *  bit 0 set, names the RUNTIME_FUNCTION whose info applies). */
export function infoAddress(mem: AddressSpace, imageBase: number, entry: number): number {
  let u = mem.u32(entry + 8);
  for (let depth = 0; u & 1; depth++) {
    if (depth > MAX_UNWIND_CHAIN) throw new UnwindError('BadFunctionTable', entry, `indirect function entries from 0x${entry.toString(16)} do not end`);
    u = mem.u32(imageBase + (u & ~1) + 8);
  }
  return imageBase + u;
}

/** The frame register's offset: SET_FPREG_LARGE's 32-bit operand × 16 when the info has one,
 *  else FrameOffset × 16. */
export function frameOffsetOf(info: Info): number {
  const b = info.codes;
  for (let i = 0; i < info.count; ) {
    const op = b[2 * i + 1]! & 0xf;
    if (op === UWOP.SET_FPREG_LARGE && i + 2 < info.count) return u32At(b, 2 * i + 2) * 16;
    i += slotsOf(op, b[2 * i + 1]! >> 4, info.version);
  }
  return info.frameOffset;
}

/** Whether the SET_FPREG(_LARGE) of `info` has completed at prolog offset `offset`. */
export function frameSetAt(info: Info, offset: number): boolean {
  const b = info.codes;
  for (let i = 0; i < info.count; ) {
    const op = b[2 * i + 1]! & 0xf;
    if ((op === UWOP.SET_FPREG || op === UWOP.SET_FPREG_LARGE) && b[2 * i]! <= offset) return true;
    i += slotsOf(op, b[2 * i + 1]! >> 4, info.version);
  }
  return false;
}

