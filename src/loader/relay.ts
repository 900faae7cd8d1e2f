/**
 * The relay trace (`+relay`): one line when an API is entered and one when it returns, with
 * the thread id, DLL!Function, arguments decoded by the export's signature, the return value
 * and the last error when the call changed it. JS → guest callbacks appear nested. Filters
 * (`WINRUN_RELAY=include:kernel32,exclude:HeapAlloc`) pick DLLs or functions; `json` writes one
 * object per event for tools.
 */
import type { ArgType, RetType } from '../dlls/types.js';
import type { AddressSpace } from '../native/memory.js';

export type TraceFormat = 'text' | 'json';

export class RelayFilterError extends Error {
  override readonly name = 'RelayFilterError';
}

interface Pattern {
  dll?: string;
  fn?: string;
}

function parsePattern(p: string): Pattern {
  const bang = p.indexOf('!');
  const dllOf = (d: string): string => d.toLowerCase().replace(/\.dll$/, '');
  if (bang >= 0) return { dll: dllOf(p.slice(0, bang)), fn: p.slice(bang + 1) };
  // A bare word is a DLL when it names one (kernel32, msvcrt.dll), else a function.
  if (/\.dll$/i.test(p) || /^[a-z0-9_]+$/.test(p)) return { dll: dllOf(p) };
  return { fn: p };
}

/** `include:A,exclude:B,…`: with any include, only matching calls are traced; excludes win. */
export class RelayFilter {
  private readonly include: Pattern[] = [];
  private readonly exclude: Pattern[] = [];

  constructor(spec = '') {
    for (const raw of spec.split(',')) {
      const item = raw.trim();
      if (item === '') continue;
      const m = /^(include|exclude):(.+)$/.exec(item);
      if (!m) throw new RelayFilterError(`bad WINRUN_RELAY item "${item}" (expected include:NAME or exclude:NAME)`);
      (m[1] === 'include' ? this.include : this.exclude).push(parsePattern(m[2]!));
    }
  }

  private static hit(p: Pattern, dll: string, fn: string): boolean {
    return (p.dll === undefined || p.dll === dll.toLowerCase().replace(/\.dll$/, '')) && (p.fn === undefined || p.fn === fn);
  }

  matches(dll: string, fn: string): boolean {
    if (this.include.length > 0 && !this.include.some((p) => RelayFilter.hit(p, dll, fn))) return false;
    return !this.exclude.some((p) => RelayFilter.hit(p, dll, fn));
  }
}

const MAX_STRING = 200;

function escape(s: string): string {
  let out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += '\\' + ch;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + c.toString(16).padStart(2, '0');
    else out += ch;
  }
  return out;
}

const hex = (v: number | bigint): string => '0x' + v.toString(16);

/** A string argument for display: quoted and escaped, or NULL, or the bad pointer. */
function stringArg(mem: AddressSpace, p: number, wide: boolean): string {
  if (p === 0) return 'NULL';
  try {
    const s = wide ? String.fromCharCode(...mem.wstringUnits(p, MAX_STRING + 1)) : new TextDecoder('utf-8').decode(mem.cstringBytes(p, MAX_STRING + 1));
    const shown = s.length > MAX_STRING ? s.slice(0, MAX_STRING) : s;
    return `${wide ? 'L' : ''}"${escape(shown)}"${s.length > MAX_STRING ? '…' : ''}`;
  } catch {
    return `${hex(p)} (bad pointer)`;
  }
}

/** Text for one argument or return value of the given type. */
export function formatValue(mem: AddressSpace, t: ArgType | RetType, v: number | bigint | undefined): string {
  if (v === undefined) return '';
  switch (t) {
    case 'str':
      return typeof v === 'number' ? stringArg(mem, v, false) : hex(v);
    case 'wstr':
      return typeof v === 'number' ? stringArg(mem, v, true) : hex(v);
    case 'ptr':
    case 'handle':
      return v === 0 ? 'NULL' : hex(BigInt.asUintN(64, BigInt(v)));
    case 'bool':
      return v ? 'TRUE' : 'FALSE';
    case 'f32':
    case 'f64':
      return String(v);
    case 'u32':
    case 'u64':
    case 'u16':
    case 'u8': {
      const n = BigInt(v);
      return n >= 0x10000n ? hex(n) : n.toString();
    }
    default:
      return BigInt(v).toString();
  }
}

export interface RelayCall {
  tid: number;
  dll: string;
  fn: string;
  args: readonly ArgType[];
  values: readonly (number | bigint)[];
  varargs: boolean;
  caller: string;
}

/** Writes relay events; `depth` nests callbacks under the call that made them. */
export class RelayTracer {
  private depth = 0;
  private readonly started = Date.now();

  constructor(
    readonly filter: RelayFilter,
    private readonly format: TraceFormat,
    private readonly write: (line: string) => void,
    private readonly mem: AddressSpace,
  ) {}

  private tidText(tid: number): string {
    return tid.toString(16).padStart(4, '0');
  }

  enter(c: RelayCall): void {
    if (this.format === 'json') {
      this.write(JSON.stringify({ event: 'call', time: Date.now() - this.started, tid: c.tid, dll: c.dll, function: c.fn, args: c.values.map((v, i) => formatValue(this.mem, c.args[i]!, v)), caller: c.caller, depth: this.depth }) + '\n');
    } else {
      const args = c.values.map((v, i) => formatValue(this.mem, c.args[i]!, v));
      if (c.varargs) args.push('...');
      this.write(`${this.tidText(c.tid)}:${'  '.repeat(this.depth)}Call ${c.dll}!${c.fn}(${args.join(', ')}) from ${c.caller}\n`);
    }
    this.depth++;
  }

  leave(c: RelayCall, ret: RetType, value: number | bigint | undefined, lastError: number | undefined): void {
    this.depth = Math.max(0, this.depth - 1);
    const retText = ret === 'void' ? undefined : formatValue(this.mem, ret, value ?? 0);
    if (this.format === 'json') {
      this.write(JSON.stringify({ event: 'ret', time: Date.now() - this.started, tid: c.tid, dll: c.dll, function: c.fn, ret: retText ?? null, lastError: lastError ?? null, depth: this.depth }) + '\n');
    } else {
      const err = lastError !== undefined ? ` (last error ${lastError})` : '';
      this.write(`${this.tidText(c.tid)}:${'  '.repeat(this.depth)}Ret  ${c.dll}!${c.fn}${retText !== undefined ? ` → ${retText}` : ''}${err}\n`);
    }
  }
}
