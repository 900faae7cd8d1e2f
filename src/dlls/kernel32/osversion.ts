/**
 * The Windows version programs see (sysinfoapi.h GetVersion/GetVersionEx, winbase.h
 * VerifyVersionInfo, winnt.h VerSetConditionMask; ntdll RtlGetVersion/RtlVerifyVersionInfo).
 *
 * winrun is Windows 10 22H2, 10.0.19045. Since Windows 8.1, GetVersion(Ex) and VerifyVersionInfo
 * report the real version only to programs whose manifest declares support for it: a program
 * without a manifest entry for Windows 10 is told 6.2 (build 9200), one declaring Windows 8.1
 * but not 10 is told 6.3 (build 9600) (Microsoft: "Operating system version changes in Windows
 * 8.1", and the GetVersionEx documentation). RtlGetVersion and the PEB tell the truth. The
 * manifest is the program's RT_MANIFEST resource 1, read from its image in memory.
 */
import { GuestMemoryError } from '../../native/memprotect.js';
import type { ApiContext } from '../types.js';
import { ERROR_BAD_ARGUMENTS, ERROR_INSUFFICIENT_BUFFER, ERROR_OLD_WIN_VERSION } from './errors.js';

export interface OsVersion {
  major: number;
  minor: number;
  build: number;
}

export const WINDOWS_10: OsVersion = { major: 10, minor: 0, build: 19045 };
const WINDOWS_8_1: OsVersion = { major: 6, minor: 3, build: 9600 };
const WINDOWS_8: OsVersion = { major: 6, minor: 2, build: 9200 };
/** supportedOS Ids of application manifests. */
const SUPPORTED_OS_WINDOWS_10 = '8e0f7a12-bfb3-4fe8-b9a5-48fd50a15a9a';
const SUPPORTED_OS_WINDOWS_8_1 = '1f676c76-80e1-4239-95bb-83d0f6d0da78';

const VER_PLATFORM_WIN32_NT = 2;
const VER_SUITE_SINGLEUSERTS = 0x100; // what Windows 10 Pro reports
const VER_NT_WORKSTATION = 1;

/** The version GetVersionEx reports to a program with this manifest (undefined: none). */
export function versionForManifest(xml: string | undefined): OsVersion {
  const ids = new Set([...(xml ?? '').matchAll(/supportedOS\s+Id\s*=\s*["']\s*\{?([0-9a-fA-F-]+)\}?\s*["']/g)].map((m) => m[1]!.toLowerCase()));
  if (ids.has(SUPPORTED_OS_WINDOWS_10)) return WINDOWS_10;
  if (ids.has(SUPPORTED_OS_WINDOWS_8_1)) return WINDOWS_8_1;
  return WINDOWS_8;
}

const RT_MANIFEST = 24;
const CREATEPROCESS_MANIFEST_RESOURCE_ID = 1;
const SUBDIRECTORY = 0x80000000;

/** The bytes of resource type/id (first language) of the image at `base`, or undefined. */
function resourceBytes(ctx: ApiContext, base: number, type: number, id: number): Uint8Array | undefined {
  const m = ctx.mem;
  const opt = base + m.u32(base + 0x3c) + 24;
  if (m.u16(opt) !== 0x20b || m.u32(opt + 108) <= 2) return undefined; // PE32+, has a resource directory
  const rva = m.u32(opt + 112 + 2 * 8);
  if (rva === 0) return undefined;
  const root = base + rva;
  const find = (dir: number, want: number | undefined): number | undefined => {
    const count = m.u16(dir + 12) + m.u16(dir + 14);
    for (let i = 0; i < count; i++) {
      const e = dir + 16 + 8 * i;
      if (want === undefined || m.u32(e) === want) return m.u32(e + 4);
    }
    return undefined;
  };
  const types = find(root, type);
  if (types === undefined || !(types & SUBDIRECTORY)) return undefined;
  const names = find(root + (types & ~SUBDIRECTORY), id);
  if (names === undefined || !(names & SUBDIRECTORY)) return undefined;
  const lang = find(root + (names & ~SUBDIRECTORY), undefined);
  if (lang === undefined || lang & SUBDIRECTORY) return undefined;
  const data = root + lang;
  return m.read(base + m.u32(data), Math.min(m.u32(data + 4), 1 << 20));
}

function decodeManifest(b: Uint8Array): string {
  if (b[0] === 0xff && b[1] === 0xfe) return new TextDecoder('utf-16le').decode(b.subarray(2));
  return new TextDecoder().decode(b);
}

/** The version GetVersion(Ex) and VerifyVersionInfo report to this process. */
export function reportedVersion(ctx: ApiContext): OsVersion {
  let xml: string | undefined;
  try {
    const b = resourceBytes(ctx, ctx.process.moduleHandle(null), RT_MANIFEST, CREATEPROCESS_MANIFEST_RESOURCE_ID);
    xml = b && decodeManifest(b);
  } catch (e) {
    if (!(e instanceof GuestMemoryError)) throw e;
  }
  return versionForManifest(xml);
}

/** GetVersion: build << 16 | minor << 8 | major (the top bit clear: Windows NT). */
export function GetVersion(ctx: ApiContext): number {
  const v = reportedVersion(ctx);
  return ((v.build << 16) | (v.minor << 8) | v.major) >>> 0;
}

/**
 * OSVERSIONINFO(EX)(A|W): dwOSVersionInfoSize +0, dwMajorVersion +4, dwMinorVersion +8,
 * dwBuildNumber +12, dwPlatformId +16, szCSDVersion[128] +20 (148 bytes narrow, 276 wide); the
 * EX forms add wServicePackMajor, wServicePackMinor, wSuiteMask, wProductType, wReserved
 * (156 / 284 bytes).
 */
function fillVersion(ctx: ApiContext, info: number, v: OsVersion, csdBytes: number, exAt: number | undefined): void {
  const m = ctx.mem;
  m.check(info, 20 + csdBytes + (exAt === undefined ? 0 : 8), true);
  m.setU32(info + 4, v.major);
  m.setU32(info + 8, v.minor);
  m.setU32(info + 12, v.build);
  m.setU32(info + 16, VER_PLATFORM_WIN32_NT);
  m.fill(info + 20, 0, csdBytes);
  if (exAt !== undefined) {
    m.setU16(exAt, 0);
    m.setU16(exAt + 2, 0);
    m.setU16(exAt + 4, VER_SUITE_SINGLEUSERTS);
    m.setU8(exAt + 6, VER_NT_WORKSTATION);
    m.setU8(exAt + 7, 0);
  }
}

function getVersionEx(ctx: ApiContext, info: number, wide: boolean): number {
  const size = ctx.mem.u32(info);
  const base = wide ? 276 : 148;
  if (size !== base && size !== base + 8) {
    ctx.setLastError(ERROR_INSUFFICIENT_BUFFER);
    return 0;
  }
  fillVersion(ctx, info, reportedVersion(ctx), wide ? 256 : 128, size === base ? undefined : info + base);
  return 1;
}

export const GetVersionExW = (ctx: ApiContext, info: number): number => getVersionEx(ctx, info, true);
export const GetVersionExA = (ctx: ApiContext, info: number): number => getVersionEx(ctx, info, false);

/** RtlGetVersion: the true version, whatever the manifest; the EX fields when the size asks. */
export function RtlGetVersion(ctx: ApiContext, info: number): number {
  const size = ctx.mem.u32(info);
  fillVersion(ctx, info, WINDOWS_10, 256, size >= 284 ? info + 276 : undefined);
  return 0; // STATUS_SUCCESS
}

// ---- VerifyVersionInfo ---------------------------------------------------------------------------

const VER_MINORVERSION = 0x1;
const VER_MAJORVERSION = 0x2;
const VER_BUILDNUMBER = 0x4;
const VER_PLATFORMID = 0x8;
const VER_SERVICEPACKMINOR = 0x10;
const VER_SERVICEPACKMAJOR = 0x20;
const VER_SUITENAME = 0x40;
const VER_PRODUCT_TYPE = 0x80;
const VER_EQUAL = 1;
const VER_GREATER = 2;
const VER_GREATER_EQUAL = 3;
const VER_LESS = 4;
const VER_LESS_EQUAL = 5;
const VER_AND = 6;
const VER_OR = 7;

/** VerSetConditionMask: sets the 3-bit condition of one type, the highest bit of `typeMask`
 *  (the function names one structure member per call). */
export function VerSetConditionMask(_ctx: ApiContext, mask: bigint, typeMask: number, condition: number): bigint {
  const c = BigInt(condition & 7);
  if (typeMask === 0 || c === 0n) return mask;
  for (let bit = 7; bit >= 0; bit--) {
    if (typeMask & (1 << bit)) return BigInt.asUintN(64, mask | (c << BigInt(3 * bit)));
  }
  return mask;
}

interface VersionRequest {
  major: number;
  minor: number;
  build: number;
  platform: number;
  spMajor: number;
  spMinor: number;
  suite: number;
  product: number;
}

/** Compares `actual` with `wanted` by a VER_* relation; the sign form for tuples. */
function holds(order: number, condition: number): boolean | undefined {
  switch (condition) {
    case VER_EQUAL:
      return order === 0;
    case VER_GREATER:
      return order > 0;
    case VER_GREATER_EQUAL:
      return order >= 0;
    case VER_LESS:
      return order < 0;
    case VER_LESS_EQUAL:
      return order <= 0;
    default:
      return undefined;
  }
}

/**
 * The checks of VerifyVersionInfo against `actual`: 'ok', 'mismatch' or 'invalid'. Major,
 * minor and service-pack versions compare as one version number (10.0 is ≥ 6.3), with the
 * relation of the most significant one asked for; the others compare on their own.
 */
export function verifyVersion(actual: OsVersion, want: VersionRequest, typeMask: number, conditions: bigint): 'ok' | 'mismatch' | 'invalid' {
  if (typeMask === 0 || conditions === 0n) return 'invalid';
  const cond = (bit: number): number => Number((conditions >> BigInt(3 * Math.log2(bit))) & 7n);
  for (let bit = 1; bit <= 0x80; bit <<= 1) if (typeMask & bit && cond(bit) === 0) return 'invalid';
  const have: VersionRequest = { ...actual, platform: VER_PLATFORM_WIN32_NT, spMajor: 0, spMinor: 0, suite: VER_SUITE_SINGLEUSERTS, product: VER_NT_WORKSTATION };
  const chain = ([[VER_MAJORVERSION, 'major'], [VER_MINORVERSION, 'minor'], [VER_SERVICEPACKMAJOR, 'spMajor'], [VER_SERVICEPACKMINOR, 'spMinor']] as const).filter(([bit]) => typeMask & bit);
  if (chain.length > 0) {
    let order = 0;
    for (const [, f] of chain) {
      order = Math.sign(have[f] - want[f]);
      if (order !== 0) break;
    }
    const r = holds(order, cond(chain[0]![0]));
    if (r === undefined) return 'invalid';
    if (!r) return 'mismatch';
  }
  for (const [bit, f] of [[VER_BUILDNUMBER, 'build'], [VER_PLATFORMID, 'platform'], [VER_PRODUCT_TYPE, 'product']] as const) {
    if (!(typeMask & bit)) continue;
    const r = holds(Math.sign(have[f] - want[f]), cond(bit));
    if (r === undefined) return 'invalid';
    if (!r) return 'mismatch';
  }
  if (typeMask & VER_SUITENAME) {
    const c = cond(VER_SUITENAME);
    if (c !== VER_AND && c !== VER_OR) return 'invalid';
    const common = have.suite & want.suite;
    if (c === VER_AND ? common !== want.suite : want.suite !== 0 && common === 0) return 'mismatch';
  }
  return 'ok';
}

function readRequest(ctx: ApiContext, info: number, exAt: number): VersionRequest {
  const m = ctx.mem;
  return {
    major: m.u32(info + 4),
    minor: m.u32(info + 8),
    build: m.u32(info + 12),
    platform: m.u32(info + 16),
    spMajor: m.u16(exAt),
    spMinor: m.u16(exAt + 2),
    suite: m.u16(exAt + 4),
    product: m.u8(exAt + 6),
  };
}

function verifyVersionInfo(ctx: ApiContext, info: number, typeMask: number, conditions: bigint, wide: boolean): number {
  const r = verifyVersion(reportedVersion(ctx), readRequest(ctx, info, info + (wide ? 276 : 148)), typeMask, conditions);
  if (r === 'ok') return 1;
  // An empty type or condition mask is ERROR_BAD_ARGUMENTS, not ERROR_INVALID_PARAMETER.
  ctx.setLastError(r === 'invalid' ? ERROR_BAD_ARGUMENTS : ERROR_OLD_WIN_VERSION);
  return 0;
}

export const VerifyVersionInfoW = (ctx: ApiContext, info: number, typeMask: number, conditions: bigint): number => verifyVersionInfo(ctx, info, typeMask, conditions, true);
export const VerifyVersionInfoA = (ctx: ApiContext, info: number, typeMask: number, conditions: bigint): number => verifyVersionInfo(ctx, info, typeMask, conditions, false);

/** RtlVerifyVersionInfo: the true version; STATUS_SUCCESS, STATUS_REVISION_MISMATCH or
 *  STATUS_INVALID_PARAMETER. */
export function RtlVerifyVersionInfo(ctx: ApiContext, info: number, typeMask: number, conditions: bigint): number {
  const r = verifyVersion(WINDOWS_10, readRequest(ctx, info, info + 276), typeMask, conditions);
  return r === 'ok' ? 0 : r === 'mismatch' ? 0xc0000059 : 0xc000000d;
}
