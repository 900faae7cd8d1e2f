/**
 * Load configuration (IMAGE_DIRECTORY_ENTRY_LOAD_CONFIG) — the security cookie the CRT
 * initialises and the Control Flow Guard fields — and the debug directory with the CodeView
 * record that names the PDB.
 */
import { Dir, IMAGE_DEBUG_TYPE_CODEVIEW } from './constants.js';
import { PeError, hex } from './errors.js';
import type { PeView } from './headers.js';
import { utf8z } from './reader.js';
import { CV_INFO_PDB70, IMAGE_DEBUG_DIRECTORY, IMAGE_LOAD_CONFIG_DIRECTORY64 } from './structs.js';

export interface LoadConfig {
  /** The structure's own Size field (how much of it this image has). */
  readonly size: number;
  /** RVA of the security cookie (`__security_cookie`), 0 when absent. */
  readonly securityCookieRva: number;
  readonly guardFlags: number;
  readonly guardCFCheckFunctionPointerRva: number;
  readonly guardCFFunctionCount: number;
}

export interface DebugEntry {
  readonly type: number;
  readonly timeDateStamp: number;
  readonly sizeOfData: number;
  readonly addressOfRawData: number;
  readonly pointerToRawData: number;
}

export interface CodeViewInfo {
  /** GUID (as stored) and age that tie the image to its PDB. */
  readonly guid: string;
  readonly age: number;
  readonly pdbPath: string;
}

export interface DebugDirectory {
  readonly entries: readonly DebugEntry[];
  readonly codeView?: CodeViewInfo;
}

const RSDS = 0x53445352; // "RSDS"

export function parseLoadConfig(view: PeView): LoadConfig | undefined {
  const dir = view.directory(Dir.LoadConfig);
  if (!dir) return undefined;
  const L = IMAGE_LOAD_CONFIG_DIRECTORY64;
  const r = view.r;
  const off = view.offsetOf(dir.VirtualAddress, 4, 'load configuration');
  const size = r.u32(off);
  // The structure's Size is authoritative; older linkers wrote a different directory Size.
  const avail = Math.min(size, view.bytesAvailable(dir.VirtualAddress));
  const lc = L.readPrefix(r, off, avail);
  const rvaOf = (va: bigint | undefined, what: string): number => (va === undefined || va === 0n ? 0 : view.vaToRva(va, what));
  return {
    size,
    securityCookieRva: rvaOf(lc.SecurityCookie, 'load config SecurityCookie'),
    guardFlags: lc.GuardFlags ?? 0,
    guardCFCheckFunctionPointerRva: rvaOf(lc.GuardCFCheckFunctionPointer, 'load config GuardCFCheckFunctionPointer'),
    guardCFFunctionCount: Number(lc.GuardCFFunctionCount ?? 0n),
  };
}

function guidString(b: Uint8Array): string {
  const h = (i: number): string => b[i]!.toString(16).padStart(2, '0');
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return (
    dv.getUint32(0, true).toString(16).padStart(8, '0') +
    '-' +
    dv.getUint16(4, true).toString(16).padStart(4, '0') +
    '-' +
    dv.getUint16(6, true).toString(16).padStart(4, '0') +
    '-' +
    h(8) +
    h(9) +
    '-' +
    [10, 11, 12, 13, 14, 15].map(h).join('')
  ).toUpperCase();
}

export function parseDebug(view: PeView): DebugDirectory | undefined {
  const dir = view.directory(Dir.Debug);
  if (!dir) return undefined;
  const D = IMAGE_DEBUG_DIRECTORY;
  const r = view.r;
  const count = Math.floor(dir.Size / D.size);
  const base = view.offsetOf(dir.VirtualAddress, count * D.size, 'debug directory');
  const entries: DebugEntry[] = [];
  let codeView: CodeViewInfo | undefined;
  for (let i = 0; i < count; i++) {
    const d = D.read(r, base + i * D.size, 'debug directory entry');
    entries.push({ type: d.Type, timeDateStamp: d.TimeDateStamp, sizeOfData: d.SizeOfData, addressOfRawData: d.AddressOfRawData, pointerToRawData: d.PointerToRawData });
    if (d.Type === IMAGE_DEBUG_TYPE_CODEVIEW && codeView === undefined && d.SizeOfData >= CV_INFO_PDB70.size) {
      // The record is addressed by file offset (PointerToRawData); it need not be mapped.
      const at = d.PointerToRawData;
      if (at === 0 || at + d.SizeOfData > r.length) {
        throw new PeError('BadRva', `CodeView record at file offset ${hex(at)} (${d.SizeOfData} bytes) lies outside the file`);
      }
      if (r.u32(at) === RSDS) {
        const cv = CV_INFO_PDB70.read(r, at);
        codeView = { guid: guidString(cv.Signature), age: cv.Age, pdbPath: utf8z(r, at + CV_INFO_PDB70.size, at + d.SizeOfData, 'CodeView PDB path') };
      }
    }
  }
  return codeView ? { entries, codeView } : { entries };
}
