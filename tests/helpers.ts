import { spawnSync } from 'node:child_process';
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

export interface GuestRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `winrun EXE args…` in a child process (one crash fails one test), in `cwd` if given,
 *  with `env` added to the environment. */
export function runGuest(exe: string, args: readonly string[] = [], cwd?: string, env?: Readonly<Record<string, string>>): GuestRun {
  const r = spawnSync(process.execPath, [WINRUN, exe, ...args], { encoding: 'utf8', timeout: 60_000, cwd, env: env ? { ...process.env, ...env } : undefined });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Wine 8's output of a fixture, kept in tests/fixtures/expected/NAME.wine.txt (CR LF as LF),
 *  as lines. */
export function wineOutput(name: string): string[] {
  return readFileSync(`${ROOT}tests/fixtures/expected/${name}.wine.txt`, 'utf8').split('\n').slice(0, -1);
}
