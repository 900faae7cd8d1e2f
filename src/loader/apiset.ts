/**
 * API-set names (`api-ms-win-crt-stdio-l1-1-0.dll`, `api-ms-win-core-synch-l1-2-0.dll`) and
 * the DLLs that implement them: one schema table, as Windows keeps one in apisetschema.dll.
 * Entries are prefixes without the version suffix `-lX-Y-Z`.
 */
const SCHEMA: readonly (readonly [string, string])[] = [
  ['api-ms-win-crt-', 'ucrtbase.dll'],
  ['api-ms-win-core-version-', 'version.dll'],
  // Windows' kernelbase implements the registry; here advapi32 does.
  ['api-ms-win-core-registry-', 'advapi32.dll'],
  ['api-ms-win-core-', 'kernel32.dll'],
  ['api-ms-win-downlevel-advapi32-', 'advapi32.dll'],
  ['ext-ms-win-ntuser-', 'user32.dll'],
  ['ext-ms-win-', 'kernel32.dll'],
  ['api-ms-win-eventing-', 'advapi32.dll'],
  ['api-ms-win-security-', 'advapi32.dll'],
  ['api-ms-win-shcore-', 'shcore.dll'],
];

/** Lower-cases a module name and adds `.dll` when it has no extension (LoadLibrary rule). */
export function normalizeDllName(name: string): string {
  const base = name.replace(/^.*[\\/]/, '').toLowerCase();
  return /\.[^.]*$/.test(base) ? base : `${base}.dll`;
}

/** The implementing DLL for an API-set name, or the name itself. */
export function resolveApiSet(name: string): string {
  const n = normalizeDllName(name);
  if (!n.startsWith('api-ms-') && !n.startsWith('ext-ms-')) return n;
  for (const [prefix, host] of SCHEMA) if (n.startsWith(prefix)) return host;
  return n;
}

/**
 * Where LoadLibrary looks for a DLL that is not a builtin, in order (Windows' standard search
 * order without the system directories, which the builtins stand for): the program's
 * directory, the current directory, then each PATH entry.
 */
export function dllSearchDirectories(appDir: string, cwd: string, pathVar: string | undefined): string[] {
  const dirs = [appDir, cwd, ...(pathVar ?? '').split(':').filter(Boolean)];
  return dirs.filter((d, i) => dirs.indexOf(d) === i);
}
