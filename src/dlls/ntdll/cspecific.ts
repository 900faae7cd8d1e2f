/**
 * __C_specific_handler: the language handler behind `__try/__except/__finally` (exported by
 * ntdll, msvcrt and vcruntime140). Its data is a SCOPE_TABLE: a count, then for each scope the
 * RVAs BeginAddress, EndAddress, HandlerAddress (the filter, or EXCEPTION_EXECUTE_HANDLER
 * itself, or the __finally block) and JumpTarget (the __except block; 0 for a __finally).
 */
import type { ApiContext } from '../types.js';
import {
  DC, EXCEPTION_EXIT_UNWIND, EXCEPTION_TARGET_UNWIND, EXCEPTION_UNWINDING, ExceptionContinueExecution, ExceptionContinueSearch, REC, withGuestScratch, sehTrace,
} from './excdefs.js';
import { unwindFrom } from './excunwind.js';

const SCOPE = { Begin: 0, End: 4, Handler: 8, JumpTarget: 12, Size: 16 } as const;

const trace = (ctx: ApiContext, text: () => string): void => sehTrace(ctx, '__C_specific_handler', text);

export function C_specific_handler(ctx: ApiContext, rec: number, frame: number, context: number, dc: number): number {
  const m = ctx.mem;
  const base = m.ptr(dc + DC.ImageBase);
  const pc = m.ptr(dc + DC.ControlPc) - base;
  const table = m.ptr(dc + DC.HandlerData);
  const count = m.u32(table);
  const flags = m.u32(rec + REC.ExceptionFlags);
  const scope = (i: number, f: number): number => m.u32(table + 4 + SCOPE.Size * i + f);
  if ((flags & (EXCEPTION_UNWINDING | EXCEPTION_EXIT_UNWIND)) === 0) {
    for (let i = m.u32(dc + DC.ScopeIndex); i < count; i++) {
      if (pc < scope(i, SCOPE.Begin) || pc >= scope(i, SCOPE.End) || scope(i, SCOPE.JumpTarget) === 0) continue;
      const filter = scope(i, SCOPE.Handler);
      let r = 1; // EXCEPTION_EXECUTE_HANDLER written as the filter itself
      if (filter !== 1) {
        r = withGuestScratch(ctx, 16, (pointers) => {
          m.setU64(pointers, rec);
          m.setU64(pointers + 8, context);
          trace(ctx, () => `calling filter ${ctx.process.frames.describe(base + filter)}`);
          return Number(BigInt.asIntN(32, ctx.callGuest(base + filter, [pointers, frame])));
        });
      }
      if (r < 0) return ExceptionContinueExecution;
      if (r > 0) {
        const target = base + scope(i, SCOPE.JumpTarget);
        trace(ctx, () => `executing the handler at ${ctx.process.frames.describe(target)}`);
        // The unwind starts from the exception's CONTEXT, where a walk from here would arrive.
        unwindFrom(ctx, m.ptr(dc + DC.ContextRecord), frame, target, rec, BigInt(m.u32(rec + REC.ExceptionCode)), m.ptr(dc + DC.HistoryTable));
        return ExceptionContinueSearch; // not reached by the guest: the unwind resumes at the target
      }
    }
    return ExceptionContinueSearch;
  }
  const targetIp = m.ptr(dc + DC.TargetIp) - base;
  for (let i = m.u32(dc + DC.ScopeIndex); i < count; i++) {
    if (pc < scope(i, SCOPE.Begin) || pc >= scope(i, SCOPE.End)) continue;
    if (flags & EXCEPTION_TARGET_UNWIND && scope(i, SCOPE.JumpTarget) === targetIp) break;
    if (scope(i, SCOPE.JumpTarget) !== 0) continue;
    // A __finally block: it runs once, so the next call for this frame starts after it.
    m.setU32(dc + DC.ScopeIndex, i + 1);
    trace(ctx, () => `calling termination handler ${ctx.process.frames.describe(base + scope(i, SCOPE.Handler))}`);
    ctx.callGuest(base + scope(i, SCOPE.Handler), [1, frame]);
  }
  return ExceptionContinueSearch;
}

