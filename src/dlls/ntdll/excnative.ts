/**
 * The exception core's JS side (native/exccore.ts): each JS realm makes its core the first time
 * it dispatches an exception, registers the core's unwind data as a run-time function table,
 * and on every dispatch it runs tells the core whether it may run and which code generation
 * its tables were checked for, and points the thread's TEB block at it. The next raise of the
 * thread then takes the core (kernel32!RaiseException's fast path).
 */
import { placeRaiseCore } from '../../native/exccore.js';
import { EXCEPTIONS, EXCEPTION_BLOCK, WR } from '../../native/layout.js';
import type { ApiContext } from '../types.js';
import { RtlAddFunctionTable } from './rtlunwind.js';

/** The dispatch continuation the core calls (ntdll's export of that name). */
export const CONTINUE_DISPATCH = '__winrun_continue_dispatch';

/** Makes (once per realm) and arms the calling thread's exception core. */
export function armRaiseCore(ctx: ApiContext): void {
  const frames = ctx.process.frames;
  const core = frames.raiseCore;
  if (core.failed) return;
  const cache = frames.codeCache();
  const m = ctx.mem;
  if (core.entry === 0) {
    const ntdll = ctx.process.moduleHandle('ntdll.dll');
    const resume = ntdll === 0 ? 0 : ctx.process.procAddress(ntdll, CONTINUE_DISPATCH);
    const table = cache.walker.address;
    if (resume === 0 || table === 0) {
      core.failed = true;
      return;
    }
    try {
      const placed = placeRaiseCore(m, table, resume);
      if (RtlAddFunctionTable(ctx, placed.runtimeFunction, 1, placed.base) === 0) throw new Error('no function table');
      core.entry = placed.entry;
    } catch {
      core.failed = true;
      return;
    }
  }
  // A trace wants every step of every dispatch: JS runs them all then.
  const enabled = !ctx.debug.on('seh', 'trace') && !ctx.debug.on('relay', 'trace');
  cache.walker.setCoreState(enabled, m.u32(ctx.process.pebAddress + EXCEPTION_BLOCK + EXCEPTIONS.CodeGeneration));
  m.setU64(ctx.teb + WR.ExcCore, core.entry);
}
