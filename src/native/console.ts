/**
 * The terminal side of the console: termios and window size through ioctl on buffers in the
 * console block (guest memory), and the machine-code signal handlers behind Ctrl-C and
 * restoring the terminal (DESIGN.md §6: no JS ever runs inside a signal handler).
 *
 * SIGINT/SIGQUIT/SIGTERM/SIGHUP become console control events. With no HandlerRoutine
 * registered the handler restores the terminal and ends the process with
 * STATUS_CONTROL_C_EXIT at once (a program in a loop without API calls still stops); with
 * handlers it only marks the event pending, and the dispatcher runs them at the next API call.
 * The crash handler (SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT), armed once the terminal's
 * settings change, restores them, puts back the signal's previous action and returns: the
 * faulting instruction runs again into that action (Node's, or the default).
 */
import { Asm, Label } from './emitter.js';
import { libcSyscall3, libcSyscall4 } from './ffi.js';
import { CONSOLE } from './layout.js';
import { type AddressSpace } from './memory.js';

const SYS_ioctl = 16;
const SYS_rt_sigaction = 13;
const SYS_rt_sigreturn = 15;
const SYS_exit_group = 231;
const TCGETS = 0x5401;
const TCSETS = 0x5402;
const TIOCGWINSZ = 0x5413;
const SA_RESTORER = 0x04000000;
const SA_RESTART = 0x10000000;
export const STATUS_CONTROL_C_EXIT = 0xc000013a;

/** Signal → console control event (CTRL_C_EVENT 0, CTRL_BREAK_EVENT 1, CTRL_CLOSE_EVENT 2). */
export const CTRL_SIGNALS: readonly (readonly [signal: number, event: number])[] = [
  [2, 0], // SIGINT
  [3, 1], // SIGQUIT (Ctrl-\): the nearest thing to Ctrl-Break
  [15, 2], // SIGTERM
  [1, 2], // SIGHUP: the terminal went away, like closing the console window
];
// SIGABRT; the faults (SIGSEGV, SIGILL, SIGBUS, SIGFPE, SIGTRAP) have native/faults.ts, which
// restores the terminal itself.
const CRASH_SIGNALS = [6];

/** Kernel struct termios (asm-generic): c_lflag at 12, c_iflag at 0, c_cc at 17. */
export const TERMIOS = { Iflag: 0, Oflag: 4, Cflag: 8, Lflag: 12, Cc: 17, Size: 36 } as const;
export const TERMIOS_FLAGS = { ISIG: 0x1, ICANON: 0x2, ECHO: 0x8, ECHOE: 0x10, ECHOK: 0x20, ECHONL: 0x40, ICRNL: 0x100, IXON: 0x400, VTIME: 5, VMIN: 6 } as const;

/** Reads the terminal settings of `fd` into guest memory at `addr`. */
export function tcgets(fd: number, addr: number): boolean {
  return libcSyscall3(SYS_ioctl, fd, TCGETS, addr) === 0;
}

export function tcsets(fd: number, addr: number): boolean {
  return libcSyscall3(SYS_ioctl, fd, TCSETS, addr) === 0;
}

/** struct winsize { rows, cols, xpixel, ypixel } (u16 each) at `addr`. */
export function winsize(fd: number, addr: number): boolean {
  return libcSyscall3(SYS_ioctl, fd, TIOCGWINSZ, addr) === 0;
}

function sigaction(sig: number, act: number, old: number): boolean {
  return libcSyscall4(SYS_rt_sigaction, sig, act, old, 8) === 0;
}

function consoleDisp(v: number): number {
  if (v > 0x7f) throw new Error('console block offset needs a disp8');
  return v;
}

/** Machine code: if the terminal's settings were changed (Raw), put them back. Expects
 *  rax = the console block; leaves rax = block and keeps rdi. */
export function emitRestoreTerminal(a: Asm, block: number): void {
  const disp = consoleDisp;
  const skip = new Label();
  a.raw(0x83, 0x78, disp(CONSOLE.Raw), 0x00); // cmp dword [rax+Raw], 0
  a.jcc(4, skip);
  a.raw(0xc7, 0x40, disp(CONSOLE.Raw), 0, 0, 0, 0); // mov dword [rax+Raw], 0
  a.raw(0x57); // push rdi
  a.raw(0x8b, 0x78, disp(CONSOLE.TermFd)); // mov edi, [rax+TermFd]
  a.raw(0x48, 0x8d, 0x50, disp(CONSOLE.Saved)); // lea rdx, [rax+Saved]
  a.raw(0xbe, ...u32(TCSETS)); // mov esi, TCSETS
  a.raw(0xb8, ...u32(SYS_ioctl)); // mov eax, SYS_ioctl
  a.raw(0x0f, 0x05); // syscall
  a.raw(0x5f); // pop rdi
  a.raw(0x48, 0xb8, ...u64(block)); // movabs rax, block (the syscall's result replaced it)
  a.bind(skip);
}

/** The handlers' machine code for a console block at `block`, with each entry's offset. */
export function signalHandlerCode(block: number): { code: Uint8Array; ctrl: Map<number, number>; crash: number; restorer: number } {
  const a = new Asm();
  const disp = consoleDisp;
  const restoreTerminal = (): void => emitRestoreTerminal(a, block);
  const ctrl = new Map<number, number>();
  for (const [sig, event] of CTRL_SIGNALS) {
    ctrl.set(sig, a.length);
    a.raw(0x48, 0xb8, ...u64(block)); // movabs rax, block
    if (event === 0) {
      const handled = new Label();
      a.raw(0x83, 0x78, disp(CONSOLE.IgnoreCtrlC), 0x00); // cmp dword [rax+IgnoreCtrlC], 0
      a.jcc(4, handled);
      a.ret(); // ignored
      a.bind(handled);
    }
    const fallback = new Label();
    a.raw(0x83, 0x78, disp(CONSOLE.HandlerCount), 0x00); // cmp dword [rax+HandlerCount], 0
    a.jcc(4, fallback);
    a.raw(0xf0, 0x83, 0x48, disp(CONSOLE.Pending), 1 << event); // lock or dword [rax+Pending], bit
    a.ret();
    a.bind(fallback);
    restoreTerminal();
    a.raw(0xbf, ...u32(STATUS_CONTROL_C_EXIT)); // mov edi, STATUS_CONTROL_C_EXIT
    a.raw(0xb8, ...u32(SYS_exit_group)); // mov eax, SYS_exit_group
    a.raw(0x0f, 0x05); // syscall
    a.int3();
  }
  a.align(16);
  const crash = a.length;
  a.raw(0x48, 0xb8, ...u64(block)); // movabs rax, block
  restoreTerminal();
  // rt_sigaction(sig, block + OldActions + 32 * sig, NULL, 8)
  a.raw(0x48, 0xbe, ...u64(block + CONSOLE.OldActions)); // movabs rsi, old actions
  a.raw(0x89, 0xf9); // mov ecx, edi
  a.raw(0xc1, 0xe1, 0x05); // shl ecx, 5
  a.raw(0x48, 0x01, 0xce); // add rsi, rcx
  a.raw(0x31, 0xd2); // xor edx, edx
  a.raw(0x41, 0xba, ...u32(8)); // mov r10d, 8
  a.raw(0xb8, ...u32(SYS_rt_sigaction)); // mov eax, SYS_rt_sigaction
  a.raw(0x0f, 0x05); // syscall
  a.raw(0xc3); // ret: the instruction faults again into the previous action
  a.align(16);
  const restorer = a.length;
  a.raw(0xb8, ...u32(SYS_rt_sigreturn)); // mov eax, SYS_rt_sigreturn
  a.raw(0x0f, 0x05); // syscall
  a.int3();
  return { code: a.bytes(), ctrl, crash, restorer };
}

/** Emits the handlers into executable memory; returns their addresses. */
function emit(mem: AddressSpace, block: number): { ctrl: Map<number, number>; crash: number; restorer: number } {
  const { code, ctrl, crash, restorer } = signalHandlerCode(block);
  const base = mem.placeCode(code);
  return { ctrl: new Map([...ctrl].map(([s, off]) => [s, base + off])), crash: base + crash, restorer: base + restorer };
}

export function u32(v: number): number[] {
  return [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
}

export function u64(v: number): number[] {
  return [...u32(v % 0x100000000), ...u32(Math.floor(v / 0x100000000))];
}

/** The console's signal handlers for one process. */
export class ConsoleSignals {
  private readonly code: { ctrl: Map<number, number>; crash: number; restorer: number };
  private crashArmed = false;

  constructor(
    private readonly mem: AddressSpace,
    private readonly block: number,
  ) {
    this.code = emit(mem, block);
  }

  private install(sig: number, handler: number, old: number): boolean {
    const act = this.block + CONSOLE.Action;
    this.mem.setU64(act, handler);
    this.mem.setU64(act + 8, SA_RESTORER | SA_RESTART);
    this.mem.setU64(act + 16, this.code.restorer);
    this.mem.setU64(act + 24, 0);
    return sigaction(sig, act, old);
  }

  /** Ctrl-C and friends become console control events from now on. */
  installCtrl(): void {
    for (const [sig, addr] of this.code.ctrl) this.install(sig, addr, 0);
  }

  /** Crashes restore the terminal (once its settings have been changed). */
  armCrashRestore(): void {
    if (this.crashArmed) return;
    this.crashArmed = true;
    for (const sig of CRASH_SIGNALS) this.install(sig, this.code.crash, this.block + CONSOLE.OldActions + 32 * sig);
  }

  /** Puts the terminal back as it was (process exit). */
  restoreTerminal(): void {
    const m = this.mem;
    if (m.u32(this.block + CONSOLE.Raw) === 0) return;
    m.setU32(this.block + CONSOLE.Raw, 0);
    tcsets(m.u32(this.block + CONSOLE.TermFd), this.block + CONSOLE.Saved);
  }
}
