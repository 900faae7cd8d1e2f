/**
 * The x64 unwinder on guest memory: RtlVirtualUnwind's semantics on a CONTEXT (and an optional
 * KNONVOLATILE_CONTEXT_POINTERS) in guest memory, as Windows 10 behaves.
 *
 * - The establisher frame is the frame register minus its scaled offset once the prolog has
 *   set it (the SET_FPREG code has run, or the PC is past the prolog), else RSP.
 * - Inside the prolog only the codes whose instructions have completed (CodeOffset <= the PC's
 *   offset) are undone, and no handler is returned.
 * - Past the prolog, a PC at an epilog is recognised from the instructions there and the rest
 *   of the epilog is emulated instead of undoing the codes (no handler). An epilog is an
 *   optional `add rsp, imm` / `lea rsp, [reg+disp]`, pops of registers, then `ret`, `ret imm16`,
 *   `rep ret`, a jump out of the function (a tail call: `jmp rel` whose target is not in this
 *   function or a function sharing its start or chain), `jmp [rip+disp32]` or a REX.W
 *   `jmp r/m64`. Since Windows 10 1809 a function without unwind codes has no epilog check.
 *   The establisher frame reported there is still the frame register's base, as Windows 10
 *   does (Windows 11 reports the emulated RSP - 8 instead).
 * - Version 2 unwind info's EPILOG codes describe nothing to undo and are skipped.
 * - Chained unwind info continues with the chained entry's codes, all of them; the handler is
 *   the primary (last) info's.
 * - PUSH_MACHFRAME takes RIP and RSP from the machine frame (skipping an error code when its
 *   OpInfo is 1) instead of popping a return address.
 *
 * Reading unmapped guest memory throws UnwindError('BadMemory'); unwind data Windows rejects
 * throws UnwindError('BadFunctionTable'). Callers turn them into a status.
 */
import { CONTEXT } from '../native/layout.js';
import { type AddressSpace } from '../native/memory.js';
import { GuestMemoryError } from '../native/memprotect.js';
import { MAX_UNWIND_CHAIN, UNW_FLAG_CHAININFO, UWOP } from '../pe/exceptions.js';
import { frameOffsetOf, frameSetAt, infoAddress, readInfo, slotsOf, u16At, u32At, UnwindError, type Info } from './unwindinfo.js';
import type { PcTable } from './pctable.js';
import type { CompiledPlan } from './unwindfast.js';

export { UNWIND_ERROR_KINDS, UnwindError, type Info, type UnwindErrorKind } from './unwindinfo.js';

export interface UnwindResult {
  /** The language handler for `handlerType` (0: none, or the PC is in a prolog or epilog). */
  readonly handler: number;
  /** Its data (the address after the handler RVA); 0 when there is no handler. */
  readonly handlerData: number;
  readonly establisherFrame: number;
}

/** The function entry containing a PC (RtlLookupFunctionEntry), for the tail-call check. */
export type FunctionLookup = (pc: number) => { readonly entry: number; readonly imageBase: number } | undefined;

/** KNONVOLATILE_CONTEXT_POINTERS (winnt.h, x64): where each register was restored from. */
export const CONTEXT_POINTERS = {
  /** PM128A FloatingContext[16] (Xmm0–Xmm15). */
  FloatingContext: 0x00,
  /** PULONG64 IntegerContext[16] (Rax, Rcx, …, R15 in unwind register order). */
  IntegerContext: 0x80,
  Size: 0x100,
} as const;

/** UNW_FLAG_* values a handler type may ask for. */
const HANDLER_FLAGS = 3;
/** The epilog scan reads at most this many code bytes (add/lea, 16 pops with REX, jmp). */
const EPILOG_WINDOW = 64;

const TWO_32 = 0x100000000;
/** Register numbers as unwind codes use them (Rax, Rcx, Rdx, Rbx, Rsp, …), and RIP after R15
 *  (the CONTEXT keeps them in this order from Rax). */
const RSP = 4;
const RIP = 16;

/**
 * A CONTEXT's integer registers and RIP, and the context pointers, through one live view each:
 * an unwind reads and writes them many times, guest memory accessors would check every access.
 */
class Registers {
  /** The window holding the CONTEXT, and the offset of its Rax there. */
  private readonly dv: DataView;
  private readonly at: number;
  private readonly ptrs: DataView | undefined;
  private readonly ptrsAt: number;

  constructor(
    private readonly mem: AddressSpace,
    context: number,
    pointers: number,
  ) {
    // Checked once here; the registers are then read and written straight through the window.
    this.dv = liveWindow(mem, context + CONTEXT.Rax, 8 * (RIP + 1));
    this.at = context + CONTEXT.Rax - mem.windowOf(context + CONTEXT.Rax).base;
    this.ptrsAt = 0;
    if (pointers !== 0) {
      this.ptrs = liveWindow(mem, pointers, CONTEXT_POINTERS.Size);
      this.ptrsAt = pointers - mem.windowOf(pointers).base;
    }
  }

  /** Register `n` as an address. */
  get(n: number): number {
    return this.dv.getUint32(this.at + 8 * n, true) + this.dv.getUint32(this.at + 8 * n + 4, true) * TWO_32;
  }

  set(n: number, v: number): void {
    this.dv.setUint32(this.at + 8 * n, v >>> 0, true);
    this.dv.setUint32(this.at + 8 * n + 4, Math.floor(v / TWO_32) >>> 0, true);
  }

  /** Loads register `n` from the 8 bytes at guest address `from`. */
  load(n: number, from: number): void {
    const m = this.mem;
    m.check(from, 8);
    const src = m.windowOf(from);
    const at = from - src.base;
    if (from + 8 > src.end) throw new GuestMemoryError(from, 8, false);
    this.dv.setUint32(this.at + 8 * n, src.dv.getUint32(at, true), true);
    this.dv.setUint32(this.at + 8 * n + 4, src.dv.getUint32(at + 4, true), true);
  }

  /** Restores non-volatile integer register `n` from the stack slot at `from`. */
  restore(n: number, from: number): void {
    this.load(n, from);
    this.point(CONTEXT_POINTERS.IntegerContext + 8 * n, from);
  }

  restoreXmm(n: number, context: number, from: number): void {
    this.mem.copy(context + CONTEXT.Xmm0 + 16 * n, from, 16);
    this.point(CONTEXT_POINTERS.FloatingContext + 8 * n, from);
  }

  private point(at: number, from: number): void {
    if (!this.ptrs) return;
    this.ptrs.setUint32(this.ptrsAt + at, from >>> 0, true);
    this.ptrs.setUint32(this.ptrsAt + at + 4, Math.floor(from / TWO_32) >>> 0, true);
  }
}

/** The window holding [addr, addr+len) after checking that the range is writable guest memory
 *  within one window (GuestMemoryError otherwise). */
function liveWindow(mem: AddressSpace, addr: number, len: number): DataView {
  mem.check(addr, len, true);
  if (Math.floor(addr / TWO_32) !== Math.floor((addr + len - 1) / TWO_32)) throw new GuestMemoryError(addr, len, true);
  return mem.windowOf(addr).dv;
}

/**
 * Undoes the codes of one UNWIND_INFO on the CONTEXT at `c`; with `limit` >= 0 only those whose
 * CodeOffset <= limit (a partly executed prolog). Returns whether a machine frame was popped.
 */
function applyCodes(regs: Registers, c: number, info: Info, limit: number, frame: number): boolean {
  const b = info.codes;
  let machineFrame = false;
  for (let i = 0; i < info.count; ) {
    const codeOffset = b[2 * i]!;
    const op = b[2 * i + 1]! & 0xf;
    const opInfo = b[2 * i + 1]! >> 4;
    const slots = slotsOf(op, opInfo, info.version);
    if (i + slots > info.count) throw new UnwindError('BadFunctionTable', info.address, `unwind info at 0x${info.address.toString(16)}: code ${op} runs past the code array`);
    const at = 2 * i + 2;
    i += slots;
    if (limit >= 0 && codeOffset > limit) continue;
    const rsp = regs.get(RSP);
    switch (op) {
      case UWOP.PUSH_NONVOL:
        regs.restore(opInfo, rsp);
        regs.set(RSP, rsp + 8);
        break;
      case UWOP.ALLOC_LARGE:
        regs.set(RSP, rsp + (opInfo === 0 ? u16At(b, at) * 8 : u32At(b, at)));
        break;
      case UWOP.ALLOC_SMALL:
        regs.set(RSP, rsp + opInfo * 8 + 8);
        break;
      case UWOP.SET_FPREG:
        regs.set(RSP, regs.get(info.frameReg) - info.frameOffset);
        break;
      case UWOP.SET_FPREG_LARGE:
        regs.set(RSP, regs.get(info.frameReg) - u32At(b, at) * 16);
        break;
      case UWOP.SAVE_NONVOL:
        regs.restore(opInfo, frame + u16At(b, at) * 8);
        break;
      case UWOP.SAVE_NONVOL_FAR:
        regs.restore(opInfo, frame + u32At(b, at));
        break;
      case UWOP.SAVE_XMM128:
        regs.restoreXmm(opInfo, c, frame + u16At(b, at) * 16);
        break;
      case UWOP.SAVE_XMM128_FAR:
        regs.restoreXmm(opInfo, c, frame + u32At(b, at));
        break;
      case UWOP.PUSH_MACHFRAME: {
        // RIP, CS, EFLAGS, RSP, SS as the CPU pushes them, after an error code when OpInfo is 1.
        const f = rsp + (opInfo !== 0 ? 8 : 0);
        regs.load(RIP, f);
        regs.load(RSP, f + 24);
        machineFrame = true;
        break;
      }
      default:
        // Version 2's EPILOG codes and the obsolete SAVE_XMM(_FAR) describe nothing to undo.
        break;
    }
  }
  return machineFrame;
}

/** Whether an epilog may start with byte `b`: a REX prefix (add/lea rsp, a pop, a jmp), a pop,
 *  ret, ret imm16, jmp rel32/rel8, rep ret or jmp r/m64. Most return addresses fail this. */
function mayStartEpilog(b: number): boolean {
  return (b & 0xf0) === 0x40 || (b >= 0x58 && b <= 0x5f) || b === 0xc3 || b === 0xc2 || b === 0xe9 || b === 0xeb || b === 0xf3 || b === 0xff;
}

/**
 * A live view of the code at `pc` for the epilog scan: EPILOG_WINDOW bytes, or as many as are
 * readable (reads past the end give undefined, which the scan's tests treat as no match);
 * undefined when the first byte cannot start an epilog.
 */
export function codeAt(mem: AddressSpace, pc: number): Uint8Array | undefined {
  if (!mayStartEpilog(mem.u8(pc))) return undefined;
  if (mem.accessible(pc, EPILOG_WINDOW, 'read')) return mem.view(pc, EPILOG_WINDOW, false);
  let n = EPILOG_WINDOW >> 1;
  while (n > 1 && !mem.accessible(pc, n, 'read')) n >>= 1;
  return mem.read(pc, n);
}

/** What the epilog check needs to know about the function being unwound. */
interface EpilogScope {
  readonly imageBase: number;
  readonly begin: number;
  readonly end: number;
  /** The first unwind info, to find the chained entries a jump may target. */
  readonly info: Info;
  readonly lookup: FunctionLookup | undefined;
}

/** Whether a jump to `target` leaves the function: outside its entry, and not into a function
 *  that starts where this one or one of its chained entries starts. */
function leavesFunction(mem: AddressSpace, s: EpilogScope, target: number): boolean {
  if (target >= s.imageBase + s.begin && target < s.imageBase + s.end) return false;
  const found = s.lookup?.(target);
  if (!found) return true;
  const start = found.imageBase + mem.u32(found.entry);
  if (start === s.imageBase + s.begin) return false;
  let info = s.info;
  for (let depth = 0; info.flags & UNW_FLAG_CHAININFO && depth <= MAX_UNWIND_CHAIN; depth++) {
    if (start === s.imageBase + mem.u32(info.tail)) return false;
    info = readInfo(mem, infoAddress(mem, s.imageBase, info.tail));
  }
  return true;
}

/** The length of the `add rsp, imm` / `lea rsp, [reg+disp]` at b[0], or 0. */
export function stackReleaseLength(b: Uint8Array): number {
  if ((b[0]! & 0xf8) !== 0x48) return 0;
  if (b[0] === 0x48 && b[2] === 0xc4) {
    if (b[1] === 0x81) return 7; // add rsp, imm32
    if (b[1] === 0x83) return 4; // add rsp, imm8
  }
  if (b[1] === 0x8d && (b[0]! & 0x06) === 0 && ((b[2]! >> 3) & 7) === 4 && (b[2]! & 7) !== 4) {
    if (b[2]! >> 6 === 1) return 4; // lea rsp, [reg+disp8]
    if (b[2]! >> 6 === 2) return 7; // lea rsp, [reg+disp32]
  }
  return 0;
}

/** Whether the code in `b` (at `pc`) is the rest of an epilog. */
function isEpilog(mem: AddressSpace, b: Uint8Array, pc: number, s: EpilogScope): boolean {
  let i = stackReleaseLength(b);
  for (;;) {
    let rex = 0;
    if ((b[i]! & 0xf0) === 0x40) rex = b[i++]!;
    const op = b[i]!;
    if (op >= 0x58 && op <= 0x5f) {
      i++;
      continue;
    }
    switch (op) {
      case 0xc3: // ret
      case 0xc2: // ret imm16
        return true;
      case 0xf3: // rep ret
        return b[i + 1] === 0xc3;
      case 0xe9: // jmp rel32: a tail call when it leaves the function
        return leavesFunction(mem, s, pc + i + 5 + (u32At(b, i + 1) | 0));
      case 0xeb: // jmp rel8
        return leavesFunction(mem, s, pc + i + 2 + ((b[i + 1]! << 24) >> 24));
      case 0xff: // jmp [rip+disp32], or any jmp r/m64 marked with REX.W
        return (rex === 0 && b[i + 1] === 0x25) || ((rex & 8) !== 0 && ((b[i + 1]! >> 3) & 7) === 4);
      default:
        return false;
    }
  }
}

/** Runs the rest of the epilog in `b` (validated by isEpilog) on the registers. */
function emulateEpilog(b: Uint8Array, regs: Registers): void {
  let rsp = regs.get(RSP);
  let i = stackReleaseLength(b);
  if (i !== 0) {
    if (b[1] === 0x81) rsp += u32At(b, 3) | 0;
    else if (b[1] === 0x83) rsp += (b[3]! << 24) >> 24;
    else {
      const base = (b[2]! & 7) | ((b[0]! & 1) << 3);
      const disp = i === 4 ? (b[3]! << 24) >> 24 : u32At(b, 3) | 0;
      rsp = regs.get(base) + disp;
    }
  }
  for (;;) {
    let rex = 0;
    if ((b[i]! & 0xf0) === 0x40) rex = b[i++]!;
    const op = b[i]!;
    if (op < 0x58 || op > 0x5f) break;
    regs.restore((op - 0x58) | ((rex & 1) << 3), rsp);
    rsp += 8;
    i++;
  }
  regs.load(RIP, rsp);
  rsp += 8;
  if (b[i] === 0xc2) rsp += u16At(b, i + 1);
  regs.set(RSP, rsp);
}

/**
 * RtlVirtualUnwind: unwinds one frame of the CONTEXT at `context` — the function whose
 * RUNTIME_FUNCTION is at `functionEntry` (0: a leaf function, whose return address is at RSP)
 * in the image at `imageBase`, interrupted at `controlPc`. `contextPointers` (0: none) receives
 * the stack addresses registers were restored from. `lookup` finds function entries for the
 * epilog's tail-call check (RtlLookupFunctionEntry); without it, any jump out of the function's
 * range counts as a tail call.
 */
export function virtualUnwind(
  mem: AddressSpace,
  handlerType: number,
  imageBase: number,
  controlPc: number,
  functionEntry: number,
  context: number,
  contextPointers: number,
  lookup?: FunctionLookup,
  plans?: UnwindPlans,
): UnwindResult {
  try {
    return unwind(mem, handlerType, imageBase, controlPc, functionEntry, context, contextPointers, lookup, plans);
  } catch (e) {
    if (e instanceof GuestMemoryError) throw new UnwindError('BadMemory', e.address, `unwinding at 0x${controlPc.toString(16)}: ${e.message}`);
    throw e;
  }
}

/**
 * Everything about unwinding a function at one PC that depends only on the unwind data and the
 * code, not on the registers: decoded once per PC by an exception walk that passes the same
 * return addresses again and again (UnwindPlans). The code slots are copies, so a plan reads no
 * guest memory.
 */
export interface UnwindPlan {
  readonly functionEntry: number;
  readonly imageBase: number;
  readonly first: Info;
  /** The chained infos after the first, in order. */
  readonly chain: readonly Info[];
  readonly offset: number;
  readonly inProlog: boolean;
  /** The frame register, when the establisher frame is taken from it (0: RSP). */
  readonly frameReg: number;
  readonly frameOffset: number;
  /** The PC may be in an epilog: the code there is read and checked on every unwind. */
  readonly maybeEpilog: boolean;
  /** The begin and end RVAs of the function (the epilog check). */
  readonly begin: number;
  readonly end: number;
  /** The plan compiled for the exception walk's fast path (kernel/unwindfast.ts), once it has
   *  been asked for; null when it cannot be (the slow path then reports why). */
  compiled: CompiledPlan | null | undefined;
}

/** Whether unwinding with `plan` returns a language handler of `handlerType` (runPlan's rule: none
 *  in a prolog or an epilog, else the last info's flags decide); undefined when the PC may be at
 *  an epilog, which only reading the code there settles. */
export function planHasHandler(plan: UnwindPlan, handlerType: number): boolean | undefined {
  if (plan.maybeEpilog) return undefined;
  if (plan.inProlog) return false;
  const last = plan.chain.length > 0 ? plan.chain[plan.chain.length - 1]! : plan.first;
  return (last.flags & handlerType & HANDLER_FLAGS) !== 0;
}

/** A cache of plans by PC; its owner empties it when the code or unwind data may change (an
 *  image mapped or unmapped). Only PCs inside images belong in it. */
export type UnwindPlans = PcTable<UnwindPlan>;

function planFor(mem: AddressSpace, imageBase: number, controlPc: number, functionEntry: number, plans: UnwindPlans | undefined, lookup: FunctionLookup | undefined): UnwindPlan {
  const cached = plans?.get(controlPc);
  if (cached !== undefined && cached.functionEntry === functionEntry && cached.imageBase === imageBase) return cached;
  const begin = mem.u32(functionEntry);
  const end = mem.u32(functionEntry + 4);
  const first = readInfo(mem, infoAddress(mem, imageBase, functionEntry));
  const offset = controlPc - imageBase - begin;
  const inProlog = offset >= 0 && offset < first.prolog;
  const chained = (first.flags & UNW_FLAG_CHAININFO) !== 0;
  const usesFrame = first.frameReg !== 0 && (!inProlog || chained || frameSetAt(first, offset));
  const chain: Info[] = [];
  for (let info = first, depth = 0; info.flags & UNW_FLAG_CHAININFO; depth++) {
    if (depth >= MAX_UNWIND_CHAIN) throw new UnwindError('BadFunctionTable', info.tail, `chained unwind info from 0x${functionEntry.toString(16)} does not end`);
    info = readInfo(mem, infoAddress(mem, imageBase, info.tail));
    chain.push(info);
  }
  const plan: UnwindPlan = {
    functionEntry,
    imageBase,
    first: plans ? ownCodes(first) : first,
    chain: plans ? chain.map(ownCodes) : chain,
    offset,
    inProlog,
    frameReg: usesFrame ? first.frameReg : 0,
    frameOffset: usesFrame ? frameOffsetOf(first) : 0,
    maybeEpilog: !inProlog && first.count !== 0 && mayStartEpilog(mem.u8(controlPc)),
    begin,
    end,
    compiled: undefined,
  };
  if (plans && plan.maybeEpilog) {
    // A kept plan settles the epilog check now: the code of an image does not change, and
    // return addresses almost never sit on an epilog (a fault in one does: checked each time).
    const code = codeAt(mem, controlPc);
    if (!code || !isEpilog(mem, code, controlPc, { imageBase, begin, end, info: first, lookup })) return rememberPlan(plans, controlPc, { ...plan, maybeEpilog: false });
  }
  return plans ? rememberPlan(plans, controlPc, plan) : plan;
}

function rememberPlan(plans: UnwindPlans, controlPc: number, plan: UnwindPlan): UnwindPlan {
  plans.set(controlPc, plan);
  return plan;
}

/** The info with its code slots copied out of guest memory (for a cached plan). */
function ownCodes(info: Info): Info {
  return { ...info, codes: info.codes.slice() };
}

function unwind(mem: AddressSpace, handlerType: number, imageBase: number, controlPc: number, functionEntry: number, c: number, ptrs: number, lookup: FunctionLookup | undefined, plans: UnwindPlans | undefined): UnwindResult {
  const regs = new Registers(mem, c, ptrs);
  const rsp = regs.get(RSP);
  if (functionEntry === 0) {
    regs.load(RIP, rsp);
    regs.set(RSP, rsp + 8);
    return { handler: 0, handlerData: 0, establisherFrame: rsp };
  }
  return runPlan(mem, handlerType, planFor(mem, imageBase, controlPc, functionEntry, plans, lookup), controlPc, c, regs, rsp, lookup);
}

/**
 * virtualUnwind with a plan the caller already holds (UnwindPlans.get(controlPc)), for the
 * exception walk: the same result and errors.
 */
export function unwindWithPlan(mem: AddressSpace, handlerType: number, plan: UnwindPlan, controlPc: number, context: number, lookup?: FunctionLookup): UnwindResult {
  try {
    const regs = new Registers(mem, context, 0);
    return runPlan(mem, handlerType, plan, controlPc, context, regs, regs.get(RSP), lookup);
  } catch (e) {
    if (e instanceof GuestMemoryError) throw new UnwindError('BadMemory', e.address, `unwinding at 0x${controlPc.toString(16)}: ${e.message}`);
    throw e;
  }
}

function runPlan(mem: AddressSpace, handlerType: number, plan: UnwindPlan, controlPc: number, c: number, regs: Registers, rsp: number, lookup: FunctionLookup | undefined): UnwindResult {
  const imageBase = plan.imageBase;
  const first = plan.first;
  const frame = plan.frameReg !== 0 ? regs.get(plan.frameReg) - plan.frameOffset : rsp;

  if (plan.maybeEpilog) {
    const code = codeAt(mem, controlPc);
    if (code && isEpilog(mem, code, controlPc, { imageBase, begin: plan.begin, end: plan.end, info: first, lookup })) {
      emulateEpilog(code, regs);
      return { handler: 0, handlerData: 0, establisherFrame: frame };
    }
  }

  let info = first;
  let machineFrame = applyCodes(regs, c, info, plan.inProlog ? plan.offset : -1, frame);
  for (const next of plan.chain) {
    info = next;
    if (applyCodes(regs, c, info, -1, frame)) machineFrame = true;
  }
  if (!machineFrame) {
    const top = regs.get(RSP);
    regs.load(RIP, top);
    regs.set(RSP, top + 8);
  }
  if (plan.inProlog || (info.flags & handlerType & HANDLER_FLAGS) === 0) return { handler: 0, handlerData: 0, establisherFrame: frame };
  return { handler: imageBase + mem.u32(info.tail), handlerData: info.tail + 4, establisherFrame: frame };
}
