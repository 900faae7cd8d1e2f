/**
 * The exception core's C++ catch (native/exccore.ts): an MSVC C++ throw caught where the C++
 * frame handler (vcruntime140/cxxframe.ts) caught the same ThrowInfo at the same PC before,
 * without JS. JS keeps each decision with the frame's record in the walker's table (PLAN in
 * native/unwindwalk.ts): a frame that lets the exception pass, or the catch there (how the
 * catch object is made, the catch funclet, the try block's states). The core uses them only
 * for a new exception (not `throw;`) while no catch block runs on the thread: the decisions
 * are JS's for that case, and fixed by the PC and the ThrowInfo while the images stay mapped.
 *
 * The catch does what the frame handler's does, in the same order and with the same record:
 * - the raise builds the catch object in the frame, writes the STATUS_UNWIND_CONSOLIDATE
 *   record the frame handler would (CXX_CONSOLIDATE, with a Callback: the catch stub below)
 *   and calls ntdll!RtlUnwindEx (the core's own, or JS's when the core cannot run it);
 * - the unwind reaches the frame; its handler call is left out when JS found the frame's own
 *   unwind to the try block empty (SkipTarget); it then calls the callback, as RtlRestoreContext
 *   does with a consolidation record, and continues at the address it returns;
 * - the catch stub counts the exception caught, enters the catch in the thread's list of
 *   running catches (CXX_CATCH, as vcruntime140/cxxcatch.ts's pushCatch), runs the catch
 *   funclet, picks the continuation (FH4's table or the funclet's return value), destroys the
 *   exception object unless another running catch holds it, and leaves the list.
 *
 * The stub's unwind data describes the target frame's state (a copy in its frame: the
 * non-volatile registers, then a machine frame with RIP and RSP), so a walk from the catch
 * block continues in the function that caught, as Windows' consolidation frame makes it; its
 * termination handler leaves the list when an exception leaves the catch block.
 *
 * The frames such an unwind passes need their cleanups run (destructors, cleanup funclets):
 * JS keeps each frame's list too (CLEANUPS), and the unwind calls the cleanup runner in the
 * frame handler's place, which calls them in order. Its exception handler is JS's: a C++
 * exception leaving a destructor ends in terminate(), as with the frame handler's calls.
 */
import {
  CONTEXT, CXX_CATCH, CXX_CATCH_EXITED, CXX_CONSOLIDATE, CXX_CONSOLIDATE_MAGIC, CXX_SLOTS, CXX_THROW_INFO, EXCEPTION_EXIT_UNWIND, EXCEPTION_NONCONTINUABLE, EXCEPTION_RECORD,
  EXCEPTION_UNWINDING, ExceptionContinueSearch, SEGMENTS, CONTEXT_EFLAGS,
} from './layout.js';
import { type Asm, Label, R } from './emitter.js';
import { CATCH_OBJECT, CLEANUP, CLEANUPS, HEADER, PLAN, REC as FRAME_REC } from './unwindwalk.js';
import { UNW_FLAG_UHANDLER, UWOP } from '../pe/exceptions.js';
import { emitProlog, packUnwindInfo, prologUnwindInfo, type Prolog } from './prolog.js';

export const STATUS_UNWIND_CONSOLIDATE = 0x80000029;

/** The catch stub's frame, from RSP after its prolog: home space, the catch's list entry, the
 *  record, the continuation, the caller's registers it uses; then the target's state as its
 *  unwind data reads it: XMM6–15, the non-volatile registers, a machine frame (RIP, CS,
 *  EFLAGS, RSP, SS). */
export const CATCH_FRAME = { Entry: 0x20, Record: 0x80, Continuation: 0x88, Saved: 0x90, Xmm: 0xc0, Regs: 0x160, Machine: 0x1a0, Size: 0x1c8 } as const;
/** The caller's registers the stub uses (it may be called from JS: a normal function). */
const SAVED = [R.rbx, R.rsi, R.rdi, R.r12] as const;
/** The target's non-volatile registers, in CATCH_FRAME.Regs's order. */
const TARGET_REGS = [R.rbx, R.rbp, R.rsi, R.rdi, R.r12, R.r13, R.r14, R.r15] as const;

const param = (i: number): number => EXCEPTION_RECORD.ExceptionInformation + 8 * i;

/** The stub's offsets that its unwind data names. */
export interface CatchStub {
  readonly begin: number;
  readonly prologEnd: number;
  readonly end: number;
  /** The return point of the catch funclet's call. */
  readonly call: number;
  /** Its termination handler. */
  readonly handler: number;
}

/** Leaves the catch entry at RAX (when it is the innermost): the list and the current
 *  exception are as before it (vcruntime140/cxxcatch.ts popCatch). Uses RCX. */
function emitPopCatch(a: Asm): void {
  const done = new Label();
  a.loadGs(R.rcx, CXX_SLOTS.Catches).cmpRR(R.rcx, R.rax).jcc(5, done);
  a.load(R.rcx, R.rax, CXX_CATCH.Prev).storeGs(CXX_SLOTS.Catches, R.rcx);
  a.load(R.rcx, R.rax, CXX_CATCH.SavedException).storeGs(CXX_SLOTS.CurrentException, R.rcx);
  a.load(R.rcx, R.rax, CXX_CATCH.SavedContext).storeGs(CXX_SLOTS.CurrentContext, R.rcx);
  a.bind(done);
}

/**
 * `void *stub(EXCEPTION_RECORD *record, CONTEXT *target)`: the consolidation callback of the
 * core's catch records (see the file's comment); returns the address to continue at. The
 * core's unwind calls it with the target's CONTEXT, JS's (ntdll restoreContext) too.
 */
export function emitCatchStub(a: Asm, table: number): CatchStub {
  const F = CATCH_FRAME;
  a.align(16);
  const begin = a.length;
  a.subImm(R.rsp, F.Size);
  const prologEnd = a.length;
  SAVED.forEach((r, i) => a.store(R.rsp, F.Saved + 8 * i, r));
  a.store(R.rsp, F.Record, R.rcx).movRR(R.rbx, R.rcx);
  // The target's state, where the unwind data reads it.
  TARGET_REGS.forEach((r, i) => a.load(R.rax, R.rdx, CONTEXT.Rax + 8 * r).store(R.rsp, F.Regs + 8 * i, R.rax));
  for (let k = 6; k < 16; k++) a.movdquLoad(0, R.rdx, CONTEXT.Xmm0 + 16 * k).movdquStore(R.rsp, F.Xmm + 16 * (k - 6), 0);
  a.load(R.rax, R.rdx, CONTEXT.Rip).store(R.rsp, F.Machine, R.rax);
  a.movImm32(R.rax, SEGMENTS.Cs).store(R.rsp, F.Machine + 8, R.rax);
  a.movImm32(R.rax, CONTEXT_EFLAGS).store(R.rsp, F.Machine + 16, R.rax);
  a.load(R.rax, R.rdx, CONTEXT.Rsp).store(R.rsp, F.Machine + 24, R.rax);
  a.movImm32(R.rax, SEGMENTS.Ss).store(R.rsp, F.Machine + 32, R.rax);

  // RSI the parameters, R12 the exception's record, RDI the entry.
  a.lea(R.rsi, R.rbx, param(0));
  a.load(R.r12, R.rsi, 8 * CXX_CONSOLIDATE.Record);
  // The exception is caught (the count of uncaught ones, not below 0).
  const counted = new Label();
  a.loadGs32(R.rax, CXX_SLOTS.Uncaught).testRR32(R.rax, R.rax).jcc(4, counted).dec(R.rax).storeGs32(CXX_SLOTS.Uncaught, R.rax).bind(counted);
  a.lea(R.rdi, R.rsp, F.Entry).xorRR32(R.rax, R.rax).movImm32(R.rcx, CXX_CATCH.Size).repStosb();
  a.lea(R.rdi, R.rsp, F.Entry);
  a.loadGs(R.rax, CXX_SLOTS.Catches).store(R.rdi, CXX_CATCH.Prev, R.rax);
  a.load(R.rax, R.rsi, 8 * CXX_CONSOLIDATE.Target).store(R.rdi, CXX_CATCH.Frame, R.rax);
  a.load(R.rax, R.rsi, 8 * CXX_CONSOLIDATE.FuncInfo).store(R.rdi, CXX_CATCH.FuncInfo, R.rax);
  a.load(R.rax, R.r12, param(1)).store(R.rdi, CXX_CATCH.Object, R.rax);
  a.load32(R.rax, R.rsi, 8 * CXX_CONSOLIDATE.State).store32(R.rdi, CXX_CATCH.State, R.rax);
  a.load32(R.rax, R.rsi, 8 * CXX_CONSOLIDATE.Floor).store32(R.rdi, CXX_CATCH.Floor, R.rax);
  a.store(R.rdi, CXX_CATCH.Record, R.r12);
  a.load(R.rax, R.rsi, 8 * CXX_CONSOLIDATE.Funclet).store(R.rdi, CXX_CATCH.Funclet, R.rax);
  a.load(R.rax, R.rsi, 8 * CXX_CONSOLIDATE.MainFrame).store(R.rdi, CXX_CATCH.MainFrame, R.rax);
  a.loadGs(R.rax, CXX_SLOTS.CurrentException).store(R.rdi, CXX_CATCH.SavedException, R.rax);
  a.loadGs(R.rax, CXX_SLOTS.CurrentContext).store(R.rdi, CXX_CATCH.SavedContext, R.rax);
  a.storeGs(CXX_SLOTS.Catches, R.rdi).storeGs(CXX_SLOTS.CurrentException, R.r12);
  a.load(R.rax, R.rsi, 8 * CXX_CONSOLIDATE.Context).storeGs(CXX_SLOTS.CurrentContext, R.rax);
  a.movImm64(R.rax, table).load32(R.rcx, R.rax, HEADER.Catches).inc(R.rcx).store32(R.rax, HEADER.Catches, R.rcx);

  // The catch block: funclet(0, the function's establisher frame).
  a.xorRR32(R.rcx, R.rcx).load(R.rdx, R.rsi, 8 * CXX_CONSOLIDATE.MainFrame).load(R.rax, R.rsi, 8 * CXX_CONSOLIDATE.Funclet);
  a.callR(R.rax);
  const call = a.length;
  // With FH4's continuation addresses, the funclet returns an index (1: the second, if any).
  const chosen = new Label();
  const first = new Label();
  a.load(R.rcx, R.rsi, 8 * CXX_CONSOLIDATE.Cont0).testRR(R.rcx, R.rcx).jcc(4, chosen);
  a.cmpImm64(R.rax, 1).jcc(5, first);
  a.load(R.rdx, R.rsi, 8 * CXX_CONSOLIDATE.Cont1).testRR(R.rdx, R.rdx).jcc(4, first);
  a.movRR(R.rcx, R.rdx);
  a.bind(first).movRR(R.rax, R.rcx);
  a.bind(chosen).store(R.rsp, F.Continuation, R.rax);

  // The object is destroyed unless another running catch, not left, holds it.
  const next = new Label();
  const scan = new Label();
  const destroy = new Label();
  const kept = new Label();
  a.load(R.rcx, R.rdi, CXX_CATCH.Object).testRR(R.rcx, R.rcx).jcc(4, kept);
  a.loadGs(R.rax, CXX_SLOTS.Catches);
  a.bind(scan).testRR(R.rax, R.rax).jcc(4, destroy);
  a.cmpRR(R.rax, R.rdi).jcc(4, next);
  a.load32(R.rdx, R.rax, CXX_CATCH.Flags).testImm32(R.rdx, CXX_CATCH_EXITED).jcc(5, next);
  a.cmpMem(R.rcx, R.rax, CXX_CATCH.Object).jcc(4, kept);
  a.bind(next).load(R.rax, R.rax, CXX_CATCH.Prev).jmp(scan);
  // ThrowInfo.pmfnUnwind, from the image the record names.
  a.bind(destroy);
  a.load(R.rax, R.r12, param(2)).testRR(R.rax, R.rax).jcc(4, kept);
  a.load32(R.rdx, R.rax, CXX_THROW_INFO.Unwind).testRR32(R.rdx, R.rdx).jcc(4, kept);
  a.load(R.rax, R.r12, param(3)).addRR(R.rax, R.rdx);
  a.callR(R.rax);
  a.bind(kept);
  a.movRR(R.rax, R.rdi);
  emitPopCatch(a);
  a.load(R.rax, R.rsp, F.Continuation);
  SAVED.forEach((r, i) => a.load(r, R.rsp, F.Saved + 8 * i));
  a.addImm(R.rsp, F.Size).ret();
  const end = a.length;

  // Its termination handler: an exception leaving the catch block leaves the list too (the
  // catch funclet's own frame handler has dealt with the object).
  a.align(16);
  const handler = a.length;
  const done = new Label();
  a.movImm32(R.rax, ExceptionContinueSearch);
  a.load32(R.r8, R.rcx, EXCEPTION_RECORD.ExceptionFlags).testImm32(R.r8, EXCEPTION_UNWINDING | EXCEPTION_EXIT_UNWIND).jcc(4, done);
  a.lea(R.rax, R.rdx, F.Entry);
  emitPopCatch(a);
  a.movImm32(R.rax, ExceptionContinueSearch);
  a.bind(done).ret();
  return { begin, prologEnd, end, call, handler };
}

/** The stub's UNWIND_INFO: the target's XMM6–15 and registers from its frame, then the
 *  allocation up to the machine frame, whose RIP and RSP end the unwind; the termination
 *  handler's RVA. */
export function catchStubUnwindInfo(s: CatchStub): Uint8Array {
  const F = CATCH_FRAME;
  const at = s.prologEnd - s.begin;
  const codes: number[] = [];
  for (let k = 6; k < 16; k++) {
    const slot = (F.Xmm + 16 * (k - 6)) / 16;
    codes.push(at, UWOP.SAVE_XMM128 | (k << 4), slot & 0xff, slot >> 8);
  }
  TARGET_REGS.forEach((r, i) => {
    const slot = (F.Regs + 8 * i) / 8;
    codes.push(at, UWOP.SAVE_NONVOL | (r << 4), slot & 0xff, slot >> 8);
  });
  codes.push(at, UWOP.ALLOC_LARGE, (F.Machine / 8) & 0xff, F.Machine / 8 >> 8);
  codes.push(at, UWOP.PUSH_MACHFRAME);
  return packUnwindInfo(UNW_FLAG_UHANDLER, at, codes, s.handler);
}

/** Registers the raise's walk loop keeps (native/exccore.ts emitRaise) when it reaches a
 *  frame with an exception handler: RBP its record, RBX its establisher frame, R15 its PC. */
export interface RaiseLayout {
  /** The raise frame's record, CONTEXT, C++ parameters and consolidation record. */
  readonly record: number;
  readonly context: number;
  readonly params: number;
  readonly consolidate: number;
}

/**
 * At a frame with a handler in the C++ throw's walk: jumps to `pass` for a frame that lets every
 * C++ exception by or a plan that lets this one by, and to `call` (the handler call) without a
 * plan or while a catch block runs; with a catch plan, makes the catch (never returns). Returns
 * the return point of its RtlUnwindEx call (a walk from the unwind passes the raise's frame
 * there).
 */
export function emitPlannedCatch(a: Asm, f: RaiseLayout, pass: Label, call: Label, stub: Label, rtlUnwindEx: number): number {
  const scan = new Label();
  const found = new Label();
  a.load32(R.rax, R.rbp, FRAME_REC.PassAll).testRR32(R.rax, R.rax).jcc(5, pass);
  a.load(R.rax, R.rbp, FRAME_REC.Plans).testRR(R.rax, R.rax).jcc(4, call);
  a.loadGs(R.rcx, CXX_SLOTS.Catches).testRR(R.rcx, R.rcx).jcc(5, call);
  a.load(R.rcx, R.rsp, f.params + 16).testRR(R.rcx, R.rcx).jcc(4, call); // `throw;`: no ThrowInfo
  a.bind(scan).cmpMem(R.rcx, R.rax, PLAN.ThrowInfo).jcc(4, found);
  a.load(R.rax, R.rax, PLAN.Next).testRR(R.rax, R.rax).jcc(5, scan).jmp(call);
  a.bind(found).load(R.rdx, R.rax, PLAN.Kind).testRR(R.rdx, R.rdx).jcc(4, pass);

  // The catch object (RBP the plan from here on): at the frame + CatchObj, from the object + Mdisp.
  const built = new Label();
  const notReference = new Label();
  const notBytes = new Label();
  a.movRR(R.rbp, R.rax);
  a.load(R.rdi, R.rbp, PLAN.CatchObj).addRR(R.rdi, R.rbx);
  a.load(R.rsi, R.rsp, f.params + 8).addMem(R.rsi, R.rbp, PLAN.Mdisp);
  a.load(R.rax, R.rbp, PLAN.ObjKind).testRR(R.rax, R.rax).jcc(4, built);
  a.cmpImm64(R.rax, CATCH_OBJECT.Reference).jcc(5, notReference).store(R.rdi, 0, R.rsi).jmp(built);
  a.bind(notReference).cmpImm64(R.rax, CATCH_OBJECT.Bytes).jcc(5, notBytes);
  a.load(R.rcx, R.rbp, PLAN.Size).repMovsb().jmp(built);
  a.bind(notBytes);
  // The copy constructor: (the catch object, the thrown one[, 1 with virtual bases]).
  const plainCopy = new Label();
  a.xorRR32(R.r8, R.r8).cmpImm64(R.rax, CATCH_OBJECT.CopyVirtualBase).jcc(5, plainCopy).movImm32(R.r8, 1).bind(plainCopy);
  a.movRR(R.rcx, R.rdi).movRR(R.rdx, R.rsi).load(R.rax, R.rbp, PLAN.Copy).callR(R.rax);
  a.bind(built);
  return emitCatchRecordAndUnwind(a, f, stub, rtlUnwindEx);
}

/** The plan's catch after its object: the consolidation record, and RtlUnwindEx. */
function emitCatchRecordAndUnwind(a: Asm, f: RaiseLayout, stub: Label, rtlUnwindEx: number): number {
  const P = CXX_CONSOLIDATE;
  a.lea(R.rdi, R.rsp, f.consolidate).xorRR32(R.rax, R.rax).movImm32(R.rcx, EXCEPTION_RECORD.Size).repStosb();
  a.lea(R.rdi, R.rsp, f.consolidate);
  a.storeImm32(R.rdi, EXCEPTION_RECORD.ExceptionCode, STATUS_UNWIND_CONSOLIDATE).storeImm32(R.rdi, EXCEPTION_RECORD.ExceptionFlags, EXCEPTION_NONCONTINUABLE);
  a.load(R.rax, R.rsp, f.context + CONTEXT.Rip).store(R.rdi, EXCEPTION_RECORD.ExceptionAddress, R.rax);
  a.storeImm32(R.rdi, EXCEPTION_RECORD.NumberParameters, P.CoreCount);
  a.leaRip(R.rax, stub).store(R.rdi, param(P.Callback), R.rax);
  a.store(R.rdi, param(P.MainFrame), R.rbx).store(R.rdi, param(P.Target), R.rbx);
  a.lea(R.rax, R.rsp, f.record).store(R.rdi, param(P.Record), R.rax);
  a.lea(R.rax, R.rsp, f.context).store(R.rdi, param(P.Context), R.rax);
  a.movImm32(R.rax, CXX_CONSOLIDATE_MAGIC).store(R.rdi, param(P.Magic), R.rax);
  for (const [to, from] of [[P.Funclet, PLAN.Funclet], [P.State, PLAN.TryLow], [P.Floor, PLAN.Floor], [P.FuncInfo, PLAN.FuncInfo], [P.Cont0, PLAN.Cont0], [P.Cont1, PLAN.Cont1], [P.SkipTarget, PLAN.SkipTarget]] as const) {
    a.load(R.rax, R.rbp, from).store(R.rdi, param(to), R.rax);
  }
  // RtlUnwindEx(the frame, its PC, the record, 0, the dispatch's CONTEXT, no history table):
  // what the frame handler calls. (Its stack arguments take the frame's first slots, which
  // the raise no longer needs.)
  a.lea(R.rax, R.rsp, f.context).store(R.rsp, 0x20, R.rax);
  a.xorRR32(R.rax, R.rax).store(R.rsp, 0x28, R.rax);
  a.movRR(R.rcx, R.rbx).movRR(R.rdx, R.r15).lea(R.r8, R.rsp, f.consolidate).xorRR32(R.r9, R.r9);
  a.movImm64(R.rax, rtlUnwindEx).callR(R.rax);
  const ret = a.length;
  a.raw(0x0f, 0x0b); // ud2: the unwind continues elsewhere
  return ret;
}

/** The cleanup runner's offsets that its unwind data names. */
export interface CleanupRunner extends Prolog {
  readonly end: number;
  /** Its exception handler (a jump to JS's filter). */
  readonly handler: number;
}

/** The runner's pushes, and its frame below them (home space). */
const RUNNER_PUSHED = [R.rbx, R.rsi, R.rdi] as const;
const RUNNER_FRAME = 0x20;

/**
 * The cleanup runner: what the C++ frame handler does for a frame a C++ catch's unwind passes,
 * called by the core's unwind in the handler's place (its one handler call site, so walks cross
 * it as they cross a handler) with the handler's arguments and R11 the frame's CLEANUPS. Each
 * cleanup is called in order; returns ExceptionContinueSearch. Its exception handler is JS's
 * filter (`filter`): a C++ exception leaving a destructor there ends in terminate(), as the
 * frame handler's own calls do.
 */
export function emitCleanupRunner(a: Asm, filter: number): CleanupRunner {
  a.align(16);
  const prolog = emitProlog(a, RUNNER_PUSHED, RUNNER_FRAME);
  const loop = new Label();
  const done = new Label();
  const pointer = new Label();
  const funclet = new Label();
  const call = new Label();
  // RSI the next cleanup, RBX how many are left, RDI the establisher frame.
  a.movRR(R.rsi, R.r11).load(R.rbx, R.rsi, CLEANUPS.Count).addImm(R.rsi, CLEANUPS.First).movRR(R.rdi, R.rdx);
  a.bind(loop).testRR(R.rbx, R.rbx).jcc(4, done);
  a.load(R.rcx, R.rsi, CLEANUPS.Object).addRR(R.rcx, R.rdi);
  a.load(R.rax, R.rsi, CLEANUPS.Kind).cmpImm64(R.rax, CLEANUP.Object).jcc(4, call);
  a.bind(pointer).cmpImm64(R.rax, CLEANUP.Pointer).jcc(5, funclet).load(R.rcx, R.rcx, 0).jmp(call);
  a.bind(funclet).xorRR32(R.rcx, R.rcx).movRR(R.rdx, R.rdi);
  a.bind(call).load(R.rax, R.rsi, CLEANUPS.Action).callR(R.rax);
  a.addImm(R.rsi, CLEANUPS.Bytes).dec(R.rbx).jmp(loop);
  a.bind(done).movImm32(R.rax, ExceptionContinueSearch).addImm(R.rsp, RUNNER_FRAME);
  for (const r of [...RUNNER_PUSHED].reverse()) a.pop(r);
  a.ret();
  const end = a.length;
  a.align(16);
  const handler = a.length;
  a.movImm64(R.rax, filter).jmpR(R.rax);
  return { ...prolog, end, handler };
}

/** The runner's UNWIND_INFO: its allocation and pushes, latest first; its exception handler. */
export function cleanupRunnerUnwindInfo(f: CleanupRunner): Uint8Array {
  return prologUnwindInfo(f, RUNNER_PUSHED, RUNNER_FRAME, f.handler);
}
