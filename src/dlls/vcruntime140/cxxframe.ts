/**
 * C++ exceptions of MSVC-built programs: _CxxThrowException raises them; __CxxFrameHandler3 (and
 * the older names msvcrt.dll exports, which read the same FuncInfo on x64) is the language
 * handler of every function with C++ cleanups or try blocks.
 *
 * Searching, for a frame: the state at the frame's PC (its IP-to-state map) selects the try
 * blocks that contain it, innermost first; the first handler whose type the thrown object
 * converts to (its ThrowInfo lists the types it can be caught as) catches. The handler builds
 * the catch object in the function's frame, then unwinds to the frame (RtlUnwindEx: the frames
 * in between run their cleanups, this one unwinds to its try block's state), runs the catch
 * funclet on top of the stack (the thrown object still lives in the thrower's frame), destroys
 * the object and continues at the address the funclet returned.
 *
 * Catch funclets are functions of their own with the same FuncInfo; their frame keeps the
 * function's establisher frame at HandlerType.dispFrame. Catches in progress are listed in
 * cxxcatch.ts.
 */
import { getPtr } from '../../native/guestmemory.js';
import { CONTEXT, CXX_CONSOLIDATE, CXX_CONSOLIDATE_MAGIC } from '../../native/layout.js';
import { CATCH_OBJECT, CLEANUP, type CatchPlan, type NativeUnwindWalk } from '../../native/unwindwalk.js';
import { keepNative } from '../../kernel/unwindfast.js';
import { DC, EXCEPTION_EXIT_UNWIND, EXCEPTION_NONCONTINUABLE, EXCEPTION_TARGET_UNWIND, EXCEPTION_UNWINDING, ExceptionContinueSearch, REC, STATUS, sehTrace, withGuestScratch } from '../ntdll/excdefs.js';
import { raiseFromCaller, writeRecord } from '../ntdll/excdispatch.js';
import { unwindFrom } from '../ntdll/excunwind.js';
import { abort } from '../msvcrt/startup.js';
import type { ApiContext } from '../types.js';
import { CATCH, CATCH_EXITED, CXX_SLOTS, activeCatch, catchOfFunclet, countUncaught, objectHeld, popCatch, pushCatch, terminate } from './cxxcatch.js';
import {
  CATCHABLE, CT_BYREF_ONLY, CT_SIMPLE, CT_VIRTUAL_BASE, CXX_EXCEPTION, CXX_MAGIC, FI_EHS_FLAG, FI_NOEXCEPT_FLAG, HT_CONST, HT_REFERENCE, HT_STD_DOTDOT, HT_UNALIGNED, HT_VOLATILE,
  STATUS_LONGJUMP, THROW_INFO, TI_CONST, TI_UNALIGNED, TI_VOLATILE, UNWIND_DTOR_OBJECT, UNWIND_DTOR_POINTER, UNWIND_FUNCLET, adjustPointer, readFuncInfo, sameType, stateAt,
  type FuncInfo, type Handler, type TryBlock, type UnwindEntry,
} from './cxxdefs.js';
import { readFuncInfo4 } from './cxxfh4.js';

const trace = (ctx: ApiContext, text: () => string): void => sehTrace(ctx, '__CxxFrameHandler', text);

/** Reads a function's FuncInfo from its handler data: FH3 tables or FH4's compressed ones. */
type Decoder = (ctx: ApiContext, base: number, at: number, functionStart: number) => FuncInfo | undefined;

/** The STATUS_UNWIND_CONSOLIDATE records this handler unwinds with: their parameters, and the
 *  magic number that marks them (native/layout.ts). */
const CP = CXX_CONSOLIDATE;

/** _CxxThrowException(object, ThrowInfo): raises the C++ exception; (NULL, NULL) is `throw;`. */
export function _CxxThrowException(ctx: ApiContext, object: number, throwInfo: number): void {
  const base = throwInfo !== 0 ? (ctx.process.frames.imageAt(throwInfo)?.base ?? 0) : 0;
  // The exception core's C++ throw (native/exccore.ts) takes the next throw of this type.
  if (base !== 0) ctx.process.frames.codeCache().walker.noteThrowInfo(throwInfo, base);
  countUncaught(ctx, 1);
  raiseFromCaller(ctx, (rec, ret) => writeRecord(ctx, rec, CXX_EXCEPTION, EXCEPTION_NONCONTINUABLE, ret, [CXX_MAGIC, object, throwInfo, base]));
}

/** The C++ exception a record stands for: the object, its ThrowInfo and their image. */
interface Thrown {
  readonly record: number;
  readonly object: number;
  readonly throwInfo: number;
  readonly base: number;
}

function thrownBy(ctx: ApiContext, rec: number): Thrown | undefined {
  // Through the record's words (read on every handler call).
  const { u, i } = ctx.mem.words(rec, REC.Size);
  const count = u[i + REC.NumberParameters / 4]!;
  const p = i + REC.ExceptionInformation / 4;
  // The magic number is the first parameter's low 32 bits.
  if (u[i + REC.ExceptionCode / 4] !== CXX_EXCEPTION || count < 3 || u[p] !== CXX_MAGIC) return undefined;
  return { record: rec, object: getPtr(u, p + 2), throwInfo: getPtr(u, p + 4), base: count >= 4 ? getPtr(u, p + 6) : 0 };
}

/** The frame a handler call is for: the function's FuncInfo, and for a catch funclet the try
 *  block it belongs to and the function's own establisher frame. */
interface FrameInfo {
  readonly fi: FuncInfo;
  readonly base: number;
  readonly frame: number;
  readonly mainFrame: number;
  /** The try block whose catch funclet this frame is. */
  readonly funcletOf?: TryBlock;
  readonly pcState: number;
  /** The frame is the function's own (not a catch funclet's): mainFrame is frame. */
  readonly ownFrame: boolean;
}

/** A function's FuncInfo, decoded once while the image stays mapped (the thread's code cache). */
function decodeCached(ctx: ApiContext, decode: Decoder, base: number, at: number, functionStart: number): FuncInfo | undefined {
  const cache = ctx.process.frames.codeCache().handlerData;
  const hit = cache.get(at) as { fi: FuncInfo; start: number; decode: Decoder } | undefined;
  if (hit && hit.start === functionStart && hit.decode === decode) return hit.fi;
  const fi = decode(ctx, base, at, functionStart);
  if (fi && ctx.process.frames.imageAt(at) !== undefined) cache.set(at, { fi, start: functionStart, decode });
  return fi;
}

/** What frameInfo finds for a PC in an image, kept in the thread's code cache (by the PC: the
 *  function, its handler data and its state there do not change while the image is mapped). */
interface PcInfo {
  readonly decode: Decoder;
  readonly functionEntry: number;
  readonly handlerData: number;
  readonly fi: FuncInfo;
  readonly base: number;
  readonly funcletOf: TryBlock | undefined;
  /** Where the function's own establisher frame is kept in this frame (a catch funclet's
   *  frame; -1: this frame is the function's). */
  readonly mainFrameAt: number;
  readonly pcState: number;
}

function frameInfo(ctx: ApiContext, frame: number, dc: number, decode: Decoder): FrameInfo | undefined {
  const m = ctx.mem;
  const pc = m.ptr(dc + DC.ControlPc);
  const functionEntry = m.ptr(dc + DC.FunctionEntry);
  const handlerData = m.ptr(dc + DC.HandlerData);
  const cache = ctx.process.frames.codeCache().handlerData;
  let hit = cache.get(pc) as PcInfo | undefined;
  if (hit === undefined || hit.decode !== decode || hit.functionEntry !== functionEntry || hit.handlerData !== handlerData) {
    const base = m.ptr(dc + DC.ImageBase);
    const begin = m.u32(functionEntry);
    const fi = decodeCached(ctx, decode, base, base + m.u32(handlerData), begin);
    if (!fi) return undefined;
    let funcletOf: TryBlock | undefined;
    let mainFrameAt = fi.catchFrame ?? -1;
    for (const t of fi.tryBlocks) {
      const h = t.handlers.find((x) => x.funclet === begin);
      if (h) {
        funcletOf = t;
        if (fi.catchFrame === undefined) mainFrameAt = h.frame;
        break;
      }
    }
    hit = { decode, functionEntry, handlerData, fi, base, funcletOf, mainFrameAt, pcState: stateAt(fi, pc - base) };
    if (ctx.process.frames.imageAt(pc) !== undefined) cache.set(pc, hit);
  }
  const mainFrame = hit.mainFrameAt >= 0 ? m.ptr(frame + hit.mainFrameAt) : frame;
  return { fi: hit.fi, base: hit.base, frame, mainFrame, funcletOf: hit.funcletOf, pcState: hit.pcState, ownFrame: hit.mainFrameAt < 0 };
}

const fh3: Decoder = (ctx, base, at) => readFuncInfo(ctx, base, at);

/** __CxxFrameHandler3 (and __CxxFrameHandler, __CxxFrameHandler2: the same tables on x64). */
export function CxxFrameHandler3(ctx: ApiContext, rec: number, frame: number, _context: number, dc: number): number {
  return frameHandler(ctx, rec, frame, dc, fh3);
}

/** __CxxFrameHandler4: the compressed tables of MSVC 2019 and later. */
export function CxxFrameHandler4(ctx: ApiContext, rec: number, frame: number, _context: number, dc: number): number {
  return frameHandler(ctx, rec, frame, dc, readFuncInfo4);
}

function frameHandler(ctx: ApiContext, rec: number, frame: number, dc: number, decode: Decoder): number {
  const m = ctx.mem;
  const code = m.u32(rec + REC.ExceptionCode);
  const flags = m.u32(rec + REC.ExceptionFlags);
  const f = frameInfo(ctx, frame, dc, decode);
  if (!f) return ExceptionContinueSearch;
  const consolidate = code === STATUS.UNWIND_CONSOLIDATE && m.u32(rec + REC.NumberParameters) >= CP.Count && m.ptr(rec + REC.ExceptionInformation + 8 * CP.Magic) === CXX_CONSOLIDATE_MAGIC;
  // /EHs functions see only C++ exceptions (and the unwinds that C++ catches and longjmp make).
  if (f.fi.ehFlags & FI_EHS_FLAG && code !== CXX_EXCEPTION && !consolidate && code !== STATUS_LONGJUMP) return ExceptionContinueSearch;
  const active = activeCatch(ctx, frame, f.fi.address);
  if (flags & (EXCEPTION_UNWINDING | EXCEPTION_EXIT_UNWIND)) {
    const from = active ? active.state : f.pcState;
    const param = (i: number): number => m.ptr(rec + REC.ExceptionInformation + 8 * i);
    if (flags & EXCEPTION_TARGET_UNWIND && consolidate && param(CP.Target) === frame) {
      localUnwind(ctx, f, from, m.i32(rec + REC.ExceptionInformation + 8 * CP.State));
    } else {
      // What a C++ catch's unwind does here while no catch runs for the frame: the exception
      // core's unwind may run these cleanups itself next time.
      if (active === undefined && f.ownFrame) keepCleanups(ctx, f, m.ptr(dc + DC.ControlPc));
      localUnwind(ctx, f, from, f.funcletOf ? f.funcletOf.tryHigh : -1);
      if (f.funcletOf) leaveCatchByException(ctx, f, m.u32(m.ptr(dc + DC.FunctionEntry)), consolidate ? param(CP.Record) : rec);
    }
    return ExceptionContinueSearch;
  }
  const noexcept = (f.fi.ehFlags & FI_NOEXCEPT_FLAG) !== 0;
  // What this frame does with a new exception while no catch runs for it is fixed by the PC and
  // the ThrowInfo: the exception core's C++ throw may decide so itself next time.
  const plannable = active === undefined && f.ownFrame;
  if (f.fi.tryBlocks.length === 0 && !noexcept) {
    // Whatever the exception and whatever catch runs.
    if (code === CXX_EXCEPTION) walkerWith(ctx, m.ptr(dc + DC.ControlPc)).passAll(m.ptr(dc + DC.ControlPc));
    return ExceptionContinueSearch;
  }
  let thrown = thrownBy(ctx, rec);
  const fresh = thrown !== undefined && thrown.throwInfo !== 0;
  if (thrown && thrown.throwInfo === 0 && thrown.object === 0) {
    // `throw;`: the exception of the innermost running catch.
    const current = m.ptr(ctx.teb + CXX_SLOTS.CurrentException);
    thrown = current !== 0 ? thrownBy(ctx, current) : undefined;
    if (!thrown) return ExceptionContinueSearch;
  }
  if (!thrown && code === CXX_EXCEPTION) return ExceptionContinueSearch;
  const state = active ? Math.max(active.state, active.floor) : f.pcState;
  for (const t of f.fi.tryBlocks) {
    if (state < t.tryLow || state > t.tryHigh) continue;
    // From a catch funclet, only the try blocks inside that catch.
    if (f.funcletOf && (t.tryLow <= f.funcletOf.tryHigh || t.tryHigh > f.funcletOf.catchHigh)) continue;
    for (const h of t.handlers) {
      const ct = thrown ? catchableAs(ctx, thrown, h, f.base) : h.type === 0 && (h.adjectives & HT_STD_DOTDOT) === 0 ? 0 : undefined;
      if (ct === undefined) continue;
      if (plannable && fresh) planCatch(ctx, f, t, h, thrown!, ct, m.ptr(dc + DC.ControlPc));
      catchIt(ctx, rec, frame, dc, f, t, h, thrown, ct);
      return ExceptionContinueSearch; // the unwind to the catch block is under way (pending)
    }
  }
  if (noexcept && !f.funcletOf) {
    trace(ctx, () => `an exception leaves the noexcept function at ${ctx.process.frames.describe(m.ptr(dc + DC.ControlPc))}: terminate()`);
    terminate(ctx, abort);
  }
  if (plannable && fresh) planPass(ctx, rec, dc);
  return ExceptionContinueSearch;
}

/** The native walker's table, with the frame at `pc` in it when JS has just walked it (its
 *  kept plan) and it was not yet. */
function walkerWith(ctx: ApiContext, pc: number): NativeUnwindWalk {
  const cache = ctx.process.frames.codeCache();
  if (!cache.walker.has(pc)) {
    const unwind = cache.plans.get(pc);
    if (unwind) keepNative(ctx.mem, cache, pc, unwind);
  }
  return cache.walker;
}

/** Keeps a decision for the frame at `pc` (native/unwindwalk.ts PLAN). */
function keepPlan(ctx: ApiContext, pc: number, throwInfo: number, plan: CatchPlan | null): void {
  walkerWith(ctx, pc).addPlan(pc, throwInfo, plan);
}

/** Keeps the cleanups localUnwind runs for the frame from its state at `pc` down
 *  (native/unwindwalk.ts CLEANUPS). */
function keepCleanups(ctx: ApiContext, f: FrameInfo, pc: number): void {
  const walker = walkerWith(ctx, pc);
  if (walker.hasCleanups(pc)) return;
  const kinds = new Map([[UNWIND_DTOR_OBJECT, CLEANUP.Object], [UNWIND_DTOR_POINTER, CLEANUP.Pointer], [UNWIND_FUNCLET, CLEANUP.Funclet]]);
  const cleanups: { kind: number; action: number; object: number }[] = [];
  for (const { e } of cleanupsOf(f, f.pcState, -1)) {
    const kind = kinds.get(e.kind);
    if (kind !== undefined) cleanups.push({ kind, action: f.base + e.action, object: e.object });
  }
  walker.setCleanups(pc, cleanups);
}

/** The exception handler of the exception core's cleanup runner (native/exccatch.ts): a C++
 *  exception leaving a cleanup it called ends in terminate(), as localUnwind's calls do. */
export function cleanupFilter(ctx: ApiContext, rec: number, _frame: number, _context: number, _dc: number): number {
  const m = ctx.mem;
  if ((m.u32(rec + REC.ExceptionFlags) & (EXCEPTION_UNWINDING | EXCEPTION_EXIT_UNWIND)) === 0 && m.u32(rec + REC.ExceptionCode) === CXX_EXCEPTION) {
    trace(ctx, () => 'a C++ exception leaves a destructor run by an unwind: terminate()');
    terminate(ctx, abort);
  }
  return ExceptionContinueSearch;
}

/** The frame lets a new exception of the record's ThrowInfo pass. */
function planPass(ctx: ApiContext, rec: number, dc: number): void {
  const t = thrownBy(ctx, rec);
  if (t && t.throwInfo !== 0) keepPlan(ctx, ctx.mem.ptr(dc + DC.ControlPc), t.throwInfo, null);
}

/** The frame catches a new exception of the ThrowInfo in try block `t`, handler `h`: what
 *  catchIt does, as the exception core's catch makes it (native/exccatch.ts), when the catch
 *  object is one it can make. */
function planCatch(ctx: ApiContext, f: FrameInfo, t: TryBlock, h: Handler, thrown: Thrown, ct: number, pc: number): void {
  const object = catchObjectPlan(ctx, h, thrown, ct);
  if (!object) return;
  // The frame's own unwind to the try block (localUnwind from its state to tryLow): nothing?
  const skipTarget = cleanupsOf(f, f.pcState, t.tryLow).length === 0;
  keepPlan(ctx, pc, thrown.throwInfo, {
    ...object, funclet: f.base + h.funclet, funcInfo: f.fi.address, tryLow: t.tryLow, floor: t.tryHigh + 1,
    continuations: h.continuations.map((c) => f.base + c), skipTarget,
  });
}

/** How buildCatchObject makes the catch object, in PLAN's terms; undefined for a pointer
 *  adjusted through a virtual base table or a copy whose size is off. */
function catchObjectPlan(ctx: ApiContext, h: Handler, thrown: Thrown, ct: number): { objKind: number; catchObj: number; size: number; mdisp: number; copy: number } | undefined {
  const m = ctx.mem;
  const none = { objKind: CATCH_OBJECT.None, catchObj: 0, size: 0, mdisp: 0, copy: 0 };
  if (h.type === 0 || h.catchObj === 0 || ct === 0) return none;
  if (m.i32(ct + CATCHABLE.Pdisp) >= 0) return undefined;
  const mdisp = m.i32(ct + CATCHABLE.Mdisp);
  const props = m.u32(ct + CATCHABLE.Properties);
  const size = m.i32(ct + CATCHABLE.Size);
  const at = { ...none, catchObj: h.catchObj };
  if (h.adjectives & HT_REFERENCE) return { ...at, objKind: CATCH_OBJECT.Reference, mdisp };
  if (!(size > 0 && size <= 0x10000)) return undefined;
  if (props & CT_SIMPLE) return size === 8 && mdisp !== 0 ? undefined : { ...at, objKind: CATCH_OBJECT.Bytes, size };
  const copy = m.u32(ct + CATCHABLE.Copy);
  if (copy === 0) return { ...at, objKind: CATCH_OBJECT.Bytes, size, mdisp };
  return { ...at, objKind: props & CT_VIRTUAL_BASE ? CATCH_OBJECT.CopyVirtualBase : CATCH_OBJECT.Copy, mdisp, copy: thrown.base + copy };
}

/** Whether the handler catches the exception: 0 for catch (...), the CatchableType matched, or
 *  undefined. */
function catchableAs(ctx: ApiContext, thrown: Thrown, h: Handler, base: number): number | undefined {
  if (h.type === 0) return 0;
  const m = ctx.mem;
  if (thrown.throwInfo === 0) return undefined;
  const attributes = m.u32(thrown.throwInfo + THROW_INFO.Attributes);
  const array = thrown.base + m.u32(thrown.throwInfo + THROW_INFO.CatchableTypes);
  const count = Math.min(m.u32(array), 0x1000);
  const handlerType = base + h.type;
  for (let i = 0; i < count; i++) {
    const ct = thrown.base + m.u32(array + 4 + 4 * i);
    if (!sameType(ctx, thrown.base + m.u32(ct + CATCHABLE.Type), handlerType)) continue;
    const props = m.u32(ct + CATCHABLE.Properties);
    if (props & CT_BYREF_ONLY && (h.adjectives & HT_REFERENCE) === 0) continue;
    if ((attributes & TI_CONST && !(h.adjectives & HT_CONST)) || (attributes & TI_VOLATILE && !(h.adjectives & HT_VOLATILE)) || (attributes & TI_UNALIGNED && !(h.adjectives & HT_UNALIGNED))) continue;
    return ct;
  }
  return undefined;
}

/** Runs the cleanups of the frame's states from `from` down to (not including) `to`. A C++
 *  exception leaving a cleanup ends in terminate(), as the C++ standard requires (MSVC's
 *  runtime calls its cleanups under an exception filter that does this). */
function localUnwind(ctx: ApiContext, f: FrameInfo, from: number, to: number): void {
  const frames = ctx.process.frames;
  const filter = (rec: number): void => {
    if (ctx.mem.u32(rec + REC.ExceptionCode) !== CXX_EXCEPTION) return;
    trace(ctx, () => 'a C++ exception leaves a destructor run by an unwind: terminate()');
    terminate(ctx, abort);
  };
  for (const { state, e } of cleanupsOf(f, from, to)) {
    trace(ctx, () => `state ${state}: cleanup ${frames.describe(f.base + e.action)}`);
    if (e.kind === UNWIND_FUNCLET) frames.callFiltered(f.base + e.action, [0, f.mainFrame], filter);
    else if (e.kind === UNWIND_DTOR_OBJECT) frames.callFiltered(f.base + e.action, [f.mainFrame + e.object], filter);
    else if (e.kind === UNWIND_DTOR_POINTER) frames.callFiltered(f.base + e.action, [ctx.mem.ptr(f.mainFrame + e.object)], filter);
  }
}

/** The unwind map's entries with a cleanup, from state `from` down to (not including) `to`,
 *  in the order they run (each state's toState leads to the next; a bad map ends the walk). */
function cleanupsOf(f: FrameInfo, from: number, to: number): { state: number; e: UnwindEntry }[] {
  const map = f.fi.unwindMap;
  const out: { state: number; e: UnwindEntry }[] = [];
  for (let state = from, guard = 0; state > to && state >= 0 && state < map.length && guard < map.length; guard++) {
    const e = map[state]!;
    if (e.kind !== 0) out.push({ state, e });
    state = e.toState;
  }
  return out;
}

/** A catch funclet is left by an exception: its object is destroyed unless the exception that
 *  leaves is the same one (rethrown) or another running catch holds it. */
function leaveCatchByException(ctx: ApiContext, f: FrameInfo, funcletRva: number, inFlight: number): void {
  const m = ctx.mem;
  const at = catchOfFunclet(ctx, f.base + funcletRva, f.mainFrame);
  if (at === 0) return;
  m.setU32(at + CATCH.Flags, m.u32(at + CATCH.Flags) | CATCH_EXITED);
  const object = m.ptr(at + CATCH.Object);
  const flying = inFlight !== 0 && m.accessible(inFlight, REC.Size, 'read') ? thrownBy(ctx, inFlight) : undefined;
  let flyingObject = flying?.object ?? 0;
  if (flying && flying.object === 0 && flying.throwInfo === 0) flyingObject = object; // `throw;`
  if (object !== 0 && object !== flyingObject && !objectHeld(ctx, object, at)) destroyObject(ctx, m.ptr(at + CATCH.Record));
}

/** Calls the thrown object's destructor (ThrowInfo.pmfnUnwind), if it has one. */
function destroyObject(ctx: ApiContext, rec: number): void {
  const t = rec !== 0 ? thrownBy(ctx, rec) : undefined;
  if (!t || t.object === 0 || t.throwInfo === 0) return;
  const dtor = ctx.mem.u32(t.throwInfo + THROW_INFO.Unwind);
  if (dtor === 0) return;
  trace(ctx, () => `destroying the exception object 0x${t.object.toString(16)}`);
  ctx.callGuest(t.base + dtor, [t.object]);
}

/** Copies or binds the thrown object to the handler's catch object in the function's frame. */
function buildCatchObject(ctx: ApiContext, f: FrameInfo, h: Handler, thrown: Thrown, ct: number): void {
  const m = ctx.mem;
  if (h.type === 0 || h.catchObj === 0 || ct === 0) return;
  const slot = f.mainFrame + h.catchObj;
  const props = m.u32(ct + CATCHABLE.Properties);
  const adjust = (p: number): number => adjustPointer(ctx, p, m.i32(ct + CATCHABLE.Mdisp), m.i32(ct + CATCHABLE.Pdisp), m.i32(ct + CATCHABLE.Vdisp));
  if (h.adjectives & HT_REFERENCE) {
    m.setU64(slot, adjust(thrown.object));
    return;
  }
  const size = m.i32(ct + CATCHABLE.Size);
  if (props & CT_SIMPLE) {
    m.copy(slot, thrown.object, size);
    if (size === 8 && m.ptr(slot) !== 0) m.setU64(slot, adjust(m.ptr(slot)));
    return;
  }
  const copy = m.u32(ct + CATCHABLE.Copy);
  if (copy === 0) {
    m.copy(slot, adjust(thrown.object), size);
    return;
  }
  const args = props & CT_VIRTUAL_BASE ? [slot, adjust(thrown.object), 1] : [slot, adjust(thrown.object)];
  ctx.callGuest(thrown.base + copy, args);
}

/**
 * Catches: builds the catch object, unwinds to the frame and runs the catch funclet there;
 * the guest continues at the address the funclet returns.
 */
function catchIt(ctx: ApiContext, rec: number, frame: number, dc: number, f: FrameInfo, t: TryBlock, h: Handler, thrown: Thrown | undefined, ct: number): void {
  const m = ctx.mem;
  const funclet = f.base + h.funclet;
  trace(ctx, () => `catching in ${ctx.process.frames.describe(funclet)} (try states ${t.tryLow}-${t.tryHigh}) for frame 0x${frame.toString(16)}`);
  if (thrown) buildCatchObject(ctx, f, h, thrown, ct);
  const original = thrown?.record ?? rec;
  const context = m.ptr(dc + DC.ContextRecord);
  withGuestScratch(ctx, REC.Size + CATCH.Size, (at) => {
    const consolidate = at;
    const entry = at + REC.Size;
    const params = [0, f.mainFrame, funclet, original, t.tryLow, frame, t.tryHigh + 1, CXX_CONSOLIDATE_MAGIC, f.fi.address];
    writeRecord(ctx, consolidate, STATUS.UNWIND_CONSOLIDATE, EXCEPTION_NONCONTINUABLE, m.ptr(context + CONTEXT.Rip), params);
    const arrive = (target: number): number => {
      if (thrown) countUncaught(ctx, -1);
      pushCatch(ctx, entry, { frame, funcInfo: f.fi.address, object: thrown?.object ?? 0, record: original, context, state: t.tryLow, floor: t.tryHigh + 1, funclet, mainFrame: f.mainFrame });
      try {
        trace(ctx, () => `calling the catch block ${ctx.process.frames.describe(funclet)}`);
        const r = Number(ctx.process.frames.callFrom(target, funclet, [0, f.mainFrame]));
        // With continuation addresses in the metadata (FH4), the funclet returns an index.
        const continuation = h.continuations.length > 0 ? f.base + (h.continuations[r] ?? h.continuations[0]!) : r;
        trace(ctx, () => `the catch block continues at ${ctx.process.frames.describe(continuation)}`);
        if (thrown && thrown.object !== 0 && !objectHeld(ctx, thrown.object, entry)) destroyObject(ctx, original);
        return continuation;
      } finally {
        popCatch(ctx, entry);
      }
    };
    unwindFrom(ctx, context, frame, m.ptr(dc + DC.ControlPc), consolidate, 0, m.ptr(dc + DC.HistoryTable), arrive);
  });
}
