// The process's shared dispatch log (src/loader/dispatchlog.ts): ids are taken once across
// threads (two logs over one buffer stand for two threads), and any thread reads back what
// another wrote: a builtin table's rows by position, a trap's DLL and function names.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DispatchLog } from '../src/loader/dispatchlog.js';

describe('dispatch log', () => {
  it('gives each id once and lets another thread read its entry', () => {
    const a = new DispatchLog();
    const b = new DispatchLog(a.buffer);
    assert.equal(a.appendBuiltin(1, 500), 0);
    assert.equal(b.appendBuiltin(9, 3), 500, 'the second thread takes the ids after the first');
    assert.equal(a.appendTrap('SHELL32.dll', 'ShellExecuteW'), 503);
    assert.deepEqual(b.record(0), [1, 0]);
    assert.deepEqual(b.record(499), [1, 499]);
    assert.deepEqual(a.record(502), [9, 2]);
    assert.deepEqual(b.record(503), ['SHELL32.dll', 'ShellExecuteW']);
    assert.equal(a.record(504), undefined, 'ids nobody took have no entry');
    assert.equal(a.record(-1), undefined);
    assert.equal(a.record(1e9), undefined);
  });

  it('keeps names that are not ASCII, and empty ones', () => {
    const log = new DispatchLog();
    const id = log.appendTrap('naïve.dll', '');
    assert.deepEqual(log.record(id), ['naïve.dll', '']);
  });

  it('past its capacity, still gives distinct ids, without entries', () => {
    const log = new DispatchLog();
    const first = log.appendBuiltin(0, 40000);
    assert.equal(first, 0);
    assert.deepEqual(log.record(32767), [0, 32767]);
    assert.equal(log.record(32768), undefined);
    assert.equal(log.appendTrap('a.dll', 'f'), 40000);
    assert.equal(log.record(40000), undefined);
  });
});
