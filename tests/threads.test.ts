// Guest threads (issue 8 groundwork): CreateThread runs the start routine on a worker_threads
// Worker that joins the process (its own dispatcher, TEB, GS base, guest and signal stacks);
// the thread's return value is its exit code; WaitForSingleObject on the handle blocks with
// Atomics.wait on the shared thread table; every thread's AddressSpace reads and changes one
// allocation map in shared memory. thread_basic's and thread_memory's output is Wine 8's.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { STILL_ACTIVE, ThreadState, ThreadTable } from '../src/kernel/threads.js';
import { FIXTURES, runGuest, wineOutput } from './helpers.js';

describe('guest threads', () => {
  it('two threads compute, exit with their codes, and are waited for (as under Wine)', () => {
    const r = runGuest(FIXTURES + 'thread_basic.exe');
    assert.equal(r.stderr, '');
    assert.deepEqual(r.stdout.replace(/\r\n/g, '\n').split('\n').slice(0, -1), wineOutput('thread_basic'));
    assert.equal(r.status, 0);
  });
  it('CREATE_SUSPENDED: nothing runs until ResumeThread brings the count to 0; SuspendThread before then counts; affinity masks accepted (as under Wine)', () => {
    const r = runGuest(FIXTURES + 'thread_suspend.exe');
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(r.stdout.replace(/\r\n/g, '\n').split('\n').slice(0, -1), wineOutput('thread_suspend'));
  });

  it('share one address space map: allocations, commits, protections, releases and heap growth in either thread are seen by the other (as under Wine)', () => {
    const r = runGuest(FIXTURES + 'thread_memory.exe');
    assert.equal(r.stderr, '');
    assert.deepEqual(r.stdout.replace(/\r\n/g, '\n').split('\n').slice(0, -1), wineOutput('thread_memory'));
    assert.equal(r.status, 0);
  });
  it('four threads allocate and free at once from the process heap and a private heap, small to large blocks (as under Wine)', () => {
    // Without HEAP_LOCK in the JS slow path this corrupts the heap within a run.
    const r = runGuest(FIXTURES + 'thread_heap.exe');
    assert.equal(r.stderr, '');
    assert.deepEqual(r.stdout.replace(/\r\n/g, '\n').split('\n').slice(0, -1), wineOutput('thread_heap'));
    assert.equal(r.status, 0);
  });
});

describe('threads and modules', () => {
  it('__declspec(thread) blocks and TlsAlloc slots per thread, THREAD_ATTACH/DETACH to DllMain and TLS callbacks, module lookups and LoadLibrary in threads, _beginthread(ex)/_endthread(ex)/ExitThread codes (as under Wine)', () => {
    for (let run = 0; run < 3; run++) {
      const r = runGuest(FIXTURES + 'thread_modules.exe');
      assert.equal(r.stderr, '');
      assert.deepEqual(r.stdout.replace(/\r\n/g, '\n').split('\n').slice(0, -1), wineOutput('thread_modules'), `run ${run}`);
      assert.equal(r.status, 0);
    }
  });
});

describe('DLLs loaded after a thread started', () => {
  it("each thread calls the builtin DLL functions the other loaded later, and each call reaches the function asked for (as under Wine)", () => {
    // Before the shared dispatch log: the worker's call ended the process (an id it did not
    // know), and main's call to BCryptGenRandom ran version.dll's export with the same id.
    for (let run = 0; run < 3; run++) {
      const r = runGuest(FIXTURES + 'thread_lateload.exe');
      assert.equal(r.stderr, '');
      assert.deepEqual(r.stdout.replace(/\r\n/g, '\n').split('\n').slice(0, -1), wineOutput('thread_lateload'), `run ${run}`);
      assert.equal(r.status, 0);
    }
  });
});

describe('blocking synchronization across threads', () => {
  it('critical section counter, event ping-pong, semaphore producer/consumer, timeouts and WaitForMultipleObjects any/all (as under Wine)', () => {
    // Every wait in the fixture has a timeout and prints which thread stuck.
    for (let run = 0; run < 3; run++) {
      const r = runGuest(FIXTURES + 'thread_sync.exe');
      assert.equal(r.stderr, '');
      assert.deepEqual(r.stdout.replace(/\r\n/g, '\n').split('\n').slice(0, -1), wineOutput('thread_sync'), `run ${run}`);
      assert.equal(r.status, 0);
    }
  });
});

describe('ThreadTable', () => {
  it('hands out distinct ids after the main thread, and STILL_ACTIVE until exit', () => {
    const t = new ThreadTable();
    const a = t.nextId(1001);
    const b = t.nextId(1001);
    assert.ok(a > 1001 && b > a && a % 4 === 0 && b % 4 === 0);
    const slot = t.allocate(a, 0x7000);
    assert.equal(t.state(slot), ThreadState.Running);
    assert.equal(t.teb(slot), 0x7000);
    assert.equal(t.exitCode(slot), STILL_ACTIVE);
    assert.equal(t.tid(slot), a);
    assert.equal(t.wait(slot, 20), false);
    t.exited(slot, -1);
    assert.equal(t.exitCode(slot), 0xffffffff);
    assert.equal(t.wait(slot, 0), true);
    // The creator's handle still names the ended thread; its close frees the slot.
    assert.equal(t.slotOf(a), slot);
    t.release(slot);
    assert.equal(t.state(slot), ThreadState.Free);
    assert.equal(t.slotOf(a), -1);
    assert.equal(t.refById(a), -1);
  });
  it('TerminateThread ends a running thread once, with its code', () => {
    const t = new ThreadTable();
    const slot = t.allocate(t.nextId(8), 0x9000);
    assert.equal(t.terminateWord(slot)[0], 0);
    assert.equal(t.requestTerminate(slot, 5), true);
    assert.notEqual(t.terminateWord(slot)[0], 0);
    assert.equal(t.state(slot), ThreadState.Exited);
    assert.equal(t.exitCode(slot), 5);
    assert.equal(t.requestTerminate(slot, 6), false);
    assert.equal(t.exitCode(slot), 5);
  });
  it('wakes a waiter when another thread records the exit', async () => {
    const t = new ThreadTable();
    const slot = t.allocate(8, 0);
    const url = new URL('../src/kernel/threads.js', import.meta.url).href;
    const w = new Worker(`import(${JSON.stringify(url)}).then(({ ThreadTable }) => { setTimeout(() => new ThreadTable(require('node:worker_threads').workerData).exited(${slot}, 7), 30); });`, { eval: true, workerData: t.buffer });
    assert.equal(t.wait(slot, 10_000), true);
    assert.equal(t.exitCode(slot), 7);
    await w.terminate();
  });
});
