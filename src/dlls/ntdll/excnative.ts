/**
 * The exception core's JS side (native/exccore.ts): each JS realm makes its core the second
 * time it dispatches an exception, registers the core's unwind data as a run-time function table,
 * and on every dispatch it runs tells the core whether it may run and which code generation
 * its tables were checked for, and points the thread's TEB block at it. The next raise of the
 * thread then takes the core (kernel32!RaiseException's fast path).
 */
import { placeExceptionCore } from '../../native/exccore.js';
import { EXCEPTIONS, EXCEPTION_BLOCK, WR } from '../../native/layout.js';
import type { ApiContext } from '../types.js';
import { RtlAddFunctionTable } from './rtlunwind.js';

/** The continuations the core calls (ntdll's exports of those names). */
export const CONTINUE_DISPATCH = '__winrun_continue_dispatch';
export const CONTINUE_UNWIND = '__winrun_continue_unwind';
/** The exception handler of the core's C++ cleanup runner (terminate() for a C++ exception). */
export const CLEANUP_FILTER = '__winrun_cleanup_filter';

/** Makes (once per realm) and arms the calling thread's exception core. */
export function armRaiseCore(ctx: ApiContext): void {
  const frames = ctx.process.frames;
  const core = frames.raiseCore;
  if (core.failed) return;
  // Made at the realm's second dispatch: a program that raises once (an error path) does not
  // pay for the code (some 3 ms while V8 still interprets the assembler).
  if (core.entry === 0 && ++core.dispatches < 2) return;
  const m = ctx.mem;
  // The generation first, the caches' check after: a change in between leaves the core off.
  const generation = m.u32(ctx.process.pebAddress + EXCEPTION_BLOCK + EXCEPTIONS.CodeGeneration);
  const cache = frames.codeCache();
  if (core.entry === 0) {
    const ntdll = ctx.process.moduleHandle('ntdll.dll');
    const dispatch = ntdll === 0 ? 0 : ctx.process.procAddress(ntdll, CONTINUE_DISPATCH);
    const unwind = ntdll === 0 ? 0 : ctx.process.procAddress(ntdll, CONTINUE_UNWIND);
    const rtlUnwindEx = ntdll === 0 ? 0 : ctx.process.procAddress(ntdll, 'RtlUnwindEx');
    const cleanupFilter = ntdll === 0 ? 0 : ctx.process.procAddress(ntdll, CLEANUP_FILTER);
    const table = cache.walker.address;
    if (dispatch === 0 || unwind === 0 || rtlUnwindEx === 0 || cleanupFilter === 0 || table === 0) {
      core.failed = true;
      return;
    }
    try {
      const placed = placeExceptionCore(m, table, dispatch, unwind, { rtlUnwindEx, cleanupFilter });
      if (RtlAddFunctionTable(ctx, placed.runtimeFunctions, placed.functionCount, placed.base) === 0) throw new Error('no function table');
      core.entry = placed.entry;
      core.unwindCall = placed.unwindCall;
      core.raiseFrames = placed.raiseFrames;
    } catch {
      core.failed = true;
      return;
    }
  }
  // The raises' own frames, which native walks pass through (the table starts empty again
  // whenever the realm's modules change).
  for (const f of core.raiseFrames) if (!cache.walker.has(f.pc)) cache.walker.add(f.pc, f.frame);
  // A trace wants every step of every dispatch: JS runs them all then.
  const enabled = !ctx.debug.on('seh', 'trace') && !ctx.debug.on('relay', 'trace');
  cache.walker.setCoreState(enabled, generation);
  m.setU64(ctx.teb + WR.ExcCore, core.entry);
}
