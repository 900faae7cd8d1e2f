import type { ByteReader } from './reader.js';

/** A field type: a little-endian integer, or a fixed run of bytes. */
export type FieldType = 'u8' | 'u16' | 'u32' | 'u64' | { bytes: number };
export type FieldSpec = readonly [name: string, type: FieldType];

type ValueOf<T> = T extends 'u64' ? bigint : T extends { bytes: number } ? Uint8Array : number;

/** The plain object a struct reads into: winnt.h field names, numbers (u64 as bigint). */
export type StructValue<F extends readonly FieldSpec[]> = { [E in F[number] as E[0]]: ValueOf<E[1]> };

function sizeOf(t: FieldType): number {
  switch (t) {
    case 'u8':
      return 1;
    case 'u16':
      return 2;
    case 'u32':
      return 4;
    case 'u64':
      return 8;
    default:
      return t.bytes;
  }
}

export interface Struct<F extends readonly FieldSpec[]> {
  readonly name: string;
  readonly size: number;
  /** Byte offset of each field, for hot loops that read one field directly. */
  readonly offsetOf: { readonly [E in F[number] as E[0]]: number };
  /** Reads the whole structure at `off`; a read past the end is a `Truncated` PeError. */
  read(r: ByteReader, off: number, what?: string): StructValue<F>;
  /** Reads the fields that lie wholly inside the first `available` bytes (for structures
   *  such as IMAGE_LOAD_CONFIG_DIRECTORY64 that grew between Windows versions). */
  readPrefix(r: ByteReader, off: number, available: number): Partial<StructValue<F>>;
}

/**
 * Declares a binary layout as a table of winnt.h fields (packed, in order) and asserts its
 * total size once, at module load: a wrong table is a programming error, not bad input.
 */
export function defineStruct<const F extends readonly FieldSpec[]>(name: string, fields: F, expectedSize: number): Struct<F> {
  const offsets: Record<string, number> = {};
  const layout: { name: string; type: FieldType; off: number; size: number }[] = [];
  let off = 0;
  for (const [fname, type] of fields) {
    offsets[fname] = off;
    layout.push({ name: fname, type, off, size: sizeOf(type) });
    off += sizeOf(type);
  }
  if (off !== expectedSize) {
    throw new TypeError(`layout of ${name} is ${off} bytes, expected ${expectedSize}`);
  }
  function readField(r: ByteReader, base: number, f: (typeof layout)[number]): number | bigint | Uint8Array {
    const p = base + f.off;
    switch (f.type) {
      case 'u8':
        return r.u8(p);
      case 'u16':
        return r.u16(p);
      case 'u32':
        return r.u32(p);
      case 'u64':
        return r.u64(p);
      default:
        return r.bytes.slice(p, p + f.size);
    }
  }
  return {
    name,
    size: off,
    offsetOf: offsets as Struct<F>['offsetOf'],
    read(r, base, what = name) {
      r.check(base, off, what);
      const out: Record<string, unknown> = {};
      for (const f of layout) out[f.name] = readField(r, base, f);
      return out as StructValue<F>;
    },
    readPrefix(r, base, available) {
      const out: Record<string, unknown> = {};
      for (const f of layout) {
        if (f.off + f.size > available) break;
        if (base + f.off + f.size > r.length) break;
        out[f.name] = readField(r, base, f);
      }
      return out as Partial<StructValue<F>>;
    },
  };
}
