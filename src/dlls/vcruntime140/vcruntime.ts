/**
 * vcruntime140.dll basics: type_info support for C++ RTTI, std::exception's data helpers,
 * _purecall and the telemetry no-ops. The C++ exception machinery (_CxxThrowException,
 * __CxxFrameHandler3/4, __C_specific_handler) arrives with structured exceptions.
 *   __std_type_info_data: _UndecoratedName (char*, cached) at +0, _DecoratedName (".?AVFoo@@")
 *   inline at +8.  __std_exception_data: _What (char*) at +0, _DoFree (bool) at +8.
 */
import { WR } from '../../native/layout.js';
import type { ApiContext } from '../types.js';
import { undecorateTypeName } from './undname.js';

const decorated = (ctx: ApiContext, data: number): Uint8Array => ctx.mem.cstringBytes(data + 8);

/** Compares two types by decorated name, skipping the leading '.' (0 when equal). */
export function __std_type_info_compare(ctx: ApiContext, a: number, b: number): number {
  if (a === b) return 0;
  const x = decorated(ctx, a).subarray(1);
  const y = decorated(ctx, b).subarray(1);
  for (let i = 0; ; i++) {
    const c = (x[i] ?? 0) - (y[i] ?? 0);
    if (c !== 0) return c < 0 ? -1 : 1;
    if ((x[i] ?? 0) === 0) return 0;
  }
}

/** FNV-1a (64-bit) of the decorated name without its leading '.', folded as h ^ (h >> 32):
 *  the value Windows' runtime (and Wine's) gives on x64. */
export function __std_type_info_hash(ctx: ApiContext, data: number): bigint {
  let h = 0xcbf29ce484222325n;
  for (const c of decorated(ctx, data).subarray(1)) h = BigInt.asUintN(64, (h ^ BigInt(c)) * 0x100000001b3n);
  return h ^ (h >> 32n);
}

/**
 * type_info::name(): the undecorated name ("class ns::Foo", "char const * __ptr64"), cached in
 * the data. A name the undecorator does not cover stands as the decorated one (without '.').
 */
export function __std_type_info_name(ctx: ApiContext, data: number, _list: number): number {
  const cached = ctx.mem.ptr(data);
  if (cached !== 0) return cached;
  const raw = decorated(ctx, data).subarray(1);
  const text = undecorateTypeName(new TextDecoder('latin1').decode(raw));
  if (text === undefined) ctx.fixme('crt', '__std_type_info_name', `cannot undecorate ${new TextDecoder('latin1').decode(raw)}: the decorated name stands for it`);
  const name = text === undefined ? raw : Uint8Array.from(text, (c) => c.charCodeAt(0) & 0xff);
  const p = ctx.process.heapAlloc(ctx.process.processHeap, name.length + 1, 0);
  ctx.mem.writeCString(p, name);
  ctx.mem.setU64(data, p);
  return p;
}

export function __std_type_info_destroy_list(): void {}

/** msvcrt's type_info::~type_info: frees the undecorated name name() cached in the object. */
export function typeInfoDestructor(ctx: ApiContext, t: number): void {
  const cached = ctx.mem.ptr(t + 8);
  if (cached === 0) return;
  ctx.process.heapFree(ctx.process.processHeap, cached);
  ctx.mem.setU64(t + 8, 0);
}

/** Copies exception data, duplicating the message when the source owns it. */
export function __std_exception_copy(ctx: ApiContext, from: number, to: number): void {
  const what = ctx.mem.ptr(from);
  const doFree = ctx.mem.u8(from + 8) !== 0;
  if (doFree && what !== 0) {
    const s = ctx.mem.cstringBytes(what);
    const p = ctx.process.heapAlloc(ctx.process.processHeap, s.length + 1, 0);
    ctx.mem.writeCString(p, s);
    ctx.mem.setU64(to, p);
    ctx.mem.setU8(to + 8, 1);
  } else {
    ctx.mem.setU64(to, what);
    ctx.mem.setU8(to + 8, 0);
  }
}

export function __std_exception_destroy(ctx: ApiContext, data: number): void {
  if (ctx.mem.u8(data + 8) !== 0) ctx.process.heapFree(ctx.process.processHeap, ctx.mem.ptr(data));
  ctx.mem.setU64(data, 0);
  ctx.mem.setU8(data + 8, 0);
}

/** A pure virtual function was called: the CRT's run-time error R6025. */
export function _purecall(ctx: ApiContext): never {
  ctx.process.writeFd(2, new TextEncoder().encode('\r\nR6025\r\n- pure virtual function call\r\n'));
  ctx.process.exit(255);
}

/** Per-thread slots of the exception being handled (filled by the exception machinery). */
export const __current_exception = (ctx: ApiContext): number => ctx.teb + WR.Scratch + 0x300;
export const __current_exception_context = (ctx: ApiContext): number => ctx.teb + WR.Scratch + 0x308;

export function memchr(ctx: ApiContext, s: number, c: number, n: bigint): number {
  const b = ctx.mem.read(s, Number(n));
  const i = b.indexOf(c & 0xff);
  return i < 0 ? 0 : s + i;
}
