/**
 * longjmp (setjmp.h). _setjmp is machine code (it must see the caller's registers); longjmp
 * turns the _JUMP_BUFFER into a CONTEXT and asks the engine to resume there, unwinding any
 * JS → guest calls in between (a longjmp out of a qsort comparator).
 *   _JUMP_BUFFER: Frame +0, Rbx +8, Rsp +16, Rbp +24, Rsi +32, Rdi +40, R12-R15 +48..+72,
 *                 Rip +80, MxCsr +88, FpCsr +92, Xmm6-Xmm15 +96 (16 bytes each).
 * msvcrt unwinds with RtlUnwind when Frame is set (running __finally blocks and C++
 * destructors on the way); that arrives with structured exceptions, and the jump is direct.
 */
import { CONTEXT } from '../../native/layout.js';
import type { ApiContext } from '../types.js';

export function longjmp(ctx: ApiContext, buf: number, value: number): void {
  const m = ctx.mem;
  const c = ctx.contextBuffer();
  const regs: [number, number][] = [
    [CONTEXT.Rbx, 8], [CONTEXT.Rsp, 16], [CONTEXT.Rbp, 24], [CONTEXT.Rsi, 32], [CONTEXT.Rdi, 40],
    [CONTEXT.R12, 48], [CONTEXT.R13, 56], [CONTEXT.R14, 64], [CONTEXT.R15, 72], [CONTEXT.Rip, 80],
  ];
  const saved = regs.map(([, off]) => m.u64(buf + off));
  const xmm = m.read(buf + 96, 160);
  const mxcsr = m.u32(buf + 88);
  m.fill(c, 0, CONTEXT.Size);
  regs.forEach(([field], i) => m.setU64(c + field, saved[i]!));
  m.write(c + CONTEXT.Xmm0 + 16 * 6, xmm);
  m.setU32(c + CONTEXT.MxCsr, mxcsr);
  m.setU32(c + CONTEXT.EFlags, 0x202);
  // setjmp returns the value given to longjmp, or 1 for 0.
  m.setU64(c + CONTEXT.Rax, value === 0 ? 1 : value >>> 0);
  ctx.unwindTo(c);
}
