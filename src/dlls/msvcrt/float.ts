/**
 * The floating-point environment (float.h): _controlfp, _control87, _clearfp, _statusfp. On
 * x64 it is the SSE MXCSR. While an API runs, the guest's MXCSR waits in WR.GuestMxcsr (JS
 * runs with the default one) and the thunk reloads it on return, so these functions edit that
 * slot. Control word bits: _EM_INEXACT 1, _EM_UNDERFLOW 2, _EM_OVERFLOW 4, _EM_ZERODIVIDE 8,
 * _EM_INVALID 0x10, _EM_DENORMAL 0x80000, _RC_* 0x300, _DN_FLUSH 0x1000000; the status word
 * uses the same positions for the exception flags.
 */
import { WR } from '../../native/layout.js';
import type { ApiContext } from '../types.js';

/** [MXCSR mask bit, control-word bit] for the exception masks (and the same order for flags). */
const EXCEPTIONS: readonly [number, number][] = [
  [0x80, 0x10], // invalid
  [0x100, 0x80000], // denormal
  [0x200, 0x8], // zero divide
  [0x400, 0x4], // overflow
  [0x800, 0x2], // underflow
  [0x1000, 0x1], // inexact
];
const RC_MXCSR = 0x6000;
const MCW_RC = 0x300;
const DN_FLUSH = 0x1000000;
const FTZ_DAZ = 0x8040;
const EM_DENORMAL = 0x80000;

const slot = (ctx: ApiContext): number => ctx.teb + WR.GuestMxcsr;

function toControlWord(mx: number): number {
  let cw = 0;
  for (const [m, c] of EXCEPTIONS) if (mx & m) cw |= c;
  cw |= [0, 0x100, 0x200, 0x300][(mx & RC_MXCSR) >> 13]!;
  if ((mx & FTZ_DAZ) === FTZ_DAZ) cw |= DN_FLUSH;
  return cw;
}

function fromControlWord(cw: number, mx: number): number {
  let out = mx & ~(0x1f80 | RC_MXCSR | FTZ_DAZ);
  for (const [m, c] of EXCEPTIONS) if (cw & c) out |= m;
  out |= [0, 0x2000, 0x4000, 0x6000][(cw & MCW_RC) >> 8]!;
  if (cw & DN_FLUSH) out |= FTZ_DAZ;
  return out;
}

export function _control87(ctx: ApiContext, value: number, mask: number): number {
  const mx = ctx.mem.u32(slot(ctx));
  const cw = (toControlWord(mx) & ~mask) | (value & mask);
  ctx.mem.setU32(slot(ctx), fromControlWord(cw, mx));
  return cw >>> 0;
}

/** _controlfp: _control87 that leaves the denormal exception mask alone. */
export function _controlfp(ctx: ApiContext, value: number, mask: number): number {
  return _control87(ctx, value, mask & ~EM_DENORMAL);
}

/** The sticky exception flags (MXCSR bits 0-5) as a status word. */
function statusWord(mx: number): number {
  let sw = 0;
  EXCEPTIONS.forEach(([, c], i) => {
    if (mx & (1 << i)) sw |= c;
  });
  return sw;
}

export function _statusfp(ctx: ApiContext): number {
  return statusWord(ctx.mem.u32(slot(ctx)));
}

export function _clearfp(ctx: ApiContext): number {
  const mx = ctx.mem.u32(slot(ctx));
  ctx.mem.setU32(slot(ctx), mx & ~0x3f);
  return statusWord(mx);
}

/** _fpreset: the initial environment (round to nearest, all exceptions masked). */
export function _fpreset(ctx: ApiContext): void {
  ctx.mem.setU32(slot(ctx), 0x1f80);
}
