/** CRT start-up and exit (process.h / stdlib.h): __getmainargs, _initterm, atexit, exit. */
import { splitCommandLine } from '../../loader/commandline.js';
import type { ApiContext } from '../types.js';
import { HEAP_ZERO_MEMORY } from '../../kernel/heap.js';
import { CRT, crt, stringVariable } from './crtdata.js';
import { raiseAbortHandler } from './signal.js';
import { flushAll } from './stdio.js';

/** A NULL-terminated array of strings on the process heap, narrow (UTF-8: argv, environ) or
 *  wide (UTF-16: __wargv, _wenviron), the strings right after the pointers. */
function stringArray(ctx: ApiContext, strings: string[], wide: boolean): number {
  const m = ctx.mem;
  const enc = strings.map((s) => (wide ? undefined : new TextEncoder().encode(s)));
  const bytes = strings.reduce((n, s, i) => n + (wide ? 2 * s.length + 2 : enc[i]!.length + 1), 0);
  const p = ctx.process.heapAlloc(ctx.process.processHeap, 8 * (strings.length + 1) + bytes, HEAP_ZERO_MEMORY);
  let at = p + 8 * (strings.length + 1);
  strings.forEach((s, i) => {
    m.setU64(p + 8 * i, at);
    at += wide ? m.writeWString(at, s) : m.writeCString(at, enc[i]!);
  });
  return p;
}

export const narrowStringArray = (ctx: ApiContext, strings: string[]): number => stringArray(ctx, strings, false);
export const wideStringArray = (ctx: ApiContext, strings: string[]): number => stringArray(ctx, strings, true);

/** NAME=value strings of the process environment (shared with kernel32). */
export function environmentStrings(ctx: ApiContext): string[] {
  return [...ctx.process.environment].map(([k, v]) => `${k}=${v}`);
}

export function environmentArray(ctx: ApiContext): number {
  return narrowStringArray(ctx, environmentStrings(ctx));
}

/** int __getmainargs(int *argc, char ***argv, char ***envp, int expandWildcards, _startupinfo *) */
export function __getmainargs(ctx: ApiContext, argcOut: number, argvOut: number, envOut: number): number {
  const argv = splitCommandLine(ctx.process.commandLineW, 'msvcrt');
  const m = ctx.mem;
  const array = narrowStringArray(ctx, argv);
  const env = environmentArray(ctx);
  m.setU32(argcOut, argv.length);
  m.setU64(argvOut, array);
  m.setU64(envOut, env);
  // What __p___argc, __p___argv and __p__environ point at.
  m.setU32(crt(ctx, CRT.Argc), argv.length);
  m.setU64(crt(ctx, CRT.Argv), array);
  m.setU64(crt(ctx, CRT.Environ), env);
  m.setU64(ctx.dataAddress('msvcrt.dll', '__initenv'), env);
  return 0;
}

export function __wgetmainargs(ctx: ApiContext, argcOut: number, argvOut: number, envOut: number): number {
  const argv = splitCommandLine(ctx.process.commandLineW, 'msvcrt');
  const m = ctx.mem;
  const array = wideStringArray(ctx, argv);
  const env = wideStringArray(ctx, environmentStrings(ctx));
  m.setU32(argcOut, argv.length);
  m.setU64(argvOut, array);
  m.setU64(envOut, env);
  m.setU32(crt(ctx, CRT.Argc), argv.length);
  m.setU64(crt(ctx, CRT.Wargv), array);
  m.setU64(crt(ctx, CRT.Wenviron), env);
  return 0;
}

/** Calls each non-null function pointer in [begin, end): C/C++ initializers. */
export function _initterm(ctx: ApiContext, begin: number, end: number): void {
  for (let p = begin; p < end; p += 8) {
    const fn = ctx.mem.ptr(p);
    if (fn !== 0) ctx.callGuest(fn, []);
  }
}

/** Like _initterm, but stops at the first initializer that returns non-zero. */
export function _initterm_e(ctx: ApiContext, begin: number, end: number): number {
  for (let p = begin; p < end; p += 8) {
    const fn = ctx.mem.ptr(p);
    if (fn !== 0) {
      const r = Number(ctx.callGuest(fn, []) & 0xffffffffn);
      if (r !== 0) return r;
    }
  }
  return 0;
}

export function _onexit(ctx: ApiContext, fn: number): number {
  const m = ctx.mem;
  const n = m.u32(crt(ctx, CRT.AtExitCount));
  if (n >= CRT.AtExitMax) return 0;
  m.setU64(crt(ctx, CRT.AtExitTable) + 8 * n, fn);
  m.setU32(crt(ctx, CRT.AtExitCount), n + 1);
  return fn;
}

export function atexit(ctx: ApiContext, fn: number): number {
  return _onexit(ctx, fn) !== 0 ? 0 : -1;
}

/** Runs the atexit table in reverse order (each entry once) and flushes the streams. */
function runAtExit(ctx: ApiContext): void {
  const m = ctx.mem;
  for (;;) {
    const n = m.u32(crt(ctx, CRT.AtExitCount));
    if (n === 0) break;
    const fn = m.ptr(crt(ctx, CRT.AtExitTable) + 8 * (n - 1));
    m.setU32(crt(ctx, CRT.AtExitCount), n - 1);
    ctx.callGuest(fn, []);
  }
  flushAll(ctx);
}

export function exit(ctx: ApiContext, code: number): never {
  if (ctx.mem.u8(crt(ctx, CRT.Exiting)) === 0) {
    ctx.mem.setU8(crt(ctx, CRT.Exiting), 1);
    runAtExit(ctx);
  }
  ctx.process.exit(code);
}

export function _exit(ctx: ApiContext, code: number): never {
  flushAll(ctx);
  ctx.process.exit(code);
}

export function _cexit(ctx: ApiContext): void {
  runAtExit(ctx);
}

export function _c_exit(): void {}

export function _amsg_exit(ctx: ApiContext, n: number): never {
  ctx.process.writeFd(2, new TextEncoder().encode(`\r\nruntime error R60${String(n).padStart(2, '0')}\r\n`));
  ctx.process.exit(255);
}

export function abort(ctx: ApiContext): never {
  raiseAbortHandler(ctx);
  flushAll(ctx);
  ctx.process.writeFd(2, new TextEncoder().encode('\r\nThis application has requested the Runtime to terminate it in an unusual way.\r\nPlease contact the application\'s support team for more information.\r\n'));
  ctx.process.exit(3);
}

/** __dllonexit(func, &begin, &end): appends to a DLL's own onexit table (grown with realloc). */
export function __dllonexit(ctx: ApiContext, fn: number, pbegin: number, pend: number): number {
  const m = ctx.mem;
  const begin = m.ptr(pbegin);
  const n = begin === 0 ? 0 : (m.ptr(pend) - begin) / 8;
  const heap = ctx.process.processHeap;
  const table = begin === 0 ? ctx.process.heapAlloc(heap, 8 * (n + 1), 0) : ctx.process.heapReAlloc(heap, begin, 8 * (n + 1), 0);
  if (table === 0) return 0;
  m.setU64(table + 8 * n, fn);
  m.setU64(pbegin, table);
  m.setU64(pend, table + 8 * (n + 1));
  return fn;
}

/** _get_pgmptr / _get_wpgmptr: the program's path (allocated once). */
export function _get_pgmptr(ctx: ApiContext, out: number): number {
  if (out === 0) return 22;
  ctx.mem.setU64(out, ctx.mem.ptr(stringVariable(ctx, CRT.Pgmptr, () => ctx.process.imagePath, false)));
  return 0;
}

export function _get_wpgmptr(ctx: ApiContext, out: number): number {
  if (out === 0) return 22;
  ctx.mem.setU64(out, ctx.mem.ptr(stringVariable(ctx, CRT.Wpgmptr, () => ctx.process.imagePath, true)));
  return 0;
}

export function noop(): number {
  return 0;
}
