/**
 * winrun's registry file: one hive per file, UTF-8 text meant to be read (and, while no
 * program runs, edited) by people. The first line names the format; then
 *
 *   [SOFTWARE\Microsoft\Windows NT\CurrentVersion]     a key, by its path from the hive root
 *   "ProductName" = sz "Windows 10 Pro"                one value per line: "name" = type data
 *   @ = sz "exefile"                                    @ is the key's unnamed (default) value
 *
 * Types: sz, expand_sz (a quoted string), multi_sz (quoted strings separated by spaces),
 * dword, qword (0x and hex digits), binary, none, link and type(N) for any other type number
 * (`hex` and the bytes). Data that is not in its type's usual shape (a REG_SZ without its NUL,
 * a 3-byte REG_DWORD) is written as `hex` bytes under its type, so nothing is lost. Strings
 * escape \\ \" and, as \uXXXX, control characters and unpaired surrogates; key names escape
 * % and the same characters as %XXXX. Lines starting with # are comments. Volatile keys are
 * not written.
 */
import { failed, O, type HostFs } from '../host/fs.js';
import { dataUnits, ensurePath, REG_BINARY, REG_DWORD, REG_EXPAND_SZ, REG_LINK, REG_MULTI_SZ, REG_NONE, REG_QWORD, REG_SZ, RegKey, type RegValue, unitsString, utf16z } from './regtree.js';

export const REGFILE_MAGIC = 'WINRUN REGISTRY 1';

const TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [REG_NONE, 'none'],
  [REG_SZ, 'sz'],
  [REG_EXPAND_SZ, 'expand_sz'],
  [REG_BINARY, 'binary'],
  [REG_DWORD, 'dword'],
  [REG_LINK, 'link'],
  [REG_MULTI_SZ, 'multi_sz'],
  [REG_QWORD, 'qword'],
]);
const TYPE_BY_NAME: ReadonlyMap<string, number> = new Map([...TYPE_NAMES].map(([k, v]) => [v, k]));

const HEADER = (title: string): string =>
  `${REGFILE_MAGIC}\n` +
  `# ${title}, kept by winrun. Edit it only while no program runs under this prefix.\n` +
  `# [key path], then one value per line: "name" = type data (@ is the unnamed value).\n` +
  `# Types: sz, expand_sz, multi_sz (quoted strings); dword, qword (hex); binary, none, type(N) (hex bytes).\n`;

// ---- writing ---------------------------------------------------------------------------------------

const isLone = (s: string, i: number): boolean => {
  const c = s.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff) return !(s.charCodeAt(i + 1) >= 0xdc00 && s.charCodeAt(i + 1) <= 0xdfff);
  if (c >= 0xdc00 && c <= 0xdfff) return !(i > 0 && s.charCodeAt(i - 1) >= 0xd800 && s.charCodeAt(i - 1) <= 0xdbff);
  return false;
};
const hex4 = (c: number): string => c.toString(16).padStart(4, '0');

export function quote(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) out += '\\\\';
    else if (c === 0x22) out += '\\"';
    else if (c < 0x20 || c === 0x7f || isLone(s, i)) out += '\\u' + hex4(c);
    else out += s[i];
  }
  return out + '"';
}

export function escapeKeyName(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out += c === 0x25 || c < 0x20 || c === 0x7f || isLone(s, i) ? '%' + hex4(c) : s[i];
  }
  return out;
}

const hexBytes = (d: Uint8Array): string => ['hex', ...Array.from(d, (b) => b.toString(16).padStart(2, '0'))].join(' ');

/** The strings of a REG_SZ / REG_EXPAND_SZ (one) or REG_MULTI_SZ (several) when the data has
 *  exactly the shape writing them back would give; undefined otherwise. */
function stringsOf(v: RegValue): string[] | undefined {
  if (v.data.length % 2 !== 0 || v.data.length === 0) return undefined;
  const s = unitsString(dataUnits(v.data));
  if (v.type === REG_MULTI_SZ) {
    if (s === '\0') return [];
    if (!s.endsWith('\0\0')) return undefined;
    const items = s.slice(0, -2).split('\0');
    return items.includes('') ? undefined : items;
  }
  if (!s.endsWith('\0') || s.indexOf('\0') !== s.length - 1) return undefined;
  return [s.slice(0, -1)];
}

export function formatValue(v: RegValue): string {
  const name = v.name === '' ? '@' : quote(v.name);
  const type = TYPE_NAMES.get(v.type) ?? `type(${v.type >>> 0})`;
  let data: string;
  const strs = v.type === REG_SZ || v.type === REG_EXPAND_SZ || v.type === REG_MULTI_SZ ? stringsOf(v) : undefined;
  const dv = new DataView(v.data.buffer, v.data.byteOffset, v.data.byteLength);
  if (strs) data = strs.map(quote).join(' ');
  else if (v.type === REG_DWORD && v.data.length === 4) data = '0x' + dv.getUint32(0, true).toString(16).padStart(8, '0');
  else if (v.type === REG_QWORD && v.data.length === 8) data = '0x' + dv.getBigUint64(0, true).toString(16).padStart(16, '0');
  else data = hexBytes(v.data);
  return `${name} = ${type}${data === '' ? '' : ' ' + data}`;
}

/** The hive below `root` as file text. Every key is listed (subkeys in index order); the
 *  root only when it holds values. */
export function serializeHive(root: RegKey, title: string): string {
  const out: string[] = [HEADER(title)];
  const walk = (k: RegKey, path: string): void => {
    if (k.volatile) return;
    if (k !== root || k.values.size > 0) {
      out.push(`\n[${path}]\n`);
      for (const v of k.values.values()) out.push(formatValue(v) + '\n');
    }
    for (const c of k.sorted()) walk(c, path === '' ? escapeKeyName(c.name) : `${path}\\${escapeKeyName(c.name)}`);
  };
  walk(root, '');
  return out.join('');
}

// ---- reading ---------------------------------------------------------------------------------------

export class RegFileError extends Error {
  override readonly name = 'RegFileError';
  constructor(
    readonly line: number,
    readonly problem: string,
  ) {
    super(`line ${line}: ${problem}`);
  }
}

/** Reads a quoted string at s[i] (which is `"`); returns it and the index after it. */
function readQuoted(s: string, i: number, line: number): [string, number] {
  let out = '';
  let j = i + 1;
  for (;;) {
    if (j >= s.length) throw new RegFileError(line, 'unterminated string');
    const c = s[j]!;
    if (c === '"') return [out, j + 1];
    if (c === '\\') {
      const e = s[j + 1];
      if (e === '\\' || e === '"') {
        out += e;
        j += 2;
      } else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(s.slice(j + 2, j + 6))) {
        out += String.fromCharCode(parseInt(s.slice(j + 2, j + 6), 16));
        j += 6;
      } else throw new RegFileError(line, `bad escape \\${e ?? ''} in a string`);
    } else {
      out += c;
      j++;
    }
  }
}

function unescapeKeyName(s: string, line: number): string {
  return s.replace(/%(....)?/g, (_m, h: string | undefined) => {
    if (h === undefined || !/^[0-9a-fA-F]{4}$/.test(h)) throw new RegFileError(line, 'bad % escape in a key name');
    return String.fromCharCode(parseInt(h, 16));
  });
}

function parseHex(body: string, line: number): Uint8Array {
  const t = body.split(' ').filter((x) => x !== '');
  if (t[0] !== 'hex') throw new RegFileError(line, `expected hex bytes, found "${body}"`);
  const bytes = t.slice(1);
  if (!bytes.every((b) => /^[0-9a-fA-F]{2}$/.test(b))) throw new RegFileError(line, 'bad hex byte');
  return Uint8Array.from(bytes, (b) => parseInt(b, 16));
}

function parseValueLine(text: string, line: number): RegValue {
  let name: string;
  let i: number;
  if (text.startsWith('@')) {
    name = '';
    i = 1;
  } else if (text.startsWith('"')) [name, i] = readQuoted(text, 0, line);
  else throw new RegFileError(line, 'expected [key], "value name" or @');
  const m = /^ *= *([a-z_]+|type\((\d+)\))(?: (.*))?$/.exec(text.slice(i));
  if (!m) throw new RegFileError(line, 'expected = and a type after the value name');
  const type = m[2] !== undefined ? Number(m[2]) : TYPE_BY_NAME.get(m[1]!);
  if (type === undefined || type > 0xffffffff) throw new RegFileError(line, `unknown type ${m[1]}`);
  const body = (m[3] ?? '').trim();
  if (body.startsWith('hex') || (body === '' && type !== REG_MULTI_SZ)) return { name, type, data: parseHex(body === '' ? 'hex' : body, line) };
  if (type === REG_SZ || type === REG_EXPAND_SZ || type === REG_MULTI_SZ) {
    const items: string[] = [];
    let j = 0;
    while (j < body.length) {
      if (body[j] === ' ') {
        j++;
        continue;
      }
      if (body[j] !== '"') throw new RegFileError(line, 'expected a quoted string');
      const [s, next] = readQuoted(body, j, line);
      items.push(s);
      j = next;
    }
    if (type === REG_MULTI_SZ) return { name, type, data: utf16z(items.map((s) => s + '\0').join('')) };
    if (items.length !== 1) throw new RegFileError(line, 'expected one quoted string');
    return { name, type, data: utf16z(items[0]!) };
  }
  if ((type === REG_DWORD || type === REG_QWORD) && /^0x[0-9a-fA-F]+$/.test(body)) {
    const n = BigInt(body);
    const size = type === REG_DWORD ? 4 : 8;
    if (n >= 1n << BigInt(8 * size)) throw new RegFileError(line, 'number too large for its type');
    const data = new Uint8Array(size);
    for (let k = 0; k < size; k++) data[k] = Number((n >> BigInt(8 * k)) & 0xffn);
    return { name, type, data };
  }
  throw new RegFileError(line, `bad data for ${m[1]}`);
}

/** Parses a hive file into a tree under a new root; throws RegFileError (with the line) for
 *  anything that is not exactly the format, so that nothing is silently dropped. */
export function parseHive(text: string, now: bigint): RegKey {
  const root = new RegKey('', undefined, false, now);
  const lines = text.split('\n');
  if (lines[0]?.replace(/\r$/, '') !== REGFILE_MAGIC) throw new RegFileError(1, `not a winrun registry file (the first line is not "${REGFILE_MAGIC}")`);
  let key: RegKey | undefined;
  for (let n = 1; n < lines.length; n++) {
    const line = n + 1;
    const t = lines[n]!.replace(/[ \t\r]+$/, '');
    if (t === '' || t.startsWith('#')) continue;
    if (t.startsWith('[')) {
      if (!t.endsWith(']')) throw new RegFileError(line, 'a key line must end with ]');
      const body = t.slice(1, -1);
      const names = body === '' ? [] : body.split('\\').map((c) => unescapeKeyName(c, line));
      if (names.some((c) => c === '')) throw new RegFileError(line, 'empty key name in a path');
      if (names.some((c) => c.length > 255)) throw new RegFileError(line, 'key name longer than 255 characters');
      key = ensurePath(root, names, now);
      continue;
    }
    if (!key) throw new RegFileError(line, 'a value before the first [key]');
    key.setValue(parseValueLine(t, line), now);
  }
  return root;
}

/**
 * Takes the prefix's registry lock: an open-file-description lock on registry.lock, which the
 * descriptions of other threads and processes conflict with, so that reading the other writers'
 * version of a hive and writing one's own are one step. Returns its release. Without the lock
 * file (a read-only prefix) the caller goes ahead unlocked.
 */
export function lockRegistry(fs: HostFs, dir: string): () => void {
  if (failed(fs.stat(dir))) fs.mkdirp(dir);
  const fd = fs.open(`${dir}/registry.lock`, O.O_RDWR | O.O_CREAT, 0o644);
  if (failed(fd)) return () => undefined;
  fs.lockRange(fd, 'write', 0n, 1n, true);
  return () => {
    fs.lockRange(fd, 'unlock', 0n, 1n, false);
    fs.close(fd);
  };
}
