/**
 * longjmp (setjmp.h). _setjmp is machine code (it must see the caller's registers); longjmp
 * turns the _JUMP_BUFFER (layout: ntdll/excunwind.ts) into a CONTEXT and asks the engine to
 * resume there, unwinding any JS → guest calls in between (a longjmp out of a qsort comparator).
 * When the buffer's Frame is set (mingw's setjmp passes its caller's frame address, MSVC's
 * _setjmp the establisher frame) msvcrt unwinds first, as Windows' does: RtlUnwind to that
 * frame with a STATUS_LONGJUMP record naming the buffer, so the __finally blocks and C++
 * destructors on the way run; RtlRestoreContext then loads the buffer's registers.
 */
import { CONTEXT, WR } from '../../native/layout.js';
import { REC, STATUS, withGuestScratch } from '../ntdll/excdefs.js';
import { captureCaller, writeRecord } from '../ntdll/excdispatch.js';
import { JUMP_BUFFER_SIZE, loadJumpBuffer, unwindFrom } from '../ntdll/excunwind.js';
import type { ApiContext } from '../types.js';

export function longjmp(ctx: ApiContext, buf: number, value: number): void {
  const m = ctx.mem;
  // setjmp returns the value given to longjmp, or 1 for 0.
  const result = value === 0 ? 1 : value >>> 0;
  const frame = m.accessible(buf, JUMP_BUFFER_SIZE, 'read') ? m.ptr(buf) : 0;
  if (frame !== 0) {
    // The unwind starts at longjmp's caller (read before the scratch space moves GuestRsp).
    const guestRsp = m.ptr(ctx.teb + WR.GuestRsp);
    withGuestScratch(ctx, REC.Size + CONTEXT.Size + 16, (at) => {
      const c = Math.ceil((at + REC.Size) / 16) * 16;
      captureCaller(ctx, c, guestRsp);
      writeRecord(ctx, at, STATUS.LONGJUMP, 0, m.ptr(c + CONTEXT.Rip), [buf]);
      unwindFrom(ctx, c, frame, m.ptr(buf + 80), at, BigInt(result), 0);
    });
    return;
  }
  const c = ctx.contextBuffer();
  m.fill(c, 0, CONTEXT.Size);
  loadJumpBuffer(ctx, c, buf);
  m.setU32(c + CONTEXT.EFlags, 0x202);
  m.setU64(c + CONTEXT.Rax, result);
  ctx.unwindTo(c);
}
