/** Code-page queries (winnls.h): GetACP, GetCPInfo(Ex), IsValidCodePage, IsDBCSLeadByte(Ex). */
import type { ApiContext } from '../types.js';
import { codePageName, findCodePage, isLeadByte, maxCharSize, type CodePage } from './codepages.js';
import { ERROR_INVALID_PARAMETER } from './errors.js';
import { guarded, resolveCodePage } from './text.js';

/** CPINFO / CPINFOEX (winnls.h). */
const CPINFO = { MaxCharSize: 0, DefaultChar: 4, LeadByte: 6, Size: 20 } as const;
const CPINFOEX = { UnicodeDefaultChar: 18, CodePage: 20, CodePageName: 24, NameChars: 260 } as const;

export function GetACP(ctx: ApiContext): number {
  return ctx.process.codePages.ansi;
}

export function GetOEMCP(ctx: ApiContext): number {
  return ctx.process.codePages.oem;
}

/** Console code pages start as the OEM code page (the setters belong to the console). */

/** The CP_* aliases are not code pages of their own. */
export function IsValidCodePage(_ctx: ApiContext, cp: number): number {
  return cp > 3 && findCodePage(cp) ? 1 : 0;
}

function lookup(ctx: ApiContext, cp: number): CodePage | undefined {
  const p = findCodePage(resolveCodePage(ctx, cp));
  if (!p) ctx.setLastError(ERROR_INVALID_PARAMETER);
  return p;
}

/** GetCPInfo(Ex)'s checks: a known code page and an output buffer. */
function infoTarget(ctx: ApiContext, cp: number, info: number): CodePage | undefined {
  const p = lookup(ctx, cp);
  if (p && info === 0) {
    ctx.setLastError(ERROR_INVALID_PARAMETER);
    return undefined;
  }
  return p;
}

function writeInfo(ctx: ApiContext, p: CodePage, at: number): void {
  const m = ctx.mem;
  m.check(at, CPINFO.Size, true);
  m.fill(at, 0, CPINFO.Size);
  m.setU32(at + CPINFO.MaxCharSize, maxCharSize(p));
  m.setU8(at + CPINFO.DefaultChar, 0x3f);
  (p.lead ?? []).forEach(([lo, hi], i) => {
    m.setU8(at + CPINFO.LeadByte + 2 * i, lo);
    m.setU8(at + CPINFO.LeadByte + 2 * i + 1, hi);
  });
}

export function GetCPInfo(ctx: ApiContext, cp: number, info: number): number {
  const p = infoTarget(ctx, cp, info);
  if (!p) return 0;
  return guarded(ctx, () => {
    writeInfo(ctx, p, info);
    return 1;
  });
}

function getCPInfoEx(ctx: ApiContext, cp: number, info: number, wide: boolean): number {
  const p = infoTarget(ctx, cp, info);
  if (!p) return 0;
  return guarded(ctx, () => {
    const m = ctx.mem;
    m.check(info, CPINFOEX.CodePageName + CPINFOEX.NameChars * (wide ? 2 : 1), true);
    writeInfo(ctx, p, info);
    m.setU16(info + CPINFOEX.UnicodeDefaultChar, p.uniDefault ?? 0x3f);
    m.setU32(info + CPINFOEX.CodePage, p.id);
    const name = codePageName(p);
    if (wide) m.writeWString(info + CPINFOEX.CodePageName, name);
    else m.writeCString(info + CPINFOEX.CodePageName, new TextEncoder().encode(name));
    return 1;
  });
}

export function GetCPInfoExA(ctx: ApiContext, cp: number, _flags: number, info: number): number {
  return getCPInfoEx(ctx, cp, info, false);
}
export function GetCPInfoExW(ctx: ApiContext, cp: number, _flags: number, info: number): number {
  return getCPInfoEx(ctx, cp, info, true);
}

export function IsDBCSLeadByteEx(ctx: ApiContext, cp: number, byte: number): number {
  const p = lookup(ctx, cp);
  return p && isLeadByte(p, byte & 0xff) ? 1 : 0;
}

export function IsDBCSLeadByte(ctx: ApiContext, byte: number): number {
  return IsDBCSLeadByteEx(ctx, 0, byte);
}
