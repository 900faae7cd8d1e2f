// The malformed corpus (tests/fixtures/malformed, written by scripts/make-malformed.ts): each
// sample must be rejected with the PeError kind its defect calls for, in one line.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { isPeError, parsePe, PE_ERROR_KINDS } from '../src/pe/index.js';
import { MALFORMED } from './helpers.js';

const expected = JSON.parse(readFileSync(MALFORMED + 'expected.json', 'utf8')) as Record<string, { kind: string; why: string }>;

describe('malformed corpus', () => {
  it('lists every sample in expected.json, and only existing ones', () => {
    const files = readdirSync(MALFORMED).filter((f) => f !== 'expected.json').sort();
    assert.deepEqual(files, Object.keys(expected).sort());
    assert.ok(files.length >= 50);
  });
  it('covers every error kind but the parser-internal ones', () => {
    const kinds = new Set(Object.values(expected).map((e) => e.kind));
    for (const k of Object.keys(PE_ERROR_KINDS)) {
      if (k === 'BadString' || k === 'BadResource') continue; // covered by hand-made images in pe-edge
      assert.ok(kinds.has(k), `no sample for ${k}`);
    }
  });
  for (const [file, { kind, why }] of Object.entries(expected)) {
    it(`${file}: ${why} → ${kind}`, () => {
      const bytes = new Uint8Array(readFileSync(MALFORMED + file));
      assert.throws(
        () => parsePe(bytes),
        (e: unknown) => {
          assert.ok(isPeError(e), `not a PeError: ${String(e)}`);
          assert.equal(e.kind, kind, e.message);
          assert.ok(!e.message.includes('\n') && e.message.length < 300, 'one short line');
          return true;
        },
      );
    });
  }
});
