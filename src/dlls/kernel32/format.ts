/**
 * FormatMessageA/W (winbase.h): a message from a string or the system table, its inserts
 * (%1…%99 with optional !printf-spec!), escapes (%0 %n %r %t %b %% %. %!), line-width control,
 * and a LocalAlloc'd result buffer. Message tables in modules (FROM_HMODULE) are a fixme.
 */
import { formatNarrow, formatWide, type FormatOptions } from '../msvcrt/printf.js';
import type { ApiContext } from '../types.js';
import { unitsToString } from './codepages.js';
import { ERROR_INSUFFICIENT_BUFFER, ERROR_INVALID_PARAMETER, ERROR_MORE_DATA, ERROR_MR_MID_NOT_FOUND, ERROR_NO_WORK_DONE, ERROR_NOT_ENOUGH_MEMORY, ERROR_RESOURCE_TYPE_NOT_FOUND } from './errors.js';
import { LocalAlloc } from './localalloc.js';
import { SYSTEM_MESSAGES } from './messages.js';
import { ansiToString, ansiToUnits, guarded, slotEnv, stringToUnits, unitsToAnsi, writeUnits } from './text.js';

const FORMAT_MESSAGE_ALLOCATE_BUFFER = 0x100;
const FORMAT_MESSAGE_IGNORE_INSERTS = 0x200;
const FORMAT_MESSAGE_FROM_STRING = 0x400;
const FORMAT_MESSAGE_FROM_HMODULE = 0x800;
const FORMAT_MESSAGE_FROM_SYSTEM = 0x1000;
const FORMAT_MESSAGE_ARGUMENT_ARRAY = 0x2000;
const FORMAT_MESSAGE_MAX_WIDTH_MASK = 0xff;
const ERROR_RESOURCE_LANG_NOT_FOUND = 1815;
/** The documented limit of an allocated result. */
const MAX_ALLOCATED_BYTES = 128 * 1024;

export interface ExpandOptions {
  ignoreInserts: boolean;
  /** The low byte of the flags: 0 keeps line breaks, 0xFF drops regular ones, else wraps. */
  maxWidth: number;
  /** The text of insert `n` formatted by printf spec `spec` (without the %); undefined when
   *  there are no arguments. */
  insert(n: number, spec: string): string | undefined;
}

/** Expands a message definition; undefined when it is malformed or lacks its arguments. */
export function expandMessage(template: string, opts: ExpandOptions): string | undefined {
  const keepBreaks = opts.maxWidth === 0;
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    if (c === '\r' || c === '\n') {
      if (c === '\r' && template[i + 1] === '\n') i++;
      // With a width limit, the definition's own line breaks are just spaces.
      out += keepBreaks ? '\r\n' : ' ';
      continue;
    }
    if (c !== '%') {
      out += c;
      continue;
    }
    const e = template[++i];
    if (e === undefined) return undefined;
    if (e >= '1' && e <= '9') {
      let digits = e;
      if (template[i + 1] !== undefined && /[0-9]/.test(template[i + 1]!)) digits += template[++i];
      let spec = 's';
      let raw = `%${digits}`;
      if (template[i + 1] === '!') {
        const end = template.indexOf('!', i + 2);
        if (end < 0) return undefined;
        spec = template.slice(i + 2, end);
        raw += `!${spec}!`;
        i = end;
      }
      if (opts.ignoreInserts) {
        out += raw;
        continue;
      }
      const text = opts.insert(Number(digits), spec);
      if (text === undefined) return undefined;
      out += text;
      continue;
    }
    switch (e) {
      case '0':
        return wrap(out, opts.maxWidth);
      case 'n':
        out += '\r\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 't':
        out += '\t';
        break;
      case 'b':
        out += ' ';
        break;
      case '%':
        out += opts.ignoreInserts ? '%%' : '%';
        break;
      default:
        out += e; // %. %! %space and anything else: the character itself
    }
  }
  return wrap(out, opts.maxWidth);
}

/** Breaks lines at the last space before they reach `width` characters (1–254). */
function wrap(text: string, width: number): string {
  if (width === 0 || width === FORMAT_MESSAGE_MAX_WIDTH_MASK) return text;
  let out = '';
  let lineStart = 0;
  let lastSpace = -1;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\r' && text[i + 1] === '\n') {
      out += '\r\n';
      i++;
      lineStart = out.length;
      lastSpace = -1;
      continue;
    }
    out += text[i];
    if (text[i] === ' ') lastSpace = out.length - 1;
    if (out.length - lineStart >= width && lastSpace >= lineStart) {
      out = `${out.slice(0, lastSpace)}\r\n${out.slice(lastSpace + 1)}`;
      lineStart = lastSpace + 2;
      lastSpace = -1;
    }
  }
  return out;
}

function fail(ctx: ApiContext, error: number): number {
  ctx.setLastError(error);
  return 0;
}

/** The message definition the flags select, or a Win32 error. */
function definition(ctx: ApiContext, flags: number, source: number, id: number, lang: number, wide: boolean): string | number {
  if (flags & FORMAT_MESSAGE_FROM_STRING) {
    if (source === 0) return ERROR_INVALID_PARAMETER;
    return wide ? ctx.mem.wstring(source) : ansiToString(ctx, ctx.mem.cstringBytes(source));
  }
  if (flags & FORMAT_MESSAGE_FROM_HMODULE) {
    ctx.fixme('nls', 'FormatMessage', 'message tables in modules are not implemented');
    if (!(flags & FORMAT_MESSAGE_FROM_SYSTEM)) return ERROR_RESOURCE_TYPE_NOT_FOUND;
  }
  if (flags & FORMAT_MESSAGE_FROM_SYSTEM) {
    const primary = lang & 0x3ff;
    if (primary !== 0 && primary !== 0x09) return ERROR_RESOURCE_LANG_NOT_FOUND;
    // HRESULT_FROM_WIN32 codes have the Win32 error's text.
    const code = (id & 0xffff0000) >>> 0 === 0x80070000 ? id & 0xffff : id >>> 0;
    return SYSTEM_MESSAGES.get(code) ?? ERROR_MR_MID_NOT_FOUND;
  }
  return ERROR_INVALID_PARAMETER;
}

function formatMessage(ctx: ApiContext, flags: number, source: number, id: number, lang: number, buffer: number, size: number, args: number, wide: boolean): number {
  return guarded(ctx, () => {
    const def = definition(ctx, flags, source, id, lang, wide);
    if (typeof def === 'number') return fail(ctx, def);
    const m = ctx.mem;
    const ignoreInserts = (flags & FORMAT_MESSAGE_IGNORE_INSERTS) !== 0;
    // Both forms are 8-byte slots on x64: an array of them, or a va_list pointing at them.
    const base = ignoreInserts || args === 0 ? 0 : flags & FORMAT_MESSAGE_ARGUMENT_ARRAY ? args : m.ptr(args);
    const printfOptions: FormatOptions = {
      msvcrt: true,
      narrowToWide: (b) => ansiToUnits(ctx, b),
      wideToNarrow: (u) => unitsToAnsi(ctx, u),
    };
    const insert = (n: number, spec: string): string | undefined => {
      if (base === 0) return undefined;
      // Stars in the spec take the following inserts: %1!*.*s! is width %1, precision %2, text %3.
      let slot = n - 1;
      const env = slotEnv(ctx, () => m.u64(base + 8 * slot++));
      if (wide) return unitsToString(formatWide(stringToUnits(`%${spec}`), env, printfOptions));
      return ansiToString(ctx, formatNarrow(new TextEncoder().encode(`%${spec}`), env, printfOptions));
    };
    const text = expandMessage(def, { ignoreInserts, maxWidth: flags & FORMAT_MESSAGE_MAX_WIDTH_MASK, insert });
    if (text === undefined) return fail(ctx, ERROR_INVALID_PARAMETER);
    const units = stringToUnits(text);
    const out = wide ? units : unitsToAnsi(ctx, units);
    const n = out.length;
    if (n === 0) return fail(ctx, ERROR_NO_WORK_DONE);
    const unit = wide ? 2 : 1;
    const withNul = wide ? Uint16Array.from([...units, 0]) : Uint8Array.from([...out, 0]);
    if (flags & FORMAT_MESSAGE_ALLOCATE_BUFFER) {
      if ((n + 1) * unit > MAX_ALLOCATED_BYTES) return fail(ctx, ERROR_MORE_DATA);
      m.check(buffer, 8, true);
      const p = LocalAlloc(ctx, 0, BigInt(Math.max(n + 1, size) * unit));
      if (p === 0) return fail(ctx, ERROR_NOT_ENOUGH_MEMORY);
      put(ctx, p, withNul);
      m.setU64(buffer, p);
      return n;
    }
    if (n + 1 > size) return fail(ctx, ERROR_INSUFFICIENT_BUFFER);
    put(ctx, buffer, withNul);
    return n;
  });
}

function put(ctx: ApiContext, at: number, data: Uint8Array | Uint16Array): void {
  if (data instanceof Uint16Array) writeUnits(ctx, at, data);
  else ctx.mem.write(at, data);
}

export function FormatMessageW(ctx: ApiContext, flags: number, source: number, id: number, lang: number, buffer: number, size: number, args: number): number {
  return formatMessage(ctx, flags, source, id, lang, buffer, size, args, true);
}

export function FormatMessageA(ctx: ApiContext, flags: number, source: number, id: number, lang: number, buffer: number, size: number, args: number): number {
  return formatMessage(ctx, flags, source, id, lang, buffer, size, args, false);
}
