/**
 * A Windows process inside this Linux process: the address space, the loaded modules (the
 * program, builtin DLLs synthesized from their export tables, real PE DLLs), the PEB and the
 * main thread's TEB and stack, the dispatcher that runs API implementations, and exit.
 */
import { codePagesFromEnvironment } from '../dlls/kernel32/codepages.js';
import { currentDirectory as guestCurrentDirectory } from '../dlls/kernel32/pathstr.js';
import type { ApiContext, GuestFrames, ProcessApi, VarArgs } from '../dlls/types.js';
import { readFileBytes } from '../host/files.js';
import { absolutePath, currentDirectory, hostPid, monotonicMs, monotonicNs, readFd, sleepMs, writeFd, isatty } from '../host/io.js';
import { detachModules, endProcess, type ProcessEnd } from './processexit.js';
import { DebugChannels } from '../kernel/debug.js';
import { hostFs, hostHomeDataDir, hostUserName } from '../host/fs.js';
import { closeFileHandle, FILE_READ_DATA, FILE_WRITE_DATA } from '../kernel/files.js';
import { DllDirectories } from '../kernel/dlldirs.js';
import { HANDLE_BORROWED_FD, HANDLE_CONSOLE_INPUT, HANDLE_DELETE_ON_CLOSE, HandleTable } from '../kernel/handles.js';
import { DosDrives } from '../kernel/paths.js';
import { LockTable } from '../kernel/locks.js';
import { DirectoryWatches } from '../kernel/watch.js';
import { trackOutput, type WindowSize } from '../kernel/console.js';
import type { Registry } from '../kernel/registry.js';
import type { ProcessToken } from '../kernel/security.js';
import { createRegistry, createToken } from './security.js';
import { guestEnvironment, stdHandleType } from './environment.js';
import { HeapManager } from '../kernel/heap.js';
import { Engine } from '../native/engine.js';
import { gettid } from '../native/host.js';
import { sharedBufferAddress } from '../native/ffi.js';
import { ConsoleSignals, tcgets, tcsets, winsize } from '../native/console.js';
import { dispatchCtrlEvents, initConsoleBlock } from '../dlls/kernel32/consolectrl.js';
import { CONSOLE, CONSOLE_BLOCK, TEB, WR } from '../native/layout.js';
import { AddressSpace } from '../native/memory.js';
import { FaultSignals } from '../native/faults.js';
import { parsePeForLoading } from '../pe/index.js';
import { normalizeDllName } from './apiset.js';
import { protectImage } from './image.js';
import { ModuleLoader, builtinDisplayName } from './modules.js';
import { GuestCallStack } from './guestcalls.js';
import { allocateSignalStack, allocateThreadBlock, dispatchEntries, enterSignalStack, type ThreadBlock, type ThreadBoot } from './threads.js';
import { ThreadTable } from '../kernel/threads.js';
import { RegistryKeyPaths } from '../kernel/regpaths.js';
import { ObjectNames } from '../kernel/objects.js';
import { ThreadCreation } from './createthread.js';
import { ThreadLife } from './threadlife.js';
import { describeAddress, describeSymbol } from './describe.js';
import { LDRP_DONT_CALL_FOR_THREADS } from './threadmodules.js';
import { LDR_DATA_TABLE_ENTRY as LDR } from './structures.js';
import { WorkerPool } from '../host/threads.js';
import { adoptInheritedHandles, applyHandleMessages, type ChildBoot } from '../kernel/childstart.js';
import { NamedPipeTable } from '../kernel/namedpipes.js';
import { ProcessTable } from '../kernel/process-objects.js';
import { setCloseOnExec } from '../native/spawn.js';
import { createPeb, writeProcessParameters } from './peb.js';
import { makeDispatcher, reportingHooks, type DispatchEntry, type DispatchHooks } from './dispatch.js';
import { DispatchLog } from './dispatchlog.js';
import { RelayFilter, RelayTracer, type TraceFormat } from './relay.js';
import { buildCommandLine } from './commandline.js';
import { PEB } from './structures.js';

const DLL_PROCESS_ATTACH = 1;

/** A JS → guest call in progress: the callee's argument block, and where an exception walk
 *  continues past it (a CONTEXT, else the export call that JS is running). */
export interface ProcessOptions {
  /** Unix path of the program. */
  program: string;
  args: readonly string[];
  env?: Record<string, string | undefined>;
  /** A file descriptor that receives the full 32-bit exit code as decimal text (the shell
   *  sees only its low 8 bits); the library API reads it. */
  statusFd?: number;
  /** Debug channels (WINRUN_DEBUG syntax) and where their messages go (default stderr). */
  debug?: string;
  debugWrite?: (line: string) => void;
  /** Relay trace filter (WINRUN_RELAY syntax), format, and destination (default: debugWrite). */
  relayFilter?: string;
  traceFormat?: TraceFormat;
  traceWrite?: (line: string) => void;
  /** The winrun prefix (C: is its drive_c); default $WINRUN_PREFIX, else ~/.local/share/winrun. */
  prefix?: string;
  /** Started by CreateProcess in a winrun parent: the command line, environment and inherited
   *  handles it passed (kernel/childstart.ts). */
  child?: ChildBoot;
}


export class WinProcess implements ProcessApi {

  readonly mem: AddressSpace;
  readonly engine: Engine;
  readonly heaps: HeapManager;
  readonly handles: HandleTable;
  readonly locks: LockTable;
  readonly threads: ThreadTable;
  readonly objectNames: ObjectNames;
  /** What each registry key handle names, for the other threads' registries. */
  readonly regPaths: RegistryKeyPaths;
  /** The Workers that run guest threads (host/threads.ts). */
  private readonly pool: WorkerPool;
  /** This host thread's guest thread: running it, ExitThread, TerminateThread. */
  private readonly life: ThreadLife;
  /** CreateThread's side of new threads (and its cache of the boot data's process part). */
  private readonly creation = new ThreadCreation();
  /** The child processes this process started (kernel/process-objects.ts). */
  readonly processes: ProcessTable;
  /** The named pipe ends this process has open (kernel/namedpipes.ts). */
  readonly namedPipes: NamedPipeTable;
  /** The options a thread's Worker rebuilds this object from (no functions, no status fd). */
  private readonly threadOptions: ThreadBoot['options'];
  /** The program's SizeOfStackReserve: the default stack of new threads. */
  private stackReserve = 0x100000;
  readonly watches = new DirectoryWatches(hostFs);
  private readonly createdHeaps = new Set<number>();
  readonly stdHandles: number[];
  readonly loader: ModuleLoader;
  readonly dllDirectories = new DllDirectories();
  private readonly dispatch: DispatchEntry[] = [];
  /** The process's dispatch ids, shared by its threads (loader/dispatchlog.ts). */
  private readonly dispatchLog: DispatchLog;
  readonly environment: Map<string, string>;
  readonly drives: DosDrives;
  readonly fs = hostFs;
  readonly codePages: { readonly ansi: number; readonly oem: number };
  readonly commandLineW: string;
  readonly imagePath: string;
  readonly programUnixPath: string;
  processHeap = 0;
  pebAddress = 0;
  consoleBlock = 0;
  private signals: ConsoleSignals | undefined;
  teb = 0;
  private varargsBase = 0;
  private exiting = false;
  private ctx!: ApiContext;
  private faults: FaultSignals | undefined;
  readonly frames: GuestFrames;
  /** This thread's JS → guest calls and the unwinds across them. */
  private readonly guest: GuestCallStack;
  private readonly statusFd: number | undefined;
  /** What ExitProcess and TerminateProcess end with (processexit.ts). */
  private readonly ending: ProcessEnd;
  /** What a winrun child needs to run like this process: prefix, debug channels, relay filter. */
  private readonly childSettings: [string, string][];
  /** A child created suspended waits for this pipe's end before it starts (-1: not suspended). */
  private readonly resumeFd: number;
  readonly debug: DebugChannels;
  private readonly relay: RelayTracer | undefined;

  constructor(opts: ProcessOptions, boot?: ThreadBoot) {
    // A thread's Worker adopts the process's shared tables and runtime code (loader/threads.ts).
    this.mem = new AddressSpace(boot?.regionMap);
    this.handles = new HandleTable(boot?.handles);
    this.locks = new LockTable(boot?.locks);
    this.threads = new ThreadTable(boot?.threads);
    this.objectNames = new ObjectNames(boot?.objectNames);
    this.regPaths = new RegistryKeyPaths(boot?.regPaths);
    this.dispatchLog = new DispatchLog(boot?.dispatchLog);
    this.pool = new WorkerPool(boot?.pool);
    this.processes = new ProcessTable(boot?.processes);
    this.namedPipes = new NamedPipeTable(boot?.namedPipes);
    this.threadOptions = { program: opts.program, args: opts.args, env: opts.env && { ...opts.env }, debug: opts.debug, relayFilter: opts.relayFilter, prefix: opts.prefix, child: opts.child, statusFd: opts.statusFd ?? opts.child?.status };
    this.engine = new Engine(this.mem, boot?.engine);
    this.guest = new GuestCallStack({ mem: this.mem, engine: this.engine, teb: () => this.teb, loader: () => this.loader, describe: (addr) => this.describeSymbol(addr) });
    this.frames = this.guest.frames;
    this.heaps = new HeapManager(this.mem);
    this.statusFd = opts.statusFd ?? opts.child?.status;
    // The status descriptor is this process's alone: a child of the program must not hold it
    // open (its reader waits for the end of the pipe).
    if (!boot && this.statusFd !== undefined) setCloseOnExec(this.statusFd, true);
    const debugWrite = opts.debugWrite ?? ((line: string) => void writeFd(2, new TextEncoder().encode(line)));
    this.debug = new DebugChannels(opts.debug ?? '', debugWrite);
    this.ending = { debug: this.debug, statusFd: this.statusFd, restoreTerminal: () => this.signals?.restoreTerminal(), exceptionCoreCounts: () => this.guest.exceptionCoreCounts() };
    this.relay = this.debug.on('relay', 'trace') ? new RelayTracer(new RelayFilter(opts.relayFilter ?? ''), opts.traceFormat ?? 'text', opts.traceWrite ?? debugWrite, this.mem) : undefined;
    const hostEnv = opts.env ?? {};
    const prefix = opts.prefix ?? (hostEnv.WINRUN_PREFIX?.startsWith('/') ? hostEnv.WINRUN_PREFIX : hostHomeDataDir() + '/winrun');
    this.drives = new DosDrives(prefix.replace(/\/+$/, ''), hostUserName(), hostFs);
    this.childSettings = [['WINRUN_PREFIX', this.drives.prefix]];
    if (opts.debug) this.childSettings.push(['WINRUN_DEBUG', opts.debug]);
    if (opts.relayFilter) this.childSettings.push(['WINRUN_RELAY', opts.relayFilter]);
    this.programUnixPath = absolutePath(opts.program);
    this.imagePath = this.drives.toDos(this.programUnixPath);
    this.commandLineW = opts.child?.cmd ?? buildCommandLine([this.imagePath, ...opts.args]);
    const inherited = boot ? [] : adoptInheritedHandles(this.handles, opts.child);
    this.stdHandles = boot
      ? boot.stdHandles
      : [0, 1, 2].map((fd) => (inherited.includes(opts.child?.std[fd] ?? 0) ? opts.child!.std[fd]! : this.handles.allocate(stdHandleType(fd), fd, { flags: HANDLE_BORROWED_FD | (fd === 0 ? HANDLE_CONSOLE_INPUT : 0), access: fd === 0 ? FILE_READ_DATA : FILE_WRITE_DATA, share: 7 })));
    this.environment = opts.child ? new Map(opts.child.env) : guestEnvironment(hostEnv, hostUserName(), (unix) => this.drives.toDos(unix));
    this.resumeFd = boot ? -1 : (opts.child?.resume ?? -1);
    const cps = codePagesFromEnvironment(this.environment);
    for (const p of cps.problems) this.debug.log('nls', 'err', 'process', p);
    this.codePages = { ansi: cps.ansi, oem: cps.oem };
    this.loader = new ModuleLoader(
      {
        mem: this.mem,
        engine: this.engine,
        dispatch: this.dispatch,
        dispatchLog: this.dispatchLog,
        drives: this.drives,
        environment: this.environment,
        dllDirectories: this.dllDirectories,
        processHeap: () => this.processHeap,
        // A relay trace should show file calls, which the fast paths would keep from it.
        ioTables: () => (this.relay ? undefined : { handleTable: sharedBufferAddress(this.handles.buffer), lockCount: sharedBufferAddress(this.locks.buffer) }),
        context: () => this.ctx,
        peb: () => this.pebAddress,
        callGuest: (fn, args) => this.callGuest(fn, args),
        teb: () => this.teb,
        currentDirectory: () => (this.pebAddress ? guestCurrentDirectory(this.ctx) : this.drives.toDos(currentDirectory())),
      },
      this.programUnixPath,
    );
    this.life = new ThreadLife({
      mem: this.mem, engine: this.engine, threads: this.threads, loader: this.loader, dispatch: this.dispatch, debug: this.debug, guest: this.guest,
      teb: () => this.teb, ctx: () => this.ctx, processHeap: () => this.processHeap,
      enterThread: (block, tid, signalStack) => this.enterThread(block, tid, signalStack),
      callGuest: (fn, args) => this.callGuest(fn, args), exit: (code) => this.exit(code), terminate: (code) => this.terminate(code),
    });
  }

  // ---- ProcessApi ---------------------------------------------------------------------------
  childHostEnvironment(base: readonly [string, string][]): [string, string][] {
    const names = new Set(this.childSettings.map(([k]) => k));
    return [...base.filter(([k]) => !names.has(k)), ...this.childSettings];
  }

  /** Whether the process has started threads (the registry then writes each change at once). */
  readonly threaded = (): boolean => this.pool.everStarted();

  private registryObject: Registry | undefined;
  get registry(): Registry {
    return (this.registryObject ??= createRegistry(this, this.token, this.debug));
  }

  private tokenObject: ProcessToken | undefined;
  get token(): ProcessToken {
    return (this.tokenObject ??= createToken(this.drives));
  }

  writeFd(fd: number, data: Uint8Array): number {
    return writeFd(fd, data);
  }
  readFd(fd: number, len: number): Uint8Array {
    return readFd(fd, len);
  }
  isatty(fd: number): boolean {
    return isatty(fd);
  }
  consoleWritten(fd: number, data: Uint8Array): void {
    const size = this.windowSize(fd);
    if (size) trackOutput(this.mem, this.consoleBlock, size, data);
  }
  /** The terminal's window, or undefined when `fd` is not a terminal. */
  windowSize(fd: number): WindowSize | undefined {
    const buf = this.consoleBlock + CONSOLE.Scratch;
    if (!winsize(fd, buf)) return undefined;
    const rows = this.mem.u16(buf);
    const cols = this.mem.u16(buf + 2);
    // A pseudo-terminal nobody sized reports 0 × 0: assume the classic 80 × 25.
    return { cols: cols || 80, rows: rows || 25 };
  }
  readonly terminal = {
    get: (fd: number, addr: number): boolean => tcgets(fd, addr),
    set: (fd: number, addr: number): boolean => {
      this.signals?.armCrashRestore();
      return tcsets(fd, addr);
    },
  };
  heapAlloc(heap: number, size: number, flags: number): number {
    return this.heaps.alloc(heap, size, flags);
  }
  heapFree(heap: number, p: number): boolean {
    return this.heaps.free(heap, p);
  }
  heapSize(heap: number, p: number): number {
    return this.heaps.size(heap, p);
  }
  heapReAlloc(heap: number, p: number, size: number, flags: number): number {
    return this.heaps.realloc(heap, p, size, flags);
  }
  heapCreate(maximumSize: number, flags: number): number {
    let h: number;
    try {
      h = this.heaps.create(maximumSize, flags);
    } catch {
      return 0;
    }
    this.createdHeaps.add(h);
    return h;
  }
  heapDestroy(heap: number): boolean {
    if (heap === this.processHeap) return false;
    const ok = this.heaps.destroy(heap);
    if (ok) this.createdHeaps.delete(heap);
    return ok;
  }
  heapValidate(heap: number, p: number): boolean {
    return this.heaps.validate(heap, p);
  }
  processHeaps(): number[] {
    return [this.processHeap, ...this.createdHeaps];
  }
  tickCount(): number {
    return monotonicMs();
  }
  perfCounterNs(): bigint {
    return monotonicNs();
  }
  sleep(ms: number): void {
    sleepMs(ms);
  }
  moduleHandle(name: string | null): number {
    return this.loader.byName(name)?.base ?? 0;
  }
  moduleFileName(base: number): string | undefined {
    return this.loader.byBase(base)?.path;
  }
  procAddress(base: number, nameOrOrdinal: string | number): number {
    const m = this.loader.byBase(base);
    if (!m) return 0;
    return this.loader.resolveExport(m, nameOrOrdinal, 0, false);
  }
  loadLibrary(name: string): number {
    const r = this.loader.loadLibrary(name, 0);
    return 'handle' in r ? r.handle : 0;
  }
  loadLibraryEx(name: string, flags: number): { handle: number } | { error: number } {
    return this.loader.loadLibrary(name, flags);
  }
  freeLibrary(handle: number): boolean {
    return this.loader.freeLibrary(handle);
  }
  moduleAt(addr: number): number {
    return this.loader.containing(addr)?.base ?? 0;
  }
  referenceModule(base: number, pin: boolean): void {
    const m = this.loader.byBase(base);
    if (m) this.loader.addReference(m, pin);
  }
  moduleHasStaticTls(base: number): boolean | undefined {
    const m = this.loader.byBase(base);
    return m ? m.pe?.tls !== undefined : undefined;
  }
  isDataFile(handle: number): boolean {
    return this.loader.isDataFile(handle);
  }

  terminate(code: number): never {
    endProcess(this.ending, code);
  }

  /** ExitProcess: DLL detach in reverse initialization order, then the end. */
  exit(code: number): never {
    if (!this.exiting) {
      this.exiting = true;
      detachModules(this.loader, this.ctx, (name) => this.moduleHandle(name) !== 0);
    }
    // Files opened with FILE_FLAG_DELETE_ON_CLOSE (and named mappings) go with the process.
    for (const h of this.handles.withFlags(HANDLE_DELETE_ON_CLOSE)) closeFileHandle(this, h);
    endProcess(this.ending, code);
  }

  // ---- guest calls ----------------------------------------------------------------------------
  /** Runs guest `fn` (GuestCallStack.callGuest). */
  callGuest(fn: number, args: readonly (number | bigint)[], unwindReturns = false): bigint {
    return this.guest.callGuest(fn, args, unwindReturns);
  }

  // ---- PEB, LDR, TEB ----------------------------------------------------------------------------
  private createPeb(): void {
    this.processHeap = this.heaps.create();
    const { peb, ldr } = createPeb(this.mem, this.processHeap);
    this.pebAddress = peb;
    this.loader.ldrData = ldr;
    writeProcessParameters(this.mem, peb, {
      imagePath: this.imagePath,
      commandLine: this.commandLineW,
      currentDirectory: this.drives.toDos(currentDirectory()),
      environment: this.environment,
    });
    this.consoleBlock = peb + CONSOLE_BLOCK;
    initConsoleBlock(this.mem, this.consoleBlock, this.codePages.oem, this.imagePath);
    // CREATE_NEW_PROCESS_GROUP: "an implicit call to SetConsoleCtrlHandler(NULL,TRUE) is made
    // on behalf of the new process" (CreateProcess's documentation).
    if (this.threadOptions.child?.newGroup) this.mem.setU32(this.consoleBlock + CONSOLE.IgnoreCtrlC, 1);
    this.signals = new ConsoleSignals(this.mem, this.consoleBlock);
    this.signals.installCtrl();
  }

  /** Allocates the main thread's TEB + winrun block and its guest stack, and enters it. */
  private createMainThread(stackReserve: number): void {
    const block = allocateThreadBlock(this.mem, stackReserve, this.pebAddress, hostPid(), gettid());
    this.threads.registerMain(gettid(), block.teb);
    this.enterThread(block, gettid(), allocateSignalStack(this.mem));
    this.faults ??= new FaultSignals(this.mem, this.consoleBlock);
    this.faults.install();
  }

  /** Makes `block` this host thread's guest thread: GS, dispatcher, signal stack. */
  private enterThread(block: ThreadBlock, tid: number, signalStack: number): number {
    const mem = this.mem;
    const teb = block.teb;
    this.teb = teb;
    this.guest.stackGuard.low = block.guardLow;
    this.guest.stackGuard.high = block.stackLow;
    const dispatch = makeDispatcher(this.dispatch, mem, this.ctx, { teb, tid, stackLow: block.stackLow, stackHigh: block.stackHigh }, this.dispatchHooks(), this.relay);
    const dispatcher = this.engine.registerDispatcher(dispatch);
    mem.setU64(teb + WR.Dispatch, dispatcher);
    mem.setU64(teb + WR.HostTid, gettid());
    // A reused thread block may name another realm's exception core: this realm arms its own.
    mem.setU64(teb + WR.ExcCore, 0);
    this.engine.enterThread(teb);
    enterSignalStack(mem, signalStack, teb);
    return dispatcher;
  }

  // ---- threads -----------------------------------------------------------------------------------
  /** CreateThread: a new guest thread on a Worker of the pool (loader/createthread.ts). */
  createThread(start: number, param: number, stackSize: number, flags: number): { handle: number; tid: number } | { error: number } {
    // The new thread reads the registry from the prefix's files: pending changes go there first.
    this.registryObject?.flush(false);
    const shared = {
      options: this.threadOptions, handles: this.handles.buffer, locks: this.locks.buffer, threads: this.threads.buffer, pool: this.pool.buffer,
      objectNames: this.objectNames.buffer, regPaths: this.regPaths.buffer, dispatchLog: this.dispatchLog.buffer, processes: this.processes.buffer, namedPipes: this.namedPipes.buffer, regionMap: this.mem.shared,
      stdHandles: this.stdHandles, processHeap: this.processHeap, pebAddress: this.pebAddress, consoleBlock: this.consoleBlock,
    };
    return this.creation.create({ mem: this.mem, engine: this.engine, threads: this.threads, handles: this.handles, pool: this.pool, loader: this.loader, dispatch: this.dispatch, teb: this.teb, stackReserve: this.stackReserve, shared }, start, param, stackSize, flags);
  }

  /** In a thread's Worker: runs the thread of `boot` (loader/threadlife.ts). */
  runThread(boot: ThreadBoot, signalStack: number, entered = boot.createdAt): void {
    this.ctx = this.makeContext();
    this.processHeap = boot.processHeap;
    this.pebAddress = boot.pebAddress;
    this.consoleBlock = boot.consoleBlock;
    this.life.run(boot, signalStack, entered);
  }

  /** In a spare Worker, before it has a thread: adopts the process part of the boot data and
   *  maps the guest memory windows at `warm` (where thread blocks go), which costs a new Worker
   *  ~10 ms (V8 collects garbage for each view it makes), so its first thread starts as fast as
   *  later ones. */
  prepareThreads(boot: ThreadBoot, warm: readonly number[]): void {
    this.life.adopt(boot);
    for (const addr of warm) this.mem.window(addr);
  }

  /** ExitThread (the main thread: the process ends with the code). */
  exitThread(code: number): void {
    this.life.exit(code);
  }

  threadSlot(): number {
    return this.life.slot;
  }

  /** TerminateThread of the calling thread. */
  terminateThread(code: number): void {
    this.life.terminate(code);
  }

  disableThreadLibraryCalls(base: number): boolean {
    const m = this.loader.byBase(base);
    if (!m || m.pe?.tls !== undefined) return false;
    if (m.ldrEntry) this.mem.setU32(m.ldrEntry + LDR.Flags, this.mem.u32(m.ldrEntry + LDR.Flags) | LDRP_DONT_CALL_FOR_THREADS);
    return true;
  }

  // ---- dispatcher --------------------------------------------------------------------------------
  private makeContext(): ApiContext {
    const mem = this.mem;
    const ctx: Omit<ApiContext, 'teb'> = {
      mem,
      process: this,
      setLastError: (code: number) => mem.setU32(this.teb + TEB.LastErrorValue, code),
      getLastError: () => mem.u32(this.teb + TEB.LastErrorValue),
      varargs: (): VarArgs => {
        let p = this.varargsBase;
        return {
          next: () => {
            const v = mem.u64(p);
            p += 8;
            return v;
          },
        };
      },
      callGuest: (fn, args) => this.callGuest(fn, args),
      resumeAt: (context) => mem.setU64(this.teb + WR.ResumeContext, context),
      unwindTo: (context) => {
        this.guest.unwindTo(context);
      },
      contextBuffer: () => this.teb + WR.ContextBuffer,
      debug: this.debug,
      fixme: (channel, func, text) => {
        const site = this.describeAddress(mem.ptr(mem.ptr(this.teb + WR.GuestRsp)));
        this.debug.fixmeOnce(channel, func, site, `${text} (called from ${site})`);
      },
      dataAddress: (dll, name) => {
        const a = this.loader.dataExports.get(`${dll}!${name}`);
        if (a === undefined) throw new RangeError(`no data export ${dll}!${name}`);
        return a;
      },
    };
    // V8 builds an object literal that has a getter in dictionary mode, which would make every
    // ctx.mem / ctx.process in every API implementation a hash lookup; the accessor is added
    // afterwards so that the context keeps fast properties.
    Object.defineProperty(ctx, 'teb', { get: () => this.teb, enumerable: true });
    return ctx as ApiContext;
  }

  private describeSymbol(addr: number): string {
    return describeSymbol(this.loader, this.engine, addr);
  }

  private describeAddress(addr: number): string {
    return describeAddress(this.loader, this.engine, addr);
  }

  private dispatchHooks(): DispatchHooks {
    return {
      ...reportingHooks({
        describe: (addr) => this.describeAddress(addr),
        debug: this.debug,
        exit: (code) => this.exit(code),
        restoreTerminal: () => this.signals?.restoreTerminal(),
      }),
      lateEntry: (id) => {
        const r = this.dispatchLog.record(id);
        return r && dispatchEntries([r], builtinDisplayName)[0];
      },
      pendingEvents: this.mem.int32At(this.consoleBlock + CONSOLE.Pending),
      ctrlEvents: () => dispatchCtrlEvents(this.ctx),
      terminateRequest: this.threads.terminateWord(this.life.slot),
      terminated: () => this.life.terminatedByOther(),
      unwind: () => this.guest.continueUnwind(),
      setVarargs: (addr) => {
        const prev = this.varargsBase;
        this.varargsBase = addr;
        return prev;
      },
    };
  }

  // ---- start -------------------------------------------------------------------------------------
  /** Loads the program and its DLLs and runs it; never returns (the process exits). */
  run(): never {
    // CREATE_SUSPENDED: nothing of the program runs until the parent resumes its main thread
    // (closes the pipe's other end).
    // Until then the parent may put handles into this process (DuplicateHandle).
    if (this.resumeFd >= 0) {
      const lost = applyHandleMessages(this.resumeFd, this.handles, (h) => void closeFileHandle(this, h));
      if (lost.length) this.debug.log('process', 'err', 'run', `handles sent by the parent collide with inherited ones: ${lost.join(', ')}`);
      this.fs.close(this.resumeFd);
    }
    const bytes = readFileBytes(this.programUnixPath);
    const pe = parsePeForLoading(bytes);
    this.stackReserve = Number(pe.optionalHeader.SizeOfStackReserve);
    this.ctx = this.makeContext();
    this.createPeb();
    this.createMainThread(Number(pe.optionalHeader.SizeOfStackReserve));
    const loader = this.loader;
    const search = loader.search();
    const exe = loader.mapPe(bytes, pe, this.imagePath, normalizeDllName(this.imagePath.replace(/^.*\\/, '')), this.programUnixPath);
    this.mem.setU64(this.pebAddress + PEB.ImageBaseAddress, exe.base);
    // Windows maps ntdll and kernel32 into every process, right after the program.
    loader.loadModule('ntdll.dll', search);
    loader.loadModule('kernel32.dll', search);
    const kiUser = this.dispatch.findIndex((e) => e !== undefined && e.dll === 'ntdll.dll' && e.row.name === 'KiUserExceptionDispatcher');
    this.mem.setU64(this.teb + WR.FaultEntry, this.engine.faultEntry(kiUser));
    loader.bindImports(exe, search);
    protectImage(this.mem, exe.base, exe.pe!);
    loader.initializeModules();
    loader.finishStartup();
    if (pe.tls) for (const cb of pe.tls.callbacks) this.callGuest(exe.base + cb, [exe.base, DLL_PROCESS_ATTACH, 0]);
    const code = this.callGuest(exe.entry, []);
    this.exit(Number(code & 0xffffffffn));
  }
}
