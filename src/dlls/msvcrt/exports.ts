/** msvcrt.dll: the C runtime of mingw-w64 programs and old MSVC builds (STYLE.md 1). */
import type { DllTable } from '../types.js';
import * as start from './startup.js';
import * as fs from './fscanf.js';
import * as io from './io.js';
import * as loc from './locale.js';
import * as stdio from './stdio.js';
import * as scanf from './sscanf.js';
import { heapString } from './crtdata.js';
import { pctype } from './ctype.js';
import { SHARED_CRT_EXPORTS } from './shared.js';
import { C_SPECIFIC_HANDLER } from '../ntdll/excexports.js';
import { MSVCRT_CXX_EXPORTS } from '../vcruntime140/cxxexports.js';
import { UnhandledExceptionFilter } from '../ntdll/excdispatch.js';
import { _XcptFilter } from './signal.js';

export const msvcrt: DllTable = {
  name: 'msvcrt.dll',
  // Like msvcrt's own DLL_PROCESS_DETACH: buffered output reaches its file even on ExitProcess.
  detach: (ctx) => void stdio.flushAll(ctx),
  exports: [
    { name: 'setlocale', args: ['i32', 'ptr'], ret: 'ptr', impl: loc.setlocaleMsvcrt },
    { name: '_wsetlocale', args: ['i32', 'ptr'], ret: 'ptr', impl: loc.wsetlocaleMsvcrt },
    { name: '__lconv_init', args: [], ret: 'i32', impl: loc.__lconv_init },
    { name: '__mb_cur_max', data: { size: 4, init: (ctx, at) => ctx.mem.setU32(at, 1) } },
    { name: '__getmainargs', args: ['ptr', 'ptr', 'ptr', 'i32', 'ptr'], ret: 'i32', impl: start.__getmainargs },
    { name: '__initenv', data: { size: 8 } },
    { name: '__iob_func', args: [], ret: 'ptr', impl: stdio.__iob_func },
    { name: '__set_app_type', args: ['i32'], ret: 'void', impl: start.noop },
    { name: '__wgetmainargs', args: ['ptr', 'ptr', 'ptr', 'i32', 'ptr'], ret: 'i32', impl: start.__wgetmainargs },
    { name: '_acmdln', data: { size: 8, init: (ctx, at) => ctx.mem.setU64(at, heapString(ctx, ctx.process.commandLineW, false)) } },
    { name: '_amsg_exit', args: ['i32'], ret: 'void', impl: start._amsg_exit },
    { name: '_commode', data: { size: 4 } },
    { name: '_fmode', data: { size: 4 } },
    { name: '_iob', data: { size: stdio.FILE_SIZE * stdio.IOB_COUNT, init: stdio.initIob } },
    { name: '_lock', args: ['i32'], ret: 'void', impl: start.noop },
    { name: '_onexit', args: ['ptr'], ret: 'ptr', impl: start._onexit },
    { name: '_snprintf', args: ['ptr', 'u64', 'str'], varargs: true, ret: 'i32', impl: stdio._snprintf },
    { name: '_unlock', args: ['i32'], ret: 'void', impl: start.noop },
    { name: '_vscprintf', args: ['str', 'ptr'], ret: 'i32', impl: stdio._vscprintf },
    { name: '_vsnprintf', args: ['ptr', 'u64', 'str', 'ptr'], ret: 'i32', impl: stdio._vsnprintf },
    { name: '_wcmdln', data: { size: 8, init: (ctx, at) => ctx.mem.setU64(at, heapString(ctx, ctx.process.commandLineW, true)) } },
    { name: 'fprintf', args: ['ptr', 'str'], varargs: true, ret: 'i32', impl: stdio.fprintf },
    { name: 'printf', args: ['str'], varargs: true, ret: 'i32', impl: stdio.printf },
    { name: 'sprintf', args: ['ptr', 'str'], varargs: true, ret: 'i32', impl: stdio.sprintf },
    { name: 'vfprintf', args: ['ptr', 'str', 'ptr'], ret: 'i32', impl: stdio.vfprintf },
    { name: 'vprintf', args: ['str', 'ptr'], ret: 'i32', impl: stdio.vprintf },
    { name: 'vsprintf', args: ['ptr', 'str', 'ptr'], ret: 'i32', impl: stdio.vsprintf },
    { name: 'fwprintf', args: ['ptr', 'ptr'], varargs: true, ret: 'i32', impl: stdio.fwprintf },
    { name: 'wprintf', args: ['ptr'], varargs: true, ret: 'i32', impl: stdio.wprintf },
    { name: 'vfwprintf', args: ['ptr', 'ptr', 'ptr'], ret: 'i32', impl: stdio.vfwprintf },
    { name: 'vwprintf', args: ['ptr', 'ptr'], ret: 'i32', impl: stdio.vwprintf },
    { name: 'gets', args: ['ptr'], ret: 'ptr', impl: stdio.gets },
    { name: 'fscanf', args: ['ptr', 'ptr'], varargs: true, ret: 'i32', impl: fs.fscanf },
    { name: 'fwscanf', args: ['ptr', 'ptr'], varargs: true, ret: 'i32', impl: fs.fwscanf },
    { name: 'fscanf_s', args: ['ptr', 'ptr'], varargs: true, ret: 'i32', impl: fs.fscanf_s },
    { name: 'fwscanf_s', args: ['ptr', 'ptr'], varargs: true, ret: 'i32', impl: fs.fwscanf_s },
    { name: 'scanf', args: ['ptr'], varargs: true, ret: 'i32', impl: fs.scanf },
    { name: 'wscanf', args: ['ptr'], varargs: true, ret: 'i32', impl: fs.wscanf },
    { name: 'scanf_s', args: ['ptr'], varargs: true, ret: 'i32', impl: fs.scanf_s },
    { name: 'wscanf_s', args: ['ptr'], varargs: true, ret: 'i32', impl: fs.wscanf_s },
    // x64 msvcrt.dll: _stat has 64-bit times and a 32-bit size; _stati64 64-bit both.
    { name: '_stat', args: ['ptr', 'ptr'], ret: 'i32', impl: (ctx, p: number, o: number) => io.statPath(ctx, 'A', p, o, '64i32') },
    { name: '_wstat', args: ['ptr', 'ptr'], ret: 'i32', impl: (ctx, p: number, o: number) => io.statPath(ctx, 'W', p, o, '64i32') },
    { name: '_stati64', args: ['ptr', 'ptr'], ret: 'i32', impl: (ctx, p: number, o: number) => io.statPath(ctx, 'A', p, o, '64') },
    { name: '_wstati64', args: ['ptr', 'ptr'], ret: 'i32', impl: (ctx, p: number, o: number) => io.statPath(ctx, 'W', p, o, '64') },
    { name: '_fstat', args: ['i32', 'ptr'], ret: 'i32', impl: (ctx, fd: number, o: number) => io.fstatFd(ctx, fd, o, '64i32') },
    { name: '_fstati64', args: ['i32', 'ptr'], ret: 'i32', impl: (ctx, fd: number, o: number) => io.fstatFd(ctx, fd, o, '64') },
    { name: '_pctype', data: { size: 8, init: (ctx, at) => ctx.mem.setU64(at, pctype(ctx)) } },
    // scanf family (strings); the FILE variants arrive with buffered streams
    { name: '_snscanf', args: ['ptr', 'u64', 'str'], varargs: true, ret: 'i32', impl: scanf._snscanf },
    { name: '_snscanf_l', args: ['ptr', 'u64', 'str', 'ptr'], varargs: true, ret: 'i32', impl: scanf._snscanf_l },
    { name: '_snscanf_s', args: ['ptr', 'u64', 'str'], varargs: true, ret: 'i32', impl: scanf._snscanf_s },
    { name: '_snscanf_s_l', args: ['ptr', 'u64', 'str', 'ptr'], varargs: true, ret: 'i32', impl: scanf._snscanf_s_l },
    { name: '_snwscanf', args: ['ptr', 'u64', 'wstr'], varargs: true, ret: 'i32', impl: scanf._snwscanf },
    { name: '_snwscanf_l', args: ['ptr', 'u64', 'wstr', 'ptr'], varargs: true, ret: 'i32', impl: scanf._snwscanf_l },
    { name: '_snwscanf_s', args: ['ptr', 'u64', 'wstr'], varargs: true, ret: 'i32', impl: scanf._snwscanf_s },
    { name: '_snwscanf_s_l', args: ['ptr', 'u64', 'wstr', 'ptr'], varargs: true, ret: 'i32', impl: scanf._snwscanf_s_l },
    { name: '_sscanf_l', args: ['str', 'str', 'ptr'], varargs: true, ret: 'i32', impl: scanf._sscanf_l },
    { name: '_sscanf_s_l', args: ['str', 'str', 'ptr'], varargs: true, ret: 'i32', impl: scanf._sscanf_s_l },
    { name: '_swscanf_l', args: ['wstr', 'wstr', 'ptr'], varargs: true, ret: 'i32', impl: scanf._swscanf_l },
    { name: '_swscanf_s_l', args: ['wstr', 'wstr', 'ptr'], varargs: true, ret: 'i32', impl: scanf._swscanf_s_l },
    { name: 'sscanf', args: ['str', 'str'], varargs: true, ret: 'i32', impl: scanf.sscanf },
    { name: 'sscanf_s', args: ['str', 'str'], varargs: true, ret: 'i32', impl: scanf.sscanf_s },
    { name: 'swscanf', args: ['wstr', 'wstr'], varargs: true, ret: 'i32', impl: scanf.swscanf },
    { name: 'swscanf_s', args: ['wstr', 'wstr'], varargs: true, ret: 'i32', impl: scanf.swscanf_s },
    ...SHARED_CRT_EXPORTS,
    C_SPECIFIC_HANDLER,
    ...MSVCRT_CXX_EXPORTS,
    { name: '_XcptFilter', args: ['u32', 'ptr'], ret: 'i32', impl: (ctx, code: number, p: number) => _XcptFilter(ctx, code, p, UnhandledExceptionFilter) },
    { name: '__CppXcptFilter', args: ['u32', 'ptr'], ret: 'i32', impl: (ctx, code: number, p: number) => (code >>> 0 === 0xe06d7363 ? _XcptFilter(ctx, code, p, UnhandledExceptionFilter) : 0) },
  ],
};
