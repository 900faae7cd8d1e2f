/**
 * __CxxFrameHandler4's metadata (MSVC 2019+ x64, vcruntime140_1.dll), decoded into the same
 * FuncInfo the FH3 tables give. The format (Microsoft's ehdata4_export.h): a header byte, then
 * only the fields it announces; counts, states and offsets are compressed unsigned integers
 * (1-5 bytes, the low bits of the first byte say how many), addresses are 4-byte RVAs. States
 * are stored + 1; unwind-map entries point back to the entry of their next state by a byte
 * offset; IP-map addresses are deltas from the previous entry, relative to the function start.
 * A catch funclet has a FuncInfo of its own (isCatch) with the parent's maps and the offset at
 * which its prolog saved the parent's frame.
 */
import type { ApiContext } from '../types.js';
import { MAX_ENTRIES, UNWIND_DTOR_OBJECT, UNWIND_DTOR_POINTER, UNWIND_FUNCLET, type FuncInfo, type Handler, type TryBlock, type UnwindEntry } from './cxxdefs.js';

const H = { isCatch: 0x01, isSeparated: 0x02, bbt: 0x04, unwindMap: 0x08, tryBlockMap: 0x10, ehs: 0x20, noexcept: 0x40 } as const;
const HT = { adjectives: 0x01, type: 0x02, catchObj: 0x04, contIsRva: 0x08 } as const;

/** A cursor over compressed metadata in guest memory. */
class Reader {
  constructor(
    private readonly ctx: ApiContext,
    public at: number,
  ) {}
  u8(): number {
    return this.ctx.mem.u8(this.at++);
  }
  int(): number {
    const v = this.ctx.mem.i32(this.at);
    this.at += 4;
    return v;
  }
  /** A compressed unsigned integer: low bits 0 → 1 byte, 01 → 2, 011 → 3, 0111 → 4, 1111 → 5. */
  unsigned(): number {
    const m = this.ctx.mem;
    const b0 = m.u8(this.at);
    if ((b0 & 1) === 0) {
      this.at += 1;
      return b0 >>> 1;
    }
    if ((b0 & 3) === 1) {
      const v = (b0 >>> 2) | (m.u8(this.at + 1) << 6);
      this.at += 2;
      return v;
    }
    if ((b0 & 7) === 3) {
      const v = (b0 >>> 3) | (m.u8(this.at + 1) << 5) | (m.u8(this.at + 2) << 13);
      this.at += 3;
      return v;
    }
    if ((b0 & 15) === 7) {
      const v = ((b0 >>> 4) | (m.u8(this.at + 1) << 4) | (m.u8(this.at + 2) << 12) | (m.u8(this.at + 3) << 20)) >>> 0;
      this.at += 4;
      return v;
    }
    const v = m.u32(this.at + 1);
    this.at += 5;
    return v;
  }
  count(): number {
    const n = this.unsigned();
    if (n > MAX_ENTRIES) throw new RangeError(`FH4 metadata: ${n} entries`);
    return n;
  }
}

function unwindMap(ctx: ApiContext, at: number): UnwindEntry[] {
  const r = new Reader(ctx, at);
  const n = r.count();
  const start = r.at;
  const offsets: number[] = [];
  const raw: { next: number; kind: number; action: number; object: number }[] = [];
  for (let i = 0; i < n; i++) {
    offsets.push(r.at - start);
    const v = r.unsigned();
    const kind = v & 3;
    let action = 0;
    let object = 0;
    if (kind === UNWIND_DTOR_OBJECT || kind === UNWIND_DTOR_POINTER) {
      action = r.int();
      object = r.unsigned();
    } else if (kind === UNWIND_FUNCLET) action = r.int();
    raw.push({ next: v >>> 2, kind, action, object });
  }
  return raw.map((e, i) => ({ toState: offsets.indexOf(offsets[i]! - e.next), kind: e.kind, action: e.action, object: e.object }));
}

function handlers(ctx: ApiContext, at: number, functionStart: number): Handler[] {
  const r = new Reader(ctx, at);
  const n = r.count();
  const out: Handler[] = [];
  for (let i = 0; i < n; i++) {
    const header = r.u8();
    const adjectives = header & HT.adjectives ? r.unsigned() : 0;
    const type = header & HT.type ? r.int() : 0;
    const catchObj = header & HT.catchObj ? r.unsigned() : 0;
    const funclet = r.int();
    const continuations: number[] = [];
    for (let k = 0; k < Math.min((header >>> 4) & 3, 2); k++) continuations.push(header & HT.contIsRva ? r.int() : functionStart + r.unsigned());
    out.push({ adjectives, type, catchObj, funclet, frame: 0, continuations });
  }
  return out;
}

function tryBlocks(ctx: ApiContext, base: number, at: number, functionStart: number): TryBlock[] {
  const r = new Reader(ctx, at);
  const n = r.count();
  const out: TryBlock[] = [];
  for (let i = 0; i < n; i++) {
    const tryLow = r.unsigned();
    const tryHigh = r.unsigned();
    const catchHigh = r.unsigned();
    const list = r.int();
    out.push({ tryLow, tryHigh, catchHigh, handlers: list !== 0 ? handlers(ctx, base + list, functionStart) : [] });
  }
  return out;
}

function ipMap(ctx: ApiContext, at: number, functionStart: number): [number, number][] {
  const r = new Reader(ctx, at);
  const n = r.count();
  const out: [number, number][] = [];
  let ip = functionStart;
  for (let i = 0; i < n; i++) {
    ip += r.unsigned();
    out.push([ip, r.unsigned() - 1]);
  }
  return out;
}

/** Decodes the FuncInfo4 at `at` for the function (or separated part) starting at RVA
 *  `functionStart` of the image at `base`. */
export function readFuncInfo4(ctx: ApiContext, base: number, at: number, functionStart: number): FuncInfo {
  const r = new Reader(ctx, at);
  const header = r.u8();
  if (header & H.bbt) r.unsigned();
  const uw = header & H.unwindMap ? r.int() : 0;
  const tb = header & H.tryBlockMap ? r.int() : 0;
  let ip = r.int();
  if (header & H.isSeparated) {
    // A table of [segment start, IP map] pairs: the one for this segment.
    const seg = new Reader(ctx, base + ip);
    ip = 0;
    for (let i = seg.count(); i > 0; i--) {
      const startRva = seg.int();
      const map = seg.int();
      if (startRva === functionStart) ip = map;
    }
  }
  const catchFrame = header & H.isCatch ? r.unsigned() : undefined;
  return {
    address: at,
    unwindMap: uw !== 0 ? unwindMap(ctx, base + uw) : [],
    tryBlocks: tb !== 0 ? tryBlocks(ctx, base, base + tb, functionStart) : [],
    ipMap: ip !== 0 ? ipMap(ctx, base + ip, functionStart) : [],
    ehFlags: (header & H.ehs ? 1 : 0) | (header & H.noexcept ? 4 : 0),
    catchFrame,
  };
}
