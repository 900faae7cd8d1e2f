/**
 * The exception core (DESIGN.md §6): RaiseException, _CxxThrowException and RtlUnwindEx as
 * machine code on the guest stack, for the frames the native walker's table holds
 * (native/unwindwalk.ts: every frame a JS walk has passed, with what a DISPATCHER_CONTEXT
 * names). One block per JS realm, entered from those exports' fast paths (native/engine.ts).
 *
 * - The raise describes its caller (a CONTEXT as RtlCaptureContext would), writes the record
 *   (for a C++ throw, MSVC's), walks the frames on a copy of the CONTEXT and calls each frame's
 *   exception handler directly, as ntdll's JS dispatch (ntdll/excdispatch.ts) does. A handler
 *   that finds the catch does not return: it unwinds (g++'s personality through RtlUnwindEx,
 *   winrun's own handlers through the JS unwind).
 * - RtlUnwindEx does what ntdll/excunwind.ts's unwindFrom does: from its caller's state, every
 *   frame up to the target, termination handlers called on a snapshot of the frame's state
 *   (the target's with EXCEPTION_TARGET_UNWIND), then a jump to the target.
 * - For the MSVC ABI, the C++ throw also acts on what the C++ frame handler (JS) decided for a
 *   frame and a ThrowInfo before: it passes the frame, or makes the catch itself, and the unwind
 *   runs the frames' cleanups itself (exccatch.ts).
 *
 * JS takes over with the state reached (ntdll's continuation exports) wherever the code stops:
 * a frame the table lacks or one reading outside the stack, the walk's end, a disposition JS
 * must act on, longjmp's and consolidation records. Before anything is written, the code gives
 * the call to the export's JS when it cannot run at all: a +seh or +relay trace (JS clears
 * HEADER.Enabled), vectored handlers registered, a table not checked since any thread's loader
 * changed (EXCEPTIONS.CodeGeneration), a stack other than the thread's own, or arguments outside
 * it (JS checks those).
 *
 * Walks pass through the code's frames: the raise's by its unwind data (a run-time function
 * table JS registers; its exception handler answers ExceptionNestedException, as Windows'
 * dispatcher frame does), the unwind's handler call by its snapshot, as at a handler JS calls
 * (ntdll/excframes.ts), which also makes an unwind crossing it a collided one.
 */
import {
  CONTEXT, CXX_CONSOLIDATE, CXX_SLOTS, DISPATCHER_CONTEXT, EXCEPTIONS, EXCEPTION_BLOCK, EXCEPTION_COLLIDED_UNWIND, EXCEPTION_EXIT_UNWIND, EXCEPTION_MAXIMUM_PARAMETERS, EXCEPTION_NONCONTINUABLE,
  EXCEPTION_RECORD, EXCEPTION_TARGET_UNWIND, EXCEPTION_UNWINDING, ExceptionCollidedUnwind, ExceptionContinueSearch, ExceptionNestedException, TEB,
} from './layout.js';
import { Asm, Label, R } from './emitter.js';
import { STATUS_UNWIND_CONSOLIDATE, catchStubUnwindInfo, cleanupRunnerUnwindInfo, emitCatchStub, emitCleanupRunner, emitPlannedCatch, type CatchStub, type CleanupRunner } from './exccatch.js';
import { emitFreshContext } from './capture.js';
import { emitProlog, prologUnwindInfo, type Prolog } from './prolog.js';
import { HEADER, REC as FRAME_REC, THROW_CACHE_WAYS, emitApplyFrame, emitFindFrame, type NativeFrame } from './unwindwalk.js';
import { emitLoadContext } from './engine.js';
import { type AddressSpace } from './memory.js';
import { UNW_FLAG_EHANDLER, UNW_FLAG_UHANDLER } from '../pe/exceptions.js';

/** EXCEPTION_UNWINDING | EXIT_UNWIND | TARGET_UNWIND | COLLIDED_UNWIND. */
const EXCEPTION_UNWIND = EXCEPTION_UNWINDING | EXCEPTION_EXIT_UNWIND | EXCEPTION_TARGET_UNWIND | EXCEPTION_COLLIDED_UNWIND;
const STATUS_UNWIND = 0xc0000027;
const STATUS_LONGJUMP = 0x80000026;
/** Frames walked before JS takes over (the JS loop's limit). */
const WALK_LIMIT = 100000;

/** The raise's frame, from RSP after its prolog: home space for its calls, the slow path's
 *  address, the return point, the DISPATCHER_CONTEXT, the record, the CONTEXT (16-byte
 *  aligned), the walk's copy of it, and a C++ catch's consolidation record (exccatch.ts). */
export const RAISE_FRAME = {
  SlowPath: 0x20, ReturnPoint: 0x28, Dispatcher: 0x30, Record: 0x80, Params: 0x120, Context: 0x140, Walk: 0x140 + CONTEXT.Size,
  Consolidate: 0x140 + 2 * CONTEXT.Size, Size: 0x140 + 2 * CONTEXT.Size + EXCEPTION_RECORD.Size,
} as const;
/** RtlUnwindEx's frame: room for its calls' seven arguments, its own arguments, the frame being
 *  unwound (PC, establisher frame, table record), the DISPATCHER_CONTEXT, a record for a call
 *  without one, a CONTEXT for a call without one, the CONTEXT past the frame being unwound, and
 *  the snapshot of the frame's state a handler call is made for (what a walk crossing that call
 *  continues at: ntdll/excframes.ts). */
export const UNWIND_FRAME = {
  SlowPath: 0x40, TargetFrame: 0x48, TargetIp: 0x50, Record: 0x58, ReturnValue: 0x60, History: 0x68, BaseFlags: 0x70,
  FramePc: 0x78, FrameEstablisher: 0x80, FrameRecord: 0x88, Collided: 0x90, AtTarget: 0x98, Dispatcher: 0xa0, OwnRecord: 0xf0,
  Context: 0x190, Next: 0x190 + CONTEXT.Size, Snapshot: 0x190 + 2 * CONTEXT.Size, Size: 0x190 + 3 * CONTEXT.Size + 8,
} as const;
/** Pushed in this order, above either frame. */
const PUSHED = [R.rbp, R.rbx, R.rsi, R.rdi, R.r12, R.r13, R.r14, R.r15] as const;
/** Entries: the raise at the code's start, RtlUnwindEx 8 bytes on, the C++ throw 16 bytes on
 *  (a jump each; engine.ts states the same offsets for its fast paths). */
export const UNWIND_ENTRY = 8;
export const CXX_THROW_ENTRY = 16;

/** The placed code: its entries, its calls' return points and its unwind data. */
export interface PlacedCore {
  /** The code's start: the raise's entry (kernel32!RaiseException's fast path jumps here with
   *  RCX, EDX, R8D, R9 its arguments, R10 the export's JS path and R11 its return point), at
   *  UNWIND_ENTRY RtlUnwindEx's and at CXX_THROW_ENTRY _CxxThrowException's (R10 the JS path). */
  readonly entry: number;
  /** Where a language handler the unwind called returns to. */
  readonly unwindCall: number;
  /** The base the RUNTIME_FUNCTIONs' addresses are relative to, and their count (sorted). */
  readonly base: number;
  readonly runtimeFunctions: number;
  readonly functionCount: number;
  /** The raises' frames at their handler calls (and the C++ throw's at its catch's
   *  RtlUnwindEx call), as the walker's table keeps them (the native walks pass through them). */
  readonly raiseFrames: readonly { readonly pc: number; readonly frame: NativeFrame }[];
}

/** One function's offsets that its unwind data names. */
interface CoreFunction extends Prolog {
  readonly end: number;
  readonly frameSize: number;
  /** The return point of its language-handler call. */
  readonly call: number;
  /** The C++ throw's: the return point of its catch's RtlUnwindEx call (exccatch.ts). */
  readonly catchCall?: number;
}

/** The return address's distance from RSP after the prolog of a frame of `frameSize`. */
const returnSlotOf = (frameSize: number): number => frameSize + 8 * PUSHED.length;

/** The entry every function shares: the prolog (the pushes, then the frame), then the checks
 *  made before anything is written (emitChecks). */
function emitEntry(a: Asm, frameSize: number, table: number, bail: Label): Prolog {
  const prolog = emitProlog(a, PUSHED, frameSize);
  emitChecks(a, table, returnSlotOf(frameSize), bail);
  return prolog;
}

/** Leaves the frame and jumps to the JS path in R10 (nothing written yet). */
function emitBail(a: Asm, frameSize: number): void {
  a.addImm(R.rsp, frameSize);
  for (const r of [...PUSHED].reverse()) a.pop(r);
  a.jmpR(R.r10);
}

/** The checks both make before writing anything (RCX, RDX, R8–R11 untouched): the core
 *  enabled, its table checked for the process's code generation (RBX ends as the PEB), and
 *  this frame on the thread's stack. Leaves RSI the table, R12 this frame's RSP (the lowest
 *  stack the walk reads), R13 the stack base, RAX the caller's RSP (its return address). */
function emitChecks(a: Asm, table: number, returnSlot: number, bail: Label): void {
  a.movImm64(R.rsi, table);
  a.load32(R.rax, R.rsi, HEADER.Enabled).testRR32(R.rax, R.rax).jcc(4, bail);
  a.loadGs(R.rbx, TEB.ProcessEnvironmentBlock);
  a.load32(R.rax, R.rbx, EXCEPTION_BLOCK + EXCEPTIONS.CodeGeneration).load32(R.r12, R.rsi, HEADER.Stamp).cmpRR(R.rax, R.r12).jcc(5, bail);
  a.movRR(R.r12, R.rsp).loadGs(R.r13, TEB.StackBase);
  a.loadGs(R.rax, TEB.StackLimit).cmpRR(R.r12, R.rax).jcc(2, bail); // jb
  a.lea(R.rax, R.rsp, returnSlot).cmpRR(R.rax, R.r13).jcc(3, bail); // jae
}

/** Bails unless `[reg, reg + size)` lies in [RAX, R13) (the caller's stack); 0 passes. Uses
 *  R11 (RtlUnwindEx's fast path leaves it free). */
function emitOnStack(a: Asm, reg: R, size: number, bail: Label): void {
  const ok = new Label();
  a.testRR(reg, reg).jcc(4, ok);
  a.cmpRR(reg, R.rax).jcc(2, bail); // jb
  a.lea(R.r11, reg, size).cmpRR(R.r11, R.r13).jcc(7, bail); // ja
  a.bind(ok);
}

/** A fresh CONTEXT at RDI (R8 and RAX/RCX/RDX used) for the caller of the function whose
 *  frame this is: RIP `rip` (a register other than RDI/R8/RAX/RCX/RDX, or null: the return
 *  address), RSP `rspAt` bytes above this RSP, the pushed registers, XMM6–15 as they are. */
function emitCaptureHere(a: Asm, returnSlot: number, rip: R | null, rspAt: number): void {
  a.stmxcsr(R.rsp, 0x18).load32(R.rdx, R.rsp, 0x18);
  a.movRR(R.r8, R.rdi);
  emitFreshContext(a, R.r8, R.rdx);
  if (rip === null) a.load(R.rax, R.rsp, returnSlot).store(R.r8, CONTEXT.Rip, R.rax);
  else a.store(R.r8, CONTEXT.Rip, rip);
  a.lea(R.rax, R.rsp, rspAt).store(R.r8, CONTEXT.Rsp, R.rax);
  PUSHED.forEach((r, i) => a.load(R.rax, R.rsp, returnSlot - 8 * (i + 1)).store(R.r8, CONTEXT.Rax + 8 * r, R.rax));
  for (let k = 6; k < 16; k++) a.movdquStore(R.r8, CONTEXT.Xmm0 + 16 * k, k);
}

/** The DISPATCHER_CONTEXT at `dc` (R9) for the frame whose record is `rec`, PC `pc` and
 *  establisher frame `est`: ContextRecord R8, TargetIp and HistoryTable from `ip`/`history`
 *  (registers, or null: 0). Leaves RAX the handler. */
function emitDispatcherContext(a: Asm, rec: R, pc: R, est: R, ip: R | null, history: R | null): void {
  a.store(R.r9, DISPATCHER_CONTEXT.ControlPc, pc);
  a.load(R.rax, rec, FRAME_REC.ImageBase).store(R.r9, DISPATCHER_CONTEXT.ImageBase, R.rax);
  a.load(R.rax, rec, FRAME_REC.FunctionEntry).store(R.r9, DISPATCHER_CONTEXT.FunctionEntry, R.rax);
  a.store(R.r9, DISPATCHER_CONTEXT.EstablisherFrame, est);
  a.xorRR32(R.rax, R.rax).store(R.r9, DISPATCHER_CONTEXT.ScopeIndex, R.rax);
  a.store(R.r9, DISPATCHER_CONTEXT.TargetIp, ip ?? R.rax).store(R.r9, DISPATCHER_CONTEXT.HistoryTable, history ?? R.rax);
  a.store(R.r9, DISPATCHER_CONTEXT.ContextRecord, R.r8);
  a.load(R.rax, rec, FRAME_REC.HandlerData).store(R.r9, DISPATCHER_CONTEXT.HandlerData, R.rax);
  a.load(R.rax, rec, FRAME_REC.Handler).store(R.r9, DISPATCHER_CONTEXT.LanguageHandler, R.rax);
}

/** What the C++ catches need (exccatch.ts): ntdll!RtlUnwindEx's address, and the filter of
 *  the cleanup runner's calls (JS: terminate() for a C++ exception leaving a destructor). */
export interface CxxThrowEnv {
  readonly rtlUnwindEx: number;
  readonly cleanupFilter: number;
}

/** The exception code and magic number of an MSVC C++ throw. */
const CXX_EXCEPTION = 0xe06d7363;
const CXX_MAGIC = 0x19930520;

/**
 * The raise (see the file's comment; `resume`: ntdll's dispatch continuation (rec, context,
 * walk, disposition or -1), which never returns): RaiseException's, or with `cxx` _CxxThrowException's
 * (RCX the object, RDX the ThrowInfo): the record MSVC's runtime raises (the magic number,
 * the object, the ThrowInfo and the image holding it, which the table's cache must know:
 * JS fills it on a throw it runs), from the caller itself (RIP the return address).
 */
function emitRaise(a: Asm, table: number, resume: number, unwindCall: Label, cxx?: CxxThrowEnv & { stub: Label }): CoreFunction {
  const F = RAISE_FRAME;
  const returnSlot = returnSlotOf(F.Size);
  const bail = new Label();
  const hasArgs = new Label();
  const countOk = new Label();
  const argsOk = new Label();
  const loop = new Label();
  const stopped = new Label();
  const toJs = new Label();
  const cross = new Label();
  const { begin, pushEnds, prologEnd } = emitEntry(a, F.Size, table, bail);
  a.xorRR32(R.r14, R.r14).cmpMem(R.r14, R.rbx, EXCEPTION_BLOCK + EXCEPTIONS.VectoredHandlers).jcc(5, bail);
  if (cxx) {
    // The ThrowInfo's image from the cache (RBX), 0 for a rethrow (no ThrowInfo).
    const known = new Label();
    a.xorRR32(R.rbx, R.rbx).testRR(R.rdx, R.rdx).jcc(4, known);
    a.movRR(R.rax, R.rdx).shrImm(R.rax, 3).andImm32(R.rax, THROW_CACHE_WAYS - 1).shlImm(R.rax, 4).addRR(R.rax, R.rsi);
    a.cmpMem(R.rdx, R.rax, HEADER.ThrowCache).jcc(5, bail);
    a.load(R.rbx, R.rax, HEADER.ThrowCache + 8);
    a.bind(known);
    a.movImm32(R.rax, CXX_MAGIC).store(R.rsp, F.Params, R.rax).store(R.rsp, F.Params + 8, R.rcx);
    a.store(R.rsp, F.Params + 16, R.rdx).store(R.rsp, F.Params + 24, R.rbx);
    a.loadGs32(R.rax, CXX_SLOTS.Uncaught).inc(R.rax).storeGs32(CXX_SLOTS.Uncaught, R.rax);
    a.load(R.r11, R.rsp, returnSlot); // the return address: RIP and ExceptionAddress
    a.movImm32(R.r14, CXX_EXCEPTION).movImm32(R.r15, EXCEPTION_NONCONTINUABLE).movImm32(R.rbx, 4).lea(R.rbp, R.rsp, F.Params);
  } else {
    // EBX the parameter count: 0 without an array, at most 15; the array within the caller's
    // stack (anything else is JS's to check).
    a.movRR32(R.rbx, R.r8).testRR(R.r9, R.r9).jcc(5, hasArgs).xorRR32(R.rbx, R.rbx).bind(hasArgs);
    a.cmpImm64(R.rbx, EXCEPTION_MAXIMUM_PARAMETERS).jcc(6, countOk).movImm32(R.rbx, EXCEPTION_MAXIMUM_PARAMETERS).bind(countOk); // jbe
    a.testRR32(R.rbx, R.rbx).jcc(4, argsOk);
    a.cmpRR(R.r9, R.rax).jcc(2, bail); // jb: below the return address
    a.movRR(R.rax, R.rbx).shlImm(R.rax, 3).addRR(R.rax, R.r9).cmpRR(R.rax, R.r13).jcc(7, bail); // ja
    a.bind(argsOk);
    a.movRR(R.r14, R.rcx).movRR(R.r15, R.rdx).movRR(R.rbp, R.r9);
  }
  a.load32(R.rax, R.rsi, HEADER.Raises).inc(R.rax).store32(R.rsi, HEADER.Raises, R.rax);
  a.store(R.rsp, F.SlowPath, R.r10).store(R.rsp, F.ReturnPoint, R.r11);

  // The caller's CONTEXT: for RaiseException RIP the return point inside it and RSP at the
  // return address (continuing there returns to the caller); for a C++ throw the caller's own.
  a.lea(R.rdi, R.rsp, F.Context);
  a.load(R.r11, R.rsp, F.ReturnPoint);
  emitCaptureHere(a, returnSlot, R.r11, cxx ? returnSlot + 8 : returnSlot);

  // The record.
  a.lea(R.rdi, R.rsp, F.Record).xorRR32(R.rax, R.rax).movImm32(R.rcx, EXCEPTION_RECORD.Size).repStosb();
  a.lea(R.rdi, R.rsp, F.Record);
  a.store32(R.rdi, EXCEPTION_RECORD.ExceptionCode, R.r14);
  a.andImm32(R.r15, EXCEPTION_NONCONTINUABLE).store32(R.rdi, EXCEPTION_RECORD.ExceptionFlags, R.r15);
  a.load(R.rax, R.rsp, F.ReturnPoint).store(R.rdi, EXCEPTION_RECORD.ExceptionAddress, R.rax);
  a.store32(R.rdi, EXCEPTION_RECORD.NumberParameters, R.rbx);
  a.movRR(R.rsi, R.rbp).addImm(R.rdi, EXCEPTION_RECORD.ExceptionInformation).movRR(R.rcx, R.rbx).shlImm(R.rcx, 3).repMovsb();

  // The walk's CONTEXT, and the range it may read.
  a.lea(R.rsi, R.rsp, F.Context).lea(R.rdi, R.rsp, F.Walk).movImm32(R.rcx, CONTEXT.Size).repMovsb();
  a.movImm64(R.rsi, table).lea(R.rdi, R.rsp, F.Walk);
  a.store(R.rsi, HEADER.Low, R.r12).store(R.rsi, HEADER.High, R.r13);
  a.xorRR32(R.r14, R.r14);

  // RSI the table, RDI the walk, R12/R13 the range, R14 the count (all kept by handlers);
  // per frame R15 its PC, RBX its establisher frame (RSP: flat frames only), RBP its record.
  a.bind(loop);
  a.cmpImm64(R.r14, WALK_LIMIT).jcc(3, stopped); // jae
  emitFindFrame(a, stopped, { pc: unwindCall, to: cross });
  a.movRR(R.r15, R.r8).movRR(R.rbx, R.r11).movRR(R.rbp, R.r10);
  emitApplyFrame(a);
  a.inc(R.r14);
  a.load32(R.rax, R.rbp, FRAME_REC.HandlerFlags).testImm32(R.rax, UNW_FLAG_EHANDLER).jcc(4, loop);
  // A C++ throw: what the C++ frame handler decided here before (exccatch.ts).
  const callHandler = new Label();
  const catchCall = cxx ? emitPlannedCatch(a, { record: F.Record, context: F.Context, params: F.Params, consolidate: F.Consolidate }, loop, callHandler, cxx.stub, cxx.rtlUnwindEx) : undefined;
  a.bind(callHandler);
  // handler(record, establisher frame, CONTEXT, DISPATCHER_CONTEXT)
  a.lea(R.r9, R.rsp, F.Dispatcher).lea(R.r8, R.rsp, F.Context);
  emitDispatcherContext(a, R.rbp, R.r15, R.rbx, null, null);
  a.lea(R.rcx, R.rsp, F.Record).movRR(R.rdx, R.rbx);
  a.callR(R.rax);
  const call = a.length;
  // A walk the handler made (JS's native walks) may have set the range to its own.
  a.store(R.rsi, HEADER.Low, R.r12).store(R.rsi, HEADER.High, R.r13);
  a.cmpImm32(R.rax, ExceptionContinueSearch).jcc(4, loop);
  a.movRR32(R.r9, R.rax).jmp(toJs);
  // Out of a termination handler an unwind of this code called: the walk goes on at the
  // state that unwind gave the handler (as at a handler JS called: ntdll/excframes.ts).
  a.bind(cross);
  a.load(R.r11, R.rdi, CONTEXT.Rsp).cmpRR(R.r11, R.r12).jcc(2, stopped); // jb
  a.lea(R.rax, R.r11, UNWIND_FRAME.Size).cmpRR(R.rax, R.r13).jcc(7, stopped); // ja
  a.lea(R.rsi, R.r11, UNWIND_FRAME.Snapshot).movImm32(R.rcx, CONTEXT.Size).repMovsb();
  a.movImm64(R.rsi, table).lea(R.rdi, R.rsp, F.Walk);
  a.inc(R.r14).jmp(loop);
  a.bind(stopped);
  a.movImm32(R.r9, 0xffffffff);
  a.bind(toJs);
  a.lea(R.rcx, R.rsp, F.Record).lea(R.rdx, R.rsp, F.Context).lea(R.r8, R.rsp, F.Walk);
  a.movImm64(R.rax, resume).callR(R.rax);
  a.raw(0x0f, 0x0b); // ud2: the continuation resumes elsewhere
  a.bind(bail);
  emitBail(a, F.Size);
  return { begin, pushEnds, prologEnd, end: a.length, frameSize: F.Size, call, ...(catchCall !== undefined && { catchCall }) };
}

/**
 * An unwind's termination-handler call for the frame in FramePc/FrameEstablisher/FrameRecord,
 * with EAX the record's flags for it and RBX the state before the frame's unwind (what the
 * handler sees, snapshotted first: a walk crossing the call continues there). After a walk
 * came out of another unwind's handler call (Collided: that unwind's DISPATCHER_CONTEXT), the
 * call is a collided unwind's: EXCEPTION_COLLIDED_UNWIND, and that unwind's scope index. Binds
 * `call` at the return point; after it RAX is the disposition, the record's flags are the base
 * ones again, and RSI and the header's range are set back.
 */
function emitHandlerCall(a: Asm, table: number, call: Label, catchCore: { stub: Label; runner: Label }): void {
  const F = UNWIND_FRAME;
  const plain = new Label();
  const plainScope = new Label();
  a.load(R.rsi, R.rsp, F.Collided).testRR(R.rsi, R.rsi).jcc(4, plain).orImm8(R.rax, EXCEPTION_COLLIDED_UNWIND).bind(plain);
  a.load(R.rbp, R.rsp, F.Record).store32(R.rbp, EXCEPTION_RECORD.ExceptionFlags, R.rax);
  a.movRR(R.rsi, R.rbx).lea(R.rdi, R.rsp, F.Snapshot).movImm32(R.rcx, CONTEXT.Size).repMovsb();
  a.lea(R.r9, R.rsp, F.Dispatcher).movRR(R.r8, R.rbx);
  a.load(R.r10, R.rsp, F.FrameRecord).load(R.r11, R.rsp, F.FramePc).load(R.rdx, R.rsp, F.FrameEstablisher);
  a.load(R.rcx, R.rsp, F.TargetIp).load(R.rdi, R.rsp, F.History);
  emitDispatcherContext(a, R.r10, R.r11, R.rdx, R.rcx, R.rdi);
  a.load(R.rsi, R.rsp, F.Collided).testRR(R.rsi, R.rsi).jcc(4, plainScope);
  a.load32(R.rcx, R.rsi, DISPATCHER_CONTEXT.ScopeIndex).store32(R.r9, DISPATCHER_CONTEXT.ScopeIndex, R.rcx);
  a.xorRR32(R.rcx, R.rcx).store(R.rsp, F.Collided, R.rcx);
  a.bind(plainScope);
  // A frame the core's C++ catch unwinds, whose cleanups JS kept, with no catch block running:
  // the cleanup runner (R11 the cleanups) instead of the frame handler (exccatch.ts).
  const asIs = new Label();
  a.movRR(R.rdi, R.rax);
  a.load(R.rcx, R.rsp, F.AtTarget).testRR(R.rcx, R.rcx).jcc(5, asIs);
  a.load(R.r11, R.r10, FRAME_REC.Cleanups).testRR(R.r11, R.r11).jcc(4, asIs);
  a.loadGs(R.rcx, CXX_SLOTS.Catches).testRR(R.rcx, R.rcx).jcc(5, asIs);
  emitIfCoreCatch(a, catchCore.stub, asIs);
  a.leaRip(R.rdi, catchCore.runner);
  a.bind(asIs).movRR(R.rax, R.rdi);
  a.movRR(R.rcx, R.rbp);
  a.callR(R.rax);
  a.bind(call);
  a.movImm64(R.rsi, table);
  a.store(R.rsi, HEADER.Low, R.r12).store(R.rsi, HEADER.High, R.r13);
  a.load(R.rbp, R.rsp, F.Record).load32(R.rcx, R.rsp, F.BaseFlags).store32(R.rbp, EXCEPTION_RECORD.ExceptionFlags, R.rcx);
}

/**
 * RtlUnwindEx(TargetFrame, TargetIp, ExceptionRecord, ReturnValue, ContextRecord, HistoryTable)
 * as ntdll/excunwind.ts's unwindFrom runs it: from the caller's state, every frame up to the
 * target frame, each frame's termination handler called (the target's with
 * EXCEPTION_TARGET_UNWIND) with the state before its unwind; then RAX the return value, RIP
 * the target IP, and the code continues there. JS takes over (`resume`: cur, target frame,
 * target IP, record, return value, history, disposition) at a frame the table lacks, a frame
 * past the target, a disposition other than ContinueSearch or CollidedUnwind (-1 for none), or
 * at the end for a record that asks for more than a jump (longjmp's, a consolidation: -2).
 * The record and the CONTEXT given must lie in the caller's stack, else JS runs it all.
 */
function emitUnwind(a: Asm, table: number, resume: number, call: Label, stub: Label, runner: Label): CoreFunction {
  const F = UNWIND_FRAME;
  const returnSlot = returnSlotOf(F.Size);
  const bail = new Label();
  const haveRecord = new Label();
  const haveContext = new Label();
  const loop = new Label();
  const below = new Label();
  const plain = new Label();
  const atTarget = new Label();
  const finish = new Label();
  const toJs = new Label();
  const toJsWith = new Label();
  const callHandler = new Label();
  const handled = new Label();
  const cross = new Label();
  const { begin, pushEnds, prologEnd } = emitEntry(a, F.Size, table, bail);
  emitOnStack(a, R.r8, EXCEPTION_RECORD.Size, bail);
  a.load(R.rbx, R.rsp, returnSlot + 0x28); // ContextRecord
  emitOnStack(a, R.rbx, CONTEXT.Size, bail);
  a.store(R.rsp, F.SlowPath, R.r10).store(R.rsp, F.TargetFrame, R.rcx).store(R.rsp, F.TargetIp, R.rdx);
  a.store(R.rsp, F.ReturnValue, R.r9).load(R.rax, R.rsp, returnSlot + 0x30).store(R.rsp, F.History, R.rax);
  a.movRR(R.rbp, R.r8);

  // RBX the state being unwound (the CONTEXT given, else the frame's own): the caller's.
  a.testRR(R.rbx, R.rbx).jcc(5, haveContext).lea(R.rbx, R.rsp, F.Context).bind(haveContext);
  a.movRR(R.rdi, R.rbx);
  emitCaptureHere(a, returnSlot, null, returnSlot + 8);
  // RBP the record: the one given, else STATUS_UNWIND at the caller's address.
  a.testRR(R.rbp, R.rbp).jcc(5, haveRecord);
  a.lea(R.rdi, R.rsp, F.OwnRecord).xorRR32(R.rax, R.rax).movImm32(R.rcx, EXCEPTION_RECORD.Size).repStosb();
  a.lea(R.rbp, R.rsp, F.OwnRecord).storeImm32(R.rbp, EXCEPTION_RECORD.ExceptionCode, STATUS_UNWIND);
  a.load(R.rax, R.rbx, CONTEXT.Rip).store(R.rbp, EXCEPTION_RECORD.ExceptionAddress, R.rax);
  a.bind(haveRecord);
  a.store(R.rsp, F.Record, R.rbp);
  // The flags for every handler: the record's without TARGET/COLLIDED, with UNWINDING, and
  // EXIT_UNWIND for an unwind without a target frame.
  const noExit = new Label();
  a.load32(R.rax, R.rbp, EXCEPTION_RECORD.ExceptionFlags).andImm32(R.rax, ~(EXCEPTION_TARGET_UNWIND | EXCEPTION_COLLIDED_UNWIND)).orImm8(R.rax, EXCEPTION_UNWINDING);
  a.load(R.rcx, R.rsp, F.TargetFrame).testRR(R.rcx, R.rcx).jcc(5, noExit).orImm8(R.rax, EXCEPTION_EXIT_UNWIND).bind(noExit);
  a.store32(R.rbp, EXCEPTION_RECORD.ExceptionFlags, R.rax).store32(R.rsp, F.BaseFlags, R.rax);

  a.movImm64(R.rsi, table);
  a.store(R.rsi, HEADER.Low, R.r12).store(R.rsi, HEADER.High, R.r13);
  a.lea(R.r15, R.rsp, F.Next);
  a.xorRR32(R.r14, R.r14).store(R.rsp, F.Collided, R.r14);

  // RSI the table, RBX the state before the frame, R15 the other CONTEXT, R12/R13 the range,
  // R14 the count: all kept by handlers. RDI is RBX while a frame is found and unwound.
  a.bind(loop);
  a.cmpImm64(R.r14, WALK_LIMIT).jcc(3, toJs); // jae
  a.movRR(R.rdi, R.rbx);
  emitFindFrame(a, toJs, { pc: call, to: cross });
  a.load(R.rcx, R.rsp, F.TargetFrame).testRR(R.rcx, R.rcx).jcc(4, below);
  a.cmpRR(R.r11, R.rcx).jcc(7, toJs).jcc(4, atTarget); // ja: past the target (JS raises); je
  a.bind(below);
  a.load32(R.rax, R.r10, FRAME_REC.HandlerFlags).testImm32(R.rax, UNW_FLAG_UHANDLER).jcc(4, plain);
  // A termination handler: it sees the state before the unwind (RBX); the walk goes on from
  // the state past it (R15), and the two trade places.
  a.store(R.rsp, F.FramePc, R.r8).store(R.rsp, F.FrameEstablisher, R.r11).store(R.rsp, F.FrameRecord, R.r10);
  a.movRR(R.rsi, R.rbx).movRR(R.rdi, R.r15).movImm32(R.rcx, CONTEXT.Size).repMovsb();
  a.movImm64(R.rsi, table).movRR(R.rdi, R.r15);
  a.load(R.r10, R.rsp, F.FrameRecord).load(R.r11, R.rsp, F.FrameEstablisher);
  emitApplyFrame(a);
  a.xorRR32(R.rax, R.rax).store(R.rsp, F.AtTarget, R.rax);
  a.load32(R.rax, R.rsp, F.BaseFlags).jmp(callHandler);
  // No handler: unwound in place.
  a.bind(plain);
  emitApplyFrame(a);
  a.xorRR32(R.rax, R.rax).store(R.rsp, F.Collided, R.rax);
  a.inc(R.r14).jmp(loop);
  // The target frame is not unwound: its handler (if any) runs with EXCEPTION_TARGET_UNWIND.
  a.bind(atTarget);
  a.load32(R.rax, R.r10, FRAME_REC.HandlerFlags).testImm32(R.rax, UNW_FLAG_UHANDLER).jcc(4, finish);
  // A catch of the core's whose frame's own unwind does nothing (exccatch.ts).
  const targetCall = new Label();
  a.load(R.rbp, R.rsp, F.Record);
  emitIfCoreCatch(a, stub, targetCall);
  a.load(R.rax, R.rbp, EXCEPTION_RECORD.ExceptionInformation + 8 * CXX_CONSOLIDATE.SkipTarget).testRR(R.rax, R.rax).jcc(5, finish);
  a.bind(targetCall);
  a.store(R.rsp, F.FramePc, R.r8).store(R.rsp, F.FrameEstablisher, R.r11).store(R.rsp, F.FrameRecord, R.r10);
  a.movImm32(R.rax, 1).store(R.rsp, F.AtTarget, R.rax);
  a.load32(R.rax, R.rsp, F.BaseFlags).orImm8(R.rax, EXCEPTION_TARGET_UNWIND);
  // The one call site (a walk recognises its return point).
  a.bind(callHandler);
  emitHandlerCall(a, table, call, { stub, runner });
  a.cmpImm32(R.rax, ExceptionContinueSearch).jcc(4, handled);
  a.cmpImm32(R.rax, ExceptionCollidedUnwind).jcc(4, handled);
  a.movRR32(R.r9, R.rax).jmp(toJsWith);
  a.bind(handled);
  a.load(R.rax, R.rsp, F.AtTarget).testRR(R.rax, R.rax).jcc(5, finish);
  a.movRR(R.rax, R.rbx).movRR(R.rbx, R.r15).movRR(R.r15, R.rax);
  a.inc(R.r14).jmp(loop);
  // Out of a termination handler another unwind of this code called (RDI, R11 its RSP, that
  // frame's): the walk goes on at the state that unwind gave the handler, and the next handler
  // call is a collided unwind's.
  a.bind(cross);
  a.load(R.r11, R.rdi, CONTEXT.Rsp).cmpRR(R.r11, R.r12).jcc(2, toJs); // jb
  a.lea(R.rax, R.r11, F.Size).cmpRR(R.rax, R.r13).jcc(7, toJs); // ja
  a.lea(R.rax, R.r11, F.Dispatcher).store(R.rsp, F.Collided, R.rax);
  a.lea(R.rsi, R.r11, F.Snapshot).movImm32(R.rcx, CONTEXT.Size).repMovsb();
  a.movImm64(R.rsi, table);
  a.inc(R.r14).jmp(loop);
  a.bind(finish);
  a.load32(R.rax, R.rsi, HEADER.Unwinds).inc(R.rax).store32(R.rsi, HEADER.Unwinds, R.rax);
  a.load(R.rax, R.rsp, F.ReturnValue).store(R.rbx, CONTEXT.Rax, R.rax);
  a.load(R.rax, R.rsp, F.TargetIp).store(R.rbx, CONTEXT.Rip, R.rax);
  // longjmp's record and a consolidation callback: JS finishes (-2).
  a.load(R.rbp, R.rsp, F.Record).load32(R.rax, R.rbp, EXCEPTION_RECORD.ExceptionCode).movImm32(R.r9, 0xfffffffe);
  a.cmpImm32(R.rax, STATUS_LONGJUMP).jcc(4, toJsWith);
  const jump = new Label();
  a.cmpImm32(R.rax, STATUS_UNWIND_CONSOLIDATE).jcc(5, jump);
  // The core's catch: its stub runs on top of the stack and returns where to continue.
  emitIfCoreCatch(a, stub, toJsWith);
  a.movRR(R.rcx, R.rbp).movRR(R.rdx, R.rbx).leaRip(R.rax, stub).callR(R.rax);
  a.store(R.rbx, CONTEXT.Rip, R.rax);
  a.bind(jump);
  a.movRR(R.r11, R.rbx);
  emitLoadContext(a);
  a.bind(toJs);
  a.movImm32(R.r9, 0xffffffff);
  a.bind(toJsWith);
  // continueUnwind(cur, target frame, target IP, record, return value, history, disposition)
  a.store32(R.rsp, 0x30, R.r9);
  a.load(R.rax, R.rsp, F.ReturnValue).store(R.rsp, 0x20, R.rax);
  a.load(R.rax, R.rsp, F.History).store(R.rsp, 0x28, R.rax);
  a.movRR(R.rcx, R.rbx).load(R.rdx, R.rsp, F.TargetFrame).load(R.r8, R.rsp, F.TargetIp).load(R.r9, R.rsp, F.Record);
  a.movImm64(R.rax, resume).callR(R.rax);
  a.raw(0x0f, 0x0b); // ud2: the continuation resumes elsewhere
  a.bind(bail);
  emitBail(a, F.Size);
  return { begin, pushEnds, prologEnd, end: a.length, frameSize: F.Size, call: call.pos };
}

/** Goes on when the record at RBP is a consolidation record of the core's catch (its callback
 *  the stub), else jumps to `otherwise`. Uses RAX. */
function emitIfCoreCatch(a: Asm, stub: Label, otherwise: Label): void {
  a.load32(R.rax, R.rbp, EXCEPTION_RECORD.ExceptionCode).cmpImm32(R.rax, STATUS_UNWIND_CONSOLIDATE).jcc(5, otherwise);
  a.load32(R.rax, R.rbp, EXCEPTION_RECORD.NumberParameters).cmpImm32(R.rax, CXX_CONSOLIDATE.CoreCount).jcc(5, otherwise);
  a.leaRip(R.rax, stub).cmpMem(R.rax, R.rbp, EXCEPTION_RECORD.ExceptionInformation).jcc(5, otherwise);
}

/** The raise frame's exception handler: a dispatch reaching the frame met an exception raised
 *  while one of its handlers ran (Windows' dispatcher frame answers the same). */
function emitNestedHandler(a: Asm): number {
  a.align(16);
  const at = a.length;
  const done = new Label();
  a.movImm32(R.rax, ExceptionContinueSearch);
  a.load32(R.rdx, R.rcx, EXCEPTION_RECORD.ExceptionFlags).testImm32(R.rdx, EXCEPTION_UNWIND).jcc(5, done);
  a.movImm32(R.rax, ExceptionNestedException);
  a.bind(done).ret();
  return at;
}

/** UNWIND_INFO (version 1, no frame register) for one function: the pushes and the
 *  allocation, latest first; then the exception handler's RVA when it has one. */
export function unwindInfoOf(f: CoreFunction, handler: number): Uint8Array {
  return prologUnwindInfo(f, PUSHED, f.frameSize, handler);
}

/** The whole core, from offset 0: the three entries, the raise, RtlUnwindEx, the C++ throw,
 *  the nested handler, the C++ catch's stub and the cleanup runner (exccatch.ts).
 *  `resumeDispatch`/`resumeUnwind`: ntdll's continuations. */
export function emitExceptionCore(a: Asm, table: number, resumeDispatch: number, resumeUnwind: number, cxx: CxxThrowEnv): { raise: CoreFunction; unwind: CoreFunction; throw: CoreFunction; nested: number; stub: CatchStub; runner: CleanupRunner } {
  const raiseAt = new Label();
  const unwindAt = new Label();
  const throwAt = new Label();
  const stubAt = new Label();
  const runnerAt = new Label();
  a.jmp(raiseAt).align(UNWIND_ENTRY).jmp(unwindAt).align(CXX_THROW_ENTRY - UNWIND_ENTRY).jmp(throwAt).align(16);
  // The return point of the unwind's handler call, which the raise's walk crosses too.
  const unwindCall = new Label();
  a.bind(raiseAt);
  const raise = emitRaise(a, table, resumeDispatch, unwindCall);
  a.align(16).bind(unwindAt);
  const unwind = emitUnwind(a, table, resumeUnwind, unwindCall, stubAt, runnerAt);
  a.align(16).bind(throwAt);
  const thrown = emitRaise(a, table, resumeDispatch, unwindCall, { ...cxx, stub: stubAt });
  const nested = emitNestedHandler(a);
  a.align(16).bind(stubAt);
  const stub = emitCatchStub(a, table);
  a.align(16).bind(runnerAt);
  const runner = emitCleanupRunner(a, cxx.cleanupFilter);
  return { raise, unwind, throw: thrown, nested, stub, runner };
}

/** Emits and places the core for the walker table at `table`: code, unwind data and the
 *  RUNTIME_FUNCTIONs, in one block (RVAs from its start). */
export function placeExceptionCore(mem: AddressSpace, table: number, resumeDispatch: number, resumeUnwind: number, cxx: CxxThrowEnv): PlacedCore {
  const a = new Asm();
  const { raise, unwind, throw: thrown, nested, stub, runner } = emitExceptionCore(a, table, resumeDispatch, resumeUnwind, cxx);
  // Sorted by address, as a function table must be.
  const functions: [{ begin: number; end: number }, number][] = [];
  for (const f of [raise, unwind, thrown]) {
    a.align(4);
    functions.push([f, a.length]);
    a.raw(...unwindInfoOf(f, f === unwind ? 0 : nested));
  }
  a.align(4);
  functions.push([stub, a.length]);
  a.raw(...catchStubUnwindInfo(stub));
  a.align(4);
  functions.push([runner, a.length]);
  a.raw(...cleanupRunnerUnwindInfo(runner));
  a.align(4);
  const entries = a.length;
  for (const [f, info] of functions) for (const v of [f.begin, f.end, info]) a.raw(v, v >> 8, v >> 16, 0);
  const base = mem.placeCode(a.bytes());
  // The raise frames, as the native walks pass through them.
  const returnSlot = returnSlotOf(RAISE_FRAME.Size);
  const frameOf = (i: number): NativeFrame => ({
    handlerFlags: UNW_FLAG_EHANDLER, frameReg: 0, frameOffset: 0, rspLoads: [], loads: PUSHED.flatMap((r, k) => [r, returnSlot - 8 * (k + 1)]), xmmLoads: [], retDistance: returnSlot, retRelease: 0,
    handler: base + nested, handlerData: 0, functionEntry: base + entries + 12 * i, imageBase: base,
  });
  return {
    entry: base, unwindCall: base + unwind.call, base, runtimeFunctions: base + entries, functionCount: functions.length,
    raiseFrames: [{ pc: base + raise.call, frame: frameOf(0) }, { pc: base + thrown.call, frame: frameOf(2) }, { pc: base + thrown.catchCall!, frame: frameOf(2) }],
  };
}
