/**
 * CryptoAPI's context and random functions (wincrypt.h): enough for programs that acquire a
 * provider only to call CryptGenRandom. A provider handle is a small block on the process
 * heap tagged with a magic number. Key containers do not exist: every acquire succeeds (with
 * a fixme when a named container or CRYPT_NEWKEYSET is asked for).
 */
import type { ApiContext } from '../types.js';
import { ERROR_INVALID_PARAMETER, fail, guardBool } from './common.js';
import { fillRandom } from './ntsecapi.js';

const NTE_BAD_UID = 0x80090001;
const NTE_BAD_FLAGS = 0x80090009;
const NTE_PROV_TYPE_NOT_DEF = 0x80090017;

const CRYPT_NEWKEYSET = 0x8;
const CRYPT_DELETEKEYSET = 0x10;
const CRYPT_MACHINE_KEYSET = 0x20;
const CRYPT_SILENT = 0x40;
const CRYPT_DEFAULT_CONTAINER_OPTIONAL = 0x80;
const CRYPT_VERIFYCONTEXT = 0xf0000000;
const KNOWN_FLAGS = CRYPT_NEWKEYSET | CRYPT_DELETEKEYSET | CRYPT_MACHINE_KEYSET | CRYPT_SILENT | CRYPT_DEFAULT_CONTAINER_OPTIONAL | CRYPT_VERIFYCONTEXT;

/** PROV_RSA_FULL, RSA_SIG, DSS, FORTEZZA, MS_EXCHANGE, SSL, RSA_SCHANNEL, DSS_DH, DH_SCHANNEL, RSA_AES. */
const PROVIDER_TYPES = new Set([1, 2, 3, 4, 5, 6, 12, 13, 18, 24]);

const PROV_MAGIC = 0x56525043; // "CPRV"

function isProvider(ctx: ApiContext, h: bigint): boolean {
  if (h === 0n || h > 0x7fffffffffffn) return false;
  try {
    return ctx.mem.u32(Number(h)) === PROV_MAGIC;
  } catch {
    return false;
  }
}

function acquire(ctx: ApiContext, out: number, container: number, type: number, flags: number): number {
  return guardBool(ctx, () => {
    if (out === 0) return fail(ctx, ERROR_INVALID_PARAMETER);
    if ((flags & ~KNOWN_FLAGS) !== 0) return fail(ctx, NTE_BAD_FLAGS);
    if (!PROVIDER_TYPES.has(type)) return fail(ctx, NTE_PROV_TYPE_NOT_DEF);
    if (flags & CRYPT_DELETEKEYSET) {
      ctx.mem.setU64(out, 0);
      return 1;
    }
    if ((flags & CRYPT_VERIFYCONTEXT) !== CRYPT_VERIFYCONTEXT && (container !== 0 || flags & CRYPT_NEWKEYSET)) {
      ctx.fixme('advapi', 'CryptAcquireContext', 'key containers are not kept; the context only generates random numbers');
    }
    ctx.mem.check(out, 8, true);
    const p = ctx.process.heapAlloc(ctx.process.processHeap, 16, 0);
    if (p === 0) return fail(ctx, 8);
    ctx.mem.setU32(p, PROV_MAGIC);
    ctx.mem.setU32(p + 4, type);
    ctx.mem.setU64(out, p);
    return 1;
  });
}

export const CryptAcquireContextA = (ctx: ApiContext, out: number, container: number, _provider: number, type: number, flags: number): number => acquire(ctx, out, container, type, flags);
export const CryptAcquireContextW = (ctx: ApiContext, out: number, container: number, _provider: number, type: number, flags: number): number => acquire(ctx, out, container, type, flags);

export function CryptGenRandom(ctx: ApiContext, h: bigint, len: number, buf: number): number {
  return guardBool(ctx, () => {
    if (!isProvider(ctx, h)) return fail(ctx, NTE_BAD_UID);
    fillRandom(ctx, buf, len);
    return 1;
  });
}

/** Non-zero flags fail with NTE_BAD_FLAGS, but the context is released all the same
 *  (documented). */
export function CryptReleaseContext(ctx: ApiContext, h: bigint, flags: number): number {
  if (!isProvider(ctx, h)) return fail(ctx, NTE_BAD_UID);
  ctx.mem.setU32(Number(h), 0);
  ctx.process.heapFree(ctx.process.processHeap, Number(h));
  return flags !== 0 ? fail(ctx, NTE_BAD_FLAGS) : 1;
}
