/**
 * RtlCaptureStackBackTrace (kernel32's CaptureStackBackTrace): the return addresses of the
 * calling thread's frames, from its caller outwards, found by the same walk exception dispatch
 * uses (through .pdata, leaf functions and the places where JS called guest code).
 */
import { CONTEXT, WR } from '../../native/layout.js';
import type { ApiContext } from '../types.js';
import { captureCaller } from './excdispatch.js';
import { withGuestScratch } from './excdefs.js';
import { unwindOneFrame } from './excframes.js';

export function RtlCaptureStackBackTrace(ctx: ApiContext, skip: number, count: number, backTrace: number, hash: number): number {
  const m = ctx.mem;
  if (count === 0 || !m.accessible(backTrace, 8 * count, 'write')) return 0;
  const guestRsp = m.ptr(ctx.teb + WR.GuestRsp);
  return withGuestScratch(ctx, CONTEXT.Size, (c) => {
    captureCaller(ctx, c, guestRsp);
    let n = 0;
    let sum = 0;
    for (let depth = 0, seen = 0; depth < 4096 && n < count; depth++) {
      const pc = m.ptr(c + CONTEXT.Rip);
      let frame;
      try {
        frame = unwindOneFrame(ctx, 0, c);
      } catch {
        frame = undefined;
      }
      if (frame?.boundary) continue;
      if (pc !== 0 && seen++ >= skip) {
        m.setU64(backTrace + 8 * n++, pc);
        sum = (sum + pc) >>> 0;
      }
      if (!frame) break;
    }
    if (hash !== 0 && m.accessible(hash, 4, 'write')) m.setU32(hash, sum);
    return n;
  });
}
