/**
 * CNG's random number generator (bcrypt.h): BCryptGenRandom with the system-preferred RNG or
 * an RNG algorithm handle, and opening/closing that handle. Results are NTSTATUS values. An
 * algorithm handle is a small block on the process heap tagged with a magic number; the
 * Windows 10 pseudo-handle BCRYPT_RNG_ALG_HANDLE (0x81) works too. Other algorithms (hashes,
 * ciphers) are not provided: opening them gives STATUS_NOT_FOUND.
 */
import { fillRandom } from '../advapi32/ntsecapi.js';
import type { ApiContext } from '../types.js';

const STATUS_SUCCESS = 0;
const STATUS_INVALID_HANDLE = 0xc0000008;
const STATUS_INVALID_PARAMETER = 0xc000000d;
const STATUS_NO_MEMORY = 0xc0000017;
const STATUS_NOT_FOUND = 0xc0000225;

const BCRYPT_USE_SYSTEM_PREFERRED_RNG = 0x2;
const BCRYPT_RNG_USE_ENTROPY_IN_BUFFER = 0x1;
const BCRYPT_RNG_ALG_HANDLE = 0x81n;

const RNG_MAGIC = 0x474e5242; // "BRNG"
/** The RNG algorithm names CNG knows (bcrypt.h BCRYPT_RNG_*ALGORITHM). */
const RNG_NAMES = new Set(['RNG', 'FIPS186DSARNG', 'DUALECRNG']);

function isRngHandle(ctx: ApiContext, h: bigint): boolean {
  if (h === BCRYPT_RNG_ALG_HANDLE) return true;
  if (h === 0n || h > 0x7fffffffffffn) return false;
  try {
    return ctx.mem.u32(Number(h)) === RNG_MAGIC;
  } catch {
    return false;
  }
}

export function BCryptOpenAlgorithmProvider(ctx: ApiContext, out: number, alg: number, _impl: number, _flags: number): number {
  try {
    if (out === 0 || alg === 0) return STATUS_INVALID_PARAMETER;
    const name = ctx.mem.wstring(alg);
    if (!RNG_NAMES.has(name.toUpperCase())) {
      ctx.fixme('bcrypt', 'BCryptOpenAlgorithmProvider', `algorithm ${name} is not provided (only the RNG)`);
      return STATUS_NOT_FOUND;
    }
    ctx.mem.check(out, 8, true);
    const p = ctx.process.heapAlloc(ctx.process.processHeap, 16, 0);
    if (p === 0) return STATUS_NO_MEMORY;
    ctx.mem.setU32(p, RNG_MAGIC);
    ctx.mem.setU64(out, p);
    return STATUS_SUCCESS;
  } catch {
    return STATUS_INVALID_PARAMETER;
  }
}

export function BCryptCloseAlgorithmProvider(ctx: ApiContext, h: bigint, _flags: number): number {
  if (h === BCRYPT_RNG_ALG_HANDLE || !isRngHandle(ctx, h)) return STATUS_INVALID_HANDLE;
  ctx.mem.setU32(Number(h), 0);
  ctx.process.heapFree(ctx.process.processHeap, Number(h));
  return STATUS_SUCCESS;
}

export function BCryptGenRandom(ctx: ApiContext, h: bigint, buf: number, len: number, flags: number): number {
  if ((flags & ~(BCRYPT_USE_SYSTEM_PREFERRED_RNG | BCRYPT_RNG_USE_ENTROPY_IN_BUFFER)) !== 0) return STATUS_INVALID_PARAMETER;
  if (flags & BCRYPT_USE_SYSTEM_PREFERRED_RNG) {
    if (h !== 0n) return STATUS_INVALID_PARAMETER;
  } else if (!isRngHandle(ctx, h)) return STATUS_INVALID_HANDLE;
  if (buf === 0 && len !== 0) return STATUS_INVALID_PARAMETER;
  try {
    fillRandom(ctx, buf, len);
  } catch {
    return STATUS_INVALID_PARAMETER;
  }
  return STATUS_SUCCESS;
}
