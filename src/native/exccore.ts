/**
 * RaiseException's dispatch as machine code (DESIGN.md §6): the common case of a raise — no
 * vectored handlers, the caller's frames all known to the native walker's table
 * (native/unwindwalk.ts) — runs with no JS at all. The code describes its caller (a CONTEXT as
 * RtlCaptureContext would), writes the EXCEPTION_RECORD, then walks the frames on a copy of
 * the CONTEXT and calls each frame's exception handler directly, with a DISPATCHER_CONTEXT,
 * exactly as ntdll's JS dispatch (ntdll/excdispatch.ts) does. A handler that finds the
 * exception's catch does not return (it unwinds: g++'s personality through RtlUnwindEx, an
 * MSVC frame handler or __C_specific_handler through their own unwind).
 *
 * JS takes over, with the state reached, where the code stops: a frame the table lacks (or
 * that reads outside the stack), the end of the walk, a handler's disposition other than
 * ExceptionContinueSearch. It does so through an export call (ntdll's dispatch continuation),
 * so the rest of the dispatch — handlers JS calls, the unhandled-exception filter, the
 * report — is the JS dispatch's own. Before anything is written, the code gives the raise to
 * the export's JS implementation when it cannot run: the core disabled (a +seh or +relay
 * trace wants every step), vectored handlers registered, a table not checked since the
 * process's code last changed (EXCEPTIONS.CodeGeneration), a stack other than the thread's
 * own, or parameters outside it (JS checks those).
 *
 * The code's frame has unwind data (a function table JS registers) so that every walk passes
 * through it: a handler's own unwind, a stack trace, and an exception raised inside a
 * handler, which meets this frame's exception handler first: it answers
 * ExceptionNestedException, as Windows' dispatcher frame does.
 */
import { CONTEXT, EXCEPTIONS, EXCEPTION_BLOCK, TEB } from './layout.js';
import { Asm, Label, R } from './emitter.js';
import { emitFreshContext } from './capture.js';
import { HEADER, REC as FRAME_REC, emitApplyFrame, emitFindFrame } from './unwindwalk.js';
import { type AddressSpace } from './memory.js';
import { UNW_FLAG_EHANDLER, UWOP } from '../pe/exceptions.js';

/** EXCEPTION_RECORD and DISPATCHER_CONTEXT offsets (winnt.h). */
const XREC = { Code: 0x00, Flags: 0x04, Address: 0x10, NumberParameters: 0x18, Information: 0x20, Size: 0x98 } as const;
const DCX = { ControlPc: 0x00, ImageBase: 0x08, FunctionEntry: 0x10, EstablisherFrame: 0x18, TargetIp: 0x20, ContextRecord: 0x28, LanguageHandler: 0x30, HandlerData: 0x38, HistoryTable: 0x40, ScopeIndex: 0x48 } as const;
/** EXCEPTION_UNWINDING | EXIT_UNWIND | TARGET_UNWIND | COLLIDED_UNWIND. */
const EXCEPTION_UNWIND = 0x66;
const EXCEPTION_NONCONTINUABLE = 1;
const EXCEPTION_MAXIMUM_PARAMETERS = 15;
const ExceptionContinueSearch = 1;
const ExceptionNestedException = 2;
/** Frames walked before JS takes over (the JS loop's limit). */
const WALK_LIMIT = 100000;

/** The core's frame, from RSP after its prolog: home space for its calls, the slow path's
 *  address, the return point, the DISPATCHER_CONTEXT, the record, the CONTEXT (16-byte
 *  aligned) and the walk's copy of it. */
export const CORE_FRAME = { SlowPath: 0x20, ReturnPoint: 0x28, Dispatcher: 0x30, Record: 0x80, Context: 0x120, Walk: 0x120 + CONTEXT.Size, Size: 0x120 + 2 * CONTEXT.Size + 8 } as const;
/** Pushed in this order, above the frame. */
const PUSHED = [R.rbp, R.rbx, R.rsi, R.rdi, R.r12, R.r13, R.r14, R.r15] as const;
/** Distance from RSP after the prolog to the return address. */
const RETURN_SLOT = CORE_FRAME.Size + 8 * PUSHED.length;

/** The placed code: where the raise enters, and its unwind data for the function table. */
export interface PlacedCore {
  /** The raise: entered by a jump from kernel32!RaiseException's fast path with RCX, EDX,
   *  R8D, R9 its arguments, R10 the export's JS path and R11 its return point. */
  readonly entry: number;
  /** The base the RUNTIME_FUNCTION's addresses are relative to, and the code's length. */
  readonly base: number;
  readonly codeSize: number;
  /** One RUNTIME_FUNCTION (12 bytes) for the raise's code. */
  readonly runtimeFunction: number;
}

/** Offsets into the emitted code that its unwind data names. */
interface Emitted {
  readonly pushEnds: number[];
  readonly prologEnd: number;
  readonly raiseEnd: number;
  readonly nested: number;
}

/**
 * Emits the raise (at offset 0) and the nested-exception handler of its frame. `table`: the
 * walker's table; `resume`: the dispatch continuation export (rec, context, walk, disposition
 * or -1), which never returns.
 */
export function emitRaiseCore(a: Asm, table: number, resume: number): Emitted {
  const bail = new Label();
  const hasArgs = new Label();
  const countOk = new Label();
  const argsOk = new Label();
  const loop = new Label();
  const stopped = new Label();
  const toJs = new Label();
  const pushEnds: number[] = [];
  for (const r of PUSHED) {
    a.push(r);
    pushEnds.push(a.length);
  }
  a.subImm(R.rsp, CORE_FRAME.Size);
  const prologEnd = a.length;
  // Whether the code may run. RCX, RDX, R8, R9, R10 and R11 keep their values until it is
  // decided (the slow path needs them).
  a.movImm64(R.rsi, table);
  a.load32(R.rax, R.rsi, HEADER.Enabled).testRR32(R.rax, R.rax).jcc(4, bail);
  a.loadGs(R.rbx, TEB.ProcessEnvironmentBlock);
  a.xorRR32(R.rax, R.rax).cmpMem(R.rax, R.rbx, EXCEPTION_BLOCK + EXCEPTIONS.VectoredHandlers).jcc(5, bail);
  a.load32(R.rax, R.rbx, EXCEPTION_BLOCK + EXCEPTIONS.CodeGeneration).load32(R.r12, R.rsi, HEADER.Stamp).cmpRR(R.rax, R.r12).jcc(5, bail);
  // The walk reads the stack between this frame and the thread's stack base.
  a.movRR(R.r12, R.rsp).loadGs(R.r13, TEB.StackBase);
  a.loadGs(R.rax, TEB.StackLimit).cmpRR(R.r12, R.rax).jcc(2, bail); // jb
  a.lea(R.rax, R.rsp, RETURN_SLOT).cmpRR(R.rax, R.r13).jcc(3, bail); // jae
  // EBX the parameter count: 0 without an array, at most 15; the array within the caller's
  // stack (anything else is JS's to check).
  a.movRR32(R.rbx, R.r8).testRR(R.r9, R.r9).jcc(5, hasArgs).xorRR32(R.rbx, R.rbx).bind(hasArgs);
  a.cmpImm64(R.rbx, EXCEPTION_MAXIMUM_PARAMETERS).jcc(6, countOk).movImm32(R.rbx, EXCEPTION_MAXIMUM_PARAMETERS).bind(countOk); // jbe
  a.testRR32(R.rbx, R.rbx).jcc(4, argsOk);
  a.cmpRR(R.r9, R.rax).jcc(2, bail); // jb: below the return address
  a.movRR(R.rax, R.rbx).shlImm(R.rax, 3).addRR(R.rax, R.r9).cmpRR(R.rax, R.r13).jcc(7, bail); // ja
  a.bind(argsOk);
  a.store(R.rsp, CORE_FRAME.SlowPath, R.r10).store(R.rsp, CORE_FRAME.ReturnPoint, R.r11);
  a.movRR(R.r14, R.rcx).movRR(R.r15, R.rdx).movRR(R.rbp, R.r9);

  // The caller's CONTEXT: RIP the return point, RSP at the return address, the non-volatile
  // registers as pushed, XMM6–15 as they are (the code never changes them).
  a.stmxcsr(R.rsp, 0x18).load32(R.rdx, R.rsp, 0x18);
  a.lea(R.rdi, R.rsp, CORE_FRAME.Context).movRR(R.r8, R.rdi);
  emitFreshContext(a, R.r8, R.rdx);
  a.lea(R.rdi, R.rsp, CORE_FRAME.Context);
  a.load(R.rax, R.rsp, CORE_FRAME.ReturnPoint).store(R.rdi, CONTEXT.Rip, R.rax);
  a.lea(R.rax, R.rsp, RETURN_SLOT).store(R.rdi, CONTEXT.Rsp, R.rax);
  PUSHED.forEach((r, i) => a.load(R.rax, R.rsp, RETURN_SLOT - 8 * (i + 1)).store(R.rdi, CONTEXT.Rax + 8 * r, R.rax));
  for (let k = 6; k < 16; k++) a.movdquStore(R.rdi, CONTEXT.Xmm0 + 16 * k, k);

  // The record.
  a.lea(R.rdi, R.rsp, CORE_FRAME.Record).xorRR32(R.rax, R.rax).movImm32(R.rcx, XREC.Size).repStosb();
  a.lea(R.rdi, R.rsp, CORE_FRAME.Record);
  a.store32(R.rdi, XREC.Code, R.r14);
  a.andImm32(R.r15, EXCEPTION_NONCONTINUABLE).store32(R.rdi, XREC.Flags, R.r15);
  a.load(R.rax, R.rsp, CORE_FRAME.ReturnPoint).store(R.rdi, XREC.Address, R.rax);
  a.store32(R.rdi, XREC.NumberParameters, R.rbx);
  a.movRR(R.rsi, R.rbp).addImm(R.rdi, XREC.Information).movRR(R.rcx, R.rbx).shlImm(R.rcx, 3).repMovsb();

  // The walk's CONTEXT, and the range it may read.
  a.lea(R.rsi, R.rsp, CORE_FRAME.Context).lea(R.rdi, R.rsp, CORE_FRAME.Walk).movImm32(R.rcx, CONTEXT.Size).repMovsb();
  a.movImm64(R.rsi, table).lea(R.rdi, R.rsp, CORE_FRAME.Walk);
  a.store(R.rsi, HEADER.Low, R.r12).store(R.rsi, HEADER.High, R.r13);
  a.xorRR32(R.r14, R.r14);

  // RSI the table, RDI the walk, R12/R13 the range, R14 the count (all kept by handlers);
  // per frame R15 its PC, RBX its establisher frame (RSP: flat frames only), RBP its record.
  a.bind(loop);
  a.cmpImm64(R.r14, WALK_LIMIT).jcc(3, stopped); // jae
  emitFindFrame(a, stopped);
  a.movRR(R.r15, R.r8).movRR(R.rbx, R.r11).movRR(R.rbp, R.r10);
  emitApplyFrame(a);
  a.inc(R.r14);
  a.load32(R.rax, R.rbp, FRAME_REC.HandlerFlags).testImm32(R.rax, UNW_FLAG_EHANDLER).jcc(4, loop);
  // handler(record, establisher frame, CONTEXT, DISPATCHER_CONTEXT)
  a.lea(R.r9, R.rsp, CORE_FRAME.Dispatcher);
  a.store(R.r9, DCX.ControlPc, R.r15);
  a.load(R.rax, R.rbp, FRAME_REC.ImageBase).store(R.r9, DCX.ImageBase, R.rax);
  a.load(R.rax, R.rbp, FRAME_REC.FunctionEntry).store(R.r9, DCX.FunctionEntry, R.rax);
  a.store(R.r9, DCX.EstablisherFrame, R.rbx);
  a.xorRR32(R.rax, R.rax).store(R.r9, DCX.TargetIp, R.rax).store(R.r9, DCX.HistoryTable, R.rax).store(R.r9, DCX.ScopeIndex, R.rax);
  a.lea(R.r8, R.rsp, CORE_FRAME.Context).store(R.r9, DCX.ContextRecord, R.r8);
  a.load(R.rcx, R.rbp, FRAME_REC.HandlerData).store(R.r9, DCX.HandlerData, R.rcx);
  a.load(R.rax, R.rbp, FRAME_REC.Handler).store(R.r9, DCX.LanguageHandler, R.rax);
  a.lea(R.rcx, R.rsp, CORE_FRAME.Record).movRR(R.rdx, R.rbx);
  a.callR(R.rax);
  // A walk the handler made (JS's native walks) may have set the range to its own.
  a.store(R.rsi, HEADER.Low, R.r12).store(R.rsi, HEADER.High, R.r13);
  a.cmpImm32(R.rax, ExceptionContinueSearch).jcc(4, loop);
  a.movRR32(R.r9, R.rax).jmp(toJs);
  a.bind(stopped);
  a.movImm32(R.r9, 0xffffffff);
  a.bind(toJs);
  a.lea(R.rcx, R.rsp, CORE_FRAME.Record).lea(R.rdx, R.rsp, CORE_FRAME.Context).lea(R.r8, R.rsp, CORE_FRAME.Walk);
  a.movImm64(R.rax, resume).callR(R.rax);
  a.raw(0x0f, 0x0b); // ud2: the continuation resumes elsewhere
  a.bind(bail);
  a.addImm(R.rsp, CORE_FRAME.Size);
  for (const r of [...PUSHED].reverse()) a.pop(r);
  a.jmpR(R.r10);
  const raiseEnd = a.length;

  // The frame's exception handler: a dispatch reaching this frame met an exception raised
  // while one of this frame's handlers ran.
  a.align(16);
  const nested = a.length;
  const done = new Label();
  a.movImm32(R.rax, ExceptionContinueSearch);
  a.load32(R.rdx, R.rcx, XREC.Flags).testImm32(R.rdx, EXCEPTION_UNWIND).jcc(5, done);
  a.movImm32(R.rax, ExceptionNestedException);
  a.bind(done).ret();
  return { pushEnds, prologEnd, raiseEnd, nested };
}

/** UNWIND_INFO for the raise's frame (version 1, an exception handler, no frame register):
 *  the pushes and the allocation, latest first, then the handler's RVA. */
export function coreUnwindInfo(e: Emitted): Uint8Array {
  const codes: number[] = [];
  codes.push(e.prologEnd, UWOP.ALLOC_LARGE, CORE_FRAME.Size / 8 & 0xff, CORE_FRAME.Size / 8 >> 8);
  for (let i = PUSHED.length - 1; i >= 0; i--) codes.push(e.pushEnds[i]!, UWOP.PUSH_NONVOL | (PUSHED[i]! << 4));
  const count = codes.length / 2;
  const out = new Uint8Array(4 + 2 * (count + (count & 1)) + 4);
  out.set([1 | (UNW_FLAG_EHANDLER << 3), e.prologEnd, count, 0], 0);
  out.set(codes, 4);
  new DataView(out.buffer).setUint32(out.length - 4, e.nested, true);
  return out;
}

/** Emits and places the core for the walker table at `table`: code, unwind data and its
 *  RUNTIME_FUNCTION, in one block (RVAs from its start). */
export function placeRaiseCore(mem: AddressSpace, table: number, resume: number): PlacedCore {
  const a = new Asm();
  const e = emitRaiseCore(a, table, resume);
  a.align(4);
  const unwindAt = a.length;
  const info = coreUnwindInfo(e);
  a.raw(...info);
  const rfAt = a.length;
  a.raw(0, 0, 0, 0).raw(e.raiseEnd, e.raiseEnd >> 8, 0, 0).raw(unwindAt, unwindAt >> 8, 0, 0);
  const base = mem.placeCode(a.bytes());
  return { entry: base, base, codeSize: e.raiseEnd, runtimeFunction: base + rfAt };
}
