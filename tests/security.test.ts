// advapi32's tokens, SIDs and account names, and the random number sources (advapi32, bcrypt,
// bcryptprimitives), end to end. Expected output is Wine 8's where Wine behaves as Windows 10
// does; the lines that differ say why.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { describe, it } from 'node:test';
import { FIXTURES, WINRUN, wineOutput } from './helpers.js';

function run(exe: string, args: string[] = []): { status: number | null; lines: string[]; stderr: string } {
  const env: Record<string, string | undefined> = { ...process.env };
  delete env.USERNAME;
  delete env.COMPUTERNAME;
  const r = spawnSync(process.execPath, [WINRUN, FIXTURES + exe, ...args], { encoding: 'utf8', timeout: 60_000, env });
  return { status: r.status, lines: r.stdout.split('\r\n').slice(0, -1), stderr: r.stderr };
}

/** The computer name winrun reports: the host name up to its first dot, upper case. */
const computerName = (hostname().split('.')[0] ?? '').toUpperCase().slice(0, 15);

/**
 * security.exe under Wine 8, with the lines where winrun differs:
 *  - winrun's user is a standard user at medium integrity, not elevated (TokenElevationType
 *    Default); Wine's default user is an elevated administrator (high integrity);
 *  - COMPUTERNAME is not in winrun's environment, so the domain prints as itself;
 *  - CopySid with a short buffer sets ERROR_INSUFFICIENT_BUFFER (RtlCopySid's
 *    STATUS_BUFFER_TOO_SMALL); Wine leaves the last error alone;
 *  - LookupAccountSid gives lengths without the NUL on success (Wine's own tests: the size a
 *    zero-size call asks for is that plus one); Wine 8 counts the NUL;
 *  - LookupPrivilegeNameA with a short buffer receives the size needed (documented); Wine 8
 *    leaves it; and Windows 10 names LUID 35 (SeCreateSymbolicLinkPrivilege), Wine 8 does not;
 *  - AdjustTokenPrivileges with a PreviousState buffer too small fails and changes nothing
 *    (NtAdjustPrivilegesToken's STATUS_BUFFER_TOO_SMALL), and PreviousState lists only the
 *    privileges whose state changed (documented); Wine 8 applies the change anyway and lists
 *    every privilege asked for.
 */
function expectedSecurity(): string[] {
  const ours: Record<string, string> = {
    'LookupAccountSidA user': `LookupAccountSidA user: 1 name=USERNAME domain=${computerName} use=1`,
    'CopySid short': 'CopySid short: 0 err=122',
    'CheckTokenMembership Administrators': 'CheckTokenMembership Administrators: 1 member=0',
    'LookupAccountSidA Administrators': 'LookupAccountSidA Administrators: 1 name=Administrators domain=BUILTIN use=4 lengths=14,7',
    TokenElevation: 'TokenElevation: probe=0 err=122 get=1 same-size=1 value=0',
    TokenElevationType: 'TokenElevationType: probe=0 err=122 get=1 same-size=1 value=1',
    integrity: 'integrity: S-1-16-8192 attributes=60',
    'LookupPrivilegeNameA short': 'LookupPrivilegeNameA short: 0 err=122 size=24',
    'LookupPrivilegeNameW 35': 'LookupPrivilegeNameW 35: 1 SeCreateSymbolicLinkPrivilege',
    'AdjustTokenPrivileges previous short': 'AdjustTokenPrivileges previous short: 0 err=122 needed=16',
    'AdjustTokenPrivileges disable': 'AdjustTokenPrivileges disable: 1 previous=1 luid=23 attributes=3 len=16',
    'AdjustTokenPrivileges again': 'AdjustTokenPrivileges again: 1 previous=0 len=4',
  };
  return wineOutput('security').map((line) => ours[line.slice(0, line.indexOf(':'))] ?? line);
}

/**
 * random.exe: Wine 8 has no bcryptprimitives.dll, so its output comes from the same program
 * built with -DNO_PROCESSPRNG (ProcessPrng over RtlGenRandom). winrun differs where Windows does:
 *  - BCryptGenRandom with both a handle and BCRYPT_USE_SYSTEM_PREFERRED_RNG is
 *    STATUS_INVALID_PARAMETER (documented: the handle must then be NULL); Wine ignores the handle;
 *  - an unknown algorithm is STATUS_NOT_FOUND; Wine 8 says STATUS_NOT_IMPLEMENTED.
 */
function expectedRandom(): string[] {
  const ours: Record<string, string> = {
    'BCryptGenRandom handle and flag': 'BCryptGenRandom handle and flag: c000000d',
    'BCryptOpenAlgorithmProvider unknown': 'BCryptOpenAlgorithmProvider unknown: c0000225',
  };
  return wineOutput('random').map((line) => ours[line.slice(0, line.indexOf(':'))] ?? line);
}

describe('advapi32 security and random numbers', () => {
  it('security.exe: tokens, SIDs, account and privilege names, AdjustTokenPrivileges', () => {
    const r = run('security.exe');
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
    assert.deepEqual(r.lines, expectedSecurity());
  });
  it('random.exe: RtlGenRandom, CryptGenRandom, BCryptGenRandom and ProcessPrng', () => {
    const r = run('random.exe');
    assert.equal(r.status, 0);
    assert.deepEqual(r.lines, expectedRandom());
    assert.match(r.stderr, /^fixme:bcrypt:BCryptOpenAlgorithmProvider algorithm NOPE is not provided \(only the RNG\) \(called from random\.exe\+0x[0-9a-f]+\)\n$/);
  });
  it('random.exe badptr: a buffer that is not there fails the call instead of crashing', () => {
    const r = run('random.exe', ['badptr']);
    assert.equal(r.stderr, '');
    assert.deepEqual(r.lines, ['badptr: 0 998 c000000d 0']);
  });
});
