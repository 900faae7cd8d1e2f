/**
 * Walking the guest's frames for exception dispatch, unwinding and stack traces: one frame at a
 * time over a CONTEXT in guest memory, through `.pdata` unwind data (kernel/unwind.ts), leaf
 * functions, and the places where JS called guest code (the call-guest trampoline): there the
 * walk continues at the CONTEXT the call was made for (an exception being dispatched, a catch
 * block's parent frame) or in the guest code whose export call JS was running.
 */
import { loadSavedRegisters } from '../../native/capture.js';
import { UNWIND_FRAME } from '../../native/exccore.js';
import { CONTEXT } from '../../native/layout.js';
import type { ApiContext, GuestCallFrame } from '../types.js';
import { copyContext } from './excdefs.js';
import { planHasHandler, unwindWithPlan, type UnwindPlan } from '../../kernel/unwind.js';
import { compiledOf, leafPlan, runCompiled, type CompiledPlan } from '../../kernel/unwindfast.js';
import { RUNTIME_FUNCTION_SIZE } from '../../kernel/functiontables.js';
import { UNW_FLAG_UHANDLER } from '../../pe/exceptions.js';
import { functionLookup, lookupFunction, unwindFunction } from './rtlunwind.js';

export interface Frame {
  /** The frame's RIP before it was unwound. */
  readonly controlPc: number;
  readonly imageBase: number;
  /** The RUNTIME_FUNCTION of the frame's function (0: a leaf function or no unwind data). */
  readonly functionEntry: number;
  readonly establisherFrame: number;
  /** The language handler for the handler type asked for (0: none), and its data. */
  readonly handler: number;
  readonly handlerData: number;
  /** The frame was a JS → guest call: `walk` now holds the state past it. */
  readonly boundary?: GuestCallFrame;
}

/** Where guest code called from JS returns: the trampoline frame for the call at `rsp`. */
function callAt(ctx: ApiContext, rsp: number): GuestCallFrame | undefined {
  const calls = ctx.process.frames.calls;
  for (let i = calls.length - 1; i >= 0; i--) if (calls[i]!.rsp === rsp) return calls[i];
  return undefined;
}

/** The walk steps out of a JS → guest call into the guest code whose export call JS ran. */
function crossExportCall(ctx: ApiContext, walk: number, call: GuestCallFrame): void {
  const m = ctx.mem;
  m.setU64(walk + CONTEXT.Rip, m.u64(call.exportRsp));
  m.setU64(walk + CONTEXT.Rsp, call.exportRsp + 8);
  loadSavedRegisters(m, walk, call.saveArea);
}

/**
/**
 * Steps the CONTEXT at `walk`, stopped where guest code returns into the call-guest trampoline,
 * out of that JS → guest call: to the CONTEXT the call was made for, or to the guest code whose
 * export call JS was running. Undefined (and `walk` unchanged) at the outermost call.
 */
export function crossGuestCall(ctx: ApiContext, walk: number): GuestCallFrame | undefined {
  const call = callAt(ctx, ctx.mem.ptr(walk + CONTEXT.Rsp));
  if (!call) return undefined;
  if (call.parent !== 0) copyContext(ctx, walk, call.parent);
  else if (call.exportRsp !== 0) crossExportCall(ctx, walk, call);
  else return undefined;
  return call;
}

/** Whether the walk at `walk`, stopped at the call-guest trampoline, crosses into a CONTEXT the
 *  call was made for (crossGuestCall then overwrites the whole walk CONTEXT). */
export function crossesToContext(ctx: ApiContext, walk: number): boolean {
  const call = callAt(ctx, ctx.mem.ptr(walk + CONTEXT.Rsp));
  return call !== undefined && call.parent !== 0;
}

/**
 * Whether the frame at `walk` is one RtlUnwindEx can unwind in place, with no copy of the state
 * before it: a PC seen before (`plan`, its plan) whose frame has no termination handler and whose establisher frame
 * lies below `targetFrame` (0: an exit unwind), so that neither a handler nor the raise for a
 * missed target needs that state.
 */
export function unwindsInPlace(ctx: ApiContext, walk: number, targetFrame: number, plan: UnwindPlan | undefined): boolean {
  if (plan === undefined || planHasHandler(plan, UNW_FLAG_UHANDLER) !== false) return false;
  return targetFrame === 0 || establisherBefore(ctx, walk, plan) < targetFrame;
}

/** The establisher frame of the frame at `walk` that `plan` unwinds, from the state before the
 *  unwind: its frame register minus the offset, or RSP. */
function establisherBefore(ctx: ApiContext, walk: number, plan: UnwindPlan): number {
  return plan.frameReg !== 0 ? ctx.mem.ptr(walk + CONTEXT.Rax + 8 * plan.frameReg) - plan.frameOffset : ctx.mem.ptr(walk + CONTEXT.Rsp);
}

/** A frame described by its plan's compiled form: the handler and data when it serves
 *  `handlerType`. */
function planFrame(plan: UnwindPlan, cp: CompiledPlan, controlPc: number, establisherFrame: number, handlerType: number): Frame {
  const served = (cp.handlerFlags & handlerType) !== 0;
  return { controlPc, imageBase: plan.imageBase, functionEntry: plan.functionEntry, establisherFrame, handler: served ? cp.handler : 0, handlerData: served ? cp.handlerData : 0 };
}

/**
 * The frame at `walk` when it is an unwind's target (its establisher frame is `targetFrame`) and
 * its PC has a compiled plan (`plan`, not at an epilog): described without unwinding it, since
 * its handler sees the state before the unwind and the walk ends there. Else undefined.
 */
export function targetFrameAt(ctx: ApiContext, walk: number, targetFrame: number, plan: UnwindPlan | undefined): Frame | undefined {
  if (plan === undefined || targetFrame === 0 || plan.maybeEpilog || establisherBefore(ctx, walk, plan) !== targetFrame) return undefined;
  const cp = compiledOf(ctx.mem, plan);
  return cp === null ? undefined : planFrame(plan, cp, ctx.mem.ptr(walk + CONTEXT.Rip), targetFrame, UNW_FLAG_UHANDLER);
}

/**
 * Unwinds one frame of the CONTEXT at `walk` in place and describes it; undefined at the end of
 * the guest's stack (the top-level call, a zero or unreadable return address). `handlerType`
 * is UNW_FLAG_EHANDLER (dispatch) or UNW_FLAG_UHANDLER (unwind); `known`: the plan for the
 * frame's PC when the caller has looked it up already.
 */
export function unwindOneFrame(ctx: ApiContext, handlerType: number, walk: number, known?: UnwindPlan): Frame | undefined {
  const m = ctx.mem;
  const pc = m.ptr(walk + CONTEXT.Rip);
  const rsp = m.ptr(walk + CONTEXT.Rsp);
  if (pc === 0 || !m.accessible(rsp, 8, 'read')) return undefined;
  if (pc === ctx.process.frames.callGuestReturn) {
    const call = crossGuestCall(ctx, walk);
    return call ? { controlPc: pc, imageBase: 0, functionEntry: 0, establisherFrame: rsp, handler: 0, handlerData: 0, boundary: call } : undefined;
  }
  if (pc === ctx.process.frames.raiseCore.unwindCall) {
    // A termination handler the exception core's RtlUnwindEx called (native/exccore.ts): the
    // walk continues at the state that unwind gave the handler, as at a handler JS called
    // (callLanguageHandler), and an unwind crossing it collides with that one.
    const call: GuestCallFrame = { rsp, parent: rsp + UNWIND_FRAME.Snapshot, exportRsp: 0, saveArea: 0, dispatcher: rsp + UNWIND_FRAME.Dispatcher, filter: undefined };
    copyContext(ctx, walk, call.parent);
    return { controlPc: pc, imageBase: 0, functionEntry: 0, establisherFrame: rsp, handler: 0, handlerData: 0, boundary: call };
  }
  const plan = known ?? ctx.process.frames.codeCache().plans.get(pc);
  if (plan !== undefined) {
    // Seen before: the plan holds the function entry too (one lookup per frame), and most
    // plans run compiled (kernel/unwindfast.ts).
    const cp = compiledOf(m, plan);
    const establisherFrame = cp !== null ? runCompiled(m, cp, walk, pc) : undefined;
    if (cp !== null && establisherFrame !== undefined) return planFrame(plan, cp, pc, establisherFrame, handlerType);
    // The lookup serves only the epilog check (a plan at a possible epilog).
    const r = unwindWithPlan(ctx.mem, handlerType, plan, pc, walk, plan.maybeEpilog ? functionLookup(ctx) : undefined);
    return { controlPc: pc, imageBase: plan.imageBase, functionEntry: plan.functionEntry, establisherFrame: r.establisherFrame, handler: r.handler, handlerData: r.handlerData };
  }
  const found = lookupFunction(ctx, pc);
  if (!found) {
    // A leaf function (or code without unwind data): the return address is at [rsp]. In an
    // image whose exception directory decides (one with entries, or winrun's own), that stays
    // so: the code cache keeps it as a plan.
    const image = ctx.process.frames.imageAt(pc);
    if (image && (image.builtin || image.pdataSize >= RUNTIME_FUNCTION_SIZE)) ctx.process.frames.codeCache().plans.set(pc, leafPlan(image.base));
    m.setU64(walk + CONTEXT.Rip, m.u64(rsp));
    m.setU64(walk + CONTEXT.Rsp, rsp + 8);
    return { controlPc: pc, imageBase: image?.base ?? 0, functionEntry: 0, establisherFrame: rsp, handler: 0, handlerData: 0 };
  }
  const r = unwindFunction(ctx, handlerType, found.imageBase, pc, found.entry, walk, 0, ctx.process.frames.codeCache().functions.get(pc) === found);
  return { controlPc: pc, imageBase: found.imageBase, functionEntry: found.entry, establisherFrame: r.establisherFrame, handler: r.handler, handlerData: r.handlerData };
}
