// The pure parts behind kernel32's time, version, processor and environment functions: FILETIME
// fields, Windows' zone rules and how they are derived from offset changes, the CLDR key table,
// manifests and VerifyVersionInfo, ExpandEnvironmentStrings. sysinfo.test.ts runs the fixtures.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { expandEnvironment } from '../src/dlls/kernel32/processenv.js';
import { versionForManifest, verifyVersion } from '../src/dlls/kernel32/osversion.js';
import { processorFeaturePresent } from '../src/dlls/kernel32/processors.js';
import { parseCpuList } from '../src/host/system.js';
import {
  dayOfWeekRule,
  fieldsOfMs,
  fieldsToFileTime,
  fileTimeToFields,
  isDaylightAtLocal,
  isDaylightAtUtc,
  localToUtcMs,
  ruleLocalMs,
  utcToLocalMs,
  zoneInfo,
  zoneRulesOfYear,
  ZERO_SYSTEMTIME,
  type SystemTime,
  type ZoneInfo,
} from '../src/kernel/timezone.js';
import { ianaZoneOf, windowsZoneKey, windowsZoneNames, windowsZoneTable } from '../src/kernel/tzkeys.js';

const st = (year: number, month: number, day: number, hour = 0, minute = 0, second = 0, milliseconds = 0): SystemTime => ({ year, month, dayOfWeek: 0, day, hour, minute, second, milliseconds });
const rule = (month: number, dayOfWeek: number, day: number, hour: number): SystemTime => ({ ...ZERO_SYSTEMTIME, month, dayOfWeek, day, hour });
const iso = (ms: number): string => new Date(ms).toISOString().slice(0, 19);

describe('FILETIME and SYSTEMTIME', () => {
  it('convert both ways over the whole FILETIME range', () => {
    assert.deepEqual(fileTimeToFields(0n), { ...st(1601, 1, 1), dayOfWeek: 1 });
    assert.equal(fileTimeToFields(0x7fffffffffffffffn)?.year, 30828);
    assert.equal(fileTimeToFields(0x8000000000000000n), undefined);
    assert.equal(fieldsToFileTime(st(1970, 1, 1)), 116444736000000000n);
    assert.equal(fieldsToFileTime(st(30828, 9, 14, 2, 48, 5, 477)), 0x7fffffffffffffffn / 10000n * 10000n);
    assert.equal(fieldsToFileTime(st(30828, 9, 14, 2, 48, 5, 478)), undefined);
  });
  it('refuse fields out of range, February 29 of a common year included', () => {
    assert.notEqual(fieldsToFileTime(st(2024, 2, 29)), undefined);
    for (const bad of [st(2023, 2, 29), st(1900, 2, 29), st(2024, 4, 31), st(1600, 12, 31), st(2024, 1, 1, 24), st(2024, 1, 1, 0, 0, 0, 1000)]) {
      assert.equal(fieldsToFileTime(bad), undefined, JSON.stringify(bad));
    }
  });
});

describe('transition rules in day-of-week-in-month form', () => {
  it('name the occurrence, 5 meaning the last', () => {
    assert.equal(dayOfWeekRule(fieldsOfMs(Date.UTC(2024, 2, 31, 2))).day, 5); // last Sunday of March
    assert.equal(dayOfWeekRule(fieldsOfMs(Date.UTC(2024, 2, 10, 2))).day, 2); // second Sunday
    assert.equal(dayOfWeekRule(fieldsOfMs(Date.UTC(2024, 9, 6, 2))).day, 1);
    assert.equal(dayOfWeekRule(fieldsOfMs(Date.UTC(2024, 8, 22, 2))).day, 4); // 4th Sunday of a 30-day month
    assert.equal(dayOfWeekRule(fieldsOfMs(Date.UTC(2024, 2, 29, 2))).year, 0);
  });
  it('fall on the right day of any year', () => {
    assert.equal(iso(ruleLocalMs(rule(3, 0, 5, 2), 2025)), '2025-03-30T02:00:00');
    assert.equal(iso(ruleLocalMs(rule(3, 0, 2, 2), 2025)), '2025-03-09T02:00:00');
    assert.equal(iso(ruleLocalMs(rule(2, 1, 5, 0), 2021)), '2021-02-22T00:00:00'); // 4 Mondays: "last" is the 4th
    assert.equal(iso(ruleLocalMs({ ...rule(6, 0, 15, 1), year: 2020 }, 2024)), '2024-06-15T01:00:00'); // absolute date
  });
});

const BERLIN = [{ at: Date.UTC(2024, 2, 31, 1), before: 60, after: 120 }, { at: Date.UTC(2024, 9, 27, 1), before: 120, after: 60 }];
const SYDNEY = [{ at: Date.UTC(2024, 3, 6, 16), before: 660, after: 600 }, { at: Date.UTC(2024, 9, 5, 16), before: 600, after: 660 }];

function zone(changes: typeof BERLIN, offset = 0): ZoneInfo {
  const rules = zoneRulesOfYear(2024, () => changes, () => offset);
  return { ...rules, standardName: 'S', daylightName: 'D', keyName: 'K', dynamicDaylightTimeDisabled: false };
}

describe('zone rules from offset changes', () => {
  it('northern hemisphere: daylight time starts on the standard clock, ends on the daylight clock', () => {
    const z = zone(BERLIN);
    assert.equal(z.bias, -60);
    assert.equal(z.daylightBias, -60);
    assert.deepEqual([z.daylightDate.month, z.daylightDate.dayOfWeek, z.daylightDate.day, z.daylightDate.hour], [3, 0, 5, 2]);
    assert.deepEqual([z.standardDate.month, z.standardDate.dayOfWeek, z.standardDate.day, z.standardDate.hour], [10, 0, 5, 3]);
  });
  it('southern hemisphere: the lower offset is standard time and daylight time spans the new year', () => {
    const z = zone(SYDNEY);
    assert.equal(z.bias, -600);
    assert.deepEqual([z.standardDate.month, z.standardDate.day, z.standardDate.hour], [4, 1, 3]);
    assert.deepEqual([z.daylightDate.month, z.daylightDate.day, z.daylightDate.hour], [10, 1, 2]);
    assert.ok(isDaylightAtUtc(z, Date.UTC(2025, 0, 1)));
    assert.ok(!isDaylightAtUtc(z, Date.UTC(2025, 6, 1)));
    assert.equal(iso(utcToLocalMs(z, Date.UTC(2025, 0, 1))), '2025-01-01T11:00:00');
    assert.equal(iso(utcToLocalMs(z, Date.UTC(2025, 6, 1))), '2025-07-01T10:00:00');
  });
  it('no change, or a lasting change of the base offset, is no daylight time', () => {
    assert.equal(zone([], 330).bias, -330);
    assert.equal(zone([], 330).standardDate.month, 0);
    const moved = zone([{ at: Date.UTC(2024, 4, 1), before: 180, after: 240 }], 240);
    assert.deepEqual([moved.bias, moved.daylightDate.month], [-240, 0]);
  });
  it('local → UTC: a skipped local time counts as daylight time, a repeated one as its daylight occurrence', () => {
    const z = zone(BERLIN);
    assert.ok(isDaylightAtLocal(z, Date.UTC(2024, 2, 31, 2, 30)));
    assert.equal(iso(localToUtcMs(z, Date.UTC(2024, 2, 31, 2, 30))), '2024-03-31T00:30:00');
    assert.equal(iso(localToUtcMs(z, Date.UTC(2024, 9, 27, 2, 30))), '2024-10-27T00:30:00');
    assert.equal(iso(localToUtcMs(z, Date.UTC(2024, 9, 27, 3, 0))), '2024-10-27T02:00:00');
  });
});

describe('zones by IANA name (ICU data, whatever the host zone)', () => {
  it('Chile changes at midnight, Lord Howe by half an hour, Tokyo never', () => {
    const chile = zoneInfo(2024, 'America/Santiago');
    assert.deepEqual([chile.keyName, chile.bias, chile.standardDate.month, chile.standardDate.hour, chile.daylightDate.month, chile.daylightDate.day, chile.daylightDate.hour], ['Pacific SA Standard Time', 240, 4, 0, 9, 2, 0]);
    const lordHowe = zoneInfo(2024, 'Australia/Lord_Howe');
    assert.deepEqual([lordHowe.bias, lordHowe.daylightBias], [-630, -30]);
    const tokyo = zoneInfo(2024, 'Asia/Tokyo');
    assert.deepEqual([tokyo.bias, tokyo.daylightBias, tokyo.standardDate.month, tokyo.standardName, tokyo.daylightName], [-540, -60, 0, 'Tokyo Standard Time', 'Tokyo Daylight Time']);
  });
});

describe('Windows zone keys (CLDR windowsZones)', () => {
  it('map IANA names to keys and back', () => {
    assert.equal(windowsZoneKey('Europe/Berlin'), 'W. Europe Standard Time');
    assert.equal(windowsZoneKey('Europe/Vienna'), 'W. Europe Standard Time');
    assert.equal(windowsZoneKey('UTC'), 'UTC');
    assert.equal(windowsZoneKey('Asia/Calcutta'), 'India Standard Time');
    assert.equal(windowsZoneKey('Mars/Olympus_Mons'), undefined);
    assert.equal(ianaZoneOf('eastern standard time'), 'America/New_York');
  });
  it('name zones as English Windows does', () => {
    assert.deepEqual(windowsZoneNames('Pacific Standard Time (Mexico)'), ['Pacific Standard Time (Mexico)', 'Pacific Daylight Time (Mexico)']);
    assert.deepEqual(windowsZoneNames('UTC'), ['Coordinated Universal Time', 'Coordinated Universal Time']);
    assert.deepEqual(windowsZoneNames('UTC-11'), ['UTC-11', 'UTC-11']);
    assert.deepEqual(windowsZoneNames('Russia Time Zone 3'), ['Russia TZ 3 Standard Time', 'Russia TZ 3 Daylight Time']);
  });
  it('list only zones ICU knows, each under one key', () => {
    const seen = new Map<string, string>();
    for (const [key, zones] of windowsZoneTable()) {
      for (const z of zones) {
        assert.doesNotThrow(() => new Intl.DateTimeFormat('en-US', { timeZone: z }), `${key}: ${z}`);
        assert.equal(seen.get(z), undefined, `${z} under ${key} and ${seen.get(z)}`);
        seen.set(z, key);
      }
    }
    assert.ok(windowsZoneTable().length > 130);
  });
});

describe('the version a manifest earns', () => {
  const manifest = (...ids: string[]): string => `<assembly><compatibility><application>${ids.map((i) => `<supportedOS Id="{${i}}"/>`).join('')}</application></compatibility></assembly>`;
  it('is 6.2 without a manifest, 6.3 for Windows 8.1, 10.0 for Windows 10', () => {
    assert.deepEqual(versionForManifest(undefined), { major: 6, minor: 2, build: 9200 });
    assert.deepEqual(versionForManifest(manifest('1f676c76-80e1-4239-95bb-83d0f6d0da78')), { major: 6, minor: 3, build: 9600 });
    assert.deepEqual(versionForManifest(manifest('1F676C76-80E1-4239-95BB-83D0F6D0DA78', '8e0f7a12-bfb3-4fe8-b9a5-48fd50a15a9a')), { major: 10, minor: 0, build: 19045 });
    assert.deepEqual(versionForManifest('<ms_compatibility:supportedOS Id="{8e0f7a12-bfb3-4fe8-b9a5-48fd50a15a9a}"/>').major, 10);
  });
});

describe('VerifyVersionInfo', () => {
  const want = { major: 0, minor: 0, build: 0, platform: 2, spMajor: 0, spMinor: 0, suite: 0, product: 1 };
  const ge = (bits: number[]): bigint => bits.reduce((m, b) => m | (3n << BigInt(3 * b)), 0n);
  const win10 = { major: 10, minor: 0, build: 19045 };
  it('compares major, minor and service pack as one version number', () => {
    assert.equal(verifyVersion(win10, { ...want, major: 6, minor: 3 }, 0x23, ge([1, 0, 5])), 'ok');
    assert.equal(verifyVersion(win10, { ...want, major: 10, minor: 1 }, 0x23, ge([1, 0, 5])), 'mismatch');
    assert.equal(verifyVersion({ major: 6, minor: 2, build: 9200 }, { ...want, major: 6, minor: 3 }, 0x03, ge([1, 0])), 'mismatch');
  });
  it('needs a type and a condition for each type', () => {
    assert.equal(verifyVersion(win10, want, 0, ge([1])), 'invalid');
    assert.equal(verifyVersion(win10, want, 0x02, 0n), 'invalid');
    assert.equal(verifyVersion(win10, want, 0x06, ge([1])), 'invalid');
  });
  it('tests suites with AND and OR', () => {
    assert.equal(verifyVersion(win10, { ...want, suite: 0x100 }, 0x40, 6n << 18n), 'ok');
    assert.equal(verifyVersion(win10, { ...want, suite: 0x300 }, 0x40, 6n << 18n), 'mismatch');
    assert.equal(verifyVersion(win10, { ...want, suite: 0x300 }, 0x40, 7n << 18n), 'ok');
  });
});

describe('ExpandEnvironmentStrings', () => {
  const env: Record<string, string> = { A: 'alpha', PCT: '50%', EMPTY: '' };
  const x = (s: string): string => expandEnvironment(s, (n) => env[n]);
  it('replaces known names and leaves the rest as written', () => {
    assert.equal(x('%A%/%A%'), 'alpha/alpha');
    assert.equal(x('%NOPE%A%'), '%NOPE%A%');
    assert.equal(x('%%'), '%%');
    assert.equal(x('100%'), '100%');
    assert.equal(x('%EMPTY%.'), '.');
    assert.equal(x('%PCT%A%'), '50%A%'); // values are not expanded again
  });
});

describe('processors', () => {
  it('map PF_* features to /proc/cpuinfo flags', () => {
    const flags = new Set(['sse2', 'pni', 'npt']);
    assert.ok(processorFeaturePresent(10, flags));
    assert.ok(processorFeaturePresent(13, flags));
    assert.ok(processorFeaturePresent(20, flags)); // second-level address translation (AMD)
    assert.ok(!processorFeaturePresent(39, flags));
    assert.ok(processorFeaturePresent(9, new Set())); // PAE: always on x64
    assert.ok(!processorFeaturePresent(19, flags)); // ARM NEON
    assert.ok(!processorFeaturePresent(200, flags));
  });
  it('read sysfs CPU lists', () => {
    assert.deepEqual(parseCpuList('0-3,8,10-11\n'), [0, 1, 2, 3, 8, 10, 11]);
    assert.deepEqual(parseCpuList(''), []);
  });
});
