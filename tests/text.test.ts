// Text and code pages: kernel32's conversions, NLS queries and FormatMessage, user32's character
// functions. Expected output is what the same programs print under Wine 8 with its default ANSI and
// OEM code pages (1252, 437; winrun is given the same through WINRUN_ACP / WINRUN_OEMCP), except
// the lines marked: there winrun follows Microsoft's documentation, and the comment says how Wine
// differs.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { FIXTURES, WINRUN } from './helpers.js';

const WINE_CODE_PAGES = { WINRUN_ACP: '1252', WINRUN_OEMCP: '437' };

function run(exe: string, env: Record<string, string> = WINE_CODE_PAGES): { status: number | null; lines: string[]; stderr: string } {
  const r = spawnSync(process.execPath, [WINRUN, FIXTURES + exe], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, WINRUN_ACP: '', WINRUN_OEMCP: '', ...env } });
  return { status: r.status, lines: r.stdout.split('\r\n').slice(0, -1), stderr: r.stderr };
}

describe('text and code pages', () => {
  it('textconv.exe: MultiByteToWideChar / WideCharToMultiByte and the code-page queries', () => {
    const r = run('textconv.exe');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.lines, [
      'mb null-src       cp=65001 fl=0 -> 0 err=87 []',
      'mb zero-len       cp=65001 fl=0 -> 0 err=87 []',
      'mb len<-1         cp=65001 fl=0 -> 4 err=57005 [0061 0062 0063 0000]',
      'mb cch<0          cp=65001 fl=0 -> 0 err=87 []',
      'mb bad-cp         cp=12345 fl=0 -> 0 err=87 []',
      'mb utf16-cp       cp=1200 fl=0 -> 0 err=87 []',
      'mb overlap -> 0 err=87', // Windows: src == dst is ERROR_INVALID_PARAMETER (documented); Wine converts
      'mb nul            cp=65001 fl=0 -> 4 err=57005 [0068 00e9 0021 0000]',
      'mb query          cp=65001 fl=0 -> 4 err=57005 []',
      'mb explicit       cp=65001 fl=0 -> 5 err=57005 [0068 00e9 0021 0000 0078]',
      'mb short          cp=65001 fl=0 -> 0 err=122 []',
      'mb exact          cp=65001 fl=0 -> 5 err=57005 [0068 0065 006c 006c 006f]',
      'mb bom-kept       cp=65001 fl=0 -> 2 err=57005 [feff 0058]',
      'mb astral         cp=65001 fl=0 -> 2 err=57005 [d83d de00]',
      'mb lone-cont      cp=65001 fl=0 -> 3 err=57005 [0061 fffd 007a]',
      'mb truncated      cp=65001 fl=0 -> 3 err=57005 [0061 fffd 007a]',
      'mb trunc-end      cp=65001 fl=0 -> 2 err=57005 [0061 fffd]',
      'mb surrogate      cp=65001 fl=0 -> 3 err=57005 [fffd fffd fffd]', // one U+FFFD per maximal subpart (Unicode, WHATWG, Windows 10); Wine 8 gives 2
      'mb overlong       cp=65001 fl=0 -> 5 err=57005 [fffd fffd fffd fffd fffd]', // maximal subparts; Wine 8 gives 4
      'mb too-big        cp=65001 fl=0 -> 4 err=57005 [fffd fffd fffd fffd]', // maximal subparts; Wine 8 gives 3
      'mb ff             cp=65001 fl=0 -> 2 err=57005 [fffd fffd]',
      'mb strict-ok      cp=65001 fl=8 -> 3 err=57005 [006f 006b 00e9]',
      'mb strict-bad     cp=65001 fl=8 -> 0 err=1113 []',
      'mb strict-query   cp=65001 fl=8 -> 0 err=1113 []',
      'mb flag-prec      cp=65001 fl=1 -> 0 err=1004 []', // UTF-8 takes only MB_ERR_INVALID_CHARS (documented); Wine accepts
      'mb flag-glyph     cp=65001 fl=4 -> 0 err=1004 []', // as above
      'mb 1252           cp=1252 fl=0 -> 6 err=57005 [0041 20ac 0081 0178 00e9 00ff]',
      'mb 1252-strict    cp=1252 fl=8 -> 3 err=57005 [0081 008d 0090]',
      'mb 1252-prec      cp=1252 fl=1 -> 1 err=57005 [00e9]',
      'mb 1252-comp      cp=1252 fl=2 -> 5 err=57005 [0065 0301 0041 030a 007a]',
      'mb 1252-both      cp=1252 fl=3 -> 0 err=1004 []', // MB_PRECOMPOSED | MB_COMPOSITE are exclusive (documented); Wine decomposes
      'mb 1253           cp=1253 fl=0 -> 4 err=57005 [0391 f8f9 f8fa f8fb]',
      'mb 1253-strict    cp=1253 fl=8 -> 0 err=1113 []',
      'mb 1250           cp=1250 fl=0 -> 3 err=57005 [0160 0105 010d]',
      'mb 1251           cp=1251 fl=0 -> 3 err=57005 [0410 044f 20ac]',
      'mb 437            cp=437 fl=0 -> 5 err=57005 [00c7 00e9 2591 00df 25a0]',
      'mb 850            cp=850 fl=0 -> 3 err=57005 [00c7 0131 00af]',
      'mb 866            cp=866 fl=0 -> 4 err=57005 [0410 043f 0440 0401]',
      'mb 20127          cp=20127 fl=0 -> 3 err=57005 [0041 0000 0069]',
      'mb 28591          cp=28591 fl=0 -> 3 err=57005 [0080 00e9 00ff]',
      'mb 10000          cp=10000 fl=0 -> 2 err=57005 [00c4 2022]',
      'mb 932            cp=932 fl=0 -> 4 err=57005 [3042 005c ff71 4e9c]',
      'mb 932-single     cp=932 fl=0 -> 3 err=57005 [0080 f8f0 f8f1]',
      'mb 932-badtrail   cp=932 fl=0 -> 2 err=57005 [30fb 007a]',
      'mb 932-lone       cp=932 fl=0 -> 2 err=57005 [0061 30fb]',
      'mb 932-lead-nul   cp=932 fl=0 -> 3 err=57005 [30fb 0000 0061]',
      'mb 932-strict     cp=932 fl=8 -> 0 err=1113 []',
      'mb 932-nul        cp=932 fl=0 -> 2 err=57005 [3042 0000]',
      'mb 936            cp=936 fl=0 -> 3 err=57005 [4e2d 6587 20ac]',
      'mb 936-lone       cp=936 fl=0 -> 1 err=57005 [003f]',
      'mb 949            cp=949 fl=0 -> 2 err=57005 [d55c ae00]',
      'mb 950            cp=950 fl=0 -> 2 err=57005 [4e2d 6587]',
      'mb utf7           cp=65000 fl=0 -> 4 err=57005 [0041 2262 0391 002e]',
      'mb utf7-flags     cp=65000 fl=8 -> 0 err=1004 []',
      'mb acp            cp=0 fl=0 -> 1 err=57005 [00e9]',
      'mb oemcp          cp=1 fl=0 -> 1 err=57005 [00e9]',
      'mb thread-acp     cp=3 fl=0 -> 1 err=57005 [00e9]',
      'wc null-src       cp=65001 fl=0 -> 0 err=87 used=7 []',
      'wc zero-len       cp=65001 fl=0 -> 0 err=87 used=7 []',
      'wc len<-1         cp=65001 fl=0 -> 5 err=57005 used=7 [68 c3 a9 21 00]',
      'wc cb<0           cp=65001 fl=0 -> 0 err=87 used=7 []',
      'wc bad-cp         cp=12345 fl=0 -> 0 err=87 used=7 []',
      'wc nul            cp=65001 fl=0 -> 5 err=57005 used=7 [68 c3 a9 21 00]',
      'wc query          cp=65001 fl=0 -> 5 err=57005 used=7 []',
      'wc short          cp=65001 fl=0 -> 0 err=122 used=7 []',
      'wc astral         cp=65001 fl=0 -> 4 err=57005 used=7 [f0 9f 98 80]',
      'wc lone           cp=65001 fl=0 -> 8 err=57005 used=7 [61 ef bf bd 62 ef bf bd]',
      'wc lone-strict    cp=65001 fl=80 -> 0 err=1113 used=7 []',
      'wc utf8-defchar   cp=65001 fl=0 -> 0 err=87 used=7 []', // lpDefaultChar must be NULL for UTF-8 (documented); Wine ignores it
      'wc utf8-used      cp=65001 fl=0 -> 0 err=87 used=7 []', // lpUsedDefaultChar must be NULL for UTF-8 (documented); Wine sets it
      'wc utf8-composite cp=65001 fl=200 -> 0 err=1004 used=7 []', // UTF-8 takes only WC_ERR_INVALID_CHARS (documented); Wine accepts
      'wc utf8-nobestfit cp=65001 fl=400 -> 0 err=1004 used=7 []', // as above
      'wc 1252           cp=1252 fl=0 -> 4 err=57005 used=1 [41 80 3f e9]',
      'wc 1252-nobestfit cp=1252 fl=400 -> 4 err=57005 used=1 [3f 80 3f e9]',
      'wc 1252-defchar   cp=1252 fl=0 -> 4 err=57005 used=1 [41 80 2a e9]',
      'wc 1252-mapped    cp=1252 fl=0 -> 3 err=57005 used=0 [68 e9 21]',
      'wc 1252-errflag   cp=1252 fl=80 -> 0 err=1004 used=7 []', // WC_ERR_INVALID_CHARS is for UTF-8 and 54936 only (documented); Wine accepts
      'wc 1252-compcheck cp=1252 fl=200 -> 2 err=57005 used=0 [e9 78]',
      'wc 1252-discardns cp=1252 fl=210 -> 2 err=57005 used=0 [e9 78]',
      'wc 1252-nocheck   cp=1252 fl=0 -> 3 err=57005 used=0 [65 b4 78]',
      'wc 437            cp=437 fl=0 -> 4 err=57005 used=1 [41 3f 3f 82]',
      'wc 20127          cp=20127 fl=0 -> 4 err=57005 used=1 [41 3f 3f 65]',
      'wc 28591          cp=28591 fl=0 -> 4 err=57005 used=1 [41 3f 3f e9]',
      'wc 866            cp=866 fl=0 -> 2 err=57005 used=0 [80 ef]',
      'wc 932            cp=932 fl=0 -> 5 err=57005 used=1 [82 a0 5c 5c 3f]',
      'wc 932-nobestfit  cp=932 fl=400 -> 5 err=57005 used=1 [82 a0 5c 3f 3f]',
      'wc 932-short      cp=932 fl=0 -> 0 err=122 used=7 []',
      'wc 936            cp=936 fl=0 -> 3 err=57005 used=0 [d6 d0 80]',
      'wc 949            cp=949 fl=0 -> 2 err=57005 used=0 [c7 d1]',
      'wc 950            cp=950 fl=0 -> 2 err=57005 used=0 [a4 a4]',
      'wc utf7           cp=65000 fl=0 -> 10 err=57005 used=7 [41 2b 49 6d 49 44 6b 51 2d 2e]',
      'wc utf7-direct    cp=65000 fl=0 -> 18 err=57005 used=7 [48 69 20 2d 2b 4a 6a 6f 2d 2d 2b 41 43 45 2d 2b 2d 61]',
      'mb utf7-plus      cp=65000 fl=0 -> 4 err=57005 [002b 0061 0078 263a]',
      'wc acp            cp=0 fl=0 -> 3 err=57005 used=7 [68 e9 21]',
      'wc oemcp          cp=1 fl=0 -> 3 err=57005 used=7 [68 82 21]',
      'cpinfo 0 valid=0 info=1 err=57005 max=1 def=3f00 lead= ex: cp=1252 uni=003f',
      'cpinfo 1 valid=0 info=1 err=57005 max=1 def=3f00 lead= ex: cp=437 uni=003f',
      'cpinfo 2 valid=0 info=1 err=57005 max=1 def=3f00 lead= ex: cp=10000 uni=003f',
      'cpinfo 3 valid=0 info=1 err=57005 max=1 def=3f00 lead= ex: cp=1252 uni=003f',
      'cpinfo 437 valid=1 info=1 err=57005 max=1 def=3f00 lead= ex: cp=437 uni=003f',
      'cpinfo 850 valid=1 info=1 err=57005 max=1 def=3f00 lead= ex: cp=850 uni=003f',
      'cpinfo 866 valid=1 info=1 err=57005 max=1 def=3f00 lead= ex: cp=866 uni=003f',
      'cpinfo 932 valid=1 info=1 err=57005 max=2 def=3f00 lead=819fe0fc ex: cp=932 uni=30fb',
      'cpinfo 936 valid=1 info=1 err=57005 max=2 def=3f00 lead=81fe ex: cp=936 uni=003f',
      'cpinfo 949 valid=1 info=1 err=57005 max=2 def=3f00 lead=81fe ex: cp=949 uni=003f',
      'cpinfo 950 valid=1 info=1 err=57005 max=2 def=3f00 lead=81fe ex: cp=950 uni=003f',
      'cpinfo 1250 valid=1 info=1 err=57005 max=1 def=3f00 lead= ex: cp=1250 uni=003f',
      'cpinfo 1251 valid=1 info=1 err=57005 max=1 def=3f00 lead= ex: cp=1251 uni=003f',
      'cpinfo 1252 valid=1 info=1 err=57005 max=1 def=3f00 lead= ex: cp=1252 uni=003f',
      'cpinfo 20127 valid=1 info=1 err=57005 max=1 def=3f00 lead= ex: cp=20127 uni=003f',
      'cpinfo 28591 valid=1 info=1 err=57005 max=1 def=3f00 lead= ex: cp=28591 uni=003f',
      'cpinfo 65000 valid=1 info=1 err=57005 max=5 def=3f00 lead= ex: cp=65000 uni=fffd',
      'cpinfo 65001 valid=1 info=1 err=57005 max=4 def=3f00 lead= ex: cp=65001 uni=fffd',
      'cpinfo 1200 valid=0 info=0 err=87',
      'cpinfo 12345 valid=0 info=0 err=87',
      'acp=1252 oemcp=437',
      'lead 932: 81=1 9f=1 a0=0 e0=1 fc=1 fd=0; 1252: 81=0; 65001: c3=0; 936: 81=1 fe=1 ff=0',
      'lead bad-cp=0 err=87; acp lead 81=0',
      'bad pointers: mb 0 err=87 wc 0 err=87', // winrun only: Windows and Wine fault; the fixture skips this under Wine
    ]);
  });
  it('nlsstr.exe: lstr*, CompareString*, LCMapString*, GetStringType* and en-US locale data', () => {
    const r = run('nlsstr.exe');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.lines, [
      'lstrlenA 5 0 lstrlenW 2 0',
      'lstrcpynA [abc] same=1 n=0 ret=1 n=1 []',
      'lstrcpynW len=2 last=b',
      'lstrcpy/cat [1234] W len=4',
      'lstrcmp [a] [B] -1 -1',
      'lstrcmp [a] [A] -1 0',
      'lstrcmp [A] [a] 1 0',
      'lstrcmp [abc] [abcd] -1 -1',
      'lstrcmp [abc] [ABC] -1 0',
      'lstrcmp [co-op] [coop] 1 1',
      'lstrcmp [coop] [co-op] -1 -1',
      'lstrcmp [co-op] [cop] -1 -1',
      'lstrcmp [a-b] [a b] 1 1',
      'lstrcmp [10] [9] -1 -1',
      'lstrcmp [_] [a] -1 -1',
      'lstrcmp [] [a] -1 -1',
      'lstrcmp [\\xe9] [f] -1 -1',
      'lstrcmp [e] [\\xe9] -1 -1',
      'lstrcmp [Z] [a] 1 1',
      'lstrcmp [a\'b] [ab] 1 1',
      'lstrcmp NULL: -1 1 0; W -1 0',
      'CompareStringA 0 [apple] [Apple] <',
      'CompareStringA 1 [apple] [APPLE] =',
      'CompareStringA 2 [r\\xe9sum\\xe9] [resume] =',
      'CompareStringA 4 [a.b,c] [abc] =',
      'CompareStringA 1000 [co-op] [coop] <',
      'CompareStringA 8 [file10] [file9] >', // SORT_DIGITSASNUMBERS exists since Windows 7; Wine 8 rejects it
      'CompareStringA 0 [file10] [file9] <',
      'CompareStringA 80000000 [a] [b] fail err=1004',
      'CompareStringW 7f 1 =',
      'CompareStringW 409 0 =',
      'CompareStringW 409 0 =',
      'CompareStringW 409 0 fail err=87',
      'CompareStringW 12345678 0 fail err=87',
      'CompareStringW 409 0 <',
      'CompareStringEx = bad-name fail err=87 null-name <',
      'CompareStringOrdinal > < = = < null fail err=87',
      'LCMapStringW 200 -> 10 err=0 [0053 0054 0052 0041 00df 0045 0020 00c9 0131 0000]',
      'LCMapStringW 100 -> 3 err=0 [00e9 0130 0078]',
      'LCMapStringW 200 -> 3 err=0 []',
      'LCMapStringW 200 -> 0 err=122 []',
      'LCMapStringW 300 -> 0 err=1004 []',
      'LCMapStringW 200 -> 0 err=87 []',
      'LCMapStringW 1000100 -> 3 err=0 [0061 0062 0063]',
      'LCMapStringW in place 6 [mixed]',
      'LCMapStringA 4 [ABC] LCMapStringEx 4 [XYZ]',
      'GetStringTypeW 1 1 1: 0041=381/1/8040 007a=302/1/8040 0035=284/3/0040 0020=248/a/0048 0009=268/9/0008 000a=228/8/0008 0021=210/b/0048 005f=210/b/0448 007f=220/0/0000 00e9=302/1/8003 00c9=301/1/8003 00b2=214/3/0000 00a0=248/7/0008 0660=204/6/0000 4e2d=300/1/8100 0301=200/b/0003 2028=208/a/0000 0066=382/1/8040 0067=302/1/8040',
      'GetStringTypeW two types 0 err=87 empty 1 err=87',
      'GetStringTypeA 1 382 284 248 302 ExW 1 301',
      'lcid user=409 system=409 thread=409 langid=409',
      'GetUserDefaultLocaleName 6 [en-US] short 0 err=122',
      'LocaleNameToLCID 409 409 409 7f bad 0 err=87',
      'LCIDToLocaleName 6 [en-US] query 6 invariant 1 [] short 0 err=122',
      'info 400 1 w=5 [0409] a=5',
      'info 400 2 w=24 [English (United States)] a=24',
      'info 400 1001 w=8 [English] a=8',
      'info 400 3 w=4 [ENU] a=4',
      'info 400 4 w=8 [English] a=8',
      'info 400 5 w=2 [1] a=2',
      'info 400 6 w=14 [United States] a=14',
      'info 400 1002 w=14 [United States] a=14',
      'info 400 7 w=4 [USA] a=4',
      'info 400 8 w=14 [United States] a=14',
      'info 400 9 w=5 [0409] a=5',
      'info 400 a w=2 [1] a=2',
      'info 400 b w=4 [437] a=4',
      'info 400 1004 w=5 [1252] a=5',
      'info 400 1011 w=6 [10000] a=6',
      'info 400 c w=2 [,] a=2',
      'info 400 d w=2 [1] a=2',
      'info 400 e w=2 [.] a=2',
      'info 400 f w=2 [,] a=2',
      'info 400 10 w=4 [3;0] a=4',
      'info 400 11 w=2 [2] a=2',
      'info 400 12 w=2 [1] a=2',
      'info 400 1010 w=2 [1] a=2',
      'info 400 13 w=11 [0123456789] a=11',
      'info 400 14 w=2 [$] a=2',
      'info 400 15 w=4 [USD] a=4',
      'info 400 16 w=2 [.] a=2',
      'info 400 17 w=2 [,] a=2',
      'info 400 18 w=4 [3;0] a=4',
      'info 400 19 w=2 [2] a=2',
      'info 400 1b w=2 [0] a=2',
      'info 400 1c w=2 [0] a=2',
      'info 400 1d w=2 [/] a=2',
      'info 400 1e w=2 [:] a=2',
      'info 400 1f w=9 [M/d/yyyy] a=9',
      'info 400 20 w=19 [dddd, MMMM d, yyyy] a=19',
      'info 400 1003 w=11 [h:mm:ss tt] a=11',
      'info 400 21 w=2 [0] a=2',
      'info 400 22 w=2 [0] a=2',
      'info 400 23 w=2 [0] a=2',
      'info 400 1005 w=2 [0] a=2',
      'info 400 24 w=2 [1] a=2',
      'info 400 25 w=2 [0] a=2',
      'info 400 26 w=2 [0] a=2',
      'info 400 27 w=2 [0] a=2',
      'info 400 28 w=3 [AM] a=3',
      'info 400 29 w=3 [PM] a=3',
      'info 400 2a w=7 [Monday] a=7',
      'info 400 30 w=7 [Sunday] a=7',
      'info 400 31 w=4 [Mon] a=4',
      'info 400 37 w=4 [Sun] a=4',
      'info 400 38 w=8 [January] a=8',
      'info 400 43 w=9 [December] a=9',
      'info 400 44 w=4 [Jan] a=4',
      'info 400 4f w=4 [Dec] a=4',
      'info 400 100e w=1 [] a=1',
      'info 400 50 w=1 [] a=1',
      'info 400 51 w=2 [-] a=2',
      'info 400 52 w=2 [3] a=2',
      'info 400 53 w=2 [0] a=2',
      'info 400 54 w=2 [1] a=2',
      'info 400 55 w=2 [0] a=2',
      'info 400 56 w=2 [1] a=2',
      'info 400 57 w=2 [0] a=2',
      'info 400 59 w=3 [en] a=3',
      'info 400 5a w=3 [US] a=3',
      'info 400 5c w=6 [en-US] a=6',
      'info 400 100c w=2 [6] a=2',
      'info 400 100d w=2 [0] a=2',
      'info 400 1007 w=10 [US Dollar] a=10',
      'info 400 1008 w=10 [US Dollar] a=10',
      'info 400 1006 w=10 [MMMM yyyy] a=10',
      'info 400 100a w=2 [1] a=2',
      'info 400 1009 w=2 [1] a=2',
      'info 400 79 w=8 [h:mm tt] a=8', // Wine's GetLocaleInfoA returns 0 for LOCALE_SSHORTTIME
      'info 400 72 w=24 [English (United States)] a=24',
      'info 400 73 w=24 [English (United States)] a=24',
      'info 400 6d w=3 [en] a=3',
      'info 400 67 w=4 [eng] a=4',
      'info 400 68 w=4 [USA] a=4',
      'info 400 76 w=2 [%] a=2',
      'info 400 69 w=4 [NaN] a=4',
      'info 400 9999 w=0 err=1004 a=0 (differs)',
      'info 409 5c w=6 [en-US] a=6',
      'info 800 e w=2 [.] a=2',
      'info 7f 5c w=1 [] a=1',
      'info 7f 1001 w=19 [Invariant Language] a=19',
      'info 12345678 5c w=0 err=87 a=0 (differs)',
      'RETURN_NUMBER W 2 1252 A 4 2 string 0 err=1004',
      'query 2 short 0 err=122 nooverride 2 [.] Ex 2 [,] Ex default 6 [en-US]',
    ]);
  });
  it('user32text.exe: CharUpper/CharLower, CharNext/CharPrev, IsChar*, wsprintf', () => {
    const r = run('user32text.exe');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.lines, [
      'CharUpperA [HELLO, W\\xd6RLD \\xc9] same=1 CharLowerA [hello, w\\xf6rld \\xe9]',
      'CharUpperA char 51 c9 CharLowerA char 71',
      'CharUpperW [MIXED \\u00c9\\u00df] same=1 CharLowerW [mixed \\u00e9\\u00df]',
      'CharUpperW char 5a 391 CharLowerW char 3c3',
      'CharUpperBuffA 3 [ABCdef] zero 0 CharLowerBuffW 4 [abcdEF] CharUpperBuffW 6 [ABCDEF]',
      'CharNextA 1 2 1 CharPrevA at start 0',
      'CharNextW 2 3 3 CharPrevW 0 0', // CharNextW steps over combining marks (documented: a + U+030A advances two); Wine gives 1
      'IsCharA: 61=1101 5a=1110 35=0100 20=0000 21=0000 e9=1101 c9=1110',
      'IsCharW: 0061=1101 005a=1110 0035=0100 0020=0000 03b1=1101 4e2d=1100 0660=0100 2160=1100',
      'wsprintfA 42 [-42|   ab|z   |ff|4000000000|wide|%|007|xy]',
      'wsprintfW 22 [wide+narrow=10 BEEF Wn]',
      'wsprintfA long 1024 len=1023',
    ]);
  });
  it('fmtmsg.exe: FormatMessage from the system table and from strings; LocalAlloc', () => {
    const r = run('fmtmsg.exe');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.lines, [
      // The system messages are Microsoft's texts (winerror.h, "System Error Codes"); Wine 8
      // has shorter ones of its own ("File not found." for 2).
      'system 0     39 [The operation completed successfully.\\r\\n]',
      'system 2     44 [The system cannot find the file specified.\\r\\n]',
      'system 3     44 [The system cannot find the path specified.\\r\\n]',
      'system 5     19 [Access is denied.\\r\\n]',
      'system 6     24 [The handle is invalid.\\r\\n]',
      'system 8     68 [Not enough memory resources are available to process this command.\\r\\n]',
      'system 87    29 [The parameter is incorrect.\\r\\n]',
      'system 122   53 [The data area passed to a system call is too small.\\r\\n]',
      'system 183   53 [Cannot create a file when that file already exists.\\r\\n]',
      'system 80    18 [The file exists.\\r\\n]',
      'system 145   29 [The directory is not empty.\\r\\n]',
      'system 32    81 [The process cannot access the file because it is being used by another process.\\r\\n]',
      'system 38    30 [Reached the end of the file.\\r\\n]',
      'system 109   26 [The pipe has been ended.\\r\\n]',
      'system 18    26 [There are no more files.\\r\\n]',
      'system 234   25 [More data is available.\\r\\n]',
      'system 126   42 [The specified module could not be found.\\r\\n]',
      'system 127   45 [The specified procedure could not be found.\\r\\n]',
      'system 123   68 [The filename, directory name, or volume label syntax is incorrect.\\r\\n]',
      'system 112   40 [There is not enough space on the disk.\\r\\n]',
      'system 1     21 [Incorrect function.\\r\\n]',
      'system 13    22 [The data is invalid.\\r\\n]',
      'system 14    61 [Not enough storage is available to complete this operation.\\r\\n]',
      'system 50    31 [The request is not supported.\\r\\n]',
      'system 120   48 [This function is not supported on this system.\\r\\n]',
      'system 203   68 [The system could not find the environment option that was entered.\\r\\n]',
      'system 267   32 [The directory name is invalid.\\r\\n]',
      'system 998   36 [Invalid access to memory location.\\r\\n]',
      'system 1004  16 [Invalid flags.\\r\\n]',
      'system 1113  81 [No mapping for the Unicode character exists in the target multi-byte code page.\\r\\n]',
      'unknown id 0 err=317',
      'small buffer 0 err=122',
      'W system 5 19 [Access is denied.]', // Microsoft's text
      'width 20     84 [The process cannot\\r\\naccess the file\\r\\nbecause it is being\\r\\nused by another\\r\\nprocess. ]', // Microsoft's text, wrapped
      'max width    18 [Access is denied. ]', // Microsoft's text
      'plain        11 [hello world]',
      'inserts      11 [two one one]',
      'printf       44 [[42] [-7] [1234] [00001234] [one   ] [    t]]',
      'escapes      18 [a%b\\r\\nc\\rd\\te.f!g h i]', // %b is a space (documented); Wine writes 'b'
      'percent0     4 [stop]',
      'newlines     29 [one\\r\\ntwo\\r\\nthree\\r\\nfour\\r\\n\\r\\nfive]',
      'ignore       15 [%1 %2!d! %% \\r\\n ]',
      'trailing %   0 err=87',
      'no args      0 err=87',
      'insert 0x    6 [onetwo]',
      'star         12 [[    ab] [9]]',
      'width        47 [the quick\\r\\nbrown fox\\r\\njumps\\r\\nover the\\r\\nlazy dog]',
      'width hard   34 [short\\r\\nline and\\r\\nmore\\r\\nwords\\r\\nhere]',
      'max mask     9 [a b\\r\\nc  d]',
      'va_list      7 [va-99-Z]',
      'allocate 9 [alloc one] size>=10 1 free=0000000000000000',
      'allocate W 11 [W wide wide] size>=24 1',
      'allocate min 1 size>=100 1',
      'short 0 err=122',
      'empty 0 err=235',
      'no source flag 0 err=87',
      'LocalAlloc zero=1 size=64 realloc=128 kept=1 free=0000000000000000 free NULL=0000000000000000',
    ]);
  });
  it('the ANSI and OEM code pages are UTF-8 unless WINRUN_ACP / WINRUN_OEMCP say otherwise', () => {
    const utf8 = run('textconv.exe', {});
    assert.equal(utf8.status, 0, utf8.stderr);
    const line = (r: { lines: string[] }, prefix: string): string | undefined => r.lines.find((l) => l.startsWith(prefix));
    assert.equal(line(utf8, 'acp='), 'acp=65001 oemcp=65001');
    assert.equal(line(utf8, 'mb acp '), 'mb acp            cp=0 fl=0 -> 1 err=57005 [fffd]');
    assert.equal(line(utf8, 'wc acp '), 'wc acp            cp=0 fl=0 -> 4 err=57005 used=7 [68 c3 a9 21]');
    assert.equal(line(utf8, 'cpinfo 0 '), 'cpinfo 0 valid=0 info=1 err=57005 max=4 def=3f00 lead= ex: cp=65001 uni=fffd');
    const sjis = run('textconv.exe', { WINRUN_ACP: '932', WINRUN_OEMCP: '932' });
    assert.equal(line(sjis, 'acp='), 'acp=932 oemcp=932');
    assert.equal(line(sjis, 'lead bad-cp'), 'lead bad-cp=0 err=87; acp lead 81=1');
    const bad = run('textconv.exe', { WINRUN_ACP: 'latin1' });
    assert.equal(bad.status, 0);
    assert.equal(bad.stderr, 'err:nls:process WINRUN_ACP=latin1 is not a code page winrun supports; using 65001 (UTF-8)\n');
    assert.equal(line(bad, 'acp='), 'acp=65001 oemcp=65001');
  });
});
