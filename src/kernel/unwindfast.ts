/**
 * The exception walk's fast path (ntdll/excframes.ts): a kept UnwindPlan compiled once into a
 * flat list of register operations, then run on a CONTEXT in guest memory with one check of the
 * CONTEXT's registers per frame, one page-cache check per stack load, and no objects. Only plans
 * whose PC is not at an epilog are compiled (an epilog is emulated from its code, kernel/unwind.ts);
 * for those it gives exactly what runPlan gives: tests/unwindfast.test.ts runs both on every
 * unwind code and compares the CONTEXTs.
 */
import { CONTEXT } from '../native/layout.js';
import type { AddressSpace } from '../native/memory.js';
import { GuestMemoryError } from '../native/memprotect.js';
import { UWOP } from '../pe/exceptions.js';
import { UnwindError, slotsOf, u16At, u32At, type Info, type UnwindPlan } from './unwind.js';

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

/** Compiles a kept plan (not at an epilog); null when the slow path must run it. */
export function compilePlan(mem: AddressSpace, plan: UnwindPlan): CompiledPlan | null {
  if (plan.maybeEpilog) return null;
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
  return { ops: Float64Array.from(out), machineFrame, frameReg: plan.frameReg, frameOffset: plan.frameOffset, handlerFlags, handler, handlerData: handlerFlags !== 0 ? last.tail + 4 : 0 };
}

function getReg(dv: DataView, at: number, n: number): number {
  return dv.getUint32(at + 8 * n, true) + dv.getUint32(at + 8 * n + 4, true) * TWO_32;
}

function setReg(dv: DataView, at: number, n: number, v: number): void {
  dv.setUint32(at + 8 * n, v >>> 0, true);
  dv.setUint32(at + 8 * n + 4, Math.floor(v / TWO_32) >>> 0, true);
}

/** Register n from the 8 bytes at guest address `from` (checked). */
function loadReg(mem: AddressSpace, dv: DataView, at: number, n: number, from: number): void {
  mem.check(from, 8);
  const src = mem.windowView(from);
  const o = from - mem.windowBase(from);
  if (o + 8 > src.byteLength) throw new GuestMemoryError(from, 8, false);
  dv.setUint32(at + 8 * n, src.getUint32(o, true), true);
  dv.setUint32(at + 8 * n + 4, src.getUint32(o + 4, true), true);
}

/**
 * Unwinds one frame of the CONTEXT at `c` with a compiled plan; returns the establisher frame.
 * Unreadable stack throws UnwindError('BadMemory'), as virtualUnwind does.
 */
export function runCompiled(mem: AddressSpace, cp: CompiledPlan, c: number, controlPc: number): number {
  try {
    const regs = c + CONTEXT.Rax;
    mem.check(regs, REGISTER_BYTES, true);
    const dv = mem.windowView(regs);
    const at = regs - mem.windowBase(regs);
    if (at + REGISTER_BYTES > dv.byteLength) throw new GuestMemoryError(regs, REGISTER_BYTES, true);
    const start = getReg(dv, at, RSP);
    const frame = cp.frameReg !== 0 ? getReg(dv, at, cp.frameReg) - cp.frameOffset : start;
    const ops = cp.ops;
    for (let i = 0; i < ops.length; i += 3) {
      const a = ops[i + 1]!;
      switch (ops[i]) {
        case Op.Push: {
          const rsp = getReg(dv, at, RSP);
          loadReg(mem, dv, at, a, rsp);
          setReg(dv, at, RSP, rsp + 8);
          break;
        }
        case Op.Add:
          setReg(dv, at, RSP, getReg(dv, at, RSP) + a);
          break;
        case Op.SetFrame:
          setReg(dv, at, RSP, getReg(dv, at, a) - ops[i + 2]!);
          break;
        case Op.Save:
          loadReg(mem, dv, at, a, frame + ops[i + 2]!);
          break;
        case Op.SaveXmm:
          mem.copy(c + CONTEXT.Xmm0 + 16 * a, frame + ops[i + 2]!, 16);
          break;
        case Op.MachineFrame: {
          const f = getReg(dv, at, RSP) + a;
          loadReg(mem, dv, at, RIP, f);
          loadReg(mem, dv, at, RSP, f + 24);
          break;
        }
      }
    }
    if (!cp.machineFrame) {
      const rsp = getReg(dv, at, RSP);
      loadReg(mem, dv, at, RIP, rsp);
      setReg(dv, at, RSP, rsp + 8);
    }
    return frame;
  } catch (e) {
    if (e instanceof GuestMemoryError) throw new UnwindError('BadMemory', e.address, `unwinding at 0x${controlPc.toString(16)}: ${e.message}`);
    throw e;
  }
}
