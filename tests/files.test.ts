// kernel32 files and paths, end to end: fixtures run in an empty directory of their own and
// must print what they print under Wine 8 (tests/fixtures/expected/), except where noted.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, runGuest, scratchDir, wineOutput } from './helpers.js';

/** Where Wine 8 is not Windows, files.exe expects Windows:
 *  - `*.` matches only names without an extension (cmd's `dir *.`); Wine matches everything;
 *  - a read-only file cannot be opened for writing; Wine run as root opens it. */
function expectedFiles(): string[] {
  return wineOutput('files').map((line) => {
    if (line.startsWith('find wr_dir\\*.   :')) return 'find wr_dir\\*.   : ./(0) ../(0) noext(0) sub/(0) end=18';
    if (line === 'open readonly for write allowed') return 'open readonly for write refused';
    return line;
  });
}

describe('kernel32 files and paths', () => {
  it('files.exe: dispositions, sharing, seeking, attributes, find, move/copy/delete, errors', () => {
    const r = runGuest(FIXTURES + 'files.exe', [], scratchDir());
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
    assert.deepEqual(r.stdout.split('\r\n'), [...expectedFiles(), '']);
  });
  it('paths.exe: GetFullPathName rules, devices, current directory, system directories', () => {
    const r = runGuest(FIXTURES + 'paths.exe', [], scratchDir());
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
    assert.deepEqual(r.stdout.split('\r\n'), [...wineOutput('paths'), '']);
  });
});
