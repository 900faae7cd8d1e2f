/**
 * The machine code that joins guest and host (DESIGN.md §2): the shared dispatch stub that
 * every export thunk jumps to, per-export thunks, native fast paths, and the call-guest
 * trampoline that JS uses to run guest code (entry points, DllMain, callbacks).
 */
import { Asm, Label, R } from './emitter.js';
import { koffi } from './ffi.js';
import { setGsBase } from './host.js';
import { CONTEXT, SAVE_STACK, TEB, TLS_MINIMUM_AVAILABLE, WR } from './layout.js';
import { BLOCK_MAGIC, FLAG_IN_USE, FLAG_LARGE, HEAP_LOCK, HEAP_MAGIC, HEAP_SMALL_LISTS, SMALL_MAX } from '../kernel/heap.js';
import { type AddressSpace } from './memory.js';
import { emitIoFastPath, type IoFastPath, type IoTables } from './iofast.js';

/** Exports implemented as a few instructions of machine code, with no JS at all. */
export type NativeFastPath =
  | 'GetLastError'
  | 'SetLastError'
  | 'GetCurrentThreadId'
  | 'GetCurrentProcessId'
  | 'GetCurrentProcess'
  | 'GetCurrentThread'
  | 'TlsGetValue'
  | 'TlsSetValue'
  | 'memcpy'
  | 'memmove'
  | 'memset'
  | 'memcmp'
  | 'strlen'
  | 'strcmp'
  | 'HeapAlloc'
  | 'HeapFree'
  | 'malloc'
  | 'free'
  | '_setjmp'
  | 'fputc'
  | 'fgetc'
  | 'EnterCriticalSection'
  | 'LeaveCriticalSection'
  | '_errno'
  | 'RaiseException'
  | 'RtlUnwindEx'
  | '_CxxThrowException'
  | IoFastPath;

/** Where RtlUnwindEx and _CxxThrowException enter the exception core (native/exccore.ts
 *  UNWIND_ENTRY, CXX_THROW_ENTRY). */
const EXC_CORE_UNWIND_ENTRY = 8;
const EXC_CORE_CXX_THROW_ENTRY = 16;

/** What fast paths need to know about the process (the CRT heap for malloc/free). */
export interface FastPathEnv {
  processHeap?: number;
  /** The tables the file fast paths read; without them those exports are plain thunks. */
  io?: IoTables;
}

/** The dispatch stub's save area: the guest's callee-saved registers at the export call.
 *  RSI, RDI and XMM6–15 because System V code may clobber them; the others so that an
 *  exception unwind can recover the caller's full non-volatile state. One per export call
 *  inside JS, on the thread's save-area stack (layout.ts SAVE_STACK, WR.SaveDepth) in guest
 *  memory: the exception machinery reads it with no host-memory view. */
export const SAVE_AREA = 224;
export const SAVED = { Rsi: 0, Rdi: 8, Xmm6: 16, Rbx: 176, Rbp: 184, R12: 192, R13: 200, R14: 208, R15: 216 } as const;

/** Emits the dispatch stub; on entry eax = export id and rsp = guest rsp (return address). */
function emitDispatchStub(a: Asm): void {
  a.storeGsImm32(WR.InGuest, 0); // faults from here on are winrun's, not the guest's
  a.movRR(R.r11, R.rsp); // guest rsp
  a.loadGs(R.rsp, WR.HostRsp); // switch to the host stack (16-byte aligned)
  a.push(R.r11); // guest rsp, restored on the way out
  a.pushGs(WR.GuestRsp); // the outer thunk's guest rsp (nesting)
  a.storeGs(WR.GuestRsp, R.r11); // arguments at GuestRsp+8 for the dispatcher
  // Push a save area: r10 = TEB + depth, the area at r10 + SAVE_STACK.Top. Past the stack's
  // end (nesting no real program reaches): ud2, reported as an internal fault.
  const roomy = new Label();
  a.loadGs(R.r10, WR.SaveDepth).subImm(R.r10, SAVE_AREA).cmpImm64(R.r10, SAVE_STACK.Low - SAVE_STACK.Top).jcc(0xd, roomy); // jge
  a.raw(0x0f, 0x0b);
  a.bind(roomy);
  a.storeGs(WR.SaveDepth, R.r10).loadGs(R.r11, TEB.Self).addRR(R.r10, R.r11);
  const at = SAVE_STACK.Top;
  a.store(R.r10, at + SAVED.Rsi, R.rsi);
  a.store(R.r10, at + SAVED.Rdi, R.rdi);
  for (let i = 0; i < 10; i++) a.movdquStore(R.r10, at + SAVED.Xmm6 + 16 * i, 6 + i);
  a.store(R.r10, at + SAVED.Rbx, R.rbx).store(R.r10, at + SAVED.Rbp, R.rbp).store(R.r10, at + SAVED.R12, R.r12);
  a.store(R.r10, at + SAVED.R13, R.r13).store(R.r10, at + SAVED.R14, R.r14).store(R.r10, at + SAVED.R15, R.r15);
  // JS runs with the default floating-point environment whatever the guest set (V8 assumes
  // round-to-nearest with exceptions masked); the guest's comes back on return. ldmxcsr is
  // slow, so it runs only when something differs: the guest's control bits from the default
  // on entry, and the saved value (which _controlfp may have edited) from the live one on exit.
  const hostFp = new Label();
  const guestFp = new Label();
  a.stmxcsrGs(WR.GuestMxcsr).loadGs32(R.r10, WR.GuestMxcsr).andImm32(R.r10, 0xffc0).cmpImm32(R.r10, 0x1f80).jcc(4, hostFp);
  a.ldmxcsrGs(WR.HostMxcsr).bind(hostFp);
  a.movRR32(R.rdi, R.rax); // dispatch(id)
  a.callGs(WR.Dispatch);
  a.stmxcsrGs(WR.MxcsrNow).loadGs32(R.r10, WR.GuestMxcsr).cmpGs32(R.r10, WR.MxcsrNow).jcc(4, guestFp);
  a.ldmxcsrGs(WR.GuestMxcsr).bind(guestFp);
  const resume = new Label();
  a.cmpGsImm8(WR.ResumeContext, 0);
  a.jcc(5, resume); // jne
  a.loadGs(R.r10, WR.SaveDepth).loadGs(R.r11, TEB.Self).addRR(R.r11, R.r10);
  for (let i = 0; i < 10; i++) a.movdquLoad(6 + i, R.r11, at + SAVED.Xmm6 + 16 * i);
  a.load(R.rdi, R.r11, at + SAVED.Rdi);
  a.load(R.rsi, R.r11, at + SAVED.Rsi);
  a.addImm(R.r10, SAVE_AREA).storeGs(WR.SaveDepth, R.r10); // pop the save area
  a.popGs(WR.GuestRsp);
  a.pop(R.r11);
  a.storeGsImm32(WR.InGuest, 1);
  a.movRR(R.rsp, R.r11); // back on the guest stack
  a.movqLoadGs(0, WR.RetXmm0); // float/double result (xmm0 is volatile otherwise)
  a.ret();
  a.bind(resume);
  emitResume(a);
}

/**
 * The "resume at CONTEXT" exit (DESIGN.md §2): JS never leaves its frames by a jump; an
 * implementation that must continue elsewhere (exceptions, longjmp, NtContinue) stores a
 * CONTEXT address in WR.ResumeContext and returns normally. Here, still on the host stack, the
 * thunk frame is dropped and every register is loaded from that CONTEXT; the last two values
 * (RIP, R11) are pushed below the target RSP, which is free stack by the ABI.
 */
function emitResume(a: Asm): void {
  a.loadGs(R.r10, WR.SaveDepth).addImm(R.r10, SAVE_AREA).storeGs(WR.SaveDepth, R.r10); // pop the save area
  a.popGs(WR.GuestRsp); // the outer thunk's value, as on the normal path
  a.pop(R.r11); // the guest rsp of this call: not needed
  a.storeGsImm32(WR.InGuest, 1);
  a.loadGs(R.r11, WR.ResumeContext);
  a.xorRR32(R.rax, R.rax).storeGs(WR.ResumeContext, R.rax);
  emitLoadContext(a);
}

/** Continues at the CONTEXT at R11: flags, MXCSR, XMM0–15 and every integer register from it;
 *  RIP and R11 are pushed below the target RSP (free stack by the ABI) and popped last. */
export function emitLoadContext(a: Asm): void {
  a.load32(R.rax, R.r11, CONTEXT.EFlags).push(R.rax).popfq();
  a.ldmxcsr(R.r11, CONTEXT.MxCsr);
  for (let i = 0; i < 16; i++) a.movdquLoad(i, R.r11, CONTEXT.Xmm0 + 16 * i);
  const gprs: [R, number][] = [
    [R.rax, CONTEXT.Rax], [R.rcx, CONTEXT.Rcx], [R.rdx, CONTEXT.Rdx], [R.rbx, CONTEXT.Rbx], [R.rbp, CONTEXT.Rbp],
    [R.rsi, CONTEXT.Rsi], [R.rdi, CONTEXT.Rdi], [R.r8, CONTEXT.R8], [R.r9, CONTEXT.R9], [R.r10, CONTEXT.R10],
    [R.r12, CONTEXT.R12], [R.r13, CONTEXT.R13], [R.r14, CONTEXT.R14], [R.r15, CONTEXT.R15],
  ];
  for (const [r, off] of gprs) a.load(r, R.r11, off);
  a.load(R.rsp, R.r11, CONTEXT.Rsp);
  a.pushMem(R.r11, CONTEXT.Rip);
  a.pushMem(R.r11, CONTEXT.R11);
  a.pop(R.r11);
  a.ret();
}

/**
 * call_guest(fn, rsp): System V → Microsoft x64. JS has written the arguments at [rsp]
 * (rsp 16-byte aligned, at least 4 slots: the home area); the first four go in
 * RCX/RDX/R8/R9 and XMM0–3. Returns RAX; XMM0 lands in WR.RetXmm0.
 */
function emitCallGuest(a: Asm, returnOffset: { value: number }): void {
  a.push(R.rbp);
  a.movRR(R.rbp, R.rsp);
  a.push(R.rbx).push(R.r12).push(R.r13).push(R.r14).push(R.r15);
  a.pushGs(WR.HostRsp); // nested calls: keep the outer host rsp
  a.storeGs(WR.HostRsp, R.rsp); // 16-byte aligned here
  a.movRR(R.rax, R.rdi);
  a.movRR(R.rsp, R.rsi);
  a.load(R.rcx, R.rsp, 0).load(R.rdx, R.rsp, 8).load(R.r8, R.rsp, 16).load(R.r9, R.rsp, 24);
  a.movqXmmR(0, R.rcx).movqXmmR(1, R.rdx).movqXmmR(2, R.r8).movqXmmR(3, R.r9);
  a.ldmxcsrGs(WR.GuestMxcsr); // the guest's floating-point environment for the callback
  a.storeGsImm32(WR.InGuest, 1);
  a.callR(R.rax);
  returnOffset.value = a.length; // where a guest function returns to (the unwinder resumes here)
  a.storeGsImm32(WR.InGuest, 0);
  a.movsdStoreGs(WR.RetXmm0, 0);
  a.stmxcsrGs(WR.GuestMxcsr).ldmxcsrGs(WR.HostMxcsr);
  a.loadGs(R.rsp, WR.HostRsp);
  a.popGs(WR.HostRsp);
  a.pop(R.r15).pop(R.r14).pop(R.r13).pop(R.r12).pop(R.rbx).pop(R.rbp);
  a.ret();
}

/** One export thunk: spill the register arguments into the home area (so all integer
 *  arguments form one array at guest RSP+8), save XMM0–3 when the export takes floating
 *  point arguments, and jump to the dispatch stub with the export id in eax. A `ret` follows
 *  the jump (never reached by it): the export's return point, a CONTEXT RIP inside the export
 *  that returns to its caller when resumed (RaiseException's ExceptionAddress). */
export function emitThunk(a: Asm, id: number, floatArgs: boolean, stubAddr: number, codeBase: number): void {
  if (floatArgs) for (let i = 0; i < 4; i++) a.movsdStoreGs(WR.ArgXmm + 8 * i, i);
  a.store(R.rsp, 8, R.rcx).store(R.rsp, 16, R.rdx).store(R.rsp, 24, R.r8).store(R.rsp, 32, R.r9);
  a.movImm32(R.rax, id);
  a.jmpAbs(stubAddr, codeBase);
  a.ret();
}

/** Offset of the return point (the `ret`) in an ordinary export thunk, without and with the
 *  XMM argument stores (the thunk's length does not depend on its id or addresses). */
const THUNK_RETURN_OFFSETS = [false, true].map((floatArgs) => {
  const a = new Asm();
  emitThunk(a, 0, floatArgs, 0, 0);
  return a.length - 1;
});

export const thunkReturnOffset = (floatArgs: boolean): number => THUNK_RETURN_OFFSETS[floatArgs ? 1 : 0]!;

/** Offset of kernel32!RaiseException's return point from the export's address (its fast
 *  path comes before the thunk). */
export function raiseReturnOffset(): number {
  const a = new Asm();
  let at = 0;
  emitFastPath(a, 'RaiseException', () => {
    at = a.length;
    emitThunk(a, 0, false, 0, 0);
  });
  return at + thunkReturnOffset(false);
}

/** dst = the small size class of `size` bytes: max(ceil(size / 16), 1) - 1. */
function emitSizeClass(a: Asm, size: R, dst: R): void {
  const nonzero = new Label();
  a.lea(dst, size, 15).shrImm(dst, 4).testRR(dst, dst).jcc(5, nonzero).movImm32(dst, 1).bind(nonzero).dec(dst);
}

/** Machine code for a fast-path export; `slowThunk` handles cases it does not (TLS
 *  indexes beyond the TEB's 64 slots). */
export function emitFastPath(a: Asm, kind: NativeFastPath, slowThunk: () => void, env: FastPathEnv = {}): void {
  switch (kind) {
    case '_setjmp':
      // _setjmp(jmp_buf, frame): the caller's callee-saved state into _JUMP_BUFFER (setjmp.h):
      // Frame, Rbx, Rsp, Rbp, Rsi, Rdi, R12-R15, Rip, MxCsr, FpCsr, Xmm6-15. Returns 0.
      a.store(R.rcx, 0, R.rdx).store(R.rcx, 8, R.rbx).lea(R.rax, R.rsp, 8).store(R.rcx, 16, R.rax);
      a.store(R.rcx, 24, R.rbp).store(R.rcx, 32, R.rsi).store(R.rcx, 40, R.rdi);
      a.store(R.rcx, 48, R.r12).store(R.rcx, 56, R.r13).store(R.rcx, 64, R.r14).store(R.rcx, 72, R.r15);
      a.load(R.rax, R.rsp, 0).store(R.rcx, 80, R.rax);
      a.stmxcsr(R.rcx, 88).fnstcw(R.rcx, 92);
      for (let i = 0; i < 10; i++) a.movdquStore(R.rcx, 96 + 16 * i, 6 + i);
      a.xorRR32(R.rax, R.rax).ret();
      return;
    case 'HeapAlloc':
    case 'malloc': {
      // Small requests pop their size class's free list; empty lists, large sizes, flags other
      // than HEAP_NO_SERIALIZE, an invalid heap and lock contention all go to JS.
      const slow = new Label();
      const unlock = new Label();
      const [heap, size] = kind === 'malloc' ? [R.r11, R.rcx] : [R.rcx, R.r8];
      if (kind === 'malloc') a.movImm64(R.r11, env.processHeap!);
      else a.testImm32(R.rdx, ~1).jcc(5, slow);
      a.cmpImm64(size, SMALL_MAX).jcc(7, slow); // ja: unsigned, all 64 bits
      a.movImm64(R.rax, HEAP_MAGIC).cmpMem(R.rax, heap, 0).jcc(5, slow);
      emitSizeClass(a, size, R.r9);
      a.lockBts(heap, HEAP_LOCK, 0).jcc(2, slow); // jc: held elsewhere
      a.loadIndexed(R.rax, heap, R.r9, HEAP_SMALL_LISTS).testRR(R.rax, R.rax).jcc(4, unlock);
      a.load(R.r10, R.rax, 0).storeIndexed(heap, R.r9, HEAP_SMALL_LISTS, R.r10);
      a.movRR(R.r10, size).shlImm(R.r10, 4).orImm8(R.r10, FLAG_IN_USE).store(R.rax, -16, R.r10);
      a.storeImm32(heap, HEAP_LOCK, 0).ret();
      a.bind(unlock).storeImm32(heap, HEAP_LOCK, 0);
      a.bind(slow);
      slowThunk();
      return;
    }
    case 'HeapFree':
    case 'free': {
      // A live small block of this heap goes back on its class list. Small blocks always lie
      // in the heap's own region, so the range check makes reading the header safe; anything
      // else (NULL, large, freed, foreign, wild) is JS's to judge.
      const slow = new Label();
      const [heap, p] = kind === 'free' ? [R.r11, R.rcx] : [R.rcx, R.r8];
      if (kind === 'free') a.movImm64(R.r11, env.processHeap!);
      a.testLowByte(p, 15).jcc(5, slow);
      a.movImm64(R.rax, HEAP_MAGIC).cmpMem(R.rax, heap, 0).jcc(5, slow);
      a.cmpRR(p, heap).jcc(6, slow); // jbe: below the heap (or NULL)
      a.cmpMem(p, heap, 16).jcc(3, slow); // jae: at or past its end
      a.movImm64(R.r10, BLOCK_MAGIC).xorRR(R.r10, heap).cmpMem(R.r10, p, -8).jcc(5, slow);
      a.load(R.rax, p, -16);
      a.testLowByte(R.rax, FLAG_IN_USE).jcc(4, slow).testLowByte(R.rax, FLAG_LARGE).jcc(5, slow);
      a.movRR(R.r9, R.rax).shrImm(R.r9, 4);
      a.cmpImm64(R.r9, SMALL_MAX).jcc(7, slow);
      emitSizeClass(a, R.r9, R.r9);
      a.lockBts(heap, HEAP_LOCK, 0).jcc(2, slow);
      a.andImm8(R.rax, -2).store(p, -16, R.rax);
      a.loadIndexed(R.r10, heap, R.r9, HEAP_SMALL_LISTS).store(p, 0, R.r10).storeIndexed(heap, R.r9, HEAP_SMALL_LISTS, p);
      a.storeImm32(heap, HEAP_LOCK, 0);
      if (kind === 'HeapFree') a.movImm32(R.rax, 1);
      a.ret();
      a.bind(slow);
      slowThunk();
      return;
    }
    case 'fputc': {
      // fputc(c, FILE*) into a stream in write mode with room in its buffer: what the putc
      // macro does (msvcrt FILE: _ptr +0, _cnt +8, _flag +24; _IOWRT = 2). Everything else
      // (no buffer, full, console write-through, wrong mode, NULL) goes to JS.
      const slow = new Label();
      a.testRR(R.rdx, R.rdx).jcc(4, slow);
      a.load32(R.rax, R.rdx, 24).testImm32(R.rax, 2).jcc(4, slow);
      a.load32(R.r9, R.rdx, 8).testRR32(R.r9, R.r9).jcc(0xe, slow); // jle
      a.dec(R.r9).store32(R.rdx, 8, R.r9);
      a.load(R.rax, R.rdx, 0).storeByte(R.rax, 0, R.rcx).inc(R.rax).store(R.rdx, 0, R.rax);
      a.movRR32(R.rax, R.rcx).andImm32(R.rax, 0xff).ret();
      a.bind(slow);
      slowThunk();
      return;
    }
    case 'fgetc': {
      // fgetc(FILE*) from a stream in read mode with bytes left in its buffer (_IOREAD = 1).
      const slow = new Label();
      a.testRR(R.rcx, R.rcx).jcc(4, slow);
      a.load32(R.rax, R.rcx, 24).testImm32(R.rax, 1).jcc(4, slow);
      a.load32(R.r9, R.rcx, 8).testRR32(R.r9, R.r9).jcc(0xe, slow);
      a.dec(R.r9).store32(R.rcx, 8, R.r9);
      a.load(R.rdx, R.rcx, 0).xorRR32(R.r10, R.r10).movzxByte(R.rax, R.rdx, R.r10).inc(R.rdx).store(R.rcx, 0, R.rdx).ret();
      a.bind(slow);
      slowThunk();
      return;
    }
    case 'EnterCriticalSection': {
      // RTL_CRITICAL_SECTION: LockCount +8 (-1 free), RecursionCount +12, OwningThread +16.
      // A free section is taken with one compare-exchange; the owner entering again adds a
      // level (LockCount and RecursionCount + 1); contention goes to JS.
      const slow = new Label();
      const again = new Label();
      a.loadGs32(R.r9, TEB.ClientIdUniqueThread).cmpMem(R.r9, R.rcx, 16).jcc(4, again);
      a.movSx32(R.rax, -1).xorRR32(R.rdx, R.rdx).lockCmpxchg32(R.rcx, 8, R.rdx).jcc(5, slow);
      a.store(R.rcx, 16, R.r9).movImm32(R.rdx, 1).store32(R.rcx, 12, R.rdx).ret();
      a.bind(again);
      a.raw(0xf0, 0x83, 0x41, 8, 1); // lock add dword [rcx+8], 1
      a.raw(0x83, 0x41, 12, 1); // add dword [rcx+12], 1
      a.ret();
      a.bind(slow);
      slowThunk();
      return;
    }
    case 'LeaveCriticalSection': {
      // The owner leaving its last level with nobody waiting: LockCount 0 → -1; leaving an
      // inner level: RecursionCount and LockCount − 1. A waiter to wake goes to JS.
      const slow = new Label();
      const restore = new Label();
      const inner = new Label();
      a.load32(R.rax, R.rcx, 12).cmpImm32(R.rax, 1).jcc(5, inner);
      a.loadGs32(R.r9, TEB.ClientIdUniqueThread).cmpMem(R.r9, R.rcx, 16).jcc(5, slow);
      a.xorRR32(R.rax, R.rax).store(R.rcx, 16, R.rax).store32(R.rcx, 12, R.rax);
      a.movSx32(R.rdx, -1).lockCmpxchg32(R.rcx, 8, R.rdx).jcc(5, restore).ret();
      a.bind(restore).store(R.rcx, 16, R.r9).movImm32(R.rdx, 1).store32(R.rcx, 12, R.rdx);
      a.jmp(slow);
      a.bind(inner).jcc(2, slow); // RecursionCount 0: not entered
      a.loadGs32(R.r9, TEB.ClientIdUniqueThread).cmpMem(R.r9, R.rcx, 16).jcc(5, slow);
      a.raw(0x83, 0x69, 12, 1); // sub dword [rcx+12], 1
      a.raw(0xf0, 0x83, 0x69, 8, 1); // lock sub dword [rcx+8], 1
      a.ret();
      a.bind(slow);
      slowThunk();
      return;
    }
    case 'ReadFile':
    case 'WriteFile':
    case 'FindNextFileA':
    case 'FindNextFileW':
      emitIoFastPath(a, kind, env.io, slowThunk);
      return;
    case 'RaiseException':
    case 'RtlUnwindEx':
    case '_CxxThrowException': {
      // The thread's exception core (native/exccore.ts), once JS has made it, at this export's
      // entry, with R10 the JS path and, for RaiseException, R11 the export's return point
      // (the ExceptionAddress).
      const slow = new Label();
      a.loadGs(R.rax, WR.ExcCore).testRR(R.rax, R.rax).jcc(4, slow);
      a.leaRip(R.r10, slow);
      if (kind === 'RaiseException') a.lea(R.r11, R.r10, thunkReturnOffset(false));
      else a.addImm(R.rax, kind === 'RtlUnwindEx' ? EXC_CORE_UNWIND_ENTRY : EXC_CORE_CXX_THROW_ENTRY);
      a.jmpR(R.rax);
      a.bind(slow);
      slowThunk();
      return;
    }
    case '_errno':
      // The per-thread errno lives in the TEB's winrun block.
      a.loadGs(R.rax, TEB.Self).addImm(R.rax, WR.Errno).ret();
      return;
    case 'GetLastError':
      a.loadGs32(R.rax, TEB.LastErrorValue).ret();
      return;
    case 'SetLastError':
      a.storeGs32(TEB.LastErrorValue, R.rcx).ret();
      return;
    case 'GetCurrentThreadId':
      a.loadGs32(R.rax, TEB.ClientIdUniqueThread).ret();
      return;
    case 'GetCurrentProcessId':
      a.loadGs32(R.rax, TEB.ClientIdUniqueProcess).ret();
      return;
    case 'GetCurrentProcess':
      a.movSx32(R.rax, -1).ret();
      return;
    case 'GetCurrentThread':
      a.movSx32(R.rax, -2).ret();
      return;
    case 'TlsGetValue': {
      // Windows sets the last error to ERROR_SUCCESS on success (the value may be 0).
      const slow = new Label();
      a.cmpImm32(R.rcx, TLS_MINIMUM_AVAILABLE);
      a.jcc(3, slow); // jae
      a.movRR32(R.rcx, R.rcx); // zero-extend the DWORD index
      a.loadGsIndexed(R.rax, TEB.TlsSlots, R.rcx);
      a.storeGsImm32(TEB.LastErrorValue, 0);
      a.ret();
      a.bind(slow);
      slowThunk();
      return;
    }
    case 'memcpy':
    case 'memmove': {
      // memmove semantics for both (msvcrt's memcpy tolerates overlap too). RSI and RDI are
      // callee-saved in the Microsoft ABI: keep them in R9/R10 meanwhile.
      const backward = new Label();
      a.movRR(R.rax, R.rcx).movRR(R.r9, R.rdi).movRR(R.r10, R.rsi);
      a.movRR(R.rdi, R.rcx).movRR(R.rsi, R.rdx).movRR(R.rcx, R.r8);
      a.movRR(R.r11, R.rdi).subRR(R.r11, R.rsi).cmpRR(R.r11, R.rcx).jcc(2, backward); // dst - src < n: overlap
      a.repMovsb().movRR(R.rdi, R.r9).movRR(R.rsi, R.r10).ret();
      a.bind(backward);
      a.leaIndexed(R.rsi, R.rsi, R.rcx, -1).leaIndexed(R.rdi, R.rdi, R.rcx, -1);
      a.std().repMovsb().cld().movRR(R.rdi, R.r9).movRR(R.rsi, R.r10).ret();
      return;
    }
    case 'memset':
      a.movRR(R.r9, R.rdi).movRR(R.r11, R.rcx).movRR(R.rdi, R.rcx).movRR32(R.rax, R.rdx).movRR(R.rcx, R.r8);
      a.repStosb().movRR(R.rax, R.r11).movRR(R.rdi, R.r9).ret();
      return;
    case 'strlen': {
      const loop = new Label();
      const done = new Label();
      a.xorRR32(R.rax, R.rax).bind(loop);
      a.movzxByte(R.rdx, R.rcx, R.rax).testRR32(R.rdx, R.rdx).jcc(4, done).inc(R.rax).jmp(loop);
      a.bind(done).ret();
      return;
    }
    case 'strcmp':
    case 'memcmp': {
      // Returns -1, 0 or 1 as msvcrt does. RAX indexes both strings; for memcmp R8 is the count.
      const loop = new Label();
      const differ = new Label();
      const equal = new Label();
      const out = new Label();
      a.xorRR32(R.r11, R.r11).bind(loop);
      if (kind === 'memcmp') a.cmpRR(R.r11, R.r8).jcc(3, equal); // jae: all n bytes equal
      a.movzxByte(R.rax, R.rcx, R.r11).movzxByte(R.r9, R.rdx, R.r11).subRR32(R.rax, R.r9).jcc(5, differ);
      if (kind === 'strcmp') a.testRR32(R.r9, R.r9).jcc(4, equal);
      a.inc(R.r11).jmp(loop);
      a.bind(differ).movImm32(R.rax, 1).jcc(0xf, out).movSx32(R.rax, -1).bind(out).ret(); // jg keeps 1
      a.bind(equal).xorRR32(R.rax, R.rax).ret();
      return;
    }
    case 'TlsSetValue': {
      const slow = new Label();
      a.cmpImm32(R.rcx, TLS_MINIMUM_AVAILABLE);
      a.jcc(3, slow);
      a.movRR32(R.rcx, R.rcx);
      a.storeGsIndexed(TEB.TlsSlots, R.rcx, R.rdx);
      a.movImm32(R.rax, 1);
      a.ret();
      a.bind(slow);
      slowThunk();
      return;
    }
  }
}

export type Dispatcher = (id: number) => number | bigint;

const DispatchProto = koffi.proto('uint64_t WinrunDispatch(int id)');
const CallGuestProto = koffi.proto('uint64_t WinrunCallGuest(uint64_t fn, uint64_t rsp)');

/** The addresses of the process's runtime code (plain data: it crosses to Workers). */
export interface EngineCode {
  readonly stubAddr: number;
  readonly callGuestAddr: number;
  readonly callGuestReturn: number;
  readonly codeEnd: number;
  readonly trampolineFunction: { readonly imageBase: number; readonly entry: number };
}

/** The process-wide runtime code (dispatch stub, call-guest trampoline). */
export class Engine {
  readonly stubAddr: number;
  readonly callGuestAddr: number;
  /** The instruction in call_guest right after it called the guest. */
  readonly callGuestReturn: number;
  private readonly codeEnd: number;
  /** A RUNTIME_FUNCTION covering call_guest (with empty UNWIND_INFO), so that a guest's own
   *  stack walk finds a function where guest code returns into the trampoline; winrun's
   *  RtlVirtualUnwind then steps across the JS frames there. */
  readonly trampolineFunction: { readonly imageBase: number; readonly entry: number };
  private readonly callGuestFn: (fn: number, rsp: number) => number | bigint;
  /** The koffi callbacks of this realm's dispatchers, by address. */
  private readonly dispatchers = new Map<number, ReturnType<typeof koffi.register>>();

  constructor(
    readonly mem: AddressSpace,
    existing?: EngineCode,
  ) {
    if (existing) {
      // A further thread's realm: the runtime code exists already (one copy per process).
      this.stubAddr = existing.stubAddr;
      this.callGuestAddr = existing.callGuestAddr;
      this.callGuestReturn = existing.callGuestReturn;
      this.codeEnd = existing.codeEnd;
      this.trampolineFunction = existing.trampolineFunction;
      this.callGuestFn = koffi.decode(this.callGuestAddr, CallGuestProto) as (fn: number, rsp: number) => number | bigint;
      return;
    }
    const a = new Asm();
    emitDispatchStub(a);
    a.align(16);
    const callGuestOff = a.length;
    const returnOffset = { value: 0 };
    emitCallGuest(a, returnOffset);
    const callGuestEnd = a.length;
    a.align(4);
    const entryOff = a.length;
    // RUNTIME_FUNCTION {BeginAddress, EndAddress, UnwindData}, then UNWIND_INFO version 1 with
    // no codes (the data is never executed: it follows the code on the same page).
    const data = new DataView(new ArrayBuffer(16));
    data.setUint32(0, callGuestOff, true);
    data.setUint32(4, callGuestEnd, true);
    data.setUint32(8, entryOff + 12, true);
    data.setUint8(12, 1);
    a.raw(...new Uint8Array(data.buffer));
    const base = mem.placeCode(a.bytes());
    this.stubAddr = base;
    this.callGuestAddr = base + callGuestOff;
    this.callGuestReturn = base + returnOffset.value;
    this.codeEnd = base + callGuestEnd;
    this.trampolineFunction = { imageBase: base, entry: base + entryOff };
    // A function bound once: koffi.call(pointer, proto, …) resolves the prototype on every call
    // (~180 ns here against ~40 ns for the bound function).
    this.callGuestFn = koffi.decode(this.callGuestAddr, CallGuestProto) as (fn: number, rsp: number) => number | bigint;
  }

  /** Where the runtime code lies, for another thread's Engine over the same code. */
  code(): EngineCode {
    return { stubAddr: this.stubAddr, callGuestAddr: this.callGuestAddr, callGuestReturn: this.callGuestReturn, codeEnd: this.codeEnd, trampolineFunction: this.trampolineFunction };
  }

  /** Whether `addr` is in winrun's own runtime code (the stub or the trampoline). */
  ownsCode(addr: number): boolean {
    return addr >= this.stubAddr && addr < this.codeEnd;
  }

  /**
   * An entry into export `id` that leaves the guest stack alone (an export thunk spills the
   * argument registers into the caller's home area): where a guest fault resumes, since the
   * faulting RSP may point at a guard page.
   */
  faultEntry(id: number): number {
    const a = new Asm();
    a.movImm32(R.rax, id).movImm64(R.r11, this.stubAddr).jmpR(R.r11);
    return this.mem.placeCode(a.bytes());
  }

  /** Registers `fn` as this thread's dispatcher (one koffi callback per thread). */
  registerDispatcher(fn: Dispatcher): number {
    const cb = koffi.register(fn, koffi.pointer(DispatchProto));
    const addr = Number(koffi.address(cb));
    this.dispatchers.set(addr, cb);
    return addr;
  }

  /** Frees a dispatcher's callback once its thread has ended (a Worker runs many threads). */
  unregisterDispatcher(addr: number): void {
    const cb = this.dispatchers.get(addr);
    if (cb === undefined) return;
    this.dispatchers.delete(addr);
    koffi.unregister(cb);
  }

  /** Points GS at the thread's TEB. */
  enterThread(teb: number): void {
    setGsBase(teb);
  }

  /** Runs guest code at `fn` on the guest stack prepared at `rsp`; returns RAX. */
  callGuest(fn: number, rsp: number): bigint {
    const r = this.callGuestFn(fn, rsp);
    return BigInt(r);
  }
}
