// kernel32 memory, end to end: virtual memory, the JIT workflow, the IsBad*Ptr probes, the
// Global/Local allocators and GlobalMemoryStatusEx; plus the address space's own new rules.
import assert from 'node:assert/strict';
import { freemem, totalmem } from 'node:os';
import { describe, it } from 'node:test';
import { AddressSpace } from '../src/native/memory.js';
import { GuestMemoryError, isValidProtection, MEM_IMAGE, PAGE_EXECUTE_READ, PAGE_EXECUTE_WRITECOPY, PAGE_GUARD, PAGE_NOACCESS, PAGE_READONLY, PAGE_READWRITE } from '../src/native/memprotect.js';
import { FIXTURES, runGuest, wineOutput } from './helpers.js';

/**
 * memory.exe prints what Wine 8 prints, except where Wine is not Windows 10; there winrun
 * follows Windows (Microsoft's documentation, and the results Wine's and ReactOS's conformance
 * tests record from Windows):
 *  - PAGE_GUARD cannot be combined with PAGE_NOACCESS, and MEM_RESET stands alone (both
 *    ERROR_INVALID_PARAMETER); Wine accepts both;
 *  - MEM_LARGE_PAGES without SeLockMemoryPrivilege is ERROR_PRIVILEGE_NOT_HELD, not 87;
 *  - freeing, decommitting or protecting memory that is not allocated is ERROR_INVALID_ADDRESS
 *    (STATUS_MEMORY_NOT_ALLOCATED); Wine says ERROR_INVALID_PARAMETER;
 *  - VirtualUnlock of pages that are not locked is ERROR_NOT_LOCKED (Wine does not track locks),
 *    and VirtualLock of uncommitted memory ERROR_NOACCESS (Wine: ERROR_ACCESS_DENIED, from mlock);
 *  - GlobalFlags/LocalFlags of an unmapped pointer is GMEM_INVALID_HANDLE, GlobalFree of one is
 *    ERROR_NOACCESS, and GlobalUnlock of a bad handle is TRUE with ERROR_INVALID_HANDLE, as
 *    Wine's later heap tests record from Windows (Wine 8 predates them).
 */
function expectedMemory(): string[] {
  const windows: Record<string, string> = {
    'protect GUARD|NOACCESS': 'NULL err=87',
    'MEM_RESET|MEM_COMMIT': 'NULL err=87',
    'MEM_LARGE_PAGES': 'NULL err=1314',
    'release again': 'FALSE err=487',
    'decommit freed': 'FALSE err=487',
    'free memory': 'FALSE err=487',
    'unlock again': 'FALSE err=158',
    'lock reserved': 'FALSE err=998',
    'lock free': 'FALSE err=998',
    'unlock 2 pages': 'FALSE err=158',
    'unlock 1 page': 'FALSE err=158',
  };
  let section = '';
  return wineOutput('memory').map((line) => {
    if (line.startsWith('-- ')) section = line;
    const key = line.slice(0, 28).trimEnd();
    if (key in windows) return line.slice(0, 29) + windows[key];
    if (line.startsWith('flags of junk:')) return section === '-- GlobalAlloc' ? 'flags of junk: 0x8000 err=6' : 'flags of junk: 0x8000 err=998';
    if (line.startsWith('free junk:')) return 'free junk: junk err=998';
    if (line.startsWith('unlock junk handle:') && section === '-- GlobalAlloc') return 'unlock junk handle: 1 err=6';
    return line;
  });
}

describe('kernel32 memory', () => {
  it('memory.exe: VirtualAlloc/Free/Protect/Query/Lock, IsBad*Ptr, Global and Local allocators', () => {
    const r = runGuest(FIXTURES + 'memory.exe');
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
    // A released range is free up to the next mapping, wherever the host put that: only its
    // start, state and a size of at least the released 192 KiB are the program's to know.
    const freeSize = /^(released .* size=)(0x[0-9a-f]+)( free .*)$/;
    const lines = r.stdout.split('\r\n').map((l) => {
      const m = freeSize.exec(l);
      return m && Number(m[2]) >= 0x30000 ? `${m[1]}0x30000${m[3]}` : l;
    });
    assert.deepEqual(lines, [...expectedMemory(), '']);
  });

  it('jit.exe: write code, VirtualProtect to PAGE_EXECUTE_READ, FlushInstructionCache, call, re-patch', () => {
    const r = runGuest(FIXTURES + 'jit.exe');
    assert.equal(r.stderr, '');
    assert.equal(r.status, 0);
    assert.deepEqual(r.stdout.split('\r\n'), [...wineOutput('jit'), '']);
  });

  it('GlobalMemoryStatusEx reports the host: dwLength checked, physical memory as Linux says', () => {
    const r = runGuest(FIXTURES + 'memory.exe', ['status']);
    assert.equal(r.status, 0);
    const v = new Map(r.stdout.split('\r\n').flatMap((l) => [...l.matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1]!, m[2]!] as const)));
    assert.match(r.stdout, /^no length: 0 err=87\r\n/);
    assert.equal(v.get('ok'), '1');
    assert.equal(Number(v.get('TotalPhys')), totalmem());
    const avail = Number(v.get('AvailPhys'));
    assert.ok(Math.abs(avail - freemem()) < totalmem() / 20, `AvailPhys ${avail} is near the host's ${freemem()}`);
    assert.ok(Number(v.get('TotalPageFile')) >= totalmem());
    assert.ok(Number(v.get('AvailPageFile')) >= avail);
    const load = Number(v.get('load'));
    assert.ok(load >= 0 && load <= 100);
    assert.equal(v.get('TotalVirtual'), '0x7ffffffe0000', 'the x64 user range 0x10000..0x7ffffffeffff');
    const availVirtual = Number(v.get('AvailVirtual'));
    assert.ok(availVirtual > 0 && availVirtual < 0x7ffffffe0000);
    assert.equal(v.get('AvailExtendedVirtual'), '0');
    assert.match(r.stdout, new RegExp(`legacy length=56 TotalPhys=${totalmem()} TotalVirtual=0x7ffffffe0000`));
  });
});

describe('address space: Windows rules added for the memory APIs', () => {
  const mem = new AddressSpace();
  it('validates protections: one base value, at most one modifier, none with NOACCESS', () => {
    assert.ok(isValidProtection(PAGE_READWRITE));
    assert.ok(isValidProtection(PAGE_READWRITE | PAGE_GUARD));
    assert.ok(isValidProtection(PAGE_READONLY | 0x200));
    assert.ok(!isValidProtection(PAGE_NOACCESS | PAGE_GUARD));
    assert.ok(!isValidProtection(PAGE_READONLY | PAGE_READWRITE));
    assert.ok(!isValidProtection(PAGE_READWRITE | PAGE_GUARD | 0x200));
    assert.ok(!isValidProtection(0));
    assert.ok(!isValidProtection(0x800));
  });
  it('rounds a requested address down to 64 KiB and covers every page of the request', () => {
    const probe = mem.allocate(0, 0x20000, false, PAGE_READWRITE);
    mem.release(probe);
    const base = mem.allocate(probe + 0x12345, 0x2000, false, PAGE_READONLY);
    assert.equal(base, probe + 0x10000);
    assert.equal(mem.query(base).regionSize, 0x5000);
    mem.release(base);
  });
  it('answers probes from the region map, across adjacent allocations, without faulting', () => {
    const base = mem.allocate(0, 0x3000, true, PAGE_READWRITE);
    mem.protect(base + 0x1000, 0x1000, PAGE_READONLY);
    mem.protect(base + 0x2000, 0x1000, PAGE_EXECUTE_READ);
    assert.ok(mem.accessible(base, 0x3000, 'read'));
    assert.ok(!mem.accessible(base + 0xfff, 2, 'write'));
    assert.ok(mem.accessible(base + 0x2000, 1, 'execute'));
    assert.ok(!mem.accessible(base, 1, 'execute'));
    assert.ok(!mem.accessible(base + 0x2fff, 2, 'read'), 'runs past the allocation');
    assert.ok(mem.accessible(0, 0, 'read'), 'an empty range');
    assert.ok(!mem.accessible(0x7fffffff0000, 1, 'read'), 'beyond the user range');
    mem.release(base);
  });
  it('keeps a guard page inaccessible until the guard is lifted', () => {
    const base = mem.allocate(0, 0x2000, true, PAGE_READWRITE);
    mem.setU8(base, 42);
    mem.protect(base, 0x1000, PAGE_READWRITE | PAGE_GUARD);
    assert.equal(mem.query(base).protect, PAGE_READWRITE | PAGE_GUARD);
    assert.throws(() => mem.u8(base), GuestMemoryError);
    assert.ok(!mem.accessible(base, 1, 'read'));
    assert.ok(mem.liftGuard(base + 10));
    assert.ok(!mem.liftGuard(base + 10), 'the guard fires once');
    assert.equal(mem.u8(base), 42);
    assert.equal(mem.query(base).protect, PAGE_READWRITE);
    mem.release(base);
  });
  it('tracks VirtualLock per page; decommit drops the locks', () => {
    const base = mem.allocate(0, 0x10000, false, PAGE_READWRITE);
    mem.commit(base, 0x2000, PAGE_READWRITE);
    assert.equal(mem.setLocked(base + 0x2000, 1, true), 'uncommitted');
    assert.equal(mem.setLocked(base, 0x2000, true), 'ok');
    assert.equal(mem.setLocked(base, 0x1000, false), 'ok');
    assert.equal(mem.setLocked(base, 0x2000, false), 'not-locked', 'page 0 was unlocked already');
    assert.equal(mem.setLocked(base + 0x1000, 1, false), 'not-locked', 'the failed unlock still unlocked page 1');
    mem.setLocked(base, 0x1000, true);
    mem.decommit(base, 0x1000);
    assert.equal(mem.setLocked(base, 1, false), 'not-locked');
    assert.equal(mem.setLocked(base + 0x20000, 1, true), 'range');
    mem.release(base);
  });
  it('gives images the allocation protection PAGE_EXECUTE_WRITECOPY', () => {
    const base = mem.allocate(0, 0x2000, true, PAGE_READWRITE, MEM_IMAGE);
    assert.equal(mem.query(base).allocationProtect, PAGE_EXECUTE_WRITECOPY);
    mem.release(base);
  });
});
