/**
 * MultiByteToWideChar and WideCharToMultiByte (stringapiset.h): argument checks in Windows'
 * order, then codepages.ts does the conversion. Guest memory is validated before it is read or
 * written; a bad pointer fails with ERROR_INVALID_PARAMETER.
 */
import type { ApiContext } from '../types.js';
import { CP_UTF7, CP_UTF8, checkMultiByteFlags, checkWideFlags, decodeBytes, encodeUnits, findCodePage, isLeadByte, MB_USEGLYPHCHARS } from './codepages.js';
import { ERROR_INSUFFICIENT_BUFFER, ERROR_INVALID_PARAMETER } from './errors.js';
import { guarded, readBytes, readUnits, resolveCodePage, writeUnits } from './text.js';

function failWith(ctx: ApiContext, error: number): number {
  ctx.setLastError(error);
  return 0;
}

export function MultiByteToWideChar(ctx: ApiContext, cp: number, flags: number, src: number, srcLen: number, dst: number, dstLen: number): number {
  // The documentation forbids src == dst; a negative length other than -1 counts as -1.
  if (src === 0 || srcLen === 0 || dstLen < 0 || (dst === 0 && dstLen > 0) || src === dst) return failWith(ctx, ERROR_INVALID_PARAMETER);
  const page = findCodePage(resolveCodePage(ctx, cp));
  if (!page) return failWith(ctx, ERROR_INVALID_PARAMETER);
  const bad = checkMultiByteFlags(page, flags);
  if (bad) return failWith(ctx, bad);
  if (flags & MB_USEGLYPHCHARS) ctx.fixme('nls', 'MultiByteToWideChar', 'MB_USEGLYPHCHARS: control characters stay control characters');
  return guarded(ctx, () => {
    const r = decodeBytes(page, readBytes(ctx, src, srcLen), flags);
    if (!r.ok) return failWith(ctx, r.error);
    const units = r.value;
    if (dstLen === 0) return units.length;
    if (units.length > dstLen) {
      // Windows fills the buffer before it reports that the rest does not fit.
      writeUnits(ctx, dst, units.subarray(0, dstLen));
      return failWith(ctx, ERROR_INSUFFICIENT_BUFFER);
    }
    writeUnits(ctx, dst, units);
    return units.length;
  });
}

export function WideCharToMultiByte(ctx: ApiContext, cp: number, flags: number, src: number, srcLen: number, dst: number, dstLen: number, defChar: number, usedDef: number): number {
  if (src === 0 || srcLen === 0 || dstLen < 0 || (dst === 0 && dstLen > 0) || src === dst) return failWith(ctx, ERROR_INVALID_PARAMETER);
  const page = findCodePage(resolveCodePage(ctx, cp));
  if (!page) return failWith(ctx, ERROR_INVALID_PARAMETER);
  // UTF-7 and UTF-8 have no default character: asking for one by naming CP_UTF7 or CP_UTF8 is
  // an error. CP_ACP or CP_OEMCP standing for UTF-8 (the default here; Windows' "use UTF-8 for
  // worldwide language support") is not refused, or every program written for a legacy code
  // page that passes lpUsedDefaultChar would fail (7-Zip prints all its output that way);
  // nothing is ever replaced then.
  const utf = page.kind === 'utf8' || page.kind === 'utf7';
  if (utf && (defChar !== 0 || usedDef !== 0)) {
    if (cp === CP_UTF7 || cp === CP_UTF8) return failWith(ctx, ERROR_INVALID_PARAMETER);
    defChar = 0;
  }
  const bad = checkWideFlags(page, flags);
  if (bad) return failWith(ctx, bad);
  return guarded(ctx, () => {
    let defaultChar: Uint8Array | undefined;
    if (defChar !== 0) {
      const first = ctx.mem.u8(defChar);
      defaultChar = isLeadByte(page, first) && ctx.mem.u8(defChar + 1) !== 0 ? ctx.mem.read(defChar, 2) : Uint8Array.of(first);
    }
    if (usedDef !== 0) ctx.mem.check(usedDef, 4, true);
    const r = encodeUnits(page, readUnits(ctx, src, srcLen), { flags, defaultChar });
    if (!r.ok) return failWith(ctx, r.error);
    if (usedDef !== 0) ctx.mem.setU32(usedDef, r.usedDefault ? 1 : 0);
    const bytes = r.value;
    if (dstLen === 0) return bytes.length;
    if (bytes.length > dstLen) {
      ctx.mem.write(dst, bytes.subarray(0, fittingPrefix(page.kind === 'dbcs' ? (b: number) => isLeadByte(page, b) : undefined, bytes, dstLen)));
      return failWith(ctx, ERROR_INSUFFICIENT_BUFFER);
    }
    ctx.mem.write(dst, bytes);
    return bytes.length;
  });
}

/** How many bytes of `bytes` fit in `room` without splitting a double-byte character. */
function fittingPrefix(lead: ((b: number) => boolean) | undefined, bytes: Uint8Array, room: number): number {
  if (!lead) return room;
  let i = 0;
  while (i < room) {
    const step = lead(bytes[i]!) ? 2 : 1;
    if (i + step > room) break;
    i += step;
  }
  return i;
}
