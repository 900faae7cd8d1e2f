/**
 * `winrun imports FILE [--json]`: whether a program can run, in a second. Exit status 0 when
 * every import is implemented (stubs allowed), 3 when something is missing, 1 for a bad file.
 */
import { readFileBytes } from '../host/files.js';
import { currentDirectory, directoryOf, hostEnvironment, isFile } from '../host/io.js';
import type { Stdio } from '../host/process.js';
import { dllSearchDirectories } from '../loader/apiset.js';
import { analyzeImports, type ImportsReport } from '../loader/coverage.js';
import { isPeError } from '../pe/index.js';
import { table } from './info.js';

export const EXIT_IMPORTS_MISSING = 3;

export function formatImports(r: ImportsReport): string {
  const t = r.totals;
  let out = `${r.modules[0]!.module}: ${t.functions} imported functions from ${t.dlls} DLLs: ${t.implemented} implemented, ${t.stub} stubs, ${t.missing} missing\n`;
  for (const m of r.modules) {
    out += `\n${m.module} (${m.path})\n`;
    out += table(
      m.dlls.map((d) => [
        d.dll + (d.delayLoad ? ' (delay-load)' : ''),
        d.kind === 'builtin' ? `builtin ${d.resolvedTo}` : d.kind === 'pe' ? `PE ${d.resolvedTo}` : 'NOT FOUND',
        `${d.implemented} implemented`,
        d.stub ? `${d.stub} stubs` : '',
        d.missing ? `${d.missing} missing` : '',
      ]),
    );
  }
  if (r.missingDlls.length > 0) out += `\nDLLs not found (${r.missingDlls.length}): ${r.missingDlls.join(', ')}\n`;
  if (r.missing.length > 0) out += `\nMissing (${r.missing.length}):\n${r.missing.map((m) => `  ${m}\n`).join('')}`;
  else out += '\nEverything the program imports is there.\n';
  return out;
}

export function importsCommand(args: string[], io: Stdio): number {
  const json = args.includes('--json');
  const files = args.filter((a) => a !== '--json');
  if (files.length !== 1 || files[0]!.startsWith('-')) {
    io.err('winrun: imports takes exactly one FILE (and optionally --json)\n');
    return 2;
  }
  const file = files[0]!;
  const appDir = directoryOf(file);
  const pathVar = hostEnvironment().PATH;
  try {
    const report = analyzeImports(file, file.replace(/^.*\//, ''), {
      readFile: readFileBytes,
      findDll: (name) => {
        for (const d of dllSearchDirectories(appDir, currentDirectory(), pathVar)) {
          for (const cand of [name, name.toUpperCase()]) if (isFile(`${d}/${cand}`)) return `${d}/${cand}`;
        }
        return undefined;
      },
    });
    io.out(json ? JSON.stringify(report, null, 2) + '\n' : formatImports(report));
    return report.missing.length > 0 ? EXIT_IMPORTS_MISSING : 0;
  } catch (e) {
    if (isPeError(e) || (e instanceof Error && e.name === 'HostError')) {
      io.err(`winrun: ${isPeError(e) ? `${file}: ` : ''}${e.message}\n`);
      return 1;
    }
    throw e;
  }
}
