/**
 * The exception walk's fast path (ntdll/excframes.ts): a kept UnwindPlan compiled once into a
 * flat list of register operations — its unwind codes, or at an epilog the rest of the epilog
 * (kept plans are in images, whose code does not change), or for a leaf function only the
 * return — then run on a CONTEXT in guest memory with one check of the CONTEXT's registers per
 * frame, one page-cache check per stack load, and no objects. It gives exactly what runPlan
 * gives: tests/unwindfast.test.ts runs both at every PC of functions using every unwind code
 * and every epilog form, and compares the CONTEXTs.
 */
import { CONTEXT } from '../native/layout.js';
import type { AddressSpace } from '../native/memory.js';
import { GuestMemoryError } from '../native/memprotect.js';
import type { NativeUnwindWalk } from '../native/unwindwalk.js';
import { UWOP } from '../pe/exceptions.js';
import { UnwindError, codeAt, stackReleaseLength, type UnwindPlan, type UnwindPlans } from './unwind.js';
import { slotsOf, u16At, u32At, type Info } from './unwindinfo.js';

const enum Op {
  /** Register a (unwind numbering) from [RSP]; RSP += 8. */
  Push = 1,
  /** RSP += a. */
  Add = 2,
  /** RSP = register a − b. */
  SetFrame = 3,
  /** Register a from [frame + b]. */
  Save = 4,
  /** XMM register a from the 16 bytes at frame + b. */
  SaveXmm = 5,
  /** RIP and RSP from the machine frame at RSP + a. */
  MachineFrame = 6,
}

export interface CompiledPlan {
  /** Triples: operation, operand a, operand b. */
  readonly ops: Float64Array;
  /** A machine frame supplies RIP and RSP (no return address is popped). */
  readonly machineFrame: boolean;
  /** The register the establisher frame is taken from (0: RSP before the unwind), and its offset. */
  readonly frameReg: number;
  readonly frameOffset: number;
  /** UNW_FLAG_EHANDLER / UNW_FLAG_UHANDLER bits the language handler serves (0: none, also in a
   *  prolog), the handler and its data. */
  readonly handlerFlags: number;
  readonly handler: number;
  readonly handlerData: number;
  /** Bytes a `ret imm16` releases after the return address (an epilog's). */
  readonly retRelease: number;
  /** For a frame whose every slot lies at a fixed distance from RSP (no frame register, no
   *  machine frame: most frames): pairs of register and distance, and the return address's
   *  distance, so the frame unwinds without running `ops`; null otherwise. */
  readonly flat: Float64Array | null;
  readonly retDistance: number;
  /** The same for the native walk (native/unwindwalk.ts), which also loads XMM registers: the
   *  8-byte loads and the XMM loads (pairs of register and distance); null when the frame is
   *  not flat. */
  readonly nativeLoads: Float64Array | null;
  readonly nativeRspLoads: Float64Array | null;
  readonly nativeXmm: Float64Array | null;
}

interface Flat {
  flat: Float64Array | null;
  retDistance: number;
  nativeLoads: Float64Array | null;
  nativeRspLoads: Float64Array | null;
  nativeXmm: Float64Array | null;
}
const NOT_FLAT: Flat = { flat: null, retDistance: 0, nativeLoads: null, nativeRspLoads: null, nativeXmm: null };

/**
 * The flat forms of `ops` (CompiledPlan.flat and the native ones) when there are: every slot at
 * a fixed distance from the frame's base, which is RSP, or with a frame register the register
 * minus `frameOffset` (the establisher frame: saves are relative to it wherever they come, and
 * pushes and allocations once the unwind has set RSP to it). Pushes the unwind pops before it
 * sets the frame (the prolog's after it set the frame register, as mingw's) are relative to
 * RSP before the unwind (nativeRspLoads). Only plain frames have JS's flat form.
 */
function flatten(ops: readonly number[], frameReg: number, frameOffset: number, machineFrame: boolean): Flat {
  if (machineFrame || frameReg === RSP || frameOffset < 0) return NOT_FLAT;
  let based = frameReg === 0;
  const out: number[] = [];
  const fromRsp: number[] = [];
  const xmm: number[] = [];
  let d = 0;
  for (let i = 0; i < ops.length; i += 3) {
    const op = ops[i]!;
    const a = ops[i + 1]!;
    if (op === Op.SetFrame) {
      if (based || a !== frameReg || ops[i + 2] !== frameOffset) return NOT_FLAT;
      based = true;
      d = 0;
      continue;
    }
    // RSP itself loaded, a machine frame: the general path.
    if (op !== Op.Add && (a === RSP || (op !== Op.Push && op !== Op.Save && op !== Op.SaveXmm))) return NOT_FLAT;
    if (op === Op.Push) {
      (based ? out : fromRsp).push(a, d);
      d += 8;
    } else if (op === Op.Add) d += a;
    else if (op === Op.SaveXmm) xmm.push(a, ops[i + 2]!);
    else out.push(a, ops[i + 2]!); // Save: frame + b, and the frame is the base
  }
  if (!based) return NOT_FLAT;
  const loads = Float64Array.from(out);
  return {
    flat: xmm.length === 0 && frameReg === 0 ? loads : null, retDistance: d,
    nativeLoads: loads, nativeRspLoads: Float64Array.from(fromRsp), nativeXmm: Float64Array.from(xmm),
  };
}

/** A compiled plan from its operations (exported for the native walk's tests). */
export function compiled(ops: number[], machineFrame: boolean, frameReg: number, frameOffset: number, handlerFlags: number, handler: number, handlerData: number, retRelease: number): CompiledPlan {
  return { ops: Float64Array.from(ops), machineFrame, frameReg, frameOffset, handlerFlags, handler, handlerData, retRelease, ...flatten(ops, frameReg, frameOffset, machineFrame) };
}

const RSP = 4;
const RIP = 16;
const TWO_32 = 0x100000000;
/** Rax through R15, then RIP: the registers an unwind reads and writes. */
const REGISTER_BYTES = 8 * (RIP + 1);

/** Appends the operations for one UNWIND_INFO's codes (those with CodeOffset <= limit when
 *  limit >= 0); null when the codes are not valid (the slow path reports it). */
function emitCodes(out: number[], info: Info, limit: number): boolean | null {
  const b = info.codes;
  let machineFrame = false;
  for (let i = 0; i < info.count; ) {
    const codeOffset = b[2 * i]!;
    const op = b[2 * i + 1]! & 0xf;
    const opInfo = b[2 * i + 1]! >> 4;
    const slots = slotsOf(op, opInfo, info.version);
    if (i + slots > info.count) return null;
    const at = 2 * i + 2;
    i += slots;
    if (limit >= 0 && codeOffset > limit) continue;
    switch (op) {
      case UWOP.PUSH_NONVOL:
        out.push(Op.Push, opInfo, 0);
        break;
      case UWOP.ALLOC_LARGE:
        out.push(Op.Add, opInfo === 0 ? u16At(b, at) * 8 : u32At(b, at), 0);
        break;
      case UWOP.ALLOC_SMALL:
        out.push(Op.Add, opInfo * 8 + 8, 0);
        break;
      case UWOP.SET_FPREG:
        out.push(Op.SetFrame, info.frameReg, info.frameOffset);
        break;
      case UWOP.SET_FPREG_LARGE:
        out.push(Op.SetFrame, info.frameReg, u32At(b, at) * 16);
        break;
      case UWOP.SAVE_NONVOL:
        out.push(Op.Save, opInfo, u16At(b, at) * 8);
        break;
      case UWOP.SAVE_NONVOL_FAR:
        out.push(Op.Save, opInfo, u32At(b, at));
        break;
      case UWOP.SAVE_XMM128:
        out.push(Op.SaveXmm, opInfo, u16At(b, at) * 16);
        break;
      case UWOP.SAVE_XMM128_FAR:
        out.push(Op.SaveXmm, opInfo, u32At(b, at));
        break;
      case UWOP.PUSH_MACHFRAME:
        out.push(Op.MachineFrame, opInfo !== 0 ? 8 : 0, 0);
        machineFrame = true;
        break;
      default:
        break;
    }
  }
  return machineFrame;
}

/**
 * A kept plan whose PC is at an epilog (its settling found one: the code of an image does not
 * change): the rest of the epilog as operations, as emulateEpilog runs it — the stack release
 * (`add rsp` or `lea rsp, [reg+disp]`), the pops, then the return. No handler.
 */
function compileEpilog(mem: AddressSpace, plan: UnwindPlan): CompiledPlan | null {
  const b = codeAt(mem, plan.imageBase + plan.begin + plan.offset);
  if (!b) return null;
  const out: number[] = [];
  let i = stackReleaseLength(b);
  if (i !== 0) {
    if (b[1] === 0x81) out.push(Op.Add, u32At(b, 3) | 0, 0);
    else if (b[1] === 0x83) out.push(Op.Add, (b[3]! << 24) >> 24, 0);
    else out.push(Op.SetFrame, (b[2]! & 7) | ((b[0]! & 1) << 3), -(i === 4 ? (b[3]! << 24) >> 24 : u32At(b, 3) | 0));
  }
  for (;;) {
    let rex = 0;
    if ((b[i]! & 0xf0) === 0x40) rex = b[i++]!;
    const op = b[i];
    if (op === undefined || op < 0x58 || op > 0x5f) break;
    out.push(Op.Push, (op - 0x58) | ((rex & 1) << 3), 0);
    i++;
  }
  const retRelease = b[i] === 0xc2 ? u16At(b, i + 1) : 0;
  return compiled(out, false, plan.frameReg, plan.frameOffset, 0, 0, 0, retRelease);
}

/** Compiles a kept plan; null when the slow path must run it. */
export function compilePlan(mem: AddressSpace, plan: UnwindPlan): CompiledPlan | null {
  if (plan.maybeEpilog) return compileEpilog(mem, plan);
  const out: number[] = [];
  let machineFrame = emitCodes(out, plan.first, plan.inProlog ? plan.offset : -1);
  if (machineFrame === null) return null;
  let last = plan.first;
  for (const info of plan.chain) {
    const m = emitCodes(out, info, -1);
    if (m === null) return null;
    machineFrame ||= m;
    last = info;
  }
  const handlerFlags = plan.inProlog ? 0 : last.flags & 3;
  let handler = 0;
  if (handlerFlags !== 0) {
    if (!mem.accessible(last.tail, 4, 'read')) return null;
    handler = plan.imageBase + mem.u32(last.tail);
  }
  return compiled(out, machineFrame, plan.frameReg, plan.frameOffset, handlerFlags, handler, handlerFlags !== 0 ? last.tail + 4 : 0, 0);
}

const NO_INFO: Info = { address: 0, version: 1, flags: 0, prolog: 0, count: 0, frameReg: 0, frameOffset: 0, codes: new Uint8Array(0), tail: 0 };
const LEAF: CompiledPlan = compiled([], false, 0, 0, 0, 0, 0, 0);

/** The plan of a PC in an image that has no function entry for it (a leaf function: the
 *  return address is at RSP), for the code cache. */
export function leafPlan(imageBase: number): UnwindPlan {
  return { functionEntry: 0, imageBase, first: NO_INFO, chain: [], offset: 0, inProlog: false, frameReg: 0, frameOffset: 0, maybeEpilog: false, begin: 0, end: 0, compiled: LEAF };
}

// The registers are read and written as 32-bit word pairs of the CONTEXT's window (`w`, word
// index `ci` of Rax; register n at ci + 2n): a CONTEXT the walk uses is 4-byte aligned
// (contextRegisters checks). Values are combined inline: a helper returning an address above
// 2^31 would box it in a heap number.

/**
 * Stack reads for one walk: the last two pages found readable (stack slots are 8-byte aligned,
 * so a slot never straddles pages) and the window last read through, so that a frame's loads
 * cost a comparison or two each. Made per walk: no guest code runs meanwhile.
 */
class StackReader {
  /** The window read through: its base, its length, its words and view. */
  private base = 0;
  private span = 0;
  private words: Uint32Array = NO_WORDS;
  private view: DataView = NO_VIEW;
  /** The last two pages of that window found readable (offset >>> 12; -1: none). */
  private page0 = -1;
  private page1 = -1;

  constructor(private readonly mem: AddressSpace) {}

  /** Whether the 8 bytes at `addr` are readable (the walk's end test; never throws). */
  readable(addr: number): boolean {
    let o = addr - this.base;
    if (o < 0 || o + 8 > this.span) {
      if (!this.mem.accessible(addr, 8, 'read')) return false;
      this.enter(addr);
      o = addr - this.base;
    } else if ((o & 7) !== 0 || (o >>> 12 !== this.page0 && o >>> 12 !== this.page1)) {
      if (!this.mem.accessible(addr, 8, 'read')) return false;
    }
    this.remember(o);
    return true;
  }

  /** Copies the 8 bytes at `from` (checked) to words `wi`, `wi + 1` of `w`. Offsets in a
   *  window are below 2^32, so they shift as integers. */
  load(w: Uint32Array, wi: number, from: number): void {
    let o = from - this.base;
    if (o < 0 || o + 8 > this.span) {
      this.mem.check(from, 8);
      this.enter(from);
      o = from - this.base;
      this.remember(o);
    } else if ((o & 7) !== 0 || (o >>> 12 !== this.page0 && o >>> 12 !== this.page1)) {
      this.mem.check(from, 8);
      this.remember(o);
    }
    if ((o & 3) === 0) {
      const k = o >>> 2;
      w[wi] = this.words[k]!;
      w[wi + 1] = this.words[k + 1]!;
    } else {
      w[wi] = this.view.getUint32(o, true);
      w[wi + 1] = this.view.getUint32(o + 4, true);
    }
  }

  /** Reads through the window holding `addr` from now on (its pages not yet known). */
  private enter(addr: number): void {
    const win = this.mem.windowOf(addr);
    if (addr + 8 > win.end) throw new GuestMemoryError(addr, 8, false);
    this.base = win.base;
    this.span = win.end - win.base;
    this.words = win.u32;
    this.view = win.dv;
    this.page0 = -1;
    this.page1 = -1;
  }

  /** Remembers the page of window offset `o` as readable (an aligned slot stays in its page). */
  private remember(o: number): void {
    const page = o >>> 12;
    if ((o & 7) !== 0 || page === this.page0) return;
    this.page1 = this.page0;
    this.page0 = page;
  }
}
const NO_WORDS = new Uint32Array(0);
const NO_VIEW = new DataView(new ArrayBuffer(0));

/** The CONTEXT at `c`'s registers as words of its window (checked: writable, in one window);
 *  undefined when `c` is not 4-byte aligned (the caller takes the general path). */
function contextRegisters(mem: AddressSpace, c: number): { w: Uint32Array; ci: number } | undefined {
  const regs = c + CONTEXT.Rax;
  if ((regs & 3) !== 0) return undefined;
  mem.check(regs, REGISTER_BYTES, true);
  const win = mem.windowOf(regs);
  if (regs + REGISTER_BYTES > win.end) throw new GuestMemoryError(regs, REGISTER_BYTES, true);
  return { w: win.u32, ci: (regs - win.base) / 4 };
}

const RSP_W = 2 * RSP;
const RIP_W = 2 * RIP;

/** The establisher frame of the frame `cp` unwinds: its frame register minus the offset, or
 *  RSP (`rsp`) before the unwind. */
function establisherOf(cp: CompiledPlan, w: Uint32Array, ci: number, rsp: number): number {
  const fr = ci + 2 * cp.frameReg;
  return cp.frameReg !== 0 ? w[fr]! + w[fr + 1]! * TWO_32 - cp.frameOffset : rsp;
}

/** Runs a compiled plan on the registers of the CONTEXT at `c` (words `w` from `ci`). (It
 *  returns nothing: an address returned from a call V8 does not inline is boxed, one heap
 *  number per frame.) RSP is kept in a local and written back at the end when arithmetic
 *  changed it; an operation that loads RSP itself (a machine frame, or unwind data that names
 *  RSP) reads it back (a loaded value stays exact, even past 2^53). */
function apply(mem: AddressSpace, stack: StackReader, cp: CompiledPlan, c: number, w: Uint32Array, ci: number): void {
  let rsp = w[ci + RSP_W]! + w[ci + RSP_W + 1]! * TWO_32;
  const flat = cp.flat;
  if (flat !== null) {
    for (let i = 0; i < flat.length; i += 2) stack.load(w, ci + 2 * flat[i]!, rsp + flat[i + 1]!);
    stack.load(w, ci + RIP_W, rsp + cp.retDistance);
    rsp += cp.retDistance + 8 + cp.retRelease;
    w[ci + RSP_W] = rsp >>> 0;
    w[ci + RSP_W + 1] = Math.floor(rsp / TWO_32) >>> 0;
    return;
  }
  let dirty = false;
  const frame = establisherOf(cp, w, ci, rsp);
  const ops = cp.ops;
  for (let i = 0; i < ops.length; i += 3) {
    const a = ops[i + 1]!;
    switch (ops[i]) {
      case Op.Push:
        // (A pushed RSP is overwritten by the pop's own RSP change, as in the decoding unwinder.)
        stack.load(w, ci + 2 * a, rsp);
        rsp += 8;
        dirty = true;
        break;
      case Op.Add:
        rsp += a;
        dirty = true;
        break;
      case Op.SetFrame: {
        const r = ci + 2 * a;
        rsp = a === RSP ? rsp - ops[i + 2]! : w[r]! + w[r + 1]! * TWO_32 - ops[i + 2]!;
        dirty = true;
        break;
      }
      case Op.Save:
        stack.load(w, ci + 2 * a, frame + ops[i + 2]!);
        if (a === RSP) {
          rsp = w[ci + RSP_W]! + w[ci + RSP_W + 1]! * TWO_32;
          dirty = false;
        }
        break;
      case Op.SaveXmm: {
        // Through the CONTEXT's words when its XMM area is in the registers' window.
        const dst = c + CONTEXT.Xmm0 + 16 * a;
        mem.check(dst, 16, true);
        const wd = mem.windowOf(dst);
        if (wd.u32 === w && (dst & 3) === 0 && dst + 16 <= wd.end) {
          const xi = (dst - wd.base) / 4;
          stack.load(w, xi, frame + ops[i + 2]!);
          stack.load(w, xi + 2, frame + ops[i + 2]! + 8);
        } else mem.copy(dst, frame + ops[i + 2]!, 16);
        break;
      }
      case Op.MachineFrame:
        stack.load(w, ci + RIP_W, rsp + a);
        stack.load(w, ci + RSP_W, rsp + a + 24);
        rsp = w[ci + RSP_W]! + w[ci + RSP_W + 1]! * TWO_32;
        dirty = false;
        break;
    }
  }
  if (!cp.machineFrame) {
    stack.load(w, ci + RIP_W, rsp);
    rsp += 8 + cp.retRelease;
    dirty = true;
  }
  if (dirty) {
    w[ci + RSP_W] = rsp >>> 0;
    w[ci + RSP_W + 1] = Math.floor(rsp / TWO_32) >>> 0;
  }
}

function badMemory(e: unknown, pc: number): unknown {
  return e instanceof GuestMemoryError ? new UnwindError('BadMemory', e.address, `unwinding at 0x${pc.toString(16)}: ${e.message}`) : e;
}

/**
 * Unwinds one frame of the CONTEXT at `c` with a compiled plan; returns the establisher frame,
 * or undefined when `c` is not 4-byte aligned (nothing done: unwind with the plan instead).
 * Unreadable stack throws UnwindError('BadMemory'), as virtualUnwind does.
 */
export function runCompiled(mem: AddressSpace, cp: CompiledPlan, c: number, controlPc: number): number | undefined {
  try {
    const r = contextRegisters(mem, c);
    if (!r) return undefined;
    const frame = establisherOf(cp, r.w, r.ci, r.w[r.ci + RSP_W]! + r.w[r.ci + RSP_W + 1]! * TWO_32);
    apply(mem, new StackReader(mem), cp, c, r.w, r.ci);
    return frame;
  } catch (e) {
    throw badMemory(e, controlPc);
  }
}

/** A kept plan's compiled form, compiled on first use (null: the slow path runs it). */
export function compiledOf(mem: AddressSpace, plan: UnwindPlan): CompiledPlan | null {
  if (plan.compiled === undefined) plan.compiled = compilePlan(mem, plan);
  return plan.compiled;
}

/** Puts a flat frame in the native walker's table (with what a DISPATCHER_CONTEXT names). */
function addNative(walker: NativeUnwindWalk, pc: number, plan: UnwindPlan, cp: CompiledPlan): void {
  if (cp.nativeLoads === null || cp.nativeRspLoads === null || cp.nativeXmm === null || walker.has(pc)) return;
  walker.add(pc, {
    handlerFlags: cp.handlerFlags, frameReg: cp.frameReg, frameOffset: cp.frameOffset, loads: cp.nativeLoads, rspLoads: cp.nativeRspLoads, xmmLoads: cp.nativeXmm, retDistance: cp.retDistance, retRelease: cp.retRelease,
    handler: cp.handler, handlerData: cp.handlerData, functionEntry: plan.functionEntry, imageBase: plan.imageBase,
  });
}

/** Puts the frame at `pc` (its kept plan `plan`) in the native walker's table when it is
 *  flat: a frame the JS walk took another way (an unwind's target), which the exception core
 *  can then take too. */
export function keepNative(mem: AddressSpace, cache: WalkCache, pc: number, plan: UnwindPlan): void {
  const cp = compiledOf(mem, plan);
  if (cp !== null) addNative(cache.walker, pc, plan, cp);
}

/** What skipPlainFrames walks with: the realm's plans and its native walker (native/unwindwalk.ts). */
export interface WalkCache {
  readonly plans: UnwindPlans;
  readonly walker: NativeUnwindWalk;
}

/**
 * The exception walk's inner loop: unwinds in place, one after another, the frames of the
 * CONTEXT at `c` that need nothing but their unwind — a kept, compiled plan with no handler of
 * `handlerType` and, when `targetFrame` is not 0, an establisher frame below it — and stops
 * before the first other frame (a handler to call, the target, a JS boundary, a PC without a
 * plan, the end of the stack), at most `limit` frames. Returns how many it unwound. Each frame
 * is unwound exactly as unwindOneFrame would. Frames with a flat plan go to the native walker
 * once JS has unwound them: it then unwinds them in runs, with stack reads in [RSP,
 * `stackEnd`) (the thread's stack base), and this loop takes over where it stops.
 */
export function skipPlainFrames(mem: AddressSpace, cache: WalkCache, c: number, handlerType: number, targetFrame: number, limit: number, stackEnd: number): number {
  let n = 0;
  let pc = 0;
  try {
    const r = contextRegisters(mem, c);
    if (!r) return 0;
    const { w, ci } = r;
    const stack = new StackReader(mem);
    const walker = (c & 7) === 0 ? cache.walker : null;
    for (; n < limit; n++) {
      if (walker !== null) {
        n += walker.walk(c, handlerType, targetFrame, limit - n, w[ci + RSP_W]! + w[ci + RSP_W + 1]! * TWO_32, stackEnd);
        if (n >= limit) break;
      }
      pc = w[ci + RIP_W]! + w[ci + RIP_W + 1]! * TWO_32;
      const plan = cache.plans.get(pc);
      const cp = plan === undefined ? null : compiledOf(mem, plan);
      if (cp === null) break;
      if ((cp.handlerFlags & handlerType) !== 0) {
        // The native walks stop there too; the exception core (native/exccore.ts) calls the
        // handler itself.
        if (walker !== null) addNative(walker, pc, plan!, cp);
        break;
      }
      const rsp = w[ci + RSP_W]! + w[ci + RSP_W + 1]! * TWO_32;
      if (targetFrame !== 0 && establisherOf(cp, w, ci, rsp) >= targetFrame) break;
      // The walk's end (an unreadable stack) is the general path's to decide.
      if (!stack.readable(rsp)) break;
      apply(mem, stack, cp, c, w, ci);
      if (walker !== null) addNative(walker, pc, plan!, cp);
    }
  } catch (e) {
    throw badMemory(e, pc);
  }
  return n;
}
