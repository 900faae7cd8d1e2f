import { readFileSync } from 'node:fs';
import { HostError } from './errors.js';

const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a path component is not a directory',
  ELOOP: 'too many symbolic links',
  ENAMETOOLONG: 'name too long',
};

/** Reads a whole file; failures become a HostError with a short human reason. */
export function readFileBytes(path: string): Uint8Array {
  try {
    const b = readFileSync(path);
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  } catch (e) {
    const code = (e as { code?: string }).code ?? 'EUNKNOWN';
    throw new HostError(code, `${path}: ${REASONS[code] ?? (e instanceof Error ? e.message : String(e))}`);
  }
}
