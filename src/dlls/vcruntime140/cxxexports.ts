/** The C++ exception exports, shared by vcruntime140.dll, msvcrt.dll and ucrtbase.dll. */
import { abort } from '../msvcrt/startup.js';
import type { ExportRow } from '../types.js';
import * as c from './cxxcatch.js';
import * as f from './cxxframe.js';
import * as rtti from './rtti.js';
import { STD_EXCEPTION_EXPORTS } from './stdexcept.js';
import * as vc from './vcruntime.js';

const frameHandler = (name: string): ExportRow => ({ name, args: ['ptr', 'ptr', 'ptr', 'ptr'], ret: 'u32', impl: f.CxxFrameHandler3, direct: true });
const terminate = (name: string): ExportRow => ({ name, args: [], ret: 'void', impl: (ctx) => c.terminate(ctx, abort) });
const throwRow: ExportRow = { name: '_CxxThrowException', args: ['ptr', 'ptr'], ret: 'void', native: '_CxxThrowException', impl: f._CxxThrowException };
const RTTI_EXPORTS: readonly ExportRow[] = [
  { name: '__RTCastToVoid', args: ['ptr'], ret: 'ptr', impl: rtti.__RTCastToVoid },
  { name: '__RTDynamicCast', args: ['ptr', 'i32', 'ptr', 'ptr', 'i32'], ret: 'ptr', impl: rtti.__RTDynamicCast },
  { name: '__RTtypeid', args: ['ptr'], ret: 'ptr', impl: rtti.__RTtypeid },
];

/** vcruntime140: the thrower, the frame handlers (FH3 reads every x64 FuncInfo version). */
export const VCRUNTIME_CXX_EXPORTS: readonly ExportRow[] = [
  throwRow,
  frameHandler('__CxxFrameHandler'),
  frameHandler('__CxxFrameHandler2'),
  frameHandler('__CxxFrameHandler3'),
  terminate('__std_terminate'),
  ...RTTI_EXPORTS,
  ...STD_EXCEPTION_EXPORTS,
];

/** vcruntime140_1 (x64): the FH4 frame handler. */
export const VCRUNTIME_1_CXX_EXPORTS: readonly ExportRow[] = [{ name: '__CxxFrameHandler4', args: ['ptr', 'ptr', 'ptr', 'ptr'], ret: 'u32', impl: f.CxxFrameHandler4, direct: true }];

/** ucrtbase (api-ms-win-crt-runtime): terminate and its handler. */
export const UCRT_CXX_EXPORTS: readonly ExportRow[] = [
  terminate('terminate'),
  { name: 'set_terminate', args: ['ptr'], ret: 'ptr', impl: c.set_terminate },
  { name: '_get_terminate', args: [], ret: 'ptr', impl: c.get_terminate },
  { name: '__uncaught_exception', args: [], ret: 'u8', impl: c.uncaughtException },
  { name: '__uncaught_exceptions', args: [], ret: 'i32', impl: c.uncaughtExceptions },
];

/** msvcrt.dll: the old MSVC runtime's names (C++-decorated terminate and set_terminate). */
export const MSVCRT_CXX_EXPORTS: readonly ExportRow[] = [
  throwRow,
  frameHandler('__CxxFrameHandler'),
  frameHandler('__CxxFrameHandler2'),
  frameHandler('__CxxFrameHandler3'),
  terminate('?terminate@@YAXXZ'),
  ...RTTI_EXPORTS,
  ...STD_EXCEPTION_EXPORTS,
  { name: '?set_terminate@@YAP6AXXZP6AXXZ@Z', args: ['ptr'], ret: 'ptr', impl: c.set_terminate },
  { name: '_get_terminate', args: [], ret: 'ptr', impl: c.get_terminate },
  { name: '?uncaught_exception@@YA_NXZ', args: [], ret: 'u8', impl: c.uncaughtException },
  { name: '__uncaught_exception', args: [], ret: 'u8', impl: c.uncaughtException },
  { name: '_purecall', args: [], ret: 'i32', impl: vc._purecall },
  // class type_info: vftable, the cached undecorated name (+8), the decorated name (+16).
  { name: '?name@type_info@@QEBAPEBDXZ', args: ['ptr'], ret: 'ptr', impl: (ctx, t: number) => vc.__std_type_info_name(ctx, t + 8, 0) },
  { name: '?raw_name@type_info@@QEBAPEBDXZ', args: ['ptr'], ret: 'ptr', impl: (_ctx, t: number) => t + 16 },
  { name: '??8type_info@@QEBAHAEBV0@@Z', args: ['ptr', 'ptr'], ret: 'i32', impl: (ctx, t: number, o: number) => (vc.__std_type_info_compare(ctx, t + 8, o + 8) === 0 ? 1 : 0) },
  { name: '??9type_info@@QEBAHAEBV0@@Z', args: ['ptr', 'ptr'], ret: 'i32', impl: (ctx, t: number, o: number) => (vc.__std_type_info_compare(ctx, t + 8, o + 8) !== 0 ? 1 : 0) },
  { name: '?before@type_info@@QEBAHAEBV1@@Z', args: ['ptr', 'ptr'], ret: 'i32', impl: (ctx, t: number, o: number) => (vc.__std_type_info_compare(ctx, t + 8, o + 8) < 0 ? 1 : 0) },
  { name: '??1type_info@@UEAA@XZ', args: ['ptr'], ret: 'void', impl: vc.typeInfoDestructor },
];
