/**
 * VARIANTs (oleauto.h): VariantInit, VariantClear and VariantCopy. A VARIANT is 24 bytes on x64:
 * `vt` (a VARTYPE) at 0, three reserved WORDs, and the value at 8 (a VT_RECORD's record pointer
 * at 8 and its IRecordInfo at 16; a VT_DECIMAL's DECIMAL overlays bytes 0 to 15, vt included).
 * Owned values are released the COM way: a BSTR is freed, an interface pointer gets its
 * Release (vtable slot 2) called in guest code. Not handled: SAFEARRAYs (VT_ARRAY, which needs
 * SafeArrayDestroy/SafeArrayCopy) and VT_RECORD values (IRecordInfo::RecordClear/RecordCopy);
 * these report a fixme and return E_NOTIMPL, leaving the VARIANT as it was (a NULL SAFEARRAY
 * and a record without IRecordInfo are cleared, as there is nothing to release).
 */
import type { ApiContext } from '../types.js';
import { allocBstr, bstrByteLen, freeBstr } from './oleauto.js';

export const S_OK = 0;
export const E_NOTIMPL = 0x80004001;
export const E_OUTOFMEMORY = 0x8007000e;
export const E_INVALIDARG = 0x80070057;
export const DISP_E_BADVARTYPE = 0x80020008;

const VT_EMPTY = 0;
const VT_NULL = 1;
const VT_BSTR = 8;
const VT_DISPATCH = 9;
const VT_UNKNOWN = 13;
const VT_UINT = 23;
const VT_RECORD = 36;
const VT_CLSID = 72;
const VT_ARRAY = 0x2000;
const VT_BYREF = 0x4000;
const VT_TYPEMASK = 0xfff;

const VARIANT_SIZE = 24;
const IUNKNOWN_ADDREF = 1;
const IUNKNOWN_RELEASE = 2;

/**
 * Whether `vt` may stand in a VARIANT, as Wine 8 decides (the oleaut fixture tries 0–72 with
 * each modifier): the automation types VT_EMPTY to VT_UINT (15 is not a type) and VT_RECORD,
 * VT_ARRAY and VT_BYREF as modifiers of anything but VT_EMPTY and VT_NULL. VT_VECTOR,
 * VT_RESERVED and the PROPVARIANT-only types (VT_FILETIME, VT_LPWSTR, …) are refused;
 * VariantClear alone accepts VT_CLSID.
 */
export function validVariantType(vt: number, forCopy: boolean): boolean {
  if ((vt & ~(VT_TYPEMASK | VT_ARRAY | VT_BYREF)) !== 0) return false;
  const base = vt & VT_TYPEMASK;
  if ((vt & (VT_ARRAY | VT_BYREF)) !== 0 && base <= VT_NULL) return false;
  if (base === 15) return false;
  return base <= VT_UINT || base === VT_RECORD || (base === VT_CLSID && !forCopy);
}

/** Calls IUnknown::AddRef or ::Release of a non-NULL interface pointer in guest code. */
function callUnknown(ctx: ApiContext, punk: number, slot: number): void {
  if (punk === 0) return;
  const vtbl = ctx.mem.ptr(punk);
  ctx.callGuest(ctx.mem.ptr(vtbl + 8 * slot), [punk]);
}

/** A SAFEARRAY, or a record with its IRecordInfo, that VARIANT `v` owns (a fixme): NULL ones
 *  have nothing to release or copy. */
function unsupported(ctx: ApiContext, v: number, vt: number, func: string): boolean {
  const owned = (vt & VT_ARRAY) !== 0 ? ctx.mem.ptr(v + 8) : vt === VT_RECORD ? ctx.mem.ptr(v + 16) : 0;
  if (owned === 0) return false;
  ctx.fixme('oleaut', func, `${(vt & VT_ARRAY) !== 0 ? 'SAFEARRAY' : 'VT_RECORD'} values are not supported`);
  return true;
}

/** VariantInit: VT_EMPTY with the reserved words zeroed; the value is not looked at
 *  (documented). */
export function VariantInit(ctx: ApiContext, v: number): void {
  ctx.mem.setU64(v, 0);
}

/** Frees what the VARIANT owns and makes it VT_EMPTY; a by-reference value owns nothing. */
export function VariantClear(ctx: ApiContext, v: number): number {
  if (v === 0) return E_INVALIDARG;
  const vt = ctx.mem.u16(v);
  if (!validVariantType(vt, false)) return DISP_E_BADVARTYPE;
  if ((vt & VT_BYREF) === 0) {
    if (unsupported(ctx, v, vt, 'VariantClear')) return E_NOTIMPL;
    if (vt === VT_BSTR) freeBstr(ctx, ctx.mem.ptr(v + 8));
    else if (vt === VT_UNKNOWN || vt === VT_DISPATCH) callUnknown(ctx, ctx.mem.ptr(v + 8), IUNKNOWN_RELEASE);
  }
  ctx.mem.setU16(v, VT_EMPTY);
  return S_OK;
}

/** Clears `dest`, then copies `src` into it: a BSTR is duplicated, an interface pointer
 *  AddRef'd, anything by reference copied as the pointer it is. */
export function VariantCopy(ctx: ApiContext, dest: number, src: number): number {
  if (dest === 0 || src === 0) return E_INVALIDARG;
  const vt = ctx.mem.u16(src);
  if (!validVariantType(vt, true)) return DISP_E_BADVARTYPE;
  if (dest === src) return S_OK;
  if ((vt & VT_BYREF) === 0 && unsupported(ctx, src, vt, 'VariantCopy')) return E_NOTIMPL;
  const hr = VariantClear(ctx, dest);
  if (hr !== S_OK) return hr;
  if (vt === VT_BSTR) {
    // A NULL BSTR, which means "", is copied as an allocated empty string (as Windows does).
    const s = ctx.mem.ptr(src + 8);
    const copy = allocBstr(ctx, s, bstrByteLen(ctx, s));
    if (copy === 0) return E_OUTOFMEMORY;
    ctx.mem.copy(dest, src, VARIANT_SIZE);
    ctx.mem.setU64(dest + 8, copy);
    return S_OK;
  }
  ctx.mem.copy(dest, src, VARIANT_SIZE);
  if (vt === VT_UNKNOWN || vt === VT_DISPATCH) callUnknown(ctx, ctx.mem.ptr(dest + 8), IUNKNOWN_ADDREF);
  return S_OK;
}
