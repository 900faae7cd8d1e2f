/**
 * The C runtimes' process-wide data in guest memory (DESIGN.md §5): one block per process,
 * allocated on first use, its address kept in winrun's extension of the PEB. msvcrt and
 * ucrtbase share it (a program uses one of them; mixed programs share the tables, as their
 * exit processing must).
 */
import { MEM_PRIVATE, PAGE_READWRITE } from '../../native/memprotect.js';
import type { ApiContext } from '../types.js';

/** PEB extension slot holding the block's address (kernel32 uses 0x800–0x81f). */
const PEB_CRT_DATA = 0x820;
const BLOCK_SIZE = 0x10000;

export const CRT = {
  /** atexit/_onexit table: count u32 at +0, then up to AtExitMax function pointers. */
  AtExitCount: 0x0,
  AtExitTable: 0x8,
  AtExitMax: 1024,
  /** Set once exit processing began. */
  Exiting: 0x2048,
  /** UCRT's variables, reached through __p__* functions. */
  Argc: 0x2050,
  Argv: 0x2058,
  Wargv: 0x2060,
  Environ: 0x2068,
  Wenviron: 0x2070,
  Acmdln: 0x2078,
  Wcmdln: 0x2080,
  Fmode: 0x2088,
  Commode: 0x208c,
  InvalidParameterHandler: 0x2090,
  NewMode: 0x2098,
  Daylight: 0x20a0,
  Timezone: 0x20a4,
  Tzname: 0x20a8,
  TznameStrings: 0x20b8,
  /** UCRT's stream table (__acrt_iob_func): 20 FILEs of 48 bytes, laid out as msvcrt's. */
  UcrtIob: 0x2100,
  /** signal() handlers of the seven signals (8 bytes each). */
  SignalHandlers: 0x2800,
  /** _pgmptr and _wpgmptr (pointers to the program path). */
  Pgmptr: 0x2840,
  Wpgmptr: 0x2848,
  /** The "C" locale classification table (_pctype points at entry 0, one past entry -1). */
  CtypeTable: 0x2500,
  /** struct lconv (0x98 bytes) and its strings, set up on first localeconv(). */
  Lconv: 0x2900,
  /** Code page of each locale category 1–5 (u32; 0 = the "C" locale); +0x18: set up. */
  LocaleCp: 0x2a00,
  /** _getmbcp's code page. */
  Mbcp: 0x2d20,
  /** The handler __setusermatherr registered (0: none), and the struct _exception it is
   *  given (40 bytes) with the function's name after it. */
  MathErr: 0x2d28,
  MathException: 0x2d30,
  /** Set once descriptors 0–2 are set up on the std handles. */
  FdTableReady: 0x2850,
  /** The low-level descriptor table: 512 entries of 16 bytes (see lowio.ts). */
  FdTable: 0x3000,
  /** Streams opened by fopen and friends: 512 FILE pointers (0 = free). */
  Streams: 0x5000,
  StreamsMax: 512,
  /** The strings setlocale returns, one per category 0–5: narrow 256 bytes, wide 512 bytes each. */
  LocaleName: 0x6000,
  LocaleNameW: 0x6600,
} as const;

/** Address of a CRT variable, allocating the block on first use. */
export function crt(ctx: ApiContext, off: number): number {
  const slot = ctx.process.pebAddress + PEB_CRT_DATA;
  let base = ctx.mem.ptr(slot);
  if (base === 0) {
    base = ctx.mem.allocate(0, BLOCK_SIZE, true, PAGE_READWRITE, MEM_PRIVATE);
    ctx.mem.setU64(slot, base);
  }
  return base + off;
}

/**
 * The address of the CRT pointer variable at `off`, which is made to point at a heap copy of
 * `text` (narrow UTF-8 or wide) the first time: _acmdln, _wcmdln, _pgmptr, _wpgmptr.
 */
export function stringVariable(ctx: ApiContext, off: number, text: () => string, wide: boolean): number {
  const at = crt(ctx, off);
  if (ctx.mem.ptr(at) === 0) ctx.mem.setU64(at, heapString(ctx, text(), wide));
  return at;
}

/** A NUL-terminated copy of `s` on the process heap, narrow (UTF-8) or wide (UTF-16). */
export function heapString(ctx: ApiContext, s: string, wide: boolean): number {
  const bytes = wide ? undefined : new TextEncoder().encode(s);
  const p = ctx.process.heapAlloc(ctx.process.processHeap, bytes ? bytes.length + 1 : 2 * s.length + 2, 0);
  if (bytes) ctx.mem.writeCString(p, bytes);
  else ctx.mem.writeWString(p, s);
  return p;
}
