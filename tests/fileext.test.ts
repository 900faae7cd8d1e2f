// Files beyond CreateFile (fileext.exe, checked under Wine 8): byte-range locks, ReplaceFile,
// GetFileInformationByHandleEx / SetFileInformationByHandle, DeviceIoControl probes, and file
// mappings backed by files and by the paging file.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { describe, it } from 'node:test';
import { FIXTURES, runGuest, scratchDir, wineOutput } from './helpers.js';

describe('files: locks, replace, information classes, mappings', () => {
  it('behaves as under Wine, except where Wine departs from Windows', () => {
    const dir = scratchDir();
    const r = runGuest(FIXTURES + 'fileext.exe', [], dir);
    assert.equal(r.status, 0, r.stdout + r.stderr);
    // Deliberate differences, each Windows behaviour that Wine does not have:
    // - locks are mandatory: reading another handle's exclusive range, or writing a range under
    //   a shared lock (even one's own), fails with ERROR_LOCK_VIOLATION (LockFileEx docs);
    // - unlocking a range that is not locked is STATUS_RANGE_NOT_LOCKED → ERROR_NOT_LOCKED (158);
    // - FileStandardInfo reports DeletePending once FileDispositionInfo set it;
    // - an unknown file-system control is ERROR_INVALID_FUNCTION, as the issue asks (Wine: 50).
    const differences: Record<string, string> = {
      "ReadFile(b) in a's exclusive lock = 1 err 33": "ReadFile(b) in a's exclusive lock = 0 err 33",
      'UnlockFile(a, 0..5) not a lock = 0 err 33': 'UnlockFile(a, 0..5) not a lock = 0 err 158',
      'UnlockFile again = 0 err 33': 'UnlockFile again = 0 err 158',
      'WriteFile(a) into a shared lock = 1 err 33': 'WriteFile(a) into a shared lock = 0 err 33',
      'FileDispositionInfo 1: delete pending 0': 'FileDispositionInfo 1: delete pending 1',
      'unknown control = 0 err 50': 'unknown control = 0 err 1',
    };
    const expected = wineOutput('fileext').map((l) => differences[l] ?? l);
    assert.deepEqual(r.stdout.split('\r\n').slice(0, -1), expected);
    // Everything the fixture made is gone, and so is the named mapping's shared memory.
    assert.deepEqual(readdirSync(dir), []);
    assert.equal(existsSync(`/dev/shm/winrun-${process.getuid?.() ?? 0}-winrun_fixture_map`), false);
  });
});
