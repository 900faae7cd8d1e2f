/**
 * Import directory (IMAGE_DIRECTORY_ENTRY_IMPORT) and delay-load import directory
 * (IMAGE_DIRECTORY_ENTRY_DELAY_IMPORT): which DLLs the image needs and which of their
 * functions, by name (with hint) or by ordinal.
 */
import { Dir } from './constants.js';
import { PeError, hex } from './errors.js';
import type { PeView } from './headers.js';
import { IMAGE_DELAYLOAD_DESCRIPTOR, IMAGE_IMPORT_DESCRIPTOR } from './structs.js';

export interface ImportedFunction {
  /** Set for imports by name. */
  readonly name?: string;
  /** The hint (a guess at the export's index in the DLL's name table), for imports by name. */
  readonly hint?: number;
  /** Set for imports by ordinal. */
  readonly ordinal?: number;
  /** RVA of the 8-byte IAT slot the loader writes the function's address into. */
  readonly iatRva: number;
}

export interface ImportedDll {
  readonly dll: string;
  /** RVA of the import lookup table (OriginalFirstThunk; FirstThunk when that is 0). */
  readonly lookupTableRva: number;
  /** RVA of the import address table (FirstThunk). */
  readonly iatRva: number;
  /** The descriptor's TimeDateStamp is non-zero: the IAT was bound at link or install time.
   *  winrun ignores bindings and resolves every import itself. */
  readonly bound: boolean;
  readonly functions: readonly ImportedFunction[];
}

export interface DelayImportedDll extends ImportedDll {
  /** DLLs built by old linkers store VAs instead of RVAs (Attributes bit 0 clear); the RVAs
   *  here are already converted. */
  readonly attributes: number;
  /** RVA of the HMODULE variable the delay-load helper fills in. */
  readonly moduleHandleRva: number;
  readonly boundIatRva: number;
  readonly unloadIatRva: number;
}

const ORDINAL_FLAG = 1n << 63n;
const THUNK_SIZE = 8;

/** Reads one import lookup table (ILT or, without one, the IAT itself) up to its 0 entry. */
function readThunks(view: PeView, lookupRva: number, iatRva: number, dll: string): ImportedFunction[] {
  const out: ImportedFunction[] = [];
  const r = view.r;
  // The table must end (with a 0 entry) inside its file-backed run, which bounds the loop.
  const avail = view.bytesAvailable(lookupRva);
  if (avail === 0) {
    throw new PeError('BadRva', `import lookup table of ${dll} at RVA ${hex(lookupRva)} lies outside the image's file data`);
  }
  const base = view.offsetOf(lookupRva, Math.min(avail, THUNK_SIZE), `import lookup table of ${dll}`);
  const maxEntries = Math.floor(avail / THUNK_SIZE);
  for (let i = 0; ; i++) {
    if (i >= maxEntries) {
      throw new PeError('BadRva', `import lookup table of ${dll} at RVA ${hex(lookupRva)} is not terminated within its section`);
    }
    const v = r.u64(base + i * THUNK_SIZE);
    if (v === 0n) break;
    const iat = iatRva + i * THUNK_SIZE;
    if (!view.inImage(iat, THUNK_SIZE)) {
      throw new PeError('BadRva', `IAT slot ${i} of ${dll} at RVA ${hex(iat)} lies outside the image`);
    }
    if ((v & ORDINAL_FLAG) !== 0n) {
      if ((v & 0x7fffffffffff0000n) !== 0n) {
        throw new PeError('BadRva', `import ${i} of ${dll} is by ordinal but has bits set above the ordinal (${hex(v)})`);
      }
      out.push({ ordinal: Number(v & 0xffffn), iatRva: iat });
    } else {
      if (v > 0x7fffffffn) {
        throw new PeError('BadRva', `import ${i} of ${dll} has an invalid name RVA ${hex(v)}`);
      }
      const nameRva = Number(v);
      const off = view.offsetOf(nameRva, 2, `IMAGE_IMPORT_BY_NAME for import ${i} of ${dll}`);
      const hint = r.u16(off);
      const name = view.stringAt(nameRva + 2, `name of import ${i} of ${dll}`);
      out.push({ name, hint, iatRva: iat });
    }
  }
  return out;
}

export function parseImports(view: PeView): ImportedDll[] {
  const dir = view.directory(Dir.Import);
  if (!dir) return [];
  const r = view.r;
  const D = IMAGE_IMPORT_DESCRIPTOR;
  // The directory's Size is often inexact; like Windows, read until the all-zero descriptor,
  // which must come before the end of the file-backed data.
  const avail = view.bytesAvailable(dir.VirtualAddress);
  if (avail < D.size) {
    throw new PeError('BadRva', `import directory at RVA ${hex(dir.VirtualAddress)} lies outside the image's file data`);
  }
  const base = view.offsetOf(dir.VirtualAddress, D.size, 'import directory');
  const out: ImportedDll[] = [];
  for (let i = 0; ; i++) {
    if ((i + 1) * D.size > avail) {
      throw new PeError('BadRva', 'import directory is not terminated by a null descriptor within its section');
    }
    const d = D.read(r, base + i * D.size, 'import descriptor');
    if (d.Name === 0 && d.FirstThunk === 0) break;
    const dll = view.stringAt(d.Name, `name of imported DLL ${i}`);
    if (dll.length === 0) throw new PeError('BadString', `imported DLL ${i} has an empty name`);
    const lookup = d.OriginalFirstThunk !== 0 ? d.OriginalFirstThunk : d.FirstThunk;
    const functions = readThunks(view, lookup, d.FirstThunk, dll);
    out.push({ dll, lookupTableRva: lookup, iatRva: d.FirstThunk, bound: d.TimeDateStamp !== 0, functions });
  }
  return out;
}

export function parseDelayImports(view: PeView): DelayImportedDll[] {
  const dir = view.directory(Dir.DelayImport);
  if (!dir) return [];
  const r = view.r;
  const D = IMAGE_DELAYLOAD_DESCRIPTOR;
  const avail = view.bytesAvailable(dir.VirtualAddress);
  if (avail < D.size) {
    throw new PeError('BadRva', `delay-load import directory at RVA ${hex(dir.VirtualAddress)} lies outside the image's file data`);
  }
  const base = view.offsetOf(dir.VirtualAddress, D.size, 'delay-load import directory');
  const out: DelayImportedDll[] = [];
  // The table ends at a null descriptor or at the directory's Size, whichever comes first:
  // GNU-ld images have no null descriptor after their descriptors.
  const maxDescriptors = Math.max(1, Math.floor(dir.Size / D.size));
  for (let i = 0; i < maxDescriptors; i++) {
    if ((i + 1) * D.size > avail) {
      throw new PeError('BadRva', 'delay-load import directory is not terminated by a null descriptor within its section');
    }
    const d = D.read(r, base + i * D.size, 'delay-load descriptor');
    if (d.DllNameRVA === 0) break;
    // Attributes bit 0 (dlattrRva) set: the fields are RVAs. Clear: VAs (VC6-era images).
    const rvaBased = (d.Attributes & 1) !== 0;
    const toRva = (v: number, what: string): number => (v === 0 || rvaBased ? v : view.vaToRva(BigInt(v), what));
    const nameRva = toRva(d.DllNameRVA, 'delay-load DLL name');
    const dll = view.stringAt(nameRva, `name of delay-loaded DLL ${i}`);
    const iatRva = toRva(d.ImportAddressTableRVA, `delay-load IAT of ${dll}`);
    const intRva = toRva(d.ImportNameTableRVA, `delay-load name table of ${dll}`);
    if (intRva === 0 || iatRva === 0) {
      throw new PeError('BadRva', `delay-load descriptor of ${dll} has no ${intRva === 0 ? 'name table' : 'IAT'}`);
    }
    const functions = readThunks(view, intRva, iatRva, dll);
    out.push({
      dll,
      attributes: d.Attributes,
      moduleHandleRva: toRva(d.ModuleHandleRVA, `delay-load module handle of ${dll}`),
      lookupTableRva: intRva,
      iatRva,
      boundIatRva: toRva(d.BoundImportAddressTableRVA, `delay-load bound IAT of ${dll}`),
      unloadIatRva: toRva(d.UnloadInformationTableRVA, `delay-load unload IAT of ${dll}`),
      bound: d.TimeDateStamp !== 0,
      functions,
    });
  }
  return out;
}
