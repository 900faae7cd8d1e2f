/**
 * The PEB, its loader data (the three module lists real programs walk) and the process
 * parameters, written into guest memory with their documented x64 layouts (structures.ts).
 */
import { WINDOWS_10 } from '../dlls/kernel32/osversion.js';
import { processorCount } from '../host/system.js';
import { type AddressSpace } from '../native/memory.js';
import { MEM_PRIVATE, PAGE_READWRITE } from '../native/memprotect.js';
import { LDR_DATA_TABLE_ENTRY as LDR, PEB, PEB_LDR_DATA, RTL_USER_PROCESS_PARAMETERS as RUPP } from './structures.js';

/** Windows 10 22H2, as RtlGetVersion and the PEB report it. */
const OS_VERSION = WINDOWS_10;
const MAX_PATH = 260;

function listInit(mem: AddressSpace, head: number): void {
  mem.setU64(head, head);
  mem.setU64(head + 8, head);
}

function listAppend(mem: AddressSpace, head: number, entry: number): void {
  const last = mem.ptr(head + 8);
  mem.setU64(entry, head);
  mem.setU64(entry + 8, last);
  mem.setU64(last, entry);
  mem.setU64(head + 8, entry);
}

/** UNICODE_STRING: Length, MaximumLength (bytes), Buffer. */
function unicodeString(mem: AddressSpace, at: number, buffer: number, chars: number): void {
  mem.setU16(at, 2 * chars);
  mem.setU16(at + 2, 2 * chars + 2);
  mem.setU64(at + 8, buffer);
}

export interface PebLayout {
  peb: number;
  ldr: number;
}

/** The PEB (64 KiB allocation: PEB, winrun's extension at +0x800, PEB_LDR_DATA at +0x1000). */
export function createPeb(mem: AddressSpace, processHeap: number): PebLayout {
  const peb = mem.allocate(0, 0x10000, true, PAGE_READWRITE, MEM_PRIVATE);
  mem.setU64(peb + PEB.ProcessHeap, processHeap);
  mem.setU32(peb + PEB.NumberOfProcessors, Math.min(processorCount(), 64));
  mem.setU32(peb + PEB.OSMajorVersion, OS_VERSION.major);
  mem.setU32(peb + PEB.OSMinorVersion, OS_VERSION.minor);
  mem.setU16(peb + PEB.OSBuildNumber, OS_VERSION.build);
  mem.setU32(peb + PEB.OSPlatformId, 2);
  const ldr = peb + 0x1000;
  mem.setU32(ldr + PEB_LDR_DATA.Length, PEB_LDR_DATA.Size);
  mem.setU8(ldr + PEB_LDR_DATA.Initialized, 1);
  listInit(mem, ldr + PEB_LDR_DATA.InLoadOrderModuleList);
  listInit(mem, ldr + PEB_LDR_DATA.InMemoryOrderModuleList);
  listInit(mem, ldr + PEB_LDR_DATA.InInitializationOrderModuleList);
  mem.setU64(peb + PEB.Ldr, ldr);
  return { peb, ldr };
}

export interface ProcessParameters {
  imagePath: string;
  commandLine: string;
  currentDirectory: string;
  environment: ReadonlyMap<string, string>;
}

/** RTL_USER_PROCESS_PARAMETERS with its strings and the UTF-16 environment block after it, in
 *  an allocation sized for them (a command line may be 32K characters). */
export function writeProcessParameters(mem: AddressSpace, peb: number, p: ProcessParameters): void {
  const cwd = p.currentDirectory.endsWith('\\') ? p.currentDirectory : p.currentDirectory + '\\';
  const strings = [p.imagePath, p.commandLine, cwd, p.imagePath];
  const envBlock = [...p.environment].map(([k, v]) => `${k}=${v}\0`).join('') + '\0';
  const size = RUPP.Size + strings.reduce((n, x) => n + 2 * x.length + 16, 0) + 2 * MAX_PATH + 2 * envBlock.length + 16;
  const pp = mem.allocate(0, size, true, PAGE_READWRITE, MEM_PRIVATE);
  mem.setU32(pp + RUPP.MaximumLength, RUPP.Size);
  mem.setU32(pp + RUPP.Length, RUPP.Size);
  mem.setU32(pp + RUPP.Flags, 1); // normalized: pointers are absolute
  let str = pp + RUPP.Size;
  const put = (off: number, s: string, capacity = s.length + 1): void => {
    mem.writeWString(str, s);
    unicodeString(mem, pp + off, str, s.length);
    mem.setU16(pp + off + 2, 2 * capacity);
    str = Math.ceil((str + 2 * capacity) / 8) * 8;
  };
  put(RUPP.ImagePathName, p.imagePath);
  put(RUPP.CommandLine, p.commandLine);
  put(RUPP.CurrentDirectoryPath, cwd, Math.max(MAX_PATH, cwd.length + 1)); // SetCurrentDirectory rewrites it in place
  put(RUPP.WindowTitle, p.imagePath);
  // Environment block: NAME=value\0 … \0 (UTF-16).
  const units = new Uint16Array(envBlock.length);
  for (let i = 0; i < envBlock.length; i++) units[i] = envBlock.charCodeAt(i);
  mem.write(str, new Uint8Array(units.buffer));
  mem.setU64(pp + RUPP.Environment, str);
  mem.setU64(pp + RUPP.EnvironmentSize, 2 * envBlock.length);
  mem.setU64(peb + PEB.ProcessParameters, pp);
}

export interface LdrModule {
  path: string;
  base: number;
  entry: number;
  size: number;
}

/** An LDR_DATA_TABLE_ENTRY (at `entry`, with room for the path after it: see ldrEntrySize),
 *  linked into the load-order and memory-order lists (memory order = load order here). */
export function ldrEntrySize(path: string): number {
  return LDR.Size + 2 * (path.length + 1) + 8;
}

export function writeLdrEntry(mem: AddressSpace, ldr: number, e: number, m: LdrModule): void {
  const full = e + LDR.Size;
  mem.writeWString(full, m.path);
  const baseNameOff = m.path.lastIndexOf('\\') + 1;
  mem.setU64(e + LDR.DllBase, m.base);
  mem.setU64(e + LDR.EntryPoint, m.entry);
  mem.setU32(e + LDR.SizeOfImage, m.size);
  unicodeString(mem, e + LDR.FullDllName, full, m.path.length);
  unicodeString(mem, e + LDR.BaseDllName, full + 2 * baseNameOff, m.path.length - baseNameOff);
  mem.setU16(e + LDR.LoadCount, 0xffff);
  mem.setU16(e + LDR.TlsIndex, 0);
  listAppend(mem, ldr + PEB_LDR_DATA.InLoadOrderModuleList, e + LDR.InLoadOrderLinks);
  listAppend(mem, ldr + PEB_LDR_DATA.InMemoryOrderModuleList, e + LDR.InMemoryOrderLinks);
  listInit(mem, e + LDR.InInitializationOrderLinks);
}

/** Links a module into the initialisation-order list once its DllMain is about to run. */
export function appendInitOrder(mem: AddressSpace, ldr: number, e: number): void {
  listAppend(mem, ldr + PEB_LDR_DATA.InInitializationOrderModuleList, e + LDR.InInitializationOrderLinks);
}

/** Takes an unloaded module's entry out of the three module lists. */
export function unlinkLdrEntry(mem: AddressSpace, e: number): void {
  for (const links of [LDR.InLoadOrderLinks, LDR.InMemoryOrderLinks, LDR.InInitializationOrderLinks]) {
    const flink = mem.ptr(e + links);
    const blink = mem.ptr(e + links + 8);
    if (flink === 0 || blink === 0) continue;
    mem.setU64(blink, flink);
    mem.setU64(flink + 8, blink);
    mem.setU64(e + links, e + links);
    mem.setU64(e + links + 8, e + links);
  }
}

/** LDR_DATA_TABLE_ENTRY.LoadCount (ObsoleteLoadCount): 0xffff for a module that stays. */
export function setLoadCount(mem: AddressSpace, e: number, count: number): void {
  mem.setU16(e + LDR.LoadCount, Math.min(count, 0xffff));
}
