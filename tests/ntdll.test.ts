// ntdll: the NTSTATUS → Win32 table and the pure parts of the run-time library, then the two
// fixtures end to end against Wine 8's output (tests/fixtures/expected/), except where noted.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allBits, countBits, findRun, longestRun, nextRun, setRange } from '../src/dlls/ntdll/bitmap.js';
import { uniform } from '../src/dlls/ntdll/rtlmisc.js';
import { dosDeviceSpan, dosPathType, RtlPathType } from '../src/dlls/ntdll/rtlpath.js';
import {
  ERROR_MR_MID_NOT_FOUND,
  knownStatuses,
  ntStatusFromWin32,
  ntSuccess,
  STATUS_ACCESS_DENIED,
  STATUS_BUFFER_OVERFLOW,
  STATUS_OBJECT_NAME_COLLISION,
  STATUS_OBJECT_NAME_NOT_FOUND,
  STATUS_OBJECT_PATH_NOT_FOUND,
  STATUS_SHARING_VIOLATION,
  win32FromNtStatus,
} from '../src/kernel/ntstatus.js';
import { FIXTURES, runGuest, scratchDir, wineOutput } from './helpers.js';

describe('NTSTATUS → Win32 (RtlNtStatusToDosError)', () => {
  it('maps the documented statuses', () => {
    const cases: [number, number][] = [
      [0, 0],
      [0xc0000034, 2], // OBJECT_NAME_NOT_FOUND → FILE_NOT_FOUND
      [0xc000003a, 3], // OBJECT_PATH_NOT_FOUND → PATH_NOT_FOUND
      [0xc0000022, 5], // ACCESS_DENIED
      [0xc0000008, 6], // INVALID_HANDLE
      [0xc0000017, 8], // NO_MEMORY → NOT_ENOUGH_MEMORY
      [0xc0000035, 183], // OBJECT_NAME_COLLISION → ALREADY_EXISTS
      [0xc0000043, 32], // SHARING_VIOLATION
      [0xc0000011, 38], // END_OF_FILE → HANDLE_EOF
      [0x80000005, 234], // BUFFER_OVERFLOW → MORE_DATA
      [0xc0000023, 122], // BUFFER_TOO_SMALL → INSUFFICIENT_BUFFER
      [0xc000000d, 87], // INVALID_PARAMETER
      [0xc0000002, 1], // NOT_IMPLEMENTED → INVALID_FUNCTION
      [0xc0000101, 145], // DIRECTORY_NOT_EMPTY → DIR_NOT_EMPTY
      [0xc0000005, 998], // ACCESS_VIOLATION → NOACCESS
      [0x00000103, 997], // PENDING → IO_PENDING
      [0xc000014b, 109], // PIPE_BROKEN → BROKEN_PIPE
    ];
    for (const [status, error] of cases) assert.equal(win32FromNtStatus(status), error, `0x${status.toString(16)}`);
  });
  it('passes FACILITY_NTWIN32 and customer codes through, and knows nothing else', () => {
    assert.equal(win32FromNtStatus(0xc0070005), 5);
    assert.equal(win32FromNtStatus(0x80070020), 32);
    assert.equal(win32FromNtStatus(0xe0001234), 0xe0001234);
    assert.equal(win32FromNtStatus(0xc0ffffff), ERROR_MR_MID_NOT_FOUND);
    assert.equal(win32FromNtStatus(0x12345678), ERROR_MR_MID_NOT_FOUND);
    assert.equal(win32FromNtStatus(-0x3fffffcc), 2, 'a negative (signed) NTSTATUS is the same code');
  });
  it('has one entry per status, each a Win32 error or an exception code', () => {
    const all = knownStatuses();
    assert.equal(new Set(all).size, all.length);
    assert.ok(all.length > 150);
    for (const s of all) assert.ok(win32FromNtStatus(s) !== ERROR_MR_MID_NOT_FOUND);
  });
  it("maps kernel/'s Win32 errors back to the status the NT calls return, round trip", () => {
    assert.equal(ntStatusFromWin32(2), STATUS_OBJECT_NAME_NOT_FOUND);
    assert.equal(ntStatusFromWin32(3), STATUS_OBJECT_PATH_NOT_FOUND);
    assert.equal(ntStatusFromWin32(80), STATUS_OBJECT_NAME_COLLISION);
    assert.equal(ntStatusFromWin32(32), STATUS_SHARING_VIOLATION);
    for (const e of [2, 3, 5, 6, 8, 32, 38, 87, 109, 112, 122, 123, 145, 183, 206, 267]) assert.equal(win32FromNtStatus(ntStatusFromWin32(e)), e, `error ${e}`);
    assert.ok(ntSuccess(0) && ntSuccess(0x103) && !ntSuccess(STATUS_BUFFER_OVERFLOW) && !ntSuccess(STATUS_ACCESS_DENIED));
  });
});

describe('RTL_BITMAP searches', () => {
  const bitmap = (size: number, set: [number, number][]): Uint8Array => {
    const b = new Uint8Array(Math.ceil(size / 32) * 4);
    for (const [start, n] of set) setRange(b, start, n, true);
    return b;
  };
  it('find runs from the hint, then from the start', () => {
    const b = bitmap(70, [
      [3, 5],
      [30, 4],
      [68, 2],
    ]);
    assert.equal(countBits(b, 70), 11);
    assert.equal(findRun(b, 70, 22, 0, false), 8);
    assert.equal(findRun(b, 70, 23, 0, false), 34);
    assert.equal(findRun(b, 70, 2, 69, true), 3);
    assert.equal(findRun(b, 70, 0, 5, false), 0xffffffff);
    assert.equal(findRun(b, 70, 71, 0, false), 0xffffffff);
    assert.ok(allBits(b, 3, 5, true) && !allBits(b, 3, 6, true));
  });
  it('find the longest and the next run', () => {
    const b = bitmap(70, [
      [3, 5],
      [30, 4],
      [68, 2],
    ]);
    assert.deepEqual(longestRun(b, 70, false), { start: 34, length: 34 });
    assert.deepEqual(longestRun(b, 70, true), { start: 3, length: 5 });
    assert.deepEqual(nextRun(b, 70, 0, false), { start: 0, length: 3 });
    assert.deepEqual(nextRun(b, 70, 5, false), { start: 8, length: 22 });
    assert.deepEqual(nextRun(bitmap(8, [[0, 8]]), 8, 0, false), { start: 8, length: 0 });
  });
});

describe('run-time library rules', () => {
  it('RtlUniform follows Windows', () => {
    assert.equal(uniform(1), 2147483569);
    assert.equal(uniform(2147483569), 1441);
    assert.equal(uniform(0x7ffffffe), 2147483626);
  });
  it('classify DOS paths (RtlDetermineDosPathNameType_U)', () => {
    assert.equal(dosPathType('C:\\x'), RtlPathType.DriveAbsolute);
    assert.equal(dosPathType('C:x'), RtlPathType.DriveRelative);
    assert.equal(dosPathType('\\\\server\\share'), RtlPathType.UncAbsolute);
    assert.equal(dosPathType('\\\\.\\pipe\\p'), RtlPathType.LocalDevice);
    assert.equal(dosPathType('\\\\?'), RtlPathType.RootLocalDevice);
    assert.equal(dosPathType('\\\\.x'), RtlPathType.UncAbsolute);
    assert.equal(dosPathType('/x'), RtlPathType.Rooted);
    assert.equal(dosPathType(''), RtlPathType.Relative);
  });
  it('find DOS device names (RtlIsDosDeviceName_U)', () => {
    assert.equal(dosDeviceSpan('C:\\dir\\con'), 0x000e0006);
    assert.equal(dosDeviceSpan('LPT9 '), 8);
    assert.equal(dosDeviceSpan('x:nul'), 0x00040006);
    assert.equal(dosDeviceSpan('conout$'), 14);
    assert.equal(dosDeviceSpan('\\\\.\\NUL'), 0);
    assert.equal(dosDeviceSpan('COM0'), 0);
  });
});

describe('ntdll end to end', () => {
  /** Where Wine 8 is not Windows, ntdll_rtl.exe expects Windows:
   *  - RtlFindLongestRunClear: Wine miscounts the run that the bitmap's end closes;
   *  - RtlTimeFieldsToTime refuses 29 February of a common year (Wine rolls it into March). */
  it('ntdll_rtl.exe: status table, counted strings, integers, paths, bitmaps, memory, time', () => {
    const expected = wineOutput('ntdll_rtl').map((line) => {
      if (line.startsWith('FindLongestRunClear:')) return 'FindLongestRunClear: 34 at 34';
      if (line.startsWith('TimeFieldsToTime 2023-02-29:')) return 'TimeFieldsToTime 2023-02-29: 0 77';
      return line;
    });
    const r = runGuest(FIXTURES + 'ntdll_rtl.exe', [], scratchDir());
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
    assert.deepEqual(r.stdout.split('\r\n'), [...expected, '']);
  });

  /** Where Wine 8 is not Windows, ntdll_nt.exe expects what Windows documents:
   *  - classes NtQueryInformationFile does not answer (directory listings, the set-only
   *    FileEndOfFileInformation) and NtSetInformationFile does not take are
   *    STATUS_INVALID_INFO_CLASS (Wine: not implemented, or success), likewise an unknown
   *    volume class (Wine: invalid parameter);
   *  - FileRenameInformation with a bare name renames within the file's directory (Wine:
   *    STATUS_OBJECT_PATH_SYNTAX_BAD), and a buffer shorter than the structure is
   *    STATUS_INFO_LENGTH_MISMATCH (MS-FSA), as for a short volume-information buffer;
   *  - after FileDispositionInformation, FileStandardInformation shows DeletePending;
   *  - cutting a file through a read-only handle is STATUS_ACCESS_DENIED (Wine: invalid handle);
   *  - FILE_DIRECTORY_FILE with FILE_NON_DIRECTORY_FILE is STATUS_INVALID_PARAMETER before
   *    the file is looked at;
   *  - a file on a drive is on a FILE_DEVICE_DISK (Wine says DISK_FILE_SYSTEM for Unix trees);
   *  - NtAllocateVirtualMemory names the bad parameter (size: _4, type: _5). */
  it('ntdll_nt.exe: NT file calls on kernel32 handles, file/volume/system/process information, memory', () => {
    const replace: Record<string, string> = {
      'FileDirectoryInformation on a file': 'c0000003',
      'FileEndOfFileInformation (set only)': 'c0000003',
      'FileRenameInformation (name only)': '00000000',
      '  attributes after': 'old ffffffff new 20',
      '  DeletePending': '1',
      'set FileEndOfFileInformation, read only': 'c0000022',
      'FileRenameInformation, 10 bytes': 'c0000004',
      'set class 9 (FileNameInformation)': 'c0000003',
      'DIRECTORY and NON_DIRECTORY': 'c000000d info=dead',
      FileFsDeviceInformation: '00000000 type=7 info=8',
      'FileFsDeviceInformation, 7 bytes': 'c0000004',
      'FS class 99': 'c0000003',
      'allocate 0 bytes': 'c00000f2',
      'allocate, bad type': 'c00000f3',
    };
    const expected = wineOutput('ntdll_nt').map((line) => {
      const m = /^(.{44}) -> /.exec(line);
      const label = m?.[1]!.trimEnd();
      return label !== undefined && label in replace ? `${m![1]} -> ${replace[label]}` : line;
    });
    const r = runGuest(FIXTURES + 'ntdll_nt.exe', [], scratchDir());
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
    const lines = r.stdout.split('\r\n');
    assert.deepEqual(lines, [...expected, '']);
    assert.ok(!lines.some((l) => l.endsWith(' FAIL')));
  });
});
