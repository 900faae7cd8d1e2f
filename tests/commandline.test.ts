// Windows command lines: building, splitting (msvcrt / UCRT / shell32) and Z: drive paths.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildCommandLine, splitCommandLine, unixToWindowsPath, type CommandLineMode } from '../src/loader/commandline.js';
import { prng } from './pe-builder.js';

const MODES: readonly CommandLineMode[] = ['msvcrt', 'ucrt', 'shell32'];

/**
 * [command line, argv from msvcrt and UCRT, argv from shell32 when it differs].
 *
 * Produced under Wine 8.0 (Debian 8.0~repack-4): a mingw-w64 launcher passed each command
 * line verbatim as lpCommandLine to CreateProcessW (lpApplicationName set, so argv[0] can be
 * anything); the child printed GetCommandLineW() (identical to the input in every case),
 * msvcrt.dll's __wgetmainargs, ucrtbase.dll's argv after _configure_wide_argv, and
 * CommandLineToArgvW. msvcrt and UCRT gave the same argv in every case.
 */
const WINE_CASES: readonly (readonly [string, readonly string[], (readonly string[])?])[] = [
  ['prog a b c', ['prog', 'a', 'b', 'c']],
  ['prog  a\t\tb  ', ['prog', 'a', 'b']],
  ['prog "a b" c', ['prog', 'a b', 'c']],
  ['prog a\\b', ['prog', 'a\\b']],
  ['prog a\\\\b', ['prog', 'a\\\\b']],
  ['prog a\\"b', ['prog', 'a"b']],
  ['prog a\\\\"b', ['prog', 'a\\b']],
  ['prog a\\\\\\"b', ['prog', 'a\\"b']],
  ['prog "a\\\\\\\\"', ['prog', 'a\\\\']],
  ['prog "a\\\\"', ['prog', 'a\\']],
  ['prog "a\\"', ['prog', 'a"']],
  ['prog ""', ['prog', '']],
  ['prog """', ['prog', '"']],
  ['prog """"', ['prog', '"']],
  ['prog """""', ['prog', '""'], ['prog', '"']],
  ['prog """"""', ['prog', '""']],
  ['prog a"b"c', ['prog', 'abc']],
  ['prog "a""b"', ['prog', 'a"b']],
  ['prog "a"" b"', ['prog', 'a" b'], ['prog', 'a"', 'b']],
  ['prog "a b""c d"', ['prog', 'a b"c d'], ['prog', 'a b"c', 'd']],
  ['prog a\\', ['prog', 'a\\']],
  ['prog a\\\\', ['prog', 'a\\\\']],
  ['"C:\\Program Files\\x.exe" a', ['C:\\Program Files\\x.exe', 'a']],
  ['C:\\dir\\"x y".exe z', ['C:\\dir"x', 'y.exe z'], ['C:\\dir\\"x', 'y.exe z']],
  ['"C:\\a\\"b c', ['C:\\a"b c'], ['C:\\a\\', 'b', 'c']],
  ['"unterminated prog a b', ['unterminated prog a b']],
  ['  prog a', ['', 'prog', 'a']],
  ['\tprog a', ['', 'prog', 'a']],
  ['prog', ['prog']],
  ['prog ""a""', ['prog', 'a']],
  ['prog "" ""', ['prog', '', '']],
  ['prog é 中 "é 中"', ['prog', 'é', '中', 'é 中']],
  ['prog "a\tb"', ['prog', 'a\tb']],
  ['prog a\\\\\\\\"b c"', ['prog', 'a\\\\b c']],
  ['prog ab"', ['prog', 'ab']],
  ['prog \\"', ['prog', '"']],
  ['prog \\\\"', ['prog', '\\']],
  ['prog "\\"', ['prog', '"']],
  ['"" a', ['', 'a']],
  ['prog""x y', ['progx', 'y'], ['prog""x', 'y']],
  ['"prog"x y', ['progx', 'y'], ['prog', 'x', 'y']],
  ['prog "a"b"c d"', ['prog', 'abc d']],
  ['prog a""b', ['prog', 'ab']],
  ['prog "a"""b', ['prog', 'a"b']],
  ['prog """a b"""', ['prog', '"a b"'], ['prog', '"a', 'b"']],
  ['prog a "" b', ['prog', 'a', '', 'b']],
  ['prog\ta', ['prog', 'a']],
  ['prog \\\\\\\\server\\\\share', ['prog', '\\\\\\\\server\\\\share']],
  ['prog "ab\\"c" "\\\\\\\\" d', ['prog', 'ab"c', '\\\\', 'd']],
  ['prog a\\\\\\b d"e f"g h', ['prog', 'a\\\\\\b', 'de fg', 'h']],
  ['prog a\\\\\\"b c d', ['prog', 'a\\"b', 'c', 'd']],
  ['prog a\\\\\\\\"b c" d e', ['prog', 'a\\\\b c', 'd', 'e']],
  ['prog a"b"" c d', ['prog', 'ab" c d'], ['prog', 'ab"', 'c', 'd']],
  ['prog "a b\\\\"', ['prog', 'a b\\']],
  ['prog 😀 "x😀y"', ['prog', '😀', 'x😀y']],
  ['  "C:\\x y\\p.exe" a', ['', 'C:\\x y\\p.exe', 'a']],
  ['prog a\nb', ['prog', 'a\nb']],
  ['prog a\u000bb c\rd', ['prog', 'a\u000bb', 'c\rd']],
  ['prog"a b" c', ['proga b', 'c'], ['prog"a', 'b c']],
  ['"prog\\"x', ['prog"x'], ['prog\\', 'x']],
  [' ', ['']],
  ['\t \t', ['']],
  ['prog "a""""b" c', ['prog', 'a""b', 'c'], ['prog', 'a"b c']],
  ['prog """"""" x', ['prog', '""" x'], ['prog', '"" x']],
  ['prog a"""b c', ['prog', 'a"b c'], ['prog', 'a"b', 'c']],
  ['prog "a\\\\""b"', ['prog', 'a\\"b']],
  ['prog """" """""', ['prog', '"', '""'], ['prog', '" ""']],
  ['prog x "', ['prog', 'x', '']],
  ['prog "a" "" "b"', ['prog', 'a', '', 'b']],
  ['C:\\x\\prog.exe\u00a0a b', ['C:\\x\\prog.exe\u00a0a', 'b']],
  ['prog\na b', ['prog\na', 'b']],
  ['prog\u0001a b', ['prog\u0001a', 'b']],
  ['prog\u3000a b', ['prog\u3000a', 'b']],
  ['prog\ra', ['prog\ra']],
  ['"prog"\tx', ['prog', 'x']],
  ['"a b"', ['a b']],
  ['"a b"\t"c"', ['a b', 'c']],
  ['" a', [' a']],
  ['"', ['']],
  ['""', ['']],
  ['"""', ['"'], ['', '']],
  ['"""" x', ['"', 'x'], ['', '', 'x']],
  ['\\"a b', ['"a', 'b'], ['\\"a', 'b']],
  ['a\\\\ b', ['a\\\\', 'b']],
  ['"C:\\x y\\\\" z', ['C:\\x y\\', 'z'], ['C:\\x y\\\\', 'z']],
  ['"C:\\x y\\" z', ['C:\\x y" z'], ['C:\\x y\\', 'z']],
  ['C:\\a\\\\"b c"', ['C:\\a\\b c'], ['C:\\a\\\\"b', 'c']],
  ['"a""b" c', ['a"b', 'c'], ['a', 'b', 'c']],
  ['prog "a""b""c" d', ['prog', 'a"b"c', 'd'], ['prog', 'a"bc d']],
  ['prog """"', ['prog', '"']],
  ['prog """"""""', ['prog', '"""'], ['prog', '""']],
  ['prog \\\\\\\\""', ['prog', '\\\\']],
  ['prog a\\\\\\\\\\""b', ['prog', 'a\\\\"b']],
  ['prog "\\\\"" x', ['prog', '\\" x'], ['prog', '\\"', 'x']],
  ['prog "x""" y', ['prog', 'x"', 'y'], ['prog', 'x" y']],
  [' "a" b', ['', 'a', 'b']],
  ['prog \t', ['prog']],
  ['prog a\u0001b\u001fc', ['prog', 'a\u0001b\u001fc']],
  ['prog "é\\"中"', ['prog', 'é"中']],
];

describe('splitCommandLine', () => {
  it(`matches Wine 8 on ${WINE_CASES.length} command lines in every mode`, () => {
    for (const [cmdline, crt, shell32 = crt] of WINE_CASES) {
      assert.deepEqual(splitCommandLine(cmdline, 'msvcrt'), crt, `msvcrt: ${JSON.stringify(cmdline)}`);
      assert.deepEqual(splitCommandLine(cmdline, 'ucrt'), crt, `ucrt: ${JSON.stringify(cmdline)}`);
      assert.deepEqual(splitCommandLine(cmdline, 'shell32'), shell32, `shell32: ${JSON.stringify(cmdline)}`);
    }
  });

  it('handles the empty command line', () => {
    // Under Wine 8 (the process's command line blanked before msvcrt.dll and ucrtbase.dll
    // were loaded): both CRTs give argc 1 and argv[0] "". CommandLineToArgvW(L"") returns
    // the executable's own path, which the caller has to supply; the pure function gives [].
    assert.deepEqual(splitCommandLine('', 'msvcrt'), ['']);
    assert.deepEqual(splitCommandLine('', 'ucrt'), ['']);
    assert.deepEqual(splitCommandLine('', 'shell32'), []);
  });

  it('applies the 2n / 2n+1 backslash rule before quotes', () => {
    for (let n = 0; n <= 6; n++) {
      const bs = '\\'.repeat(n);
      const half = '\\'.repeat(n >> 1);
      for (const mode of MODES) {
        // Before a quote: halved; an odd count leaves a literal quote, an even count a quote character.
        const expected = n % 2 === 1 ? [`x${half}"y`, 'z'] : [`x${half}y z`];
        assert.deepEqual(splitCommandLine(`p x${bs}"y z"`, mode).slice(1), expected, `${mode} n=${n}`);
        // Not before a quote: literal.
        assert.deepEqual(splitCommandLine(`p x${bs}y`, mode).slice(1), [`x${bs}y`], `${mode} n=${n}`);
      }
    }
  });
});

describe('buildCommandLine', () => {
  it('quotes only what needs quoting', () => {
    assert.equal(buildCommandLine(['Z:\\home\\user\\prog.exe']), 'Z:\\home\\user\\prog.exe');
    assert.equal(buildCommandLine(['Z:\\home\\user\\prog.exe', 'a', 'b\\c']), 'Z:\\home\\user\\prog.exe a b\\c');
    assert.equal(buildCommandLine(['Z:\\My Programs\\prog.exe', 'x']), '"Z:\\My Programs\\prog.exe" x');
    assert.equal(buildCommandLine(['', 'x']), '"" x');
    assert.equal(buildCommandLine(['p', '']), 'p ""');
    assert.equal(buildCommandLine(['p', 'a b', 'tab\there']), 'p "a b" "tab\there"');
    assert.equal(buildCommandLine(['p', 'é', '中 文']), 'p é "中 文"');
  });

  it('escapes quotes and the backslashes before them', () => {
    assert.equal(buildCommandLine(['p', 'a"b']), 'p "a\\"b"');
    assert.equal(buildCommandLine(['p', 'a\\"b']), 'p "a\\\\\\"b"');
    assert.equal(buildCommandLine(['p', 'a\\']), 'p a\\'); // no quotes, so the backslash stays single
    assert.equal(buildCommandLine(['p', 'a b\\']), 'p "a b\\\\"');
    assert.equal(buildCommandLine(['p', 'a b\\\\']), 'p "a b\\\\\\\\"');
    assert.equal(buildCommandLine(['p', '"']), 'p "\\""');
    assert.equal(buildCommandLine(['p', '\\\\server\\share dir']), 'p "\\\\server\\share dir"');
  });

  it('rejects what no command line can carry', () => {
    assert.throws(() => buildCommandLine([]), RangeError);
    assert.throws(() => buildCommandLine(['a"b.exe']), RangeError);
    assert.throws(() => buildCommandLine(['Z:\\dir with space\\']), RangeError);
    assert.throws(() => buildCommandLine(['p', 'a\0b']), RangeError);
    assert.equal(buildCommandLine(['Z:\\dir\\']), 'Z:\\dir\\'); // unquoted, so the backslash is harmless
  });

  it('round-trips the Wine cases through every parser', () => {
    for (const [cmdline, crt] of WINE_CASES) {
      const name = crt[0]!;
      // Program names buildCommandLine refuses: with a quote, or quoted and ending in a backslash.
      if (name.includes('"') || (name.endsWith('\\') && [...name].some((c) => c <= ' '))) continue;
      const line = buildCommandLine(crt);
      for (const mode of MODES) assert.deepEqual(splitCommandLine(line, mode), crt, `${mode}: ${JSON.stringify(cmdline)} -> ${JSON.stringify(line)}`);
    }
  });
});


describe('buildCommandLine / splitCommandLine property', () => {
  const ARG_ALPHABET = [' ', '\t', '"', '\\', 'a', 'b', 'Z', 'é', '中', '😀', '\n', "'"];
  // Program names are Windows paths: no quotes; weighted towards separators and spaces.
  const NAME_ALPHABET = ['\\', ' ', 'a', 'b', 'é', '中', ':', '.', '\t'];

  it('splitCommandLine(buildCommandLine(args)) === args for 3000 random argument lists in every mode', () => {
    const rand = prng(0x5eed1234);
    const pick = (alphabet: readonly string[]): string => alphabet[Math.floor(rand() * alphabet.length)]!;
    const word = (alphabet: readonly string[], max: number): string => {
      let s = '';
      const len = Math.floor(rand() * (max + 1));
      for (let k = 0; k < len; k++) s += pick(alphabet);
      return s;
    };
    for (let iter = 0; iter < 3000; iter++) {
      let name = rand() < 0.5 ? `Z:\\${word(NAME_ALPHABET, 12)}prog.exe` : word(NAME_ALPHABET, 10);
      // A quoted program name cannot end in a backslash (see buildCommandLine).
      if (/[ \t]/.test(name) || name === '') name = name.replace(/\\+$/, '');
      const args = [name];
      const count = Math.floor(rand() * 7);
      for (let k = 0; k < count; k++) args.push(word(ARG_ALPHABET, 10));
      const line = buildCommandLine(args);
      for (const mode of MODES) {
        assert.deepEqual(splitCommandLine(line, mode), args, `${mode}: ${JSON.stringify(args)} -> ${JSON.stringify(line)}`);
      }
    }
  });
});

describe('unixToWindowsPath', () => {
  it('names Unix paths on the Z: drive as winepath -w does (Wine 8)', () => {
    const cases: [string, string][] = [
      ['/', 'Z:\\'],
      ['/home/u/a.exe', 'Z:\\home\\u\\a.exe'],
      ['/home/user/prog.exe', 'Z:\\home\\user\\prog.exe'],
      ['/tmp/', 'Z:\\tmp\\'],
      ['//tmp//x/', 'Z:\\tmp\\x\\'],
      ['/tmp/./x/../y', 'Z:\\tmp\\y'],
      ['/tmp/a b/é中', 'Z:\\tmp\\a b\\é中'],
      ['/tmp/x/..', 'Z:\\tmp'],
      ['/tmp/x/../', 'Z:\\tmp\\'],
      ['/tmp/.', 'Z:\\tmp'],
      ['/..', 'Z:\\'],
      ['/../a', 'Z:\\a'],
      ['/.', 'Z:\\'],
      ['//', 'Z:\\'],
      ['/a/b/../../..', 'Z:\\'],
    ];
    for (const [unix, windows] of cases) assert.equal(unixToWindowsPath(unix), windows, unix);
  });

  it('rejects relative paths', () => {
    assert.throws(() => unixToWindowsPath('a/b'), RangeError);
    assert.throws(() => unixToWindowsPath(''), RangeError);
  });
});
