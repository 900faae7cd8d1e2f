/**
 * What a winrun child process is started as: this Node binary running winrun's launcher
 * (bin/winrun, which loads the CLI bundle with its code cache, as from the shell), and the
 * host environment it inherits.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** [node, bin/winrun]: the command that runs a Windows program under winrun. */
export function winrunLauncher(): [string, string] {
  // In the bundle (CommonJS) __filename is dist/winrun.cjs; under ESM this file is
  // dist/src/host/childproc.js.
  if (typeof __filename === 'string' && __filename.endsWith('.cjs')) return [process.execPath, join(dirname(__filename), '..', 'bin', 'winrun')];
  return [process.execPath, fileURLToPath(new URL('../../../bin/winrun', import.meta.url))];
}

/** This process's own environment, as NAME=value strings. */
export function hostEnvironmentEntries(): [string, string][] {
  return Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined);
}
