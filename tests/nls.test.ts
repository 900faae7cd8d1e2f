// The pure parts of kernel32's text support: code-page conversion rules, start-up settings,
// comparison, case mapping, character types and FormatMessage's expansion. The fixtures in
// text.test.ts check the same behaviour end to end against Wine.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ctype1, toLowerUnit, toUpperUnit } from '../src/dlls/kernel32/chartype.js';
import { codePageName, codePagesFromEnvironment, decodeBytes, encodeUnits, findCodePage, MB_COMPOSITE, MB_ERR_INVALID_CHARS, WC_NO_BEST_FIT_CHARS } from '../src/dlls/kernel32/codepages.js';
import { compareOrdinal, compareStrings } from '../src/dlls/kernel32/collation.js';
import { expandMessage } from '../src/dlls/kernel32/format.js';
import { mapUnits } from '../src/dlls/kernel32/lcmap.js';
import { localeValue } from '../src/dlls/kernel32/locale.js';

const units = (s: string): Uint16Array => Uint16Array.from(s, (c) => c.charCodeAt(0));
const page = (id: number) => findCodePage(id)!;
const decode = (id: number, bytes: number[], flags = 0) => decodeBytes(page(id), Uint8Array.from(bytes), flags);
const encode = (id: number, s: string, flags = 0) => encodeUnits(page(id), units(s), { flags });
const hex = (r: { ok: boolean; value?: Uint8Array | Uint16Array }): string => (r.ok && r.value ? [...r.value].map((x) => x.toString(16)).join(' ') : 'error');

describe('code pages', () => {
  it('name themselves the way GetCPInfoEx does', () => {
    assert.equal(codePageName(page(1252)), '1252  (ANSI - Latin I)');
    assert.equal(codePageName(page(437)), '437   (OEM - United States)');
    assert.equal(codePageName(page(65001)), '65001 (UTF-8)');
  });
  it('map bytes the tables leave undefined as Windows does: C1 controls, then private use', () => {
    assert.equal(hex(decode(1252, [0x81, 0x8d])), '81 8d');
    assert.equal(hex(decode(1255, [0xd9, 0xfb])), 'f88d f894');
    assert.equal(hex(decode(1255, [0xd9], MB_ERR_INVALID_CHARS)), 'error');
    assert.equal(hex(decode(20127, [0xe9])), '69');
  });
  it('decode DBCS pairs whole, with the default character for a bad pair or a lone lead byte', () => {
    assert.equal(hex(decode(932, [0x82, 0xa0, 0x82, 0x7f, 0x82])), '3042 30fb 30fb');
    assert.equal(hex(decode(936, [0xd6])), '3f');
    assert.equal(hex(decode(1252, [0xe9], MB_COMPOSITE)), '65 301');
  });
  it('replace each maximal ill-formed UTF-8 subpart with one U+FFFD and keep a BOM', () => {
    assert.equal(hex(decode(65001, [0xe2, 0x82, 0x41, 0xf0, 0x80])), 'fffd 41 fffd fffd');
    assert.equal(hex(decode(65001, [0xef, 0xbb, 0xbf])), 'feff');
  });
  it('best-fit unmappable characters unless asked not to, and report the default character', () => {
    const fit = encode(1252, '\u0100\uff21\u4e2d');
    assert.equal(hex(fit), '41 41 3f');
    assert.equal(fit.ok && fit.usedDefault, true);
    assert.equal(hex(encode(1252, '\u0100', WC_NO_BEST_FIT_CHARS)), '3f');
    assert.equal(hex(encode(932, '\u00a5')), '5c');
    assert.equal(hex(encode(932, '\u00a5', WC_NO_BEST_FIT_CHARS)), '3f');
  });
  it('encode UTF-7 with "+-" for a plus sign', () => {
    assert.equal(new TextDecoder().decode((encode(65000, 'a+b') as { value: Uint8Array }).value), 'a+-b');
  });
  it('come from WINRUN_ACP / WINRUN_OEMCP at start-up, UTF-8 otherwise', () => {
    assert.deepEqual(codePagesFromEnvironment(new Map()), { ansi: 65001, oem: 65001, problems: [] });
    assert.deepEqual(codePagesFromEnvironment(new Map([['WINRUN_ACP', '1252'], ['WINRUN_OEMCP', '850']])), { ansi: 1252, oem: 850, problems: [] });
    const bad = codePagesFromEnvironment(new Map([['WINRUN_ACP', '65000']]));
    assert.equal(bad.ansi, 65001);
    assert.match(bad.problems[0]!, /WINRUN_ACP=65000 is not a code page winrun supports/);
  });
});

describe('comparison', () => {
  it('sorts lower case first and ignores hyphens and apostrophes except to break ties (word sort)', () => {
    assert.equal(compareStrings('a', 'A', 0), -1);
    assert.equal(compareStrings('co-op', 'coop', 0), 1);
    assert.equal(compareStrings('co-op', 'cop', 0), -1);
    assert.equal(compareStrings('co-op', 'coop', 0x1000), -1);
    assert.equal(compareStrings('APPLE', 'apple', 1), 0);
    assert.equal(compareStrings('file10', 'file9', 8), 1);
  });
  it('compares ordinally by code unit, optionally through simple upper case', () => {
    assert.equal(compareOrdinal(units('a'), units('B'), false), 1);
    assert.equal(compareOrdinal(units('a'), units('B'), true), -1);
    assert.equal(compareOrdinal(units('\u00e9'), units('\u00c9'), true), 0);
  });
});

describe('case and character types', () => {
  it('map one code unit to one, leaving ß, ı and ſ alone', () => {
    assert.equal(toUpperUnit(0xe9), 0xc9);
    assert.equal(toUpperUnit(0xdf), 0xdf);
    assert.equal(toUpperUnit(0x131), 0x131);
    assert.equal(toUpperUnit(0x17f), 0x17f);
    assert.equal(toLowerUnit(0x130), 0x130);
    assert.deepEqual([...mapUnits(units('Stra\u00dfe'), 0x200)!], [...units('STRA\u00dfE')]);
    assert.equal(mapUnits(units('x'), 0x300), undefined, 'LCMAP_TITLECASE is not implemented');
  });
  it('classify characters as CT_CTYPE1 does', () => {
    assert.equal(ctype1(0x41), 0x381);
    assert.equal(ctype1(0x09), 0x268);
    assert.equal(ctype1(0xb2), 0x214);
    assert.equal(ctype1(0x4e2d), 0x300);
  });
  it('know en-US and the invariant locale', () => {
    assert.equal(localeValue('en-US', 0x5c), 'en-US');
    assert.equal(localeValue('invariant', 0x5c), '');
    assert.equal(localeValue('invariant', 0x0e), '.');
    assert.equal(localeValue('en-US', 0x9999), undefined);
  });
});

describe('FormatMessage expansion', () => {
  const args = ['zero', 'one', 'two'];
  const expand = (t: string, maxWidth = 0, ignoreInserts = false): string | undefined =>
    expandMessage(t, { ignoreInserts, maxWidth, insert: (n, spec) => `${args[n]}${spec === 's' ? '' : `/${spec}`}` });
  it('inserts, escapes and line breaks', () => {
    assert.equal(expand('%2 %1!d! %% %n%t%b%.%0 after'), 'two one/d % \r\n\t .');
    assert.equal(expand('a\nb\rc\r\nd'), 'a\r\nb\r\nc\r\nd');
    assert.equal(expand('%1 %2!x!', 0, true), '%1 %2!x!');
    assert.equal(expand('50%'), undefined);
  });
  it('wraps at the last space before the width and drops regular line breaks', () => {
    assert.equal(expand('the quick brown fox jumps over', 10), 'the quick\r\nbrown fox\r\njumps\r\nover');
    assert.equal(expand('a\r\nb%nc', 0xff), 'a b\r\nc');
  });
});
