/**
 * The C++ exceptions the run time itself throws: std::bad_cast (a failed dynamic_cast to a
 * reference) and std::bad_typeid (typeid of a null pointer). Each DLL that throws them (vcruntime140,
 * msvcrt) has a data export holding what the MSVC ABI needs, built once in its own image
 * (ThrowInfo and CatchableType refer to each other by RVAs from that image):
 *   the objects' vftable (preceded by a null locator slot): the scalar deleting destructor and
 *     what(), two exports of the same DLL;
 *   TypeDescriptors ".?AVexception@std@@", ".?AVbad_cast@std@@", ".?AVbad_typeid@std@@" — a
 *     program's catch clause matches them by name;
 *   for each thrown type, a CatchableTypeArray (the type, then std::exception) and a ThrowInfo.
 * The object itself (vftable, __std_exception_data {what, do_free}: 24 bytes) lives on the guest
 * stack below the caller, where the catch block still finds it.
 */
import { CATCHABLE, CXX_EXCEPTION, CXX_MAGIC, THROW_INFO, TYPE_NAME } from './cxxdefs.js';
import { EXCEPTION_NONCONTINUABLE, withGuestScratch } from '../ntdll/excdefs.js';
import { raiseFromCaller, writeRecord } from '../ntdll/excdispatch.js';
import { WR } from '../../native/layout.js';
import type { ApiContext, ExportRow } from '../types.js';
import { countUncaught } from './cxxcatch.js';

export const STD_EXCEPTION_DATA = '__winrun_std_exceptions';
const WHAT = '?what@exception@std@@UEBAPEBDXZ';
const DELETING_DTOR = '??_Gexception@std@@UEAAPEAXI@Z';
const OBJECT_SIZE = 24;

const TYPES = ['exception', 'bad_cast', 'bad_typeid'] as const;
type StdType = (typeof TYPES)[number];
/** Layout of the data export. */
const L = { Vftable: 0x08, Ready: 0x18, Types: 0x20, TypeSize: 0x30, Catchable: 0xb0, CatchableSize: 28, Arrays: 0x108, ThrowInfos: 0x120, Unknown: 0x140, Size: 0x160 } as const;

const typeAt = (data: number, i: number): number => data + L.Types + L.TypeSize * i;
const catchableAt = (data: number, i: number): number => data + L.Catchable + L.CatchableSize * i;
const arrayAt = (data: number, i: number): number => data + L.Arrays + 12 * (i - 1);
const throwInfoAt = (data: number, i: number): number => data + L.ThrowInfos + 16 * (i - 1);

/** Fills the data export (once): its image base is where its RVAs start from. */
function ready(ctx: ApiContext, dll: string, data: number): number {
  const m = ctx.mem;
  const base = ctx.process.frames.imageAt(data)?.base ?? 0;
  if (m.u32(data + L.Ready) !== 0) return base;
  const module = ctx.process.moduleHandle(dll);
  m.setU64(data + L.Vftable, ctx.process.procAddress(module, DELETING_DTOR));
  m.setU64(data + L.Vftable + 8, ctx.process.procAddress(module, WHAT));
  TYPES.forEach((t, i) => {
    m.writeCString(typeAt(data, i) + TYPE_NAME, new TextEncoder().encode(`.?AV${t}@std@@`));
    const ct = catchableAt(data, i);
    m.setU32(ct + CATCHABLE.Type, typeAt(data, i) - base);
    m.setU32(ct + CATCHABLE.Pdisp, 0xffffffff); // no virtual base
    m.setU32(ct + CATCHABLE.Size, OBJECT_SIZE);
  });
  for (let i = 1; i < TYPES.length; i++) {
    m.setU32(arrayAt(data, i), 2);
    m.setU32(arrayAt(data, i) + 4, catchableAt(data, i) - base);
    m.setU32(arrayAt(data, i) + 8, catchableAt(data, 0) - base);
    m.setU32(throwInfoAt(data, i) + THROW_INFO.CatchableTypes, arrayAt(data, i) - base);
  }
  m.writeCString(data + L.Unknown, new TextEncoder().encode('Unknown exception'));
  m.setU32(data + L.Ready, 1);
  return base;
}

/** The DLL of the two that is loaded: its data export. */
function dataExport(ctx: ApiContext): { dll: string; data: number } {
  for (const dll of ['vcruntime140.dll', 'msvcrt.dll']) {
    if (ctx.process.moduleHandle(dll) !== 0) return { dll, data: ctx.dataAddress(dll, STD_EXCEPTION_DATA) };
  }
  throw new Error('neither vcruntime140.dll nor msvcrt.dll is loaded');
}

/**
 * Throws std::bad_cast or std::bad_typeid with `message` (what()) from the caller of the export
 * running now, as the MSVC run time does.
 */
export function throwStd(ctx: ApiContext, type: Exclude<StdType, 'exception'>, message: string): void {
  const m = ctx.mem;
  const { dll, data } = dataExport(ctx);
  const base = ready(ctx, dll, data);
  const text = new TextEncoder().encode(message);
  const guestRsp = m.ptr(ctx.teb + WR.GuestRsp);
  withGuestScratch(ctx, OBJECT_SIZE + text.length + 1, (object) => {
    m.setU64(object, data + L.Vftable);
    m.writeCString(object + OBJECT_SIZE, text);
    m.setU64(object + 8, object + OBJECT_SIZE);
    m.setU64(object + 16, 0);
    countUncaught(ctx, 1);
    const info = throwInfoAt(data, TYPES.indexOf(type));
    raiseFromCaller(ctx, (rec, ret) => writeRecord(ctx, rec, CXX_EXCEPTION, EXCEPTION_NONCONTINUABLE, ret, [CXX_MAGIC, object, info, base]), 0, guestRsp);
  });
}

/** std::exception::what(): the message, or "Unknown exception" without one. */
function what(ctx: ApiContext, self: number): number {
  const text = ctx.mem.ptr(self + 8);
  return text !== 0 ? text : dataExport(ctx).data + L.Unknown;
}

/** The scalar deleting destructor: the objects winrun throws own no memory and are not on a heap. */
function deletingDestructor(_ctx: ApiContext, self: number): number {
  return self;
}

/** What a DLL that throws these exports: the data and the two members the vftable needs. */
export const STD_EXCEPTION_EXPORTS: readonly ExportRow[] = [
  { name: STD_EXCEPTION_DATA, data: { size: L.Size } },
  { name: WHAT, args: ['ptr'], ret: 'ptr', impl: what },
  { name: DELETING_DTOR, args: ['ptr', 'u32'], ret: 'ptr', impl: deletingDestructor },
];
