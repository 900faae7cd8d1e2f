// The printf engine of msvcrt.dll / ucrtbase.dll (src/dlls/msvcrt/printf.ts).
//
// The expected strings in NARROW and WIDE were produced by msvcrt.dll and ucrtbase.dll under
// Wine 8.0: each case was formatted by msvcrt's _vsnprintf/_vsnwprintf (`m`) and by ucrtbase's
// __stdio_common_vsprintf (options 0) / __stdio_common_vswprintf (LEGACY_WIDE_SPECIFIERS) (`u`,
// given only where it differs from `m`), called through GetProcAddress from a mingw-w64 program
// that passed the arguments as raw 8-byte slots. INVALID: the CRT reported an invalid parameter
// (EINVAL, -1). `n`: the value %n stored (always as a 4-byte int). `latin1`: the case depends on
// the narrow/wide conversion, so it runs with a Latin-1 one like the CRT's "C" locale.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  formatNarrow, formatWide, PrintfInvalidParameter, type FormatEnv, type FormatOptions,
} from '../src/dlls/msvcrt/printf.js';

type Arg = number | bigint | { f: number } | { bits: bigint } | { s: string } | { w: string } | 'n';
const d = (f: number): Arg => ({ f });
const bits = (b: bigint): Arg => ({ bits: b });
const s = (str: string): Arg => ({ s: str });
const w = (str: string): Arg => ({ w: str });
const N: Arg = 'n';
const INVALID = Symbol('invalid parameter');

interface Case {
  f: string;
  a?: Arg[];
  m: string | typeof INVALID;
  u?: string | typeof INVALID;
  n?: number;
  latin1?: boolean;
}

interface Store {
  ptr: bigint;
  size: number;
  value: bigint;
}

const N_TARGET = 0x7000n;

/** The UTF-16 code units of a string (one per unit, surrogates included). */
function utf16(str: string): Uint16Array {
  return Uint16Array.from({ length: str.length }, (_, i) => str.charCodeAt(i));
}

function text(units: Uint8Array | Uint16Array): string {
  let out = '';
  for (const u of units) out += String.fromCharCode(u);
  return out;
}

/**
 * A FormatEnv over `args`. Strings live in a fake byte memory (wide ones as UTF-16LE), so a
 * string read with the wrong width behaves as it does on Windows. Records %n stores and slot reads.
 */
function makeEnv(args: readonly Arg[]): { env: FormatEnv; stores: Store[]; used: () => number } {
  const memory = new Map<bigint, Uint8Array>();
  let nextAddress = 0x10000n;
  const slots = args.map((a): bigint => {
    if (typeof a === 'number' || typeof a === 'bigint') return BigInt.asUintN(64, BigInt(a));
    if (a === 'n') return N_TARGET;
    if ('f' in a) {
      const view = new DataView(new ArrayBuffer(8));
      view.setFloat64(0, a.f, true);
      return view.getBigUint64(0, true);
    }
    if ('bits' in a) return a.bits;
    const bytes = 's' in a ? new TextEncoder().encode(a.s) : new Uint8Array(utf16(a.w).buffer);
    const block = new Uint8Array(bytes.length + 4); // NUL-terminated whichever width reads it
    block.set(bytes);
    const address = nextAddress;
    nextAddress += 0x1000n;
    memory.set(address, block);
    return address;
  });
  const block = (ptr: bigint): Uint8Array => {
    const m = memory.get(ptr);
    if (!m) throw new RangeError(`bad pointer 0x${ptr.toString(16)}`);
    return m;
  };
  let index = 0;
  const stores: Store[] = [];
  const env: FormatEnv = {
    next() {
      // Past the arguments the stack holds whatever it holds; zero is as good as anything.
      return index < slots.length ? slots[index++]! : (index++, 0n);
    },
    cstring(ptr) {
      const m = block(ptr);
      return m.slice(0, m.indexOf(0));
    },
    wstring(ptr) {
      const m = block(ptr);
      const units = new Uint16Array(m.buffer, 0, m.length >> 1);
      return units.slice(0, units.indexOf(0));
    },
    store(ptr, size, value) {
      stores.push({ ptr, size, value });
    },
  };
  return { env, stores, used: () => index };
}

const latin1Options: FormatOptions = {
  narrowToWide: (bytes) => Uint16Array.from(bytes),
  wideToNarrow: (units) => {
    if (units.some((u) => u > 0xff)) throw new RangeError('not Latin-1');
    return Uint8Array.from(units);
  },
};

function narrowText(fmt: string, args: readonly Arg[], opts?: FormatOptions): string {
  return text(formatNarrow(Uint8Array.from(utf16(fmt)), makeEnv(args).env, opts));
}

function wideText(fmt: string, args: readonly Arg[], opts?: FormatOptions): string {
  return text(formatWide(utf16(fmt), makeEnv(args).env, opts));
}

/** Checks one table case; returns a description of the mismatch, or undefined. */
function check(c: Case, wide: boolean, msvcrt: boolean): string | undefined {
  const expected = msvcrt ? c.m : c.u ?? c.m;
  const opts: FormatOptions = { ...(c.latin1 ? latin1Options : {}), msvcrt };
  const args = c.a ?? [];
  const what = `${wide ? 'L' : ''}${JSON.stringify(c.f)} (${msvcrt ? 'msvcrt' : 'ucrt'})`;
  const { env, stores } = makeEnv(args);
  const run = (): string =>
    text(wide ? formatWide(utf16(c.f), env, opts) : formatNarrow(Uint8Array.from(utf16(c.f)), env, opts));
  let actual: string | typeof INVALID;
  try {
    actual = run();
  } catch (e) {
    if (!(e instanceof PrintfInvalidParameter)) throw e;
    actual = INVALID;
  }
  const show = (x: string | typeof INVALID): string => (x === INVALID ? 'INVALID' : JSON.stringify(x));
  if (actual !== expected) return `${what}: got ${show(actual)}, expected ${show(expected)}`;
  const stored = stores.map((st) => `${st.size}@0x${st.ptr.toString(16)}=${st.value}`).join(',');
  const want = c.n === undefined || expected === INVALID ? '' : `4@0x${N_TARGET.toString(16)}=${c.n}`;
  return stored === want ? undefined : `${what}: stored ${stored}, expected ${want}`;
}

function checkAll(cases: readonly Case[], wide: boolean, msvcrt: boolean): void {
  const failures = cases.map((c) => check(c, wide, msvcrt)).filter((f) => f !== undefined);
  assert.deepEqual(failures, []);
}

const NARROW: Case[] = [
  { f: '%d', a: [0], m: '0' },
  { f: '%d', a: [42], m: '42' },
  { f: '%d', a: [-42], m: '-42' },
  { f: '%d', a: [0x7fffffff], m: '2147483647' },
  { f: '%d', a: [-0x80000000], m: '-2147483648' },
  { f: '%d', a: [0x100000005], m: '5' },
  { f: '%d', a: [0xffffffff], m: '-1' },
  { f: '%i', a: [-7], m: '-7' },
  { f: '%u', a: [-1], m: '4294967295' },
  { f: '%u', a: [0x1ffffffff], m: '4294967295' },
  { f: '%lld', a: [-0x8000000000000000n], m: '-9223372036854775808' },
  { f: '%lld', a: [0x7fffffffffffffffn], m: '9223372036854775807' },
  { f: '%llu', a: [-1n], m: '18446744073709551615' },
  { f: '%I64d', a: [-0x8000000000000000n], m: '-9223372036854775808' },
  { f: '%I64u', a: [-1n], m: '18446744073709551615' },
  { f: '%I64x', a: [0x123456789abcdefn], m: '123456789abcdef' },
  { f: '%I32d', a: [0x1ffffffffn], m: '-1' },
  { f: '%I32u', a: [-1n], m: '4294967295' },
  { f: '%Id', a: [-1n], m: '-1' },
  { f: '%Iu', a: [-1n], m: '18446744073709551615' },
  { f: '%Ix', a: [-1n], m: 'ffffffffffffffff' },
  { f: '%zd', a: [-5n], m: '-5' },
  { f: '%zu', a: [-1n], m: '18446744073709551615' },
  { f: '%td', a: [-1n], m: '-1' },
  { f: '%jd', a: [-0x8000000000000000n], m: '-9223372036854775808' },
  { f: '%ju', a: [-1n], m: '18446744073709551615' },
  { f: '%ld', a: [0x100000003n], m: '3' },
  { f: '%ld', a: [-1n], m: '-1' },
  { f: '%lu', a: [-1n], m: '4294967295' },
  { f: '%lx', a: [-1n], m: 'ffffffff' },
  { f: '%hd', a: [0x18000], m: '-32768' },
  { f: '%hu', a: [0x10001], m: '1' },
  { f: '%hx', a: [-1], m: 'ffff' },
  { f: '%hhd', a: [384], m: '384' },
  { f: '%hhu', a: [511], m: '511' },
  { f: '%hhx', a: [-1], m: 'ffff' },
  { f: '%Ld', a: [-1n], m: '-1' },
  { f: '%wd', a: [-1n], m: '-1' },
  { f: '%I64', a: [5], m: '' },
  { f: '%I16d', a: [5], m: 'I16d' },
  { f: '%I3d', a: [5], m: 'I3d' },
  { f: '%x', a: [255], m: 'ff' },
  { f: '%X', a: [255], m: 'FF' },
  { f: '%#x', a: [255], m: '0xff' },
  { f: '%#X', a: [255], m: '0XFF' },
  { f: '%#x', a: [0], m: '0' },
  { f: '%#o', a: [8], m: '010' },
  { f: '%#o', a: [0], m: '0' },
  { f: '%o', a: [-1], m: '37777777777' },
  { f: '%llo', a: [-1n], m: '1' + '7'.repeat(21) },
  { f: '%#llx', a: [-1n], m: '0xffffffffffffffff' },
  { f: '%5d', a: [42], m: '   42' },
  { f: '%-5d|', a: [42], m: '42   |' },
  { f: '%05d', a: [42], m: '00042' },
  { f: '%05d', a: [-42], m: '-0042' },
  { f: '%+d', a: [42], m: '+42' },
  { f: '% d', a: [42], m: ' 42' },
  { f: '%+ d', a: [42], m: '+42' },
  { f: '% +d', a: [-42], m: '-42' },
  { f: '%-05d|', a: [42], m: '42   |' },
  { f: '%0-5d|', a: [42], m: '42   |' },
  { f: '%.5d', a: [42], m: '00042' },
  { f: '%8.5d', a: [-42], m: '  -00042' },
  { f: '%08.5d', a: [42], m: '00000042' },
  { f: '%.0d', a: [0], m: '' },
  { f: '%5.0d|', a: [0], m: '     |' },
  { f: '%+.0d', a: [0], m: '+' },
  { f: '% .0d', a: [0], m: ' ' },
  { f: '%.0x', a: [0], m: '' },
  { f: '%#.0o', a: [0], m: '' },
  { f: '%#.0x', a: [0], m: '' },
  { f: '%.d', a: [0], m: '' },
  { f: '%.d', a: [3], m: '3' },
  { f: '%*d', a: [5, 42], m: '   42' },
  { f: '%-*d|', a: [5, 42], m: '42   |' },
  { f: '%*d|', a: [-5, 42], m: '42   |' },
  { f: '%.*d', a: [3, 7], m: '007' },
  { f: '%.*d', a: [-1, 7], m: '7' },
  { f: '%.*d', a: [-1, 0], m: '0' },
  { f: '%*.*d', a: [8, 4, -3], m: '   -0003' },
  { f: '%#5x', a: [255], m: ' 0xff' },
  { f: '%#08x', a: [255], m: '0x0000ff' },
  { f: '%#-8x|', a: [255], m: '0xff    |' },
  { f: '%#.4x', a: [255], m: '0x00ff' },
  { f: '%+u', a: [5], m: '5' },
  { f: '% x', a: [5], m: '5' },
  { f: '%+x', a: [5], m: '5' },
  { f: '%+o', a: [5], m: '5' },
  { f: '%005d', a: [42], m: '00042' },
  { f: '%--5d|', a: [42], m: '42   |' },
  { f: '%+05d', a: [42], m: '+0042' },
  { f: '% 05d', a: [42], m: ' 0042' },
  { f: '%#5o', a: [8], m: '  010' },
  { f: '%#05o', a: [8], m: '00010' },
  { f: '%3d', a: [0x1e240], m: '123456' },
  { f: '%.2d', a: [0x1e240], m: '123456' },
  { f: '%-+8.3d|', a: [5], m: '+005    |' },
  { f: '%#X', a: [0xabcdef], m: '0XABCDEF' },
  { f: '%#llo', a: [-0x8000000000000000n], m: '01' + '0'.repeat(21) },
  { f: '%lli', a: [-0x8000000000000000n], m: '-9223372036854775808' },
  { f: '%.30d', a: [-1], m: '-' + '0'.repeat(29) + '1' },
  { f: '%40.30lld', a: [-0x8000000000000000n], m: '         -000000000009223372036854775808' },
  { f: '%c', a: [65], m: 'A' },
  { f: '%c', a: [321], m: 'A' },
  { f: '%5c|', a: [66], m: '    B|' },
  { f: '%-5c|', a: [67], m: 'C    |' },
  { f: '%05c', a: [68], m: '0000D' },
  { f: '%lc', a: [65], m: 'A' },
  { f: '%C', a: [66], m: 'B' },
  { f: '%wc', a: [67], m: 'C' },
  { f: '%hc', a: [68], m: 'D' },
  { f: '[%c]', a: [0], m: '[\u0000]' },
  { f: '%.0c', a: [69], m: '' },
  { f: '%lc', a: [233], m: '\u00e9', latin1: true },
  { f: '%C', a: [0], m: '\u0000' },
  { f: '%s', a: [s('hello')], m: 'hello' },
  { f: '%10s|', a: [s('hello')], m: '     hello|' },
  { f: '%-10s|', a: [s('hello')], m: 'hello     |' },
  { f: '%.3s', a: [s('hello')], m: 'hel' },
  { f: '%10.3s|', a: [s('hello')], m: '       hel|' },
  { f: '%.0s|', a: [s('hello')], m: '|' },
  { f: '%s', a: [0], m: '(null)' },
  { f: '%.3s', a: [0], m: '(nu' },
  { f: '%10s', a: [0], m: '    (null)' },
  { f: '%S', a: [w('wide')], m: 'wide' },
  { f: '%ls', a: [w('wide')], m: 'wide' },
  { f: '%ws', a: [w('wide')], m: 'wide' },
  { f: '%hs', a: [s('narrow')], m: 'narrow' },
  { f: '%S', a: [0], m: '(null)' },
  { f: '%ls', a: [0], m: '(null)' },
  { f: '%.2S', a: [w('wide')], m: 'wi' },
  { f: '%.*s', a: [2, s('abc')], m: 'ab' },
  { f: '%05s', a: [s('ab')], m: '000ab' },
  { f: '%-05s|', a: [s('ab')], m: 'ab   |' },
  { f: '%#s', a: [s('ab')], m: 'ab' },
  { f: '%+s', a: [s('ab')], m: 'ab' },
  { f: '%s', a: [s('')], m: '' },
  { f: '%5s|', a: [s('')], m: '     |' },
  { f: '%hS', a: [w('x')], m: 'x' },
  { f: '%ls', a: [w('caf\u00e9')], m: 'caf\u00e9', latin1: true },
  { f: '%s', a: [s('caf\u00e9')], m: 'caf\u00c3\u00a9' },
  { f: '%p', a: [4660], m: '0000000000001234' },
  { f: '%p', a: [0], m: '0000000000000000' },
  { f: '%p', a: [-1n], m: 'FFFFFFFFFFFFFFFF' },
  { f: '%#p', a: [4660], m: '0X0000000000001234' },
  { f: '%20p|', a: [4660], m: '    0000000000001234|' },
  { f: '%-20p|', a: [4660], m: '0000000000001234    |' },
  { f: '%.4p', a: [4660], m: '0000' },
  { f: '%.20p', a: [4660], m: '0000000000001234' },
  { f: '%+p', a: [4660], m: '0000000000001234' },
  { f: '%lp', a: [4660], m: '0000000000001234' },
  { f: '%hp', a: [0x123456789n], m: '0000000123456789' },
  { f: '%I32p', a: [0x123456789n], m: '0000000123456789' },
  { f: '%05p', a: [1], m: '0000000000000001' },
  { f: '%#20p|', a: [171], m: '  0X00000000000000AB|' },
  { f: 'ab%n', a: [N], m: 'ab', u: INVALID, n: 2 },
  { f: 'abc%hn', a: [N], m: 'abc', u: INVALID, n: 3 },
  { f: 'abcd%hhn', a: [N], m: 'abcd', u: INVALID, n: 4 },
  { f: 'abcde%lln', a: [N], m: 'abcde', u: INVALID, n: 5 },
  { f: 'abcdef%ln', a: [N], m: 'abcdef', u: INVALID, n: 6 },
  { f: '%5d%n', a: [1, N], m: '    1', u: INVALID, n: 5 },
  { f: '100%%', m: '100%' },
  { f: '%5%|', m: '|' },
  { f: '%-5%|', m: '|' },
  { f: '%.3%|', m: '|' },
  { f: '%ll%|', m: '|' },
  { f: '%y', m: 'y' },
  { f: '%5y|', m: 'y|' },
  { f: '%-5y|', m: 'y|' },
  { f: '%k%d', a: [3], m: 'k3' },
  { f: 'abc%', m: 'abc' },
  { f: '%ll', m: '' },
  { f: '%-', m: '' },
  { f: '%5', m: '' },
  { f: '%.', m: '' },
  { f: '%l', m: '' },
  { f: '%#', m: '' },
  { f: '%hq', m: 'q' },
  { f: '%Z', a: [0], m: 'Z' },
  { f: '%b', m: 'b' },
  { f: '%v%d', a: [9], m: 'v9' },
  { f: '%r', m: 'r' },
  { f: '%T', m: 'T', u: '' },
  { f: '%w', m: '' },
  { f: '%I', m: 'I' },
  { f: '%.*', a: [3], m: '' },
  { f: '%f', a: [d(0)], m: '0.000000' },
  { f: '%f', a: [d(1.5)], m: '1.500000' },
  { f: '%f', a: [d(-1.5)], m: '-1.500000' },
  { f: '%f', a: [d(3.14159265358979)], m: '3.141593' },
  { f: '%f', a: [d(1e+300)], m: '1000000000000000052504760255204420248704468581108159154915854115511802457988908195786371375080447864043704443832883878176942523235360430575644792184786706982848387200926575803737830233794788090059368953234970799945081119038967640880074652742780142494579258788820056842838115669472196386865459400540160.000000' },
  { f: '%f', a: [d(1e-300)], m: '0.000000' },
  { f: '%.30f', a: [d(0.1)], m: '0.100000000000000005551115123126' },
  { f: '%.0f', a: [d(0.5)], m: '1' },
  { f: '%.0f', a: [d(1.5)], m: '2' },
  { f: '%.0f', a: [d(2.5)], m: '3' },
  { f: '%.0f', a: [d(3.5)], m: '4' },
  { f: '%.0f', a: [d(-0.5)], m: '-1' },
  { f: '%.0f', a: [d(-2.5)], m: '-3' },
  { f: '%.1f', a: [d(0.25)], m: '0.3' },
  { f: '%.1f', a: [d(0.35)], m: '0.3' },
  { f: '%.1f', a: [d(0.05)], m: '0.1' },
  { f: '%.2f', a: [d(2.675)], m: '2.67' },
  { f: '%.2f', a: [d(1.005)], m: '1.00' },
  { f: '%.1f', a: [d(0.125)], m: '0.1' },
  { f: '%.2f', a: [d(0.125)], m: '0.13' },
  { f: '%.3f', a: [d(1.0005)], m: '1.000' },
  { f: '%f', a: [d(-0)], m: '-0.000000' },
  { f: '%+f', a: [d(1)], m: '+1.000000' },
  { f: '% f', a: [d(1)], m: ' 1.000000' },
  { f: '%+f', a: [d(-0)], m: '-0.000000' },
  { f: '%010.3f', a: [d(-3.14159)], m: '-00003.142' },
  { f: '%-10.2f|', a: [d(3.14159)], m: '3.14      |' },
  { f: '%#.0f', a: [d(3)], m: '3.' },
  { f: '%.0f', a: [d(3)], m: '3' },
  { f: '%F', a: [d(1.5)], m: '', u: '1.500000' },
  { f: '%.60f', a: [d(0.1)], m: '0.100000000000000005551115123125782702118158340454101562500000' },
  { f: '%f', a: [d(1.7976931348623157e+308)], m: '179769313486231570814527423731704356798070567525844996598917476803157260780028538760589558632766878171540458953514382464234321326889464182768467546703537516986049910576551282076245490090389328944075868508455133942304583236903222948165808559332123348274797826204144723168738177180919299881250404026184124858368.000000' },
  { f: '%.20f', a: [d(5e-324)], m: '0.' + '0'.repeat(20) },
  { f: '%.330f', a: [d(5e-324)], m: '0.' + '0'.repeat(323) + '4940656' },
  { f: '%lf', a: [d(2.5)], m: '2.500000' },
  { f: '%Lf', a: [d(2.5)], m: '2.500000' },
  { f: '%hf', a: [d(2.5)], m: '2.500000' },
  { f: '%llf', a: [d(2.5)], m: '2.500000' },
  { f: '%f', a: [d(123456789.125)], m: '123456789.125000' },
  { f: '%.3f', a: [d(0.0005)], m: '0.001' },
  { f: '%.3f', a: [d(0.0015)], m: '0.002' },
  { f: '%.3f', a: [d(0.9995)], m: '1.000' },
  { f: '%f', a: [d(0.9999995)], m: '1.000000' },
  { f: '%.15f', a: [d(0.3333333333333333)], m: '0.333333333333333' },
  { f: '%.17f', a: [d(0.6666666666666666)], m: '0.66666666666666663' },
  { f: '%f', a: [d(4294967296.5)], m: '4294967296.500000' },
  { f: '%.1f', a: [d(9.96)], m: '10.0' },
  { f: '%5.1f|', a: [d(-9.96)], m: '-10.0|' },
  { f: '%020f', a: [d(-1.5)], m: '-000000000001.500000' },
  { f: '%+020f', a: [d(1.5)], m: '+000000000001.500000' },
  { f: '%-+20f|', a: [d(1.5)], m: '+1.500000           |' },
  { f: '%.500f', a: [d(1)], m: '1.' + '0'.repeat(500) },
  { f: '%f', a: [d(1.1805916207174113e+21)], m: '1180591620717411303424.000000' },
  { f: '%.*f', a: [2, d(1.005)], m: '1.00' },
  { f: '%*f|', a: [-12, d(1.25)], m: '1.250000    |' },
  { f: '%f', a: [d(9007199254740992)], m: '9007199254740992.000000' },
  { f: '%f', a: [d(1e+22)], m: '1' + '0'.repeat(22) + '.000000' },
  { f: '%f', a: [d(1e+23)], m: '99999999999999991611392.000000' },
  { f: '%e', a: [d(0)], m: '0.000000e+000', u: '0.000000e+00' },
  { f: '%e', a: [d(1)], m: '1.000000e+000', u: '1.000000e+00' },
  { f: '%e', a: [d(12345.6789)], m: '1.234568e+004', u: '1.234568e+04' },
  { f: '%e', a: [d(-0.000123)], m: '-1.230000e-004', u: '-1.230000e-04' },
  { f: '%e', a: [d(1e+300)], m: '1.000000e+300' },
  { f: '%e', a: [d(1e-300)], m: '1.000000e-300' },
  { f: '%e', a: [d(5e-324)], m: '4.940656e-324' },
  { f: '%e', a: [d(1.7976931348623157e+308)], m: '1.797693e+308' },
  { f: '%E', a: [d(12345.6789)], m: '1.234568E+004', u: '1.234568E+04' },
  { f: '%.0e', a: [d(12345)], m: '1e+004', u: '1e+04' },
  { f: '%+.0e', a: [d(1.5)], m: '+2e+000', u: '+2e+00' },
  { f: '%+.0e', a: [d(0)], m: '+0e+000', u: '+0e+00' },
  { f: '%#.0e', a: [d(1)], m: '1.e+000', u: '1.e+00' },
  { f: '%.3e', a: [d(9.9995)], m: '9.999e+000', u: '9.999e+00' },
  { f: '%.3e', a: [d(9.99951)], m: '1.000e+001', u: '1.000e+01' },
  { f: '%12.3e|', a: [d(1.5)], m: '  1.500e+000|', u: '   1.500e+00|' },
  { f: '%-12.3e|', a: [d(1.5)], m: '1.500e+000  |', u: '1.500e+00   |' },
  { f: '%012.3e', a: [d(-1.5)], m: '-01.500e+000', u: '-001.500e+00' },
  { f: '%.20e', a: [d(0.1)], m: '1.00000000000000005551e-001', u: '1.00000000000000005551e-01' },
  { f: '%.100e', a: [d(0.3333333333333333)], m: '3.33333333333333314829616256247390992939472198486328125' + '0'.repeat(47) + 'e-001', u: '3.33333333333333314829616256247390992939472198486328125' + '0'.repeat(47) + 'e-01' },
  { f: '%.0e', a: [d(8.5)], m: '9e+000', u: '9e+00' },
  { f: '%.0e', a: [d(9.5)], m: '1e+001', u: '1e+01' },
  { f: '%.0e', a: [d(2.5)], m: '3e+000', u: '3e+00' },
  { f: '%e', a: [d(-0)], m: '-0.000000e+000', u: '-0.000000e+00' },
  { f: '% e', a: [d(1e+100)], m: ' 1.000000e+100' },
  { f: '%.1e', a: [d(0.25)], m: '2.5e-001', u: '2.5e-01' },
  { f: '%.1e', a: [d(0.35)], m: '3.5e-001', u: '3.5e-01' },
  { f: '%e', a: [d(0.00001)], m: '1.000000e-005', u: '1.000000e-05' },
  { f: '%e', a: [d(1.23e-308)], m: '1.230000e-308' },
  { f: '%.16e', a: [d(1e+23)], m: '9.9999999999999992e+022', u: '9.9999999999999992e+22' },
  { f: '%le', a: [d(10000000000)], m: '1.000000e+010', u: '1.000000e+10' },
  { f: '%.40e', a: [d(5e-324)], m: '4.9406564584124654417656879286822137236506e-324' },
  { f: '%.0e', a: [d(0.5)], m: '5e-001', u: '5e-01' },
  { f: '%g', a: [d(0)], m: '0' },
  { f: '%g', a: [d(100000)], m: '100000' },
  { f: '%g', a: [d(1000000)], m: '1e+006', u: '1e+06' },
  { f: '%g', a: [d(0.0001)], m: '0.0001' },
  { f: '%g', a: [d(0.00001)], m: '1e-005', u: '1e-05' },
  { f: '%g', a: [d(123456789)], m: '1.23457e+008', u: '1.23457e+08' },
  { f: '%g', a: [d(0.0001234)], m: '0.0001234' },
  { f: '%g', a: [d(1.5)], m: '1.5' },
  { f: '%.3g', a: [d(1234.5)], m: '1.23e+003', u: '1.23e+03' },
  { f: '%.0g', a: [d(0.5)], m: '0.5' },
  { f: '%.0g', a: [d(1.5)], m: '2' },
  { f: '%.0g', a: [d(2.5)], m: '3' },
  { f: '%#g', a: [d(1)], m: '1.00000' },
  { f: '%#.3g', a: [d(1)], m: '1.00' },
  { f: '%g', a: [d(1e+300)], m: '1e+300' },
  { f: '%G', a: [d(1e-10)], m: '1E-010', u: '1E-10' },
  { f: '%g', a: [d(9.9999995)], m: '10' },
  { f: '%g', a: [d(999999.5)], m: '1e+006', u: '1e+06' },
  { f: '%g', a: [d(999999.4)], m: '999999' },
  { f: '%.10g', a: [d(0.1)], m: '0.1' },
  { f: '%g', a: [d(1.7976931348623157e+308)], m: '1.79769e+308' },
  { f: '%g', a: [d(5e-324)], m: '4.94066e-324' },
  { f: '%.17g', a: [d(0.1)], m: '0.10000000000000001' },
  { f: '%#.0g', a: [d(3)], m: '3.' },
  { f: '%#g', a: [d(0)], m: '0.00000' },
  { f: '%.0g', a: [d(0)], m: '0' },
  { f: '%g', a: [d(-0)], m: '-0' },
  { f: '%+g', a: [d(0.00001)], m: '+1e-005', u: '+1e-05' },
  { f: '%010g', a: [d(-1.5)], m: '-0000001.5' },
  { f: '%-10g|', a: [d(1.5)], m: '1.5       |' },
  { f: '%g', a: [d(0.000099999995)], m: '0.0001' },
  { f: '%.2g', a: [d(0.000095)], m: '9.5e-005', u: '9.5e-05' },
  { f: '%.30g', a: [d(0.1)], m: '0.100000000000000005551115123126' },
  { f: '%#.10g', a: [d(0.00001)], m: '1.000000000e-005', u: '1.000000000e-05' },
  { f: '%g', a: [d(123456)], m: '123456' },
  { f: '%g', a: [d(1234567)], m: '1.23457e+006', u: '1.23457e+06' },
  { f: '%.20g', a: [d(18446744073709552000)], m: '18446744073709551616' },
  { f: '%#G', a: [d(100000000000000000000)], m: '1.00000E+020', u: '1.00000E+20' },
  { f: '%g', a: [d(100)], m: '100' },
  { f: '%.1g', a: [d(15)], m: '2e+001', u: '2e+01' },
  { f: '%.1g', a: [d(25)], m: '3e+001', u: '3e+01' },
  { f: '%.2g', a: [d(99.5)], m: '1e+002', u: '1e+02' },
  { f: '%a', a: [d(1)], m: '0x1.0000000000000p+0' },
  { f: '%a', a: [d(0)], m: '0x0.0000000000000p+0' },
  { f: '%a', a: [d(-1.5)], m: '-0x1.8000000000000p+0' },
  { f: '%a', a: [d(0.1)], m: '0x1.999999999999ap-4' },
  { f: '%a', a: [d(1e+300)], m: '0x1.7e43c8800759cp+996' },
  { f: '%a', a: [d(5e-324)], m: '0x0.0000000000001p-1022' },
  { f: '%A', a: [d(255.5)], m: '0X1.FF00000000000P+7' },
  { f: '%.3a', a: [d(1)], m: '0x1.000p+0' },
  { f: '%.1a', a: [d(1.96875)], m: '0x2.0p+0' },
  { f: '%.0a', a: [d(1.5)], m: '0x2p+0' },
  { f: '%.0a', a: [d(1.5000001)], m: '0x2p+0' },
  { f: '%.0a', a: [d(2.5)], m: '0x1p+1' },
  { f: '%#.0a', a: [d(1)], m: '0x1.p+0' },
  { f: '%20a|', a: [d(1)], m: '0x1.0000000000000p+0|' },
  { f: '%-20a|', a: [d(1)], m: '0x1.0000000000000p+0|' },
  { f: '%020a', a: [d(-1)], m: '-0x1.0000000000000p+0' },
  { f: '%+a', a: [d(1)], m: '+0x1.0000000000000p+0' },
  { f: '% a', a: [d(1)], m: ' 0x1.0000000000000p+0' },
  { f: '%a', a: [d(-0)], m: '-0x0.0000000000000p+0' },
  { f: '%a', a: [d(1.7976931348623157e+308)], m: '0x1.fffffffffffffp+1023' },
  { f: '%a', a: [d(2.2250738585072014e-308)], m: '0x1.0000000000000p-1022' },
  { f: '%a', a: [d(2.225073858507201e-308)], m: '0x0.fffffffffffffp-1022' },
  { f: '%.2a', a: [d(1.999)], m: '0x2.00p+0' },
  { f: '%.20a', a: [d(1)], m: '0x1.' + '0'.repeat(20) + 'p+0' },
  { f: '%La', a: [d(1)], m: '0x1.0000000000000p+0' },
  { f: '%.1a', a: [d(1.03125)], m: '0x1.1p+0' },
  { f: '%.1a', a: [d(1.09375)], m: '0x1.2p+0' },
  { f: '%.13a', a: [d(0.1)], m: '0x1.999999999999ap-4' },
  { f: '%.12a', a: [d(0.1)], m: '0x1.99999999999ap-4' },
  { f: '%.1a', a: [d(5e-324)], m: '0x0.0p-1022' },
  { f: '%#a', a: [d(1)], m: '0x1.0000000000000p+0' },
  { f: '%f', a: [d(Infinity)], m: '1.#INF00', u: 'inf' },
  { f: '%f', a: [d(-Infinity)], m: '-1.#INF00', u: '-inf' },
  { f: '%f', a: [bits(0x7ff8000000000000n)], m: '1.#QNAN0', u: 'nan' },
  { f: '%f', a: [bits(0xfff8000000000000n)], m: '-1.#IND00', u: '-nan(ind)' },
  { f: '%f', a: [bits(0x7ff0000000000001n)], m: '1.#QNAN0', u: 'nan' },
  { f: '%f', a: [bits(0xfff0000000000001n)], m: '-1.#IND00', u: '-nan(ind)' },
  { f: '%f', a: [bits(0x7ff8000000000123n)], m: '1.#QNAN0', u: 'nan' },
  { f: '%e', a: [d(Infinity)], m: '1.#INF00e+000', u: 'inf' },
  { f: '%e', a: [d(-Infinity)], m: '-1.#INF00e+000', u: '-inf' },
  { f: '%e', a: [bits(0x7ff8000000000000n)], m: '1.#QNAN0e+000', u: 'nan' },
  { f: '%e', a: [bits(0xfff8000000000000n)], m: '-1.#IND00e+000', u: '-nan(ind)' },
  { f: '%E', a: [d(Infinity)], m: '1.#INF00E+000', u: 'INF' },
  { f: '%E', a: [bits(0x7ff8000000000000n)], m: '1.#QNAN0E+000', u: 'NAN' },
  { f: '%E', a: [bits(0xfff8000000000000n)], m: '-1.#IND00E+000', u: '-NAN(IND)' },
  { f: '%g', a: [d(Infinity)], m: '1.#INF', u: 'inf' },
  { f: '%g', a: [bits(0x7ff8000000000000n)], m: '1.#QNAN', u: 'nan' },
  { f: '%g', a: [bits(0xfff8000000000000n)], m: '-1.#IND', u: '-nan(ind)' },
  { f: '%G', a: [d(Infinity)], m: '1.#INF', u: 'INF' },
  { f: '%G', a: [bits(0xfff8000000000000n)], m: '-1.#IND', u: '-NAN(IND)' },
  { f: '%a', a: [d(Infinity)], m: '0x1.#INF000000000p+0', u: 'inf' },
  { f: '%a', a: [bits(0x7ff8000000000000n)], m: '0x1.#QNAN00000000p+0', u: 'nan' },
  { f: '%a', a: [bits(0xfff8000000000000n)], m: '-0x1.#IND000000000p+0', u: '-nan(ind)' },
  { f: '%A', a: [d(Infinity)], m: '0X1.#INF000000000P+0', u: 'INF' },
  { f: '%A', a: [bits(0xfff8000000000000n)], m: '-0X1.#IND000000000P+0', u: '-NAN(IND)' },
  { f: '%F', a: [d(Infinity)], m: '', u: 'INF' },
  { f: '%F', a: [bits(0xfff8000000000000n)], m: '', u: '-NAN(IND)' },
  { f: '%10f|', a: [d(Infinity)], m: '  1.#INF00|', u: '       inf|' },
  { f: '%-10f|', a: [d(-Infinity)], m: '-1.#INF   |', u: '-inf      |' },
  { f: '%010f', a: [d(Infinity)], m: '001.#INF00', u: '       inf' },
  { f: '%+f', a: [d(Infinity)], m: '+1.#INF00', u: '+inf' },
  { f: '% f', a: [d(Infinity)], m: ' 1.#INF00', u: ' inf' },
  { f: '%+f', a: [bits(0x7ff8000000000000n)], m: '+1.#QNAN0', u: '+nan' },
  { f: '%.2f', a: [d(Infinity)], m: '1.#J', u: 'inf' },
  { f: '%.1f', a: [d(Infinity)], m: '1.$', u: 'inf' },
  { f: '%.0f', a: [d(Infinity)], m: '1', u: 'inf' },
  { f: '%.3f', a: [d(Infinity)], m: '1.#IO', u: 'inf' },
  { f: '%.10f', a: [d(Infinity)], m: '1.#INF000000', u: 'inf' },
  { f: '%.2f', a: [bits(0xfff8000000000000n)], m: '-1.#J', u: '-nan(ind)' },
  { f: '%.1f', a: [bits(0x7ff8000000000000n)], m: '1.$', u: 'nan' },
  { f: '%.0f', a: [bits(0x7ff8000000000000n)], m: '1', u: 'nan' },
  { f: '%.0e', a: [d(Infinity)], m: '1e+000', u: 'inf' },
  { f: '%.2e', a: [bits(0xfff8000000000000n)], m: '-1.#Je+000', u: '-nan(ind)' },
  { f: '%.3g', a: [d(Infinity)], m: '1.#J', u: 'inf' },
  { f: '%.2g', a: [bits(0x7ff8000000000000n)], m: '1.$', u: 'nan' },
  { f: '%.1g', a: [bits(0xfff8000000000000n)], m: '-1', u: '-nan(ind)' },
  { f: '%#.0f', a: [d(Infinity)], m: '1', u: 'inf' },
  { f: '%#f', a: [d(Infinity)], m: '1.#INF00', u: 'inf' },
  { f: '%15.2e|', a: [d(Infinity)], m: '        1.#Je+000|', u: '            inf|' },
  { f: '%.1f', a: [bits(0x7ff0000000000001n)], m: '1.$', u: 'nan' },
  { f: '%.2f', a: [d(-Infinity)], m: '-1.#J', u: '-inf' },
  { f: '%+.2f', a: [d(Infinity)], m: '+1.#J', u: '+inf' },
  { f: 'x=%d y=%s z=%.2f', a: [1, s('two'), d(3.14159)], m: 'x=1 y=two z=3.14' },
  { f: '%d%%%c', a: [50, 33], m: '50%!' },
  { f: '%s%s', a: [s('a'), s('b')], m: 'ab' },
  { f: '%5.1s|%-3c|', a: [s('xyz'), 65], m: '    x|A  |' },
  { f: '%lld %d', a: [-0x8000000000000000n, 0x100000001n], m: '-9223372036854775808 1' },
  { f: '%e|%f|%g', a: [d(0.5), d(0.5), d(0.5)], m: '5.000000e-001|0.500000|0.5', u: '5.000000e-01|0.500000|0.5' },
  { f: '%-12f|', a: [d(Infinity)], m: '1.#INF      |', u: 'inf         |' },
  { f: '%-f|', a: [d(Infinity)], m: '1.#INF  |', u: 'inf|' },
  { f: '%-.10f|', a: [d(Infinity)], m: '1.#INF      |', u: 'inf|' },
  { f: '%-e|', a: [d(Infinity)], m: '1.#INFe+000  |', u: 'inf|' },
  { f: '%-14e|', a: [d(Infinity)], m: '1.#INF e+000  |', u: 'inf           |' },
  { f: '%-g|', a: [d(Infinity)], m: '1.#INF|', u: 'inf|' },
  { f: '%-+f|', a: [d(Infinity)], m: '+1.#INF  |', u: '+inf|' },
  { f: '%-.2f|', a: [d(Infinity)], m: '1.#J|', u: 'inf|' },
  { f: '%-.0f|', a: [d(Infinity)], m: '1|', u: 'inf|' },
  { f: '%-10f|', a: [bits(0xfff8000000000000n)], m: '-1.#IND   |', u: '-nan(ind) |' },
  { f: '%-f|', a: [bits(0x7ff8000000000000n)], m: '1.#QNAN |', u: 'nan|' },
  { f: '%-20.10e|', a: [d(Infinity)], m: '1.#INF   e+000      |', u: 'inf                 |' },
  { f: '%-10g|', a: [d(Infinity)], m: '1.#INF    |', u: 'inf       |' },
  { f: '%-.3g|', a: [d(Infinity)], m: '1.#J|', u: 'inf|' },
  { f: '%12f|', a: [d(Infinity)], m: '    1.#INF00|', u: '         inf|' },
  { f: '%012e|', a: [d(Infinity)], m: '1.#INF00e+000|', u: '         inf|' },
  { f: '%+012f|', a: [d(-Infinity)], m: '-0001.#INF00|', u: '        -inf|' },
  { f: '%.2a', a: [d(Infinity)], m: '0x1.#Jp+0', u: 'inf' },
  { f: '%.0a', a: [d(Infinity)], m: '0x1p+0', u: 'inf' },
  { f: '%.20a', a: [bits(0x7ff8000000000000n)], m: '0x1.#QNAN000000000000000p+0', u: 'nan' },
  { f: '%-25a|', a: [d(Infinity)], m: '0x1.#INF     p+0         |', u: 'inf' + ' '.repeat(22) + '|' },
  { f: '%-10a|', a: [d(Infinity)], m: '0x1.#INFp+0         |', u: 'inf       |' },
  { f: '%025a|', a: [bits(0xfff8000000000000n)], m: '-0x00001.#IND000000000p+0|', u: '                -nan(ind)|' },
  { f: '%#g', a: [d(Infinity)], m: '1.#INF', u: 'inf' },
  { f: '%#.3g', a: [d(Infinity)], m: '1.#J', u: 'inf' },
  { f: '%.10g', a: [d(Infinity)], m: '1.#INF', u: 'inf' },
  { f: '%.10g', a: [bits(0x7ff8000000000000n)], m: '1.#QNAN', u: 'nan' },
  { f: '%.10e', a: [bits(0xfff8000000000000n)], m: '-1.#IND000000e+000', u: '-nan(ind)' },
  { f: '%g', a: [d(-Infinity)], m: '-1.#INF', u: '-inf' },
  { f: '%.5f', a: [bits(0x7ff8000000000000n)], m: '1.#QNAN', u: 'nan' },
  { f: '%.6g', a: [bits(0x7ff8000000000000n)], m: '1.#QNAN', u: 'nan' },
  { f: '%.7g', a: [bits(0x7ff8000000000000n)], m: '1.#QNAN', u: 'nan' },
  { f: '%-.7g|', a: [bits(0x7ff8000000000000n)], m: '1.#QNAN|', u: 'nan|' },
  { f: '%-#g|', a: [d(Infinity)], m: '1.#INF|', u: 'inf|' },
  { f: '%-#f|', a: [d(Infinity)], m: '1.#INF  |', u: 'inf|' },
  { f: '% -f|', a: [d(Infinity)], m: ' 1.#INF  |', u: ' inf|' },
  { f: '%-+g|', a: [bits(0xfff8000000000000n)], m: '-1.#IND|', u: '-nan(ind)|' },
  { f: '%25a|', a: [d(1)], m: '     0x1.0000000000000p+0|' },
  { f: '%-25a|', a: [d(1)], m: '0x1.0000000000000     p+0|' },
  { f: '%025a', a: [d(-1)], m: '-0x00001.0000000000000p+0' },
  { f: '%+025a', a: [d(1)], m: '+0x00001.0000000000000p+0' },
  { f: '%#25.0a|', a: [d(1)], m: '                  0x1.p+0|' },
  { f: '%Ff', a: [d(1.5)], m: '1.500000', u: '1.500000f' },
  { f: '%Fd', a: [5], m: '5', u: '0.000000d' },
  { f: '%Nd', a: [5], m: '5', u: 'Nd' },
  { f: '%Fs', a: [s('abc')], m: 'abc', u: '0.000000s' },
  { f: '%NF', a: [d(2)], m: '', u: 'NF' },
  { f: '%lF', a: [d(2)], m: '', u: '2.000000' },
  { f: '%.*f', a: [-1, d(1.25)], m: '1.250000' },
  { f: '%.*e', a: [-1, d(1.25)], m: '1.250000e+000', u: '1.250000e+00' },
  { f: '%.*g', a: [-1, d(1.25)], m: '1.25' },
  { f: '%.*s|', a: [-1, s('abc')], m: 'abc|' },
  { f: '%.*x', a: [-1, 255], m: 'ff' },
  { f: '%.*a', a: [-1, d(1.25)], m: '0x1.4000000000000p+0' },
  { f: '%.*c|', a: [-1, 65], m: 'A|' },
  { f: '%.*f', a: [-1, d(123.456)], m: '123.456000' },
  { f: '%.*f', a: [-1, d(0.001)], m: '0.001000' },
  { f: '%.*p', a: [-1, 18], m: '0000000000000012' },
  { f: '%hS', a: [w('xy')], m: 'x' },
  { f: '%hs', a: [s('xy')], m: 'xy' },
  { f: '%lS', a: [w('xy')], m: 'xy' },
  { f: '%wS', a: [w('xy')], m: 'xy' },
  { f: '%hC', a: [321], m: 'A' },
  { f: '%lC', a: [65], m: 'A' },
  { f: '%ws', a: [w('xy')], m: 'xy' },
  { f: '%020p', a: [4660], m: '    0000000000001234' },
  { f: '%#.4p', a: [4660], m: '0X00' },
  { f: '%-#20p|', a: [4660], m: '0X0000000000001234  |' },
  { f: '%#020p', a: [4660], m: '  0X0000000000001234' },
  { f: '%.0p|', a: [4660], m: '|' },
  { f: '%.0p|', a: [0], m: '|' },
  { f: '%*y%d', a: [5, 7], m: 'y7' },
  { f: '%.*y%d', a: [5, 7], m: 'y7' },
  { f: '%5%%d', a: [1], m: '%d' },
  { f: '%Is', a: [s('ab')], m: 'Is' },
  { f: '%Ip', a: [1], m: 'Ip' },
  { f: '%In', a: [N], m: 'In' },
  { f: '%Ie', a: [d(1)], m: 'Ie' },
  { f: '%Ic', a: [65], m: 'Ic' },
  { f: '%I64s', a: [s('ab')], m: 'ab' },
  { f: '%I32s', a: [s('ab')], m: 'ab' },
  { f: '%I64c', a: [65], m: 'A' },
  { f: '%I6d', a: [4], m: 'I6d' },
  { f: '%I64I32d', a: [0x100000001n], m: '4294967297' },
  { f: '%lld', a: [1], m: '1' },
  { f: '%lI64d', a: [1], m: '1' },
  { f: '%hld', a: [0x10001], m: '65537' },
  { f: '%lhd', a: [0x10001], m: '1' },
  { f: '%hlld', a: [0x100000001n], m: '4294967297' },
  { f: '%llhd', a: [0x100000001n], m: '4294967297' },
  { f: '%Lld', a: [0x100000001n], m: '1' },
  { f: '%lLd', a: [0x100000001n], m: '1' },
  { f: '%zhd', a: [0x100001n], m: 'zhd' },
  { f: '%hzd', a: [0x100000001n], m: '4294967297' },
  { f: '%hI64d', a: [0x100000001n], m: '4294967297' },
  { f: '%I64hd', a: [0x100000001n], m: '4294967297' },
  { f: '%jd', a: [0x100000001n], m: '4294967297' },
  { f: '%hjd', a: [0x100000001n], m: '4294967297' },
  { f: '%Ld', a: [0x100000001n], m: '1' },
  { f: '%lllx', a: [-1n], m: 'ffffffffffffffff' },
  { f: '%llllx', a: [-1n], m: 'ffffffffffffffff' },
  { f: '%qd', a: [1], m: 'qd' },
  { f: '%I64I64x', a: [-1n], m: 'ffffffffffffffff' },
  { f: '%wld', a: [0x100000001n], m: '1' },
  { f: '%lwd', a: [0x100000001n], m: '1' },
  { f: '%.1000f', a: [d(1)], m: '1.' + '0'.repeat(1000) },
  { f: '%.2000e', a: [d(1)], m: '1.' + '0'.repeat(2000) + 'e+000', u: '1.' + '0'.repeat(2000) + 'e+00' },
  { f: '%2000d|', a: [1], m: ' '.repeat(1999) + '1|' },
  { f: '%.600d', a: [1], m: '0'.repeat(599) + '1' },
  { f: '%Tc', a: [65], m: 'Tc', u: 'A' },
  { f: '%Ts', a: [s('ab')], m: 'Ts', u: 'ab' },
  { f: '%Td', a: [1], m: 'Td', u: '1' },
  { f: '%-0*d|', a: [5, 3], m: '3    |' },
  { f: '%0*d|', a: [-5, 3], m: '3    |' },
  { f: '%*.*s|', a: [-4, 1, s('xyz')], m: 'x   |' },
  { f: '%1$d', a: [1], m: '$d' },
  { f: '%0#x', a: [1], m: '0x1' },
  { f: '%0 d', a: [1], m: ' 1' },
  { f: '%f', a: [d(0.5)], m: '0.500000' },
  { f: '%.0f', a: [d(0.49999999999999994)], m: '0' },
  { f: '%.16f', a: [d(0.05)], m: '0.0500000000000000' },
  { f: '%.0f', a: [d(4.5)], m: '5' },
  { f: '%.0f', a: [d(1000000000000000.5)], m: '1000000000000001' },
  { f: '%e', a: [d(9.9999995)], m: '9.999999e+000', u: '9.999999e+00' },
  { f: '%e', a: [d(9.9999994)], m: '9.999999e+000', u: '9.999999e+00' },
  { f: '%.0e', a: [d(9.6)], m: '1e+001', u: '1e+01' },
  { f: '%.1g', a: [d(0.95)], m: '0.9' },
  { f: '%.1g', a: [d(0.00095)], m: '0.0009' },
  { f: '%g', a: [d(1e-320)], m: '9.99989e-321' },
  { f: '%.3g', a: [d(100)], m: '100' },
  { f: '%#.3g', a: [d(100)], m: '100.' },
  { f: '%#.3g', a: [d(100000)], m: '1.00e+005', u: '1.00e+05' },
  { f: '%.3g', a: [d(100000)], m: '1e+005', u: '1e+05' },
  { f: '%g', a: [d(0.00009999999999999999)], m: '0.0001' },
  { f: '%#x', a: [-1n], m: '0xffffffff' },
  { f: '%#llX', a: [0], m: '0' },
  { f: '%#.3o', a: [8], m: '010' },
  { f: '%#.3o', a: [511], m: '0777' },
  { f: '%#o', a: [511], m: '0777' },
  { f: '%#.1o', a: [8], m: '010' },
  { f: '%-30.20a|', a: [d(1)], m: '0x1.0000000000000   p+0       |' },
  { f: '%-.20a|', a: [d(1)], m: '0x1.0000000000000p+0       |' },
  { f: '%-30a|', a: [d(0)], m: '0x0.0000000000000          p+0|' },
  { f: '%-#.0a|', a: [d(1)], m: '0x1.p+0|' },
  { f: '%-30.20a|', a: [d(Infinity)], m: '0x1.#INF   p+0                |', u: 'inf' + ' '.repeat(27) + '|' },
  { f: '%30.20a|', a: [d(1)], m: '   0x1.' + '0'.repeat(20) + 'p+0|' },
  { f: '%#.0e', a: [d(Infinity)], m: '1e+000', u: 'inf' },
  { f: '%#.0a', a: [d(Infinity)], m: '0x1p+0', u: 'inf' },
  { f: '%.0e', a: [bits(0xfff8000000000000n)], m: '-1e+000', u: '-nan(ind)' },
  { f: '%#.0g', a: [d(Infinity)], m: '1.#INF', u: 'inf' },
  { f: '%#.1f', a: [d(Infinity)], m: '1.$', u: 'inf' },
  { f: '%#.0f|', a: [bits(0xfff8000000000000n)], m: '-1|', u: '-nan(ind)|' },
  { f: '%hLd', a: [0x10001], m: '1' },
  { f: '%Lhd', a: [0x10001], m: '1' },
  { f: '%Ls', a: [w('xy')], m: 'x' },
  { f: '%Lc', a: [321], m: 'A' },
  { f: '%lls', a: [w('xy')], m: 'x' },
  { f: '%llc', a: [321], m: 'A' },
  { f: '%lhs', a: [w('xy')], m: 'x' },
  { f: '%hls', a: [w('xy')], m: 'xy' },
  { f: '%zx', a: [-1n], m: 'ffffffffffffffff' },
  { f: '%zs', a: [s('ab')], m: 'zs' },
  { f: '%zc', a: [65], m: 'zc' },
  { f: '%zp', a: [1], m: 'zp' },
  { f: '%zn', a: [N], m: 'zn' },
  { f: '%jx', a: [-1n], m: 'ffffffffffffffff' },
  { f: '%js', a: [s('ab')], m: 'ab' },
  { f: '%tx', a: [-1n], m: 'ffffffffffffffff' },
  { f: '%ts', a: [s('ab')], m: 'ts' },
  { f: '%jhd', a: [0x100000001n], m: '4294967297' },
  { f: '%thd', a: [0x100000001n], m: 'thd' },
  { f: '%ze', a: [d(1)], m: 'ze' },
  { f: '%zI64d', a: [1], m: 'zI64d' },
  { f: '%jc', a: [65], m: 'A' },
  { f: '%tc', a: [65], m: 'tc' },
  { f: '%hzx', a: [-1n], m: 'ffffffffffffffff' },
  { f: '%ti', a: [-1n], m: '-1' },
  { f: '%zo', a: [8], m: '10' },
  { f: '%zX', a: [-1n], m: 'FFFFFFFFFFFFFFFF' },
  { f: '%tu', a: [-1n], m: '18446744073709551615' },
  { f: '%Io', a: [-1n], m: '1' + '7'.repeat(21) },
  { f: '%IX', a: [-1n], m: 'FFFFFFFFFFFFFFFF' },
  { f: '%Ii', a: [-1n], m: '-1' },
  { f: '%z', m: 'z' },
  { f: '%I64', m: '' },
  { f: '%I32', m: '' },
  { f: '%I64%d', a: [1], m: '1' },
  { f: '%z%d', a: [1], m: 'z1' },
  { f: '%zz', m: 'zz' },
  { f: '%jjd', a: [1], m: '1' },
  { f: '%zzd', a: [1], m: 'zzd' },
  { f: '%ttd', a: [1], m: 'ttd' },
  { f: '%II64d', a: [1], m: 'II64d' },
  { f: '%Izd', a: [1], m: 'Izd' },
  { f: '%I32I64d', a: [-1n], m: '-1' },
  { f: '%Izd', a: [-1n], m: 'Izd' },
  { f: '%a', a: [d(1e-310)], m: '0x0.012688b70e62bp-1022' },
  { f: '%.0a', a: [d(2.225073858507201e-308)], m: '0x1p-1022' },
  { f: '%.3a', a: [d(1.99999)], m: '0x2.000p+0' },
  { f: '%.0a', a: [d(0)], m: '0x0p+0' },
  { f: '%.12a', a: [d(1.0000000000000002)], m: '0x1.000000000000p+0' },
  { f: '%.12a', a: [d(1.000000000000002)], m: '0x1.000000000001p+0' },
  { f: '%.12a', a: [d(1.0000000000000018)], m: '0x1.000000000001p+0' },
  { f: '%.12a', a: [d(1.0000000000000053)], m: '0x1.000000000002p+0' },
  { f: '%.0a', a: [d(3)], m: '0x2p+1' },
  { f: '%.0a', a: [d(-3.5)], m: '-0x2p+1' },
  { f: '%a', a: [d(-5e-324)], m: '-0x0.0000000000001p-1022' },
  { f: '%.13A', a: [d(0.1)], m: '0X1.999999999999AP-4' },
  { f: '%#a', a: [d(0)], m: '0x0.0000000000000p+0' },
  { f: '%.5a', a: [d(1e-310)], m: '0x0.01269p-1022' },
  { f: '%-#10.0a|', a: [d(2)], m: '0x1.   p+1|' },
  { f: '%.2f', a: [d(0.005)], m: '0.01' },
  { f: '%.2f', a: [d(0.015)], m: '0.01' },
  { f: '%.2f', a: [d(0.025)], m: '0.03' },
  { f: '%.2f', a: [d(0.045)], m: '0.04' },
  { f: '%.3e', a: [d(1.0005)], m: '1.000e+000', u: '1.000e+00' },
  { f: '%.0f', a: [d(0.5000000000000001)], m: '1' },
  { f: '%5.3s|', a: [s('abcdef')], m: '  abc|' },
  { f: '%-5.0s|', a: [s('ab')], m: '     |' },
  { f: '%.10s', a: [s('ab')], m: 'ab' },
  { f: '%#c', a: [65], m: 'A' },
  { f: '%+c', a: [65], m: 'A' },
  { f: '% s', a: [s('a')], m: 'a' },
  { f: '%+.3d', a: [-1], m: '-001' },
  { f: '% 3d', a: [1], m: '  1' },
  { f: '%+5u', a: [3], m: '    3' },
  { f: '%-#10o|', a: [8], m: '010       |' },
  { f: '%#10.5x|', a: [255], m: '   0x000ff|' },
  { f: '%-#010x|', a: [255], m: '0xff      |' },
  { f: '%#010.5x|', a: [255], m: '0x000000ff|' },
  { f: '%#-8X|', a: [0], m: '0       |' },
  { f: '%+hd', a: [65535], m: '-1' },
  { f: '%hu', a: [-1], m: '65535' },
  { f: '%lld', a: [5], m: '5' },
  { f: '%+lld', a: [-0x8000000000000000n], m: '-9223372036854775808' },
  { f: '%020lld', a: [-0x8000000000000000n], m: '-9223372036854775808' },
  { f: '%-+25lld|', a: [1n], m: '+1' + ' '.repeat(23) + '|' },
  { f: '%.3s', a: [s('a')], m: 'a' },
  { f: '%-.30f|', a: [d(1)], m: '1.' + '0'.repeat(30) + '|' },
  { f: '%-.30e|', a: [d(1)], m: '1.' + '0'.repeat(30) + 'e+000|', u: '1.' + '0'.repeat(30) + 'e+00|' },
  { f: '%-40.30f|', a: [d(0.1)], m: '0.100000000000000005551115123126        |' },
  { f: '%-.60f|', a: [d(0.1)], m: '0.100000000000000005551115123125782702118158340454101562500000|' },
  { f: '%-70.60f|', a: [d(0.1)], m: '0.100000000000000005551115123125782702118158340454101562500000        |' },
  { f: '%-.20e|', a: [d(0.5)], m: '5.' + '0'.repeat(20) + 'e-001|', u: '5.' + '0'.repeat(20) + 'e-01|' },
  { f: '%-10.3f|', a: [d(1)], m: '1.000     |' },
  { f: '%-12.3e|', a: [d(1)], m: '1.000e+000  |', u: '1.000e+00   |' },
  { f: '%-20.15g|', a: [d(0.1)], m: '0.1                 |' },
  { f: '%-#20.15g|', a: [d(0.5)], m: '0.500000000000000   |' },
  { f: '%-#20g|', a: [d(0.5)], m: '0.500000            |' },
  { f: '%-.20g|', a: [d(0.5)], m: '0.5|' },
  { f: '%-.40f|', a: [d(1.1805916207174113e+21)], m: '1180591620717411303424.' + '0'.repeat(40) + '|' },
  { f: '%-25.17e|', a: [d(0.125)], m: '1.25000000000000000e-001 |', u: '1.25000000000000000e-01  |' },
  { f: '%-.17f|', a: [d(0.3333333333333333)], m: '0.33333333333333331|' },
  { f: '%-.25f|', a: [d(0.3333333333333333)], m: '0.3333333333333333148296163|' },
  { f: '%-#.0f|', a: [d(3)], m: '3.|' },
  { f: '%-#.0e|', a: [d(3)], m: '3.e+000|', u: '3.e+00|' },
  { f: '%-+.2e|', a: [d(-0)], m: '-0.00e+000|', u: '-0.00e+00|' },
  { f: '%- 10g|', a: [d(-0)], m: '-0        |' },
  { f: '%.17a', a: [d(1)], m: '0x1.00000000000000000p+0' },
  { f: '%-.17a|', a: [d(0.1)], m: '0x1.999999999999ap-4    |' },
  { f: '%-020a|', a: [d(1)], m: '0x1.0000000000000p+0|' },
  { f: '%-020f|', a: [d(Infinity)], m: '1.#INF              |', u: 'inf                 |' },
  { f: '%-20a|', a: [d(Infinity)], m: '0x1.#INFp+0         |', u: 'inf                 |' },
  { f: '%-+.0a|', a: [d(1)], m: '+0x1p+0|' },
  { f: '%-#15x|', a: [255], m: '0xff           |' },
  { f: '%-20p|', a: [1], m: '0000000000000001    |' },
  { f: '%.0g', a: [d(Infinity)], m: '1.#INF', u: 'inf' },
  { f: '%.0g', a: [bits(0x7ff8000000000000n)], m: '1.#QNAN', u: 'nan' },
  { f: '%.0g', a: [bits(0xfff8000000000000n)], m: '-1.#IND', u: '-nan(ind)' },
  { f: '%.1g', a: [d(Infinity)], m: '1', u: 'inf' },
  { f: '%#.1g', a: [d(Infinity)], m: '1', u: 'inf' },
  { f: '%#.2g', a: [d(Infinity)], m: '1.$', u: 'inf' },
  { f: '%.0G', a: [d(Infinity)], m: '1.#INF', u: 'INF' },
  { f: 'ab%I64n', a: [N], m: 'ab', u: INVALID, n: 2 },
  { f: 'ab%zn', a: [N], m: 'abzn' },
  { f: 'ab%jn', a: [N], m: 'ab', u: INVALID, n: 2 },
  { f: '%.*d', a: [-5, 7], m: '7' },
  { f: '%.*s|', a: [-5, s('abc')], m: 'abc|' },
  { f: '%.*x|', a: [-2, 0], m: '0|' },
  { f: '%.*d|', a: [-1, 0], m: '0|' },
  { f: '%#.0g', a: [d(0)], m: '0.' },
  { f: '%#.0e', a: [d(0)], m: '0.e+000', u: '0.e+00' },
  { f: '%#.0a', a: [d(0)], m: '0x0.p+0' },
  { f: '%.*a', a: [0, d(0)], m: '0x0p+0' },
  { f: '%20e|', a: [d(Infinity)], m: '       1.#INF00e+000|', u: '                 inf|' },
  { f: '%20e|', a: [bits(0x7ff8000000000000n)], m: '       1.#QNAN0e+000|', u: '                 nan|' },
  { f: '%20.0e|', a: [d(Infinity)], m: '                  1e+000|', u: '                 inf|' },
  { f: '%20.0e|', a: [bits(0x7ff8000000000000n)], m: '                   1e+000|', u: '                 nan|' },
  { f: '%20.1e|', a: [d(Infinity)], m: '               1.$e+000|', u: '                 inf|' },
  { f: '%20.1e|', a: [bits(0x7ff8000000000000n)], m: '                1.$e+000|', u: '                 nan|' },
  { f: '%20.2e|', a: [d(Infinity)], m: '             1.#Je+000|', u: '                 inf|' },
  { f: '%20.2e|', a: [bits(0x7ff8000000000000n)], m: '              1.#Re+000|', u: '                 nan|' },
  { f: '%20.3e|', a: [d(Infinity)], m: '           1.#IOe+000|', u: '                 inf|' },
  { f: '%20.3e|', a: [bits(0x7ff8000000000000n)], m: '            1.#QOe+000|', u: '                 nan|' },
  { f: '%20.4e|', a: [d(Infinity)], m: '         1.#INFe+000|', u: '                 inf|' },
  { f: '%20.4e|', a: [bits(0x7ff8000000000000n)], m: '          1.#QNBe+000|', u: '                 nan|' },
  { f: '%20.5e|', a: [d(Infinity)], m: '        1.#INF0e+000|', u: '                 inf|' },
  { f: '%20.5e|', a: [bits(0x7ff8000000000000n)], m: '        1.#QNANe+000|', u: '                 nan|' },
  { f: '%20.6e|', a: [d(Infinity)], m: '       1.#INF00e+000|', u: '                 inf|' },
  { f: '%20.6e|', a: [bits(0x7ff8000000000000n)], m: '       1.#QNAN0e+000|', u: '                 nan|' },
  { f: '%20.7e|', a: [d(Infinity)], m: '      1.#INF000e+000|', u: '                 inf|' },
  { f: '%20.7e|', a: [bits(0x7ff8000000000000n)], m: '      1.#QNAN00e+000|', u: '                 nan|' },
  { f: '%20.10e|', a: [d(Infinity)], m: '   1.#INF000000e+000|', u: '                 inf|' },
  { f: '%20.10e|', a: [bits(0x7ff8000000000000n)], m: '   1.#QNAN00000e+000|', u: '                 nan|' },
  { f: '%20f|', a: [d(Infinity)], m: '            1.#INF00|', u: '                 inf|' },
  { f: '%20f|', a: [bits(0x7ff8000000000000n)], m: '            1.#QNAN0|', u: '                 nan|' },
  { f: '%20.0f|', a: [d(Infinity)], m: '                   1|', u: '                 inf|' },
  { f: '%20.0f|', a: [bits(0x7ff8000000000000n)], m: '                   1|', u: '                 nan|' },
  { f: '%20.1f|', a: [d(Infinity)], m: '                 1.$|', u: '                 inf|' },
  { f: '%20.1f|', a: [bits(0x7ff8000000000000n)], m: '                 1.$|', u: '                 nan|' },
  { f: '%20.2f|', a: [d(Infinity)], m: '                1.#J|', u: '                 inf|' },
  { f: '%20.2f|', a: [bits(0x7ff8000000000000n)], m: '                1.#R|', u: '                 nan|' },
  { f: '%20.3f|', a: [d(Infinity)], m: '               1.#IO|', u: '                 inf|' },
  { f: '%20.3f|', a: [bits(0x7ff8000000000000n)], m: '               1.#QO|', u: '                 nan|' },
  { f: '%20.4f|', a: [d(Infinity)], m: '              1.#INF|', u: '                 inf|' },
  { f: '%20.4f|', a: [bits(0x7ff8000000000000n)], m: '              1.#QNB|', u: '                 nan|' },
  { f: '%20.5f|', a: [d(Infinity)], m: '             1.#INF0|', u: '                 inf|' },
  { f: '%20.5f|', a: [bits(0x7ff8000000000000n)], m: '             1.#QNAN|', u: '                 nan|' },
  { f: '%20.6f|', a: [d(Infinity)], m: '            1.#INF00|', u: '                 inf|' },
  { f: '%20.6f|', a: [bits(0x7ff8000000000000n)], m: '            1.#QNAN0|', u: '                 nan|' },
  { f: '%20.7f|', a: [d(Infinity)], m: '           1.#INF000|', u: '                 inf|' },
  { f: '%20.7f|', a: [bits(0x7ff8000000000000n)], m: '           1.#QNAN00|', u: '                 nan|' },
  { f: '%20.10f|', a: [d(Infinity)], m: '        1.#INF000000|', u: '                 inf|' },
  { f: '%20.10f|', a: [bits(0x7ff8000000000000n)], m: '        1.#QNAN00000|', u: '                 nan|' },
  { f: '%20g|', a: [d(Infinity)], m: '              1.#INF|', u: '                 inf|' },
  { f: '%20g|', a: [bits(0x7ff8000000000000n)], m: '             1.#QNAN|', u: '                 nan|' },
  { f: '%20.0g|', a: [d(Infinity)], m: '              1.#INF|', u: '                 inf|' },
  { f: '%20.0g|', a: [bits(0x7ff8000000000000n)], m: '             1.#QNAN|', u: '                 nan|' },
  { f: '%20.1g|', a: [d(Infinity)], m: '                   1|', u: '                 inf|' },
  { f: '%20.1g|', a: [bits(0x7ff8000000000000n)], m: '                   1|', u: '                 nan|' },
  { f: '%20.2g|', a: [d(Infinity)], m: '                 1.$|', u: '                 inf|' },
  { f: '%20.2g|', a: [bits(0x7ff8000000000000n)], m: '                 1.$|', u: '                 nan|' },
  { f: '%20.3g|', a: [d(Infinity)], m: '                1.#J|', u: '                 inf|' },
  { f: '%20.3g|', a: [bits(0x7ff8000000000000n)], m: '                1.#R|', u: '                 nan|' },
  { f: '%20.4g|', a: [d(Infinity)], m: '               1.#IO|', u: '                 inf|' },
  { f: '%20.4g|', a: [bits(0x7ff8000000000000n)], m: '               1.#QO|', u: '                 nan|' },
  { f: '%20.5g|', a: [d(Infinity)], m: '              1.#INF|', u: '                 inf|' },
  { f: '%20.5g|', a: [bits(0x7ff8000000000000n)], m: '              1.#QNB|', u: '                 nan|' },
  { f: '%20.6g|', a: [d(Infinity)], m: '              1.#INF|', u: '                 inf|' },
  { f: '%20.6g|', a: [bits(0x7ff8000000000000n)], m: '             1.#QNAN|', u: '                 nan|' },
  { f: '%20.7g|', a: [d(Infinity)], m: '              1.#INF|', u: '                 inf|' },
  { f: '%20.7g|', a: [bits(0x7ff8000000000000n)], m: '             1.#QNAN|', u: '                 nan|' },
  { f: '%20.10g|', a: [d(Infinity)], m: '              1.#INF|', u: '                 inf|' },
  { f: '%20.10g|', a: [bits(0x7ff8000000000000n)], m: '             1.#QNAN|', u: '                 nan|' },
  { f: '%20a|', a: [d(Infinity)], m: '0x1.#INF000000000p+0|', u: '                 inf|' },
  { f: '%20a|', a: [bits(0x7ff8000000000000n)], m: '0x1.#QNAN00000000p+0|', u: '                 nan|' },
  { f: '%20.0a|', a: [d(Infinity)], m: '                 0x1p+0|', u: '                 inf|' },
  { f: '%20.0a|', a: [bits(0x7ff8000000000000n)], m: '                 0x1p+0|', u: '                 nan|' },
  { f: '%20.1a|', a: [d(Infinity)], m: '               0x1.$p+0|', u: '                 inf|' },
  { f: '%20.1a|', a: [bits(0x7ff8000000000000n)], m: '               0x1.$p+0|', u: '                 nan|' },
  { f: '%20.2a|', a: [d(Infinity)], m: '             0x1.#Jp+0|', u: '                 inf|' },
  { f: '%20.2a|', a: [bits(0x7ff8000000000000n)], m: '              0x1.#Rp+0|', u: '                 nan|' },
  { f: '%20.3a|', a: [d(Infinity)], m: '           0x1.#IOp+0|', u: '                 inf|' },
  { f: '%20.3a|', a: [bits(0x7ff8000000000000n)], m: '            0x1.#QOp+0|', u: '                 nan|' },
  { f: '%20.4a|', a: [d(Infinity)], m: '         0x1.#INFp+0|', u: '                 inf|' },
  { f: '%20.4a|', a: [bits(0x7ff8000000000000n)], m: '          0x1.#QNBp+0|', u: '                 nan|' },
  { f: '%20.5a|', a: [d(Infinity)], m: '        0x1.#INF0p+0|', u: '                 inf|' },
  { f: '%20.5a|', a: [bits(0x7ff8000000000000n)], m: '        0x1.#QNANp+0|', u: '                 nan|' },
  { f: '%20.6a|', a: [d(Infinity)], m: '       0x1.#INF00p+0|', u: '                 inf|' },
  { f: '%20.6a|', a: [bits(0x7ff8000000000000n)], m: '       0x1.#QNAN0p+0|', u: '                 nan|' },
  { f: '%20.7a|', a: [d(Infinity)], m: '      0x1.#INF000p+0|', u: '                 inf|' },
  { f: '%20.7a|', a: [bits(0x7ff8000000000000n)], m: '      0x1.#QNAN00p+0|', u: '                 nan|' },
  { f: '%20.10a|', a: [d(Infinity)], m: '   0x1.#INF000000p+0|', u: '                 inf|' },
  { f: '%20.10a|', a: [bits(0x7ff8000000000000n)], m: '   0x1.#QNAN00000p+0|', u: '                 nan|' },
  { f: '%20E|', a: [d(Infinity)], m: '       1.#INF00E+000|', u: '                 INF|' },
  { f: '%20E|', a: [bits(0x7ff8000000000000n)], m: '       1.#QNAN0E+000|', u: '                 NAN|' },
  { f: '%20.0E|', a: [d(Infinity)], m: '                  1E+000|', u: '                 INF|' },
  { f: '%20.0E|', a: [bits(0x7ff8000000000000n)], m: '                   1E+000|', u: '                 NAN|' },
  { f: '%20.1E|', a: [d(Infinity)], m: '               1.$E+000|', u: '                 INF|' },
  { f: '%20.1E|', a: [bits(0x7ff8000000000000n)], m: '                1.$E+000|', u: '                 NAN|' },
  { f: '%20.2E|', a: [d(Infinity)], m: '             1.#JE+000|', u: '                 INF|' },
  { f: '%20.2E|', a: [bits(0x7ff8000000000000n)], m: '              1.#RE+000|', u: '                 NAN|' },
  { f: '%20.3E|', a: [d(Infinity)], m: '           1.#IOE+000|', u: '                 INF|' },
  { f: '%20.3E|', a: [bits(0x7ff8000000000000n)], m: '            1.#QOE+000|', u: '                 NAN|' },
  { f: '%20.4E|', a: [d(Infinity)], m: '         1.#INFE+000|', u: '                 INF|' },
  { f: '%20.4E|', a: [bits(0x7ff8000000000000n)], m: '          1.#QNBE+000|', u: '                 NAN|' },
  { f: '%20.5E|', a: [d(Infinity)], m: '        1.#INF0E+000|', u: '                 INF|' },
  { f: '%20.5E|', a: [bits(0x7ff8000000000000n)], m: '        1.#QNANE+000|', u: '                 NAN|' },
  { f: '%20.6E|', a: [d(Infinity)], m: '       1.#INF00E+000|', u: '                 INF|' },
  { f: '%20.6E|', a: [bits(0x7ff8000000000000n)], m: '       1.#QNAN0E+000|', u: '                 NAN|' },
  { f: '%20.7E|', a: [d(Infinity)], m: '      1.#INF000E+000|', u: '                 INF|' },
  { f: '%20.7E|', a: [bits(0x7ff8000000000000n)], m: '      1.#QNAN00E+000|', u: '                 NAN|' },
  { f: '%20.10E|', a: [d(Infinity)], m: '   1.#INF000000E+000|', u: '                 INF|' },
  { f: '%20.10E|', a: [bits(0x7ff8000000000000n)], m: '   1.#QNAN00000E+000|', u: '                 NAN|' },
  { f: '%020.2e|', a: [d(Infinity)], m: '00000000000001.#Je+000|', u: '                 inf|' },
  { f: '%-20.2e|', a: [d(Infinity)], m: '1.#J             e+000|', u: 'inf                 |' },
  { f: '%+20.2e|', a: [d(Infinity)], m: '            +1.#Je+000|', u: '                +inf|' },
  { f: '%20.2e|', a: [d(-Infinity)], m: '            -1.#Je+000|', u: '                -inf|' },
  { f: '%20.3e|', a: [bits(0xfff8000000000000n)], m: '          -1.#IOe+000|', u: '           -nan(ind)|' },
  { f: '%020.3f|', a: [bits(0xfff8000000000000n)], m: '-000000000000001.#IO|', u: '           -nan(ind)|' },
  { f: '%#.9g|', a: [bits(0x7ff8000000000000n)], m: '1.#QNAN000|', u: 'nan|' },
  { f: '%-#14.9g|', a: [bits(0x7ff8000000000000n)], m: '1.#QNAN       |', u: 'nan           |' },
  { f: '%#14.9g|', a: [bits(0x7ff8000000000000n)], m: '    1.#QNAN000|', u: '           nan|' },
  { f: '%#.6g|', a: [d(Infinity)], m: '1.#INF0|', u: 'inf|' },
  { f: '%#.5g|', a: [d(Infinity)], m: '1.#INF|', u: 'inf|' },
  { f: '%#g|', a: [d(Infinity)], m: '1.#INF|', u: 'inf|' },
  { f: '%#.0g|', a: [d(Infinity)], m: '1.#INF|', u: 'inf|' },
  { f: '%#.10G|', a: [bits(0xfff8000000000000n)], m: '-1.#IND00000|', u: '-NAN(IND)|' },
  { f: '%0#15.10g|', a: [d(Infinity)], m: '00001.#INF00000|', u: '            inf|' },
  { f: '%-#15.10g|', a: [d(-Infinity)], m: '-1.#INF        |', u: '-inf           |' },
  { f: '%#.1g|', a: [d(Infinity)], m: '1|', u: 'inf|' },
  { f: '%#.7g|', a: [bits(0xfff8000000000000n)], m: '-1.#IND00|', u: '-nan(ind)|' },
  { f: '%-#.7g|', a: [bits(0xfff8000000000000n)], m: '-1.#IND  |', u: '-nan(ind)|' },
];

const WIDE: Case[] = [
  { f: '%d', a: [-42], m: '-42' },
  { f: '%5d|', a: [42], m: '   42|' },
  { f: '%lld', a: [-0x8000000000000000n], m: '-9223372036854775808' },
  { f: '%#x', a: [255], m: '0xff' },
  { f: '%c', a: [9786], m: '\u263a' },
  { f: '%c', a: [65], m: 'A' },
  { f: '%C', a: [65], m: 'A' },
  { f: '%hc', a: [66], m: 'B' },
  { f: '%lc', a: [9786], m: '\u263a' },
  { f: '%wc', a: [67], m: 'C' },
  { f: '%C', a: [321], m: 'A' },
  { f: '%hc', a: [489], m: '\u00e9', latin1: true },
  { f: '%s', a: [w('wide \u263a')], m: 'wide \u263a' },
  { f: '%S', a: [s('narrow')], m: 'narrow' },
  { f: '%hs', a: [s('narrow')], m: 'narrow' },
  { f: '%ls', a: [w('wide')], m: 'wide' },
  { f: '%ws', a: [w('wide')], m: 'wide' },
  { f: '%hS', a: [s('x')], m: 'x' },
  { f: '%lS', a: [w('y')], m: 'y' },
  { f: '%s', a: [0], m: '(null)' },
  { f: '%S', a: [0], m: '(null)' },
  { f: '%hs', a: [0], m: '(null)' },
  { f: '%.2s', a: [0], m: '(n' },
  { f: '%10s|', a: [w('abc')], m: '       abc|' },
  { f: '%-10S|', a: [s('abc')], m: 'abc       |' },
  { f: '%.2s', a: [w('abc')], m: 'ab' },
  { f: '%p', a: [4660], m: '0000000000001234' },
  { f: '%#p', a: [4660], m: '0X0000000000001234' },
  { f: '%f', a: [d(1.5)], m: '1.500000' },
  { f: '%e', a: [d(-1.5e-10)], m: '-1.500000e-010', u: '-1.500000e-10' },
  { f: '%g', a: [d(1000000)], m: '1e+006', u: '1e+06' },
  { f: '%a', a: [d(1)], m: '0x1.0000000000000p+0' },
  { f: '%f', a: [d(Infinity)], m: '1.#INF00', u: 'inf' },
  { f: '%f', a: [bits(0xfff8000000000000n)], m: '-1.#IND00', u: '-nan(ind)' },
  { f: '%g', a: [bits(0x7ff8000000000000n)], m: '1.#QNAN', u: 'nan' },
  { f: '%n%d', a: [N, 3], m: '3', u: INVALID, n: 0 },
  { f: '100%%', m: '100%' },
  { f: '%y', m: 'y' },
  { f: '%5y|', m: 'y|' },
  { f: '%Z', a: [0], m: 'Z' },
  { f: '%.3f %s', a: [d(2.0005), w('\u00e9t\u00e9')], m: '2.001 \u00e9t\u00e9' },
  { f: '%hs', a: [s('caf\u00e9')], m: 'caf\u00c3\u00a9', latin1: true },
  { f: '[%c]', a: [0], m: '[\u0000]' },
  { f: '%05s', a: [w('ab')], m: '000ab' },
  { f: '%.0s|', a: [w('ab')], m: '|' },
  { f: '%hS', a: [s('xy')], m: 'xy' },
  { f: '%lS', a: [w('xy')], m: 'xy' },
  { f: '%wS', a: [w('xy')], m: 'xy' },
  { f: '%hC', a: [65], m: 'A' },
  { f: '%lC', a: [321], m: '\u0141' },
  { f: '%hc', a: [65], m: 'A' },
  { f: '%lc', a: [321], m: '\u0141' },
  { f: '%S', a: [s('xy')], m: 'xy' },
  { f: '%hs', a: [s('xy')], m: 'xy' },
  { f: '%ws', a: [w('xy')], m: 'xy' },
  { f: '%-10f|', a: [d(Infinity)], m: '1.#INF    |', u: 'inf       |' },
  { f: '%.2f', a: [d(Infinity)], m: '1.#J', u: 'inf' },
  { f: '%F', a: [d(1)], m: '', u: '1.000000' },
  { f: '%Ts', a: [w('xy')], m: 'Ts', u: 'xy' },
  { f: '%Tc', a: [321], m: 'Tc', u: '\u0141' },
  { f: '%TS', a: [s('xy')], m: 'TS', u: '\u7978' },
  { f: '%TC', a: [321], m: 'TC', u: '\u0141' },
  { f: '%.0c|', a: [65], m: '|' },
  { f: '%05c', a: [65], m: '0000A' },
  { f: '%hn', a: [N], m: '', u: INVALID, n: 0 },
  { f: '%-30.20a|', a: [d(1)], m: '0x1.0000000000000   p+0       |' },
  { f: '%Ls', a: [w('xy')], m: 'xy' },
  { f: '%Lc', a: [321], m: '\u0141' },
  { f: '%LS', a: [s('xy')], m: 'xy' },
  { f: '%lls', a: [w('xy')], m: 'xy' },
  { f: '%hls', a: [w('xy')], m: 'xy' },
  { f: '%lhs', a: [s('xy')], m: 'xy' },
  { f: '%whs', a: [w('xy')], m: 'xy' },
  { f: '%hws', a: [w('xy')], m: 'xy' },
  { f: '%I64s', a: [w('xy')], m: 'xy' },
  { f: '%zs', a: [w('xy')], m: 'zs' },
  { f: '%c', a: [0x12345], m: '\u2345' },
  { f: '%.1s', a: [w('\ud83d\ude00')], m: '\ud83d' },
  { f: 'ab%hn', a: [N], m: 'ab', u: INVALID, n: 2 },
  { f: 'abc%n', a: [N], m: 'abc', u: INVALID, n: 3 },
  { f: 'ab%lln', a: [N], m: 'ab', u: INVALID, n: 2 },
];

describe('printf against msvcrt.dll and ucrtbase.dll (Wine 8)', () => {
  it(`formats ${NARROW.length} narrow cases like msvcrt.dll`, () => {
    checkAll(NARROW, false, true);
  });
  it(`formats ${NARROW.length} narrow cases like ucrtbase.dll`, () => {
    checkAll(NARROW, false, false);
  });
  it(`formats ${WIDE.length} wide cases like msvcrt.dll`, () => {
    checkAll(WIDE, true, true);
  });
  it(`formats ${WIDE.length} wide cases like ucrtbase.dll`, () => {
    checkAll(WIDE, true, false);
  });
});

describe('printf options and environment', () => {
  it('allows %n in UCRT mode after _set_printf_count_output (Wine: still a 4-byte store)', () => {
    for (const fmt of ['ab%n', 'ab%hn', 'ab%lln', 'ab%I64n']) {
      const { env, stores } = makeEnv([N]);
      formatNarrow(Uint8Array.from(utf16(fmt)), env, { msvcrt: false, countOutput: true });
      assert.deepEqual(stores, [{ ptr: N_TARGET, size: 4, value: 2n }], fmt);
    }
  });

  it('gives %s/%c their ISO meaning in wide UCRT formats on request', () => {
    // ucrtbase's __stdio_common_vswprintf without LEGACY_WIDE_SPECIFIERS, under Wine 8.
    const iso: FormatOptions = { msvcrt: false, isoWideSpecifiers: true };
    assert.equal(wideText('%s', [s('ab')], iso), 'ab');
    assert.equal(wideText('%S', [w('ab')], iso), 'ab');
    assert.equal(wideText('%hs|%ls|%ws|%Ts', [s('a'), w('b'), w('c'), w('d')], iso), 'a|b|c|d');
    assert.equal(wideText('%c%C', [0x41, 0x263a], iso), 'A\u263a');
  });

  it('converts between narrow and wide as UTF-8 by default', () => {
    assert.equal(narrowText('%S|%lc', [w('\u263a'), 0xe9]), '\xe2\x98\xba|\xc3\xa9');
    assert.equal(wideText('%S|%hs', [s('caf\u00e9'), s('\u263a')]), 'caf\u00e9|\u263a');
    assert.equal(narrowText('%.2S|', [w('\u00e9t\u00e9')]), '\xc3\xa9|');
  });

  it('lets a failing string read or conversion propagate', () => {
    assert.throws(() => narrowText('%s', [0x1234]), RangeError);
    assert.throws(() => narrowText('%S', [w('\u263a')], latin1Options), RangeError);
  });

  it('rejects a width or precision that overflows an int', () => {
    assert.throws(() => narrowText('%99999999999d', [1]), PrintfInvalidParameter);
    assert.throws(() => narrowText('%.2147483648f', [d(1)]), PrintfInvalidParameter);
  });

  it('takes a negative * precision as omitted, for floats too (Wine prints " 0." for -3)', () => {
    assert.equal(narrowText('%.*f|%.*e|%.*g|%10.*f|', [-3, d(1.25), -2, d(1.25), -9, d(1.25), -3, d(1.25)]),
      '1.250000|1.250000e+000|1.25|  1.250000|');
  });

  it('reads exactly one slot per argument, and none for an unknown conversion', () => {
    // "%5%" drops "%5" and starts over at the '%', so "%%n" is a literal "%n".
    const { env, used } = makeEnv([1, 2, 3, 4, 5, 6]);
    assert.equal(text(formatNarrow(Uint8Array.from(utf16('%y%*.*d%5%%n%lld%c')), env)), 'y03%n4\x05');
    assert.equal(used(), 5);
  });
});

/** A seeded xorshift generator: property tests that are the same on every run. */
function randomDoubles(seed: bigint, count: number): number[] {
  let x = seed;
  const view = new DataView(new ArrayBuffer(8));
  const out: number[] = [];
  while (out.length < count) {
    x ^= (x << 13n) & 0xffffffffffffffffn;
    x ^= x >> 7n;
    x ^= (x << 17n) & 0xffffffffffffffffn;
    view.setBigUint64(0, x, true);
    const v = view.getFloat64(0, true);
    if (Number.isFinite(v)) out.push(v);
  }
  return out;
}

describe('printf floating point exactness', () => {
  // ECMAScript's toFixed/toExponential are exact and round ties up in magnitude, as the CRT does.
  it('matches toFixed for %.Nf (N ≤ 100, |x| < 1e21)', () => {
    const values = randomDoubles(0x9e3779b97f4a7c15n, 3000)
      .map((v, i) => (i % 2 ? v : v % 1e6))
      .filter((v) => v !== 0 && Math.abs(v) < 1e21);
    values.forEach((v, i) => {
      const p = i % 101;
      assert.equal(narrowText(`%.${p}f`, [d(v)]), v.toFixed(p), `${v} %.${p}f`);
    });
  });

  it('matches toExponential for %.Ne (N ≤ 100)', () => {
    randomDoubles(0x2545f4914f6cdd1dn, 3000).forEach((v, i) => {
      const p = i % 101;
      const js = v
        .toExponential(p)
        .replace(/e([+-])(\d+)$/, (_, sign: string, exp: string) => `e${sign}${exp.padStart(3, '0')}`);
      assert.equal(narrowText(`%.${p}e`, [d(v)]), js, `${v} %.${p}e`);
    });
  });

  it('round-trips every double through %.17g', () => {
    for (const v of randomDoubles(0x853c49e6748fea9bn, 3000)) {
      assert.ok(Object.is(Number(narrowText('%.17g', [d(v)])), v), String(v));
    }
  });
});
