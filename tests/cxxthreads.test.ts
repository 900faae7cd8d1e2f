// C++ threads (issue 8): cxx_threads is g++'s posix thread model (winpthreads, static):
// std::thread, std::mutex, condition variables, std::async with an exception in a future, a
// promise, thread_local destructors, exceptions in threads, std::shared_mutex and
// std::timed_mutex. cxx_threads_win32 is the win32 thread model (GCC 12 has no std::thread
// there): _beginthreadex threads running C++ with thread_local objects and exceptions.
// cxx_msvc_threads (clang's MSVC ABI) throws and catches in four threads at once through frames
// with destructors (each thread's exception core makes its catches and runs the destructors).
// All check themselves; their outputs are Wine 8's.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, runGuest, wineOutput } from './helpers.js';

describe('C++ threads', () => {
  for (const name of ['cxx_threads', 'cxx_threads_win32', 'cxx_msvc_threads']) {
    it(`${name} runs as under Wine`, () => {
      const r = runGuest(FIXTURES + name + '.exe');
      assert.equal(r.stderr, '');
      assert.deepEqual(r.stdout.replace(/\r\n/g, '\n').split('\n').slice(0, -1), wineOutput(name));
      assert.equal(r.status, 0);
    });
  }
});
