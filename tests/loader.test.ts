// Loader logic that needs no process: DLL name normalisation, API-set resolution, search order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { dllSearchDirectories, normalizeDllName, resolveApiSet } from '../src/loader/apiset.js';

describe('DLL names', () => {
  it('are case-insensitive and get .dll when they have no extension (LoadLibrary rule)', () => {
    assert.equal(normalizeDllName('KERNEL32.DLL'), 'kernel32.dll');
    assert.equal(normalizeDllName('kernel32'), 'kernel32.dll');
    assert.equal(normalizeDllName('C:\\Windows\\System32\\MSVCRT.dll'), 'msvcrt.dll');
    assert.equal(normalizeDllName('plugin.ax'), 'plugin.ax');
  });
  it('resolve API sets through the schema to their host DLLs', () => {
    assert.equal(resolveApiSet('api-ms-win-crt-stdio-l1-1-0.dll'), 'ucrtbase.dll');
    assert.equal(resolveApiSet('API-MS-WIN-CRT-RUNTIME-L1-1-0.DLL'), 'ucrtbase.dll');
    assert.equal(resolveApiSet('api-ms-win-core-synch-l1-2-0'), 'kernel32.dll');
    assert.equal(resolveApiSet('api-ms-win-security-base-l1-1-0.dll'), 'advapi32.dll');
    assert.equal(resolveApiSet('api-ms-win-core-registry-l1-1-0.dll'), 'advapi32.dll');
    assert.equal(resolveApiSet('user32.dll'), 'user32.dll');
    assert.equal(resolveApiSet('api-ms-win-unknown-l1-1-0.dll'), 'api-ms-win-unknown-l1-1-0.dll');
  });
  it('are searched in the program directory, the current directory, then PATH', () => {
    assert.deepEqual(dllSearchDirectories('/opt/app', '/home/u', '/usr/bin:/bin'), ['/opt/app', '/home/u', '/usr/bin', '/bin']);
    assert.deepEqual(dllSearchDirectories('/opt/app', '/opt/app', '/opt/app::/bin'), ['/opt/app', '/bin']);
    assert.deepEqual(dllSearchDirectories('/a', '/b', undefined), ['/a', '/b']);
  });
});
