// Thread handles beyond their life, fiber-local storage, TerminateThread and the process ended
// from another thread (issue 8). thread_misc checks itself (priorities, descriptions,
// OpenThread, GetCurrentThread() as a waitable handle, FLS callbacks at thread end and at
// FlsFree — also on the value of a terminated thread, none at TerminateThread — TerminateThread of
// a blocked and of a running thread, CreateRemoteThread into the process); thread_exit ends the
// process from a worker thread while main waits. Outputs are Wine 8's.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { FIXTURES, runGuest, wineOutput } from './helpers.js';

const lines = (s: string): string[] => s.replace(/\r\n/g, '\n').split('\n');

describe('thread information, FLS and TerminateThread', () => {
  it('behave as under Wine', () => {
    const r = runGuest(FIXTURES + 'thread_misc.exe');
    assert.equal(r.stderr, '');
    assert.deepEqual(lines(r.stdout).slice(0, -1), wineOutput('thread_misc'));
    assert.equal(r.status, 0);
  });
});

describe('the thread pool', () => {
  // threadpool checks itself: QueueUserWorkItem, TrySubmitThreadpoolCallback with
  // SetEventWhenCallbackReturns, work objects, one-shot and periodic timers (a fired one-shot
  // timer still reads as set, as Wine 8 and Windows report), wait objects (signalled, timed
  // out), ReleaseSemaphoreWhenCallbackReturns.
  it('runs work, timers and waits as under Wine', () => {
    const r = runGuest(FIXTURES + 'threadpool.exe');
    assert.equal(r.stderr, '');
    assert.deepEqual(lines(r.stdout).slice(0, -1), wineOutput('threadpool'));
    assert.equal(r.status, 0);
  });
});

describe('waitable timers, SignalObjectAndWait and SLists', () => {
  // thread_timers checks itself: synchronization, notification (named) and periodic timers,
  // CancelWaitableTimer, 1000 turns handed over with SignalObjectAndWait, 4 threads pushing and
  // popping SList entries with none lost.
  it('behave as under Wine', () => {
    const r = runGuest(FIXTURES + 'thread_timers.exe');
    assert.equal(r.stderr, '');
    assert.deepEqual(lines(r.stdout).slice(0, -1), wineOutput('thread_timers'));
    assert.equal(r.status, 0);
  });
});

describe('the process ended from another thread', () => {
  // The output is not newline-terminated where the process ends mid-line: compare it whole.
  for (const [mode, code] of [['exit', 3], ['ExitProcess', 5], ['return', 7]] as const) {
    it(`${mode}: the code, atexit handlers and flushed output as under Wine`, () => {
      const r = runGuest(FIXTURES + 'thread_exit.exe', [mode]);
      assert.equal(r.stderr, '');
      assert.equal(r.stdout.replace(/\r\n/g, '\n'), readFileSync(`${FIXTURES}../expected/thread_exit_${mode}.wine.txt`, 'utf8'));
      assert.equal(r.status, code);
    });
  }
});
