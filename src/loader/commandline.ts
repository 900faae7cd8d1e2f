/**
 * Windows command lines: building one from an argv, splitting one back into an argv the way
 * the C runtimes and shell32 do, and naming a Unix path on the Z: drive.
 *
 * A Windows process gets one UTF-16 string (`GetCommandLineW`); each runtime splits it
 * itself. The rules below are the documented CRT rules, checked against Wine 8.0 (Debian
 * 8.0~repack-4): a throwaway mingw-w64 program printed `GetCommandLineW()`, the argv of
 * msvcrt.dll's `__wgetmainargs`, the argv of ucrtbase.dll after `_configure_wide_argv`, and
 * `CommandLineToArgvW`, for command lines passed verbatim through `CreateProcessW`.
 *
 * Rules for every argument after the program name (all three parsers agree):
 *  - Arguments are separated by runs of space and tab only. No other character (newline,
 *    CR, vertical tab, U+00A0, U+3000, ...) separates arguments.
 *  - Outside a quoted region a `"` opens one; inside, a `"` closes it. The quotes are dropped.
 *    A quoted region can start and end mid-argument: `a"b c"d` is the single argument `ab cd`.
 *    An unterminated quoted region runs to the end of the line; a lone trailing `"` still
 *    produces an (empty) argument.
 *  - 2n backslashes followed by `"` give n backslashes, and the `"` is then a quote
 *    character as above. 2n+1 backslashes followed by `"` give n backslashes and a literal
 *    `"`. Backslashes not followed by `"` are literal.
 *  - Trailing whitespace produces no argument.
 *
 * Where they differ (observed under Wine 8):
 *  1. `""` inside a quoted region. All three emit one literal `"` for it, but:
 *     - msvcrt and UCRT stay inside the quoted region (the behaviour Microsoft documents
 *       for the CRT since Visual C++ 2008): `"a"" b"` -> [`a" b`],
 *       `"""""` (5 quotes) -> [`""`], `a"b"" c d` -> [`ab" c d`].
 *     - shell32 `CommandLineToArgvW` leaves the quoted region (the pre-2008 CRT rule):
 *       `"a"" b"` -> [`a"`, `b`], `"""""` -> [`"`], `a"b"" c d` -> [`ab"`, `c`, `d`].
 *     Outside a quoted region `""` is just an empty quoted region in all three: `a""b` -> `ab`.
 *  2. The program name, argv[0].
 *     - shell32: if the line starts with `"`, argv[0] is everything up to the next `"`
 *       (or the end), with no backslash processing, and the next argument starts right
 *       after that closing quote even without whitespace: `"prog"x y` -> [`prog`, `x`, `y`],
 *       `"C:\a\"b c` -> [`C:\a\`, `b`, `c`], `"""` -> [``, ``]. Otherwise argv[0] runs
 *       to the first space or tab, taken literally: `C:\dir\"x y".exe z` ->
 *       [`C:\dir\"x`, `y.exe z`].
 *     - msvcrt and UCRT under Wine 8 have no separate program-name rule: argv[0] is parsed
 *       with the ordinary argument rules above (backslash escapes, `""` and all):
 *       `"prog"x y` -> [`progx`, `y`], `"C:\a\"b c` -> [`C:\a"b c`],
 *       `C:\dir\"x y".exe z` -> [`C:\dir"x`, `y.exe z`].
 *       (Microsoft documents a program-name rule for Windows' own CRT instead: quotes only
 *       toggle, backslashes are literal, so `"C:\a\"b c` would give [`C:\a\b`, `c`].
 *       This module follows Wine, the available oracle; `buildCommandLine` only produces
 *       program names on which all of these rules agree.)
 *     - All three: leading whitespace gives an empty argv[0] (`  prog a` -> [``, `prog`,
 *       `a`]), and a line of only whitespace gives [``].
 *  3. The empty command line: msvcrt and UCRT give [``] (argc 1). `CommandLineToArgvW(L"")`
 *     returns the path of the current executable, which a pure function cannot know, so
 *     `splitCommandLine('', 'shell32')` returns [] and the caller substitutes the module
 *     path. (`CreateProcessW` with an empty lpCommandLine never produces an empty process
 *     command line: Wine substitutes the quoted application name.)
 *  4. msvcrt and UCRT: no difference was observed in any case under Wine 8 (both DLLs are
 *     built from the same source there); they are separate modes so that callers say which
 *     runtime they emulate.
 */

/** Which parser to emulate: msvcrt.dll `__getmainargs`, ucrtbase.dll, or shell32 `CommandLineToArgvW`. */
export type CommandLineMode = 'msvcrt' | 'ucrt' | 'shell32';

function isBlank(c: string | undefined): boolean {
  return c === ' ' || c === '\t';
}

/**
 * Parses one argument starting at `start` with the ordinary rules; `quoteQuoteExits` selects
 * what `""` inside a quoted region does. Returns the argument and the index after it.
 */
function parseArgument(s: string, start: number, quoteQuoteExits: boolean): [string, number] {
  let out = '';
  let inQuote = false;
  let i = start;
  while (i < s.length) {
    const c = s[i]!;
    if (c === '\\') {
      let n = 0;
      while (s[i] === '\\') {
        n++;
        i++;
      }
      if (s[i] === '"') {
        out += '\\'.repeat(n >> 1);
        if (n % 2 === 1) {
          out += '"';
          i++;
        }
        // With an even count the quote is handled as a quote on the next iteration.
      } else {
        out += '\\'.repeat(n);
      }
      continue;
    }
    if (c === '"') {
      if (inQuote && s[i + 1] === '"') {
        out += '"';
        i += 2;
        if (quoteQuoteExits) inQuote = false;
      } else {
        inQuote = !inQuote;
        i++;
      }
      continue;
    }
    if (!inQuote && isBlank(c)) break;
    out += c;
    i++;
  }
  return [out, i];
}

/**
 * Splits a command line into argv the way the chosen runtime does (as observed under Wine 8;
 * see the module comment for the rules and the differences between the modes).
 */
export function splitCommandLine(cmdline: string, mode: CommandLineMode): string[] {
  const shell32 = mode === 'shell32';
  const argv: string[] = [];
  let i: number;
  if (shell32) {
    if (cmdline === '') return []; // really: the current executable's path
    if (cmdline[0] === '"') {
      const close = cmdline.indexOf('"', 1);
      const end = close < 0 ? cmdline.length : close;
      argv.push(cmdline.slice(1, end));
      i = close < 0 ? end : end + 1;
    } else {
      i = 0;
      while (i < cmdline.length && !isBlank(cmdline[i])) i++;
      argv.push(cmdline.slice(0, i));
    }
  } else {
    const [first, next] = parseArgument(cmdline, 0, false);
    argv.push(first);
    i = next;
  }
  while (true) {
    while (isBlank(cmdline[i])) i++;
    if (i >= cmdline.length) break;
    const [arg, next] = parseArgument(cmdline, i, shell32);
    argv.push(arg);
    i = next;
  }
  return argv;
}

/**
 * Whether an argument needs quotes: when it is empty or contains `"`, a space, a tab or another
 * control character (only space and tab separate arguments, but older CRTs end an unquoted
 * program name at any character up to U+0020, and quoting is harmless everywhere).
 */
function needsQuotes(arg: string): boolean {
  if (arg === '') return true;
  for (let k = 0; k < arg.length; k++) {
    const c = arg.charCodeAt(k);
    if (c <= 0x20 || c === 0x22) return true;
  }
  return false;
}

/** Quotes one argument (not the program name) so every parser reads it back unchanged. */
function quoteArgument(arg: string): string {
  if (!needsQuotes(arg)) return arg;
  let out = '"';
  let backslashes = 0;
  for (const c of arg) {
    if (c === '\\') {
      backslashes++;
      continue;
    }
    if (c === '"') {
      // 2n+1 backslashes before a quote: n literal backslashes and a literal quote.
      out += '\\'.repeat(backslashes * 2 + 1) + '"';
    } else {
      out += '\\'.repeat(backslashes) + c;
    }
    backslashes = 0;
  }
  // Backslashes before the closing quote are doubled so that the quote still closes.
  // Quotes are always escaped as \" and never as "", on which the parsers disagree.
  return out + '\\'.repeat(backslashes * 2) + '"';
}

/** Quotes the program name: it may not contain `"`, and quotes only delimit it (no escapes). */
function quoteProgramName(name: string): string {
  if (name.includes('"')) {
    throw new RangeError(`program name cannot contain a double quote: ${JSON.stringify(name)}`);
  }
  if (!needsQuotes(name)) return name;
  if (name.endsWith('\\')) {
    // shell32 and Windows' program-name rule keep `\"` as a backslash and a closing quote,
    // Wine's msvcrt reads it as an escaped quote: no spelling satisfies both.
    throw new RangeError(`program name needing quotes cannot end with a backslash: ${JSON.stringify(name)}`);
  }
  return `"${name}"`;
}

/**
 * Joins argv into one Windows command line that msvcrt, UCRT and `CommandLineToArgvW` all
 * split back into exactly `argv`. argv[0] is the program name (normally a Windows path such
 * as `Z:\home\user\prog.exe`), quoted only when it is empty or contains whitespace; it may
 * not contain `"`, nor end with `\` when it needs quotes. Later arguments may contain
 * anything but NUL. (`CreateProcessW` limits a command line to 32767 characters; that is
 * not checked here.)
 */
export function buildCommandLine(argv: readonly string[]): string {
  if (argv.length === 0) throw new RangeError('argv must contain at least the program name');
  for (const a of argv) {
    if (a.includes('\0')) throw new RangeError(`command-line arguments cannot contain NUL: ${JSON.stringify(a)}`);
  }
  const parts = [quoteProgramName(argv[0]!)];
  for (let k = 1; k < argv.length; k++) parts.push(quoteArgument(argv[k]!));
  return parts.join(' ');
}

/**
 * Names an absolute Unix path on Wine's Z: drive (the Unix root): `/home/u/a.exe` ->
 * `Z:\home\u\a.exe`, `/` -> `Z:\`. Like `winepath -w`, repeated slashes collapse, `.` and
 * `..` are resolved lexically (`..` stops at the root), and a trailing slash is kept as a
 * trailing backslash. Other characters, including `\` and characters Windows forbids in
 * file names, pass through unchanged.
 */
export function unixToWindowsPath(absPath: string): string {
  if (!absPath.startsWith('/')) throw new RangeError(`not an absolute Unix path: ${JSON.stringify(absPath)}`);
  if (absPath.includes('\0')) throw new RangeError(`path contains NUL: ${JSON.stringify(absPath)}`);
  const parts: string[] = [];
  const pieces = absPath.split('/');
  for (const piece of pieces) {
    if (piece === '' || piece === '.') continue;
    if (piece === '..') parts.pop();
    else parts.push(piece);
  }
  const last = pieces[pieces.length - 1];
  const trailing = last === '' && parts.length > 0;
  return 'Z:\\' + parts.join('\\') + (trailing ? '\\' : '');
}
