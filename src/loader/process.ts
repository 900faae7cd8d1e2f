/**
 * A Windows process inside this Linux process: the address space, the loaded modules (the
 * program, builtin DLLs synthesized from their export tables, real PE DLLs), the PEB and the
 * main thread's TEB and stack, the dispatcher that runs API implementations, and exit.
 */
import { BUILTIN_DLLS } from '../dlls/index.js';
import { codePagesFromEnvironment } from '../dlls/kernel32/codepages.js';
import type { ApiContext, DllTable, ProcessApi, VarArgs } from '../dlls/types.js';
import { readFileBytes } from '../host/files.js';
import { absolutePath, currentDirectory, directoryOf, hostPid, isFile, monotonicMs, monotonicNs, readFd, sleepMs, writeFd, isatty } from '../host/io.js';
import { DebugChannels } from '../kernel/debug.js';
import { hostFs, hostHomeDataDir, hostUserName } from '../host/fs.js';
import { FILE_READ_DATA, FILE_WRITE_DATA } from '../kernel/files.js';
import { HANDLE_BORROWED_FD, HandleTable } from '../kernel/handles.js';
import { DosDrives } from '../kernel/paths.js';
import type { Registry } from '../kernel/registry.js';
import type { ProcessToken } from '../kernel/security.js';
import { createRegistry, createToken } from './security.js';
import { guestEnvironment, stdHandleType } from './environment.js';
import { HEAP_ZERO_MEMORY, HeapManager } from '../kernel/heap.js';
import { Engine } from '../native/engine.js';
import { exitGroup, gettid } from '../native/host.js';
import { CONTEXT, TEB, THREAD_BLOCK_SIZE, WR } from '../native/layout.js';
import { MEM_PRIVATE, PAGE_READWRITE, AddressSpace } from '../native/memory.js';
import { parseForwarder, parsePeForLoading, type LoadableImage } from '../pe/index.js';
import { dllSearchDirectories, normalizeDllName, resolveApiSet } from './apiset.js';
import { buildBuiltinImage } from './builtin.js';
import { mapImage, protectImage } from './image.js';
import { appendInitOrder, createPeb, ldrEntrySize, writeLdrEntry, writeProcessParameters } from './peb.js';
import { makeDispatcher, type DispatchEntry, type DispatchHooks } from './dispatch.js';
import { RelayFilter, RelayTracer, type TraceFormat } from './relay.js';
import { buildCommandLine } from './commandline.js';
import { EXIT_INTERNAL_ERROR, GuestUnwind, LoaderError, STATUS_DLL_INIT_FAILED, STATUS_DLL_NOT_FOUND, STATUS_PROCEDURE_NOT_FOUND } from './errors.js';
import { LDR_DATA_TABLE_ENTRY as LDR, PEB } from './structures.js';

const DLL_PROCESS_ATTACH = 1;
const DLL_PROCESS_DETACH = 0;

export interface Module {
  readonly name: string; // lower case base name
  readonly displayName: string;
  readonly path: string; // Windows path
  readonly base: number;
  readonly size: number;
  readonly entry: number; // 0: none
  readonly builtin?: { table: DllTable; byName: Map<string, number>; byOrdinal: Map<number, number>; addresses: number[] };
  readonly pe?: LoadableImage;
  ldrEntry: number;
  tlsIndex: number;
}

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
}

/** The name Windows gives a system DLL in PEB.Ldr and messages: KERNEL32.dll, msvcrt.dll. */
function builtinDisplayName(name: string): string {
  return name.replace(/^[a-z0-9]+/, (s) => (s === 'msvcrt' || s === 'ucrtbase' || s === 'ntdll' ? s : s.toUpperCase()));
}

export class WinProcess implements ProcessApi {
  readonly mem = new AddressSpace();
  readonly engine: Engine;
  readonly heaps: HeapManager;
  readonly handles = new HandleTable();
  private readonly createdHeaps = new Set<number>();
  readonly stdHandles: number[];
  readonly modules: Module[] = [];
  private readonly initOrder: Module[] = [];
  private readonly dispatch: DispatchEntry[] = [];
  private readonly builtinTables = new Map<string, DllTable>();
  private readonly dataExports = new Map<string, number>();
  readonly environment: Map<string, string>;
  readonly drives: DosDrives;
  readonly fs = hostFs;
  readonly codePages: { readonly ansi: number; readonly oem: number };
  readonly commandLineW: string;
  readonly imagePath: string;
  readonly programUnixPath: string;
  processHeap = 0;
  pebAddress = 0;
  teb = 0;
  private varargsBase = 0;
  private exiting = false;
  private ctx!: ApiContext;
  private tlsModules = 0;
  /** Guest RSP of each JS → guest call in progress on this thread, innermost last. */
  private readonly guestCalls: number[] = [];
  /** A CONTEXT being jumped to across JS → guest calls (0: none). */
  private pendingUnwind = 0;
  private readonly statusFd: number | undefined;
  readonly debug: DebugChannels;
  private readonly relay: RelayTracer | undefined;

  constructor(opts: ProcessOptions) {
    this.engine = new Engine(this.mem);
    this.heaps = new HeapManager(this.mem);
    for (const t of BUILTIN_DLLS) this.builtinTables.set(t.name, t);
    this.statusFd = opts.statusFd;
    const debugWrite = opts.debugWrite ?? ((line: string) => void writeFd(2, new TextEncoder().encode(line)));
    this.debug = new DebugChannels(opts.debug ?? '', debugWrite);
    this.relay = this.debug.on('relay', 'trace') ? new RelayTracer(new RelayFilter(opts.relayFilter ?? ''), opts.traceFormat ?? 'text', opts.traceWrite ?? debugWrite, this.mem) : undefined;
    const hostEnv = opts.env ?? {};
    const prefix = opts.prefix ?? (hostEnv.WINRUN_PREFIX?.startsWith('/') ? hostEnv.WINRUN_PREFIX : hostHomeDataDir() + '/winrun');
    this.drives = new DosDrives(prefix.replace(/\/+$/, ''), hostUserName(), hostFs);
    this.programUnixPath = absolutePath(opts.program);
    this.imagePath = this.drives.toDos(this.programUnixPath);
    this.commandLineW = buildCommandLine([this.imagePath, ...opts.args]);
    this.stdHandles = [0, 1, 2].map((fd) => this.handles.allocate(stdHandleType(fd), fd, { flags: HANDLE_BORROWED_FD, access: fd === 0 ? FILE_READ_DATA : FILE_WRITE_DATA, share: 7 }));
    this.environment = guestEnvironment(hostEnv, hostUserName(), (unix) => this.drives.toDos(unix));
    const cps = codePagesFromEnvironment(this.environment);
    for (const p of cps.problems) this.debug.log('nls', 'err', 'process', p);
    this.codePages = { ansi: cps.ansi, oem: cps.oem };
  }

  // ---- ProcessApi ---------------------------------------------------------------------------
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
    if (name === null) return this.modules[0]!.base;
    const n = resolveApiSet(name);
    return this.modules.find((m) => m.name === n)?.base ?? 0;
  }
  moduleFileName(base: number): string | undefined {
    return this.modules.find((m) => m.base === base)?.path;
  }
  procAddress(base: number, nameOrOrdinal: string | number): number {
    const m = this.modules.find((x) => x.base === base);
    if (!m) return 0;
    return this.resolveExport(m, nameOrOrdinal, 0, false);
  }
  loadLibrary(name: string): number {
    try {
      const m = this.loadModule(name, directoryOf(this.programUnixPath));
      this.initializeModules();
      return m.base;
    } catch (e) {
      if (e instanceof LoaderError) return 0;
      throw e;
    }
  }

  /** Ends the process: DLL detach in reverse initialization order, then exit_group. */
  exit(code: number): never {
    if (!this.exiting) {
      this.exiting = true;
      for (const m of [...this.initOrder].reverse()) {
        if (m.pe && m.entry && m.pe.isDll) {
          try {
            this.callGuest(m.entry, [m.base, DLL_PROCESS_DETACH, 1]);
          } catch {
            /* exiting anyway */
          }
        }
      }
      for (const t of this.builtinTables.values()) {
        if (t.detach && this.moduleHandle(t.name) !== 0) {
          try {
            t.detach(this.ctx);
          } catch {
            /* exiting anyway */
          }
        }
      }
    }
    if (this.statusFd !== undefined) {
      try {
        writeFd(this.statusFd, new TextEncoder().encode(`${code >>> 0}\n`));
      } catch {
        /* the reader went away: the exit code still reaches the parent */
      }
    }
    exitGroup(code >>> 0);
  }

  // ---- guest calls ----------------------------------------------------------------------------
  callGuest(fn: number, args: readonly (number | bigint)[]): bigint {
    const mem = this.mem;
    const cur = mem.ptr(this.teb + WR.GuestRsp);
    const slots = Math.max(4, args.length);
    const rsp = Math.floor((cur - 8 * slots - 8) / 16) * 16;
    args.forEach((a, i) => mem.setU64(rsp + 8 * i, typeof a === 'number' && a < 0 ? BigInt.asUintN(64, BigInt(a)) : a));
    this.guestCalls.push(rsp);
    let r: bigint;
    try {
      r = this.engine.callGuest(fn, rsp);
    } finally {
      this.guestCalls.pop();
    }
    if (this.pendingUnwind !== 0) throw new GuestUnwind('guest unwind in progress');
    return r;
  }

  /**
   * Continues a jump to the CONTEXT in pendingUnwind from the export call running now: when
   * the target frame is older than the innermost JS → guest call, return into that call's
   * trampoline (whose JS caller then throws GuestUnwind); else resume at the target itself.
   */
  private continueUnwind(): void {
    const mem = this.mem;
    const target = this.pendingUnwind;
    const inner = this.guestCalls[this.guestCalls.length - 1];
    if (inner !== undefined && mem.ptr(target + CONTEXT.Rsp) > inner) {
      const u = this.teb + WR.UnwindBuffer;
      mem.fill(u, 0, CONTEXT.Size);
      mem.setU32(u + CONTEXT.MxCsr, 0x1f80);
      mem.setU32(u + CONTEXT.EFlags, 0x202);
      mem.setU64(u + CONTEXT.Rsp, inner);
      mem.setU64(u + CONTEXT.Rip, this.engine.callGuestReturn);
      mem.setU64(this.teb + WR.ResumeContext, u);
    } else {
      this.pendingUnwind = 0;
      mem.setU64(this.teb + WR.ResumeContext, target);
    }
  }

  // ---- modules -------------------------------------------------------------------------------
  private registerBuiltin(table: DllTable): Module {
    const firstId = this.dispatch.length;
    const displayName = builtinDisplayName(table.name);
    for (const row of table.exports) this.dispatch.push({ dll: displayName, row, trap: false });
    const img = buildBuiltinImage(this.mem, table, firstId, this.engine.stubAddr, { processHeap: this.processHeap });
    const byName = new Map<string, number>();
    const byOrdinal = new Map<number, number>();
    table.exports.forEach((r, i) => {
      byName.set(r.name, i);
      byOrdinal.set(img.ordinals[i]!, i);
      if (r.data) this.dataExports.set(`${table.name}!${r.name}`, img.addresses[i]!);
    });
    const m: Module = {
      name: table.name,
      displayName,
      path: `C:\\windows\\system32\\${table.name}`,
      base: img.base,
      size: img.size,
      entry: 0,
      builtin: { table, byName, byOrdinal, addresses: img.addresses },
      ldrEntry: 0,
      tlsIndex: -1,
    };
    this.modules.push(m);
    this.addLdrEntry(m);
    for (const r of table.exports) if (r.data?.init) r.data.init(this.ctx, this.dataExports.get(`${table.name}!${r.name}`)!);
    return m;
  }

  private mapPe(bytes: Uint8Array, pe: LoadableImage, path: string, name: string): Module {
    const oh = pe.optionalHeader;
    const size = oh.SizeOfImage;
    const base = mapImage(this.mem, bytes, pe, name);
    const m: Module = {
      name,
      displayName: path.replace(/^.*\\/, ''),
      path,
      base,
      size,
      entry: oh.AddressOfEntryPoint ? base + oh.AddressOfEntryPoint : 0,
      pe,
      ldrEntry: 0,
      tlsIndex: -1,
    };
    this.modules.push(m);
    this.addLdrEntry(m);
    return m;
  }

  /** Windows search order for a DLL that is not builtin: the application directory, the
   *  current directory, then PATH. */
  private findDllFile(name: string, appDir: string): string | undefined {
    for (const d of dllSearchDirectories(appDir, currentDirectory(), this.environment.get('PATH'))) {
      for (const cand of [name, name.toUpperCase()]) {
        const p = `${d}/${cand}`;
        if (isFile(p)) return p;
      }
    }
    return undefined;
  }

  loadModule(requested: string, appDir: string, importer = this.modules[0]?.displayName ?? 'the program'): Module {
    const name = resolveApiSet(requested);
    const existing = this.modules.find((m) => m.name === name);
    if (existing) return existing;
    // A DLL shipped next to the program wins over a builtin only for non-system names;
    // builtins stand for the system DLLs.
    const table = this.builtinTables.get(name);
    if (table) return this.registerBuiltin(table);
    const file = this.findDllFile(name, appDir);
    if (!file) {
      const searched = dllSearchDirectories(appDir, currentDirectory(), this.environment.get('PATH'));
      throw new LoaderError(STATUS_DLL_NOT_FOUND, `${importer} needs ${requested}, which was not found (searched: ${searched.join(', ')}; winrun has no builtin ${name})`);
    }
    const bytes = readFileBytes(file);
    const pe = parsePeForLoading(bytes);
    const m = this.mapPe(bytes, pe, this.drives.toDos(absolutePath(file)), name);
    this.bindImports(m, appDir);
    protectImage(this.mem, m.base, m.pe!);
    return m;
  }

  private trapFor(dll: string, fn: string): number {
    // A named trap: resolves now, reports `DLL!name` when called (DESIGN.md §4).
    const id = this.dispatch.length;
    this.dispatch.push({ dll, row: { name: fn, stub: true }, trap: true });
    const img = buildBuiltinImage(this.mem, { name: `${dll}#trap#${fn}`, exports: [{ name: fn, stub: true }] }, id, this.engine.stubAddr);
    return img.addresses[0]!;
  }

  /** Address of an export, following forwarders; 0 (or a trap when `trap`) if missing. */
  resolveExport(m: Module, what: string | number, depth: number, trap: boolean): number {
    if (depth > 16) throw new LoaderError(STATUS_PROCEDURE_NOT_FOUND, `forwarder chain too long at ${m.name}!${what}`);
    let addr = 0;
    let forward: string | undefined;
    if (m.builtin) {
      const i = typeof what === 'number' ? m.builtin.byOrdinal.get(what) : m.builtin.byName.get(what);
      if (i !== undefined) {
        const row = m.builtin.table.exports[i]!;
        if (row.forward) forward = row.forward;
        else addr = m.builtin.addresses[i]!;
      }
    } else if (m.pe?.exports) {
      const e = m.pe.exports.entries.find((x) => (typeof what === 'number' ? x.ordinal === what : x.names.includes(what)));
      if (e) {
        if (e.forwarder) forward = e.forwarder;
        else addr = m.base + e.rva;
      }
    }
    if (forward) {
      const f = parseForwarder(forward)!;
      const target = this.loadModule(f.dll, directoryOf(this.programUnixPath));
      return this.resolveExport(target, f.name ?? f.ordinal!, depth + 1, trap);
    }
    if (addr === 0 && trap) return this.trapFor(m.displayName, typeof what === 'number' ? `#${what}` : what);
    return addr;
  }

  private bindImports(m: Module, appDir: string): void {
    for (const d of m.pe!.imports) {
      const dep = this.loadModule(d.dll, appDir, m.displayName);
      for (const f of d.functions) {
        const addr = this.resolveExport(dep, f.name ?? f.ordinal!, 0, true);
        this.mem.setU64(m.base + f.iatRva, addr);
      }
    }
  }

  // ---- PEB, LDR, TEB ----------------------------------------------------------------------------
  private ldrData = 0;
  private addLdrEntry(m: Module): void {
    const e = this.heapAlloc(this.processHeap, ldrEntrySize(m.path), HEAP_ZERO_MEMORY);
    writeLdrEntry(this.mem, this.ldrData, e, m);
    m.ldrEntry = e;
  }

  private createPeb(): void {
    this.processHeap = this.heaps.create();
    const { peb, ldr } = createPeb(this.mem, this.processHeap);
    this.pebAddress = peb;
    this.ldrData = ldr;
    writeProcessParameters(this.mem, peb, {
      imagePath: this.imagePath,
      commandLine: this.commandLineW,
      currentDirectory: this.drives.toDos(currentDirectory()),
      environment: this.environment,
    });
  }

  /** Allocates the main thread's TEB + winrun block and its guest stack. */
  private createMainThread(stackReserve: number): void {
    const mem = this.mem;
    const teb = mem.allocate(0, THREAD_BLOCK_SIZE, true, PAGE_READWRITE, MEM_PRIVATE);
    this.teb = teb;
    const size = Math.max(stackReserve, 0x100000);
    const stack = mem.allocate(0, size, true, PAGE_READWRITE, MEM_PRIVATE);
    const top = stack + size;
    mem.setU64(teb + TEB.StackBase, top);
    mem.setU64(teb + TEB.StackLimit, stack);
    mem.setU64(teb + TEB.DeallocationStack, stack);
    mem.setU64(teb + TEB.Self, teb);
    mem.setU64(teb + TEB.ProcessEnvironmentBlock, this.pebAddress);
    const tid = gettid();
    mem.setU64(teb + TEB.ClientIdUniqueProcess, hostPid());
    mem.setU64(teb + TEB.ClientIdUniqueThread, tid);
    mem.setU64(teb + WR.GuestRsp, top - 0x40);
    mem.setU32(teb + WR.GuestMxcsr, 0x1f80); // Windows' initial MXCSR
    mem.setU32(teb + WR.HostMxcsr, 0x1f80);
    const dispatch = makeDispatcher(this.dispatch, mem, this.ctx, { teb, tid, stackLow: stack, stackHigh: top }, this.dispatchHooks(), this.relay);
    mem.setU64(teb + WR.Dispatch, this.engine.registerDispatcher(dispatch));
    this.engine.enterThread(teb);
  }

  /** The implicit-TLS block of every module with a TLS directory, for the main thread. */
  private setupTls(): void {
    const withTls = this.modules.filter((m) => m.pe?.tls);
    if (withTls.length === 0) return;
    const mem = this.mem;
    const vector = this.heapAlloc(this.processHeap, 8 * Math.max(withTls.length, 1) + 64, 8);
    mem.setU64(this.teb + TEB.ThreadLocalStoragePointer, vector);
    for (const m of withTls) {
      const t = m.pe!.tls!;
      const index = this.tlsModules++;
      m.tlsIndex = index;
      if (t.indexRva) mem.setU32(m.base + t.indexRva, index);
      mem.setU16(m.ldrEntry + LDR.TlsIndex, index);
      const len = t.rawDataEndRva - t.rawDataStartRva;
      const block = this.heapAlloc(this.processHeap, len + t.sizeOfZeroFill + 16, 8);
      if (len > 0) mem.copy(block, m.base + t.rawDataStartRva, len);
      mem.setU64(vector + 8 * index, block);
    }
  }

  private initializeModules(): void {
    for (const m of this.modules) {
      if (this.initOrder.includes(m) || m === this.modules[0]) continue;
      this.initOrder.push(m);
      appendInitOrder(this.mem, this.ldrData, m.ldrEntry);
      if (m.pe?.tls) for (const cb of m.pe.tls.callbacks) this.callGuest(m.base + cb, [m.base, DLL_PROCESS_ATTACH, 0]);
      if (m.pe && m.entry) {
        const ok = this.callGuest(m.entry, [m.base, DLL_PROCESS_ATTACH, 0]);
        if ((ok & 0xffffffffn) === 0n) throw new LoaderError(STATUS_DLL_INIT_FAILED, `${m.displayName}: DllMain(DLL_PROCESS_ATTACH) failed`);
      }
    }
  }

  // ---- dispatcher --------------------------------------------------------------------------------
  private makeContext(): ApiContext {
    const mem = this.mem;
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const proc = this;
    return {
      mem,
      process: this,
      get teb() {
        return proc.teb;
      },
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
        this.pendingUnwind = context;
        this.continueUnwind();
      },
      contextBuffer: () => this.teb + WR.ContextBuffer,
      debug: this.debug,
      fixme: (channel, func, text) => {
        const site = this.describeAddress(mem.ptr(mem.ptr(this.teb + WR.GuestRsp)));
        this.debug.fixmeOnce(channel, func, site, `${text} (called from ${site})`);
      },
      dataAddress: (dll, name) => {
        const a = this.dataExports.get(`${dll}!${name}`);
        if (a === undefined) throw new RangeError(`no data export ${dll}!${name}`);
        return a;
      },
    };
  }

  private describeAddress(addr: number): string {
    const m = this.modules.find((x) => addr >= x.base && addr < x.base + x.size);
    if (m) return `${m.displayName}+0x${(addr - m.base).toString(16)}`;
    // A guest function that tail-calls an API returns straight into winrun's trampoline.
    if (this.engine.ownsCode(addr)) return 'winrun (a callback made by winrun)';
    return `0x${addr.toString(16)}`;
  }

  private dispatchHooks(): DispatchHooks {
    const say = (text: string): void => void writeFd(2, new TextEncoder().encode(text + '\n'));
    return {
      trap: (e, returnAddress) => {
        say(`winrun: unimplemented function ${e.dll}!${e.row.name} called from ${this.describeAddress(returnAddress)}`);
        this.exit(STATUS_PROCEDURE_NOT_FOUND);
      },
      internalError: (e, err, returnAddress) => {
        const msg = err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err);
        const from = returnAddress !== undefined ? ` (called from ${this.describeAddress(returnAddress)})` : '';
        say(`winrun: internal error in ${e.dll}!${e.row.name}${from}: ${msg}`);
        exitGroup(EXIT_INTERNAL_ERROR);
      },
      stub: (e, returnAddress) => {
        const at = this.describeAddress(returnAddress);
        this.debug.fixmeOnce('stub', `${e.dll}!${e.row.name}`, at, `is a stub (called from ${at}); it returns 0 with ERROR_CALL_NOT_IMPLEMENTED`);
      },
      describe: (addr) => this.describeAddress(addr),
      unwind: () => this.continueUnwind(),
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
    const bytes = readFileBytes(this.programUnixPath);
    const pe = parsePeForLoading(bytes);
    this.ctx = this.makeContext();
    this.createPeb();
    this.createMainThread(Number(pe.optionalHeader.SizeOfStackReserve));
    const appDir = directoryOf(this.programUnixPath);
    const exe = this.mapPe(bytes, pe, this.imagePath, normalizeDllName(this.imagePath.replace(/^.*\\/, '')));
    this.mem.setU64(this.pebAddress + PEB.ImageBaseAddress, exe.base);
    // Windows maps ntdll and kernel32 into every process, right after the program.
    this.loadModule('ntdll.dll', appDir);
    this.loadModule('kernel32.dll', appDir);
    this.bindImports(exe, appDir);
    protectImage(this.mem, exe.base, exe.pe!);
    this.setupTls();
    this.initializeModules();
    if (pe.tls) for (const cb of pe.tls.callbacks) this.callGuest(exe.base + cb, [exe.base, DLL_PROCESS_ATTACH, 0]);
    const code = this.callGuest(exe.entry, []);
    this.exit(Number(code & 0xffffffffn));
  }
}

