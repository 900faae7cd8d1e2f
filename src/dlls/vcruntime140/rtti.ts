/**
 * The RTTI run time of MSVC-built programs (vcruntime140 and msvcrt): dynamic_cast
 * (__RTDynamicCast, __RTCastToVoid) and typeid of a polymorphic object (__RTtypeid). They read
 * the compiler's RTTI data on x64, where every pointer inside is an RVA:
 *   vftable[-1] → CompleteObjectLocator {signature 1, offset, cdOffset, TypeDescriptor,
 *     ClassHierarchyDescriptor, self}; the image base is the locator's address minus `self`.
 *   ClassHierarchyDescriptor {signature, attributes, numBaseClasses, BaseClassArray}.
 *   BaseClassDescriptor {TypeDescriptor, numContainedBases, PMD {mdisp, pdisp, vdisp},
 *     attributes, ClassHierarchyDescriptor}, the most derived class first, then its bases
 *     depth first (each followed by its own bases).
 */
import type { ApiContext } from '../types.js';
import { adjustPointer, sameType } from './cxxdefs.js';
import { throwStd } from './stdexcept.js';

const COL = { Offset: 4, CdOffset: 8, TypeDescriptor: 12, Hierarchy: 16, Self: 20 } as const;
const CHD = { Count: 8, Array: 12 } as const;
const BCD = { Type: 0, Contained: 4, Mdisp: 8, Pdisp: 12, Vdisp: 16, Attributes: 20 } as const;
/** Base class attributes: not a public base of the complete object, or an ambiguous one. */
const BCD_NOTVISIBLE = 1;
const BCD_AMBIGUOUS = 2;
const BCD_PRIVORPROTINCOMPOBJ = 8;

interface Located {
  readonly complete: number;
  readonly locator: number;
  readonly base: number;
}

/** The complete object holding the polymorphic subobject at `p`, and its locator. */
function locate(ctx: ApiContext, p: number): Located {
  const m = ctx.mem;
  const locator = m.ptr(m.ptr(p) - 8);
  const base = locator - m.i32(locator + COL.Self);
  let complete = p - m.u32(locator + COL.Offset);
  const cd = m.u32(locator + COL.CdOffset);
  if (cd !== 0) complete += m.i32(p - cd);
  return { complete, locator, base };
}

/** The offset of a base subobject in the complete object at `complete` (a PMD). */
function pmdOffset(ctx: ApiContext, complete: number, bcd: number): number {
  const m = ctx.mem;
  return adjustPointer(ctx, complete, m.i32(bcd + BCD.Mdisp), m.i32(bcd + BCD.Pdisp), m.i32(bcd + BCD.Vdisp)) - complete;
}

interface BaseEntry {
  readonly type: number;
  readonly offset: number;
  readonly attributes: number;
  /** The entries of this base's own bases: indexes (index, index + contained]. */
  readonly contained: number;
}

function bases(ctx: ApiContext, l: Located): BaseEntry[] {
  const m = ctx.mem;
  const hierarchy = l.base + m.i32(l.locator + COL.Hierarchy);
  const count = Math.min(m.u32(hierarchy + CHD.Count), 0x10000);
  const array = l.base + m.i32(hierarchy + CHD.Array);
  const out: BaseEntry[] = [];
  for (let i = 0; i < count; i++) {
    const bcd = l.base + m.i32(array + 4 * i);
    out.push({ type: l.base + m.i32(bcd + BCD.Type), offset: pmdOffset(ctx, l.complete, bcd), attributes: m.u32(bcd + BCD.Attributes), contained: m.u32(bcd + BCD.Contained) });
  }
  return out;
}

/** __RTCastToVoid: dynamic_cast<void*>, the complete object. */
export function __RTCastToVoid(ctx: ApiContext, p: number): number {
  return p === 0 ? 0 : locate(ctx, p).complete;
}

/** __RTtypeid: the TypeDescriptor of the complete object (typeid of a polymorphic lvalue). */
export function __RTtypeid(ctx: ApiContext, p: number): number {
  if (p === 0) {
    throwStd(ctx, 'bad_typeid', 'Attempted a typeid of NULL pointer!');
    return 0;
  }
  const l = locate(ctx, p);
  return l.base + ctx.mem.i32(l.locator + COL.TypeDescriptor);
}

/**
 * __RTDynamicCast(p, vfDelta, source type, target type, isReference): the target subobject of
 * the object `p` points into, or 0. The source subobject is found by its type and offset; a
 * downcast takes the target subobject that contains it publicly, else a cross cast takes the
 * complete object's unique public target base.
 */
export function __RTDynamicCast(ctx: ApiContext, p: number, vfDelta: number, srcType: number, targetType: number, isReference: number): number {
  if (p === 0) return 0;
  const l = locate(ctx, p);
  const list = bases(ctx, l);
  const srcOffset = p - vfDelta - l.complete;
  const isType = (e: BaseEntry, t: number): boolean => sameType(ctx, e.type, t);
  const src = list.findIndex((e) => e.offset === srcOffset && isType(e, srcType));
  let result: BaseEntry | undefined;
  // A downcast: a target subobject that contains the source, both public in the object.
  const hidden = BCD_NOTVISIBLE | BCD_PRIVORPROTINCOMPOBJ;
  if (src >= 0 && (src === 0 || (list[src]!.attributes & hidden) === 0)) {
    for (let i = 0; i <= src && result === undefined; i++) {
      const e = list[i]!;
      if (isType(e, targetType) && src <= i + e.contained && (i === 0 || (e.attributes & hidden) === 0)) result = e;
    }
  }
  // A cross cast (or an upcast): the complete object's unique public base of the target type,
  // allowed when the source is a public base of the complete object.
  if (result === undefined && (src < 0 || (list[src]!.attributes & (BCD_NOTVISIBLE | BCD_PRIVORPROTINCOMPOBJ)) === 0)) {
    const targets = list.filter((e) => isType(e, targetType));
    const distinct = new Set(targets.map((e) => e.offset));
    const t = targets[0];
    if (t && distinct.size === 1 && (t.attributes & (BCD_NOTVISIBLE | BCD_AMBIGUOUS | BCD_PRIVORPROTINCOMPOBJ)) === 0) result = t;
  }
  if (result !== undefined) return l.complete + result.offset;
  if (isReference !== 0) throwStd(ctx, 'bad_cast', 'Bad dynamic_cast!');
  return 0;
}
