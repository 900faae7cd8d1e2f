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
  /** Scratch for the CRT's per-thread buffers (strerror, strtok …). */
  Scratch: WR_BLOCK + 0x100,
  ScratchSize: 0x400,
} as const;

/** Bytes allocated for TEB + winrun block. */
export const THREAD_BLOCK_SIZE = 0x3000;
