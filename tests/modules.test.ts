// kernel32 modules, end to end: LoadLibraryEx and its flags, reference counts and DllMain
// detach, GetModuleHandleEx, the DLL search order; resources and version information.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DllDirectories, LOAD_LIBRARY_SEARCH_DEFAULT_DIRS, LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR, LOAD_LIBRARY_SEARCH_USER_DIRS, LOAD_WITH_ALTERED_SEARCH_PATH } from '../src/kernel/dlldirs.js';
import { pathDirectories, searchDirectories, type SearchPlaces } from '../src/loader/dllsearch.js';
import { FIXTURES, runGuest, scratchDir, wineOutput } from './helpers.js';

/** Where Wine 8 is not Windows 10, modules.exe expects Windows: LoadLibraryEx refuses flags
 *  outside the low 16 bits and a non-NULL hFile with ERROR_INVALID_PARAMETER (Wine loads the
 *  DLL), and RemoveDllDirectory refuses a cookie it no longer knows (Wine says TRUE). */
function expectedModules(): string[] {
  return wineOutput('modules').map((line) => {
    if (line.startsWith('bad flag 0x10000') || line.startsWith('hFile set')) return line.slice(0, 35) + 'NULL err=87';
    if (line.startsWith('RemoveDllDirectory again')) return line.slice(0, 35) + 'FALSE err=87';
    return line;
  });
}

describe('kernel32 modules', () => {
  it('modules.exe: reference counts, DllMain detach, GetModuleHandleEx, data files, errors, search order', () => {
    const r = runGuest(FIXTURES + 'modules.exe', [], scratchDir());
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
    assert.deepEqual(r.stdout.split('\r\n'), [...expectedModules(), '']);
  });
});

describe('DLL search order', () => {
  const places = (dirs = new DllDirectories()): SearchPlaces => ({
    appDir: '/app',
    system32: '/c/windows/system32',
    systemDir: '/c/windows/system',
    windowsDir: '/c/windows',
    cwd: '/cwd',
    pathVar: '/usr/bin:/bin',
    dirs,
    toUnix: (dos) => (dos.startsWith('Z:\\') ? '/' + dos.slice(3).replace(/\\/g, '/') : undefined),
  });
  it('is the application directory, the system directories, the current directory, then PATH', () => {
    assert.deepEqual(searchDirectories(places(), 0), ['/app', '/c/windows/system32', '/c/windows/system', '/c/windows', '/cwd', '/usr/bin', '/bin']);
  });
  it('puts SetDllDirectory\'s directory after the application directory and drops the current one', () => {
    const d = new DllDirectories();
    d.dllDirectory = 'Z:\\plugins';
    assert.deepEqual(searchDirectories(places(d), 0), ['/app', '/plugins', '/c/windows/system32', '/c/windows/system', '/c/windows', '/usr/bin', '/bin']);
    d.dllDirectory = '';
    assert.ok(!searchDirectories(places(d), 0).includes('/cwd'));
  });
  it('starts from the DLL\'s own directory with LOAD_WITH_ALTERED_SEARCH_PATH', () => {
    assert.equal(searchDirectories(places(), LOAD_WITH_ALTERED_SEARCH_PATH, '/lib/x')[0], '/lib/x');
  });
  it('searches only the named places with LOAD_LIBRARY_SEARCH_* flags or SetDefaultDllDirectories', () => {
    const d = new DllDirectories();
    d.add('Z:\\u1');
    d.add('Z:\\u2');
    assert.deepEqual(searchDirectories(places(d), LOAD_LIBRARY_SEARCH_USER_DIRS), ['/u1', '/u2']);
    assert.deepEqual(searchDirectories(places(d), LOAD_LIBRARY_SEARCH_DEFAULT_DIRS | LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR, '/lib/x'), ['/lib/x', '/app', '/u1', '/u2', '/c/windows/system32']);
    d.defaultFlags = LOAD_LIBRARY_SEARCH_USER_DIRS;
    assert.deepEqual(searchDirectories(places(d), 0), ['/u1', '/u2']);
  });
  it('reads PATH in the Unix form the host passes or the DOS form a program sets', () => {
    const toUnix = (dos: string): string | undefined => (dos.toUpperCase().startsWith('Z:\\') ? '/' + dos.slice(3).replace(/\\/g, '/') : undefined);
    assert.deepEqual(pathDirectories('/usr/bin::/bin', toUnix), ['/usr/bin', '/bin']);
    assert.deepEqual(pathDirectories('Z:\\opt\\bin;Q:\\nowhere;z:\\tools', toUnix), ['/opt/bin', '/tools']);
    assert.deepEqual(pathDirectories(undefined, toUnix), []);
  });
});
