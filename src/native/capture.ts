/**
 * The CONTEXT of an export's caller as machine code: what RtlCaptureContext would see just after
 * the export returned (RIP the return address, RSP above it, the non-volatile registers and
 * XMM6–15 from the dispatch stub's save area, Windows' segment selectors, flags and FPU
 * defaults, every other field zero). Every raise (RaiseException, _CxxThrowException) and
 * every RtlUnwindEx starts with one; as JS it was ~90 typed-array stores and copies, run in
 * V8's slow tiers for the first thousands of throws.
 *
 * The code touches only memory JS checked: the CONTEXT (writable), the return address's slot
 * (readable) and the save area (the thread block's).
 */
import { SAVE_AREA, SAVED } from './engine.js';
import { Asm, R } from './emitter.js';
import { koffi } from './ffi.js';
import { CONTEXT, CONTEXT_EFLAGS, CONTEXT_FULL_SEGMENTS, FPU_CONTROL_WORD, MXCSR_MASK, SEGMENTS } from './layout.js';
import { type AddressSpace } from './memory.js';

/** The non-volatile registers: CONTEXT offset, save-area offset. */
export const SAVED_TO_CONTEXT: readonly [number, number][] = [
  [CONTEXT.Rbx, SAVED.Rbx], [CONTEXT.Rbp, SAVED.Rbp], [CONTEXT.Rsi, SAVED.Rsi], [CONTEXT.Rdi, SAVED.Rdi],
  [CONTEXT.R12, SAVED.R12], [CONTEXT.R13, SAVED.R13], [CONTEXT.R14, SAVED.R14], [CONTEXT.R15, SAVED.R15],
];

const CaptureProto = koffi.proto('void WinrunCaptureCaller(uint64_t context, uint64_t saveArea, uint64_t guestRsp, uint32_t mxcsr)');

/** Emits `void capture(context, saveArea, guestRsp, mxcsr)` (System V: RDI, RSI, RDX, ECX). */
export function emitCaptureCaller(a: Asm): void {
  // R8 the CONTEXT, R9 the save area, R10 the guest RSP, R11 MXCSR.
  a.movRR(R.r8, R.rdi).movRR(R.r9, R.rsi).movRR(R.r10, R.rdx).movRR32(R.r11, R.rcx);
  emitFreshContext(a, R.r8, R.r11);
  a.load(R.rax, R.r10, 0).store(R.r8, CONTEXT.Rip, R.rax);
  a.lea(R.rax, R.r10, 8).store(R.r8, CONTEXT.Rsp, R.rax);
  for (const [at, from] of SAVED_TO_CONTEXT) a.load(R.rax, R.r9, from).store(R.r8, at, R.rax);
  for (let k = 0; k < 10; k++) a.movdquLoad(0, R.r9, SAVED.Xmm6 + 16 * k).movdquStore(R.r8, CONTEXT.Xmm0 + 16 * (6 + k), 0);
  a.ret();
}

/** Emits a fresh CONTEXT at `c` (a register other than RDI, which must hold the same address
 *  and ends past the CONTEXT; RAX and RCX are used): zeroed, with
 *  ContextFlags, Windows' segment selectors, EFLAGS, the x87 control word and the MXCSR in
 *  `mxcsr` (32 bits). */
export function emitFreshContext(a: Asm, c: R, mxcsr: R): void {
  a.xorRR32(R.rax, R.rax).movImm32(R.rcx, CONTEXT.Size).repStosb();
  a.storeImm32(c, CONTEXT.ContextFlags, CONTEXT_FULL_SEGMENTS);
  // Six 16-bit selectors from SegCs on, then EFlags: four 32-bit stores.
  a.storeImm32(c, CONTEXT.SegCs, SEGMENTS.Cs | (SEGMENTS.Ds << 16));
  a.storeImm32(c, CONTEXT.SegCs + 4, SEGMENTS.Es | (SEGMENTS.Fs << 16));
  a.storeImm32(c, CONTEXT.SegCs + 8, SEGMENTS.Gs | (SEGMENTS.Ss << 16));
  a.storeImm32(c, CONTEXT.EFlags, CONTEXT_EFLAGS);
  a.store32(c, CONTEXT.MxCsr, mxcsr);
  // FltSave: ControlWord (StatusWord stays 0), MxCsr at +24, MxCsr_Mask at +28.
  a.storeImm32(c, CONTEXT.FltSave, FPU_CONTROL_WORD);
  a.store32(c, CONTEXT.FltSave + 24, mxcsr);
  a.storeImm32(c, CONTEXT.FltSave + 28, MXCSR_MASK);
}

/** SAVED_TO_CONTEXT as word indices: CONTEXT word, save-area word, … */
const SAVED_WORDS = Int32Array.from(SAVED_TO_CONTEXT.flatMap(([at, from]) => [at / 4, from / 4]));

/** A fresh CONTEXT at `context`: zeroed, with ContextFlags, Windows' segment selectors and
 *  EFLAGS. */
export function initContext(mem: AddressSpace, context: number): void {
  mem.fill(context, 0, CONTEXT.Size);
  mem.setU32(context + CONTEXT.ContextFlags, CONTEXT_FULL_SEGMENTS);
  [SEGMENTS.Cs, SEGMENTS.Ds, SEGMENTS.Es, SEGMENTS.Fs, SEGMENTS.Gs, SEGMENTS.Ss].forEach((sel, k) => mem.setU16(context + CONTEXT.SegCs + 2 * k, sel));
  mem.setU32(context + CONTEXT.EFlags, CONTEXT_EFLAGS);
}

/** Loads the non-volatile registers and XMM6–15 an export call's caller had, from the dispatch
 *  stub's save area, into the CONTEXT at `context`. */
export function loadSavedRegisters(mem: AddressSpace, context: number, saveArea: number): void {
  // The save area lies in the thread block, the CONTEXT anywhere: each checked once, then word
  // by word (a typed-array copy of 40 words costs more in its call than the loop does).
  const s = mem.words(saveArea, SAVE_AREA);
  const d = mem.words(context, CONTEXT.Size, true);
  const su = s.u;
  const du = d.u;
  for (let k = 0; k < SAVED_WORDS.length; k += 2) {
    du[d.i + SAVED_WORDS[k]!] = su[s.i + SAVED_WORDS[k + 1]!]!;
    du[d.i + SAVED_WORDS[k]! + 1] = su[s.i + SAVED_WORDS[k + 1]! + 1]!;
  }
  const x = d.i + (CONTEXT.Xmm0 + 16 * 6) / 4;
  const from = s.i + SAVED.Xmm6 / 4;
  for (let k = 0; k < 40; k++) du[x + k] = su[from + k]!;
  mem.store(context, CONTEXT.Size, d);
}

/** The same CONTEXT written through JS: the capture when the machine code could not be had
 *  (no memory for it). */
export function captureCallerJs(mem: AddressSpace, context: number, saveArea: number, guestRsp: number, mxcsr: number): void {
  const ret = mem.u64(guestRsp);
  initContext(mem, context);
  mem.setU32(context + CONTEXT.MxCsr, mxcsr);
  mem.setU16(context + CONTEXT.FltSave, FPU_CONTROL_WORD);
  mem.setU32(context + CONTEXT.FltSave + 24, mxcsr);
  mem.setU32(context + CONTEXT.FltSave + 28, MXCSR_MASK);
  mem.setU64(context + CONTEXT.Rip, ret);
  mem.setU64(context + CONTEXT.Rsp, guestRsp + 8);
  loadSavedRegisters(mem, context, saveArea);
}

/** One thread's capture: the machine code, made on first use, or captureCallerJs. */
export class NativeCapture {
  private fn: ((context: number, saveArea: number, guestRsp: number, mxcsr: number) => void) | null = null;
  private failed = false;

  constructor(private readonly mem: AddressSpace) {}

  private setUp(): boolean {
    if (this.fn !== null) return true;
    if (this.failed) return false;
    try {
      const a = new Asm();
      emitCaptureCaller(a);
      this.fn = koffi.decode(this.mem.placeCode(a.bytes()), CaptureProto) as (context: number, saveArea: number, guestRsp: number, mxcsr: number) => void;
      return true;
    } catch {
      this.failed = true;
      return false;
    }
  }

  /** Fills the CONTEXT at `context` from the save area `saveArea` of an export call, the return
   *  address at `guestRsp` and `mxcsr`. The range checks are the caller's: the CONTEXT
   *  writable, the return address readable. */
  capture(context: number, saveArea: number, guestRsp: number, mxcsr: number): void {
    if (this.setUp()) this.fn!(context, saveArea, guestRsp, mxcsr);
    else captureCallerJs(this.mem, context, saveArea, guestRsp, mxcsr);
  }
}
