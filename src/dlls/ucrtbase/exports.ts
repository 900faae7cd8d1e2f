/**
 * ucrtbase.dll, the Universal CRT, which the api-ms-win-crt-*-l1-1-0.dll API sets resolve to
 * (MSVC 2015+ programs and mingw-w64's UCRT mode). Functions shared with msvcrt.dll reuse its
 * implementations; the UCRT-only start-up and stdio entry points are in this directory.
 */
import type { DllTable } from '../types.js';
import * as start from '../msvcrt/startup.js';
import { SHARED_CRT_EXPORTS } from '../msvcrt/shared.js';
import * as rt from './runtime.js';
import * as stdio from './stdio.js';
import * as io from '../msvcrt/io.js';
import * as loc from '../msvcrt/locale.js';
import { flushAll } from '../msvcrt/fopen.js';
import * as scanf from './scanf.js';
import { UCRT_CXX_EXPORTS } from '../vcruntime140/cxxexports.js';

export const ucrtbase: DllTable = {
  name: 'ucrtbase.dll',
  detach: (ctx) => void flushAll(ctx),
  exports: [
    // sys/stat.h in its UCRT spellings (the shared table has _stat64, _wstat64, _fstat64)
    { name: '_set_fmode', args: ['i32'], ret: 'i32', impl: (ctx, m: number) => (m === 0x4000 || m === 0x8000 ? (ctx.mem.setU32(rt.__p__fmode(ctx), m), 0) : 22) },
    { name: '_get_fmode', args: ['ptr'], ret: 'i32', impl: (ctx, p: number) => (p ? (ctx.mem.setU32(p, ctx.mem.u32(rt.__p__fmode(ctx)) || 0x4000), 0) : 22) },
    { name: '__stdio_common_vfscanf', args: ['u64', 'ptr', 'ptr', 'ptr', 'ptr'], ret: 'i32', impl: scanf.__stdio_common_vfscanf },
    { name: '__stdio_common_vfwscanf', args: ['u64', 'ptr', 'ptr', 'ptr', 'ptr'], ret: 'i32', impl: scanf.__stdio_common_vfwscanf },
    { name: 'setlocale', args: ['i32', 'ptr'], ret: 'ptr', impl: loc.setlocaleUcrt },
    { name: '_wsetlocale', args: ['i32', 'ptr'], ret: 'ptr', impl: loc.wsetlocaleUcrt },
    { name: '_stat64i32', args: ['ptr', 'ptr'], ret: 'i32', impl: (ctx, p: number, o: number) => io.statPath(ctx, 'A', p, o, '64i32') },
    { name: '_wstat64i32', args: ['ptr', 'ptr'], ret: 'i32', impl: (ctx, p: number, o: number) => io.statPath(ctx, 'W', p, o, '64i32') },
    { name: '_fstat64i32', args: ['i32', 'ptr'], ret: 'i32', impl: (ctx, fd: number, o: number) => io.fstatFd(ctx, fd, o, '64i32') },
    { name: '_stat32', args: ['ptr', 'ptr'], ret: 'i32', impl: (ctx, p: number, o: number) => io.statPath(ctx, 'A', p, o, '32') },
    { name: '_wstat32', args: ['ptr', 'ptr'], ret: 'i32', impl: (ctx, p: number, o: number) => io.statPath(ctx, 'W', p, o, '32') },
    { name: '_fstat32', args: ['i32', 'ptr'], ret: 'i32', impl: (ctx, fd: number, o: number) => io.fstatFd(ctx, fd, o, '32') },
    { name: '_stat32i64', args: ['ptr', 'ptr'], ret: 'i32', impl: (ctx, p: number, o: number) => io.statPath(ctx, 'A', p, o, '32i64') },
    { name: '_wstat32i64', args: ['ptr', 'ptr'], ret: 'i32', impl: (ctx, p: number, o: number) => io.statPath(ctx, 'W', p, o, '32i64') },
    { name: '_fstat32i64', args: ['i32', 'ptr'], ret: 'i32', impl: (ctx, fd: number, o: number) => io.fstatFd(ctx, fd, o, '32i64') },
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
    { name: '_set_invalid_parameter_handler', args: ['ptr'], ret: 'ptr', impl: rt._set_invalid_parameter_handler },
    { name: '_get_invalid_parameter_handler', args: [], ret: 'ptr', impl: rt._get_invalid_parameter_handler },
    { name: '_set_new_mode', args: ['i32'], ret: 'i32', impl: rt._set_new_mode },
    { name: '_crt_atexit', args: ['ptr'], ret: 'i32', impl: start.atexit },
    { name: '_crt_at_quick_exit', args: ['ptr'], ret: 'i32', impl: () => 0 },
    // time (the variables; the functions arrive with the time work)
    { name: '_tzset', args: [], ret: 'void', impl: rt._tzset },
    { name: '__daylight', args: [], ret: 'ptr', impl: rt.__daylight },
    { name: '__timezone', args: [], ret: 'ptr', impl: rt.__timezone },
    { name: '__tzname', args: [], ret: 'ptr', impl: rt.__tzname },
    // heap
    // stdio
    { name: '__acrt_iob_func', args: ['u32'], ret: 'ptr', impl: stdio.__acrt_iob_func },
    { name: '__stdio_common_vfprintf', args: ['u64', 'ptr', 'str', 'ptr', 'ptr'], ret: 'i32', impl: stdio.__stdio_common_vfprintf },
    { name: '__stdio_common_vfwprintf', args: ['u64', 'ptr', 'wstr', 'ptr', 'ptr'], ret: 'i32', impl: stdio.__stdio_common_vfwprintf },
    { name: '__stdio_common_vsprintf', args: ['u64', 'ptr', 'u64', 'str', 'ptr', 'ptr'], ret: 'i32', impl: stdio.__stdio_common_vsprintf },
    { name: '__stdio_common_vswprintf', args: ['u64', 'ptr', 'u64', 'wstr', 'ptr', 'ptr'], ret: 'i32', impl: stdio.__stdio_common_vswprintf },
    { name: '__stdio_common_vsscanf', args: ['u64', 'ptr', 'u64', 'str', 'ptr', 'ptr'], ret: 'i32', impl: scanf.__stdio_common_vsscanf },
    { name: '__stdio_common_vswscanf', args: ['u64', 'ptr', 'u64', 'wstr', 'ptr', 'ptr'], ret: 'i32', impl: scanf.__stdio_common_vswscanf },
    // string, memory, conversion, math
    { name: '__intrinsic_setjmp', args: ['ptr', 'ptr'], ret: 'i32', native: '_setjmp' },
    { name: '__intrinsic_setjmpex', args: ['ptr', 'ptr'], ret: 'i32', native: '_setjmp' },
    ...SHARED_CRT_EXPORTS,
    ...UCRT_CXX_EXPORTS,
  ],
};
