/**
 * Offsets in the x64 TEB that winrun fills (winternl.h / the documented NT_TIB), and winrun's
 * own per-thread block that follows the TEB (DESIGN.md §3: not in documented fields).
 */
export const TEB = {
  ExceptionList: 0x00,
  StackBase: 0x08,
  StackLimit: 0x10,
  SubSystemTib: 0x18,
  FiberData: 0x20,
  ArbitraryUserPointer: 0x28,
  Self: 0x30,
  EnvironmentPointer: 0x38,
  ClientIdUniqueProcess: 0x40,
  ClientIdUniqueThread: 0x48,
  ActiveRpcHandle: 0x50,
  ThreadLocalStoragePointer: 0x58,
  ProcessEnvironmentBlock: 0x60,
  LastErrorValue: 0x68,
  CountOfOwnedCriticalSections: 0x6c,
  CurrentLocale: 0x108,
  LastStatusValue: 0x1250,
  DeallocationStack: 0x1478,
  TlsSlots: 0x1480,
  TlsExpansionSlots: 0x1780,
  /** Fiber-local storage values of the thread (winrun: a heap array of FLS.Indexes). */
  FlsData: 0x17c8,
  /** sizeof(TEB) on Windows 10 x64. */
  Size: 0x1838,
} as const;

/** Number of TlsSlots in the TEB itself. */
export const TLS_MINIMUM_AVAILABLE = 64;

/** winrun's per-thread block: TEB + WR_BLOCK. */
export const WR_BLOCK = 0x2000;
export const WR = {
  /** Host (koffi) stack pointer saved by the call-guest trampoline; thunks switch to it. */
  HostRsp: WR_BLOCK + 0x00,
  /** Guest RSP saved by the thunk currently inside JS (arguments at +8); the top of the
   *  guest stack before the first entry. */
  GuestRsp: WR_BLOCK + 0x08,
  /** The thread's dispatcher: a koffi-registered `uint64_t dispatch(int id)`. */
  Dispatch: WR_BLOCK + 0x10,
  /** XMM0 bits to return to the guest (float/double results), and XMM0 of a guest call. */
  RetXmm0: WR_BLOCK + 0x18,
  /** XMM0–XMM3 at thunk entry, for floating-point arguments. */
  ArgXmm: WR_BLOCK + 0x20,
  /** Non-zero: the thunk epilogue resumes at the CONTEXT this points at (reserved for
   *  exceptions and longjmp). */
  ResumeContext: WR_BLOCK + 0x40,
  /** The thread's errno (msvcrt _errno returns its address). */
  Errno: WR_BLOCK + 0x48,
  /** The guest's MXCSR while JS runs (restored by the thunk on return: _controlfp edits it). */
  GuestMxcsr: WR_BLOCK + 0x50,
  /** The MXCSR JS runs with (0x1f80: round to nearest, all exceptions masked). */
  HostMxcsr: WR_BLOCK + 0x54,
  /** Scratch: the live MXCSR when a thunk returns. */
  MxcsrNow: WR_BLOCK + 0x58,
  /** Non-zero while the thread runs guest code (set by call-guest and the dispatch stub):
   *  the fault handler turns only those faults into Windows exceptions. */
  InGuest: WR_BLOCK + 0x60,
  /** Where a guest fault resumes: ntdll's KiUserExceptionDispatcher thunk (0: not yet). */
  FaultEntry: WR_BLOCK + 0x68,
  /** The dispatch stub's save-area stack (SAVE_STACK): minus the bytes in use, 0 when no
   *  export call is inside JS. The save area of the innermost one is at TEB + SAVE_STACK.Top +
   *  this value. */
  SaveDepth: WR_BLOCK + 0x70,
  /** The Linux thread id of the host thread running this guest thread (the fault handler
   *  compares it with gettid: threads Node starts inherit GS). Guest thread ids differ. */
  HostTid: WR_BLOCK + 0x78,
  /** The thread's exception core (native/exccore.ts): where kernel32!RaiseException's fast
   *  path jumps; 0 until JS has made it for the thread's JS realm. */
  ExcCore: WR_BLOCK + 0x80,
  /** Scratch for the CRT's per-thread buffers (strerror, strtok …). */
  Scratch: WR_BLOCK + 0x100,
  ScratchSize: 0x400,
  /** A CONTEXT an implementation fills to resume at (longjmp, exceptions). */
  ContextBuffer: WR_BLOCK + 0x500,
  /** A CONTEXT the unwinder uses to return into the call-guest trampoline. */
  UnwindBuffer: WR_BLOCK + 0xa00,
  /** The machine state of the last guest fault, copied by the signal handler (FAULT). */
  Fault: WR_BLOCK + 0x1000,
  /** The thread's signal stack (sigaltstack) lies after the thread block. */
} as const;

/** A guest fault as the signal handler saves it (native/faults.ts): Linux's mcontext
 *  registers, the start of its siginfo, and the FXSAVE image (the same layout as CONTEXT's
 *  FltSave). */
export const FAULT = {
  /** gregs[23]: R8–R15, RDI, RSI, RBP, RBX, RDX, RAX, RCX, RSP, RIP, EFL, CSGSFS, ERR, TRAPNO,
   *  OLDMASK, CR2 (u64 each). */
  Gregs: 0x000,
  /** si_signo (i32), si_errno (i32), si_code (i32), pad, si_addr (u64). */
  Siginfo: 0x0c0,
  /** Non-zero when FpState holds the FXSAVE image. */
  HaveFp: 0x0f8,
  FpState: 0x100,
  Size: 0x300,
} as const;

/** Linux's gregs indexes (sys/ucontext.h REG_*). */
export const GREG = { R8: 0, R9: 1, R10: 2, R11: 3, R12: 4, R13: 5, R14: 6, R15: 7, RDI: 8, RSI: 9, RBP: 10, RBX: 11, RDX: 12, RAX: 13, RCX: 14, RSP: 15, RIP: 16, EFL: 17, CSGSFS: 18, ERR: 19, TRAPNO: 20, OLDMASK: 21, CR2: 22 } as const;

/**
 * The dispatch stub's save areas (engine.ts SAVED: the guest's non-volatile registers at each
 * export call that is inside JS), a stack growing down from Top within the thread block, in
 * guest memory so that the exception machinery reads them like any guest data. 64 KiB holds
 * 292 nested export calls; koffi's own stack ends nesting at ~190.
 */
export const SAVE_STACK = { Low: 0x4000, Top: 0x14000 } as const;

/** Bytes allocated for TEB + winrun block + save-area stack. */
export const THREAD_BLOCK_SIZE = 0x14000;
/** Size of each thread's signal stack. */
export const SIGNAL_STACK_SIZE = 0x10000;

/** CONTEXT (x64, winnt.h): the fields the resume path loads. */
export const CONTEXT = {
  ContextFlags: 0x30,
  MxCsr: 0x34,
  SegCs: 0x38,
  SegDs: 0x3a,
  SegEs: 0x3c,
  SegFs: 0x3e,
  SegGs: 0x40,
  SegSs: 0x42,
  EFlags: 0x44,
  Dr0: 0x48,
  Rax: 0x78,
  Rcx: 0x80,
  Rdx: 0x88,
  Rbx: 0x90,
  Rsp: 0x98,
  Rbp: 0xa0,
  Rsi: 0xa8,
  Rdi: 0xb0,
  R8: 0xb8,
  R9: 0xc0,
  R10: 0xc8,
  R11: 0xd0,
  R12: 0xd8,
  R13: 0xe0,
  R14: 0xe8,
  R15: 0xf0,
  Rip: 0xf8,
  /** FltSave (XMM_SAVE_AREA32, the FXSAVE image); its XmmRegisters at +0xa0. */
  FltSave: 0x100,
  Xmm0: 0x1a0,
  Size: 0x4d0,
} as const;

/** CONTEXT_AMD64 | CONTROL | INTEGER | SEGMENTS | FLOATING_POINT. */
export const CONTEXT_FULL_SEGMENTS = 0x10000f;
/** The segment selectors of a 64-bit Windows user thread. */
export const SEGMENTS = { Cs: 0x33, Ds: 0x2b, Es: 0x2b, Fs: 0x53, Gs: 0x2b, Ss: 0x2b } as const;
/** A fresh CONTEXT's EFLAGS (IF and the reserved bit 1), the x87 control word Windows starts
 *  threads with, and FXSAVE's MXCSR_MASK. */
export const CONTEXT_EFLAGS = 0x202;
export const FPU_CONTROL_WORD = 0x27f;
export const MXCSR_MASK = 0xffff;

/** EXCEPTION_RECORD (x64). */
export const EXCEPTION_RECORD = {
  ExceptionCode: 0x00,
  ExceptionFlags: 0x04,
  ExceptionRecord: 0x08,
  ExceptionAddress: 0x10,
  NumberParameters: 0x18,
  ExceptionInformation: 0x20,
  Size: 0x98,
} as const;
export const EXCEPTION_MAXIMUM_PARAMETERS = 15;

/** ExceptionFlags. */
export const EXCEPTION_NONCONTINUABLE = 0x01;
export const EXCEPTION_UNWINDING = 0x02;
export const EXCEPTION_EXIT_UNWIND = 0x04;
export const EXCEPTION_STACK_INVALID = 0x08;
export const EXCEPTION_NESTED_CALL = 0x10;
export const EXCEPTION_TARGET_UNWIND = 0x20;
export const EXCEPTION_COLLIDED_UNWIND = 0x40;

/** EXCEPTION_DISPOSITION (what language handlers return). */
export const ExceptionContinueExecution = 0;
export const ExceptionContinueSearch = 1;
export const ExceptionNestedException = 2;
export const ExceptionCollidedUnwind = 3;

/** DISPATCHER_CONTEXT (x64). */
export const DISPATCHER_CONTEXT = {
  ControlPc: 0x00,
  ImageBase: 0x08,
  FunctionEntry: 0x10,
  EstablisherFrame: 0x18,
  TargetIp: 0x20,
  ContextRecord: 0x28,
  LanguageHandler: 0x30,
  HandlerData: 0x38,
  HistoryTable: 0x40,
  ScopeIndex: 0x48,
  Fill0: 0x4c,
  Size: 0x50,
} as const;

/**
 * MSVC C++ exceptions' per-thread state, in the TEB's scratch block (vcruntime140/cxxcatch.ts
 * keeps it; the exception core's native catch, native/exccatch.ts, too): __current_exception,
 * __current_exception_context, the head of the list of running catch blocks, the terminate
 * handler, and the count of thrown, not yet caught exceptions (u32).
 */
export const CXX_SLOTS = { CurrentException: WR.Scratch + 0x300, CurrentContext: WR.Scratch + 0x308, Catches: WR.Scratch + 0x310, Terminate: WR.Scratch + 0x318, Uncaught: WR.Scratch + 0x320 } as const;
/** A running catch block's entry in that list (on the guest stack while its funclet runs):
 *  previous entry, the frame that caught (target of the unwind), its FuncInfo, the exception
 *  object and record, the state its try block left the frame in and the first state past the
 *  try block, flags, the current-exception slots to restore, the catch funclet and the
 *  function's establisher frame it runs for. */
export const CXX_CATCH = {
  Prev: 0x00, Frame: 0x08, FuncInfo: 0x10, Object: 0x18, State: 0x20, Floor: 0x24, Flags: 0x28,
  Record: 0x30, SavedException: 0x38, SavedContext: 0x40, Funclet: 0x48, MainFrame: 0x50, Size: 0x60,
} as const;
/** ThrowInfo (the image-relative x64 form): attributes, the object's destructor, the forward
 *  compatibility handler, the CatchableTypeArray. */
export const CXX_THROW_INFO = { Attributes: 0, Unwind: 4, ForwardCompat: 8, CatchableTypes: 12 } as const;
/**
 * The STATUS_UNWIND_CONSOLIDATE record a C++ catch unwinds with (vcruntime140/cxxframe.ts; the
 * exception core's native catch, native/exccatch.ts): its parameters, and the magic number in
 * Magic that marks it winrun's. The handler of every frame the unwind passes reads the first
 * nine (the function's establisher frame, the catch funclet, the exception's record, the state
 * the frame unwinds to, the frame that catches, the first state past the try block, the
 * FuncInfo). The core's own records have a Callback (run at the target) and the rest too.
 */
export const CXX_CONSOLIDATE = {
  Callback: 0, MainFrame: 1, Funclet: 2, Record: 3, State: 4, Target: 5, Floor: 6, Magic: 7, FuncInfo: 8, Count: 9,
  Cont0: 9, Cont1: 10, SkipTarget: 11, Context: 12, CoreCount: 13,
} as const;
export const CXX_CONSOLIDATE_MAGIC = 0x5843_5257; // "WRCX"
/** CXX_CATCH.Flags: the catch funclet was left by an exception; its object was dealt with then. */
export const CXX_CATCH_EXITED = 1;

/**
 * The console block: process-wide console state in guest memory (PEB allocation + 0x2000), so
 * that the machine-code signal handlers and every thread's JS see the same words. Offsets
 * below 0x80 are reached with 8-bit displacements by the handlers in native/console.ts.
 */
export const CONSOLE_BLOCK = 0x2000;
export const CONSOLE = {
  InputMode: 0x00,
  OutputMode: 0x04,
  Attribute: 0x08,
  InputCP: 0x0c,
  OutputCP: 0x10,
  /** SetConsoleCtrlHandler(NULL, TRUE): Ctrl-C is ignored. */
  IgnoreCtrlC: 0x14,
  /** Control events raised by signals and not yet handled: bit n = CTRL_*_EVENT n. */
  Pending: 0x18,
  /** Registered HandlerRoutines; 0 lets a signal end the process at once. */
  HandlerCount: 0x1c,
  /** Non-zero while the terminal's settings differ from those saved at Saved. */
  Raw: 0x20,
  /** The terminal descriptor whose settings were changed. */
  TermFd: 0x24,
  /** The cursor as winrun tracks it (column, row of the window). */
  CursorX: 0x28,
  CursorY: 0x2c,
  /** The terminal's original settings (kernel struct termios, 36 bytes). */
  Saved: 0x30,
  /** Scratch for termios and winsize calls. */
  Scratch: 0x60,
  CursorSize: 0x90,
  CursorHidden: 0x94,
  /** Non-zero once the control-event watcher thread runs (dlls/kernel32/consolectrl.ts). */
  CtrlWatcher: 0x98,
  /** The handler routines, in registration order (u64 each). */
  Handlers: 0x100,
  MaxHandlers: 64,
  /** Scratch struct for rt_sigaction. */
  Action: 0x300,
  /** The action each signal had before winrun's crash handler (32 bytes per signal). */
  OldActions: 0x400,
  /** The console title, UTF-16, NUL-terminated. */
  Title: 0x800,
  TitleMax: 0x3ff,
  Size: 0x1000,
} as const;

/**
 * Process-wide exception state (PEB allocation + 0x4000), in guest memory so that every thread
 * sees it (DESIGN.md §5): the vectored handler lists and the function tables added at run time.
 */
export const EXCEPTION_BLOCK = 0x4000;
export const EXCEPTIONS = {
  /** AddVectoredExceptionHandler: u64 head of a doubly linked list of heap nodes. */
  VectoredHandlers: 0x00,
  /** AddVectoredContinueHandler: the same for continue handlers. */
  VectoredContinueHandlers: 0x10,
  /** RtlAddFunctionTable / RtlInstallFunctionTableCallback / growable tables: a circular
   *  LIST_ENTRY (16 bytes) of DYNAMIC_FUNCTION_TABLE heap nodes (kernel/functiontables.ts). */
  FunctionTables: 0x20,
  /** Non-zero once an unhandled exception's report was written (it is written once). */
  Reported: 0x30,
  /** u32, changed whenever any thread's loader changes its modules: the exception core's
   *  tables are valid for the value JS last saw (native/exccore.ts). */
  CodeGeneration: 0x38,
  Size: 0x1000,
} as const;

/**
 * Fiber-local storage's process-wide part (PEB allocation + 0x5000, dlls/kernel32/fibersapi.ts):
 * the allocated indexes and their callbacks. Each thread's values are a heap array that
 * TEB.FlsData points to.
 */
export const FLS_BLOCK = 0x5000;
export const FLS = {
  /** FLS_MAXIMUM_AVAILABLE bits, in 32-bit words. */
  Bitmap: 0x00,
  /** The first thread FLS array (u64; each array's word 0 links to the next). */
  List: 0x10,
  /** A spin lock word over the list. */
  Lock: 0x18,
  /** A callback (PFLS_CALLBACK_FUNCTION) per index. */
  Callbacks: 0x20,
  Indexes: 128,
} as const;

/** The spin lock of the interlocked singly linked lists (PEB allocation + 0x5900). */
export const SLIST_LOCK = 0x5900;

/** The default thread pool's queue (PEB allocation + 0x5800, dlls/kernel32/threadpool.ts). */
export const THREADPOOL_BLOCK = 0x5800;
export const THREADPOOL = {
  /** Spin lock over the queue. */
  Lock: 0x00,
  /** Bumped at each enqueue: the futex word idle workers sleep on. */
  Signal: 0x04,
  Idle: 0x08,
  Workers: 0x0c,
  Head: 0x10,
  Tail: 0x18,
} as const;

/** Console input records not yet read (PEB allocation + 0x3000): INPUT_RECORDs of 20 bytes. */
export const CONSOLE_INPUT_QUEUE = 0x3000;
export const INPUT_QUEUE = {
  Count: 0x0,
  /** _getch's second half of an extended key (0x100 | byte), 0 when none. */
  PendingChar: 0x4,
  Records: 0x10,
  Max: 200,
  RecordSize: 20,
  /** Scratch termios (36 bytes) for the raw read, after the 200 records. */
  Termios: 0xfc0,
} as const;
