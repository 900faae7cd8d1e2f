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

/**
 * rsrc.exe as under Wine 8, except: an enumeration stopped by its callback fails with
 * ERROR_RESOURCE_ENUM_USER_STOP (documented since Windows Vista; Wine leaves the last error
 * alone), and kernel32.dll's version information is winrun's builtin one (10.0.19041.1, the
 * Windows 10 version winrun reports) rather than Wine's.
 */
function expectedRsrc(): string[] {
  let inKernel32 = false;
  return wineOutput('rsrc').map((line) => {
    if (line.startsWith('types, stop at the first name:')) return line.replace('err=0', 'err=15106');
    if (line.startsWith('kernel32.dll:')) inKernel32 = true;
    if (!inKernel32) return line;
    return line
      .replace('file 10.0.18362.1350', 'file 10.0.19041.1')
      .replace('FileVersion=1 len=16 [10.0.18362.1350]', 'FileVersion=1 len=13 [10.0.19041.1]')
      .replace('ProductName=1 len=5 [Wine]', 'ProductName=1 len=7 [winrun]')
      .replace('CompanyName=1 len=22 [Microsoft Corporation]', 'CompanyName=1 len=7 [winrun]')
      .replace('FileDescription=1 len=16 [Wine kernel DLL]', 'FileDescription=1 len=30 [kernel32.dll (winrun builtin)]');
  });
}

describe('kernel32 modules', () => {
  it('modules.exe: reference counts, DllMain detach, GetModuleHandleEx, data files, errors, search order', () => {
    const r = runGuest(FIXTURES + 'modules.exe', [], scratchDir());
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
    assert.deepEqual(r.stdout.split('\r\n'), [...expectedModules(), '']);
  });
  it('rsrc.exe: FindResource(Ex) languages, LoadString, enumeration, data files, version information', () => {
    const r = runGuest(FIXTURES + 'rsrc.exe', [], scratchDir());
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
    // The fixtures' own directory appears as a Z: path, different on every checkout.
    const local = (l: string): string => l.replace(/^Z:\\.*\\(rsrc\.exe|plugin\.dll):/, '$1:');
    assert.deepEqual(r.stdout.split('\r\n').map(local), [...expectedRsrc().map(local), '']);
  });
  it('resources.exe: finds its resources by name, number and custom type and loads a string', () => {
    const r = runGuest(FIXTURES + 'resources.exe');
    assert.equal(r.status, 0);
    assert.match(r.stdout, /config=found num=found greeting=hello resources string2=\[second string\] ok/);
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
