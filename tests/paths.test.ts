// Path rules: GetFullPathName's string algorithm and the drive mapping with case-insensitive
// lookup. The fullPathName expectations are what Wine 8's GetFullPathNameW returns (the same
// cases run end to end in paths.exe).
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import { hostFs, type HostStat, type ListingStat } from '../src/host/fs.js';
import { fileTimeOf, fileTimeParts } from '../src/kernel/files.js';
import { DosDrives, dosDeviceName, filePartOffset, fullPathName } from '../src/kernel/paths.js';
import { wildcardMatch } from '../src/dlls/kernel32/findfile.js';

describe('fullPathName', () => {
  const cases: [string, string, string | undefined][] = [
    ['foo', 'C:\\', 'C:\\foo'],
    ['foo/bar/../baz', 'C:\\', 'C:\\foo\\baz'],
    ['..\\..\\..\\x', 'C:\\', 'C:\\x'],
    ['\\rooted\\p', 'C:\\work\\', 'C:\\rooted\\p'],
    ['C:rel', 'C:\\work\\', 'C:\\work\\rel'],
    ['c:rel', 'C:\\work\\', 'C:\\work\\rel'],
    ['D:y', 'C:\\work\\', 'D:\\y'],
    ['Z:', 'C:\\', 'Z:\\'],
    ['a.txt. . ', 'C:\\', 'C:\\a.txt'],
    ['dir. \\file', 'C:\\', 'C:\\dir. \\file'],
    ['dir..\\x', 'C:\\', 'C:\\dir.\\x'],
    ['...', 'C:\\', 'C:\\'],
    ['C:\\x\\..', 'C:\\', 'C:\\'],
    ['trail\\', 'C:\\', 'C:\\trail\\'],
    ['nul', 'C:\\', '\\\\.\\nul'],
    ['C:\\dir\\NUL.txt', 'C:\\', '\\\\.\\NUL'],
    ['com1 .log', 'C:\\', '\\\\.\\com1'],
    ['conx', 'C:\\', 'C:\\conx'],
    ['\\\\?\\C:\\a\\..\\b', 'C:\\', '\\\\?\\C:\\b'],
    ['\\\\.\\pipe\\x', 'C:\\', '\\\\.\\pipe\\x'],
    ['a//b\\\\c', 'C:\\', 'C:\\a\\b\\c'],
    ['', 'C:\\', undefined],
  ];
  for (const [input, cwd, want] of cases) {
    it(`${JSON.stringify(input)} in ${cwd} → ${JSON.stringify(want)}`, () => assert.equal(fullPathName(input, cwd), want));
  }
  it('file part: after the last separator, none for roots, trailing separators and devices', () => {
    assert.equal(filePartOffset('C:\\a\\b.txt'), 5);
    assert.equal(filePartOffset('C:\\'), -1);
    assert.equal(filePartOffset('C:\\a\\'), -1);
    assert.equal(filePartOffset('\\\\.\\nul'), -1);
    assert.equal(filePartOffset('\\\\.\\pipe\\x'), 9);
  });
  it('device names ignore extensions and trailing spaces, not other suffixes', () => {
    assert.equal(dosDeviceName('AUX.c'), 'AUX');
    assert.equal(dosDeviceName('lpt9'), 'lpt9');
    assert.equal(dosDeviceName('lpt0'), undefined);
    assert.equal(dosDeviceName('console'), undefined);
  });
});

describe('DosDrives', () => {
  const prefix = mkdtempSync(tmpdir() + '/winrun-paths-');
  const drives = new DosDrives(prefix, 'tester', hostFs);
  it('creates the prefix skeleton on first use of C:', () => {
    assert.equal(existsSync(prefix + '/drive_c/windows/system32'), false);
    const r = drives.resolve('C:\\windows');
    assert.deepEqual(r, { kind: 'file', unix: prefix + '/drive_c/windows' });
    assert.equal(existsSync(prefix + '/drive_c/windows/system32'), true);
    assert.equal(existsSync(prefix + '/drive_c/users/tester/AppData/Local/Temp'), true);
  });
  it('finds existing components case-insensitively and keeps a missing last one as given', () => {
    const base = mkdtempSync(tmpdir() + '/winrun-case-');
    mkdirSync(base + '/wr_dir');
    writeFileSync(base + '/wr_dir/g0.txt', 'x');
    const dos = drives.toDos(base);
    assert.deepEqual(drives.resolve(dos + '\\WR_DIR\\G0.TXT'), { kind: 'file', unix: base + '/wr_dir/g0.txt' });
    assert.deepEqual(drives.resolve(dos + '\\Wr_Dir\\New.txt'), { kind: 'file', unix: base + '/wr_dir/New.txt' });
    assert.deepEqual(drives.resolve(dos + '\\missing\\New.txt'), { kind: 'error', error: 3 });
  });
  it('maps Z: to / and other drives to nothing; toDos inverts both', () => {
    assert.deepEqual(drives.resolve('Z:\\'), { kind: 'file', unix: '/' });
    assert.deepEqual(drives.resolve('Q:\\x'), { kind: 'error', error: 3 });
    assert.equal(drives.toDos('/usr/lib'), 'Z:\\usr\\lib');
    assert.equal(drives.toDos(prefix + '/drive_c/users'), 'C:\\users');
    assert.deepEqual(drives.resolve('\\\\server\\share\\x'), { kind: 'error', error: 53 });
    assert.deepEqual(drives.resolve('\\\\.\\NUL'), { kind: 'device', device: 'NUL' });
    assert.deepEqual(drives.resolve('C:\\bad|name'), { kind: 'error', error: 123 });
  });
});

describe('wildcards', () => {
  const cases: [string, string, boolean][] = [
    ['*', 'anything.txt', true],
    ['*.*', 'noext', true],
    ['*.txt', 'A.TXT', true],
    ['*.txt', 'a.txt.bak', false],
    ['*.txt', 'a.b.txt', true],
    ['g?.txt', 'g0.txt', true],
    ['g?.txt', 'g.txt', true],
    ['g?.txt', 'g00.txt', false],
    ['*.', 'noext', true],
    ['*.', 'has.ext', false],
    ['a*', 'ABC', true],
    ['a*c', 'abd', false],
  ];
  for (const [mask, name, want] of cases) it(`${mask} ~ ${name}: ${want}`, () => assert.equal(wildcardMatch(mask, name), want));
});

describe('file times', () => {
  it('fileTimeParts (plain numbers, for directory listings) equals the BigInt conversion', () => {
    const cases: [number, number][] = [[0, 0], [1_700_000_000, 123_456_789], [-11_644_473_600, 0], [4_102_444_800, 999_999_999], [1, 50], [253_402_300_799, 999_999_900]];
    for (const [sec, nsec] of cases) {
      const [lo, hi] = fileTimeParts(sec, nsec);
      assert.equal((BigInt(hi) << 32n) | BigInt(lo), fileTimeOf(BigInt(sec) * 1_000_000_000n + BigInt(nsec)), `${sec}.${nsec}`);
    }
  });
  it('listingStatAt agrees with stat', () => {
    const dir = mkdtempSync(tmpdir() + '/winrun-lst-');
    writeFileSync(dir + '/f.txt', 'hello');
    mkdirSync(dir + '/d');
    const fd = hostFs.openDir(dir) as number;
    for (const n of ['f.txt', 'd', '.']) {
      const a = hostFs.listingStatAt(fd, n) as ListingStat;
      const b = hostFs.stat(`${dir}/${n}`) as HostStat;
      assert.equal(a.isDirectory, b.isDirectory);
      assert.equal(a.mode, b.mode);
      if (!a.isDirectory) assert.equal(BigInt(a.size), b.size);
      assert.equal(BigInt(a.mtimeSec) * 1_000_000_000n + BigInt(a.mtimeNsec), b.mtimeNs);
      assert.equal(BigInt(a.atimeSec) * 1_000_000_000n + BigInt(a.atimeNsec), b.atimeNs);
      assert.equal(BigInt(a.btimeSec) * 1_000_000_000n + BigInt(a.btimeNsec), b.birthtimeNs);
    }
    assert.equal((hostFs.listingStatAt(fd, 'missing') as { errno: string }).errno, 'ENOENT');
    hostFs.close(fd);
  });
});
