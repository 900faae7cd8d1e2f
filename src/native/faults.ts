/**
 * Hardware faults in guest code become Windows exceptions (DESIGN.md §6). The handler for
 * SIGSEGV, SIGBUS, SIGILL, SIGFPE and SIGTRAP is machine code running on a per-thread
 * sigaltstack; it never runs JS. For a fault in guest code (the thread's TEB says it is running
 * the guest: WR.InGuest) it copies the machine state into the thread's fault buffer (WR.Fault)
 * and changes the interrupted RIP to ntdll's KiUserExceptionDispatcher thunk: the thread leaves
 * the handler through sigreturn and enters JS the normal way, on its host stack.
 *
 * Every other fault is winrun's own (V8, koffi, the engine) or Node's: it goes to the handler
 * installed before (Node's WebAssembly trap handler, which either resumes the thread or resets
 * the signal to its default action). When nobody takes it, the handler restores the terminal,
 * prints one line naming the signal and address, and exits with winrun's internal-error status.
 */
import { Asm, Label, R } from './emitter.js';
import { libcSyscall3, libcSyscall4 } from './ffi.js';
import { emitRestoreTerminal, u32 } from './console.js';
import { CONSOLE, FAULT, GREG, SIGNAL_STACK_SIZE, TEB, WR } from './layout.js';
import { type AddressSpace } from './memory.js';

const SYS_rt_sigaction = 13;
const SYS_rt_sigreturn = 15;
const SYS_write = 1;
const SYS_sigaltstack = 131;
const SYS_arch_prctl = 158;
const SYS_gettid = 186;
const SYS_exit_group = 231;
const ARCH_GET_GS = 0x1004;
const SA_SIGINFO = 4;
const SA_ONSTACK = 0x08000000;
const SA_RESTORER = 0x04000000;
/** Status of a fault in winrun's own code (loader/errors.ts EXIT_INTERNAL_ERROR). */
const EXIT_INTERNAL_ERROR = 70;

/** SIGILL, SIGTRAP, SIGBUS, SIGFPE, SIGSEGV. */
export const FAULT_SIGNALS = [4, 5, 7, 8, 11] as const;

/** ucontext_t: uc_mcontext.gregs at 40, uc_mcontext.fpregs (pointer) at 224. */
const UC_GREGS = 40;
const UC_FPREGS = 224;
/** The x87 control word after FNINIT (Linux's default): every exception masked, 64-bit precision. */
const X87_HOST_CONTROL = 0x37f;
/** EFLAGS bits cleared before the thread enters the dispatcher: TF, DF, AC. */
const EFLAGS_CLEAR = 0x100 | 0x400 | 0x40000;

/** Stores `text` (ASCII) at [rsp + off] 8 bytes at a time through rax. */
function emitText(a: Asm, off: number, text: string): void {
  const bytes = new TextEncoder().encode(text.padEnd(Math.ceil(text.length / 8) * 8, ' '));
  for (let i = 0; i < bytes.length; i += 8) {
    let v = 0n;
    for (let k = 7; k >= 0; k--) v = (v << 8n) | BigInt(bytes[i + k]!);
    a.movImm64(R.rax, v).store(R.rsp, off + i, R.rax);
  }
}

/** The handler's machine code for a process whose console block is at `block`. */
export function faultHandlerCode(block: number): { code: Uint8Array; handler: number; restorer: number } {
  const a = new Asm();
  const host = new Label();
  const out = new Label();
  const internal = new Label();
  const handler = a.length;
  // Entry: rdi = signal, rsi = siginfo, rdx = ucontext; rsp ≡ 8 (mod 16).
  a.push(R.rbx).push(R.r12).push(R.r13).push(R.r14).push(R.r15);
  a.subImm(R.rsp, 48); // scratch; rsp 16-byte aligned
  a.movRR(R.r12, R.rdi).movRR(R.r13, R.rsi).movRR(R.r14, R.rdx);
  a.cld();
  // rbx = this thread's GS base; a guest thread's is its TEB.
  a.movImm32(R.rdi, ARCH_GET_GS).movRR(R.rsi, R.rsp).movImm32(R.rax, SYS_arch_prctl).raw(0x0f, 0x05);
  a.load(R.rbx, R.rsp, 0);
  a.testRR(R.rbx, R.rbx).jcc(4, host);
  a.cmpMem(R.rbx, R.rbx, TEB.Self).jcc(5, host);
  // Threads Node starts after GS was set inherit it: the TEB must name this very thread.
  a.movImm32(R.rax, SYS_gettid).raw(0x0f, 0x05);
  a.cmpMem(R.rax, R.rbx, WR.HostTid).jcc(5, host);
  a.raw(0x83, 0xbb, ...u32(WR.InGuest), 0x00); // cmp dword [rbx+InGuest], 0
  a.jcc(4, host);
  a.load(R.r15, R.rbx, WR.FaultEntry);
  a.testRR(R.r15, R.r15).jcc(4, host);
  // The fault buffer: registers, siginfo, FXSAVE image.
  a.lea(R.rsi, R.r14, UC_GREGS).lea(R.rdi, R.rbx, WR.Fault + FAULT.Gregs).movImm32(R.rcx, 23 * 8).repMovsb();
  a.movRR(R.rsi, R.r13).lea(R.rdi, R.rbx, WR.Fault + FAULT.Siginfo).movImm32(R.rcx, 0x30).repMovsb();
  const noFp = new Label();
  a.raw(0xc7, 0x83, ...u32(WR.Fault + FAULT.HaveFp), 0, 0, 0, 0); // mov dword [rbx+HaveFp], 0
  a.load(R.rsi, R.r14, UC_FPREGS).testRR(R.rsi, R.rsi).jcc(4, noFp);
  a.lea(R.rdi, R.rbx, WR.Fault + FAULT.FpState).movImm32(R.rcx, 512).repMovsb();
  a.raw(0xc7, 0x83, ...u32(WR.Fault + FAULT.HaveFp), 1, 0, 0, 0); // mov dword [rbx+HaveFp], 1
  // The guest's floating-point state stays in the fault buffer (the CONTEXT shows it); the
  // thread enters the dispatcher with the host's. An x87 exception left pending (the #MF of
  // an fwait is reported with ES still set) would otherwise trap again at the first x87
  // instruction in V8 or libc, and unmasked MXCSR exceptions would trap in JS code.
  a.load(R.rsi, R.r14, UC_FPREGS);
  a.storeImm32(R.rsi, 0, X87_HOST_CONTROL); // FCW (all exceptions masked), FSW = 0
  a.raw(0xc6, 0x46, 0x04, 0x00); // mov byte [rsi+4], 0: FTW, every register empty
  a.load32(R.rax, R.rbx, WR.HostMxcsr).store32(R.rsi, 24, R.rax);
  a.bind(noFp);
  // Resume in the dispatcher thunk, with the flags the ABI expects on a call.
  a.store(R.r14, UC_GREGS + 8 * GREG.RIP, R.r15);
  a.raw(0x49, 0x81, 0xa6, ...u32(UC_GREGS + 8 * GREG.EFL), ...u32(~EFLAGS_CLEAR >>> 0)); // and qword [r14+EFL], ~clear
  a.bind(out);
  a.addImm(R.rsp, 48);
  a.pop(R.r15).pop(R.r14).pop(R.r13).pop(R.r12).pop(R.rbx);
  a.ret();

  // Not the guest's: the terminal first, then whoever handled this signal before winrun.
  a.bind(host);
  a.movImm64(R.rax, block);
  emitRestoreTerminal(a, block);
  a.movImm64(R.r15, block + CONSOLE.OldActions).movRR(R.rax, R.r12).shlImm(R.rax, 5).raw(0x49, 0x01, 0xc7); // add r15, rax
  a.load(R.rax, R.r15, 0);
  a.raw(0x48, 0x83, 0xf8, 0x01); // cmp rax, 1 (SIG_DFL, SIG_IGN)
  a.jcc(6, internal); // jbe
  a.movRR(R.rdi, R.r12).movRR(R.rsi, R.r13).movRR(R.rdx, R.r14).callR(R.rax);
  // Node's handler resets the action to SIG_DFL when the fault is not a WebAssembly trap.
  a.movRR(R.rdi, R.r12).xorRR32(R.rsi, R.rsi).movRR(R.rdx, R.rsp).movImm32(R.r10, 8).movImm32(R.rax, SYS_rt_sigaction).raw(0x0f, 0x05);
  a.raw(0x48, 0x83, 0x3c, 0x24, 0x00); // cmp qword [rsp], 0
  a.jcc(5, out); // jne: it took the fault
  a.bind(internal);
  // "winrun: internal error: signal NN at 0x<rip> in winrun's own code\n" on the alt stack.
  a.subImm(R.rsp, 128);
  const prefix = 'winrun: internal error: signal ';
  emitText(a, 0, prefix); // 31 chars + pad → 32
  a.movRR32(R.rax, R.r12).raw(0x31, 0xd2).movImm32(R.rcx, 10).raw(0xf7, 0xf1); // xor edx,edx; div ecx
  a.raw(0x04, 0x30, 0x80, 0xc2, 0x30); // add al,'0'; add dl,'0'
  a.raw(0x88, 0x44, 0x24, 31, 0x88, 0x54, 0x24, 32); // mov [rsp+31], al; mov [rsp+32], dl
  emitText(a, 40, '0123456789abcdef');
  const suffix = " in winrun's own code (a bug in winrun)\n";
  emitText(a, 56, suffix);
  a.raw(0xc6, 0x44, 0x24, 33, 0x20, 0xc6, 0x44, 0x24, 34, 0x61, 0xc6, 0x44, 0x24, 35, 0x74); // " at"
  a.raw(0xc6, 0x44, 0x24, 36, 0x20, 0xc6, 0x44, 0x24, 37, 0x30, 0xc6, 0x44, 0x24, 38, 0x78); // " 0x"
  a.load(R.rax, R.r14, UC_GREGS + 8 * GREG.RIP);
  a.xorRR32(R.rcx, R.rcx);
  const digit = new Label();
  a.bind(digit);
  a.raw(0x48, 0xc1, 0xc0, 0x04); // rol rax, 4
  a.raw(0x89, 0xc2, 0x83, 0xe2, 0x0f); // mov edx, eax; and edx, 15
  a.raw(0x0f, 0xb6, 0x54, 0x14, 40); // movzx edx, byte [rsp+rdx+40]
  a.raw(0x88, 0x54, 0x0c, 96); // mov [rsp+rcx+96], dl
  a.raw(0xff, 0xc1, 0x83, 0xf9, 0x10); // inc ecx; cmp ecx, 16
  a.jcc(2, digit); // jb
  // The line: [0, 39) prefix, number and " at 0x"; [96, 112) the digits; then the suffix.
  for (const [buf, len] of [[0, 39], [96, 16], [56, suffix.length]] as const) {
    a.movImm32(R.rdi, 2).lea(R.rsi, R.rsp, buf).movImm32(R.rdx, len).movImm32(R.rax, SYS_write).raw(0x0f, 0x05);
  }
  a.movImm32(R.rdi, EXIT_INTERNAL_ERROR).movImm32(R.rax, SYS_exit_group).raw(0x0f, 0x05);
  a.int3();
  a.align(16);
  const restorer = a.length;
  a.movImm32(R.rax, SYS_rt_sigreturn).raw(0x0f, 0x05);
  a.int3();
  return { code: a.bytes(), handler, restorer };
}

/** The fault handlers of one process. */
export class FaultSignals {
  private readonly handler: number;
  private readonly restorer: number;

  constructor(
    private readonly mem: AddressSpace,
    private readonly block: number,
  ) {
    const { code, handler, restorer } = faultHandlerCode(block);
    const base = mem.placeCode(code);
    this.handler = base + handler;
    this.restorer = base + restorer;
  }

  /** Installs the handlers, keeping each signal's previous action in the console block. */
  install(): void {
    const act = this.block + CONSOLE.Action;
    for (const sig of FAULT_SIGNALS) {
      this.mem.setU64(act, this.handler);
      this.mem.setU64(act + 8, SA_SIGINFO | SA_ONSTACK | SA_RESTORER);
      this.mem.setU64(act + 16, this.restorer);
      this.mem.setU64(act + 24, 0);
      libcSyscall4(SYS_rt_sigaction, sig, act, this.block + CONSOLE.OldActions + 32 * sig, 8);
    }
  }

  /** Gives the calling thread a signal stack at `stack` (SIGNAL_STACK_SIZE bytes), unless it
   *  already has one. `scratch` is 24 bytes of guest memory for the stack_t. */
  static altStack(mem: AddressSpace, stack: number, scratch: number): void {
    mem.fill(scratch, 0, 24);
    libcSyscall3(SYS_sigaltstack, 0, scratch, 0);
    const SS_DISABLE = 2;
    if ((mem.u32(scratch + 8) & SS_DISABLE) === 0 && mem.u64(scratch + 16) !== 0n) return;
    mem.setU64(scratch, stack);
    mem.setU64(scratch + 8, 0);
    mem.setU64(scratch + 16, SIGNAL_STACK_SIZE);
    libcSyscall3(SYS_sigaltstack, scratch, 0, 0);
  }
}

