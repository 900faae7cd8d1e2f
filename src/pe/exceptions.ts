/**
 * Exception directory (IMAGE_DIRECTORY_ENTRY_EXCEPTION, `.pdata`): RUNTIME_FUNCTION entries
 * and the UNWIND_INFO (`.xdata`) each one points at — every UWOP_* code, the frame register,
 * chained unwind info, and the language-specific handler with its data.
 */
import { Dir } from './constants.js';
import { PeError, hex } from './errors.js';
import type { PeView } from './headers.js';
import { IMAGE_RUNTIME_FUNCTION_ENTRY, UNWIND_INFO } from './structs.js';

export const UWOP = {
  PUSH_NONVOL: 0,
  ALLOC_LARGE: 1,
  ALLOC_SMALL: 2,
  SET_FPREG: 3,
  SAVE_NONVOL: 4,
  SAVE_NONVOL_FAR: 5,
  /** Version 2: epilog description. Version 1: the obsolete SAVE_XMM. */
  EPILOG: 6,
  /** Version 1: the obsolete SAVE_XMM_FAR. */
  SPARE_CODE: 7,
  SAVE_XMM128: 8,
  SAVE_XMM128_FAR: 9,
  PUSH_MACHFRAME: 10,
  SET_FPREG_LARGE: 11,
} as const;
export type UwopName = keyof typeof UWOP;
const UWOP_NAMES = Object.keys(UWOP) as UwopName[];

export const UNW_FLAG_EHANDLER = 1;
export const UNW_FLAG_UHANDLER = 2;
export const UNW_FLAG_CHAININFO = 4;

/** x64 integer register numbers as unwind codes use them. */
export const UNWIND_REGISTERS = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'] as const;

/** Slots (2-byte units) each operation uses, including itself; ALLOC_LARGE with OpInfo 1
 *  uses one more. These are the counts Windows' own unwinder uses. */
const SLOTS = [1, 2, 1, 1, 2, 3, 2, 3, 2, 3, 1, 3];

export interface UnwindCode {
  /** Offset in the prolog of the end of the instruction this code describes. */
  readonly codeOffset: number;
  readonly op: UwopName;
  readonly opInfo: number;
  /** PUSH_NONVOL, SAVE_NONVOL(_FAR): integer register; SAVE_XMM128(_FAR): XMM number. */
  readonly register?: number;
  /** ALLOC_*: bytes allocated. SAVE_*: offset from the frame base. SET_FPREG_LARGE: offset.
   *  PUSH_MACHFRAME: 1 when an error code was pushed. EPILOG: the raw 16-bit operand. */
  readonly value?: number;
}

export interface UnwindInfo {
  readonly rva: number;
  readonly version: number;
  readonly flags: number;
  readonly sizeOfProlog: number;
  /** Frame register number (0 = none). */
  readonly frameRegister: number;
  /** Scaled frame offset in bytes (FrameOffset × 16). */
  readonly frameOffset: number;
  readonly codes: readonly UnwindCode[];
  /** For EHANDLER/UHANDLER: the language handler and the RVA of its data. */
  readonly handlerRva?: number;
  readonly handlerDataRva?: number;
  /** For CHAININFO: the function entry whose unwind info continues this one. */
  readonly chained?: RuntimeFunction;
}

export interface RuntimeFunction {
  readonly beginRva: number;
  readonly endRva: number;
  /** RVA of the UNWIND_INFO. */
  readonly unwindRva: number;
}

export interface ExceptionDirectory {
  /** RUNTIME_FUNCTION entries in table order (sorted by beginRva). Entries whose UnwindData
   *  has bit 0 set (pointing at another RUNTIME_FUNCTION) are resolved to that entry's
   *  unwind info. */
  readonly functions: readonly RuntimeFunction[];
  /** Every UNWIND_INFO reached, by RVA (functions often share one). */
  readonly unwindInfos: ReadonlyMap<number, UnwindInfo>;
}

/** Chains longer than this are treated as corrupt (real ones are 1–2 deep). */
export const MAX_UNWIND_CHAIN = 32;

function readRuntimeFunction(view: PeView, rva: number, what: string): RuntimeFunction {
  const F = IMAGE_RUNTIME_FUNCTION_ENTRY;
  const off = view.offsetOf(rva, F.size, what);
  const r = view.r;
  return { beginRva: r.u32(off), endRva: r.u32(off + 4), unwindRva: r.u32(off + 8) };
}

/** Decodes one UNWIND_INFO (not following its chain). */
export function decodeUnwindInfo(view: PeView, rva: number): UnwindInfo {
  const r = view.r;
  const hdrOff = view.offsetOf(rva, UNWIND_INFO.size, 'UNWIND_INFO');
  const vf = r.u8(hdrOff);
  const version = vf & 7;
  const flags = vf >>> 3;
  if (version !== 1 && version !== 2) {
    throw new PeError('BadUnwind', `UNWIND_INFO at RVA ${hex(rva)} has version ${version} (1 and 2 exist)`);
  }
  if ((flags & UNW_FLAG_CHAININFO) !== 0 && (flags & (UNW_FLAG_EHANDLER | UNW_FLAG_UHANDLER)) !== 0) {
    throw new PeError('BadUnwind', `UNWIND_INFO at RVA ${hex(rva)} is chained and also has a handler`);
  }
  if (flags > 7) {
    throw new PeError('BadUnwind', `UNWIND_INFO at RVA ${hex(rva)} has unknown flags ${hex(flags)}`);
  }
  const sizeOfProlog = r.u8(hdrOff + 1);
  const count = r.u8(hdrOff + 2);
  const fr = r.u8(hdrOff + 3);
  const frameRegister = fr & 0xf;
  const frameOffset = (fr >>> 4) * 16;
  const slotsOff = view.offsetOf(rva + 4, count * 2, `unwind codes of UNWIND_INFO at RVA ${hex(rva)}`);
  const codes: UnwindCode[] = [];
  for (let i = 0; i < count; ) {
    const codeOffset = r.u8(slotsOff + 2 * i);
    const b = r.u8(slotsOff + 2 * i + 1);
    const opNum = b & 0xf;
    const opInfo = b >>> 4;
    if (opNum >= SLOTS.length) {
      throw new PeError('BadUnwind', `UNWIND_INFO at RVA ${hex(rva)}: unknown unwind operation ${opNum}`);
    }
    let slots = SLOTS[opNum]!;
    if (opNum === UWOP.ALLOC_LARGE) {
      if (opInfo > 1) throw new PeError('BadUnwind', `UNWIND_INFO at RVA ${hex(rva)}: UWOP_ALLOC_LARGE with OpInfo ${opInfo}`);
      if (opInfo === 1) slots = 3;
    }
    if (i + slots > count) {
      throw new PeError('BadUnwind', `UNWIND_INFO at RVA ${hex(rva)}: ${UWOP_NAMES[opNum]} needs ${slots} slots but only ${count - i} remain`);
    }
    const s16 = (k: number): number => r.u16(slotsOff + 2 * (i + k));
    const s32 = (k: number): number => (s16(k) | (s16(k + 1) << 16)) >>> 0;
    const op = UWOP_NAMES[opNum]!;
    let code: UnwindCode;
    switch (opNum) {
      case UWOP.PUSH_NONVOL:
        code = { codeOffset, op, opInfo, register: opInfo };
        break;
      case UWOP.ALLOC_LARGE:
        code = { codeOffset, op, opInfo, value: opInfo === 0 ? s16(1) * 8 : s32(1) };
        break;
      case UWOP.ALLOC_SMALL:
        code = { codeOffset, op, opInfo, value: opInfo * 8 + 8 };
        break;
      case UWOP.SET_FPREG:
        if (frameRegister === 0) throw new PeError('BadUnwind', `UNWIND_INFO at RVA ${hex(rva)}: UWOP_SET_FPREG without a frame register`);
        code = { codeOffset, op, opInfo };
        break;
      case UWOP.SAVE_NONVOL:
        code = { codeOffset, op, opInfo, register: opInfo, value: s16(1) * 8 };
        break;
      case UWOP.SAVE_NONVOL_FAR:
        code = { codeOffset, op, opInfo, register: opInfo, value: s32(1) };
        break;
      case UWOP.EPILOG:
        code = version === 2 ? { codeOffset, op, opInfo, value: s16(1) } : { codeOffset, op, opInfo, register: opInfo, value: s16(1) * 16 };
        break;
      case UWOP.SPARE_CODE:
        code = { codeOffset, op, opInfo, register: opInfo, value: s32(1) };
        break;
      case UWOP.SAVE_XMM128:
        code = { codeOffset, op, opInfo, register: opInfo, value: s16(1) * 16 };
        break;
      case UWOP.SAVE_XMM128_FAR:
        code = { codeOffset, op, opInfo, register: opInfo, value: s32(1) };
        break;
      case UWOP.PUSH_MACHFRAME:
        if (opInfo > 1) throw new PeError('BadUnwind', `UNWIND_INFO at RVA ${hex(rva)}: UWOP_PUSH_MACHFRAME with OpInfo ${opInfo}`);
        code = { codeOffset, op, opInfo, value: opInfo };
        break;
      default: // SET_FPREG_LARGE
        code = { codeOffset, op, opInfo, value: s32(1) * 16 };
        break;
    }
    codes.push(code);
    i += slots;
  }
  // The code array is padded to an even number of slots; what follows is DWORD-aligned.
  const tailRva = rva + 4 + ((count + 1) & ~1) * 2;
  let info: UnwindInfo = { rva, version, flags, sizeOfProlog, frameRegister, frameOffset, codes };
  if ((flags & UNW_FLAG_CHAININFO) !== 0) {
    info = { ...info, chained: readRuntimeFunction(view, tailRva, `chained RUNTIME_FUNCTION of UNWIND_INFO at RVA ${hex(rva)}`) };
  } else if ((flags & (UNW_FLAG_EHANDLER | UNW_FLAG_UHANDLER)) !== 0) {
    const handlerRva = r.u32(view.offsetOf(tailRva, 4, `exception handler of UNWIND_INFO at RVA ${hex(rva)}`));
    if (!view.inImage(handlerRva)) {
      throw new PeError('BadRva', `exception handler ${hex(handlerRva)} of UNWIND_INFO at RVA ${hex(rva)} lies outside the image`);
    }
    info = { ...info, handlerRva, handlerDataRva: tailRva + 4 };
  }
  return info;
}

export function parseExceptions(view: PeView): ExceptionDirectory {
  const dir = view.directory(Dir.Exception);
  const unwindInfos = new Map<number, UnwindInfo>();
  if (!dir) return { functions: [], unwindInfos };
  const F = IMAGE_RUNTIME_FUNCTION_ENTRY;
  const count = Math.floor(dir.Size / F.size);
  const base = view.offsetOf(dir.VirtualAddress, count * F.size, 'exception directory');
  const r = view.r;
  const functions: RuntimeFunction[] = new Array<RuntimeFunction>(count);
  let prevEnd = 0;
  const resolve = (unwindRva: number, what: string): UnwindInfo => {
    // Follow the chain of this unwind info, decoding each link once.
    let rvaNow = unwindRva;
    let first: UnwindInfo | undefined;
    for (let depth = 0; ; depth++) {
      if (depth > MAX_UNWIND_CHAIN) {
        throw new PeError('BadUnwind', `unwind info chain from ${what} is longer than ${MAX_UNWIND_CHAIN} (a cycle?)`);
      }
      let info = unwindInfos.get(rvaNow);
      if (!info) {
        info = decodeUnwindInfo(view, rvaNow);
        unwindInfos.set(rvaNow, info);
      }
      first ??= info;
      if (!info.chained) return first;
      rvaNow = info.chained.unwindRva & ~1;
    }
  };
  for (let i = 0; i < count; i++) {
    const off = base + i * F.size;
    const begin = r.u32(off);
    const end = r.u32(off + 4);
    let unwind = r.u32(off + 8);
    if (begin === 0 && end === 0 && unwind === 0) {
      // Trailing zero entries (section padding counted in Size) end the table. (Empty
      // functions, begin == end, do occur: jscript.dll from Wine has one.)
      functions.length = i;
      break;
    }
    if (end < begin || end > view.sizeOfImage) {
      throw new PeError('BadUnwind', `RUNTIME_FUNCTION ${i} has an invalid range ${hex(begin)}..${hex(end)}`);
    }
    if (begin < prevEnd) {
      throw new PeError('BadUnwind', `RUNTIME_FUNCTION ${i} (${hex(begin)}) overlaps or precedes the previous entry (ends ${hex(prevEnd)}); the table must be sorted`);
    }
    prevEnd = end;
    if ((unwind & 1) !== 0) {
      // RUNTIME_FUNCTION_INDIRECT: UnwindData points at another RUNTIME_FUNCTION.
      const target = readRuntimeFunction(view, unwind & ~1, `indirect RUNTIME_FUNCTION of entry ${i}`);
      if ((target.unwindRva & 1) !== 0) {
        throw new PeError('BadUnwind', `RUNTIME_FUNCTION ${i} is indirect twice`);
      }
      unwind = target.unwindRva;
    }
    resolve(unwind, `RUNTIME_FUNCTION ${i}`);
    functions[i] = { beginRva: begin, endRva: end, unwindRva: unwind };
  }
  return { functions, unwindInfos };
}
