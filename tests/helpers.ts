import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The repository root (tests run from dist/tests/). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FIXTURES = `${ROOT}tests/fixtures/bin/`;
export const MALFORMED = `${ROOT}tests/fixtures/malformed/`;
export const WINRUN = `${ROOT}bin/winrun`;

export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(FIXTURES + name));
}
