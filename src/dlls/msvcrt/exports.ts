/** msvcrt.dll: the C runtime of mingw-w64 programs and old MSVC builds (STYLE.md 1). */
import type { ApiContext, DllTable } from '../types.js';
import * as environ from './environ.js';
import * as math from './math.js';
import * as mem from './memory.js';
import * as search from './search.js';
import * as setjmp from './setjmp.js';
import * as start from './startup.js';
import * as stdio from './stdio.js';
import { pctype } from './ctype.js';
import { TEXT_EXPORTS } from './textexports.js';

/** struct lconv for the "C" locale: decimal_point ".", everything else empty / CHAR_MAX. */
function initLconv(ctx: ApiContext, at: number): void {
  const m = ctx.mem;
  const strings = at + 0x98;
  m.writeCString(strings, new TextEncoder().encode('.'));
  m.setU8(strings + 2, 0);
  for (let i = 0; i < 10; i++) m.setU64(at + 8 * i, i === 0 ? strings : strings + 2);
  for (let i = 0x50; i < 0x58; i++) m.setU8(at + i, 127); // CHAR_MAX fields
}

export const msvcrt: DllTable = {
  name: 'msvcrt.dll',
  exports: [
    { name: '___lc_codepage_func', args: [], ret: 'u32', impl: () => 0 },
    { name: '___mb_cur_max_func', args: [], ret: 'i32', impl: () => 1 },
    { name: '__getmainargs', args: ['ptr', 'ptr', 'ptr', 'i32', 'ptr'], ret: 'i32', impl: start.__getmainargs },
    { name: '__initenv', data: { size: 8 } },
    { name: '__iob_func', args: [], ret: 'ptr', impl: stdio.__iob_func },
    { name: '__set_app_type', args: ['i32'], ret: 'void', impl: start.noop },
    { name: '__setusermatherr', args: ['ptr'], ret: 'void', impl: start.noop },
    { name: '__wgetmainargs', args: ['ptr', 'ptr', 'ptr', 'i32', 'ptr'], ret: 'i32', impl: start.__wgetmainargs },
    { name: '_acmdln', data: { size: 8, init: (ctx, at) => ctx.mem.setU64(at, ctx.process.commandLineW ? allocA(ctx, ctx.process.commandLineW) : 0) } },
    { name: '_amsg_exit', args: ['i32'], ret: 'void', impl: start._amsg_exit },
    { name: '_c_exit', args: [], ret: 'void', impl: start._c_exit },
    { name: '_cexit', args: [], ret: 'void', impl: start._cexit },
    { name: '_commode', data: { size: 4 } },
    { name: '_errno', args: [], ret: 'ptr', impl: mem._errno },
    { name: '_exit', args: ['i32'], ret: 'void', impl: start._exit },
    { name: '_fileno', args: ['ptr'], ret: 'i32', impl: stdio._fileno },
    { name: '_fmode', data: { size: 4 } },
    { name: '_initterm', args: ['ptr', 'ptr'], ret: 'void', impl: start._initterm },
    { name: '_initterm_e', args: ['ptr', 'ptr'], ret: 'i32', impl: start._initterm_e },
    { name: '_iob', data: { size: stdio.FILE_SIZE * stdio.IOB_COUNT, init: stdio.initIob } },
    { name: '_lock', args: ['i32'], ret: 'void', impl: start.noop },
    { name: '_aligned_free', args: ['ptr'], ret: 'void', impl: mem._aligned_free },
    { name: '_aligned_malloc', args: ['u64', 'u64'], ret: 'ptr', impl: mem._aligned_malloc },
    { name: '_aligned_realloc', args: ['ptr', 'u64', 'u64'], ret: 'ptr', impl: mem._aligned_realloc },
    { name: '_msize', args: ['ptr'], ret: 'u64', impl: mem._msize },
    { name: '_recalloc', args: ['ptr', 'u64', 'u64'], ret: 'ptr', impl: mem._recalloc },
    { name: '_onexit', args: ['ptr'], ret: 'ptr', impl: start._onexit },
    { name: '_setjmp', args: ['ptr', 'ptr'], ret: 'i32', native: '_setjmp' },
    { name: '_setmode', args: ['i32', 'i32'], ret: 'i32', impl: stdio._setmode },
    { name: '_snprintf', args: ['ptr', 'u64', 'str'], varargs: true, ret: 'i32', impl: stdio._snprintf },
    { name: '_unlock', args: ['i32'], ret: 'void', impl: start.noop },
    { name: '_vscprintf', args: ['str', 'ptr'], ret: 'i32', impl: stdio._vscprintf },
    { name: '_vsnprintf', args: ['ptr', 'u64', 'str', 'ptr'], ret: 'i32', impl: stdio._vsnprintf },
    { name: '_wcmdln', data: { size: 8, init: (ctx, at) => ctx.mem.setU64(at, allocW(ctx, ctx.process.commandLineW)) } },
    { name: 'atan', args: ['f64'], ret: 'f64', impl: math.atan },
    { name: 'atan2', args: ['f64', 'f64'], ret: 'f64', impl: math.atan2 },
    { name: 'atof', args: ['str'], ret: 'f64', impl: math.atof },
    { name: 'atoi', args: ['str'], ret: 'i32', impl: math.atoi },
    { name: 'atol', args: ['str'], ret: 'i32', impl: math.atoi },
    { name: 'bsearch', args: ['ptr', 'ptr', 'u64', 'u64', 'ptr'], ret: 'ptr', impl: search.bsearch },
    { name: 'ceil', args: ['f64'], ret: 'f64', impl: math.ceil },
    { name: 'cos', args: ['f64'], ret: 'f64', impl: math.cos },
    { name: 'exp', args: ['f64'], ret: 'f64', impl: math.exp },
    { name: 'fabs', args: ['f64'], ret: 'f64', impl: math.fabs },
    { name: 'floor', args: ['f64'], ret: 'f64', impl: math.floor },
    { name: 'fmod', args: ['f64', 'f64'], ret: 'f64', impl: math.fmod },
    { name: 'frexp', args: ['f64', 'ptr'], ret: 'f64', impl: math.frexp },
    { name: 'ldexp', args: ['f64', 'i32'], ret: 'f64', impl: math.ldexp },
    { name: 'log', args: ['f64'], ret: 'f64', impl: math.log },
    { name: 'pow', args: ['f64', 'f64'], ret: 'f64', impl: math.pow },
    { name: 'qsort', args: ['ptr', 'u64', 'u64', 'ptr'], ret: 'void', impl: search.qsort },
    { name: 'sin', args: ['f64'], ret: 'f64', impl: math.sin },
    { name: 'sqrt', args: ['f64'], ret: 'f64', impl: math.sqrt },
    { name: 'strtod', args: ['str', 'ptr'], ret: 'f64', impl: math.strtod },
    { name: 'strtol', args: ['str', 'ptr', 'i32'], ret: 'i32', impl: math.strtol },
    { name: 'strtoul', args: ['str', 'ptr', 'i32'], ret: 'u32', impl: math.strtoul },
    { name: 'tan', args: ['f64'], ret: 'f64', impl: math.tan },
    { name: 'abort', args: [], ret: 'void', impl: start.abort },
    { name: 'atexit', args: ['ptr'], ret: 'i32', impl: start.atexit },
    { name: 'calloc', args: ['u64', 'u64'], ret: 'ptr', impl: mem.calloc },
    { name: 'exit', args: ['i32'], ret: 'void', impl: start.exit },
    { name: 'fflush', args: ['ptr'], ret: 'i32', impl: stdio.fflush },
    { name: 'fprintf', args: ['ptr', 'str'], varargs: true, ret: 'i32', impl: stdio.fprintf },
    { name: 'fputc', args: ['i32', 'ptr'], ret: 'i32', impl: stdio.fputc },
    { name: 'fputs', args: ['str', 'ptr'], ret: 'i32', impl: stdio.fputs },
    { name: 'free', args: ['ptr'], ret: 'void', native: 'free', impl: mem.free },
    { name: 'fwrite', args: ['ptr', 'u64', 'u64', 'ptr'], ret: 'u64', impl: stdio.fwrite },
    { name: 'localeconv', args: [], ret: 'ptr', impl: (ctx) => ctx.dataAddress('msvcrt.dll', '__lconv') },
    { name: '__lconv', data: { size: 0xa0, init: initLconv } },
    { name: 'getenv', args: ['str'], ret: 'str', impl: environ.getenv },
    { name: 'longjmp', args: ['ptr', 'i32'], ret: 'void', impl: setjmp.longjmp },
    { name: 'malloc', args: ['u64'], ret: 'ptr', native: 'malloc', impl: mem.malloc },
    { name: 'memcmp', args: ['ptr', 'ptr', 'u64'], ret: 'i32', native: 'memcmp' },
    { name: 'memcpy', args: ['ptr', 'ptr', 'u64'], ret: 'ptr', native: 'memcpy' },
    { name: 'memmove', args: ['ptr', 'ptr', 'u64'], ret: 'ptr', native: 'memmove' },
    { name: 'memset', args: ['ptr', 'i32', 'u64'], ret: 'ptr', native: 'memset' },
    { name: 'printf', args: ['str'], varargs: true, ret: 'i32', impl: stdio.printf },
    { name: 'putchar', args: ['i32'], ret: 'i32', impl: stdio.putchar },
    { name: 'puts', args: ['str'], ret: 'i32', impl: stdio.puts },
    { name: 'realloc', args: ['ptr', 'u64'], ret: 'ptr', impl: mem.realloc },
    { name: 'signal', args: ['i32', 'ptr'], ret: 'ptr', impl: () => 0 },
    { name: 'sprintf', args: ['ptr', 'str'], varargs: true, ret: 'i32', impl: stdio.sprintf },
    { name: 'strchr', args: ['str', 'i32'], ret: 'ptr', impl: mem.strchr },
    { name: 'strcmp', args: ['str', 'str'], ret: 'i32', native: 'strcmp' },
    { name: 'strcpy', args: ['ptr', 'str'], ret: 'ptr', impl: mem.strcpy },
    { name: 'strerror', args: ['i32'], ret: 'str', impl: mem.strerror },
    { name: 'strlen', args: ['str'], ret: 'u64', native: 'strlen' },
    { name: 'strncmp', args: ['str', 'str', 'u64'], ret: 'i32', impl: mem.strncmp },
    { name: 'strrchr', args: ['str', 'i32'], ret: 'ptr', impl: mem.strrchr },
    { name: 'vfprintf', args: ['ptr', 'str', 'ptr'], ret: 'i32', impl: stdio.vfprintf },
    { name: 'vprintf', args: ['str', 'ptr'], ret: 'i32', impl: stdio.vprintf },
    { name: 'vsprintf', args: ['ptr', 'str', 'ptr'], ret: 'i32', impl: stdio.vsprintf },
    { name: 'wcslen', args: ['wstr'], ret: 'u64', impl: mem.wcslen },
    { name: '_pctype', data: { size: 8, init: (ctx, at) => ctx.mem.setU64(at, pctype(ctx)) } },
    ...TEXT_EXPORTS,
  ],
};

function allocA(ctx: ApiContext, s: string): number {
  const b = new TextEncoder().encode(s);
  const p = ctx.process.heapAlloc(ctx.process.processHeap, b.length + 1, 0);
  ctx.mem.writeCString(p, b);
  return p;
}

function allocW(ctx: ApiContext, s: string): number {
  const p = ctx.process.heapAlloc(ctx.process.processHeap, 2 * s.length + 2, 0);
  ctx.mem.writeWString(p, s);
  return p;
}
