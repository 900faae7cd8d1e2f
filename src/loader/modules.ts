/**
 * The modules of a process: the program, builtin DLLs synthesized from their export tables and
 * real PE DLLs; import binding, DllMain attach in dependency order, and LoadLibrary /
 * FreeLibrary with reference counts (a module loaded at start-up or builtin stays until exit,
 * as Windows keeps the static imports of a process). LOAD_LIBRARY_AS_DATAFILE and
 * AS_IMAGE_RESOURCE map a file without running it; those mappings have handles with a low bit
 * set (1: the file as it is, 2: laid out as an image) and are not modules.
 */
import { BUILTIN_DLLS } from '../dlls/index.js';
import type { DispatchLog } from './dispatchlog.js';
import type { ApiContext, DllTable } from '../dlls/types.js';
import { readFileBytes } from '../host/files.js';
import { hostFs, failed } from '../host/fs.js';
import { absolutePath, directoryOf, isFile } from '../host/io.js';
import { DONT_RESOLVE_DLL_REFERENCES, LOAD_LIBRARY_AS_DATA, LOAD_LIBRARY_AS_IMAGE_RESOURCE, type DllDirectories } from '../kernel/dlldirs.js';
import { HEAP_ZERO_MEMORY } from '../kernel/heap.js';
import { fullPathName, type DosDrives } from '../kernel/paths.js';
import type { Engine } from '../native/engine.js';
import type { IoTables } from '../native/iofast.js';
import { EXCEPTIONS, EXCEPTION_BLOCK, TEB } from '../native/layout.js';
import { type AddressSpace } from '../native/memory.js';
import { parseForwarder, parsePeForLoading, type LoadableImage } from '../pe/index.js';
import { normalizeDllName, resolveApiSet } from './apiset.js';
import { buildBuiltinImage } from './builtin.js';
import type { DispatchEntry } from './dispatch.js';
import { searchDirectories, type SearchPlaces } from './dllsearch.js';
import { mapDataFile } from './datafile.js';
import { STATUS_DLL_INIT_FAILED, STATUS_DLL_NOT_FOUND, STATUS_PROCEDURE_NOT_FOUND, LoaderError, loadError } from './errors.js';
import { mapImage, protectImage } from './image.js';
import { appendInitOrder, ldrEntrySize, setLoadCount, unlinkLdrEntry, writeLdrEntry } from './peb.js';
import { LDR_DATA_TABLE_ENTRY as LDR } from './structures.js';

const DLL_PROCESS_DETACH = 0;
const DLL_PROCESS_ATTACH = 1;
const SYSTEM32 = 'c:\\windows\\system32';

export interface Module {
  readonly name: string; // lower case base name
  readonly displayName: string;
  readonly path: string; // Windows path
  readonly base: number;
  readonly size: number;
  readonly entry: number; // 0: none
  readonly builtin?: { table: DllTable; byName: Map<string, number>; byOrdinal: Map<number, number>; addresses: number[] };
  readonly pe?: LoadableImage;
  /** The Unix file a PE module was mapped from. */
  readonly file?: string;
  ldrEntry: number;
  tlsIndex: number;
  /** LoadLibrary / GetModuleHandleEx references and those of the modules importing it. */
  refCount: number;
  /** Stays until exit: builtin, loaded at start-up, or pinned by GetModuleHandleEx. */
  pinned: boolean;
  /** Imports bound, DllMain due (false with DONT_RESOLVE_DLL_REFERENCES and for .exe files). */
  resolved: boolean;
  /** The distinct modules its imports resolved to (each holds one reference from it). */
  readonly imports: Module[];
}

/** What the loader needs from its process. */
export interface LoaderHost {
  readonly mem: AddressSpace;
  readonly engine: Engine;
  readonly dispatch: DispatchEntry[];
  /** Where every thread takes its dispatch ids (loader/dispatchlog.ts). */
  readonly dispatchLog: DispatchLog;
  readonly drives: DosDrives;
  readonly environment: Map<string, string>;
  readonly dllDirectories: DllDirectories;
  processHeap(): number;
  /** The tables the file fast paths read (undefined: no file fast paths, e.g. under +relay). */
  ioTables(): IoTables | undefined;
  context(): ApiContext;
  /** The PEB's address (0 before it is made). */
  peb(): number;
  callGuest(fn: number, args: readonly (number | bigint)[]): bigint;
  /** The main thread's TEB. */
  teb(): number;
  /** The guest's current directory (DOS, as the PEB holds it). */
  currentDirectory(): string;
}

export type LoadResult = { handle: number } | { error: number };

/** The name Windows gives a system DLL in PEB.Ldr and messages: KERNEL32.dll, msvcrt.dll. */
export function builtinDisplayName(name: string): string {
  return name.replace(/^[a-z0-9]+/, (s) => (s === 'msvcrt' || s === 'ucrtbase' || s === 'ntdll' ? s : s.toUpperCase()));
}

/** The file a module name stands for: its base name, with `.dll` when it has no extension. */
function fileNameOf(requested: string): string {
  const base = requested.replace(/^.*[\\/]/, '');
  return /\.[^.]*$/.test(base) ? base : `${base}.dll`;
}

export class ModuleLoader {
  readonly modules: Module[] = [];
  /** Changes whenever a module is mapped or unmapped (caches of code addresses check it). */
  generation = 0;
  readonly initOrder: Module[] = [];
  readonly dataExports = new Map<string, number>();
  /** LOAD_LIBRARY_AS_DATAFILE / AS_IMAGE_RESOURCE mappings by base. */
  private readonly dataFiles = new Set<number>();
  private readonly builtinTables = new Map<string, DllTable>();
  private readonly appDir: string;
  ldrData = 0;
  /** While the program's static imports load: those modules stay until exit. */
  private startup = true;
  /** The main thread's implicit-TLS vector (TEB.ThreadLocalStoragePointer), its size in
   *  slots, and the next free index. */
  private tlsVector = 0;
  private tlsCapacity = 0;
  private tlsNext = 0;

  /** The modules changed: caches of code addresses start again, in this realm (`generation`)
   *  and in every realm's exception core (EXCEPTIONS.CodeGeneration, native/exccore.ts). */
  private changed(): void {
    this.generation++;
    const peb = this.host.peb();
    if (peb === 0) return;
    const at = peb + EXCEPTION_BLOCK + EXCEPTIONS.CodeGeneration;
    this.host.mem.setU32(at, (this.host.mem.u32(at) + 1) >>> 0);
  }

  /** Implicit-TLS indexes handed out so far (a new thread's vector needs that many slots). */
  get tlsCount(): number {
    return this.tlsNext;
  }

  /** A Worker thread's loader takes over the creator's modules (loader/threadmodules.ts). */
  adopt(modules: readonly Module[], initOrder: readonly Module[], ldrData: number, tlsCount: number): void {
    this.modules.push(...modules);
    this.initOrder.push(...initOrder);
    this.ldrData = ldrData;
    this.tlsNext = tlsCount;
    this.startup = false;
    this.changed();
  }

  /** This thread's implicit-TLS vector (a Worker builds its own: loader/threadmodules.ts). */
  useTlsVector(vector: number, capacity: number): void {
    this.tlsVector = vector;
    this.tlsCapacity = capacity;
  }

  constructor(
    private readonly host: LoaderHost,
    programUnixPath: string,
  ) {
    for (const t of BUILTIN_DLLS) this.builtinTables.set(t.name, t);
    this.appDir = directoryOf(programUnixPath);
  }

  get tables(): Iterable<DllTable> {
    return this.builtinTables.values();
  }

  /** The program's imports are bound and initialized: later loads are counted. */
  finishStartup(): void {
    this.startup = false;
  }

  // ---- finding files ---------------------------------------------------------------------------
  private places(): SearchPlaces {
    const c = this.host.drives.driveC;
    const toUnix = (dos: string): string | undefined => {
      const full = fullPathName(dos, this.host.currentDirectory());
      const r = full === undefined ? undefined : this.host.drives.resolve(full);
      return r?.kind === 'file' ? r.unix : undefined;
    };
    return {
      appDir: this.appDir,
      system32: `${c}/windows/system32`,
      systemDir: `${c}/windows/system`,
      windowsDir: `${c}/windows`,
      cwd: toUnix(this.host.currentDirectory()) ?? this.appDir,
      pathVar: this.host.environment.get('PATH'),
      dirs: this.host.dllDirectories,
      toUnix,
    };
  }

  /** The search order for `flags` (static imports: 0). */
  search(flags = 0, dllDir?: string): string[] {
    return searchDirectories(this.places(), flags, dllDir);
  }

  /** A file named `name` (any case) in one of `dirs`. */
  private findDllFile(name: string, dirs: readonly string[]): string | undefined {
    const tries = [...new Set([name, name.toLowerCase(), name.toUpperCase()])];
    for (const d of dirs) {
      for (const cand of tries) if (isFile(`${d}/${cand}`)) return `${d}/${cand}`;
      const entries = hostFs.readdir(d);
      if (failed(entries)) continue;
      const upper = name.toUpperCase();
      const match = entries.find((e) => e.toUpperCase() === upper);
      if (match !== undefined && isFile(`${d}/${match}`)) return `${d}/${match}`;
    }
    return undefined;
  }

  // ---- mapping ---------------------------------------------------------------------------------
  /** `table`: one of BUILTIN_DLLS. */
  private registerBuiltin(table: DllTable): Module {
    const host = this.host;
    // Ids from the process's log, so that another thread's later DLL does not get them too.
    const firstId = host.dispatchLog.appendBuiltin(BUILTIN_DLLS.indexOf(table), table.exports.length);
    const displayName = builtinDisplayName(table.name);
    table.exports.forEach((row, i) => (host.dispatch[firstId + i] = { dll: displayName, row, trap: false }));
    const img = buildBuiltinImage(host.mem, table, firstId, host.engine.stubAddr, { processHeap: host.processHeap(), io: host.ioTables() });
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
      refCount: 1,
      pinned: true,
      resolved: true,
      imports: [],
    };
    this.modules.push(m);
    this.changed();
    this.addLdrEntry(m);
    for (const r of table.exports) if (r.data?.init) r.data.init(host.context(), this.dataExports.get(`${table.name}!${r.name}`)!);
    return m;
  }

  mapPe(bytes: Uint8Array, pe: LoadableImage, path: string, name: string, file?: string): Module {
    const oh = pe.optionalHeader;
    const base = mapImage(this.host.mem, bytes, pe, name);
    const m: Module = {
      name,
      displayName: path.replace(/^.*\\/, ''),
      path,
      base,
      size: oh.SizeOfImage,
      entry: oh.AddressOfEntryPoint ? base + oh.AddressOfEntryPoint : 0,
      pe,
      ...(file !== undefined && { file }),
      ldrEntry: 0,
      tlsIndex: -1,
      refCount: 0,
      pinned: this.startup,
      resolved: true,
      imports: [],
    };
    this.modules.push(m);
    this.changed();
    this.addLdrEntry(m);
    return m;
  }

  private addLdrEntry(m: Module): void {
    const host = this.host;
    const e = host.context().process.heapAlloc(host.processHeap(), ldrEntrySize(m.path), HEAP_ZERO_MEMORY);
    writeLdrEntry(host.mem, this.ldrData, e, m);
    m.ldrEntry = e;
    this.syncLoadCount(m);
  }

  private syncLoadCount(m: Module): void {
    if (m.ldrEntry) setLoadCount(this.host.mem, m.ldrEntry, m.pinned ? 0xffff : m.refCount);
  }

  /**
   * A module by name (an API-set name, a builtin, or a DLL found along `search`), mapped and
   * with its imports bound when new; `file` gives the DLL's file when its name had a path.
   * Throws LoaderError when it or a dependency cannot be loaded.
   */
  loadModule(requested: string, search: readonly string[], importer = this.modules[0]?.displayName ?? 'the program', file?: string, resolve = true): Module {
    const name = file !== undefined ? normalizeDllName(file) : resolveApiSet(requested);
    const existing = file !== undefined ? this.modules.find((m) => m.file === file) : this.modules.find((m) => m.name === name);
    if (existing) return existing;
    // Builtins stand for the system DLLs: a DLL of the same name next to the program does not
    // replace them.
    const table = file === undefined ? this.builtinTables.get(name) : undefined;
    if (table) return this.registerBuiltin(table);
    // The file name keeps the case the importer used (Linux file names are case-sensitive).
    const found = file ?? this.findDllFile(name === normalizeDllName(requested) ? fileNameOf(requested) : name, search);
    if (!found) {
      throw new LoaderError(STATUS_DLL_NOT_FOUND, `${importer} needs ${requested}, which was not found (searched: ${search.join(', ')}; winrun has no builtin ${name})`);
    }
    const bytes = readFileBytes(found);
    const pe = parsePeForLoading(bytes);
    const m = this.mapPe(bytes, pe, this.host.drives.toDos(absolutePath(found)), name, found);
    // An .exe loads as if DONT_RESOLVE_DLL_REFERENCES were given: no imports, no entry call.
    m.resolved = resolve && pe.isDll;
    if (m.resolved) this.bindImports(m, search);
    protectImage(this.host.mem, m.base, pe);
    return m;
  }

  private trapFor(dll: string, fn: string): number {
    // A named trap: resolves now, reports `DLL!name` when called (DESIGN.md §4).
    const host = this.host;
    const id = host.dispatchLog.appendTrap(dll, fn);
    host.dispatch[id] = { dll, row: { name: fn, stub: true }, trap: true };
    const img = buildBuiltinImage(host.mem, { name: `${dll}#trap#${fn}`, exports: [{ name: fn, stub: true }] }, id, host.engine.stubAddr, {}, false);
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
      const target = this.loadModule(f.dll, this.search(), m.displayName);
      return this.resolveExport(target, f.name ?? f.ordinal!, depth + 1, trap);
    }
    if (addr === 0 && trap) return this.trapFor(m.displayName, typeof what === 'number' ? `#${what}` : what);
    return addr;
  }

  bindImports(m: Module, search: readonly string[]): void {
    for (const d of m.pe!.imports) {
      const dep = this.loadModule(d.dll, search, m.displayName);
      if (!m.imports.includes(dep)) {
        m.imports.push(dep);
        this.addReference(dep, false);
      }
      for (const f of d.functions) {
        const addr = this.resolveExport(dep, f.name ?? f.ordinal!, 0, true);
        this.host.mem.setU64(m.base + f.iatRva, addr);
      }
    }
  }

  /** DllMain(DLL_PROCESS_ATTACH) (and TLS callbacks) of every module not yet initialized, each
   *  after the modules it imports. A DllMain that fails is detached and unloaded. */
  initializeModules(): void {
    const exe = this.modules[0];
    if (exe?.pe?.tls && exe.tlsIndex < 0) this.assignTls(exe);
    const seen = new Set<Module>();
    const visit = (m: Module): void => {
      if (seen.has(m) || this.initOrder.includes(m)) return;
      seen.add(m);
      for (const d of m.imports) visit(d);
      if (m === exe || !m.resolved) return;
      if (m.pe?.tls && m.tlsIndex < 0) this.assignTls(m);
      this.initOrder.push(m);
      appendInitOrder(this.host.mem, this.ldrData, m.ldrEntry);
      if (m.pe?.tls) for (const cb of m.pe.tls.callbacks) this.host.callGuest(m.base + cb, [m.base, DLL_PROCESS_ATTACH, 0]);
      if (m.pe && m.entry) {
        const ok = this.host.callGuest(m.entry, [m.base, DLL_PROCESS_ATTACH, 0]);
        if ((ok & 0xffffffffn) === 0n) {
          // Windows then calls it with DLL_PROCESS_DETACH and unloads it.
          if (!m.pinned) this.unload(m);
          throw new LoaderError(STATUS_DLL_INIT_FAILED, `${m.displayName}: DllMain(DLL_PROCESS_ATTACH) failed`);
        }
      }
    };
    for (const m of [...this.modules]) visit(m);
  }

  /** A module's implicit TLS: its index (written where its TLS directory asks) and the main
   *  thread's copy of its template; DLLs loaded later get theirs too, as since Windows Vista. */
  private assignTls(m: Module): void {
    const t = m.pe!.tls!;
    const mem = this.host.mem;
    const proc = this.host.context().process;
    const heap = this.host.processHeap();
    const index = this.tlsNext++;
    if (index >= this.tlsCapacity) {
      const capacity = Math.max(8, 2 * this.tlsCapacity);
      const vector = proc.heapAlloc(heap, 8 * capacity, HEAP_ZERO_MEMORY);
      if (this.tlsVector !== 0) {
        mem.copy(vector, this.tlsVector, 8 * this.tlsCapacity);
        proc.heapFree(heap, this.tlsVector);
      }
      this.tlsVector = vector;
      this.tlsCapacity = capacity;
      mem.setU64(this.host.teb() + TEB.ThreadLocalStoragePointer, vector);
    }
    m.tlsIndex = index;
    if (t.indexRva) mem.setU32(m.base + t.indexRva, index);
    mem.setU16(m.ldrEntry + LDR.TlsIndex, index);
    const len = t.rawDataEndRva - t.rawDataStartRva;
    const block = proc.heapAlloc(heap, len + t.sizeOfZeroFill + 16, HEAP_ZERO_MEMORY);
    if (len > 0) mem.copy(block, m.base + t.rawDataStartRva, len);
    mem.setU64(this.tlsVector + 8 * index, block);
  }

  // ---- lookups ---------------------------------------------------------------------------------
  byBase(h: number): Module | undefined {
    return this.modules.find((m) => m.base === h);
  }

  /** The module whose image holds `addr`. */
  containing(addr: number): Module | undefined {
    return this.modules.find((m) => addr >= m.base && addr < m.base + m.size);
  }

  /** GetModuleHandle's lookup: NULL is the program; a name matches the first module loaded
   *  with that base name (or the full path). */
  byName(name: string | null): Module | undefined {
    if (name === null) return this.modules[0];
    if (/^[a-zA-Z]:[\\/]|^\\\\/.test(name)) {
      const full = fullPathName(name, this.host.currentDirectory())?.toLowerCase();
      const m = this.modules.find((x) => x.path.toLowerCase() === full);
      if (m || !full?.startsWith(SYSTEM32 + '\\')) return m;
    }
    const n = resolveApiSet(name);
    return this.modules.find((m) => m.name === n);
  }

  // ---- LoadLibrary / FreeLibrary ---------------------------------------------------------------
  /** One more reference (or none, when it stays anyway); `pin` keeps it until exit. */
  addReference(m: Module, pin: boolean): void {
    if (pin) m.pinned = true;
    else if (!m.pinned) m.refCount++;
    this.syncLoadCount(m);
  }

  /**
   * LoadLibraryEx once the flags are valid: `name` as the program gave it. A module already
   * loaded gains a reference (also when asked for as data); otherwise the file is mapped as a
   * module (its imports bound, DllMain run) or, for the data flags, as data only.
   */
  loadLibrary(name: string, flags: number): LoadResult {
    const absolute = /^[a-zA-Z]:[\\/]|^\\\\/.test(name);
    const dos = absolute ? fullPathName(name, this.host.currentDirectory()) : undefined;
    let file: string | undefined;
    let bare = name;
    if (dos !== undefined) {
      const dir = dos.slice(0, dos.lastIndexOf('\\')).toLowerCase();
      const base = dos.slice(dos.lastIndexOf('\\') + 1);
      // A system DLL named by its system32 path is the builtin.
      if (dir === SYSTEM32 && this.builtinTables.has(resolveApiSet(base))) bare = base;
      else {
        const r = this.host.drives.resolve(dos);
        if (r.kind !== 'file' || !isFile(r.unix)) return { error: 126 };
        file = r.unix;
      }
    } else if (/[\\/]/.test(name)) {
      // A relative path: looked for under each directory of the search order.
      const rel = name.replace(/\\/g, '/');
      file = this.search(flags).map((d) => `${d}/${rel}`).find(isFile);
      if (file === undefined) return { error: 126 };
    }
    const search = this.search(flags, file !== undefined ? directoryOf(file) : undefined);
    const existing = file !== undefined ? this.modules.find((m) => m.file === file) : this.modules.find((m) => m.name === resolveApiSet(bare));
    if (existing) {
      this.addReference(existing, false);
      return { handle: existing.base };
    }
    // A builtin asked for as data is loaded as the module it is (it has no file to map).
    if (flags & LOAD_LIBRARY_AS_DATA && !this.builtinTables.has(resolveApiSet(bare))) {
      const f = file ?? this.findDllFile(bare.includes('.') ? bare : normalizeDllName(bare), search);
      return f === undefined ? { error: 126 } : this.mapData(f, (flags & LOAD_LIBRARY_AS_IMAGE_RESOURCE) !== 0);
    }
    const before = new Set(this.modules);
    let m: Module;
    try {
      m = this.loadModule(bare, search, undefined, file, (flags & DONT_RESOLVE_DLL_REFERENCES) === 0);
    } catch (e) {
      const error = loadError(e);
      if (error === undefined) throw e;
      this.discard(before);
      return { error };
    }
    this.addReference(m, false);
    try {
      this.initializeModules();
    } catch (e) {
      const error = loadError(e);
      if (error === undefined) throw e;
      // A dependency's DllMain failed: the module goes too.
      if (this.modules.includes(m) && !m.pinned) this.unload(m);
      return { error };
    }
    return { handle: m.base };
  }

  /** Drops the PE modules a failed load mapped (none of them initialized yet); builtins it
   *  brought in stay, as builtins always do. */
  private discard(before: Set<Module>): void {
    const added = this.modules.filter((m) => !before.has(m) && !m.builtin);
    for (const m of added.reverse()) {
      for (const d of m.imports) if (before.has(d) && !d.pinned) d.refCount--;
      this.remove(m);
    }
  }

  /** Maps a file as data: as it is (handle | 1) or laid out as an image (handle | 2). */
  private mapData(file: string, image: boolean): LoadResult {
    const r = mapDataFile(this.host.mem, file, image);
    if ('error' in r) return r;
    this.dataFiles.add(r.base);
    return { handle: r.handle };
  }

  isDataFile(h: number): boolean {
    return this.dataFiles.has(h - (h % 4));
  }

  /** FreeLibrary: false when `h` is neither a module nor a data mapping. */
  freeLibrary(h: number): boolean {
    if (h % 4 !== 0) {
      const base = h - (h % 4);
      if (!this.dataFiles.delete(base)) return false;
      this.host.mem.release(base);
      return true;
    }
    const m = this.byBase(h);
    if (!m) return false;
    this.release(m);
    return true;
  }

  private release(m: Module): void {
    if (m.pinned || !this.modules.includes(m)) return;
    m.refCount--;
    this.syncLoadCount(m);
    if (m.refCount <= 0) this.unload(m);
  }

  /** DllMain(DLL_PROCESS_DETACH) if it was attached, then unmapping, then its imports let go. */
  private unload(m: Module): void {
    const i = this.initOrder.indexOf(m);
    if (i >= 0) {
      this.initOrder.splice(i, 1);
      if (m.pe && m.entry) this.host.callGuest(m.entry, [m.base, DLL_PROCESS_DETACH, 0]);
      if (m.pe?.tls) for (const cb of m.pe.tls.callbacks) this.host.callGuest(m.base + cb, [m.base, DLL_PROCESS_DETACH, 0]);
    }
    this.remove(m);
    for (const d of m.imports) this.release(d);
  }

  private remove(m: Module): void {
    const i = this.modules.indexOf(m);
    if (i >= 0) this.modules.splice(i, 1);
    if (m.tlsIndex >= 0) {
      const slot = this.tlsVector + 8 * m.tlsIndex;
      this.host.context().process.heapFree(this.host.processHeap(), this.host.mem.ptr(slot));
      this.host.mem.setU64(slot, 0);
    }
    unlinkLdrEntry(this.host.mem, m.ldrEntry);
    this.host.context().process.heapFree(this.host.processHeap(), m.ldrEntry);
    this.host.mem.release(m.base);
    // After the release: a thread that checks its caches before it would keep them.
    this.changed();
  }

  /** Process exit: DLL_PROCESS_DETACH (lpReserved non-NULL) in reverse initialization order. */
  detachAll(): void {
    for (const m of [...this.initOrder].reverse()) {
      if (m.pe && m.entry && m.pe.isDll) {
        try {
          this.host.callGuest(m.entry, [m.base, DLL_PROCESS_DETACH, 1]);
        } catch {
          /* exiting anyway */
        }
      }
    }
  }
}
