// Mutexes, SRW locks, condition variables and WaitOnAddress across guest threads (issue 8).
// thread_sync2 checks itself: a mutex counter with recursion, ERROR_NOT_OWNER and an abandoned
// mutex (WAIT_ABANDONED, also through WaitForMultipleObjects); a producer/consumer ring under an
// SRW lock with condition variables; shared readers with a writer; a condition variable with a
// critical section (timeout, WakeAll); a WaitOnAddress ping-pong and waits of every size. Every
// wait in it has a timeout and names the thread that stuck. Its output is Wine 8's.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, runGuest, wineOutput } from './helpers.js';

describe('mutexes, SRW locks, condition variables, WaitOnAddress', () => {
  it('work across threads as under Wine (three runs)', () => {
    for (let run = 0; run < 3; run++) {
      const r = runGuest(FIXTURES + 'thread_sync2.exe');
      assert.equal(r.stderr, '');
      assert.deepEqual(r.stdout.replace(/\r\n/g, '\n').split('\n').slice(0, -1), wineOutput('thread_sync2'), `run ${run}`);
      assert.equal(r.status, 0);
    }
  });
});
