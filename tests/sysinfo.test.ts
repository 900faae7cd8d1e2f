// kernel32's time, system-information and process/environment functions: fixtures checked
// against Wine 8 (its prefix set to Windows 10) where the answer is the same everywhere, and
// against what Node and Linux say where it depends on the host (zone, processors, host name).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { cpus, hostname } from 'node:os';
import { describe, it } from 'node:test';
import { FIXTURES, WINRUN, wineOutput } from './helpers.js';

function run(exe: string, env: Record<string, string> = {}): string[] {
  const r = spawnSync(process.execPath, [WINRUN, FIXTURES + exe], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
  assert.equal(r.status, 0, `${exe} exited ${r.status}: ${r.stdout}${r.stderr}`);
  return r.stdout.replace(/\r\n/g, '\n').split('\n').slice(0, -1);
}

/** Wine's lines with the ones where winrun deliberately differs replaced. */
function wineWith(name: string, replace: Record<string, string>): string[] {
  const lines = wineOutput(name);
  for (const k of Object.keys(replace)) assert.ok(lines.includes(k), `${name}.wine.txt has no line ${k}`);
  return lines.map((l) => replace[l] ?? l);
}

function okLines(lines: string[]): void {
  for (const l of lines) assert.doesNotMatch(l, /^FAIL/);
  assert.equal(lines.at(-1), 'failures 0');
}

// ---- time -----------------------------------------------------------------------------------------

describe('timeapi.exe: FILETIME/SYSTEMTIME, DOS dates, privileges, named zones', () => {
  it('matches Wine, except where Windows validates more strictly', () => {
    const out = run('timeapi.exe', { TZ: 'Europe/Berlin' });
    const fixed = out.slice(0, out.indexOf('--- host') + 1);
    assert.deepEqual(
      fixed,
      wineWith('timeapi', {
        // Windows refuses February 29 of a common year ("leap year readiness" in the
        // SystemTimeToFileTime documentation); Wine accepts it as March 1.
        'st2ft 2023-02-29 00:00:00.000 = 133221024000000000': 'st2ft 2023-02-29 00:00:00.000 fails 87',
        // An MS-DOS date holds the years 1980-2107; Wine wraps 2108 round to 1980.
        'ft2dos 2108-01-01 00:00:00 r=1 date=0021 time=0000 err=0': 'ft2dos 2108-01-01 00:00:00 r=0 date=ffff time=ffff err=87',
        // Wine fails invalid MS-DOS dates without setting an error; winrun says why.
        'dos2ft 0001 0000 fails 57005': 'dos2ft 0001 0000 fails 87',
        'dos2ft 0020 0000 fails 57005': 'dos2ft 0020 0000 fails 87',
        'dos2ft 0021 c000 fails 57005': 'dos2ft 0021 c000 fails 87',
        'dos2ft 0021 001e fails 57005': 'dos2ft 0021 001e fails 87',
      }),
    );
  });
});

interface ZoneExpectation {
  zone: string;
  key: string;
  std: string;
  dlt: string;
  bias: number;
  dltbias: number;
  stddate: string;
  dltdate: string;
}

const ZONES: ZoneExpectation[] = [
  { zone: 'UTC', key: 'UTC', std: 'Coordinated Universal Time', dlt: 'Coordinated Universal Time', bias: 0, dltbias: 0, stddate: '0/0/0/0 00:00:00.000', dltdate: '0/0/0/0 00:00:00.000' },
  { zone: 'Europe/Berlin', key: 'W. Europe Standard Time', std: 'W. Europe Standard Time', dlt: 'W. Europe Daylight Time', bias: -60, dltbias: -60, stddate: '0/10/0/5 03:00:00.000', dltdate: '0/3/0/5 02:00:00.000' },
  { zone: 'America/New_York', key: 'Eastern Standard Time', std: 'Eastern Standard Time', dlt: 'Eastern Daylight Time', bias: 300, dltbias: -60, stddate: '0/11/0/1 02:00:00.000', dltdate: '0/3/0/2 02:00:00.000' },
  // Southern hemisphere: daylight time spans the new year, so DaylightDate comes after StandardDate.
  { zone: 'Australia/Sydney', key: 'AUS Eastern Standard Time', std: 'AUS Eastern Standard Time', dlt: 'AUS Eastern Daylight Time', bias: -600, dltbias: -60, stddate: '0/4/0/1 03:00:00.000', dltdate: '0/10/0/1 02:00:00.000' },
  // No daylight time: Windows' zone data still carries a daylight bias of -60.
  { zone: 'Asia/Kolkata', key: 'India Standard Time', std: 'India Standard Time', dlt: 'India Daylight Time', bias: -330, dltbias: -60, stddate: '0/0/0/0 00:00:00.000', dltdate: '0/0/0/0 00:00:00.000' },
];

/** Minutes east of UTC in `zone` at `ms`, as Node (ICU) computes it. */
function nodeOffset(zone: string, ms: number): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' }).formatToParts(ms).find((p) => p.type === 'timeZoneName')!.value;
  const m = /GMT([+-])(\d\d):(\d\d)/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 0;
}

const stamp = (ms: number): string => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

describe('timeapi.exe: the host zone as Windows describes it (TZ honoured)', () => {
  for (const z of ZONES) {
    it(`TZ=${z.zone}`, () => {
      const out = run('timeapi.exe', { TZ: z.zone });
      const host = out.slice(out.indexOf('--- host') + 1);
      const now = Date.now();
      const year = new Date(now).getUTCFullYear();
      const standard = Math.min(nodeOffset(z.zone, Date.UTC(year, 0, 1)), nodeOffset(z.zone, Date.UTC(year, 6, 1)));
      const hasDst = z.stddate !== '0/0/0/0 00:00:00.000';
      const id = !hasDst ? 0 : nodeOffset(z.zone, now) > standard ? 2 : 1;
      const tzi = `bias=${z.bias} std=[${z.std}] stdbias=0 stddate=${z.stddate} dlt=[${z.dlt}] dltbias=${z.dltbias} dltdate=${z.dltdate}`;
      assert.equal(host[0], `tzid ${id}`);
      assert.equal(host[1], `zone ${tzi}`);
      assert.equal(host[2], `key [${z.key}] dynamic-disabled 0`);
      assert.equal(host[4], `zone2024 ${tzi}`);
      assert.equal(z.bias + standard, 0, 'Node agrees on the standard offset');
      // Each fixed UTC instant: the local time Node computes, and back again.
      const conversions = host.filter((l) => l.startsWith('utc '));
      assert.equal(conversions.length, 11);
      for (const line of conversions) {
        const m = /^utc (\S+ \S+) -> 1 (\S+ \S+) dow=(\d) back 1 (\S+ \S+) \| rules2024 1 (\S+ \S+) back 1 (\d\d:\d\d)$/.exec(line);
        assert.ok(m, line);
        const utc = Date.parse(`${m[1]!.replace(' ', 'T')}Z`);
        const local = utc + nodeOffset(z.zone, utc) * 60_000;
        assert.equal(m[2], stamp(local), line);
        assert.equal(Number(m[3]), new Date(local).getUTCDay(), line);
        assert.equal(m[4], m[1], line);
        assert.equal(m[5], stamp(local), `${line} (with the 2024 rules)`);
        assert.equal(m[6], m[1]!.slice(11, 16), line);
      }
      assert.ok(host.includes(`localoffset ${nodeOffset(z.zone, Date.now())}`), 'GetLocalTime - GetSystemTime is the current offset');
      okLines(host);
    });
  }
});

// ---- system information ----------------------------------------------------------------------------

function cpuinfoField(name: string): string {
  const first = readFileSync('/proc/cpuinfo', 'utf8').split(/\n\s*\n/)[0]!;
  return new RegExp(`^${name}\\s*:\\s*(.*)$`, 'm').exec(first)?.[1]?.trim() ?? '';
}

function readList(path: string): number[] {
  const out: number[] = [];
  for (const part of readFileSync(path, 'utf8').trim().split(',')) {
    const [a, b] = part.split('-').map(Number);
    for (let i = a!; i <= (b ?? a!); i++) out.push(i);
  }
  return out;
}

/** Cores, packages, nodes and caches per level as sysfs describes them. */
function sysfsTopology(): { cores: number; packages: number; nodes: number; caches: number[] } {
  const sys = '/sys/devices/system/cpu';
  const online = readList(`${sys}/online`);
  const t = (c: number, f: string): string => readFileSync(`${sys}/cpu${c}/topology/${f}`, 'utf8').trim();
  const cores = new Set(online.map((c) => `${t(c, 'physical_package_id')}/${t(c, 'core_id')}`));
  const packages = new Set(online.map((c) => t(c, 'physical_package_id')));
  const caches = [0, 0, 0, 0];
  const seen = new Set<string>();
  for (const c of online) {
    for (const idx of readdirSync(`${sys}/cpu${c}/cache`).filter((e) => e.startsWith('index'))) {
      const d = `${sys}/cpu${c}/cache/${idx}`;
      const level = Number(readFileSync(`${d}/level`, 'utf8'));
      const key = `${level}/${readFileSync(`${d}/type`, 'utf8').trim()}/${readFileSync(`${d}/shared_cpu_list`, 'utf8').trim()}`;
      if (!seen.has(key) && level <= 3) caches[level]!++;
      seen.add(key);
    }
  }
  const nodes = readdirSync('/sys/devices/system/node').filter((n) => /^node\d+$/.test(n)).length;
  return { cores: cores.size, packages: packages.size, nodes: Math.max(nodes, 1), caches };
}

/** What winrun reports where Wine 8 (configured as Windows 10) differs on purpose. */
const VERSION_DIFFERENCES: Record<string, string> = {
  // Windows 10 Pro reports VER_SUITE_SINGLEUSERTS; Wine reports no suite.
  'GetVersionExA(156) 6.2.9200 platform 2 csd [] sp 0.0 suite 0 product 1': 'GetVersionExA(156) 6.2.9200 platform 2 csd [] sp 0.0 suite 0x100 product 1',
  'GetVersionExW(284) 6.2.9200 platform 2 csd [] sp 0.0 suite 0 product 1': 'GetVersionExW(284) 6.2.9200 platform 2 csd [] sp 0.0 suite 0x100 product 1',
  'verify suite and: 0 1150': 'verify suite and: 1 0',
  // A wrong dwOSVersionInfoSize is ERROR_INSUFFICIENT_BUFFER for the W form too; Wine sets no error.
  'GetVersionExW(148) fails 57005': 'GetVersionExW(148) fails 122',
  'GetVersionExW(0) fails 57005': 'GetVersionExW(0) fails 122',
  // Wine accepts an unknown relationship; a processor group other than 0 is an invalid parameter.
  'bad relationship 1 57005': 'bad relationship 0 87',
  'group 1: 0 122; groups 1 1': 'group 1: 0 87; groups 1 1',
};

describe('sysinfo.exe: system information and the version a program sees', () => {
  it('without a manifest, GetVersion(Ex) says Windows 8 (6.2.9200) and RtlGetVersion 10.0, as Windows 10 and Wine do', () => {
    const out = run('sysinfo.exe');
    assert.deepEqual(out.filter((l) => !l.startsWith('host ')), wineWith('sysinfo', VERSION_DIFFERENCES));
    okLines(out);
  });
  it('with a manifest declaring Windows 10, they say 10.0.19045 (Wine 8 says build 18362)', () => {
    const out = run('sysinfo_manifest.exe');
    const wine = wineWith('sysinfo_manifest', {
      ...Object.fromEntries(Object.entries(VERSION_DIFFERENCES).map(([k, v]) => [k.replace('6.2.9200', '10.0.18362'), v.replace('6.2.9200', '10.0.19045')])),
      'GetVersion 47ba000a': 'GetVersion 4a65000a',
      'GetVersionExA(148) 10.0.18362 platform 2 csd [] after 0xcccc': 'GetVersionExA(148) 10.0.19045 platform 2 csd [] after 0xcccc',
      'GetVersionExW(276) 10.0.18362 platform 2 csd [] sp 0.0 suite 0 product 0': 'GetVersionExW(276) 10.0.19045 platform 2 csd [] sp 0.0 suite 0 product 0',
    });
    assert.deepEqual(out.filter((l) => !l.startsWith('host ')), wine);
  });
  it('reports the host processors: count, family, model, features, topology', () => {
    const out = run('sysinfo.exe');
    const n = cpus().length;
    const family = Number(cpuinfoField('cpu family'));
    const rev = ((Number(cpuinfoField('model')) & 0xff) << 8) | (Number(cpuinfoField('stepping')) & 0xff);
    assert.ok(out.includes(`host cpus ${n} level ${family} revision ${rev.toString(16).padStart(4, '0')}`), out.join('\n'));
    const flags = new Set(cpuinfoField('flags').split(/\s+/));
    const features = BigInt('0x' + out.find((l) => l.startsWith('host features '))!.slice(14));
    const has = (bit: number): boolean => ((features >> BigInt(bit)) & 1n) === 1n;
    const byFlag: [number, string][] = [[3, 'mmx'], [6, 'sse'], [8, 'tsc'], [10, 'sse2'], [12, 'nx'], [13, 'pni'], [14, 'cx16'], [17, 'xsave'], [28, 'rdrand'], [32, 'rdtscp'], [36, 'ssse3'], [37, 'sse4_1'], [38, 'sse4_2'], [39, 'avx'], [40, 'avx2'], [41, 'avx512f'], [42, 'erms']];
    for (const [bit, flag] of byFlag) assert.equal(has(bit), flags.has(flag), `PF ${bit} (${flag})`);
    for (const bit of [9, 23]) assert.ok(has(bit), `PF ${bit} is always present on x64`);
    for (const bit of [0, 1, 4, 5, 15, 16, 18, 19, 24, 25, 26, 27, 29, 30, 31, 34, 43, 44]) assert.ok(!has(bit), `PF ${bit} is never present on x64`);
    const t = sysfsTopology();
    assert.ok(out.includes(`host lpi cores ${t.cores} smt ${n > t.cores ? t.cores : 0} packages ${t.packages} nodes ${t.nodes} caches ${t.caches[1]} ${t.caches[2]} ${t.caches[3]}`), out.join('\n'));
  });
  it('names the computer after the host: NetBIOS upper-cased, DNS forms as they are', () => {
    const out = run('sysinfo.exe');
    const host = hostname();
    const label = host.split('.')[0]!;
    const netbios = label.toUpperCase().slice(0, 15);
    const domain = host.includes('.') ? host.slice(label.length + 1) : '';
    assert.ok(out.includes(`host netbios [${netbios}] 1 ${netbios.length}`), out.join('\n'));
    const names = [netbios, label, domain, host];
    for (let f = 0; f < 8; f++) {
      const name = names[f & 3]!;
      assert.ok(out.includes(`host ex ${f} [${name}] 1 ${name.length} first 0 234`), `format ${f}: ${out.join('\n')}`);
    }
  });
});

// ---- process and environment -------------------------------------------------------------------------

describe('procenv.exe: ExpandEnvironmentStrings, the environment block, this process', () => {
  it('matches Wine', () => {
    const out = run('procenv.exe');
    assert.deepEqual(out, wineOutput('procenv'));
    okLines(out);
  });
});
