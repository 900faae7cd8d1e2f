// The dispatcher's contract with API implementations, without running guest code: arguments
// decoded by signature from the guest stack, results converted to RAX/XMM0, bad guest pointers
// turned into ERROR_NOACCESS, and any other JS exception handed to the internal-error hook
// instead of unwinding into native code.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ApiContext, ExportRow } from '../src/dlls/types.js';
import { makeDispatcher, type DispatchEntry } from '../src/loader/dispatch.js';
import { TEB, THREAD_BLOCK_SIZE, WR } from '../src/native/layout.js';
import { AddressSpace } from '../src/native/memory.js';
import { PAGE_READWRITE } from '../src/native/memprotect.js';

/** `late`: the row the dispatch log gives for any id the entries lack (none: no thread took it). */
function setup(rows: ExportRow[], late?: ExportRow) {
  const mem = new AddressSpace();
  const teb = mem.allocate(0, THREAD_BLOCK_SIZE, true, PAGE_READWRITE);
  const stack = mem.allocate(0, 0x10000, true, PAGE_READWRITE);
  const rsp = stack + 0x8000;
  mem.setU64(teb + WR.GuestRsp, rsp);
  const entries: DispatchEntry[] = rows.map((row) => ({ dll: 'test.dll', row, trap: false }));
  const events: string[] = [];
  const ctx = { mem, teb } as unknown as ApiContext;
  const pendingEvents = new Int32Array(1);
  const dispatch = makeDispatcher(entries, mem, ctx, { teb, tid: 1, stackLow: stack, stackHigh: stack + 0x10000 }, {
    pendingEvents,
    terminateRequest: new Int32Array(1),
    terminated: () => undefined,
    ctrlEvents: () => {
      events.push(`ctrl ${pendingEvents[0]}`);
      pendingEvents[0] = 0;
    },
    trap: (e) => {
      events.push(`trap ${e.row.name}`);
      throw new Error('trap');
    },
    internalError: (e, err) => {
      events.push(`internal ${e.row.name}: ${(err as Error).message}`);
      return 0 as never;
    },
    lateEntry: () => (late ? { dll: 'late.dll', row: late, trap: false } : undefined),
    unknownEntry: (id) => {
      events.push(`unknown ${id}`);
      return 0 as never;
    },
    setVarargs: () => 0,
    stub: (e) => void events.push(`stub ${e.row.name}`),
    describe: (a) => `0x${a.toString(16)}`,
    unwind: () => void events.push('unwind'),
  });
  const args = (...v: bigint[]): void => v.forEach((x, i) => mem.setU64(rsp + 8 + 8 * i, x));
  return { mem, teb, rsp, dispatch, events, args };
}

describe('dispatcher', () => {
  it('decodes arguments by signature and converts results', () => {
    const seen: unknown[] = [];
    const t = setup([
      { name: 'Ints', args: ['i32', 'u32', 'i64', 'ptr', 'u8'], ret: 'i32', impl: (_c, ...a: unknown[]) => (seen.push(a), -1) },
      { name: 'Big', args: [], ret: 'u64', impl: () => 0xfedcba9876543210n },
    ]);
    t.args(0xffffffffn, 0xffffffffn, 0xfffffffffffffffen, 0x7fff12345678n, 0x1ffn);
    assert.equal(t.dispatch(0), 0xffffffffffffffffn, '-1 reaches RAX as all ones');
    assert.deepEqual(seen[0], [-1, 0xffffffff, -2n, 0x7fff12345678, 0xff]);
    assert.equal(t.dispatch(1), 0xfedcba9876543210n);
  });
  it('reads the first four floating-point arguments from the saved XMM registers and returns doubles in XMM0', () => {
    const t = setup([{ name: 'Mix', args: ['f64', 'i32', 'f64', 'f64', 'f64'], ret: 'f64', impl: (_c, a: number, b: number, c: number, d: number, e: number) => a + b + c + d + e }]);
    t.mem.setF64(t.teb + WR.ArgXmm, 1.5);
    t.mem.setF64(t.teb + WR.ArgXmm + 16, 0.25);
    t.mem.setF64(t.teb + WR.ArgXmm + 24, 2);
    t.args(0n, 10n, 0n, 0n, BigInt.asUintN(64, new BigInt64Array(new Float64Array([100]).buffer)[0]!));
    assert.equal(t.dispatch(0), 0);
    assert.equal(t.mem.f64(t.teb + WR.RetXmm0), 113.75);
  });
  it('turns an unchecked bad guest pointer into ERROR_NOACCESS', () => {
    const t = setup([{ name: 'Deref', args: ['ptr'], ret: 'u32', impl: (c: ApiContext, p: number) => c.mem.u32(p) }]);
    t.args(0x10n);
    assert.equal(t.dispatch(0), 0);
    assert.equal(t.mem.u32(t.teb + TEB.LastErrorValue), 998);
    assert.deepEqual(t.events, []);
  });
  it('hands any other exception to the internal-error hook', () => {
    const t = setup([{ name: 'Buggy', args: [], ret: 'u32', impl: () => { throw new TypeError('oops'); } }]);
    t.dispatch(0);
    assert.deepEqual(t.events, ['internal Buggy: oops']);
  });
  it('reports calls to missing functions through the trap hook', () => {
    const t = setup([{ name: 'Missing' }]);
    t.dispatch(0);
    assert.deepEqual(t.events.slice(0, 1), ['trap Missing']);
  });
  it('reports an id no thread took through unknownEntry', () => {
    const t = setup([{ name: 'Only', ret: 'u32', impl: () => 1 }]);
    assert.equal(t.dispatch(1), 0);
    assert.deepEqual(t.events, ['unknown 1']);
  });
  it('calls an id it has not met (another thread took it later) with the entry the log gives', () => {
    const seen: number[] = [];
    const t = setup([{ name: 'Only', ret: 'u32', impl: () => 1 }], { name: 'Late', args: ['u32'], ret: 'u32', impl: (_c, v: number) => (seen.push(v), v * 2) });
    t.args(21n);
    assert.equal(t.dispatch(3), 42);
    assert.equal(t.dispatch(3), 42, 'the entry is kept');
    assert.deepEqual(seen, [21, 21]);
    assert.deepEqual(t.events, []);
  });
  it('reports stubs, returns 0 and sets ERROR_CALL_NOT_IMPLEMENTED', () => {
    const t = setup([{ name: 'Stubbed', stub: true }]);
    assert.equal(t.dispatch(0), 0);
    assert.deepEqual(t.events, ['stub Stubbed']);
    assert.equal(t.mem.u32(t.teb + TEB.LastErrorValue), 120);
  });
  it('falls back to validated reads when RSP is outside the thread stack', () => {
    const t = setup([{ name: 'One', args: ['u32'], ret: 'u32', impl: (_c, v: number) => v + 1 }]);
    const other = t.mem.allocate(0, 0x1000, true, PAGE_READWRITE);
    t.mem.setU64(t.teb + WR.GuestRsp, other + 0x100);
    t.mem.setU64(other + 0x108, 41n);
    assert.equal(t.dispatch(0), 42);
    t.mem.setU64(t.teb + WR.GuestRsp, 0x20);
    assert.equal(t.dispatch(0), 0, 'an unreadable stack is ERROR_NOACCESS, not a crash');
  });
});
