/** File-descriptor I/O, clocks and file lookup for the process (Linux side). */
import { closeSync, existsSync, fstatSync, openSync, readSync, statSync, writeSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { libcIsatty } from '../native/ffi.js';

export function writeFd(fd: number, data: Uint8Array): number {
  let done = 0;
  while (done < data.length) {
    try {
      done += writeSync(fd, data, done, data.length - done);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'EAGAIN') continue;
      if (code === 'EPIPE') return done;
      throw e;
    }
  }
  return done;
}

export function readFd(fd: number, len: number): Uint8Array {
  const buf = new Uint8Array(len);
  for (;;) {
    try {
      const n = readSync(fd, buf, 0, len, null);
      return buf.subarray(0, n);
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code === 'EAGAIN') continue;
      if (code === 'EOF') return buf.subarray(0, 0);
      throw e;
    }
  }
}

/** Whether `fd` is a terminal (libc's isatty: `node:tty` would load Node's stream modules at
 *  start-up; host/builtins.ts). */
export function isatty(fd: number): boolean {
  return libcIsatty(fd) === 1;
}

export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export function fdIsOpen(fd: number): boolean {
  try {
    fstatSync(fd);
    return true;
  } catch {
    return false;
  }
}

export function closeFd(fd: number): void {
  closeSync(fd);
}

export function absolutePath(p: string): string {
  return resolve(p);
}

export function directoryOf(p: string): string {
  return dirname(resolve(p));
}

export function pathExists(p: string): boolean {
  return existsSync(p);
}

export function currentDirectory(): string {
  return process.cwd();
}

export function hostEnvironment(): Record<string, string | undefined> {
  return process.env;
}

const started = process.hrtime.bigint();
/** Milliseconds since winrun started (monotonic). */
export function monotonicMs(): number {
  return Number((process.hrtime.bigint() - started) / 1_000_000n);
}

/** Nanoseconds since winrun started (monotonic). */
export function monotonicNs(): bigint {
  return process.hrtime.bigint() - started;
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
export function sleepMs(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

export function hostPid(): number {
  return process.pid;
}

/** Opens (creating or truncating) a file for writing; returns the descriptor. */
export function openForWriting(path: string): number {
  return openSync(path, 'w');
}
