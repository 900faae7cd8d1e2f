import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from dist/tests/). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURES = `${ROOT}tests/fixtures/bin/`;
export const MALFORMED = `${ROOT}tests/fixtures/malformed/`;
export const WINRUN = `${ROOT}bin/winrun`;

export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(FIXTURES + name));
}

/** Guests started by tests use a prefix of their own, never the user's ~/.local/share/winrun. */
export const TEST_PREFIX = mkdtempSync(tmpdir() + '/winrun-test-prefix-');
process.env.WINRUN_PREFIX = TEST_PREFIX;

/** A fresh empty directory for a guest to work in. */
export function scratchDir(): string {
  return mkdtempSync(tmpdir() + '/winrun-test-');
}
