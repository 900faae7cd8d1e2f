// Programs run natively under `winrun PROG.exe`, each in a child process so that one crash
// fails one test. Expected output is what the same fixtures print under Wine 8 (checked when
// the fixtures were written; msvcrt writes CR LF in text mode, to pipes too).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { FIXTURES, ROOT, WINRUN, runGuest, wineOutput, type GuestRun } from './helpers.js';

const run = (exe: string, ...args: string[]): GuestRun => runGuest(exe, args);

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
  const wine = wineOutput(name);
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
  it('examples/exceptions.exe, the C++ exceptions demo', () => {
    const r = run(ROOT + 'examples/exceptions.exe', '12', 'x7');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, '  (leaving digits)\r\n  (leaving parse)\r\n12: 12\r\n  (leaving digits)\r\n  (leaving parse)\r\nx7: caught not a number: x7\r\n');
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
      assert.deepEqual(lines('scanf.exe'), expectedScanf('scanf', 'msvcrt'));
    });
    it('ucrtbase.dll: __stdio_common_vsscanf and __stdio_common_vswscanf with their options', () => {
      assert.deepEqual(lines('scanf_ucrt.exe'), expectedScanf('scanf_ucrt', 'ucrt'));
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
