// Programs run natively under `winrun PROG.exe`, each in a child process so that one crash
// fails one test. Expected output is what the same fixtures print under Wine 8 (checked when
// the fixtures were written; msvcrt writes CR LF in text mode, to pipes too).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { FIXTURES, ROOT, WINRUN, scratchDir } from './helpers.js';

function run(exe: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  return runIn(undefined, exe, ...args);
}

function runIn(cwd: string | undefined, exe: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [WINRUN, exe, ...args], { encoding: 'utf8', timeout: 60_000, cwd });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A line of scanf.exe's output where winrun follows Windows rather than Wine 8 (`dll`: only in
 * that build). Every entry must match a line of Wine's output, so the table cannot go stale.
 */
interface ScanfDeviation {
  wine: string;
  windows: string;
  dll?: 'msvcrt' | 'ucrt';
}

const SCANF_DEVIATIONS: ScanfDeviation[] = [
  // The input ends before the first conversion: EOF. Microsoft: "The return value is EOF for an
  // error, or if the end of the input string is reached before the first conversion", and Wine's
  // conformance test sscanf(" \t\n\n", "%s") == EOF passes on Windows. Wine 8 gives EOF for %s
  // but 0 for the integer conversions and after literals.
  { wine: 'sscanf "   " "%d" r=0', windows: 'sscanf "   " "%d" r=-1' },
  { wine: 'sscanf "-" "%d" r=0', windows: 'sscanf "-" "%d" r=-1' },
  { wine: 'sscanf "+" "%d" r=0', windows: 'sscanf "+" "%d" r=-1' },
  { wine: 'sscanf "0x" "%i" r=0', windows: 'sscanf "0x" "%i" r=-1' },
  { wine: 'sscanf "0x" "%x" r=0', windows: 'sscanf "0x" "%x" r=-1' },
  { wine: 'sscanf "0x" "%X" r=0', windows: 'sscanf "0x" "%X" r=-1' },
  { wine: 'sscanf "abc" "abc%d" r=0', windows: 'sscanf "abc" "abc%d" r=-1' },
  { wine: 'sscanf "ab" "abc%d" r=0', windows: 'sscanf "ab" "abc%d" r=-1' },
  { wine: '_snscanf "  " 2 "%d" r=0', windows: '_snscanf "  " 2 "%d" r=-1' },
  // j and t are 64-bit size prefixes (documented; Wine's conformance tests read %jx on Windows,
  // with msvcrt.dll and ucrtbase.dll). Wine 8 does not know them.
  { wine: 'sscanf "5000000000" "%jd" r=0', windows: 'sscanf "5000000000" "%jd" r=1 0:00f2052a01000000' },
  { wine: 'sscanf "5000000000" "%td" r=0', windows: 'sscanf "5000000000" "%td" r=1 0:00f2052a01000000' },
  { wine: 'sscanf "0xfefefefefefefefe" "%jx" r=0', windows: 'sscanf "0xfefefefefefefefe" "%jx" r=1 0:fefefefefefefefe' },
  // An unterminated %[ ends the scan. Wine 8 reads on past the end of the format string and
  // writes to the next argument.
  { wine: 'sscanf "abc" "%[abc" r=1 0:"abc\\x00" 1:"\\x00"', windows: 'sscanf "abc" "%[abc" r=0' },
  { wine: 'sscanf "a]c" "%[]" r=0 0:"\\x00"', windows: 'sscanf "a]c" "%[]" r=0' },
  { wine: 'sscanf "a]c" "%[^]" r=1 0:"a\\x00" 1:"\\x00"', windows: 'sscanf "a]c" "%[^]" r=0' },
  { wine: 'sscanf "abc" "%[^" r=1 0:"abc\\x00" 1:"\\x00"', windows: 'sscanf "abc" "%[^" r=0' },
  // Set ranges compare unsigned characters; Wine 8 sign-extends bytes above 0x7f there.
  { wine: 'sscanf "\\xe9\\xe8z" "%[\\xe0-\\xef]" r=0 0:"\\x00"', windows: 'sscanf "\\xe9\\xe8z" "%[\\xe0-\\xef]" r=1 0:"\\xe9\\xe8\\x00"' },
  // `l` and `h` choose the width of a %[ buffer as they do for %s (Microsoft documents %l[ as the
  // way to fill a wide buffer); Wine 8 ignores them for %[.
  { wine: 'sscanf "abc1" "%l[a-z]" r=1 0:L"\\x6261c"', windows: 'sscanf "abc1" "%l[a-z]" r=1 0:L"abc\\x0000"' },
  { wine: 'swscanf L"abc1" L"%h[a-z]" r=1 0:"a\\x00b\\x00c\\x00\\x00\\x00"', windows: 'swscanf L"abc1" L"%h[a-z]" r=1 0:"abc\\x00"' },
  // A float is rounded once from the decimal value; Wine 8 rounds to double first, and this
  // value, just above the midpoint between two floats, then lands on the midpoint.
  {
    wine: 'sscanf "1.000000059604644775390625000000000001" "%f%n" r=1 0:3f800000(1) 1:26000000',
    windows: 'sscanf "1.000000059604644775390625000000000001" "%f%n" r=1 0:3f800001(1.00000012) 1:26000000',
  },
  // A width ends a float; the following directive reads on from there. Wine 8 stops the scan.
  {
    wine: 'sscanf "3.14159" "%4lf%n%d" r=1 0:40091eb851eb851f(3.1400000000000001) 1:04000000',
    windows: 'sscanf "3.14159" "%4lf%n%d" r=2 0:40091eb851eb851f(3.1400000000000001) 1:04000000 2:9f000000',
  },
  {
    wine: 'sscanf "123456" "%3lf%n%d" r=1 0:405ec00000000000(123) 1:03000000',
    windows: 'sscanf "123456" "%3lf%n%d" r=2 0:405ec00000000000(123) 1:03000000 2:c8010000',
  },
  // UCRT only, from Wine's ucrtbase conformance tests that pass on Windows (todo_wine there):
  // %p takes a 0x prefix, %P is no conversion, and an unknown conversion ends the scan (msvcrt
  // matches it as text, which Microsoft documents for msvcrt).
  { dll: 'ucrt', wine: 'sscanf "0x1234" "%p" r=1 0:0000000000000000', windows: 'sscanf "0x1234" "%p" r=1 0:3412000000000000' },
  { dll: 'ucrt', wine: 'sscanf "0x46F173" "%p" r=1 0:0000000000000000', windows: 'sscanf "0x46F173" "%p" r=1 0:73f1460000000000' },
  { dll: 'ucrt', wine: 'sscanf "1234" "%P" r=1 0:3412000000000000', windows: 'sscanf "1234" "%P" r=0' },
  { dll: 'ucrt', wine: 'sscanf "\\"%12@" "%\\"%%%d%@" r=1 0:0c000000', windows: 'sscanf "\\"%12@" "%\\"%%%d%@" r=0' },
  { dll: 'ucrt', wine: 'sscanf "y5" "%y%d" r=1 0:05000000', windows: 'sscanf "y5" "%y%d" r=0' },
  { dll: 'ucrt', wine: 'sscanf "\\x81\\x82test" "\\x81%\\x82%s" r=1 0:"test\\x00"', windows: 'sscanf "\\x81\\x82test" "\\x81%\\x82%s" r=0' },
  // UCRT wide functions without _CRT_INTERNAL_SCANF_LEGACY_WIDE_SPECIFIERS: %s %c %[ fill narrow
  // buffers and %S %C wide ones (Microsoft's iso_stdio_wide_specifiers documentation); Wine 8
  // ignores the option.
  { dll: 'ucrt', wine: 'common_vswscanf 0 L"hi" L"%s" r=1 0:"h\\x00i\\x00\\x00\\x00"', windows: 'common_vswscanf 0 L"hi" L"%s" r=1 0:"hi\\x00"' },
  { dll: 'ucrt', wine: 'common_vswscanf 0 L"hi" L"%S" r=1 0:L"\\x6968\\xaa00"', windows: 'common_vswscanf 0 L"hi" L"%S" r=1 0:L"hi\\x0000"' },
  { dll: 'ucrt', wine: 'common_vswscanf 0 L"hi" L"%c" r=1 0:"h\\x00"', windows: 'common_vswscanf 0 L"hi" L"%c" r=1 0:"h"' },
  { dll: 'ucrt', wine: 'common_vswscanf 0 L"hi" L"%C" r=1 0:L"\\xaa68"', windows: 'common_vswscanf 0 L"hi" L"%C" r=1 0:L"h"' },
  { dll: 'ucrt', wine: 'common_vswscanf 0 L"ab1" L"%[a-z]" r=1 0:"a\\x00b\\x00\\x00\\x00"', windows: 'common_vswscanf 0 L"ab1" L"%[a-z]" r=1 0:"ab\\x00"' },
];

/** Wine's output of a scanf fixture (tests/fixtures/expected/, CR LF removed), with the
 *  deviations above applied. */
function expectedScanf(name: string, dll: 'msvcrt' | 'ucrt'): string[] {
  const wine = readFileSync(`${ROOT}tests/fixtures/expected/${name}`, 'utf8').split('\n').slice(0, -1);
  const applicable = SCANF_DEVIATIONS.filter((d) => d.dll === undefined || d.dll === dll);
  const used = new Set<ScanfDeviation>();
  const lines = wine.map((line) => {
    const d = applicable.find((x) => x.wine === line);
    if (!d) return line;
    used.add(d);
    return d.windows;
  });
  assert.deepEqual(applicable.filter((d) => !used.has(d)).map((d) => d.wine), [], 'deviations that match no line of Wine\'s output');
  return lines;
}

/** The invalid-parameter cases of scanf.exe (`scanf.exe null N`). Wine 8 validates none of these
 *  pointers and crashes (for a NULL input with a count of 0 it returns -1 without errno);
 *  Microsoft documents EINVAL and -1 after the invalid-parameter handler. */
const SCANF_NULL_CASES = [
  'sscanf NULL input', 'sscanf NULL format', 'swscanf NULL input', 'swscanf NULL format', '_snscanf NULL input',
  'sscanf_s NULL input', 'sscanf_s NULL buffer', '_snscanf NULL format', '_snscanf NULL input, count 0',
];

describe('running programs', () => {
  it('hello.exe: arguments with spaces, quotes and backslashes round-trip; exit code', () => {
    const args = ['a', 'b c', 'd"e', 'f\\g\\', '', 'tab\there', 'x\\"y', 'ünï'];
    const r = run(FIXTURES + 'hello.exe', ...args);
    assert.equal(r.stderr, '');
    assert.equal(r.status, args.length);
    const expected = ['hello from hello.exe', ...args.map((a, i) => `argv[${i + 1}]=[${a}]`)].join('\r\n') + '\r\n';
    assert.equal(r.stdout, expected);
  });
  it('examples/hello.exe, the README demo', () => {
    const r = run(ROOT + 'examples/hello.exe', 'one', 'two three');
    assert.equal(r.status, 0);
    assert.equal(r.stdout, 'Hello from a Windows program!\r\n  argument 1: one\r\n  argument 2: two three\r\n');
  });
  it('dll_user.exe: its own DLL by name, by ordinal and exported data, with DllMain attach and detach', () => {
    const r = run(FIXTURES + 'dll_user.exe');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'exports.dll: attach\r\nadd=5 mul=20 secret=0x5ec counter=42\r\nexports.dll: detach\r\n');
  });
  it('tls.exe: TLS callbacks run before main; thread data comes from the template', () => {
    const r = run(FIXTURES + 'tls.exe');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'callbacks=2 order=ab tls=0x1234 text=template ok\r\n');
  });
  it('delayload.exe: a delay-loaded DLL is loaded on first call', () => {
    const r = run(FIXTURES + 'delayload.exe');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'exports.dll: attach\r\nbefore=not-loaded sum=42 after=loaded\r\nexports.dll: detach\r\n');
  });
  it('abi.exe: callee-saved registers, aligned callbacks, >4 arguments, doubles, varargs', () => {
    const r = run(FIXTURES + 'abi.exe');
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0, r.stdout);
    assert.equal(r.stdout.split('\r\n').filter((l) => l.startsWith('ok  ')).length, 13, r.stdout);
    assert.match(r.stdout, /^0 failures\r$/m);
  });
  it('reloc.exe: two DLLs with the same preferred base; the second is relocated', () => {
    const r = run(FIXTURES + 'reloc.exe');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'distinct=1 relocated=1 a=111 b=222 names=A,B ok\r\n');
  });
  it('pebwalk.exe: finds kernel32 through PEB.Ldr and its export directory by hand', () => {
    const r = run(FIXTURES + 'pebwalk.exe');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^order=pebwalk\.exe,ntdll\.dll,kernel32\.dll found=yes gpa=same ok\r\n$/i);
  });
  it('strings.exe: the native memcpy family behaves as msvcrt under Wine', () => {
    const r = run(FIXTURES + 'strings.exe');
    assert.equal(r.status, 0, r.stderr);
    const wine = [
      'memmove-up 0101234567',
      'memmove-down 2345678989',
      'memcpy aXYZef returns-dst 1',
      'memset ****ef returns-dst 1 zero-length 1',
      'memcmp -1 1 0 1',
      'strcmp -1 1 0 -1 1',
      'strlen 5 0',
    ];
    assert.equal(r.stdout, wine.join('\r\n') + '\r\n');
  });
  it('heap.exe: the Win32 heap and the CRT allocator behave as on Windows', () => {
    const r = run(FIXTURES + 'heap.exe');
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.equal(r.stdout.split('\r\n').filter((l) => l.startsWith('ok  ')).length, 21, r.stdout);
    assert.match(r.stdout, /^0 failures\r$/m);
  });
  it('setjmp.exe: longjmp within a function, out of nested calls and out of a qsort comparator', () => {
    const r = run(FIXTURES + 'setjmp.exe');
    assert.equal(r.status, 0, r.stderr);
    // The output of the same program under Wine 8.
    assert.equal(r.stdout, 'direct r=5 kept=5678 kept_d=7.25\r\nnested r=1 depth=0\r\nout of qsort r=77 compares=3\r\nafter: sorted=1 still fine\r\n');
  });
  it('crtstring.exe: string, ctype and conversion functions give what msvcrt gives under Wine', () => {
    const r = run(FIXTURES + 'crtstring.exe');
    assert.equal(r.status, 0, r.stderr);
    const wine = [
      'cat [abcdefgh] len=8',
      'strncpy pads: 0 0 0 x',
      'strstr [o world] [null]',
      'spn 4 cspn 2 pbrk [llo]',
      'tokens: [one] [two] [three]',
      'strdup [dup me] stricmp 0 1 1 strnicmp 0',
      'lwr [mixed 123] upr [321 DEXIM] rev [321 DEXIM]',
      'itoa [ffffff01] [11111111] ltoa [-123456] ultoa [1u5hvr4] i64toa [-9223372036854775808] ui64toa [ffffffffffffffff]',
      'strtoll -9223372036854775808 32767 strtoull 511',
      '_atoi64 -42 atol 2147483647 strtol -31 endptr []',
      'ctype: 61:100010011 5a:100100001 35:010000011 20:001000001 09:001000100 5f:000001001 7f:000000100 7e:000001001 upper Q lower q',
      'wcs len=8 cmp=0 icmp=0 chr=5 str=5',
      'wcstol -77 end=3 _wtoi 123 towupper X iswalpha 1 0',
      'mbstowcs 6 first=104 wcstombs 2 [ab]',
    ];
    assert.deepEqual(r.stdout.split('\r\n').slice(0, -1), wine);
  });
  describe('crttime.exe: time functions with msvcrt\'s TZ rules (expected: the same program under Wine 8)', () => {
    const runTz = (tz: string): string[] => {
      const r = spawnSync(process.execPath, [WINRUN, FIXTURES + 'crttime.exe'], { encoding: 'utf8', env: { ...process.env, TZ: tz } });
      assert.equal(r.status, 0, r.stderr);
      const out = r.stdout.split('\r\n').slice(0, -1);
      assert.equal(out.pop(), 'time plausible 1 ftime plausible 1 clock ok 1');
      return out;
    };
    it('TZ=EST5EDT: five hours west, US daylight saving, mktime -1 before 1970 local', () => {
      assert.deepEqual(runTz('EST5EDT'), [
        'gmtime    1970-01-01 00:00:00 wday=4 yday=0 isdst=0',
        'localtime 1969-12-31 19:00:00 wday=3 yday=364 isdst=0',
        'mktime=-1 strftime [1969-12-31 19:00:00 Wed Wednesday Dec December 365 PM 69 07 3 %]',
        'gmtime    2001-09-09 01:46:40 wday=0 yday=251 isdst=0',
        'localtime 2001-09-08 21:46:40 wday=6 yday=250 isdst=1',
        'mktime=1000000000 strftime [2001-09-08 21:46:40 Sat Saturday Sep September 251 PM 01 09 6 %]',
        'gmtime    2024-07-01 12:00:00 wday=1 yday=182 isdst=0',
        'localtime 2024-07-01 08:00:00 wday=1 yday=182 isdst=1',
        'mktime=1719835200 strftime [2024-07-01 08:00:00 Mon Monday Jul July 183 AM 24 08 1 %]',
        'gmtime    2024-12-31 23:59:59 wday=2 yday=365 isdst=0',
        'localtime 2024-12-31 18:59:59 wday=2 yday=365 isdst=0',
        'mktime=1735689599 strftime [2024-12-31 18:59:59 Tue Tuesday Dec December 366 PM 24 06 2 %]',
        'normal    2024-02-02 01:00:00 wday=5 yday=32 isdst=0',
        'difftime 90.0',
      ]);
    });
    it('TZ=UTC0', () => {
      assert.deepEqual(runTz('UTC0'), [
        'gmtime    1970-01-01 00:00:00 wday=4 yday=0 isdst=0',
        'localtime 1970-01-01 00:00:00 wday=4 yday=0 isdst=0',
        'mktime=0 strftime [1970-01-01 00:00:00 Thu Thursday Jan January 001 AM 70 12 4 %]',
        'gmtime    2001-09-09 01:46:40 wday=0 yday=251 isdst=0',
        'localtime 2001-09-09 01:46:40 wday=0 yday=251 isdst=0',
        'mktime=1000000000 strftime [2001-09-09 01:46:40 Sun Sunday Sep September 252 AM 01 01 0 %]',
        'gmtime    2024-07-01 12:00:00 wday=1 yday=182 isdst=0',
        'localtime 2024-07-01 12:00:00 wday=1 yday=182 isdst=0',
        'mktime=1719835200 strftime [2024-07-01 12:00:00 Mon Monday Jul July 183 PM 24 12 1 %]',
        'gmtime    2024-12-31 23:59:59 wday=2 yday=365 isdst=0',
        'localtime 2024-12-31 23:59:59 wday=2 yday=365 isdst=0',
        'mktime=1735689599 strftime [2024-12-31 23:59:59 Tue Tuesday Dec December 366 PM 24 11 2 %]',
        'normal    2024-02-02 01:00:00 wday=5 yday=32 isdst=0',
        'difftime 90.0',
      ]);
    });
  });
  it('vcrt.exe: vcruntime140.dll RTTI and std::exception helpers (expected: the program under Wine 8)', () => {
    const r = run(FIXTURES + 'vcrt.exe');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'compare same=0 different=1 sign=1\r\nhash equal=1 differs=1 value=f6f90c7d7d8a9516\r\ncopy owned: distinct=1 text=owned message free=1; borrowed: same=1 free=0\r\ndestroyed what=0000000000000000 free=0\r\nmemchr 3 1\r\n');
  });
  it('fpenv.exe: _controlfp rounding modes act in guest code and survive API calls; _clearfp/_statusfp', () => {
    const r = run(FIXTURES + 'fpenv.exe');
    assert.equal(r.status, 0, r.stderr);
    // The output of the same program under Wine 8.
    assert.equal(r.stdout, 'default 0x8001f\r\nafter chop 0x8031f\r\n1/10 nearest=3fb999999999999a chop=3fb9999999999999 differ=1\r\nprinting under chop: 0.099999999999999992\r\nmode survives API calls: 1\r\n1/0=inf zerodivide=1\r\nclearfp returned zerodivide=1 then 0\r\nrestored 0x8001f\r\n');
  });
  it('crtenv.exe: _putenv shared with kernel32, _wgetenv, _dupenv_s, signal/raise, _get_pgmptr', () => {
    const r = run(FIXTURES + 'crtenv.exe');
    assert.equal(r.status, 0, r.stderr);
    // The output of the program under Wine 8, except _dupenv_s: Windows' msvcrt.dll exports it
    // (Wine's does not, and the program then prints e=-1).
    assert.deepEqual(r.stdout.split('\r\n').slice(0, -1), [
      'getenv=one kernel32=one/3',
      'changed getenv=two wgetenv=two',
      'removed getenv=(null) kernel32=0 err=203',
      'dupenv e=0 dup=k len=2',
      'signal old=SIG_DFL raise=0 caught=15 reset=1',
      'ignored raise=0 caught=0 bad=-1',
      'pgmptr ends with crtenv.exe: 1',
      'doserrno=5',
    ]);
  });
  it('crtmath.exe: math.h and float variants, errno on domain/range errors, classification', () => {
    const r = run(FIXTURES + 'crtmath.exe');
    assert.equal(r.status, 0, r.stderr);
    // The output of the same program under Wine 8.
    assert.equal(r.stdout, 'log10 3 asin 0.52359877559829893 acos 1.0471975511965979\r\nsinh 0.52109530549374738 cosh 1.1276259652063807 tanh 0.46211715726000974\r\nhypot 5 copysign -2 2\r\nmodf -0.75 -2\r\nsqrtf 1.41421354 powf 1.41421354 floorf -2 expf 2.71828175\r\nsqrt(-1) nan=1 errno=33\r\nlog(0)=-inf errno=34\r\nexp(1000)=inf errno=34\r\nisnan 1 0 finite 0 1\r\nfpclass 0x100 0x8 0x40 0x20 0x200 0x2\r\n');
  });
  describe('the same programs linked against the Universal CRT (ucrtbase via api-ms-win-crt-*)', () => {
    it('hello_ucrt.exe: arguments and exit code', () => {
      const r = run(FIXTURES + 'hello_ucrt.exe', 'a', 'b c', 'd"e');
      assert.equal(r.status, 3, r.stderr);
      assert.equal(r.stdout, 'hello from hello_ucrt.exe\r\nargv[1]=[a]\r\nargv[2]=[b c]\r\nargv[3]=[d"e]\r\n');
    });
    it('heap_ucrt.exe: the heap through the UCRT', () => {
      const r = run(FIXTURES + 'heap_ucrt.exe');
      assert.equal(r.status, 0, r.stdout + r.stderr);
      // _recalloc is looked up in msvcrt.dll, which a UCRT program does not load (as under Wine).
      assert.equal(r.stdout.split('\r\n').filter((l) => l.startsWith('ok  ')).length, 20, r.stdout);
      assert.match(r.stdout, /^skip _recalloc/m);
    });
    it('setjmp_ucrt.exe: __intrinsic_setjmpex and longjmp', () => {
      const r = run(FIXTURES + 'setjmp_ucrt.exe');
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, 'direct r=5 kept=5678 kept_d=7.25\r\nnested r=1 depth=0\r\nout of qsort r=77 compares=3\r\nafter: sorted=1 still fine\r\n');
    });
    it('ucrt_stdio.exe: __stdio_common_v* truncation rules, wide formatting, environment', () => {
      const r = spawnSync(process.execPath, [WINRUN, FIXTURES + 'ucrt_stdio.exe', 'a', 'b c'], { encoding: 'utf8', env: { ...process.env, WINRUN_UCRT_TEST: 'yes' } });
      assert.equal(r.status, 0, r.stderr);
      // The output of the same program under Wine 8.
      assert.equal(r.stdout, 'snprintf n=12 buf=[abcdef-]\r\n_snprintf n=-1 first8=[01234567]\r\nswprintf n=4 len=4 last=55\r\nexponent 1.000000e+301 inf inf nan nan\r\nargc=3 last=b c env=yes\r\n');
      assert.equal(r.stderr, 'to stderr 3\r\n');
    });
  });
  describe('scanf.exe / scanf_ucrt.exe: the string scanf functions (expected: Wine 8, tests/fixtures/expected/)', () => {
    const lines = (exe: string, ...args: string[]): string[] => {
      const r = run(FIXTURES + exe, ...args);
      assert.equal(r.stderr, '');
      assert.equal(r.status, 0);
      assert.ok(r.stdout.endsWith('\r\n'), 'text-mode output');
      return r.stdout.split('\r\n').slice(0, -1);
    };
    it('msvcrt.dll: sscanf, swscanf, _snscanf, _snwscanf, the _s variants', () => {
      assert.deepEqual(lines('scanf.exe'), expectedScanf('scanf.wine.txt', 'msvcrt'));
    });
    it('ucrtbase.dll: __stdio_common_vsscanf and __stdio_common_vswscanf with their options', () => {
      assert.deepEqual(lines('scanf_ucrt.exe'), expectedScanf('scanf_ucrt.wine.txt', 'ucrt'));
    });
    it('a NULL input, format or _s buffer is an invalid parameter: EINVAL and -1 (msvcrt)', () => {
      SCANF_NULL_CASES.forEach((label, i) => {
        assert.deepEqual(lines('scanf.exe', 'null', String(i + 1)), [`${label} r=-1 errno=22`]);
      });
    });
    it('… and in the UCRT, after calling the handler set with _set_invalid_parameter_handler', () => {
      [...SCANF_NULL_CASES, 'common_vsscanf NULL input, count 0', 'common_vswscanf NULL input, count 5'].forEach((label, i) => {
        assert.deepEqual(lines('scanf_ucrt.exe', 'null', String(i + 1)), [`${label} r=-1 errno=22`, 'invalid parameter handler calls=1']);
      });
    });
  });
  it('apicost.exe: the benchmark fixture runs and reports its costs', () => {
    const r = run(FIXTURES + 'apicost.exe', '1000');
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split('\r\n').map((l) => l.split(' '));
    assert.deepEqual(lines.map((l) => l[0]), ['js-api-call', 'setlasterror-getlasterror', 'memcpy-32', 'heapalloc-heapfree', 'malloc-free']);
    for (const l of lines) assert.ok(Number(l[1]) > 0);
  });
  it('reports the full 32-bit exit code on WINRUN_STATUS_FD (the shell sees the low 8 bits)', () => {
    const args = Array.from({ length: 300 }, (_, i) => String(i));
    const r = spawnSync(process.execPath, [WINRUN, FIXTURES + 'hello.exe', ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
      env: { ...process.env, WINRUN_STATUS_FD: '3' },
    });
    assert.equal(r.status, 300 & 0xff);
    assert.equal(r.output[3], '300\n');
  });
  it('a missing DLL ends with STATUS_DLL_NOT_FOUND and one clear line', () => {
    const r = run(FIXTURES + 'missingdll.exe');
    assert.equal(r.status, 0xc0000135 & 0xff);
    assert.match(r.stderr, /^winrun: missingdll\.exe needs winrun_missing\.dll, which was not found \(searched: /);
  });
  it('a malformed program gives one line and exit status 1', () => {
    const r = run(ROOT + 'tests/fixtures/malformed/machine-i386.exe');
    assert.equal(r.status, 1);
    assert.match(r.stderr, /32-bit Windows programs are not supported/);
  });
});

// files.exe under Wine 8, with two deliberate differences where Wine is not Windows:
//  - `*.` matches only names without an extension (cmd's `dir *.`); Wine matches everything.
//  - a read-only file cannot be opened for writing; Wine run as root opens it.
const FILES_GOLDEN = [
  "CreateDirectory wr_dir             -> 1 err=57005",
  "CreateDirectory WR_DIR again       -> 0 err=183",
  "CreateDirectory a\\b (no a)         -> 0 err=3",
  "create g0 ok",
  "WriteFile                          -> 1 err=57005",
  "GetFileType                        -> 1 err=57005",
  "ReadFile on write-only             -> 0 err=5",
  "CloseHandle twice                  -> 0 err=6",
  "reopen by other case ok",
  "ReadFile 5                         -> 5 err=57005",
  "  data [hello]",
  "SetFilePointer cur +2              -> 7 err=57005",
  "SetFilePointer end                 -> 13 err=57005",
  "SetFilePointer negative            -> 4294967295 err=131",
  "SetFilePointer bad method          -> 4294967295 err=87",
  "ReadFile at EOF                    -> 0 err=57005",
  "ReadFile OVERLAPPED at 7           -> 5 err=57005",
  "  data [world] pointer now 12",
  "second open, share read, read ok",
  "second open for write              -> -1 err=32",
  "DeleteFile while open (no share)   -> 0 err=32",
  "GetFileSizeEx                      -> 13 err=57005",
  "GetFileInformationByHandle         -> 1301 err=57005",
  "  attributes 0x20",
  "CREATE_NEW existing                -> -1 err=80",
  "OPEN_EXISTING missing              -> -1 err=2",
  "OPEN_EXISTING missing dir          -> -1 err=3",
  "TRUNCATE_EXISTING without write ok size=0",
  "bad disposition                    -> -1 err=87",
  "open directory plain               -> -1 err=5",
  "open directory backup ok",
  "OPEN_ALWAYS new err=0",
  "SetEndOfFile at 4                  -> 1 err=57005",
  "GetFileSize                        -> 4 err=57005",
  "CREATE_ALWAYS existing err=183 size=0",
  "OPEN_ALWAYS existing (case) err=183 size=3",
  "find wr_dir\\*    : ./(0) ../(0) g0.txt(13) g1.txt(0) G2.TXT(3) noext(0) sub/(0) end=18",
  "find wr_dir\\*.*  : ./(0) ../(0) g0.txt(13) g1.txt(0) G2.TXT(3) noext(0) sub/(0) end=18",
  "find wr_dir\\*.txt: g0.txt(13) g1.txt(0) G2.TXT(3) end=18",
  "find wr_dir\\G?.TXT: g0.txt(13) g1.txt(0) G2.TXT(3) end=18",
  "find wr_dir\\*.   : ./(0) ../(0) noext(0) sub/(0) end=18",
  "find wr_dir\\g0.txt: g0.txt(13) end=18",
  "find wr_dir\\*.zip: none err=2",
  "find nodir\\*     : none err=3",
  "GetFileAttributes dir              -> 16 err=57005",
  "GetFileAttributes file             -> 32 err=57005",
  "GetFileAttributes missing          -> 4294967295 err=2",
  "GetFileAttributes missing dir      -> 4294967295 err=3",
  "GetFileAttributesEx size           -> 13 err=57005",
  "MoveFile onto existing             -> 0 err=183",
  "MoveFileEx replace                 -> 1 err=57005",
  "size after replace                 -> 0 err=57005",
  "MoveFile missing                   -> 0 err=2",
  "CopyFile fail-if-exists            -> 0 err=80",
  "CopyFile                           -> 1 err=0",
  "copy size                          -> 3 err=57005",
  "SetFileAttributes readonly         -> 1 err=57005",
  "attributes now                     -> 33 err=57005",
  "open readonly for write refused",
  "DeleteFile readonly                -> 0 err=5",
  "SetFileAttributes normal           -> 1 err=57005",
  "DeleteFile                         -> 1 err=57005",
  "DeleteFile again                   -> 0 err=2",
  "DeleteFile directory               -> 0 err=5",
  "RemoveDirectory non-empty          -> 0 err=145",
  "RemoveDirectory a file             -> 0 err=267",
  "delete-on-close exists while open  -> 1 err=57005",
  "delete-on-close gone after close   -> 4294967295 err=2",
  "GetTempFileName unique=yes file=created",
  "GetTempFileName fixed -> wr_dir\\abc1234.tmp",
  "ReadFile bad handle                -> 0 err=6",
  "GetFileType bad handle             -> 0 err=6",
  "ReadFile bad buffer                -> 0 err=998",
  "write to NUL                       -> 1 err=57005",
  "RemoveDirectory after cleanup      -> 1 err=57005",
];

// paths.exe under Wine 8, unchanged.
const PATHS_GOLDEN = [
  "full [foo] -> [C:\\foo] n=6 file=[foo]",
  "full [foo\\bar.txt] -> [C:\\foo\\bar.txt] n=14 file=[bar.txt]",
  "full [foo/bar/../baz] -> [C:\\foo\\baz] n=10 file=[baz]",
  "full [.\\a\\.\\b] -> [C:\\a\\b] n=6 file=[b]",
  "full [..\\..\\..\\x] -> [C:\\x] n=4 file=[x]",
  "full [\\rooted\\p] -> [C:\\rooted\\p] n=11 file=[p]",
  "full [C:rel] -> [C:\\rel] n=6 file=[rel]",
  "full [C:\\a\\b\\..\\..\\..\\c] -> [C:\\c] n=4 file=[c]",
  "full [Z:\\tmp\\] -> [Z:\\tmp\\] n=7 file=[(null)]",
  "full [Z:] -> [Z:\\] n=3 file=[(null)]",
  "full [z:\\TMP\\x] -> [z:\\TMP\\x] n=8 file=[x]",
  "full [a.txt.] -> [C:\\a.txt] n=8 file=[a.txt]",
  "full [a.txt. . ] -> [C:\\a.txt] n=8 file=[a.txt]",
  "full [dir. \\file] -> [C:\\dir. \\file] n=13 file=[file]",
  "full [dir..\\x] -> [C:\\dir.\\x] n=9 file=[x]",
  "full [...] -> [C:\\] n=3 file=[(null)]",
  "full [C:\\x\\.] -> [C:\\x] n=4 file=[x]",
  "full [C:\\x\\..] -> [C:\\] n=3 file=[(null)]",
  "full [nul] -> [\\\\.\\nul] n=7 file=[(null)]",
  "full [NUL.txt] -> [\\\\.\\NUL] n=7 file=[(null)]",
  "full [con] -> [\\\\.\\con] n=7 file=[(null)]",
  "full [C:\\dir\\aux] -> [\\\\.\\aux] n=7 file=[(null)]",
  "full [CONIN$] -> [\\\\.\\CONIN$] n=10 file=[(null)]",
  "full [\\\\?\\C:\\a\\..\\b] -> [\\\\?\\C:\\b] n=8 file=[b]",
  "full [\\\\.\\C:\\a\\..\\b] -> [\\\\.\\C:\\b] n=8 file=[b]",
  "full [\\\\.\\pipe\\x] -> [\\\\.\\pipe\\x] n=10 file=[x]",
  "full [a//b\\\\c] -> [C:\\a\\b\\c] n=8 file=[c]",
  "full [C:/mixed/seps] -> [C:\\mixed\\seps] n=13 file=[seps]",
  "full [trail\\] -> [C:\\trail\\] n=9 file=[(null)]",
  "full [] -> fail 57005",
  "full [com1.txt] -> [\\\\.\\com1] n=8 file=[(null)]",
  "full [lpt9] -> [\\\\.\\lpt9] n=8 file=[(null)]",
  "full [conx] -> [C:\\conx] n=7 file=[conx]",
  "small buffer -> 10 err=57005",
  "A: 13 [C:\\sub\\file.c]",
  "cwd 3 [C:\\] need=4",
  "chdir missing -> 0 err=3",
  "chdir windows -> 1",
  "cwd now [c:\\WINDOWS\\system32]",
  "full [..\\x] -> [c:\\WINDOWS\\x] n=12 file=[x]",
  "full [C:y] -> [c:\\WINDOWS\\system32\\y] n=21 file=[y]",
  "full [D:y] -> [D:\\y] n=4 file=[y]",
  "system [C:\\windows\\system32]",
  "windows [C:\\windows]",
  "drives C,Z",
];

describe('kernel32 files and paths', () => {
  it('files.exe: dispositions, sharing, seeking, attributes, find, move/copy/delete, errors', () => {
    const dir = scratchDir();
    const r = runIn(dir, FIXTURES + 'files.exe');
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
    assert.deepEqual(r.stdout.split('\r\n'), [...FILES_GOLDEN, '']);
  });
  it('paths.exe: GetFullPathName rules, devices, current directory, system directories', () => {
    const r = runIn(scratchDir(), FIXTURES + 'paths.exe');
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
    assert.deepEqual(r.stdout.split('\r\n'), [...PATHS_GOLDEN, '']);
  });
});

// stdio.exe under Wine 8 (the msvcrt build; the UCRT build prints one more line, for "wx").
const STDIO_GOLDEN = [
  "ftell after text writes: 19",
  "text write            : o n e CR LF t w o CR LF 3 - t h r e e CR LF",
  "fgets: [one",
  "]ftell after line 1: 5",
  "fgetc t, ungetc X",
  "fgets after ungetc: [Xwo",
  "]fgets short: [3-]",
  "size by fseek/ftell: 19, fgetc at end -1 feof 1",
  "after rewind feof 0, fread 6",
  "fread text: [one\\ntw]",
  "binary ftell 8",
  "after seek 2 fgetc b",
  "binary write          : a LF b CR LF c ^Z d e",
  "text read of binary: 5 bytes: 61 0a 62 0a 63 feof 1",
  "r+ read after write: [",
  "]append and r+         : O N E CR LF t w o CR LF 3 - t h r e e CR LF f o u r CR LF",
  "fopen missing: 0000000000000000 errno 2",
  "fopen bad mode: 0000000000000000 errno 22",
  "setvbuf: 0",
  "size before fflush: 0",
  "size after fflush: 8",
  "_open fd>2: 1",
  "_write text: 4",
  "_lseek cur: 6",
  "_write binary: 2",
  "_isatty(file): 0, _filelength 8",
  "_close twice: -1 errno 9",
  "low-level             : x CR LF y CR LF z LF",
  "_read text: 6 [x\\ny\\nz\\nz\\n] _eof 1",
  "_dup shares position: 8",
  "_open missing: -1 errno 2",
  "_stat64 file: 0 mode 0100666 size 25 nlink 1",
  "_stat64 dir: 0 mode 040777",
  "_stat64 missing: -1 errno 2",
  "_stat64 file with slash: -1 errno 2",
  "rename: 0",
  "rename onto existing: -1 errno 17",
  "remove: 0, again -1 errno 2",
  "_access t.txt: 0, missing: -1",
  "mkdir 0 rmdir 0",
  "tmpfile: [temporary]",
  "stdout fileno 1, stdin 0",
  "fscanf: 3 -> 42 [word] 25",
  "next char after fscanf: 10",
  "fgets after fscanf: [rest of line",
  "]fscanf at end: 1 -> 17 n=2",
  "fscanf past end: -1 feof 1",
];

describe('C runtime stdio on files', () => {
  for (const [exe, extra] of [['stdio.exe', []], ['stdio_ucrt.exe', ['wx existing: 0000000000000000 errno 17']]] as const) {
    it(`${exe}: modes, text translation, positioning, buffering, low-level I/O, stat`, () => {
      const r = runIn(scratchDir(), FIXTURES + exe);
      assert.equal(r.stderr, '');
      assert.equal(r.status, 0);
      const want = [...STDIO_GOLDEN];
      if (extra.length) want.splice(want.indexOf('fopen bad mode: 0000000000000000 errno 22') + 1, 0, ...extra);
      assert.deepEqual(r.stdout.split('\r\n'), [...want, '']);
    });
  }
  it('stdout and stderr on a pipe are fully buffered, flushed by fflush and at exit, in stream order', () => {
    // Windows' msvcrt buffers both when they are not a console; Wine flushes after each printf.
    const r = spawnSync('/bin/sh', ['-c', `"${process.execPath}" "${WINRUN}" "${FIXTURES}stdio.exe" order 2>&1`], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0);
    assert.equal(r.stdout, 'out-1\r\nout-2\r\nout-3\r\nerr-1\r\nerr-2\r\n');
  });
  it('stdout and stderr on a terminal are written through at each call', { skip: !existsSync('/usr/bin/script') && 'util-linux script(1) is not installed' }, () => {
    const r = spawnSync('/usr/bin/script', ['-qc', `"${process.execPath}" "${WINRUN}" "${FIXTURES}stdio.exe" order`, '/dev/null'], { encoding: 'utf8', timeout: 60_000 });
    assert.equal(r.status, 0);
    // The terminal turns each LF into CR LF after msvcrt's CR: lines end CR CR LF.
    assert.equal(r.stdout.replace(/\r+\n/g, '\n'), 'out-1\nerr-1\nout-2\nerr-2\nout-3\n');
  });
});

// locale.exe under Wine 8. msvcrt has no UTF-8 locale (as on Windows); the UCRT build names it
// "English_United States.utf8" as Windows 10 does, where Wine 8 says ".65001".
const LOCALE_GOLDEN = [
  "start      all=[C] ctype=[C] numeric=[C] cp=0 mbcur=1 point=[.]",
  "set C -> [C]",
  "set bogus -> [(null)]",
  "set category -1 -> [(null)]",
  "set English_United States.1252 -> [English_United States.1252]",
  "english    all=[English_United States.1252] ctype=[English_United States.1252] numeric=[English_United States.1252] cp=1252 mbcur=1 point=[.]",
  "after bad  all=[C] ctype=[C] numeric=[C] cp=0 mbcur=1 point=[.]",
  "set ctype .UTF8 -> [(null)]",
  "ctype utf8 all=[C] ctype=[C] numeric=[C] cp=0 mbcur=1 point=[.]",
  "set all .utf-8 -> [(null)]",
  "all utf8   all=[C] ctype=[C] numeric=[C] cp=0 mbcur=1 point=[.]",
  "set all C -> [C]",
  "back to C  all=[C] ctype=[C] numeric=[C] cp=0 mbcur=1 point=[.]",
  "_wsetlocale query [C]"
];
const LOCALE_UCRT_GOLDEN = [
  "start      all=[C] ctype=[C] numeric=[C] cp=0 mbcur=1 point=[.]",
  "set C -> [C]",
  "set bogus -> [(null)]",
  "set category -1 -> [(null)]",
  "set English_United States.1252 -> [English_United States.1252]",
  "english    all=[English_United States.1252] ctype=[English_United States.1252] numeric=[English_United States.1252] cp=1252 mbcur=1 point=[.]",
  "after bad  all=[C] ctype=[C] numeric=[C] cp=0 mbcur=1 point=[.]",
  "set ctype .UTF8 -> [English_United States.utf8]",
  "ctype utf8 all=[LC_COLLATE=C;LC_CTYPE=English_United States.utf8;LC_MONETARY=C;LC_NUMERIC=C;LC_TIME=C] ctype=[English_United States.utf8] numeric=[C] cp=65001 mbcur=4 point=[.]",
  "set all .utf-8 -> [English_United States.utf8]",
  "all utf8   all=[English_United States.utf8] ctype=[English_United States.utf8] numeric=[English_United States.utf8] cp=65001 mbcur=4 point=[.]",
  "set all C -> [C]",
  "back to C  all=[C] ctype=[C] numeric=[C] cp=0 mbcur=1 point=[.]",
  "_wsetlocale query [C]"
];
describe('C runtime math errors', () => {
  it('matherr.exe: the __setusermatherr handler sees struct _exception and may replace the result (Wine 8 output)', () => {
    const r = run(FIXTURES + 'matherr.exe');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, "sqrt(-1) -> nan errno=33\r\nlog(0) -> -inf errno=34\r\nlog(-1) -> nan errno=33\r\npow(10,400) -> inf errno=0\r\nexp(1000) -> inf errno=34\r\nmatherr type=1 name=acos arg1=2 arg2=0 retval=nan\r\nacos(2) -> 42 errno=0\r\nsqrt(4) -> 2 errno=0 calls=1\r\n");
  });
});

describe('C runtime start-up variables', () => {
  it('pargs_ucrt.exe: __p___argc, __p___argv and __p__environ agree with main (x64 msvcrt.dll has no such exports, as on Windows)', () => {
    const r = run(FIXTURES + 'pargs_ucrt.exe', 'one', 'two words');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'argc=3 argv-match=1 last=[two words] environ-match=1\r\n');
  });
});

describe('C runtime locales', () => {
  for (const [exe, want] of [['locale.exe', LOCALE_GOLDEN], ['locale_ucrt.exe', LOCALE_UCRT_GOLDEN]] as const) {
    it(`${exe}: setlocale categories, queries, invalid names, code-page getters`, () => {
      const r = run(FIXTURES + exe);
      assert.equal(r.stderr, '');
      assert.equal(r.status, 0);
      assert.deepEqual(r.stdout.split('\r\n'), [...want, '']);
    });
  }
});
