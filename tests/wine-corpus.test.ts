// Real-world images: when Debian's wine64 is installed, every one of its ~700 x86-64 PE files
// must parse. (On a machine without it this test is reported as skipped, not passed.)
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { it } from 'node:test';
import { isPeError, parsePe } from '../src/pe/index.js';

const WINE_DIR = '/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/';

it('parses every PE file of Debian wine64', { skip: !existsSync(WINE_DIR) && 'wine64 is not installed' }, () => {
  const failures: string[] = [];
  let n = 0;
  for (const f of readdirSync(WINE_DIR)) {
    const bytes = readFileSync(WINE_DIR + f);
    if (bytes[0] !== 0x4d || bytes[1] !== 0x5a) continue;
    n++;
    try {
      parsePe(bytes);
    } catch (e) {
      failures.push(`${f}: ${isPeError(e) ? e.kind + ': ' : ''}${e instanceof Error ? e.message : String(e)}`);
    }
  }
  assert.ok(n > 500, `only ${n} PE files found`);
  assert.deepEqual(failures, []);
});
