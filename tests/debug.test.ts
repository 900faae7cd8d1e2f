// Debug channel specs, relay filters and how the relay shows values.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DebugChannels, DebugSpecError } from '../src/kernel/debug.js';
import { formatValue, RelayFilter, RelayFilterError } from '../src/loader/relay.js';
import { AddressSpace } from '../src/native/memory.js';
import { PAGE_READWRITE } from '../src/native/memprotect.js';

describe('WINRUN_DEBUG specs', () => {
  it('default to err and fixme on every channel', () => {
    const d = new DebugChannels('');
    assert.ok(d.on('file', 'err') && d.on('file', 'fixme'));
    assert.ok(!d.on('file', 'warn') && !d.on('relay', 'trace'));
  });
  it('turn whole channels on and off, and single levels', () => {
    const d = new DebugChannels('+relay,+file,-heap,warn+seh');
    assert.ok(d.on('relay', 'trace') && d.on('file', 'warn'));
    assert.ok(!d.on('heap', 'err') && !d.on('heap', 'fixme'));
    assert.ok(d.on('seh', 'warn') && !d.on('seh', 'trace') && d.on('seh', 'fixme'));
  });
  it('apply "all" to every channel, in order', () => {
    assert.ok(new DebugChannels('warn+all').on('console', 'warn'));
    const quiet = new DebugChannels('+relay,-all');
    assert.ok(!quiet.on('relay', 'trace') && !quiet.on('stub', 'fixme') && !quiet.on('file', 'err'));
    assert.ok(new DebugChannels('-all,+relay').on('relay', 'trace'));
  });
  it('reject malformed items', () => {
    assert.throws(() => new DebugChannels('relay'), DebugSpecError);
    assert.throws(() => new DebugChannels('loud+relay'), DebugSpecError);
  });
  it('print a fixme once per call site, in Wine’s level:channel:function form', () => {
    const lines: string[] = [];
    const d = new DebugChannels('', (l) => lines.push(l));
    d.fixmeOnce('file', 'CreateFileW', 'a.exe+0x10', 'flag 0x4 ignored');
    d.fixmeOnce('file', 'CreateFileW', 'a.exe+0x10', 'flag 0x4 ignored');
    d.fixmeOnce('file', 'CreateFileW', 'a.exe+0x20', 'flag 0x4 ignored');
    d.log('file', 'warn', 'ReadFile', 'not shown');
    assert.deepEqual(lines, ['fixme:file:CreateFileW flag 0x4 ignored\n', 'fixme:file:CreateFileW flag 0x4 ignored\n']);
    new DebugChannels('-all', (l) => lines.push(l)).fixmeOnce('file', 'X', 's', 'silenced');
    assert.equal(lines.length, 2);
  });
});

describe('WINRUN_RELAY filters', () => {
  it('include DLLs or functions, exclude functions', () => {
    const f = new RelayFilter('include:kernel32,exclude:HeapAlloc');
    assert.ok(f.matches('KERNEL32.dll', 'CreateFileW'));
    assert.ok(!f.matches('KERNEL32.dll', 'HeapAlloc'));
    assert.ok(!f.matches('msvcrt.dll', 'printf'));
    assert.ok(new RelayFilter('').matches('msvcrt.dll', 'printf'));
    const g = new RelayFilter('include:msvcrt.dll!malloc,include:GetLastError');
    assert.ok(g.matches('msvcrt.dll', 'malloc') && !g.matches('msvcrt.dll', 'free') && g.matches('KERNEL32.dll', 'GetLastError'));
    assert.ok(!new RelayFilter('exclude:msvcrt').matches('MSVCRT.DLL', 'free'));
  });
  it('reject malformed items', () => {
    assert.throws(() => new RelayFilter('kernel32'), RelayFilterError);
  });
});

describe('relay values', () => {
  const mem = new AddressSpace();
  const p = mem.allocate(0, 0x1000, true, PAGE_READWRITE);
  mem.write(p, new TextEncoder().encode('say "hi"\\\t\n\x01é\0'));
  mem.writeWString(p + 0x100, 'wide');
  it('quote and escape strings, narrow and wide', () => {
    assert.equal(formatValue(mem, 'str', p), '"say \\"hi\\"\\\\\\t\\n\\x01é"');
    assert.equal(formatValue(mem, 'wstr', p + 0x100), 'L"wide"');
    assert.equal(formatValue(mem, 'str', 0), 'NULL');
    assert.equal(formatValue(mem, 'str', 0x10), '0x10 (bad pointer)');
  });
  it('show pointers and handles in hex, numbers in decimal (hex when large), booleans as words', () => {
    assert.equal(formatValue(mem, 'ptr', 0x7ff0001000), '0x7ff0001000');
    assert.equal(formatValue(mem, 'handle', -1), '0xffffffffffffffff');
    assert.equal(formatValue(mem, 'i32', -5), '-5');
    assert.equal(formatValue(mem, 'u32', 80), '80');
    assert.equal(formatValue(mem, 'u32', 0x80000000), '0x80000000');
    assert.equal(formatValue(mem, 'bool', 1), 'TRUE');
    assert.equal(formatValue(mem, 'f64', 2.5), '2.5');
  });
});
