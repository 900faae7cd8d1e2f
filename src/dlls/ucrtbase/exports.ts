/**
 * ucrtbase.dll, the Universal CRT, which the api-ms-win-crt-*-l1-1-0.dll API sets resolve to
 * (MSVC 2015+ programs and mingw-w64's UCRT mode). Functions shared with msvcrt.dll reuse its
 * implementations; the UCRT-only start-up and stdio entry points are in this directory.
 */
import type { DllTable } from '../types.js';
import * as environ from '../msvcrt/environ.js';
import * as math from '../msvcrt/math.js';
import * as mem from '../msvcrt/memory.js';
import * as search from '../msvcrt/search.js';
import * as setjmp from '../msvcrt/setjmp.js';
import * as start from '../msvcrt/startup.js';
import * as mstdio from '../msvcrt/stdio.js';
import { TEXT_EXPORTS } from '../msvcrt/textexports.js';
import * as rt from './runtime.js';
import * as stdio from './stdio.js';

export const ucrtbase: DllTable = {
  name: 'ucrtbase.dll',
  exports: [
    // runtime
    { name: '_configure_narrow_argv', args: ['i32'], ret: 'i32', impl: rt._configure_narrow_argv },
    { name: '_configure_wide_argv', args: ['i32'], ret: 'i32', impl: rt._configure_wide_argv },
    { name: '_initialize_narrow_environment', args: [], ret: 'i32', impl: rt._initialize_narrow_environment },
    { name: '_initialize_wide_environment', args: [], ret: 'i32', impl: rt._initialize_wide_environment },
    { name: '__p___argc', args: [], ret: 'ptr', impl: rt.__p___argc },
    { name: '__p___argv', args: [], ret: 'ptr', impl: rt.__p___argv },
    { name: '__p___wargv', args: [], ret: 'ptr', impl: rt.__p___wargv },
    { name: '__p__acmdln', args: [], ret: 'ptr', impl: rt.__p__acmdln },
    { name: '__p__wcmdln', args: [], ret: 'ptr', impl: rt.__p__wcmdln },
    { name: '__p__environ', args: [], ret: 'ptr', impl: rt.__p__environ },
    { name: '__p__wenviron', args: [], ret: 'ptr', impl: rt.__p__wenviron },
    { name: '__p__commode', args: [], ret: 'ptr', impl: rt.__p__commode },
    { name: '__p__fmode', args: [], ret: 'ptr', impl: rt.__p__fmode },
    { name: '_set_app_type', args: ['i32'], ret: 'void', impl: start.noop },
    { name: '__setusermatherr', args: ['ptr'], ret: 'void', impl: start.noop },
    { name: '_set_invalid_parameter_handler', args: ['ptr'], ret: 'ptr', impl: rt._set_invalid_parameter_handler },
    { name: '_get_invalid_parameter_handler', args: [], ret: 'ptr', impl: rt._get_invalid_parameter_handler },
    { name: '_set_new_mode', args: ['i32'], ret: 'i32', impl: rt._set_new_mode },
    { name: '_initterm', args: ['ptr', 'ptr'], ret: 'void', impl: start._initterm },
    { name: '_initterm_e', args: ['ptr', 'ptr'], ret: 'i32', impl: start._initterm_e },
    { name: '_crt_atexit', args: ['ptr'], ret: 'i32', impl: start.atexit },
    { name: '_crt_at_quick_exit', args: ['ptr'], ret: 'i32', impl: () => 0 },
    { name: 'atexit', args: ['ptr'], ret: 'i32', impl: start.atexit },
    { name: '_cexit', args: [], ret: 'void', impl: start._cexit },
    { name: '_c_exit', args: [], ret: 'void', impl: start._c_exit },
    { name: 'exit', args: ['i32'], ret: 'void', impl: start.exit },
    { name: '_exit', args: ['i32'], ret: 'void', impl: start._exit },
    { name: 'abort', args: [], ret: 'void', impl: start.abort },
    { name: 'signal', args: ['i32', 'ptr'], ret: 'ptr', impl: () => 0 },
    { name: '_errno', args: [], ret: 'ptr', impl: mem._errno },
    { name: 'getenv', args: ['str'], ret: 'str', impl: environ.getenv },
    // time (the variables; the functions arrive with the time work)
    { name: '_tzset', args: [], ret: 'void', impl: rt._tzset },
    { name: '__daylight', args: [], ret: 'ptr', impl: rt.__daylight },
    { name: '__timezone', args: [], ret: 'ptr', impl: rt.__timezone },
    { name: '__tzname', args: [], ret: 'ptr', impl: rt.__tzname },
    // heap
    { name: 'malloc', args: ['u64'], ret: 'ptr', native: 'malloc', impl: mem.malloc },
    { name: 'free', args: ['ptr'], ret: 'void', native: 'free', impl: mem.free },
    { name: 'calloc', args: ['u64', 'u64'], ret: 'ptr', impl: mem.calloc },
    { name: 'realloc', args: ['ptr', 'u64'], ret: 'ptr', impl: mem.realloc },
    { name: '_msize', args: ['ptr'], ret: 'u64', impl: mem._msize },
    { name: '_recalloc', args: ['ptr', 'u64', 'u64'], ret: 'ptr', impl: mem._recalloc },
    { name: '_aligned_malloc', args: ['u64', 'u64'], ret: 'ptr', impl: mem._aligned_malloc },
    { name: '_aligned_free', args: ['ptr'], ret: 'void', impl: mem._aligned_free },
    { name: '_aligned_realloc', args: ['ptr', 'u64', 'u64'], ret: 'ptr', impl: mem._aligned_realloc },
    // stdio
    { name: '__acrt_iob_func', args: ['u32'], ret: 'ptr', impl: stdio.__acrt_iob_func },
    { name: '__stdio_common_vfprintf', args: ['u64', 'ptr', 'str', 'ptr', 'ptr'], ret: 'i32', impl: stdio.__stdio_common_vfprintf },
    { name: '__stdio_common_vfwprintf', args: ['u64', 'ptr', 'wstr', 'ptr', 'ptr'], ret: 'i32', impl: stdio.__stdio_common_vfwprintf },
    { name: '__stdio_common_vsprintf', args: ['u64', 'ptr', 'u64', 'str', 'ptr', 'ptr'], ret: 'i32', impl: stdio.__stdio_common_vsprintf },
    { name: '__stdio_common_vswprintf', args: ['u64', 'ptr', 'u64', 'wstr', 'ptr', 'ptr'], ret: 'i32', impl: stdio.__stdio_common_vswprintf },
    { name: 'fwrite', args: ['ptr', 'u64', 'u64', 'ptr'], ret: 'u64', impl: mstdio.fwrite },
    { name: 'fputc', args: ['i32', 'ptr'], ret: 'i32', impl: mstdio.fputc },
    { name: 'fputs', args: ['str', 'ptr'], ret: 'i32', impl: mstdio.fputs },
    { name: 'puts', args: ['str'], ret: 'i32', impl: mstdio.puts },
    { name: 'putchar', args: ['i32'], ret: 'i32', impl: mstdio.putchar },
    { name: 'fflush', args: ['ptr'], ret: 'i32', impl: mstdio.fflush },
    { name: '_setmode', args: ['i32', 'i32'], ret: 'i32', impl: mstdio._setmode },
    { name: '_fileno', args: ['ptr'], ret: 'i32', impl: mstdio._fileno },
    // string, memory, conversion, math
    { name: 'memcmp', args: ['ptr', 'ptr', 'u64'], ret: 'i32', native: 'memcmp' },
    { name: 'memcpy', args: ['ptr', 'ptr', 'u64'], ret: 'ptr', native: 'memcpy' },
    { name: 'memmove', args: ['ptr', 'ptr', 'u64'], ret: 'ptr', native: 'memmove' },
    { name: 'memset', args: ['ptr', 'i32', 'u64'], ret: 'ptr', native: 'memset' },
    { name: 'strlen', args: ['str'], ret: 'u64', native: 'strlen' },
    { name: 'strcmp', args: ['str', 'str'], ret: 'i32', native: 'strcmp' },
    { name: 'strncmp', args: ['str', 'str', 'u64'], ret: 'i32', impl: mem.strncmp },
    { name: 'strchr', args: ['str', 'i32'], ret: 'ptr', impl: mem.strchr },
    { name: 'strrchr', args: ['str', 'i32'], ret: 'ptr', impl: mem.strrchr },
    { name: 'strcpy', args: ['ptr', 'str'], ret: 'ptr', impl: mem.strcpy },
    { name: 'strerror', args: ['i32'], ret: 'str', impl: mem.strerror },
    { name: 'wcslen', args: ['wstr'], ret: 'u64', impl: mem.wcslen },
    { name: 'qsort', args: ['ptr', 'u64', 'u64', 'ptr'], ret: 'void', impl: search.qsort },
    { name: 'bsearch', args: ['ptr', 'ptr', 'u64', 'u64', 'ptr'], ret: 'ptr', impl: search.bsearch },
    { name: 'atoi', args: ['str'], ret: 'i32', impl: math.atoi },
    { name: 'atof', args: ['str'], ret: 'f64', impl: math.atof },
    { name: 'strtod', args: ['str', 'ptr'], ret: 'f64', impl: math.strtod },
    { name: 'strtol', args: ['str', 'ptr', 'i32'], ret: 'i32', impl: math.strtol },
    { name: 'strtoul', args: ['str', 'ptr', 'i32'], ret: 'u32', impl: math.strtoul },
    { name: 'sqrt', args: ['f64'], ret: 'f64', impl: math.sqrt },
    { name: 'pow', args: ['f64', 'f64'], ret: 'f64', impl: math.pow },
    { name: 'floor', args: ['f64'], ret: 'f64', impl: math.floor },
    { name: 'ceil', args: ['f64'], ret: 'f64', impl: math.ceil },
    { name: 'fabs', args: ['f64'], ret: 'f64', impl: math.fabs },
    { name: 'ldexp', args: ['f64', 'i32'], ret: 'f64', impl: math.ldexp },
    { name: 'frexp', args: ['f64', 'ptr'], ret: 'f64', impl: math.frexp },
    { name: '_setjmp', args: ['ptr', 'ptr'], ret: 'i32', native: '_setjmp' },
    { name: '__intrinsic_setjmp', args: ['ptr', 'ptr'], ret: 'i32', native: '_setjmp' },
    { name: '__intrinsic_setjmpex', args: ['ptr', 'ptr'], ret: 'i32', native: '_setjmp' },
    { name: 'longjmp', args: ['ptr', 'i32'], ret: 'void', impl: setjmp.longjmp },
    ...TEXT_EXPORTS,
  ],
};
