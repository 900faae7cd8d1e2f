/**
 * Unwinding (DESIGN.md §6): RtlUnwindEx walks from its caller's frame up to a target frame,
 * calling each frame's termination handler (UNW_FLAG_UHANDLER) on the way, then continues at
 * the target IP with the target frame's registers. RtlRestoreContext (with the
 * STATUS_UNWIND_CONSOLIDATE callback C++ catch blocks use), NtContinue and RtlCaptureContext.
 * Every transfer goes through the engine's "resume at CONTEXT" path (ctx.unwindTo), which also
 * unwinds JS frames between here and the target normally.
 */
import { CONTEXT, TEB, WR } from '../../native/layout.js';
import { UNW_FLAG_UHANDLER } from '../../pe/exceptions.js';
import type { ApiContext } from '../types.js';
import {
  DC, EXCEPTION_COLLIDED_UNWIND, EXCEPTION_EXIT_UNWIND, EXCEPTION_NONCONTINUABLE, EXCEPTION_TARGET_UNWIND, EXCEPTION_UNWINDING,
  ExceptionCollidedUnwind, ExceptionContinueSearch, REC, STATUS, callLanguageHandler, copyContext, withGuestScratch, sehTrace, writeDispatcherContext,
} from './excdefs.js';
import { captureCaller, dispatchException, raiseFromCaller, writeRecord } from './excdispatch.js';
import { crossesToContext, targetFrameAt, unwindOneFrame, unwindsInPlace } from './excframes.js';
import { keepNative, skipPlainFrames } from '../../kernel/unwindfast.js';

const trace = (ctx: ApiContext, text: () => string): void => sehTrace(ctx, 'unwind', text);

/** A broken unwind raises `code` from the state the walk had reached (`c`). */
function raiseStatus(ctx: ApiContext, code: number, c: number): void {
  withGuestScratch(ctx, REC.Size, (rec) => {
    writeRecord(ctx, rec, code, EXCEPTION_NONCONTINUABLE, ctx.mem.ptr(c + CONTEXT.Rip), []);
    dispatchException(ctx, rec, c);
  });
}

/**
 * Runs at the target of an unwind before it continues there, with the target frame's CONTEXT:
 * returns the address to continue at. The JS counterpart of a STATUS_UNWIND_CONSOLIDATE
 * callback (a C++ catch block runs here).
 */
export type UnwindArrival = (context: number) => number;

/**
 * The unwind itself, from the state in `c` (the caller of the API, already captured): calls
 * the termination handlers of every frame up to `targetFrame` and resumes there (after
 * `arrive`, when given).
 */
export function unwindFrom(ctx: ApiContext, c: number, targetFrame: number, targetIp: number, record: number, returnValue: bigint | number, history: number, arrive?: UnwindArrival): void {
  const m = ctx.mem;
  const frames = ctx.process.frames;
  withGuestScratch(ctx, REC.Size + CONTEXT.Size + DC.Size + 0x20, (at) => {
    const next = at;
    const dc = at + CONTEXT.Size;
    let rec = record;
    if (rec === 0 || !m.accessible(rec, REC.Size, 'write')) {
      rec = dc + DC.Size;
      writeRecord(ctx, rec, STATUS.UNWIND, 0, m.ptr(c + CONTEXT.Rip), []);
    }
    const baseFlags = (m.u32(rec + REC.ExceptionFlags) & ~(EXCEPTION_TARGET_UNWIND | EXCEPTION_COLLIDED_UNWIND)) | EXCEPTION_UNWINDING | (targetFrame === 0 ? EXCEPTION_EXIT_UNWIND : 0);
    m.setU32(rec + REC.ExceptionFlags, baseFlags);
    trace(ctx, () => `unwinding to frame 0x${targetFrame.toString(16)}, ip ${frames.describe(targetIp)}`);
    // `cur` holds the state of the frame being unwound (what its handler sees), `nxt` the state
    // past it; the two buffers trade places after each frame instead of copying back (Windows'
    // RtlUnwindEx swaps its two CONTEXT pointers the same way).
    let cur = c;
    let nxt = next;
    // Set when the walk comes out of a termination handler that another unwind is running: this
    // unwind takes over that one's frame where it was (its scope index), as a collided unwind.
    let collided = 0;
    const stackEnd = m.ptr(ctx.teb + TEB.StackBase);
    const tracing = ctx.debug.on('seh', 'trace');
    for (let depth = 0; ; depth++) {
      // Most frames have no termination handler: those are unwound in `cur` itself, in one
      // loop while no trace wants each (kernel/unwindfast.ts), else one by one below.
      if (!tracing && depth < 100000) {
        const skipped = skipPlainFrames(m, frames.codeCache(), cur, UNW_FLAG_UHANDLER, targetFrame, 100000 - depth, stackEnd);
        if (skipped > 0) {
          depth += skipped;
          collided = 0;
        }
      }
      const pc = m.ptr(cur + CONTEXT.Rip);
      const plan = depth < 100000 ? frames.codeCache().plans.get(pc) : undefined;
      const inPlace = unwindsInPlace(ctx, cur, targetFrame, plan);
      // The target frame is not unwound: its handler sees `cur`, and the walk ends there.
      const target = inPlace ? undefined : targetFrameAt(ctx, cur, targetFrame, plan);
      // The target is not passed by skipPlainFrames: kept for the exception core here.
      if (target !== undefined) keepNative(m, frames.codeCache(), pc, plan!);
      if (!inPlace && target === undefined) {
        // At a JS → guest call made for a CONTEXT, crossing it copies that CONTEXT whole: only
        // RIP and RSP, which find the call, are needed first.
        if (pc === frames.callGuestReturn && crossesToContext(ctx, cur)) {
          m.setU64(nxt + CONTEXT.Rip, pc);
          m.setU64(nxt + CONTEXT.Rsp, m.ptr(cur + CONTEXT.Rsp));
        } else copyContext(ctx, nxt, cur);
      }
      const frame = target ?? (depth < 100000 ? unwindOneFrame(ctx, UNW_FLAG_UHANDLER, inPlace ? cur : nxt, plan) : undefined);
      if (frame && tracing) trace(ctx, () => `  frame ${frames.describe(frame.controlPc)} establisher 0x${frame.establisherFrame.toString(16)}${frame.boundary ? ' (JS boundary)' : ''}`);
      if (!frame) {
        // The target is not on the stack.
        if (targetFrame !== 0) return raiseStatus(ctx, STATUS.INVALID_UNWIND_TARGET, cur);
        break;
      }
      if (inPlace) {
        collided = 0;
        continue;
      }
      if (frame.boundary) {
        if (frame.boundary.dispatcher !== 0) {
          collided = frame.boundary.dispatcher;
          trace(ctx, () => '  collided with the unwind running that termination handler');
        }
      } else {
        if (targetFrame !== 0 && frame.establisherFrame > targetFrame) return raiseStatus(ctx, STATUS.INVALID_UNWIND_TARGET, cur);
        const atTarget = frame.establisherFrame === targetFrame;
        if (frame.handler !== 0) {
          m.setU32(rec + REC.ExceptionFlags, baseFlags | (atTarget ? EXCEPTION_TARGET_UNWIND : 0) | (collided !== 0 ? EXCEPTION_COLLIDED_UNWIND : 0));
          writeDispatcherContext(ctx, dc, frame, cur, targetIp, history);
          // The frame the other unwind was in: its handlers already ran up to its scope index.
          if (collided !== 0) m.setU32(dc + DC.ScopeIndex, m.u32(collided + DC.ScopeIndex));
          trace(ctx, () => `calling termination handler ${frames.describe(frame.handler)} for frame 0x${frame.establisherFrame.toString(16)}`);
          const r = callLanguageHandler(ctx, cur, frame.handler, rec, frame.establisherFrame, cur, dc, dc);
          // A newer unwind past this call (from inside the handler) takes over.
          if (r === undefined) return;
          m.setU32(rec + REC.ExceptionFlags, baseFlags);
          if (r !== ExceptionContinueSearch && r !== ExceptionCollidedUnwind) return raiseStatus(ctx, STATUS.INVALID_DISPOSITION, cur);
        }
        collided = 0;
        if (atTarget) break;
      }
      const t = cur;
      cur = nxt;
      nxt = t;
    }
    m.setU64(cur + CONTEXT.Rax, returnValue);
    m.setU64(cur + CONTEXT.Rip, targetIp);
    if (arrive) {
      m.setU64(cur + CONTEXT.Rip, arrive(cur));
      ctx.unwindTo(cur);
    } else restoreContext(ctx, cur, rec);
  });
}

/**
 * ntdll's unwind continuation: the exception core's RtlUnwindEx (native/exccore.ts) stopped at
 * `cur`, the state before the next frame to unwind: JS unwinds from there (-1), raises
 * STATUS_INVALID_DISPOSITION for the disposition a handler gave (0 and up), or continues at
 * `cur`, already the target's state, for a record that asks for more than a jump (-2).
 */
export function continueUnwind(ctx: ApiContext, cur: number, targetFrame: number, targetIp: number, record: number, returnValue: bigint, history: number, disposition: number): void {
  if (!ctx.mem.accessible(cur, CONTEXT.Size, 'write')) throw new Error('the exception core continued an unwind with a CONTEXT JS cannot read');
  if (disposition === -2) return restoreContext(ctx, cur, record);
  if (disposition !== -1) return raiseStatus(ctx, STATUS.INVALID_DISPOSITION, cur);
  unwindFrom(ctx, cur, targetFrame, targetIp, record, returnValue, history);
}

/** _JUMP_BUFFER (setjmp.h): Frame +0, Rbx +8, Rsp +16, Rbp +24, Rsi +32, Rdi +40,
 *  R12-R15 +48..+72, Rip +80, MxCsr +88, FpCsr +92, Xmm6-Xmm15 +96 (16 bytes each). */
const JUMP_BUFFER_REGS: readonly [number, number][] = [
  [CONTEXT.Rbx, 8], [CONTEXT.Rsp, 16], [CONTEXT.Rbp, 24], [CONTEXT.Rsi, 32], [CONTEXT.Rdi, 40],
  [CONTEXT.R12, 48], [CONTEXT.R13, 56], [CONTEXT.R14, 64], [CONTEXT.R15, 72], [CONTEXT.Rip, 80],
];
export const JUMP_BUFFER_SIZE = 256;

/** The state a _JUMP_BUFFER holds, into the CONTEXT at `c` (the other fields are kept). */
export function loadJumpBuffer(ctx: ApiContext, c: number, buf: number): void {
  const m = ctx.mem;
  for (const [field, off] of JUMP_BUFFER_REGS) m.setU64(c + field, m.u64(buf + off));
  m.write(c + CONTEXT.Xmm0 + 16 * 6, m.read(buf + 96, 160));
  m.setU32(c + CONTEXT.MxCsr, m.u32(buf + 88));
}

/** Continues at `context`; a STATUS_UNWIND_CONSOLIDATE record's callback runs first (on the
 *  target frame) and returns the address to continue at; a STATUS_LONGJUMP record (longjmp
 *  after its unwind) names the _JUMP_BUFFER whose registers the program continues with. */
export function restoreContext(ctx: ApiContext, context: number, record: number): void {
  const m = ctx.mem;
  if (record !== 0 && m.accessible(record, REC.Size, 'read') && m.u32(record + REC.ExceptionCode) === STATUS.LONGJUMP && m.u32(record + REC.NumberParameters) >= 1) {
    const buf = m.ptr(record + REC.ExceptionInformation);
    if (m.accessible(buf, JUMP_BUFFER_SIZE, 'read')) loadJumpBuffer(ctx, context, buf);
  }
  if (record !== 0 && m.accessible(record, REC.Size, 'read') && m.u32(record + REC.ExceptionCode) === STATUS.UNWIND_CONSOLIDATE && m.u32(record + REC.NumberParameters) >= 1) {
    const callback = m.ptr(record + REC.ExceptionInformation);
    trace(ctx, () => `consolidation callback ${ctx.process.frames.describe(callback)}`);
    // (The target's CONTEXT too: the exception core's catch stub copies it. native/exccatch.ts)
    const ip = ctx.process.frames.callFrom(context, callback, [record, context]);
    m.setU64(context + CONTEXT.Rip, ip);
  }
  ctx.unwindTo(context);
}

export function RtlUnwindEx(ctx: ApiContext, targetFrame: number, targetIp: number, record: number, returnValue: bigint, context: number, history: number): void {
  const guestRsp = ctx.mem.ptr(ctx.teb + WR.GuestRsp);
  if (context !== 0 && ctx.mem.accessible(context, CONTEXT.Size, 'write')) {
    captureCaller(ctx, context, guestRsp);
    unwindFrom(ctx, context, targetFrame, targetIp, record, returnValue, history);
    return;
  }
  withGuestScratch(ctx, CONTEXT.Size, (c) => {
    captureCaller(ctx, c, guestRsp);
    unwindFrom(ctx, c, targetFrame, targetIp, record, returnValue, history);
  });
}

export function RtlUnwind(ctx: ApiContext, targetFrame: number, targetIp: number, record: number, returnValue: bigint): void {
  RtlUnwindEx(ctx, targetFrame, targetIp, record, returnValue, 0, 0);
}

export function RtlCaptureContext(ctx: ApiContext, context: number): void {
  if (!ctx.mem.accessible(context, CONTEXT.Size, 'write')) {
    raiseFromCaller(ctx, (rec, ret) => writeRecord(ctx, rec, STATUS.ACCESS_VIOLATION, 0, ret, [1, context]));
    return;
  }
  captureCaller(ctx, context);
  ctx.mem.setU64(context + CONTEXT.Rcx, context);
}

export function RtlRestoreContext(ctx: ApiContext, context: number, record: number): void {
  if (!ctx.mem.accessible(context, CONTEXT.Size, 'read')) {
    raiseFromCaller(ctx, (rec, ret) => writeRecord(ctx, rec, STATUS.ACCESS_VIOLATION, 0, ret, [0, context]));
    return;
  }
  // Resume from a copy below this call: the caller's buffer may lie in the frames it replaces.
  withGuestScratch(ctx, CONTEXT.Size, (c) => {
    copyContext(ctx, c, context);
    restoreContext(ctx, c, record);
  });
}

export function NtContinue(ctx: ApiContext, context: number, _alertable: number): number {
  if (!ctx.mem.accessible(context, CONTEXT.Size, 'read')) return STATUS.ACCESS_VIOLATION;
  withGuestScratch(ctx, CONTEXT.Size, (c) => {
    copyContext(ctx, c, context);
    ctx.unwindTo(c);
  });
  return 0;
}
