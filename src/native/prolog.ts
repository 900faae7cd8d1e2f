/**
 * Prologs of winrun's own machine-code functions (the exception core: exccore.ts, exccatch.ts)
 * and the UNWIND_INFO that describes them, so that walks pass through their frames.
 */
import { type Asm, R } from './emitter.js';
import { UNW_FLAG_EHANDLER, UWOP } from '../pe/exceptions.js';

/** A function's offsets that its unwind data names. */
export interface Prolog {
  readonly begin: number;
  /** Where each push ends (in `pushed` order). */
  readonly pushEnds: readonly number[];
  readonly prologEnd: number;
}

/** Emits `push` of each register, then `sub rsp, frameSize`. */
export function emitProlog(a: Asm, pushed: readonly R[], frameSize: number): Prolog {
  const begin = a.length;
  const pushEnds: number[] = [];
  for (const r of pushed) {
    a.push(r);
    pushEnds.push(a.length);
  }
  a.subImm(R.rsp, frameSize);
  return { begin, pushEnds, prologEnd: a.length };
}

/** UNWIND_INFO version 1 without a frame register: `flags` (UNW_FLAG_*), the prolog's size,
 *  the codes (two bytes per slot, latest first), then the handler's RVA when flags name one. */
export function packUnwindInfo(flags: number, prologSize: number, codes: readonly number[], handler: number): Uint8Array {
  const count = codes.length / 2;
  const withHandler = flags !== 0;
  const out = new Uint8Array(4 + 2 * (count + (count & 1)) + (withHandler ? 4 : 0));
  out.set([1 | (flags << 3), prologSize, count, 0], 0);
  out.set(codes, 4);
  if (withHandler) new DataView(out.buffer).setUint32(out.length - 4, handler, true);
  return out;
}

/** The UNWIND_INFO of a prolog emitProlog made: the allocation (ALLOC_SMALL up to 128 bytes,
 *  else ALLOC_LARGE), then the pushes, latest first; with an exception handler when `handler`
 *  is not 0 (`flags` then UNW_FLAG_EHANDLER unless given). */
export function prologUnwindInfo(p: Prolog, pushed: readonly R[], frameSize: number, handler: number, flags = handler !== 0 ? UNW_FLAG_EHANDLER : 0): Uint8Array {
  const at = p.prologEnd - p.begin;
  const codes = frameSize <= 128 ? [at, UWOP.ALLOC_SMALL | ((frameSize / 8 - 1) << 4)] : [at, UWOP.ALLOC_LARGE, (frameSize / 8) & 0xff, frameSize / 8 >> 8];
  for (let i = pushed.length - 1; i >= 0; i--) codes.push(p.pushEnds[i]! - p.begin, UWOP.PUSH_NONVOL | (pushed[i]! << 4));
  return packUnwindInfo(flags, at, codes, handler);
}
