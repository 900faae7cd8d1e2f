/**
 * TLS directory (IMAGE_DIRECTORY_ENTRY_TLS): the template of `__declspec(thread)` data, the
 * variable that receives the module's TLS index, and the TLS callbacks run before the entry
 * point. The directory stores absolute VAs; they are returned as RVAs.
 */
import { Dir } from './constants.js';
import { PeError, hex } from './errors.js';
import type { PeView } from './headers.js';
import { IMAGE_TLS_DIRECTORY64 } from './structs.js';

export interface TlsDirectory {
  /** Template of the per-thread block: [rawDataStartRva, rawDataEndRva). */
  readonly rawDataStartRva: number;
  readonly rawDataEndRva: number;
  /** Zero bytes that follow the template in each thread's block. */
  readonly sizeOfZeroFill: number;
  /** RVA of the DWORD the loader stores the TLS index in (0: none). */
  readonly indexRva: number;
  /** RVA of the callback array (0: none). */
  readonly callbacksRva: number;
  /** RVAs of the callbacks, in order. */
  readonly callbacks: readonly number[];
  readonly characteristics: number;
}

/** No real image has more TLS callbacks than this. */
export const MAX_TLS_CALLBACKS = 1024;

export function parseTls(view: PeView): TlsDirectory | undefined {
  const dir = view.directory(Dir.Tls);
  if (!dir) return undefined;
  const r = view.r;
  const T = IMAGE_TLS_DIRECTORY64;
  const d = T.read(r, view.offsetOf(dir.VirtualAddress, T.size, 'TLS directory'), 'TLS directory');
  let start = 0;
  let end = 0;
  if (d.StartAddressOfRawData !== 0n || d.EndAddressOfRawData !== 0n) {
    start = view.vaToRva(d.StartAddressOfRawData, 'TLS StartAddressOfRawData');
    // End is exclusive and may be the very end of the image.
    end = d.EndAddressOfRawData === d.StartAddressOfRawData ? start : view.vaToRva(d.EndAddressOfRawData - 1n, 'TLS EndAddressOfRawData') + 1;
    if (end < start) {
      throw new PeError('BadRva', `TLS template ends (${hex(d.EndAddressOfRawData)}) before it starts (${hex(d.StartAddressOfRawData)})`);
    }
  }
  const indexRva = d.AddressOfIndex !== 0n ? view.vaToRva(d.AddressOfIndex, 'TLS AddressOfIndex') : 0;
  if (indexRva !== 0 && !view.inImage(indexRva, 4)) {
    throw new PeError('BadRva', `TLS index variable at RVA ${hex(indexRva)} lies outside the image`);
  }
  const callbacksRva = d.AddressOfCallBacks !== 0n ? view.vaToRva(d.AddressOfCallBacks, 'TLS AddressOfCallBacks') : 0;
  const callbacks: number[] = [];
  if (callbacksRva !== 0) {
    // The array is read from the file; one in zero-fill (uninitialised data) is empty.
    const avail = view.bytesAvailable(callbacksRva);
    const off = avail >= 8 ? view.offsetOf(callbacksRva, 8, 'TLS callback array') : -1;
    for (let i = 0; off >= 0; i++) {
      if ((i + 1) * 8 > avail) {
        throw new PeError('BadRva', `TLS callback array at RVA ${hex(callbacksRva)} is not terminated within its section`);
      }
      const va = r.u64(off + i * 8);
      if (va === 0n) break;
      if (i >= MAX_TLS_CALLBACKS) {
        throw new PeError('BadCount', `more than ${MAX_TLS_CALLBACKS} TLS callbacks`);
      }
      callbacks.push(view.vaToRva(va, `TLS callback ${i}`));
    }
  }
  return {
    rawDataStartRva: start,
    rawDataEndRva: end,
    sizeOfZeroFill: d.SizeOfZeroFill,
    indexRva,
    callbacksRva,
    callbacks,
    characteristics: d.Characteristics,
  };
}
