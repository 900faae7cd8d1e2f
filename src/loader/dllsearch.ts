/**
 * Where LoadLibrary looks for a DLL that is not a builtin, as Windows 10 orders it (safe DLL
 * search mode). The builtins stand for the system DLLs, so the system directories only matter
 * for real DLLs placed in the prefix's C:\windows\system32.
 *
 *   standard:  the application directory (or, with LOAD_WITH_ALTERED_SEARCH_PATH, the DLL's
 *              own), SetDllDirectory's directory, system32, system, windows, the current
 *              directory (unless SetDllDirectory set one, or ''), the PATH directories
 *   LOAD_LIBRARY_SEARCH_*: only the named places, in the order DLL_LOAD_DIR, APPLICATION_DIR,
 *              USER_DIRS (AddDllDirectory's, then SetDllDirectory's), SYSTEM32; DEFAULT_DIRS is
 *              APPLICATION_DIR | USER_DIRS | SYSTEM32; with no such flag SetDefaultDllDirectories'
 *              flags apply.
 */
import {
  LOAD_LIBRARY_SEARCH_APPLICATION_DIR,
  LOAD_LIBRARY_SEARCH_DEFAULT_DIRS,
  LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR,
  LOAD_LIBRARY_SEARCH_FLAGS,
  LOAD_LIBRARY_SEARCH_SYSTEM32,
  LOAD_LIBRARY_SEARCH_SYSTEM32_NO_FORWARDER,
  LOAD_LIBRARY_SEARCH_USER_DIRS,
  LOAD_WITH_ALTERED_SEARCH_PATH,
  type DllDirectories,
} from '../kernel/dlldirs.js';

export interface SearchPlaces {
  /** Unix directories. */
  appDir: string;
  system32: string;
  systemDir: string;
  windowsDir: string;
  cwd: string;
  /** The PATH variable as the guest sees it (Unix `a:b` or DOS `C:\a;D:\b`). */
  pathVar: string | undefined;
  dirs: DllDirectories;
  /** A DOS directory → its Unix path (undefined when it does not resolve). */
  toUnix(dos: string): string | undefined;
}

/** PATH's directories as Unix paths: a DOS-style value (`;`-separated, drive letters) is
 *  converted, a Unix one (inherited from the host) is used as it is. */
export function pathDirectories(pathVar: string | undefined, toUnix: (dos: string) => string | undefined): string[] {
  if (!pathVar) return [];
  const dos = pathVar.includes(';') || /^[a-zA-Z]:\\/.test(pathVar);
  const parts = pathVar.split(dos ? ';' : ':').filter((p) => p !== '');
  return dos ? parts.map(toUnix).filter((p): p is string => p !== undefined) : parts;
}

/** The directories to search, in order, for a load with `flags`; `dllDir` is the directory of
 *  a DLL named by full path (for LOAD_WITH_ALTERED_SEARCH_PATH and SEARCH_DLL_LOAD_DIR). */
export function searchDirectories(p: SearchPlaces, flags: number, dllDir?: string): string[] {
  let search = flags & LOAD_LIBRARY_SEARCH_FLAGS;
  if (search === 0 && (flags & LOAD_WITH_ALTERED_SEARCH_PATH) === 0) search = p.dirs.defaultFlags;
  const dirs: string[] = [];
  const userDirs = (): string[] => {
    const own = p.dirs.dllDirectory ? [p.dirs.dllDirectory] : [];
    return [...p.dirs.added, ...own].map(p.toUnix).filter((d): d is string => d !== undefined);
  };
  if (search !== 0 && (search & ~LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR) !== 0) {
    const all = (search & LOAD_LIBRARY_SEARCH_DEFAULT_DIRS) !== 0;
    if (search & LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR && dllDir) dirs.push(dllDir);
    if (all || search & LOAD_LIBRARY_SEARCH_APPLICATION_DIR) dirs.push(p.appDir);
    if (all || search & LOAD_LIBRARY_SEARCH_USER_DIRS) dirs.push(...userDirs());
    if (all || search & (LOAD_LIBRARY_SEARCH_SYSTEM32 | LOAD_LIBRARY_SEARCH_SYSTEM32_NO_FORWARDER)) dirs.push(p.system32);
  } else {
    // SEARCH_DLL_LOAD_DIR alone adds the DLL's directory in front of the standard order.
    if (search & LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR && dllDir) dirs.push(dllDir);
    dirs.push(flags & LOAD_WITH_ALTERED_SEARCH_PATH && dllDir ? dllDir : p.appDir);
    const own = p.dirs.dllDirectory ? p.toUnix(p.dirs.dllDirectory) : undefined;
    if (own) dirs.push(own);
    dirs.push(p.system32, p.systemDir, p.windowsDir);
    if (p.dirs.dllDirectory === undefined) dirs.push(p.cwd);
    dirs.push(...pathDirectories(p.pathVar, p.toUnix));
  }
  return dirs.filter((d, i) => dirs.indexOf(d) === i);
}
