/**
 * RTL_BITMAP (ntddk.h): { ULONG SizeOfBitMap; PULONG Buffer; }, 16 bytes on x64. Bit i is bit
 * i % 32 of ULONG i / 32 (so bit i % 8 of byte i / 8). The searches are pure functions over
 * the bitmap's bytes (exported for unit tests); the exports read and write guest memory.
 */
import type { ApiContext } from '../types.js';

const RTL_BITMAP = { SizeOfBitMap: 0, Buffer: 8, Size: 16 } as const;
const NOT_FOUND = 0xffffffff;

export const testBit = (b: Uint8Array, i: number): boolean => ((b[i >> 3]! >> (i & 7)) & 1) === 1;

/** True when bits [start, start + n) all have the value `set`. */
export function allBits(b: Uint8Array, start: number, n: number, set: boolean): boolean {
  for (let i = start; i < start + n; i++) if (testBit(b, i) !== set) return false;
  return true;
}

export function setRange(b: Uint8Array, start: number, n: number, set: boolean): void {
  for (let i = start; i < start + n; i++) {
    if (set) b[i >> 3]! |= 1 << (i & 7);
    else b[i >> 3]! &= ~(1 << (i & 7));
  }
}

/** The first run of `n` bits of value `set` starting at or after `hint`, else before it;
 *  NOT_FOUND when there is none (or n is 0 or larger than the bitmap). */
export function findRun(b: Uint8Array, size: number, n: number, hint: number, set: boolean): number {
  if (n === 0 || n > size) return NOT_FOUND;
  const from = hint >= size ? 0 : hint;
  const scan = (lo: number, hi: number): number => {
    let run = 0;
    for (let i = lo; i < hi + n - 1 && i < size; i++) {
      run = testBit(b, i) === set ? run + 1 : 0;
      if (run === n) return i - n + 1;
    }
    return NOT_FOUND;
  };
  const r = scan(from, size);
  return r !== NOT_FOUND || from === 0 ? r : scan(0, from);
}

export function countBits(b: Uint8Array, size: number): number {
  let n = 0;
  for (let i = 0; i < size; i++) if (testBit(b, i)) n++;
  return n;
}

/** The longest run of bits of value `set`: its start and length (the first of equal ones). */
export function longestRun(b: Uint8Array, size: number, set: boolean): { start: number; length: number } {
  let best = { start: 0, length: 0 };
  let start = 0;
  for (let i = 0; i <= size; i++) {
    if (i < size && testBit(b, i) === set) continue;
    if (i - start > best.length) best = { start, length: i - start };
    start = i + 1;
  }
  return best;
}

/** The first run of bits of value `set` at or after `from`. */
export function nextRun(b: Uint8Array, size: number, from: number, set: boolean): { start: number; length: number } {
  let i = from;
  while (i < size && testBit(b, i) !== set) i++;
  const start = i;
  while (i < size && testBit(b, i) === set) i++;
  return { start, length: i - start };
}

// ---- the exports ----------------------------------------------------------------------------

interface Bitmap {
  size: number;
  buffer: number;
  bytes: Uint8Array;
}

function load(ctx: ApiContext, bm: number): Bitmap {
  const size = ctx.mem.u32(bm + RTL_BITMAP.SizeOfBitMap);
  const buffer = ctx.mem.ptr(bm + RTL_BITMAP.Buffer);
  return { size, buffer, bytes: ctx.mem.read(buffer, Math.ceil(size / 8)) };
}

/** Writes back the bytes of bits [start, start + n). */
function store(ctx: ApiContext, m: Bitmap, start: number, n: number): void {
  if (n <= 0) return;
  const first = start >> 3;
  const last = (start + n - 1) >> 3;
  ctx.mem.write(m.buffer + first, m.bytes.subarray(first, last + 1));
}

/** A range inside the bitmap (bits past SizeOfBitMap are never touched). */
const inside = (m: Bitmap, start: number, n: number): boolean => start + n <= m.size;

export function RtlInitializeBitMap(ctx: ApiContext, bm: number, buffer: number, size: number): void {
  ctx.mem.check(bm, RTL_BITMAP.Size, true);
  ctx.mem.setU32(bm + RTL_BITMAP.SizeOfBitMap, size);
  ctx.mem.setU64(bm + RTL_BITMAP.Buffer, buffer);
}

function change(ctx: ApiContext, bm: number, start: number, n: number, set: boolean): void {
  const m = load(ctx, bm);
  if (!inside(m, start, n)) return;
  setRange(m.bytes, start, n, set);
  store(ctx, m, start, n);
}
export const RtlSetBits = (ctx: ApiContext, bm: number, start: number, n: number): void => change(ctx, bm, start, n, true);
export const RtlClearBits = (ctx: ApiContext, bm: number, start: number, n: number): void => change(ctx, bm, start, n, false);
export const RtlSetBit = (ctx: ApiContext, bm: number, i: number): void => change(ctx, bm, i, 1, true);
export const RtlClearBit = (ctx: ApiContext, bm: number, i: number): void => change(ctx, bm, i, 1, false);

export function RtlTestBit(ctx: ApiContext, bm: number, i: number): number {
  const m = load(ctx, bm);
  return i < m.size && testBit(m.bytes, i) ? 1 : 0;
}

function are(ctx: ApiContext, bm: number, start: number, n: number, set: boolean): number {
  const m = load(ctx, bm);
  if (n === 0 || start >= m.size || !inside(m, start, n)) return 0;
  return allBits(m.bytes, start, n, set) ? 1 : 0;
}
export const RtlAreBitsSet = (ctx: ApiContext, bm: number, start: number, n: number): number => are(ctx, bm, start, n, true);
export const RtlAreBitsClear = (ctx: ApiContext, bm: number, start: number, n: number): number => are(ctx, bm, start, n, false);

function find(ctx: ApiContext, bm: number, n: number, hint: number, set: boolean, flip: boolean): number {
  const m = load(ctx, bm);
  const at = findRun(m.bytes, m.size, n, hint, set);
  if (at !== NOT_FOUND && flip) {
    setRange(m.bytes, at, n, !set);
    store(ctx, m, at, n);
  }
  return at;
}
export const RtlFindClearBits = (ctx: ApiContext, bm: number, n: number, hint: number): number => find(ctx, bm, n, hint, false, false);
export const RtlFindSetBits = (ctx: ApiContext, bm: number, n: number, hint: number): number => find(ctx, bm, n, hint, true, false);
export const RtlFindClearBitsAndSet = (ctx: ApiContext, bm: number, n: number, hint: number): number => find(ctx, bm, n, hint, false, true);
export const RtlFindSetBitsAndClear = (ctx: ApiContext, bm: number, n: number, hint: number): number => find(ctx, bm, n, hint, true, true);

export function RtlNumberOfSetBits(ctx: ApiContext, bm: number): number {
  const m = load(ctx, bm);
  return countBits(m.bytes, m.size);
}
export function RtlNumberOfClearBits(ctx: ApiContext, bm: number): number {
  const m = load(ctx, bm);
  return m.size - countBits(m.bytes, m.size);
}

/** RtlSetAllBits / RtlClearAllBits fill every ULONG the bitmap spans. */
function fillAll(ctx: ApiContext, bm: number, value: number): void {
  const size = ctx.mem.u32(bm + RTL_BITMAP.SizeOfBitMap);
  ctx.mem.fill(ctx.mem.ptr(bm + RTL_BITMAP.Buffer), value, 4 * Math.ceil(size / 32));
}
export const RtlSetAllBits = (ctx: ApiContext, bm: number): void => fillAll(ctx, bm, 0xff);
export const RtlClearAllBits = (ctx: ApiContext, bm: number): void => fillAll(ctx, bm, 0);

function longest(ctx: ApiContext, bm: number, startOut: number, set: boolean): number {
  const m = load(ctx, bm);
  const r = longestRun(m.bytes, m.size, set);
  ctx.mem.setU32(startOut, r.start);
  return r.length;
}
export const RtlFindLongestRunClear = (ctx: ApiContext, bm: number, s: number): number => longest(ctx, bm, s, false);
export const RtlFindLongestRunSet = (ctx: ApiContext, bm: number, s: number): number => longest(ctx, bm, s, true);

/** RtlFindFirstRunClear(bm, startOut): the length of the first clear run. */
export function RtlFindFirstRunClear(ctx: ApiContext, bm: number, startOut: number): number {
  const m = load(ctx, bm);
  const r = nextRun(m.bytes, m.size, 0, false);
  ctx.mem.setU32(startOut, r.start);
  return r.length;
}

/** RtlFindNextForwardRunClear(bm, from, startOut). */
export function RtlFindNextForwardRunClear(ctx: ApiContext, bm: number, from: number, startOut: number): number {
  const m = load(ctx, bm);
  const r = nextRun(m.bytes, m.size, from, false);
  ctx.mem.setU32(startOut, r.start);
  return r.length;
}

/** Bit positions of a ULONGLONG, -1 for 0. */
export function RtlFindMostSignificantBit(_ctx: ApiContext, v: bigint): number {
  return v === 0n ? -1 : v.toString(2).length - 1;
}
export function RtlFindLeastSignificantBit(_ctx: ApiContext, v: bigint): number {
  if (v === 0n) return -1;
  let i = 0;
  while (((v >> BigInt(i)) & 1n) === 0n) i++;
  return i;
}
