/**
 * The x64 unwinder on guest memory: finding a function's RUNTIME_FUNCTION in its image's
 * `.pdata`, and undoing one frame of a CONTEXT as RtlVirtualUnwind does — prolog codes (only
 * those already executed when the PC is inside the prolog), the epilog recognised from its
 * instructions and emulated, chained unwind info and machine frames.
 */
import { CONTEXT } from '../../native/layout.js';
import { UNW_FLAG_CHAININFO, UWOP } from '../../pe/exceptions.js';
import type { ApiContext } from '../types.js';
import { CONTEXT_GPRS } from './excdefs.js';

/** Slots (2-byte units) each UWOP takes, itself included (ALLOC_LARGE with OpInfo 1: 3). */
const SLOTS = [1, 2, 1, 1, 2, 3, 2, 3, 2, 3, 1, 3];

export function lookupFunction(ctx: ApiContext, pc: number): { entry: number; imageBase: number } | undefined {
  const img = ctx.process.frames.imageAt(pc);
  if (!img || img.pdataSize < 12) return undefined;
  const m = ctx.mem;
  const rva = pc - img.base;
  const table = img.base + img.pdataRva;
  let lo = 0;
  let hi = Math.floor(img.pdataSize / 12) - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const e = table + 12 * mid;
    if (rva < m.u32(e)) hi = mid - 1;
    else if (rva >= m.u32(e + 4)) lo = mid + 1;
    else {
      // UnwindData with bit 0 set names another RUNTIME_FUNCTION whose info applies.
      const u = m.u32(e + 8);
      return { entry: u & 1 ? img.base + (u & ~1) : e, imageBase: img.base };
    }
  }
  return undefined;
}

const reg = (ctx: ApiContext, c: number, r: number): number => ctx.mem.ptr(c + CONTEXT_GPRS[r]!);

/**
 * When `pc` is at an epilog (`add rsp, n` or `lea rsp, [fp+n]`, pops, then `ret` or a jump),
 * emulates the rest of it on `c` and returns true.
 */
function emulateEpilog(ctx: ApiContext, pc: number, c: number, frameReg: number): boolean {
  const m = ctx.mem;
  const len = m.accessible(pc, 32, 'read') ? 32 : m.accessible(pc, 16, 'read') ? 16 : 0;
  if (len === 0) return false;
  const b = new Uint8Array(40);
  b.set(m.read(pc, len));
  let i = 0;
  let rsp = m.ptr(c + CONTEXT.Rsp);
  const pops: number[] = [];
  if (b[0] === 0x48 && b[1] === 0x83 && b[2] === 0xc4) {
    rsp += b[3]!;
    i = 4;
  } else if (b[0] === 0x48 && b[1] === 0x81 && b[2] === 0xc4) {
    rsp += b[3]! | (b[4]! << 8) | (b[5]! << 16) | (b[6]! << 24);
    i = 7;
  } else if ((b[0] === 0x48 || b[0] === 0x49) && b[1] === 0x8d && frameReg !== 0) {
    const modrm = b[2]!;
    const base = (modrm & 7) | (b[0] === 0x49 ? 8 : 0);
    if (((modrm >> 3) & 7) !== 4 || base !== frameReg) return false;
    const mod = modrm >> 6;
    let at = 3;
    if ((modrm & 7) === 4) at++; // SIB (r12 as frame register)
    let disp: number;
    if (mod === 1) disp = (b[at]! << 24) >> 24;
    else if (mod === 2) disp = b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24);
    else return false;
    rsp = reg(ctx, c, frameReg) + disp;
    i = at + (mod === 1 ? 1 : 4);
  }
  for (;;) {
    if (b[i]! >= 0x58 && b[i]! <= 0x5f) {
      pops.push(b[i]! - 0x58);
      i += 1;
    } else if (b[i] === 0x41 && b[i + 1]! >= 0x58 && b[i + 1]! <= 0x5f) {
      pops.push(8 + b[i + 1]! - 0x58);
      i += 2;
    } else break;
  }
  const op = b[i];
  // A lone jump is not an epilog (it may be any branch); after a stack release or pops it is
  // a tail call.
  if (i === 0 && op !== 0xc3 && op !== 0xc2 && !(op === 0xf3 && b[1] === 0xc3)) return false;
  const ends = op === 0xc3 || op === 0xc2 || op === 0xe9 || op === 0xeb || (op === 0xff && b[i + 1] === 0x25) || (op === 0x48 && b[i + 1] === 0xff && b[i + 2] === 0x25) || (op === 0xf3 && b[i + 1] === 0xc3);
  if (!ends) return false;
  for (const r of pops) {
    m.setU64(c + CONTEXT_GPRS[r]!, m.u64(rsp));
    rsp += 8;
  }
  m.setU64(c + CONTEXT.Rip, m.u64(rsp));
  m.setU64(c + CONTEXT.Rsp, rsp + 8);
  return true;
}

export interface UnwindResult {
  handler: number;
  handlerData: number;
  establisherFrame: number;
}

/** RtlVirtualUnwind on the CONTEXT at `c`: RUNTIME_FUNCTION at `entry` of the image at `base`. */
export function unwindFunction(ctx: ApiContext, handlerType: number, base: number, pc: number, entry: number, c: number): UnwindResult {
  const m = ctx.mem;
  const begin = m.u32(entry);
  let info = base + m.u32(entry + 8);
  const offset = pc - base - begin;
  const head = m.u8(info);
  const flags = head >> 3;
  const prolog = m.u8(info + 1);
  const frameByte = m.u8(info + 3);
  const frameReg = frameByte & 0xf;
  const frameOffset = (frameByte >> 4) * 16;
  const count = m.u8(info + 2);
  // The establisher frame: the frame register's base once SET_FPREG has run, else RSP.
  let fpSet = frameReg !== 0 && offset >= prolog;
  if (frameReg !== 0 && !fpSet) {
    for (let i = 0; i < count; ) {
      const op = m.u8(info + 5 + 2 * i) & 0xf;
      if (op === UWOP.SET_FPREG && m.u8(info + 4 + 2 * i) <= offset) fpSet = true;
      i += SLOTS[op] ?? 1;
    }
  }
  const frame = fpSet ? reg(ctx, c, frameReg) - frameOffset : m.ptr(c + CONTEXT.Rsp);
  if (offset >= prolog && emulateEpilog(ctx, pc, c, frameReg)) return { handler: 0, handlerData: 0, establisherFrame: frame };
  let machineFrame = false;
  let inPrologue = offset < prolog;
  for (;;) {
    const n = m.u8(info + 2);
    const fr = m.u8(info + 3) & 0xf;
    const fo = (m.u8(info + 3) >> 4) * 16;
    for (let i = 0; i < n; ) {
      const at = info + 4 + 2 * i;
      const codeOffset = m.u8(at);
      const op = m.u8(at + 1) & 0xf;
      const opInfo = m.u8(at + 1) >> 4;
      let slots = SLOTS[op] ?? 1;
      if (op === UWOP.ALLOC_LARGE && opInfo === 1) slots = 3;
      if (inPrologue && codeOffset > offset) {
        i += slots;
        continue;
      }
      const rsp = m.ptr(c + CONTEXT.Rsp);
      switch (op) {
        case UWOP.PUSH_NONVOL:
          m.setU64(c + CONTEXT_GPRS[opInfo]!, m.u64(rsp));
          m.setU64(c + CONTEXT.Rsp, rsp + 8);
          break;
        case UWOP.ALLOC_LARGE:
          m.setU64(c + CONTEXT.Rsp, rsp + (opInfo === 0 ? m.u16(at + 2) * 8 : m.u32(at + 2)));
          break;
        case UWOP.ALLOC_SMALL:
          m.setU64(c + CONTEXT.Rsp, rsp + opInfo * 8 + 8);
          break;
        case UWOP.SET_FPREG:
          m.setU64(c + CONTEXT.Rsp, reg(ctx, c, fr) - fo);
          break;
        case UWOP.SAVE_NONVOL:
          m.setU64(c + CONTEXT_GPRS[opInfo]!, m.u64(frame + m.u16(at + 2) * 8));
          break;
        case UWOP.SAVE_NONVOL_FAR:
          m.setU64(c + CONTEXT_GPRS[opInfo]!, m.u64(frame + m.u32(at + 2)));
          break;
        case UWOP.SAVE_XMM128:
          m.write(c + CONTEXT.Xmm0 + 16 * opInfo, m.read(frame + m.u16(at + 2) * 16, 16));
          break;
        case UWOP.SAVE_XMM128_FAR:
          m.write(c + CONTEXT.Xmm0 + 16 * opInfo, m.read(frame + m.u32(at + 2), 16));
          break;
        case UWOP.PUSH_MACHFRAME: {
          const f = rsp + (opInfo ? 8 : 0);
          m.setU64(c + CONTEXT.Rip, m.u64(f));
          m.setU64(c + CONTEXT.Rsp, m.u64(f + 24));
          machineFrame = true;
          break;
        }
        case UWOP.SET_FPREG_LARGE:
          m.setU64(c + CONTEXT.Rsp, reg(ctx, c, fr) - m.u32(at + 2) * 16);
          break;
        default: // EPILOG (version 2) and the unused codes describe nothing to undo
          break;
      }
      i += slots;
    }
    if ((m.u8(info) >> 3) & UNW_FLAG_CHAININFO) {
      const chained = info + 4 + 2 * ((n + 1) & ~1);
      info = base + m.u32(chained + 8);
      inPrologue = false;
      continue;
    }
    break;
  }
  if (!machineFrame) {
    const rsp = m.ptr(c + CONTEXT.Rsp);
    m.setU64(c + CONTEXT.Rip, m.u64(rsp));
    m.setU64(c + CONTEXT.Rsp, rsp + 8);
  }
  if (offset < prolog || (flags & handlerType) === 0 || flags & UNW_FLAG_CHAININFO) return { handler: 0, handlerData: 0, establisherFrame: frame };
  const h = base + m.u32(entry + 8) + 4 + 2 * ((count + 1) & ~1);
  return { handler: base + m.u32(h), handlerData: h + 4, establisherFrame: frame };
}

export function RtlLookupFunctionEntry(ctx: ApiContext, pc: number, imageBase: number, _history: number): number {
  const found = lookupFunction(ctx, pc);
  if (imageBase !== 0) ctx.mem.setU64(imageBase, found?.imageBase ?? ctx.process.frames.imageAt(pc)?.base ?? 0);
  return found?.entry ?? 0;
}

export function RtlVirtualUnwind(ctx: ApiContext, handlerType: number, imageBase: number, pc: number, entry: number, context: number, handlerData: number, establisher: number, _pointers: number): number {
  const m = ctx.mem;
  let r: UnwindResult;
  if (entry === 0) {
    // A leaf function: only the return address is on the stack.
    const rsp = m.ptr(context + CONTEXT.Rsp);
    m.setU64(context + CONTEXT.Rip, m.u64(rsp));
    m.setU64(context + CONTEXT.Rsp, rsp + 8);
    r = { handler: 0, handlerData: 0, establisherFrame: rsp };
  } else r = unwindFunction(ctx, handlerType, imageBase, pc, entry, context);
  if (handlerData !== 0) m.setU64(handlerData, r.handlerData);
  if (establisher !== 0) m.setU64(establisher, r.establisherFrame);
  return r.handler;
}

export function RtlPcToFileHeader(ctx: ApiContext, pc: number, base: number): number {
  const b = ctx.process.frames.imageAt(pc)?.base ?? 0;
  if (base !== 0) ctx.mem.setU64(base, b);
  return b;
}
