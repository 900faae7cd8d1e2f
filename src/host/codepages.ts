/**
 * Legacy code-page data from iconv-lite, a maintained pure-JS encoding library (DESIGN.md §7:
 * no hand-written tables). It lives in host/ because iconv-lite speaks Node Buffers; the DLLs
 * see plain tables: what each byte (or lead/trail pair) decodes to, and the reverse.
 *
 * Tables are derived once per encoding per JS realm and never change afterwards, so the cache
 * below is a constant built lazily, not process state.
 */
import { createRequire } from 'node:module';
import type * as IconvLite from 'iconv-lite';

type Iconv = typeof IconvLite;
let library: Iconv | undefined;
/** iconv-lite, loaded on first use: most programs never leave UTF-8, and loading its encoding
 *  index costs start-up time. The CommonJS bundle has `require`; the ESM build makes one. */
function iconv(): Iconv {
  if (!library) {
    const req = typeof require === 'function' ? require : createRequire(import.meta.url);
    library = req('iconv-lite') as Iconv;
  }
  return library;
}

/** Marks a byte or pair that decodes to nothing. */
export const UNDEFINED = 0xfffd;

export interface TableOptions {
  /** DBCS lead bytes (empty for a single-byte code page). */
  readonly lead: readonly number[];
  /**
   * Bytes the library leaves undefined: 0x80–0x9F stand for the C1 control of the same value;
   * later ones get consecutive private-use characters from `privateUse` (when given), in byte
   * order. Both decode and encode both ways.
   */
  readonly privateUse?: number;
}

export interface ByteTables {
  /** UTF-16 code unit of each single byte; UNDEFINED for lead bytes and unmapped bytes. */
  readonly single: Uint16Array;
  /** Bytes that decode to a filled-in private-use character (TableOptions.privateUse). */
  readonly filled: ReadonlySet<number>;
  /** Per lead byte: the code unit of each lead/trail pair (UNDEFINED: no character). */
  readonly pairs: ReadonlyMap<number, Uint16Array>;
  /** Code unit → byte (≤ 0xff) or lead << 8 | trail: only mappings that round-trip. */
  readonly encode: ReadonlyMap<number, number>;
}

const tables = new Map<string, ByteTables>();

function decode(encoding: string, bytes: Uint8Array): string {
  return iconv().decode(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), encoding, { stripBOM: false });
}

function decodeOne(encoding: string, bytes: Uint8Array): number {
  const s = decode(encoding, bytes);
  return s.length === 1 ? s.charCodeAt(0) : UNDEFINED;
}

function encodeWith(encoding: string, text: string): Uint8Array {
  const b = iconv().encode(text, encoding, { addBOM: false });
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

/** The tables of a single- or double-byte encoding (iconv-lite name). */
export function byteTables(encoding: string, opts: TableOptions): ByteTables {
  const known = tables.get(encoding);
  if (known) return known;
  const lead = new Set(opts.lead);
  const single = new Uint16Array(256);
  const filled = new Set<number>();
  let nextPrivate = opts.privateUse;
  for (let b = 0; b < 256; b++) {
    // Byte by byte, so that a lead byte cannot swallow its neighbour.
    single[b] = lead.has(b) ? UNDEFINED : decodeOne(encoding, Uint8Array.of(b));
    if (single[b] !== UNDEFINED || lead.has(b)) continue;
    if (b >= 0x80 && b < 0xa0) single[b] = b;
    else if (nextPrivate !== undefined && b >= 0xa0) {
      single[b] = nextPrivate++;
      filled.add(b);
    }
  }
  const pairs = new Map<number, Uint16Array>();
  for (const l of opts.lead) pairs.set(l, pairRow(encoding, l));
  const encode = new Map<number, number>();
  const twice = new Set<number>();
  const add = (unit: number, code: number): void => {
    if (unit === UNDEFINED) return;
    if (encode.has(unit)) twice.add(unit);
    else encode.set(unit, code);
  };
  single.forEach((u, b) => add(u, b));
  for (const [l, row] of pairs) row.forEach((u, t) => add(u, (l << 8) | t));
  // A character with two codes (cp932's NEC and IBM duplicates) takes the one the library's
  // encoder chooses, which follows the vendor's preference.
  for (const unit of twice) {
    const b = encodeWith(encoding, String.fromCharCode(unit));
    if (b.length === 1 && single[b[0]!] === unit) encode.set(unit, b[0]!);
    else if (b.length === 2 && pairs.get(b[0]!)?.[b[1]!] === unit) encode.set(unit, (b[0]! << 8) | b[1]!);
  }
  const t: ByteTables = { single, filled, pairs, encode };
  tables.set(encoding, t);
  return t;
}

/**
 * What each lead/trail pair decodes to. The pairs go through the decoder in one call, each
 * followed by a line feed (the pair whose trail is itself a line feed is decoded alone); should
 * the output not split back into one piece per pair, the pairs are decoded one by one.
 */
function pairRow(encoding: string, lead: number): Uint16Array {
  const row = new Uint16Array(256).fill(UNDEFINED);
  const trails = Array.from({ length: 255 }, (_, i) => i + 1).filter((t) => t !== 0x0a);
  const bytes = new Uint8Array(3 * trails.length);
  trails.forEach((t, i) => bytes.set([lead, t, 0x0a], 3 * i));
  const pieces = decode(encoding, bytes).split('\n');
  if (pieces.length === trails.length + 1 && pieces[trails.length] === '') {
    trails.forEach((t, i) => (row[t] = pieces[i]!.length === 1 ? pieces[i]!.charCodeAt(0) : UNDEFINED));
  } else {
    for (const t of trails) row[t] = decodeOne(encoding, Uint8Array.of(lead, t));
  }
  row[0x0a] = decodeOne(encoding, Uint8Array.of(lead, 0x0a));
  return row;
}

/** The library's own encoding of one character (its one-way best fits, such as cp932's
 *  U+00A5 → 0x5C), or undefined when it has none. */
export function libraryEncoding(encoding: string, ch: string): Uint8Array | undefined {
  const b = encodeWith(encoding, ch);
  // iconv-lite writes '?' for what it cannot encode.
  return b.length === 0 || (b.length === 1 && b[0] === 0x3f && ch !== '?') ? undefined : b;
}

/** UTF-7 (RFC 2152), code page 65000. */
export function decodeUtf7(bytes: Uint8Array): string {
  return decode('utf-7', bytes);
}
/** Windows writes '+' as "+-" on its own; the library would fold it into a neighbouring
 *  base64 run, so the text is encoded between the plus signs. */
export function encodeUtf7(text: string): Uint8Array {
  const parts = text.split('+').map((p) => encodeWith('utf-7', p));
  const plus = Uint8Array.of(0x2b, 0x2d);
  const out: number[] = [];
  parts.forEach((p, i) => {
    if (i > 0) out.push(...plus);
    out.push(...p);
  });
  return Uint8Array.from(out);
}
