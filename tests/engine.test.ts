// Native engine paths exercised in child processes (a fault there must fail one test only).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { it } from 'node:test';
import { ROOT } from './helpers.js';

it('an implementation can resume the guest at a CONTEXT: registers, XMM and RSP are loaded from it', () => {
  const r = spawnSync(process.execPath, [`${ROOT}dist/tests/support/resume-guest.js`], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  // landing adds RAX (42) and RBX (7) and returns through the CONTEXT's RSP to call_guest;
  // XMM0 comes from CONTEXT.Xmm0; the request slot is cleared.
  assert.equal(r.stdout, 'calls=1 rax=49 xmm0=2.5 slot=0\n');
});
