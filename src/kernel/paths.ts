/**
 * Windows paths (DESIGN.md §7). Two halves:
 *  - fullPathName: GetFullPathNameW's string rules (pure): separators, `.`/`..` never above the
 *    root, drive-relative and rooted forms, `\\?\` and `\\.\` prefixes, DOS device names, and
 *    trailing dots and spaces stripped as Windows does.
 *  - DosDrives: a full DOS path → a Unix path. `C:` is `drive_c` in the prefix, `Z:` is `/`;
 *    existing components are found case-insensitively.
 */
import { failed, type HostFs } from '../host/fs.js';
import { ERROR_BAD_NETPATH, ERROR_FILE_NOT_FOUND, ERROR_INVALID_NAME, ERROR_PATH_NOT_FOUND } from './win32error.js';

const DEVICE = /^(nul|con|aux|prn|com[1-9]|lpt[1-9]|conin\$|conout\$)$/i;

const isSep = (c: string | undefined): boolean => c === '\\' || c === '/';

/** The DOS device a final path component names (`nul`, `NUL.txt`, `com1 .log`), or undefined. */
export function dosDeviceName(component: string): string | undefined {
  const base = component.replace(/\..*$/, '').replace(/[ :]+$/, '');
  return DEVICE.test(base) ? base : undefined;
}

/** Collapses `\`-separated components after a root of `rootLen` characters. */
function collapse(root: string, rest: string, stripTrailing: boolean): string {
  const parts = rest.split(/[\\/]+/);
  const endsWithSep = parts.length > 1 && parts[parts.length - 1] === '';
  const out: string[] = [];
  parts.forEach((p, i) => {
    if (p === '' || p === '.') return;
    if (p === '..') {
      out.pop();
      return;
    }
    const last = i === parts.length - 1;
    if (stripTrailing) {
      if (last) p = p.replace(/[. ]+$/, '');
      else if (p.endsWith('.')) p = p.slice(0, -1);
      if (p === '') return;
    }
    out.push(p);
  });
  return root + out.join('\\') + (endsWithSep && out.length > 0 ? '\\' : '');
}

/** GetFullPathNameW's result for `path` with current directory `cwd` (a full `X:\…` path), or
 *  undefined for an empty path. Other drives' current directories are their roots. */
export function fullPathName(path: string, cwd: string): string | undefined {
  if (path === '') return undefined;
  const p = path;
  // \\?\ and \\.\ : a device or literal namespace; the rest is collapsed but kept.
  if (isSep(p[0]) && isSep(p[1]) && (p[2] === '?' || p[2] === '.') && isSep(p[3])) {
    const prefix = '\\\\' + p[2] + '\\';
    const body = p.slice(4);
    const drive = /^[a-zA-Z]:/.exec(body);
    if (drive) return collapse(prefix + drive[0] + '\\', body.slice(2), p[2] === '.');
    const first = body.split(/[\\/]/)[0]!;
    return collapse(prefix + first + (body.length > first.length ? '\\' : ''), body.slice(first.length), p[2] === '.');
  }
  // The last component may name a DOS device, wherever it is.
  if (!isSep(p[p.length - 1])) {
    const lastComp = p.slice(Math.max(p.lastIndexOf('\\'), p.lastIndexOf('/')) + 1).replace(/^[a-zA-Z]:/, '');
    const dev = dosDeviceName(lastComp);
    if (dev !== undefined) return '\\\\.\\' + dev;
  }
  // UNC: \\server\share\…
  if (isSep(p[0]) && isSep(p[1])) {
    const parts = p.slice(2).split(/[\\/]+/);
    const root = '\\\\' + (parts[0] ?? '') + (parts.length > 1 ? '\\' + parts[1] + '\\' : '');
    return collapse(root, parts.slice(2).join('\\'), true);
  }
  const cwdDrive = cwd.slice(0, 2);
  const cwdRest = cwd.slice(3);
  if (/^[a-zA-Z]:/.test(p)) {
    const drive = p.slice(0, 2);
    if (isSep(p[2])) return collapse(drive + '\\', p.slice(3), true);
    // Drive-relative: the current directory if it is on that drive, else the drive's root.
    if (drive.toUpperCase() === cwdDrive.toUpperCase()) return collapse(cwdDrive + '\\', cwdRest + '\\' + p.slice(2), true);
    return collapse(drive + '\\', p.slice(2), true);
  }
  if (isSep(p[0])) return collapse(cwdDrive + '\\', p.slice(1), true);
  return collapse(cwdDrive + '\\', cwdRest + '\\' + p, true);
}

/** Where GetFullPathName's lpFilePart points: after the last separator, unless the path ends
 *  with one or names a device or a root. */
export function filePartOffset(full: string): number {
  if (full.startsWith('\\\\.\\') && !/^\\\\\.\\[a-zA-Z]:/.test(full) && full.indexOf('\\', 4) < 0) return -1;
  const i = full.lastIndexOf('\\');
  if (i === full.length - 1) return -1;
  return i + 1;
}

export type Resolved =
  | { readonly kind: 'file'; readonly unix: string }
  | { readonly kind: 'device'; readonly device: string }
  | { readonly kind: 'error'; readonly error: number };

/** Maps drives onto the Unix file system. */
export class DosDrives {
  private prefixReady = false;

  constructor(
    readonly prefix: string,
    readonly userName: string,
    private readonly fs: HostFs,
  ) {}

  get driveC(): string {
    return this.prefix + '/drive_c';
  }

  /** Creates the prefix skeleton on first use: C:\windows\system32, C:\windows\temp and the
   *  user's profile with its temporary directory. */
  ensurePrefix(): void {
    if (this.prefixReady) return;
    const c = this.driveC;
    for (const d of ['/windows/system32', '/windows/temp', `/users/${this.userName}/AppData/Local/Temp`]) {
      if (failed(this.fs.stat(c + d))) this.fs.mkdirp(c + d);
    }
    this.prefixReady = true;
  }

  /** The Unix directory of a drive letter, or undefined when the drive does not exist. */
  driveRoot(letter: string): string | undefined {
    const l = letter.toUpperCase();
    if (l === 'C') {
      this.ensurePrefix();
      return this.driveC;
    }
    if (l === 'Z') return '';
    return undefined;
  }

  /** Bit mask of GetLogicalDrives. */
  logicalDrives(): number {
    return (1 << 2) | (1 << 25);
  }

  /** A full DOS path (from fullPathName) → Unix path, finding existing components
   *  case-insensitively. A missing final component is kept as given (for creation); a
   *  missing directory on the way gives ERROR_PATH_NOT_FOUND. */
  resolve(full: string): Resolved {
    let p = full;
    if (p.startsWith('\\\\.\\') || p.startsWith('\\\\?\\')) {
      const body = p.slice(4);
      if (/^[a-zA-Z]:(\\|$)/.test(body)) p = body;
      else if (p[2] === '.' || /^(nul|con|conin\$|conout\$)$/i.test(body)) {
        return /^(nul|con|aux|prn|com[1-9]|lpt[1-9]|conin\$|conout\$)$/i.test(body) ? { kind: 'device', device: body.toUpperCase() } : { kind: 'error', error: ERROR_FILE_NOT_FOUND };
      } else if (/^unc\\/i.test(body)) return { kind: 'error', error: ERROR_BAD_NETPATH };
      else return { kind: 'error', error: ERROR_PATH_NOT_FOUND };
    }
    if (p.startsWith('\\\\')) return { kind: 'error', error: ERROR_BAD_NETPATH };
    if (!/^[a-zA-Z]:(\\|$)/.test(p)) return { kind: 'error', error: ERROR_INVALID_NAME };
    const root = this.driveRoot(p[0]!);
    if (root === undefined) return { kind: 'error', error: ERROR_PATH_NOT_FOUND };
    const comps = p.slice(3).split('\\').filter((c) => c !== '');
    if (comps.some((c) => /[\0<>"|?*]/.test(c) || c.includes(':'))) return { kind: 'error', error: ERROR_INVALID_NAME };
    const exact = root + '/' + comps.join('/');
    if (comps.length === 0) return { kind: 'file', unix: root === '' ? '/' : root };
    if (!failed(this.fs.lstat(exact))) return { kind: 'file', unix: exact };
    // Walk, matching each component case-insensitively among the directory's entries.
    let dir = root;
    for (let i = 0; i < comps.length; i++) {
      const name = comps[i]!;
      const candidate = dir + '/' + name;
      if (!failed(this.fs.lstat(candidate))) {
        dir = candidate;
        continue;
      }
      const entries = this.fs.readdir(dir === '' ? '/' : dir);
      const upper = name.toUpperCase();
      const match = failed(entries) ? undefined : entries.find((e) => e.toUpperCase() === upper);
      if (match !== undefined) {
        dir = dir + '/' + match;
        continue;
      }
      if (i < comps.length - 1) return { kind: 'error', error: ERROR_PATH_NOT_FOUND };
      dir = candidate;
    }
    return { kind: 'file', unix: dir };
  }

  /** The DOS name of a Unix path: inside drive_c → `C:\…`, else `Z:\…`. */
  toDos(unix: string): string {
    const c = this.driveC;
    if (unix === c || unix.startsWith(c + '/')) return 'C:\\' + unix.slice(c.length + 1).split('/').filter((x) => x !== '').join('\\');
    return 'Z:\\' + unix.split('/').filter((x) => x !== '').join('\\');
  }
}
