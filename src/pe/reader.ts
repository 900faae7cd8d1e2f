import { PeError, hex, type PeErrorKind } from './errors.js';

/** Longest name accepted in import/export/forwarder strings. Real names are far shorter;
 *  the limit keeps a missing terminator from turning into a megabyte string. */
export const MAX_NAME_LENGTH = 4096;

/**
 * Bounds-checked little-endian reads over a byte array. Every read either succeeds inside
 * the array or throws a PeError of the caller's kind (Truncated by default).
 */
export class ByteReader {
  readonly dv: DataView;
  readonly length: number;

  constructor(readonly bytes: Uint8Array) {
    this.dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.length = bytes.byteLength;
  }

  /** Throws unless [off, off+len) lies inside the data. */
  check(off: number, len: number, what: string, kind: PeErrorKind = 'Truncated'): void {
    if (!(off >= 0 && len >= 0 && off + len <= this.length)) {
      throw new PeError(kind, `${what} at file offset ${hex(off)} (${len} bytes) lies past the end of the file (${hex(this.length)} bytes)`);
    }
  }

  u8(off: number): number {
    return this.dv.getUint8(off);
  }
  u16(off: number): number {
    return this.dv.getUint16(off, true);
  }
  u32(off: number): number {
    return this.dv.getUint32(off, true);
  }
  u64(off: number): bigint {
    return this.dv.getBigUint64(off, true);
  }

  /**
   * A NUL-terminated 8-bit string starting at `off` that must end before `limit`.
   * Bytes are taken as Latin-1 (names in PE tables are ASCII in practice).
   */
  cstring(off: number, limit: number, what: string): string {
    const end = Math.min(limit, this.length, off + MAX_NAME_LENGTH + 1);
    const bytes = this.bytes;
    let s = '';
    for (let i = off; i < end; i++) {
      const c = bytes[i]!;
      if (c === 0) return s;
      s += String.fromCharCode(c);
    }
    throw new PeError('BadString', `${what} at file offset ${hex(off)} is not terminated within ${Math.max(0, end - off)} bytes`);
  }

  /** `count` UTF-16LE code units at `off` (already bounds-checked by the caller). */
  utf16(off: number, count: number): string {
    let s = '';
    for (let i = 0; i < count; i++) s += String.fromCharCode(this.dv.getUint16(off + 2 * i, true));
    return s;
  }
}

const utf8 = new TextDecoder('utf-8');

/** A NUL-terminated UTF-8 string (PDB paths) that must end before `limit`. */
export function utf8z(r: ByteReader, off: number, limit: number, what: string): string {
  const end = Math.min(limit, r.length);
  const nul = r.bytes.subarray(off, end).indexOf(0);
  if (nul < 0) throw new PeError('BadString', `${what} at file offset ${hex(off)} is not terminated within ${Math.max(0, end - off)} bytes`);
  return utf8.decode(r.bytes.subarray(off, off + nul));
}
