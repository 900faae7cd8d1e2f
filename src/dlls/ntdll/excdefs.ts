/**
 * Structured-exception definitions (winnt.h, ntstatus.h): the exception codes winrun raises,
 * EXCEPTION_RECORD and DISPATCHER_CONTEXT layouts, the flags and dispositions, and the small
 * helpers every part of the machinery shares (copying a CONTEXT, scratch space on the guest
 * stack).
 */
import { putU64 } from '../../native/guestmemory.js';
import { CONTEXT, DISPATCHER_CONTEXT as DC, WR } from '../../native/layout.js';
import type { ApiContext } from '../types.js';

export const STATUS = {
  GUARD_PAGE_VIOLATION: 0x80000001,
  DATATYPE_MISALIGNMENT: 0x80000002,
  BREAKPOINT: 0x80000003,
  SINGLE_STEP: 0x80000004,
  LONGJUMP: 0x80000026,
  UNWIND_CONSOLIDATE: 0x80000029,
  ACCESS_VIOLATION: 0xc0000005,
  IN_PAGE_ERROR: 0xc0000006,
  INVALID_PARAMETER: 0xc000000d,
  ILLEGAL_INSTRUCTION: 0xc000001d,
  NONCONTINUABLE_EXCEPTION: 0xc0000025,
  INVALID_DISPOSITION: 0xc0000026,
  UNWIND: 0xc0000027,
  BAD_STACK: 0xc0000028,
  INVALID_UNWIND_TARGET: 0xc0000029,
  FLT_DENORMAL_OPERAND: 0xc000008d,
  FLT_DIVIDE_BY_ZERO: 0xc000008e,
  FLT_INEXACT_RESULT: 0xc000008f,
  FLT_INVALID_OPERATION: 0xc0000090,
  FLT_OVERFLOW: 0xc0000091,
  FLT_STACK_CHECK: 0xc0000092,
  FLT_UNDERFLOW: 0xc0000093,
  INTEGER_DIVIDE_BY_ZERO: 0xc0000094,
  INTEGER_OVERFLOW: 0xc0000095,
  PRIVILEGED_INSTRUCTION: 0xc0000096,
  STACK_OVERFLOW: 0xc00000fd,
  STACK_BUFFER_OVERRUN: 0xc0000409,
} as const;

/** Names for reports, as winnt.h spells them. */
export const EXCEPTION_NAMES: ReadonlyMap<number, string> = new Map([
  [STATUS.GUARD_PAGE_VIOLATION, 'EXCEPTION_GUARD_PAGE'],
  [STATUS.DATATYPE_MISALIGNMENT, 'EXCEPTION_DATATYPE_MISALIGNMENT'],
  [STATUS.BREAKPOINT, 'EXCEPTION_BREAKPOINT'],
  [STATUS.SINGLE_STEP, 'EXCEPTION_SINGLE_STEP'],
  [STATUS.ACCESS_VIOLATION, 'EXCEPTION_ACCESS_VIOLATION'],
  [STATUS.IN_PAGE_ERROR, 'EXCEPTION_IN_PAGE_ERROR'],
  [STATUS.ILLEGAL_INSTRUCTION, 'EXCEPTION_ILLEGAL_INSTRUCTION'],
  [STATUS.NONCONTINUABLE_EXCEPTION, 'EXCEPTION_NONCONTINUABLE_EXCEPTION'],
  [STATUS.INVALID_DISPOSITION, 'EXCEPTION_INVALID_DISPOSITION'],
  [STATUS.FLT_DENORMAL_OPERAND, 'EXCEPTION_FLT_DENORMAL_OPERAND'],
  [STATUS.FLT_DIVIDE_BY_ZERO, 'EXCEPTION_FLT_DIVIDE_BY_ZERO'],
  [STATUS.FLT_INEXACT_RESULT, 'EXCEPTION_FLT_INEXACT_RESULT'],
  [STATUS.FLT_INVALID_OPERATION, 'EXCEPTION_FLT_INVALID_OPERATION'],
  [STATUS.FLT_OVERFLOW, 'EXCEPTION_FLT_OVERFLOW'],
  [STATUS.FLT_STACK_CHECK, 'EXCEPTION_FLT_STACK_CHECK'],
  [STATUS.FLT_UNDERFLOW, 'EXCEPTION_FLT_UNDERFLOW'],
  [STATUS.INTEGER_DIVIDE_BY_ZERO, 'EXCEPTION_INT_DIVIDE_BY_ZERO'],
  [STATUS.INTEGER_OVERFLOW, 'EXCEPTION_INT_OVERFLOW'],
  [STATUS.PRIVILEGED_INSTRUCTION, 'EXCEPTION_PRIV_INSTRUCTION'],
  [STATUS.STACK_OVERFLOW, 'EXCEPTION_STACK_OVERFLOW'],
  [STATUS.STACK_BUFFER_OVERRUN, 'STATUS_STACK_BUFFER_OVERRUN'],
  [0xe06d7363, 'C++ exception (MSVC)'],
  [0x20474343, 'C++ exception (GCC)'],
]);

// The record, the flags, the dispositions and DISPATCHER_CONTEXT: native/layout.ts (the
// exception core, native/exccore.ts, writes and reads them too).
export {
  EXCEPTION_RECORD as REC, EXCEPTION_MAXIMUM_PARAMETERS, EXCEPTION_NONCONTINUABLE, EXCEPTION_UNWINDING, EXCEPTION_EXIT_UNWIND,
  EXCEPTION_STACK_INVALID, EXCEPTION_NESTED_CALL, EXCEPTION_TARGET_UNWIND, EXCEPTION_COLLIDED_UNWIND, ExceptionContinueExecution,
  ExceptionContinueSearch, ExceptionNestedException, ExceptionCollidedUnwind,
} from '../../native/layout.js';
export { DC };

/** The filter results (EXCEPTION_POINTERS filters, UnhandledExceptionFilter). */
export const EXCEPTION_EXECUTE_HANDLER = 1;
export const EXCEPTION_CONTINUE_SEARCH = 0;
export const EXCEPTION_CONTINUE_EXECUTION = -1;

/** A +seh trace line from `func`; the text is built only when the channel is on. */
export function sehTrace(ctx: ApiContext, func: string, text: () => string): void {
  if (ctx.debug.on('seh', 'trace')) ctx.debug.log('seh', 'trace', func, text());
}

/** The frame a language handler is called for, as DISPATCHER_CONTEXT describes it. */
export interface HandlerFrame {
  readonly controlPc: number;
  readonly imageBase: number;
  readonly functionEntry: number;
  readonly establisherFrame: number;
  readonly handler: number;
  readonly handlerData: number;
}

/** Fills the DISPATCHER_CONTEXT at `dc` for calling `frame`'s language handler. */
export function writeDispatcherContext(ctx: ApiContext, dc: number, frame: HandlerFrame, context: number, targetIp = 0, history = 0): void {
  const m = ctx.mem;
  // Written on every handler call: through the range's words (the fields are 8 bytes each from
  // 0, in this order).
  const w = m.words(dc, DC.Size, true);
  const { u, i } = w;
  u.fill(0, i, i + DC.Size / 4);
  putU64(u, i + DC.ControlPc / 4, frame.controlPc);
  putU64(u, i + DC.ImageBase / 4, frame.imageBase);
  putU64(u, i + DC.FunctionEntry / 4, frame.functionEntry);
  putU64(u, i + DC.EstablisherFrame / 4, frame.establisherFrame);
  putU64(u, i + DC.TargetIp / 4, targetIp);
  putU64(u, i + DC.ContextRecord / 4, context);
  putU64(u, i + DC.LanguageHandler / 4, frame.handler);
  putU64(u, i + DC.HandlerData / 4, frame.handlerData);
  putU64(u, i + DC.HistoryTable / 4, history);
  m.store(dc, DC.Size, w);
}

export function copyContext(ctx: ApiContext, dst: number, src: number): void {
  if (dst !== src) ctx.mem.copy(dst, src, CONTEXT.Size);
}

/**
 * Runs `fn` with `bytes` of scratch space on the guest stack below the current call (16-byte
 * aligned); guest code that `fn` calls runs below it. Returns what `fn` returns.
 */
export function withGuestScratch<T>(ctx: ApiContext, bytes: number, fn: (at: number) => T): T {
  const slot = ctx.teb + WR.GuestRsp;
  const saved = ctx.mem.ptr(slot);
  const at = Math.floor((saved - bytes - 0x20) / 16) * 16;
  ctx.mem.setU64(slot, at);
  try {
    return fn(at);
  } finally {
    ctx.mem.setU64(slot, saved);
  }
}

/**
 * Calls a frame's language handler with (record, establisher frame, CONTEXT, DISPATCHER_CONTEXT)
 * for the CONTEXT at `parent`: winrun's own (ExportRow.direct: the C++ frame handlers) as a JS
 * call (two JS ↔ guest transitions and a CONTEXT copy fewer), any other through a guest call
 * whose walks continue at `parent` (and which marks a termination handler's call with its
 * unwind's `dispatcher`, for collided unwinds). A relay trace keeps the guest call, so that it
 * shows the handler. Returns the disposition, or undefined when the handler ended by a jump past
 * this call (an unwind to a catch block): the caller returns at once and the jump goes on.
 */
export function callLanguageHandler(ctx: ApiContext, parent: number, handler: number, rec: number, establisher: number, context: number, dc: number, dispatcher = 0): number | undefined {
  const frames = ctx.process.frames;
  const impl = ctx.debug.on('relay', 'trace') ? undefined : frames.directHandler(handler);
  if (impl !== undefined) {
    sehTrace(ctx, 'dispatch', () => '  (winrun\'s own handler: called as JS)');
    return frames.runHandler(() => Number(impl(ctx, rec, establisher, context, dc)) >>> 0);
  }
  const r = Number(frames.callFrom(parent, handler, [rec, establisher, context, dc], true, dispatcher) & 0xffffffffn);
  if (frames.pendingUnwind() !== 0) {
    ctx.unwindTo(frames.pendingUnwind());
    return undefined;
  }
  return r;
}
