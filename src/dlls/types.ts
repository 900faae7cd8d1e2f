/**
 * The vocabulary of export tables (STYLE.md 1: exports are data). One row per export: its
 * signature drives the thunk (floating-point arguments), argument decoding and, later, the
 * relay trace; the implementation receives the decoded arguments after an ApiContext.
 */
import type { PcTable } from '../kernel/pctable.js';
import type { UnwindPlans } from '../kernel/unwind.js';
import type { NativeFastPath } from '../native/engine.js';
import type { NativeFrame, NativeUnwindWalk } from '../native/unwindwalk.js';
import type { DebugChannel, DebugChannels } from '../kernel/debug.js';
import type { DllDirectories } from '../kernel/dlldirs.js';
import type { HandleTable } from '../kernel/handles.js';
import type { ThreadTable } from '../kernel/threads.js';
import type { ObjectNames } from '../kernel/objects.js';
import type { ProcessTable } from '../kernel/process-objects.js';
import type { NamedPipeTable } from '../kernel/namedpipes.js';
import type { FileKernel } from '../kernel/files.js';
import type { WindowSize } from '../kernel/console.js';
import type { DosDrives } from '../kernel/paths.js';
import type { Registry } from '../kernel/registry.js';
import type { ProcessToken } from '../kernel/security.js';
import type { HostFs } from '../host/fs.js';
import type { AddressSpace } from '../native/memory.js';

/** Argument types. Integers and pointers arrive as JS numbers, except i64/u64 (bigint);
 *  f32/f64 as numbers; str/wstr are pointers (the implementation reads them). */
export type ArgType = 'i8' | 'u8' | 'i16' | 'u16' | 'i32' | 'u32' | 'i64' | 'u64' | 'ptr' | 'handle' | 'bool' | 'str' | 'wstr' | 'f32' | 'f64';
export type RetType = ArgType | 'void';

/** What an implementation may return: a number or bigint (the 64-bit RAX value, or the
 *  float/double for f32/f64 returns), or nothing for void. */
// eslint-disable-next-line @typescript-eslint/no-invalid-void-type
export type ApiResult = number | bigint | void;

// The implementation's parameter list is checked by the table row that names it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Impl = (ctx: ApiContext, ...args: any[]) => ApiResult;

/** A variable exported by a builtin DLL, living in its image (msvcrt `_iob`, `_fmode` …). */
export interface DataExport {
  size: number;
  /** Fills the variable once the image exists (addresses of other data are known). */
  init?: (ctx: ApiContext, addr: number) => void;
}

export interface ExportRow {
  readonly name: string;
  readonly ordinal?: number;
  readonly args?: readonly ArgType[];
  /** Takes `...` after `args` (read them from ctx.varargs). */
  readonly varargs?: boolean;
  readonly ret?: RetType;
  readonly impl?: Impl;
  /** `'DLL.Function'`: resolved by the loader like a PE forwarder. */
  readonly forward?: string;
  readonly data?: DataExport;
  /** Resolves, and reports its first call clearly. */
  readonly stub?: true;
  /** Machine code instead of JS (DESIGN.md §2 hot functions). */
  readonly native?: NativeFastPath;
  /** A language handler written in JS (args rec, frame, context, dispatcher context): the
   *  exception dispatcher calls `impl` itself instead of through the export's thunk. */
  readonly direct?: true;
}

export interface DllTable {
  /** Canonical file name, lower case: `kernel32.dll`. */
  readonly name: string;
  readonly exports: readonly ExportRow[];
  /** Preferred base for the synthesized image. */
  readonly base?: number;
  /** Runs at process exit after the PE DLLs' DLL_PROCESS_DETACH (the CRTs flush streams). */
  readonly detach?: (ctx: ApiContext) => void;
}

/** Reads variadic arguments of the current call (8-byte slots after the fixed ones). */
export interface VarArgs {
  /** The next slot, raw. */
  next(): bigint;
}

/** The process as API implementations see it. Process-wide state lives behind these
 *  interfaces (kernel objects, CRT data in guest memory), never in module variables. */
export interface ApiContext {
  readonly mem: AddressSpace;
  readonly process: ProcessApi;
  /** TEB address of the calling thread. */
  readonly teb: number;
  setLastError(code: number): void;
  getLastError(): number;
  /** Variadic arguments of the current call (only for rows with `varargs`). */
  varargs(): VarArgs;
  /** Calls guest code (Microsoft x64 ABI) with integer/pointer arguments; returns RAX. */
  callGuest(fn: number, args: readonly (number | bigint)[]): bigint;
  /** Makes the current call continue at the CONTEXT at `context` instead of returning to
   *  its caller (exceptions, longjmp, NtContinue). The implementation then returns normally. */
  resumeAt(context: number): void;
  /** Like resumeAt, for a CONTEXT that may lie in a frame older than JS → guest calls still
   *  active (a longjmp out of a qsort comparator): those calls are unwound first. */
  unwindTo(context: number): void;
  /** This thread's CONTEXT buffer for building a resume target. */
  contextBuffer(): number;
  /** The process's debug channels (WINRUN_DEBUG). */
  readonly debug: DebugChannels;
  /** A `fixme` for an unimplemented flag or case, printed once per guest call site. */
  fixme(channel: DebugChannel, func: string, text: string): void;
  /** Address of a data export of a builtin DLL. */
  dataAddress(dll: string, name: string): number;
}

/** A JS → guest call in progress: the callee's argument block (its RSP after returning), and
 *  where an exception walk continues past it: the CONTEXT `parent`, else the guest code that
 *  made the export call JS was running (`exportRsp` holds its return address, `saveArea` its
 *  non-volatile registers, engine.ts SAVED), else nowhere (the top level: exportRsp 0). */
export interface GuestCallFrame {
  readonly rsp: number;
  readonly parent: number;
  readonly exportRsp: number;
  readonly saveArea: number;
  /** The DISPATCHER_CONTEXT of the unwind that called this guest code as a termination
   *  handler (0: none); a second unwind that reaches it has collided with that one. */
  readonly dispatcher: number;
  /** Run by an exception dispatch whose walk leaves the guest code through this call (an
   *  exception filter around it: the C++ runtime's terminate() for an exception leaving a
   *  destructor that an unwind runs). */
  readonly filter?: (record: number) => void;
}

/** Facts about code inside images that the exception walk looks up again on every throw. */
export interface CodeCache {
  readonly functions: PcTable<{ readonly entry: number; readonly imageBase: number }>;
  readonly plans: UnwindPlans;
  /** Language handlers' decoded data (the C++ frame handlers' FuncInfo), by its address. */
  readonly handlerData: PcTable<unknown>;
  /** Addresses found by name in the loaded modules (RaiseException's return point). */
  readonly named: Map<string, number>;
  /** The plans' flat frames for the native walk (kernel/unwindfast.ts skipPlainFrames). */
  readonly walker: NativeUnwindWalk;
  /** Language handlers by address: winrun's JS implementation (ExportRow.direct) or null. */
  readonly direct: PcTable<Impl | null>;
}

/** One JS realm's exception core (native/exccore.ts), once made. */
export interface RaiseCoreState {
  entry: number;
  failed: boolean;
  /** JS dispatches so far while there is no core (it is made at the second). */
  dispatches: number;
  /** The return point of the unwind's language-handler call. */
  unwindCall: number;
  /** The raises' frames, which the table must hold. */
  raiseFrames: readonly { readonly pc: number; readonly frame: NativeFrame }[];
}

/** What the exception machinery needs from the engine and the loader (one thread's view). */
export interface GuestFrames {
  /** JS → guest calls in progress on the calling thread, innermost last. */
  readonly calls: readonly GuestCallFrame[];
  /** The address guest code returns to in the call-guest trampoline. */
  readonly callGuestReturn: number;
  /** The RUNTIME_FUNCTION (and its base) covering the trampoline, for guest stack walks. */
  readonly trampolineFunction: { readonly imageBase: number; readonly entry: number };
  /**
   * callGuest, with walks from inside `fn` continuing at the CONTEXT at `parent`. When guest
   * code inside `fn` starts an unwind past this call, JS frames are left by throwing GuestUnwind;
   * with `unwindReturns` the call returns 0 instead and the caller must return at once after
   * passing `pendingUnwind()` to ctx.unwindTo (cheaper than a JS throw on every C++ throw).
   * An unwind calling a termination handler passes its DISPATCHER_CONTEXT as `dispatcher`.
   */
  callFrom(parent: number, fn: number, args: readonly (number | bigint)[], unwindReturns?: boolean, dispatcher?: number): bigint;
  /** callGuest with an exception filter (GuestCallFrame.filter) around the call. */
  callFiltered(fn: number, args: readonly (number | bigint)[], filter: (record: number) => void): bigint;
  /** The CONTEXT an unwind is on its way to (0: none). */
  pendingUnwind(): number;
  /** The JS implementation of the language handler at `fn` when it is one of winrun's own
   *  (ExportRow.direct), else undefined. */
  directHandler(fn: number): Impl | undefined;
  /**
   * Runs `run` (a JS language handler called without a guest call): returns what it returns, or
   * undefined when it ended by starting a jump from this export call (ctx.unwindTo): the caller
   * must then return at once. (Guest code the handler calls walks on, past this export call, to
   * the guest code that made it, as on Windows, where the handler runs on top of the stack.)
   */
  runHandler(run: () => number): number | undefined;
  /** Save area of the export call running now (engine.ts SAVED offsets; guest memory in the
   *  thread block, layout.ts SAVE_STACK). */
  currentSaveArea(): number;
  /** Fills the CONTEXT at `context` (checked writable) as the caller of an export sees it
   *  after the return, from that call's `saveArea`, the return address at `guestRsp` (checked
   *  readable) and `mxcsr` (native/capture.ts: machine code). */
  capture(context: number, saveArea: number, guestRsp: number, mxcsr: number): void;
  /** The JS realm's exception core (ntdll/excnative.ts): its entry once made (0: not yet), or
   *  that it could not be made. */
  readonly raiseCore: RaiseCoreState;
  /** The calling thread's stack guard pages [low, high) and the never-accessible page below. */
  readonly stackGuard: { readonly low: number; readonly high: number };
  /** The image holding `pc`: its base, exception directory and name. */
  /** The image holding `pc`; `builtin`: one of winrun's own DLLs (no run-time function table
   *  covers its code). */
  imageAt(pc: number): { base: number; pdataRva: number; pdataSize: number; name: string; builtin: boolean } | undefined;
  /** `module+0xoffset` (with the nearest export's name when known) for reports. */
  describe(addr: number): string;
  /** The calling thread's caches for PCs inside images, emptied whenever an image is mapped or
   *  unmapped: RtlLookupFunctionEntry's results and RtlVirtualUnwind's decoded unwind data. */
  codeCache(): CodeCache;
}

export interface ProcessApi extends FileKernel {
  /** Exception support: JS → guest calls, images, the stack guard. */
  readonly frames: GuestFrames;
  readonly handles: HandleTable;
  readonly drives: DosDrives;
  readonly fs: HostFs;
  /** Handles for STD_INPUT_HANDLE / STD_OUTPUT_HANDLE / STD_ERROR_HANDLE (0, 1, 2). */
  readonly stdHandles: number[];
  readonly commandLineW: string;
  readonly imagePath: string;
  readonly environment: Map<string, string>;
  /** The ANSI (GetACP) and OEM (GetOEMCP) code pages, fixed at start-up (WINRUN_ACP and
   *  WINRUN_OEMCP; UTF-8 by default). */
  readonly codePages: { readonly ansi: number; readonly oem: number };
  readonly processHeap: number;
  readonly pebAddress: number;
  /** The console block in guest memory (native/layout.ts CONSOLE). */
  readonly consoleBlock: number;
  /** The terminal window behind `fd` (TIOCGWINSZ), or undefined when it is not a terminal. */
  windowSize(fd: number): WindowSize | undefined;
  /** ioctls on a terminal with their buffers in guest memory: termios (TCGETS/TCSETS, kernel
   *  layout). Setting arms the terminal restore on crashes. */
  readonly terminal: {
    get(fd: number, addr: number): boolean;
    set(fd: number, addr: number): boolean;
  };
  /** The registry; its files are read on first use, not at start-up. */
  readonly registry: Registry;
  /** The process's primary access token. */
  readonly token: ProcessToken;
  /** Runs exit-time work (DLL detach, flushing) and ends the process. */
  exit(code: number): never;
  /** Ends the process at once, as TerminateProcess or a fast fail does (no DLL detach). */
  terminate(code: number): never;
  /** Writes to a Unix file descriptor (std handles). Returns bytes written. */
  writeFd(fd: number, data: Uint8Array): number;
  readFd(fd: number, len: number): Uint8Array;
  isatty(fd: number): boolean;
  heapAlloc(heap: number, size: number, flags: number): number;
  heapFree(heap: number, ptr: number): boolean;
  heapSize(heap: number, ptr: number): number;
  heapReAlloc(heap: number, ptr: number, size: number, flags: number): number;
  heapCreate(maximumSize: number, flags: number): number;
  /** False for the process heap or a non-heap. */
  heapDestroy(heap: number): boolean;
  heapValidate(heap: number, ptr: number): boolean;
  processHeaps(): number[];
  /** Module handle (base) of a loaded module by name, or 0. */
  moduleHandle(name: string | null): number;
  moduleFileName(base: number): string | undefined;
  procAddress(base: number, nameOrOrdinal: string | number): number;
  loadLibrary(name: string): number;
  /** LoadLibraryEx once its flags are valid: the handle (with a low bit set for a data
   *  mapping) or the Win32 error. */
  loadLibraryEx(name: string, flags: number): { handle: number } | { error: number };
  /** FreeLibrary: false when the handle names neither a module nor a data mapping. */
  freeLibrary(handle: number): boolean;
  /** Base of the module whose image holds `addr`, or 0. */
  moduleAt(addr: number): number;
  /** GetModuleHandleEx: one more reference on a loaded module, or `pin` it until exit. */
  referenceModule(base: number, pin: boolean): void;
  /** Whether a loaded module has a TLS directory (undefined: no such module). */
  moduleHasStaticTls(base: number): boolean | undefined;
  /** Whether a handle is a LOAD_LIBRARY_AS_DATAFILE / AS_IMAGE_RESOURCE mapping. */
  isDataFile(handle: number): boolean;
  /** SetDllDirectory / AddDllDirectory / SetDefaultDllDirectories state. */
  readonly dllDirectories: DllDirectories;
  /** Milliseconds since process start (monotonic). */
  tickCount(): number;
  /** Nanoseconds since process start (monotonic): QueryPerformanceCounter's source. */
  perfCounterNs(): bigint;
  sleep(ms: number): void;
  /** The process's thread objects (shared by every thread's realm). */
  readonly threads: ThreadTable;
  /** The names of the process's synchronization objects (shared by every thread's realm). */
  readonly objectNames: ObjectNames;
  /** The child processes it started (kernel/process-objects.ts). */
  readonly processes: ProcessTable;
  /** Its named pipe ends (kernel/namedpipes.ts). */
  readonly namedPipes: NamedPipeTable;
  /** The host environment a winrun child starts with: `base` (this process's own) with this
   *  process's prefix and debug settings, so that the child runs like its parent. */
  childHostEnvironment(base: readonly [string, string][]): [string, string][];
  /** Starts guest `start(param)` on a new thread (CreateThread's validated arguments). */
  createThread(start: number, param: number, stackSize: number, flags: number): { handle: number; tid: number } | { error: number };
  /** ExitThread: DLL_THREAD_DETACH, then the thread ends with `code` (the main thread: the process). */
  exitThread(code: number): void;
  /** The calling thread's slot in `threads`. */
  threadSlot(): number;
  /** TerminateThread of the calling thread: it ends with `code`, without DLL detach. */
  terminateThread(code: number): void;
  /** DisableThreadLibraryCalls: false for an unknown module or one with static TLS. */
  disableThreadLibraryCalls(base: number): boolean;
}
