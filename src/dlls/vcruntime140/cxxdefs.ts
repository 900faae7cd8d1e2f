/**
 * The data MSVC's compiler emits for C++ exceptions on x64 (ehdata.h), as __CxxFrameHandler3 and
 * _CxxThrowException read it. Every pointer inside is a 32-bit RVA: ThrowInfo and its
 * CatchableTypes relative to the image that holds the ThrowInfo (the thrower passes that base
 * as the exception's fourth parameter), FuncInfo and its maps relative to the image of the
 * function.
 *
 *   EXCEPTION_RECORD of a C++ throw: code 0xE06D7363 ('msc' | 0xE0000000), NONCONTINUABLE,
 *   parameters [magic 0x19930520, object, ThrowInfo, image base].
 */
import { CXX_THROW_INFO } from '../../native/layout.js';
import type { ApiContext } from '../types.js';
import { __std_type_info_compare } from './vcruntime.js';

export const CXX_EXCEPTION = 0xe06d7363;
export const CXX_MAGIC = 0x19930520;
/** FuncInfo magic numbers: 0x19930521 adds pESTypeList, 0x19930522 adds EHFlags. */
export const FUNC_MAGIC_MIN = 0x19930520;
export const FUNC_MAGIC_MAX = 0x19930522;
/** EHFlags bit 0: compiled with /EHs (synchronous), C++ exceptions only. */
export const FI_EHS_FLAG = 1;
export const STATUS_LONGJUMP = 0x80000026;

/** ThrowInfo: attributes, destructor of the object, forward-compat handler, catchable types. */
export const THROW_INFO = CXX_THROW_INFO;
export const TI_CONST = 1;
export const TI_VOLATILE = 2;
export const TI_UNALIGNED = 4;

/** CatchableType: properties, TypeDescriptor, this-displacement (PMD), size, copy constructor. */
export const CATCHABLE = { Properties: 0, Type: 4, Mdisp: 8, Pdisp: 12, Vdisp: 16, Size: 20, Copy: 24 } as const;
export const CT_SIMPLE = 1;
export const CT_BYREF_ONLY = 2;
export const CT_VIRTUAL_BASE = 4;

/** TypeDescriptor: vftable pointer, spare pointer, then the decorated name. */
export const TYPE_NAME = 16;

/** HandlerType adjectives. */
export const HT_CONST = 1;
export const HT_VOLATILE = 2;
export const HT_UNALIGNED = 4;
export const HT_REFERENCE = 8;
export const HT_STD_DOTDOT = 0x40;

/** What an unwind-map state does when it is left: nothing, call a destructor on an object in
 *  the frame or on one the frame points to (FH4), or call a cleanup funclet. */
export const UNWIND_NONE = 0;
export const UNWIND_DTOR_OBJECT = 1;
export const UNWIND_DTOR_POINTER = 2;
export const UNWIND_FUNCLET = 3;

export interface UnwindEntry {
  readonly toState: number;
  readonly kind: number;
  /** RVA of the destructor or cleanup funclet. */
  readonly action: number;
  /** The object's offset from the establisher frame (destructor kinds). */
  readonly object: number;
}

export interface Handler {
  readonly adjectives: number;
  /** TypeDescriptor RVA; 0 for catch (...). */
  readonly type: number;
  /** Where the catch object goes, from the function's establisher frame (0: none). */
  readonly catchObj: number;
  /** RVA of the catch funclet. */
  readonly funclet: number;
  /** Where a catch funclet's prolog saved the function's establisher frame, from its own
   *  (FH3; FH4 keeps it in the funclet's own FuncInfo). */
  readonly frame: number;
  /** Continuation RVAs in the metadata (FH4): the funclet then returns an index into them. */
  readonly continuations: readonly number[];
}

export interface TryBlock {
  readonly tryLow: number;
  readonly tryHigh: number;
  readonly catchHigh: number;
  readonly handlers: readonly Handler[];
}

export interface FuncInfo {
  readonly address: number;
  readonly unwindMap: readonly UnwindEntry[];
  readonly tryBlocks: readonly TryBlock[];
  /** [function RVA, state] sorted by address. */
  readonly ipMap: readonly (readonly [number, number])[];
  readonly ehFlags: number;
  /** FH4 catch funclets: where the function's establisher frame is saved, from the funclet's. */
  readonly catchFrame?: number;
}
/** EHFlags bit 2: a noexcept function (an exception leaving it calls terminate). */
export const FI_NOEXCEPT_FLAG = 4;

export const MAX_ENTRIES = 0x10000;

/** Reads the FuncInfo at `at` (image at `base`); undefined when its magic is not one we know or
 *  a count is absurd. Reads are checked: a bad pointer throws the memory error. */
export function readFuncInfo(ctx: ApiContext, base: number, at: number): FuncInfo | undefined {
  const m = ctx.mem;
  const magic = m.u32(at) & 0x1fffffff;
  if (magic < FUNC_MAGIC_MIN || magic > FUNC_MAGIC_MAX) return undefined;
  const maxState = m.i32(at + 4);
  const nTry = m.u32(at + 12);
  const nIp = m.u32(at + 20);
  if (maxState < 0 || maxState > MAX_ENTRIES || nTry > MAX_ENTRIES || nIp > MAX_ENTRIES) return undefined;
  const unwindMap: UnwindEntry[] = [];
  const um = base + m.u32(at + 8);
  for (let i = 0; i < maxState; i++) {
    const action = m.u32(um + 8 * i + 4);
    unwindMap.push({ toState: m.i32(um + 8 * i), kind: action !== 0 ? UNWIND_FUNCLET : UNWIND_NONE, action, object: 0 });
  }
  const tryBlocks: TryBlock[] = [];
  const tb = base + m.u32(at + 16);
  for (let i = 0; i < nTry; i++) {
    const t = tb + 20 * i;
    const n = Math.min(m.u32(t + 12), MAX_ENTRIES);
    const ha = base + m.u32(t + 16);
    const handlers: Handler[] = [];
    for (let j = 0; j < n; j++) {
      const h = ha + 20 * j;
      handlers.push({ adjectives: m.u32(h), type: m.u32(h + 4), catchObj: m.i32(h + 8), funclet: m.u32(h + 12), frame: m.i32(h + 16), continuations: [] });
    }
    tryBlocks.push({ tryLow: m.i32(t), tryHigh: m.i32(t + 4), catchHigh: m.i32(t + 8), handlers });
  }
  const ipMap: [number, number][] = [];
  const ip = base + m.u32(at + 24);
  for (let i = 0; i < nIp; i++) ipMap.push([m.u32(ip + 8 * i), m.i32(ip + 8 * i + 4)]);
  return { address: at, unwindMap, tryBlocks, ipMap, ehFlags: magic >= 0x19930522 ? m.u32(at + 36) : 0 };
}

/** The state at function offset `rva`: the last IP-map entry at or before it (-1: none). */
export function stateAt(fi: FuncInfo, rva: number): number {
  let lo = 0;
  let hi = fi.ipMap.length - 1;
  let state = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const e = fi.ipMap[mid]!;
    if (e[0] <= rva) {
      state = e[1];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return state;
}

/** A this-pointer adjustment (PMD): member displacement, then through a virtual base table. */
export function adjustPointer(ctx: ApiContext, p: number, mdisp: number, pdisp: number, vdisp: number): number {
  let r = p + mdisp;
  if (pdisp >= 0) {
    const vbtable = ctx.mem.ptr(p + pdisp);
    r += ctx.mem.i32(vbtable + vdisp) + pdisp;
  }
  return r;
}

/** Whether two TypeDescriptors name the same type (the same descriptor, or equal names: each
 *  module has its own copies). A descriptor's type_info data starts at +8. */
export function sameType(ctx: ApiContext, a: number, b: number): boolean {
  return a === b || __std_type_info_compare(ctx, a + 8, b + 8) === 0;
}
