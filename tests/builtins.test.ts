// Node built-ins loaded on first use (src/host/builtins.ts): the same module objects as an
// import gives, through process.getBuiltinModule and through the require kept for Node 20
// before 20.16, which lacks it.
import assert from 'node:assert/strict';
import * as os from 'node:os';
import * as v8 from 'node:v8';
import { describe, it } from 'node:test';
import { builtin } from '../src/host/builtins.js';

describe('builtin', () => {
  it('gives the module an import gives', () => {
    assert.equal(builtin<typeof os>('node:os').hostname, os.hostname);
    assert.equal(builtin<typeof v8>('node:v8').serialize, v8.serialize);
  });

  it('requires the module where process.getBuiltinModule is missing', () => {
    const p = process as { getBuiltinModule?: unknown };
    const saved = Object.getOwnPropertyDescriptor(p, 'getBuiltinModule');
    Object.defineProperty(p, 'getBuiltinModule', { value: undefined, configurable: true, writable: true });
    try {
      assert.equal(builtin<typeof os>('node:os').hostname, os.hostname);
      assert.throws(() => builtin('node:no-such-module'));
    } finally {
      if (saved) Object.defineProperty(p, 'getBuiltinModule', saved);
      else delete p.getBuiltinModule;
    }
  });
});
