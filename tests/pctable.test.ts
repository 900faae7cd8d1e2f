// kernel/pctable.ts: the exception walk's per-PC caches.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PcTable } from '../src/kernel/pctable.js';

describe('PcTable', () => {
  it('maps code addresses (above 4 GiB too) to values, replaces, and misses cleanly', () => {
    const t = new PcTable<string>(4);
    const pcs = [0x140001570, 0x7ff1743ffc40, 0x10000, 0x140001571, 0x240001570];
    pcs.forEach((pc, i) => t.set(pc, `v${i}`));
    assert.equal(t.size, 5);
    pcs.forEach((pc, i) => assert.equal(t.get(pc), `v${i}`));
    assert.equal(t.get(0x140001572), undefined);
    t.set(0x140001570, 'again');
    assert.equal(t.get(0x140001570), 'again');
    assert.equal(t.size, 5);
  });
  it('starts again empty when half full, and clear empties it', () => {
    const t = new PcTable<number>(4); // 16 slots, 8 entries
    for (let i = 1; i <= 8; i++) t.set(0x140000000 + 16 * i, i);
    assert.equal(t.size, 8);
    for (let i = 1; i <= 8; i++) assert.equal(t.get(0x140000000 + 16 * i), i);
    t.set(0x150000000, 9);
    assert.equal(t.size, 1);
    assert.equal(t.get(0x140000010), undefined);
    assert.equal(t.get(0x150000000), 9);
    t.clear();
    assert.equal(t.get(0x150000000), undefined);
    assert.equal(t.size, 0);
  });
});
