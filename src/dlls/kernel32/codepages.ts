/**
 * The code pages winrun knows (the ones Windows 10 installs by default that a console program
 * meets), with the facts GetCPInfoEx reports, and conversion between them and UTF-16 with
 * Windows' rules. The byte tables come from iconv-lite through host/codepages.ts; the rules
 * layered on them here (undefined bytes, default characters, best fit) are Windows' own.
 */
import { byteTables, decodeUtf7, encodeUtf7, libraryEncoding, UNDEFINED, type ByteTables } from '../../host/codepages.js';

export const CP_ACP = 0;
export const CP_OEMCP = 1;
export const CP_MACCP = 2;
export const CP_THREAD_ACP = 3;
export const CP_UTF7 = 65000;
export const CP_UTF8 = 65001;

export const MB_PRECOMPOSED = 0x1;
export const MB_COMPOSITE = 0x2;
export const MB_USEGLYPHCHARS = 0x4;
export const MB_ERR_INVALID_CHARS = 0x8;
export const WC_DISCARDNS = 0x10;
export const WC_SEPCHARS = 0x20;
export const WC_DEFAULTCHAR = 0x40;
export const WC_ERR_INVALID_CHARS = 0x80;
export const WC_COMPOSITECHECK = 0x200;
export const WC_NO_BEST_FIT_CHARS = 0x400;

type Kind = 'sbcs' | 'dbcs' | 'ascii' | 'utf7' | 'utf8';

export interface CodePage {
  readonly id: number;
  readonly kind: Kind;
  /** iconv-lite's name for the table. */
  readonly encoding: string;
  /** Windows' description, shown by GetCPInfoEx as "1252  (ANSI - Latin I)". */
  readonly title: string;
  /** DBCS lead-byte ranges (inclusive). */
  readonly lead?: readonly (readonly [number, number])[];
  /** What MultiByteToWideChar produces for an undecodable sequence (default U+003F). */
  readonly uniDefault?: number;
  /** The first private-use character Windows assigns to bytes the code page leaves undefined
   *  (beyond 0x9F; undefined bytes 0x80–0x9F stand for the C1 control of the same value). */
  readonly privateUse?: number;
}

const sb = (id: number, encoding: string, title: string, privateUse?: number): CodePage => ({ id, kind: 'sbcs', encoding, title, privateUse });

/** Every code page IsValidCodePage accepts. */
export const CODE_PAGES: readonly CodePage[] = [
  sb(437, 'cp437', 'OEM - United States'),
  sb(720, 'cp720', 'Arabic - Transparent ASMO'),
  sb(737, 'cp737', 'OEM - Greek 437G'),
  sb(775, 'cp775', 'OEM - Baltic'),
  sb(850, 'cp850', 'OEM - Multilingual Latin I'),
  sb(852, 'cp852', 'OEM - Latin II'),
  sb(855, 'cp855', 'OEM - Cyrillic'),
  sb(857, 'cp857', 'OEM - Turkish', 0xf8bb),
  sb(858, 'cp858', 'OEM - Multilingual Latin I + Euro'),
  sb(860, 'cp860', 'OEM - Portuguese'),
  sb(861, 'cp861', 'OEM - Icelandic'),
  sb(862, 'cp862', 'OEM - Hebrew'),
  sb(863, 'cp863', 'OEM - Canadian French'),
  sb(864, 'cp864', 'OEM - Arabic', 0xf8be),
  sb(865, 'cp865', 'OEM - Nordic'),
  sb(866, 'cp866', 'OEM - Russian'),
  sb(869, 'cp869', 'OEM - Modern Greek'),
  sb(874, 'cp874', 'ANSI/OEM - Thai', 0xf8c1),
  { id: 932, kind: 'dbcs', encoding: 'cp932', title: 'ANSI/OEM - Japanese Shift-JIS', lead: [[0x81, 0x9f], [0xe0, 0xfc]], uniDefault: 0x30fb, privateUse: 0xf8f0 },
  { id: 936, kind: 'dbcs', encoding: 'cp936', title: 'ANSI/OEM - Simplified Chinese GBK', lead: [[0x81, 0xfe]], privateUse: 0xf8f5 },
  { id: 949, kind: 'dbcs', encoding: 'cp949', title: 'ANSI/OEM - Korean', lead: [[0x81, 0xfe]], privateUse: 0xf8f7 },
  { id: 950, kind: 'dbcs', encoding: 'cp950', title: 'ANSI/OEM - Traditional Chinese Big5', lead: [[0x81, 0xfe]], privateUse: 0xf8f8 },
  sb(1250, 'windows-1250', 'ANSI - Central Europe'),
  sb(1251, 'windows-1251', 'ANSI - Cyrillic'),
  sb(1252, 'windows-1252', 'ANSI - Latin I'),
  sb(1253, 'windows-1253', 'ANSI - Greek', 0xf8f9),
  sb(1254, 'windows-1254', 'ANSI - Turkish'),
  sb(1255, 'windows-1255', 'ANSI - Hebrew', 0xf88d),
  sb(1256, 'windows-1256', 'ANSI - Arabic'),
  sb(1257, 'windows-1257', 'ANSI - Baltic', 0xf8fc),
  sb(1258, 'windows-1258', 'ANSI/OEM - Viet Nam'),
  sb(10000, 'macintosh', 'MAC - Roman', 0xf8ff),
  { id: 20127, kind: 'ascii', encoding: 'ascii', title: 'US-ASCII' },
  sb(20866, 'koi8-r', 'Russian - KOI8'),
  sb(21866, 'koi8-u', 'Ukrainian - KOI8-U'),
  sb(28591, 'iso-8859-1', 'ISO 8859-1 Latin I'),
  sb(28592, 'iso-8859-2', 'ISO 8859-2 Central Europe'),
  sb(28593, 'iso-8859-3', 'ISO 8859-3 Latin 3', 0xf7f5),
  sb(28594, 'iso-8859-4', 'ISO 8859-4 Baltic'),
  sb(28595, 'iso-8859-5', 'ISO 8859-5 Cyrillic'),
  sb(28596, 'iso-8859-6', 'ISO 8859-6 Arabic', 0xf7c8),
  sb(28597, 'iso-8859-7', 'ISO 8859-7 Greek', 0xf7c5),
  sb(28598, 'iso-8859-8', 'ISO 8859-8 Hebrew: Visual Ordering', 0xf79c),
  sb(28599, 'iso-8859-9', 'ISO 8859-9 Turkish'),
  sb(28603, 'iso-8859-13', 'ISO 8859-13 Estonian'),
  sb(28605, 'iso-8859-15', 'ISO 8859-15 Latin 9'),
  { id: CP_UTF7, kind: 'utf7', encoding: 'utf-7', title: 'UTF-7', uniDefault: 0xfffd },
  { id: CP_UTF8, kind: 'utf8', encoding: 'utf-8', title: 'UTF-8', uniDefault: 0xfffd },
];

export function findCodePage(id: number): CodePage | undefined {
  return CODE_PAGES.find((p) => p.id === id);
}

/** GetCPInfo's facts about a code page. */
export function maxCharSize(p: CodePage): number {
  return p.kind === 'utf8' ? 4 : p.kind === 'utf7' ? 5 : p.kind === 'dbcs' ? 2 : 1;
}

/** GetCPInfoEx's CodePageName: the number left-aligned in six columns, then the title. */
export function codePageName(p: CodePage): string {
  return `${String(p.id).padEnd(5)} (${p.title})`;
}

export function isLeadByte(p: CodePage, b: number): boolean {
  return (p.lead ?? []).some(([lo, hi]) => b >= lo && b <= hi);
}

function tablesOf(p: CodePage): ByteTables {
  const lead: number[] = [];
  for (const [lo, hi] of p.lead ?? []) for (let b = lo; b <= hi; b++) lead.push(b);
  return byteTables(p.encoding, { lead, privateUse: p.privateUse });
}

// ---- start-up configuration ------------------------------------------------------------------

export interface CodePageSettings {
  readonly ansi: number;
  readonly oem: number;
  /** Why a setting was ignored, for the process to report. */
  readonly problems: readonly string[];
}

/**
 * The ANSI and OEM code pages of a process: UTF-8 unless WINRUN_ACP / WINRUN_OEMCP name
 * another code page winrun has (read once, at start-up, as Windows reads its registry).
 */
export function codePagesFromEnvironment(env: ReadonlyMap<string, string>): CodePageSettings {
  const problems: string[] = [];
  const pick = (name: string): number => {
    const v = env.get(name);
    if (v === undefined || v === '') return CP_UTF8;
    const id = /^\d+$/.test(v.trim()) ? Number(v.trim()) : NaN;
    const p = findCodePage(id);
    if (!p || p.kind === 'utf7') {
      problems.push(`${name}=${v} is not a code page winrun supports; using 65001 (UTF-8)`);
      return CP_UTF8;
    }
    return id;
  };
  return { ansi: pick('WINRUN_ACP'), oem: pick('WINRUN_OEMCP'), problems };
}

// ---- conversion --------------------------------------------------------------------------------

/** A conversion's outcome: the result, or the Win32 error it fails with. */
export type Converted<T> = { ok: true; value: T; usedDefault?: boolean } | { ok: false; error: number };
const ERROR_INVALID_FLAGS = 1004;
const ERROR_NO_UNICODE_TRANSLATION = 1113;
const fail = <T>(error: number): Converted<T> => ({ ok: false, error });

/** Flags MultiByteToWideChar accepts for a code page, as its documentation lists them. */
export function checkMultiByteFlags(p: CodePage, flags: number): number {
  if (p.kind === 'utf8') return (flags & ~MB_ERR_INVALID_CHARS) === 0 ? 0 : ERROR_INVALID_FLAGS;
  if (p.kind === 'utf7') return flags === 0 ? 0 : ERROR_INVALID_FLAGS;
  if ((flags & ~(MB_PRECOMPOSED | MB_COMPOSITE | MB_USEGLYPHCHARS | MB_ERR_INVALID_CHARS)) !== 0) return ERROR_INVALID_FLAGS;
  if ((flags & MB_PRECOMPOSED) !== 0 && (flags & MB_COMPOSITE) !== 0) return ERROR_INVALID_FLAGS;
  return 0;
}

/** Flags WideCharToMultiByte accepts for a code page. */
export function checkWideFlags(p: CodePage, flags: number): number {
  if (p.kind === 'utf8') return (flags & ~WC_ERR_INVALID_CHARS) === 0 ? 0 : ERROR_INVALID_FLAGS;
  if (p.kind === 'utf7') return flags === 0 ? 0 : ERROR_INVALID_FLAGS;
  const known = WC_DISCARDNS | WC_SEPCHARS | WC_DEFAULTCHAR | WC_COMPOSITECHECK | WC_NO_BEST_FIT_CHARS;
  return (flags & ~known) === 0 ? 0 : ERROR_INVALID_FLAGS;
}

const toUnits = (s: string): Uint16Array => {
  const u = new Uint16Array(s.length);
  for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i);
  return u;
};

export function unitsToString(u: Uint16Array): string {
  let s = '';
  for (let i = 0; i < u.length; i += 8192) s += String.fromCharCode(...u.subarray(i, i + 8192));
  return s;
}

/** MultiByteToWideChar's conversion (flags already checked). */
export function decodeBytes(p: CodePage, bytes: Uint8Array, flags: number): Converted<Uint16Array> {
  const strict = (flags & MB_ERR_INVALID_CHARS) !== 0;
  let units: Uint16Array;
  switch (p.kind) {
    case 'utf8': {
      // WHATWG's decoder replaces each maximal subpart of an ill-formed sequence with one
      // U+FFFD: the Unicode recommendation that Windows follows. A BOM stays a character.
      try {
        units = toUnits(new TextDecoder('utf-8', { fatal: strict, ignoreBOM: true }).decode(bytes));
      } catch {
        return fail(ERROR_NO_UNICODE_TRANSLATION);
      }
      return { ok: true, value: units };
    }
    case 'utf7':
      return { ok: true, value: toUnits(decodeUtf7(bytes)) };
    case 'ascii':
      // Windows' 20127 table drops the high bit.
      units = Uint16Array.from(bytes, (b) => b & 0x7f);
      break;
    default: {
      const r = decodeTable(p, bytes, strict);
      if (!r) return fail(ERROR_NO_UNICODE_TRANSLATION);
      units = r;
    }
  }
  if ((flags & MB_COMPOSITE) !== 0) units = toUnits(unitsToString(units).normalize('NFD'));
  return { ok: true, value: units };
}

function decodeTable(p: CodePage, bytes: Uint8Array, strict: boolean): Uint16Array | undefined {
  const t = tablesOf(p);
  const uniDefault = p.uniDefault ?? 0x3f;
  const out = new Uint16Array(bytes.length);
  let n = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    const row = t.pairs.get(b);
    if (row) {
      // A lead byte takes the next byte as its trail whatever it is (Windows' tables are
      // indexed that way), unless the string ends or a NUL follows.
      const trail = i + 1 < bytes.length ? bytes[i + 1]! : 0;
      if (trail === 0) {
        if (strict) return undefined;
        out[n++] = uniDefault;
        continue;
      }
      i++;
      const u = row[trail]!;
      if (u === UNDEFINED && strict) return undefined;
      out[n++] = u === UNDEFINED ? uniDefault : u;
      continue;
    }
    if (strict && t.filled.has(b)) return undefined;
    const u = t.single[b]!;
    out[n++] = u === UNDEFINED ? uniDefault : u;
  }
  return out.subarray(0, n);
}

export interface EncodeOptions {
  flags: number;
  /** The caller's lpDefaultChar bytes (1 or 2), if any. */
  defaultChar?: Uint8Array;
}

/** WideCharToMultiByte's conversion (flags already checked). */
export function encodeUnits(p: CodePage, units: Uint16Array, opts: EncodeOptions): Converted<Uint8Array> {
  const flags = opts.flags;
  if (p.kind === 'utf8') {
    const s = unitsToString(units);
    // With the u flag a surrogate class matches only unpaired surrogates.
    if ((flags & WC_ERR_INVALID_CHARS) !== 0 && /[\uD800-\uDFFF]/u.test(s)) return fail(ERROR_NO_UNICODE_TRANSLATION);
    // Lone surrogates become U+FFFD (EF BF BD).
    return { ok: true, value: new TextEncoder().encode(s) };
  }
  if (p.kind === 'utf7') return { ok: true, value: encodeUtf7(unitsToString(units)) };
  let text = unitsToString(units);
  let dropMarks = false;
  let markDefault = false;
  if ((flags & WC_COMPOSITECHECK) !== 0) {
    text = text.normalize('NFC');
    dropMarks = (flags & WC_DISCARDNS) !== 0;
    markDefault = (flags & WC_DEFAULTCHAR) !== 0;
  }
  const bestFit = (flags & WC_NO_BEST_FIT_CHARS) === 0;
  const t = p.kind === 'ascii' ? undefined : tablesOf(p);
  const lookup = (unit: number): number | undefined => (t ? t.encode.get(unit) : unit < 0x80 ? unit : undefined);
  const def = opts.defaultChar ?? Uint8Array.of(0x3f);
  const out: number[] = [];
  let usedDefault = false;
  const emit = (code: number): void => {
    if (code > 0xff) out.push(code >> 8, code & 0xff);
    else out.push(code);
  };
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const mark = (dropMarks || markDefault) && i > 0 && /\p{Mn}/u.test(text[i]!);
    if (mark && dropMarks) continue;
    const code = mark && markDefault ? undefined : lookup(unit);
    if (code !== undefined) {
      emit(code);
      continue;
    }
    const fit = bestFit && !(mark && markDefault) ? bestFitFor(p, text[i]!, lookup) : undefined;
    if (fit) {
      out.push(...fit);
      continue;
    }
    out.push(...def);
    usedDefault = true;
  }
  return { ok: true, value: Uint8Array.from(out), usedDefault };
}

/**
 * Windows' best fit, approximated from Unicode data instead of Microsoft's per-code-page
 * tables: a letter without its accents (Ā → A), a compatibility form (fullwidth Ａ → A), a
 * combining mark as its spacing form (U+0301 → ´), or the encoding library's own one-way
 * mapping (¥ → 0x5C in cp932).
 */
function bestFitFor(p: CodePage, ch: string, lookup: (u: number) => number | undefined): number[] | undefined {
  const encodeAll = (s: string): number[] | undefined => {
    const out: number[] = [];
    for (let i = 0; i < s.length; i++) {
      const c = lookup(s.charCodeAt(i));
      if (c === undefined) return undefined;
      if (c > 0xff) out.push(c >> 8, c & 0xff);
      else out.push(c);
    }
    return out;
  };
  const base = ch.normalize('NFD').replace(/\p{M}+/gu, '');
  if (base !== '' && base !== ch && base.length === 1) {
    const r = encodeAll(base);
    if (r) return r;
  }
  const compat = ch.normalize('NFKD').replace(/\p{M}+/gu, '');
  if (compat.length === 1 && compat !== ch) {
    const r = encodeAll(compat);
    if (r) return r;
  }
  if (/\p{Mn}/u.test(ch)) {
    const t = p.kind === 'ascii' ? undefined : tablesOf(p);
    for (let b = 0x80; t && b < 0x100; b++) if (String.fromCharCode(t.single[b]!).normalize('NFKD') === ' ' + ch) return [b];
  }
  if (p.kind === 'ascii') return undefined;
  const lib = libraryEncoding(p.encoding, ch);
  return lib ? [...lib] : undefined;
}
