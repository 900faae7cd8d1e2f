/**
 * The code page of the file APIs' A forms (fileapi.h): SetFileApisToOEM, SetFileApisToANSI,
 * AreFileApisANSI. Path strings of CreateFileA, FindFirstFileA, GetFullPathNameA and the other
 * A forms that go through pathstr.ts are read and written in this code page: the ANSI code page
 * by default, the OEM one after SetFileApisToOEM. The switch is process-wide, as on Windows, and
 * lives in winrun's extension of the PEB (DESIGN.md §5).
 */
import type { ApiContext } from '../types.js';
import { PEB_EXT } from './processthreadsapi.js';

const flagAddress = (ctx: ApiContext): number => ctx.process.pebAddress + PEB_EXT.FileApisOem;

/** The code page the A file APIs use now. */
export function fileApiCodePage(ctx: ApiContext): number {
  return ctx.mem.u32(flagAddress(ctx)) !== 0 ? ctx.process.codePages.oem : ctx.process.codePages.ansi;
}

export function SetFileApisToOEM(ctx: ApiContext): void {
  ctx.mem.setU32(flagAddress(ctx), 1);
}

export function SetFileApisToANSI(ctx: ApiContext): void {
  ctx.mem.setU32(flagAddress(ctx), 0);
}

export function AreFileApisANSI(ctx: ApiContext): number {
  return ctx.mem.u32(flagAddress(ctx)) === 0 ? 1 : 0;
}
