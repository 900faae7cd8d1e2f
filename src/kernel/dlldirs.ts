/**
 * The process's DLL search settings (libloaderapi.h): SetDllDirectory's directory,
 * AddDllDirectory's list and SetDefaultDllDirectories' flags. Directories are kept as the
 * DOS paths the program gave.
 */
export const DONT_RESOLVE_DLL_REFERENCES = 0x1;
export const LOAD_LIBRARY_AS_DATAFILE = 0x2;
export const LOAD_PACKAGED_LIBRARY = 0x4;
export const LOAD_WITH_ALTERED_SEARCH_PATH = 0x8;
export const LOAD_IGNORE_CODE_AUTHZ_LEVEL = 0x10;
export const LOAD_LIBRARY_AS_IMAGE_RESOURCE = 0x20;
export const LOAD_LIBRARY_AS_DATAFILE_EXCLUSIVE = 0x40;
export const LOAD_LIBRARY_REQUIRE_SIGNED_TARGET = 0x80;
export const LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR = 0x100;
export const LOAD_LIBRARY_SEARCH_APPLICATION_DIR = 0x200;
export const LOAD_LIBRARY_SEARCH_USER_DIRS = 0x400;
export const LOAD_LIBRARY_SEARCH_SYSTEM32 = 0x800;
export const LOAD_LIBRARY_SEARCH_DEFAULT_DIRS = 0x1000;
export const LOAD_LIBRARY_SAFE_CURRENT_DIRS = 0x2000;
export const LOAD_LIBRARY_SEARCH_SYSTEM32_NO_FORWARDER = 0x4000;
export const LOAD_LIBRARY_OS_INTEGRITY_CONTINUITY = 0x8000;

/** The LOAD_LIBRARY_SEARCH_* flags (LOAD_WITH_ALTERED_SEARCH_PATH may not be combined with them). */
export const LOAD_LIBRARY_SEARCH_FLAGS =
  LOAD_LIBRARY_SEARCH_DLL_LOAD_DIR | LOAD_LIBRARY_SEARCH_APPLICATION_DIR | LOAD_LIBRARY_SEARCH_USER_DIRS | LOAD_LIBRARY_SEARCH_SYSTEM32 | LOAD_LIBRARY_SEARCH_DEFAULT_DIRS | LOAD_LIBRARY_SAFE_CURRENT_DIRS | LOAD_LIBRARY_SEARCH_SYSTEM32_NO_FORWARDER;
/** Mapping without executing: no DllMain, no imports, a handle with its low bits set. */
export const LOAD_LIBRARY_AS_DATA = LOAD_LIBRARY_AS_DATAFILE | LOAD_LIBRARY_AS_DATAFILE_EXCLUSIVE | LOAD_LIBRARY_AS_IMAGE_RESOURCE;

export class DllDirectories {
  /** SetDllDirectory: undefined for the default order, '' to drop the current directory. */
  dllDirectory: string | undefined;
  /** SetDefaultDllDirectories (0: the standard search order). */
  defaultFlags = 0;
  private readonly userDirs = new Map<number, string>();
  private nextCookie = 0x10;

  /** AddDllDirectory: a cookie for RemoveDllDirectory (never 0). */
  add(dir: string): number {
    const cookie = this.nextCookie;
    this.nextCookie += 0x10;
    this.userDirs.set(cookie, dir);
    return cookie;
  }

  remove(cookie: number): boolean {
    return this.userDirs.delete(cookie);
  }

  /** AddDllDirectory's directories, in the order they were added. */
  get added(): string[] {
    return [...this.userDirs.values()];
  }
}
