/**
 * The unwinder as the exception machinery calls it: finding a PC's RUNTIME_FUNCTION (loaded
 * images' `.pdata`, then the run-time function tables) and undoing one frame of a CONTEXT as
 * RtlVirtualUnwind does. The work is kernel/unwind.ts and kernel/functiontables.ts; the
 * exports live in rtlunwind.ts.
 */
export type { UnwindResult } from '../../kernel/unwind.js';
export { lookupFunction, unwindFunction, RtlLookupFunctionEntry, RtlPcToFileHeader, RtlVirtualUnwind } from './rtlunwind.js';
