/**
 * Exception dispatch (DESIGN.md §6): KiUserExceptionDispatcher turns the machine state the
 * fault handler saved (native/faults.ts) into an EXCEPTION_RECORD and CONTEXT on the guest
 * stack; RaiseException and RtlRaiseException build them from the caller's state. Dispatch
 * then asks the vectored handlers, the frame-based handlers found through `.pdata`, and the
 * unhandled-exception filter, and ends by resuming at a CONTEXT (through the engine's resume
 * path) or by ending the process with the exception code after a report.
 */
import { putU64 } from '../../native/guestmemory.js';
import { initContext } from '../../native/capture.js';
import { CONTEXT, EXCEPTION_BLOCK, EXCEPTIONS, FAULT, GREG, TEB, WR } from '../../native/layout.js';
import { raiseReturnOffset } from '../../native/engine.js';
import { PAGE_READWRITE } from '../../native/memprotect.js';
import { UNW_FLAG_EHANDLER } from '../../pe/exceptions.js';
import { PEB_EXT } from '../kernel32/processthreadsapi.js';
import type { ApiContext } from '../types.js';
import {
  EXCEPTION_CONTINUE_EXECUTION, EXCEPTION_EXECUTE_HANDLER, EXCEPTION_MAXIMUM_PARAMETERS, EXCEPTION_NESTED_CALL,
  EXCEPTION_NONCONTINUABLE, ExceptionContinueExecution, ExceptionContinueSearch, ExceptionNestedException, REC, STATUS, callLanguageHandler, copyContext, withGuestScratch, sehTrace, writeDispatcherContext,
} from './excdefs.js';
import { faultingDivisor } from './excdivide.js';
import { unwindOneFrame } from './excframes.js';
import { skipPlainFrames } from '../../kernel/unwindfast.js';
import { armRaiseCore } from './excnative.js';
import { exceptionReport } from './excreport.js';
import { vectoredHandlers } from './excvector.js';

const GREG_TO_CONTEXT: readonly [number, number][] = [
  [GREG.RAX, CONTEXT.Rax], [GREG.RCX, CONTEXT.Rcx], [GREG.RDX, CONTEXT.Rdx], [GREG.RBX, CONTEXT.Rbx], [GREG.RSP, CONTEXT.Rsp],
  [GREG.RBP, CONTEXT.Rbp], [GREG.RSI, CONTEXT.Rsi], [GREG.RDI, CONTEXT.Rdi], [GREG.R8, CONTEXT.R8], [GREG.R9, CONTEXT.R9],
  [GREG.R10, CONTEXT.R10], [GREG.R11, CONTEXT.R11], [GREG.R12, CONTEXT.R12], [GREG.R13, CONTEXT.R13], [GREG.R14, CONTEXT.R14],
  [GREG.R15, CONTEXT.R15], [GREG.RIP, CONTEXT.Rip],
];

/** Space the dispatcher keeps on the guest stack: EXCEPTION_POINTERS, DISPATCHER_CONTEXT, the
 *  record, the CONTEXT (16-byte aligned) and a second CONTEXT to walk frames with. */
const FRAME = { Pointers: 0x00, Dispatcher: 0x10, Record: 0x60, Context: 0x100, Walk: 0x100 + CONTEXT.Size, Size: 0x100 + 2 * CONTEXT.Size } as const;

/** The state of the guest code that made the export call running now, as RtlCaptureContext
 *  would see it just after returning: RIP the return address, RSP above it, the non-volatile
 *  registers as the caller had them (native/capture.ts, after the range checks). */
export function captureCaller(ctx: ApiContext, c: number, guestRsp = ctx.mem.ptr(ctx.teb + WR.GuestRsp)): void {
  const m = ctx.mem;
  m.check(guestRsp, 8);
  m.check(c, CONTEXT.Size, true);
  ctx.process.frames.capture(c, ctx.process.frames.currentSaveArea(), guestRsp, m.u32(ctx.teb + WR.GuestMxcsr));
}

/** Instructions that fault as privileged in user mode (first opcode bytes, no prefixes). */
function isPrivileged(b: Uint8Array): boolean {
  const [b0, b1] = [b[0]!, b[1]!];
  if ([0xf4, 0xfa, 0xfb, 0xe4, 0xe5, 0xe6, 0xe7, 0xec, 0xed, 0xee, 0xef, 0x6c, 0x6d, 0x6e, 0x6f].includes(b0)) return true;
  if (b0 === 0x0f) return [0x06, 0x08, 0x09, 0x20, 0x21, 0x22, 0x23, 0x30, 0x32, 0x35, 0x07, 0x01, 0x00].includes(b1);
  return false;
}

interface Classified {
  code: number;
  params: (number | bigint)[];
  /** Where the exception happened (the int3 itself, not the instruction after it). */
  rip: number;
  /** __fastfail: the process ends at once, no handlers run. */
  fastFail?: number;
}

/** Maps a Linux signal, its si_code and the CPU's trap number to the Windows exception. */
function classify(ctx: ApiContext, f: number): Classified {
  const m = ctx.mem;
  const g = (i: number): bigint => m.u64(f + FAULT.Gregs + 8 * i);
  const sig = m.i32(f + FAULT.Siginfo);
  const code = m.i32(f + FAULT.Siginfo + 8);
  const addr = m.u64(f + FAULT.Siginfo + 16);
  const rip = Number(g(GREG.RIP));
  const trapno = Number(g(GREG.TRAPNO));
  const err = Number(g(GREG.ERR));
  const bytes = m.accessible(rip, 2, 'read') ? m.read(rip, 2) : new Uint8Array(2);
  switch (sig) {
    case 11: {
      if (trapno === 13) {
        if (bytes[0] === 0xcd && bytes[1] === 0x29) return { code: STATUS.STACK_BUFFER_OVERRUN, params: [], rip, fastFail: Number(g(GREG.RCX) & 0xffffffffn) };
        if (bytes[0] === 0xcd && bytes[1] === 0x2c) return { code: 0xc0000420, params: [], rip };
        if (bytes[0] === 0xcd && bytes[1] === 0x2d) return { code: STATUS.BREAKPOINT, params: [0], rip };
        if (isPrivileged(bytes)) return { code: STATUS.PRIVILEGED_INSTRUCTION, params: [], rip };
        return { code: STATUS.ACCESS_VIOLATION, params: [0, 0xffffffffffffffffn], rip };
      }
      const kind = err & 0x10 ? 8 : err & 2 ? 1 : 0;
      const a = Number(addr);
      const guard = ctx.process.frames.stackGuard;
      if (a >= guard.low - 0x1000 && a < guard.high && guard.high !== 0) {
        if (a >= guard.low) {
          // The guard pages give their room to the handlers, as on Windows.
          ctx.mem.protect(guard.low, guard.high - guard.low, PAGE_READWRITE);
          m.setU64(ctx.teb + TEB.StackLimit, guard.low);
        }
        return { code: STATUS.STACK_OVERFLOW, params: [1, addr], rip };
      }
      if (ctx.mem.liftGuard(a)) return { code: STATUS.GUARD_PAGE_VIOLATION, params: [kind, addr], rip };
      return { code: STATUS.ACCESS_VIOLATION, params: [kind, addr], rip };
    }
    case 7:
      if (code === 1) return { code: STATUS.DATATYPE_MISALIGNMENT, params: [], rip };
      return { code: STATUS.IN_PAGE_ERROR, params: [0, addr, 0xc000009c], rip };
    case 4:
      if (code === 5 || code === 6) return { code: STATUS.PRIVILEGED_INSTRUCTION, params: [], rip };
      return { code: STATUS.ILLEGAL_INSTRUCTION, params: [], rip };
    case 8: {
      const fp: Record<number, number> = {
        1: STATUS.INTEGER_DIVIDE_BY_ZERO, 2: STATUS.INTEGER_OVERFLOW, 3: STATUS.FLT_DIVIDE_BY_ZERO, 4: STATUS.FLT_OVERFLOW,
        5: STATUS.FLT_UNDERFLOW, 6: STATUS.FLT_INEXACT_RESULT, 7: STATUS.FLT_INVALID_OPERATION, 8: STATUS.FLT_STACK_CHECK,
      };
      const c = fp[code] ?? STATUS.FLT_INVALID_OPERATION;
      // #DE with a non-zero divisor: the quotient overflowed (Windows' STATUS_INTEGER_OVERFLOW).
      if (trapno === 0 && c === STATUS.INTEGER_DIVIDE_BY_ZERO && (faultingDivisor(m, rip, (i) => g(i), ctx.teb) ?? 0n) !== 0n) {
        return { code: STATUS.INTEGER_OVERFLOW, params: [], rip };
      }
      if (trapno === 19) return { code: c, params: [0, m.u32(f + FAULT.FpState + 24)], rip };
      return { code: c, params: [], rip };
    }
    case 5:
      if (trapno === 3 || code === 0x80) return { code: STATUS.BREAKPOINT, params: [0], rip: rip - 1 };
      return { code: STATUS.SINGLE_STEP, params: [], rip };
    default:
      return { code: STATUS.ACCESS_VIOLATION, params: [0, addr], rip };
  }
}

/** Fills an EXCEPTION_RECORD (through its words: a record is written on every throw). */
export function writeRecord(ctx: ApiContext, rec: number, code: number, flags: number, address: number, params: readonly (number | bigint)[], inner = 0): void {
  const m = ctx.mem;
  const n = Math.min(params.length, EXCEPTION_MAXIMUM_PARAMETERS);
  const w = m.words(rec, REC.Size, true);
  const { u, i } = w;
  u.fill(0, i, i + REC.Size / 4);
  u[i + REC.ExceptionCode / 4] = code >>> 0;
  u[i + REC.ExceptionFlags / 4] = flags >>> 0;
  putU64(u, i + REC.ExceptionRecord / 4, inner);
  putU64(u, i + REC.ExceptionAddress / 4, address);
  u[i + REC.NumberParameters / 4] = n;
  for (let k = 0; k < n; k++) putU64(u, i + REC.ExceptionInformation / 4 + 2 * k, params[k]!);
  m.store(rec, REC.Size, w);
}

/**
 * ntdll's KiUserExceptionDispatcher: a guest fault's thread resumes here (native/faults.ts).
 * The exception's frame goes below the faulting RSP; the dispatch never returns to the thunk's
 * caller (there is none): it resumes at a CONTEXT or ends the process.
 */
export function KiUserExceptionDispatcher(ctx: ApiContext): void {
  const m = ctx.mem;
  const f = ctx.teb + WR.Fault;
  const cls = classify(ctx, f);
  const faultRsp = Number(m.u64(f + FAULT.Gregs + 8 * GREG.RSP));
  if (cls.fastFail !== undefined) {
    const where = ctx.process.frames.describe(cls.rip);
    ctx.process.writeFd(2, new TextEncoder().encode(`winrun: the program ended itself with __fastfail(${cls.fastFail}) at ${where} (STATUS_STACK_BUFFER_OVERRUN)\n`));
    ctx.process.terminate(STATUS.STACK_BUFFER_OVERRUN);
  }
  const build = (c: number, rec: number): void => {
    initContext(m, c);
    for (const [gi, at] of GREG_TO_CONTEXT) m.setU64(c + at, m.u64(f + FAULT.Gregs + 8 * gi));
    m.setU64(c + CONTEXT.Rip, cls.rip);
    m.setU32(c + CONTEXT.EFlags, Number(m.u64(f + FAULT.Gregs + 8 * GREG.EFL) & 0xffffffffn) & ~0x100);
    if (m.u32(f + FAULT.HaveFp) !== 0) {
      m.write(c + CONTEXT.FltSave, m.read(f + FAULT.FpState, 512));
      m.setU32(c + CONTEXT.MxCsr, m.u32(f + FAULT.FpState + 24));
    } else m.setU32(c + CONTEXT.MxCsr, m.u32(ctx.teb + WR.GuestMxcsr));
    writeRecord(ctx, rec, cls.code, 0, cls.rip, cls.params);
  };
  if (cls.code === STATUS.DATATYPE_MISALIGNMENT && m.u64(f + FAULT.Gregs + 8 * GREG.EFL) & 0x40000n) {
    // The program set EFLAGS.AC. On x64 Windows "alignment faults are handled by a combination
    // of hardware and software" (Microsoft, Alignment Faults) and reach no handler; like Wine,
    // clear AC and run the instruction again.
    withGuestScratch(ctx, FRAME.Size, (at) => {
      const c = at + FRAME.Context;
      build(c, at + FRAME.Record);
      m.setU32(c + CONTEXT.EFlags, m.u32(c + CONTEXT.EFlags) & ~0x40000);
      ctx.unwindTo(c);
    });
    return;
  }
  // No room left below the faulting RSP (the last page of the stack): report without handlers.
  const stackEnd = ctx.process.frames.stackGuard.low - 0x1000;
  const inStack = faultRsp >= stackEnd && faultRsp < m.ptr(ctx.teb + TEB.StackBase);
  if (inStack && faultRsp - FRAME.Size - 0x100 < stackEnd + 0x1000) {
    // The thread's own buffers hold the record and CONTEXT for the report.
    const c = ctx.teb + WR.ContextBuffer;
    const rec = ctx.teb + WR.Scratch;
    build(c, rec);
    reportAndExit(ctx, rec, c, 'the stack overflowed again while its exception was handled');
  }
  withGuestScratch(ctx, FRAME.Size, (at) => {
    build(at + FRAME.Context, at + FRAME.Record);
    dispatchException(ctx, at + FRAME.Record, at + FRAME.Context);
  });
}

const trace = (ctx: ApiContext, text: () => string): void => sehTrace(ctx, 'dispatch', text);

function codeText(ctx: ApiContext, rec: number): string {
  return `0x${ctx.mem.u32(rec + REC.ExceptionCode).toString(16).padStart(8, '0')}`;
}

/** Resumes at `context` after a handler asked to continue: the continue handlers run first. */
function continueExecution(ctx: ApiContext, rec: number, context: number, pointers: number): void {
  for (const h of vectoredHandlers(ctx, true)) {
    trace(ctx, () => `calling vectored continue handler ${ctx.process.frames.describe(h)}`);
    if (Number(BigInt.asIntN(32, ctx.process.frames.callFrom(context, h, [pointers]))) === EXCEPTION_CONTINUE_EXECUTION) break;
  }
  trace(ctx, () => `${codeText(ctx, rec)}: continuing at ${ctx.process.frames.describe(ctx.mem.ptr(context + CONTEXT.Rip))}`);
  ctx.unwindTo(context);
}

/** Raises `code` (NONCONTINUABLE_EXCEPTION, INVALID_DISPOSITION) for a broken dispatch. */
function raiseNested(ctx: ApiContext, code: number, rec: number, context: number): void {
  withGuestScratch(ctx, REC.Size, (at) => {
    writeRecord(ctx, at, code, EXCEPTION_NONCONTINUABLE, ctx.mem.ptr(context + CONTEXT.Rip), [], rec);
    dispatchException(ctx, at, context);
  });
}

/**
 * RtlDispatchException, and what follows when nothing handles the exception. Ends by resuming
 * at a CONTEXT (ctx.unwindTo) or by ending the process; returns to let that happen.
 */
export function dispatchException(ctx: ApiContext, rec: number, context: number): void {
  const m = ctx.mem;
  const frames = ctx.process.frames;
  armRaiseCore(ctx);
  withGuestScratch(ctx, 0x60 + CONTEXT.Size + 0x10, (at) => {
    const pointers = at;
    const dc = at + 0x10;
    const walk = Math.ceil((at + 0x60) / 16) * 16;
    m.setU64(pointers, rec);
    m.setU64(pointers + 8, context);
    trace(ctx, () => `${codeText(ctx, rec)} at ${frames.describe(m.ptr(rec + REC.ExceptionAddress))}`);
    for (const h of vectoredHandlers(ctx, false)) {
      trace(ctx, () => `calling vectored handler ${frames.describe(h)}`);
      const r = Number(BigInt.asIntN(32, frames.callFrom(context, h, [pointers])));
      trace(ctx, () => `vectored handler returned ${r}`);
      // Windows checks EXCEPTION_NONCONTINUABLE for frame handlers only.
      if (r === EXCEPTION_CONTINUE_EXECUTION) return continueExecution(ctx, rec, context, pointers);
    }
    copyContext(ctx, walk, context);
    dispatchFrames(ctx, rec, context, walk, pointers, dc);
  });
}

/**
 * ntdll's dispatch continuation: the exception core (native/exccore.ts) stopped its walk at
 * `walk` (the next frame not yet unwound), after a handler's disposition `disposition` (-1:
 * none, the walk met a frame it could not take). The dispatch goes on as dispatchException's.
 */
export function continueDispatch(ctx: ApiContext, rec: number, context: number, walk: number, disposition: number): void {
  const m = ctx.mem;
  if (!m.accessible(rec, REC.Size, 'write') || !m.accessible(context, CONTEXT.Size, 'write') || !m.accessible(walk, CONTEXT.Size, 'write')) {
    throw new Error('the exception core continued with a frame JS cannot read');
  }
  withGuestScratch(ctx, 0x60, (at) => {
    const pointers = at;
    const dc = at + 0x10;
    m.setU64(pointers, rec);
    m.setU64(pointers + 8, context);
    if (disposition !== -1) {
      trace(ctx, () => `handler returned ${disposition}`);
      if (!afterHandler(ctx, disposition, rec, context, pointers)) return;
    }
    dispatchFrames(ctx, rec, context, walk, pointers, dc);
  });
}

/** What a frame handler's disposition `r` asks for: false when the dispatch ends here (it
 *  continues execution or raises), true when the walk goes on. */
function afterHandler(ctx: ApiContext, r: number, rec: number, context: number, pointers: number): boolean {
  const m = ctx.mem;
  if (r === ExceptionContinueExecution) {
    if (m.u32(rec + REC.ExceptionFlags) & EXCEPTION_NONCONTINUABLE) raiseNested(ctx, STATUS.NONCONTINUABLE_EXCEPTION, rec, context);
    else continueExecution(ctx, rec, context, pointers);
    return false;
  }
  if (r === ExceptionNestedException) {
    m.setU32(rec + REC.ExceptionFlags, m.u32(rec + REC.ExceptionFlags) | EXCEPTION_NESTED_CALL);
    return true;
  }
  if (r !== ExceptionContinueSearch) {
    raiseNested(ctx, STATUS.INVALID_DISPOSITION, rec, context);
    return false;
  }
  return true;
}

/** The frame-based handlers from the frame `walk` holds on, then the unhandled-exception
 *  filter and the report. */
function dispatchFrames(ctx: ApiContext, rec: number, context: number, walk: number, pointers: number, dc: number): void {
  const m = ctx.mem;
  const frames = ctx.process.frames;
  const stackEnd = m.ptr(ctx.teb + TEB.StackBase);
  for (let depth = 0; depth < 100000; depth++) {
    let frame;
    try {
      // Frames without a handler go by in one loop (kernel/unwindfast.ts).
      depth += skipPlainFrames(m, frames.codeCache(), walk, UNW_FLAG_EHANDLER, 0, 100000 - depth, stackEnd);
      if (depth >= 100000) break;
      frame = unwindOneFrame(ctx, UNW_FLAG_EHANDLER, walk);
    } catch {
      break; // unreadable stack or unwind data: the walk ends here
    }
    if (!frame) break;
    // An exception filter around a call from JS (it may end the process).
    if (frame.boundary?.filter !== undefined) frame.boundary.filter(rec);
    if (frame.handler === 0) continue;
    writeDispatcherContext(ctx, dc, frame, context);
    trace(ctx, () => `calling handler ${frames.describe(frame.handler)} for frame 0x${frame.establisherFrame.toString(16)} (${frames.describe(frame.controlPc)})`);
    const r = callLanguageHandler(ctx, context, frame.handler, rec, frame.establisherFrame, context, dc);
    // The handler unwound past this call (a catch block was found): that unwind goes on
    // from this export call, whose JS returns from here without more work.
    if (r === undefined) return;
    trace(ctx, () => `handler returned ${r}`);
    if (!afterHandler(ctx, r, rec, context, pointers)) return;
  }
  const r = unhandledFilter(ctx, pointers);
  if (r === EXCEPTION_CONTINUE_EXECUTION) {
    // On Windows the filter runs in the thread's top-level frame handler, so the frame
    // handlers' rule applies: a noncontinuable exception cannot be continued.
    if (m.u32(rec + REC.ExceptionFlags) & EXCEPTION_NONCONTINUABLE) return raiseNested(ctx, STATUS.NONCONTINUABLE_EXCEPTION, rec, context);
    return continueExecution(ctx, rec, context, pointers);
  }
  if (r === EXCEPTION_EXECUTE_HANDLER && !reported(ctx)) ctx.process.terminate(m.u32(rec + REC.ExceptionCode));
  reportAndExit(ctx, rec, context);
}

/** Whether UnhandledExceptionFilter already wrote the report (it ran the default action). */
function reported(ctx: ApiContext): boolean {
  return ctx.mem.u32(ctx.process.pebAddress + EXCEPTION_BLOCK + EXCEPTIONS.Reported) !== 0;
}

function reportAndExit(ctx: ApiContext, rec: number, context: number, note?: string): never {
  if (!reported(ctx)) ctx.process.writeFd(2, new TextEncoder().encode(exceptionReport(ctx, rec, context, note)));
  ctx.process.terminate(ctx.mem.u32(rec + REC.ExceptionCode));
}

/**
 * kernel32's UnhandledExceptionFilter: the program's top-level filter (SetUnhandledExceptionFilter)
 * decides; without one, or when it returns EXCEPTION_CONTINUE_SEARCH, the report is written and
 * EXCEPTION_EXECUTE_HANDLER returned (the caller then ends the process).
 */
export function UnhandledExceptionFilter(ctx: ApiContext, pointers: number): number {
  return unhandledFilter(ctx, pointers);
}

function unhandledFilter(ctx: ApiContext, pointers: number): number {
  const m = ctx.mem;
  if (!m.accessible(pointers, 16, 'read')) return EXCEPTION_EXECUTE_HANDLER;
  const rec = m.ptr(pointers);
  const context = m.ptr(pointers + 8);
  const filter = m.ptr(ctx.process.pebAddress + PEB_EXT.UnhandledExceptionFilter);
  if (filter !== 0) {
    trace(ctx, () => `calling the unhandled exception filter ${ctx.process.frames.describe(filter)}`);
    const r = Number(BigInt.asIntN(32, ctx.process.frames.callFrom(context, filter, [pointers])));
    trace(ctx, () => `unhandled exception filter returned ${r}`);
    if (r === EXCEPTION_CONTINUE_EXECUTION || r === EXCEPTION_EXECUTE_HANDLER) return r;
  }
  if (m.accessible(rec, REC.Size, 'read') && m.accessible(context, CONTEXT.Size, 'read') && !reported(ctx)) {
    ctx.process.writeFd(2, new TextEncoder().encode(exceptionReport(ctx, rec, context)));
    m.setU32(ctx.process.pebAddress + EXCEPTION_BLOCK + EXCEPTIONS.Reported, 1);
  }
  return EXCEPTION_EXECUTE_HANDLER;
}

/** Raises an exception from an export's caller (RaiseException, RtlRaiseException). With
 *  `inside` (an export's return point, engine.ts emitThunk), the exception is raised in that
 *  export instead: RIP there, RSP at the return address, so continuing returns to the caller
 *  and the unwinder's leaf rule finds it. */
export function raiseFromCaller(ctx: ApiContext, fill: (rec: number, returnAddress: number) => void, inside = 0, guestRsp = ctx.mem.ptr(ctx.teb + WR.GuestRsp)): void {
  withGuestScratch(ctx, FRAME.Size, (at) => {
    const c = at + FRAME.Context;
    captureCaller(ctx, c, guestRsp);
    if (inside !== 0) {
      ctx.mem.setU64(c + CONTEXT.Rip, inside);
      ctx.mem.setU64(c + CONTEXT.Rsp, guestRsp);
    }
    fill(at + FRAME.Record, ctx.mem.ptr(c + CONTEXT.Rip));
    dispatchException(ctx, at + FRAME.Record, c);
  });
}

/** kernel32!RaiseException's return point: Windows reports a raised exception at its
 *  address inside KERNELBASE!RaiseException (the CONTEXT's RIP is the same address). */
function raiseExceptionReturnPoint(ctx: ApiContext): number {
  const named = ctx.process.frames.codeCache().named;
  let point = named.get('RaiseException');
  if (point === undefined) {
    const k32 = ctx.process.moduleHandle('kernel32.dll');
    const thunk = k32 === 0 ? 0 : ctx.process.procAddress(k32, 'RaiseException');
    point = thunk === 0 ? 0 : thunk + raiseReturnOffset();
    named.set('RaiseException', point);
  }
  return point;
}

const NO_PARAMS: readonly number[] = [];

export function RaiseException(ctx: ApiContext, code: number, flags: number, count: number, args: number): void {
  const m = ctx.mem;
  const n = args !== 0 ? Math.min(count >>> 0, EXCEPTION_MAXIMUM_PARAMETERS) : 0;
  if (n > 0 && !m.accessible(args, 8 * n, 'read')) {
    // Windows reads the arguments in RaiseException itself: an access violation there.
    raiseFromCaller(ctx, (rec, ret) => writeRecord(ctx, rec, STATUS.ACCESS_VIOLATION, 0, ret, [0, args]), raiseExceptionReturnPoint(ctx));
    return;
  }
  raiseFromCaller(ctx, (rec, ret) => {
    writeRecord(ctx, rec, code, flags & EXCEPTION_NONCONTINUABLE, ret, NO_PARAMS);
    // The arguments as they are, 64 bits each (no BigInt per argument).
    m.setU32(rec + REC.NumberParameters, n);
    if (n > 0) m.copy(rec + REC.ExceptionInformation, args, 8 * n);
  }, raiseExceptionReturnPoint(ctx));
}

export function RtlRaiseException(ctx: ApiContext, record: number): void {
  const m = ctx.mem;
  if (!m.accessible(record, REC.Size, 'write')) {
    raiseFromCaller(ctx, (rec, ret) => writeRecord(ctx, rec, STATUS.ACCESS_VIOLATION, 0, ret, [0, record]));
    return;
  }
  raiseFromCaller(ctx, (rec, ret) => {
    m.setU64(record + REC.ExceptionAddress, ret);
    m.write(rec, m.read(record, REC.Size));
  });
}

/** NtRaiseException(record, context, firstChance): dispatches with the given CONTEXT. */
export function NtRaiseException(ctx: ApiContext, record: number, context: number, _firstChance: number): number {
  const m = ctx.mem;
  if (!m.accessible(record, REC.Size, 'read') || !m.accessible(context, CONTEXT.Size, 'read')) return STATUS.ACCESS_VIOLATION;
  withGuestScratch(ctx, REC.Size + CONTEXT.Size + 0x10, (at) => {
    const c = Math.ceil((at + REC.Size) / 16) * 16;
    m.write(at, m.read(record, REC.Size));
    copyContext(ctx, c, context);
    dispatchException(ctx, at, c);
  });
  return 0;
}
