/**
 * Directory change notifications (ReadDirectoryChangesW) on inotify. A watch starts with the
 * first call on a directory handle, as on Windows: changes from then on queue in the kernel
 * until the next call collects them. Each watch is an inotify descriptor plus, for a subtree,
 * one inotify watch per directory (added as directories appear). The watches of a handle go
 * when it is closed.
 */
import { failed, type HostFs } from '../host/fs.js';

const IN_ACCESS = 0x1;
const IN_MODIFY = 0x2;
const IN_ATTRIB = 0x4;
const IN_MOVED_FROM = 0x40;
const IN_MOVED_TO = 0x80;
const IN_CREATE = 0x100;
const IN_DELETE = 0x200;
const IN_Q_OVERFLOW = 0x4000;
const IN_ISDIR = 0x40000000;

const FILE_NOTIFY_CHANGE_FILE_NAME = 0x1;
const FILE_NOTIFY_CHANGE_DIR_NAME = 0x2;
const FILE_NOTIFY_CHANGE_ATTRIBUTES = 0x4;
const FILE_NOTIFY_CHANGE_SIZE = 0x8;
const FILE_NOTIFY_CHANGE_LAST_WRITE = 0x10;
const FILE_NOTIFY_CHANGE_LAST_ACCESS = 0x20;
const FILE_NOTIFY_CHANGE_CREATION = 0x40;
const FILE_NOTIFY_CHANGE_SECURITY = 0x100;
export const FILE_NOTIFY_VALID_MASK = 0x17f;

export const FILE_ACTION_ADDED = 1;
export const FILE_ACTION_REMOVED = 2;
export const FILE_ACTION_MODIFIED = 3;
export const FILE_ACTION_RENAMED_OLD_NAME = 4;
export const FILE_ACTION_RENAMED_NEW_NAME = 5;

export interface Change {
  action: number;
  /** Relative to the watched directory, with backslashes. */
  name: string;
}

interface Watch {
  fd: number;
  root: string;
  subtree: boolean;
  filter: number;
  /** inotify watch descriptor → directory relative to the root ('' for the root). */
  dirs: Map<number, string>;
}

/** The inotify events a Windows filter needs. */
function maskFor(filter: number): number {
  let m = IN_MOVED_FROM | IN_MOVED_TO | IN_CREATE | IN_DELETE; // subdirectories come and go
  if (filter & (FILE_NOTIFY_CHANGE_SIZE | FILE_NOTIFY_CHANGE_LAST_WRITE)) m |= IN_MODIFY;
  if (filter & (FILE_NOTIFY_CHANGE_ATTRIBUTES | FILE_NOTIFY_CHANGE_SECURITY | FILE_NOTIFY_CHANGE_LAST_WRITE)) m |= IN_ATTRIB;
  if (filter & FILE_NOTIFY_CHANGE_LAST_ACCESS) m |= IN_ACCESS;
  return m;
}

/** Whether an event passes the filter: names for the file/directory name filters. */
function wanted(filter: number, mask: number): boolean {
  const dir = (mask & IN_ISDIR) !== 0;
  const nameFilter = dir ? FILE_NOTIFY_CHANGE_DIR_NAME : FILE_NOTIFY_CHANGE_FILE_NAME;
  if (mask & (IN_MOVED_FROM | IN_MOVED_TO | IN_DELETE)) return (filter & nameFilter) !== 0;
  if (mask & IN_CREATE) return (filter & (nameFilter | FILE_NOTIFY_CHANGE_CREATION)) !== 0;
  if (mask & IN_MODIFY) return (filter & (FILE_NOTIFY_CHANGE_SIZE | FILE_NOTIFY_CHANGE_LAST_WRITE)) !== 0;
  if (mask & IN_ATTRIB) return (filter & (FILE_NOTIFY_CHANGE_ATTRIBUTES | FILE_NOTIFY_CHANGE_SECURITY | FILE_NOTIFY_CHANGE_LAST_WRITE)) !== 0;
  if (mask & IN_ACCESS) return (filter & FILE_NOTIFY_CHANGE_LAST_ACCESS) !== 0;
  return false;
}

export class DirectoryWatches {
  private readonly watches = new Map<number, Watch>();

  constructor(private readonly fs: HostFs) {}

  private addTree(w: Watch, rel: string): void {
    const path = rel ? `${w.root}/${rel.replace(/\\/g, '/')}` : w.root;
    const wd = this.fs.inotifyWatch(w.fd, path, maskFor(w.filter));
    if (failed(wd)) return;
    w.dirs.set(wd, rel);
    if (!w.subtree) return;
    const entries = this.fs.readdir(path);
    if (failed(entries)) return;
    for (const e of entries) {
      const st = this.fs.lstat(`${path}/${e}`);
      if (!failed(st) && st.isDirectory) this.addTree(w, rel ? `${rel}\\${e}` : e);
    }
  }

  /** The watch of a directory handle, started on first use. */
  private watch(handle: number, root: string, subtree: boolean, filter: number): Watch | number {
    let w = this.watches.get(handle);
    if (w) return w;
    const fd = this.fs.inotifyInit();
    if (failed(fd)) return 8; // ERROR_NOT_ENOUGH_MEMORY: out of inotify instances
    w = { fd, root, subtree, filter, dirs: new Map() };
    this.watches.set(handle, w);
    this.addTree(w, '');
    return w;
  }

  /** Waits for changes under the directory; an empty list means they overflowed. Returns a
   *  Win32 error number when the watch cannot be made. */
  wait(handle: number, root: string, subtree: boolean, filter: number): Change[] | number {
    const w = this.watch(handle, root, subtree, filter);
    if (typeof w === 'number') return w;
    for (;;) {
      const buf = new Uint8Array(64 * 1024);
      const n = this.fs.read(w.fd, buf);
      if (failed(n)) return 1; // ERROR_INVALID_FUNCTION
      const changes = this.decode(w, buf.subarray(0, n));
      if (changes) return changes;
    }
  }

  /** Windows changes from a batch of inotify events (undefined: nothing the filter wants). */
  private decode(w: Watch, data: Uint8Array): Change[] | undefined {
    const dv = new DataView(data.buffer, data.byteOffset, data.length);
    const out: Change[] = [];
    const moves = new Map<number, number>(); // cookie → index of its RENAMED_OLD_NAME
    let overflow = false;
    for (let p = 0; p + 16 <= data.length; ) {
      const wd = dv.getInt32(p, true);
      const mask = dv.getUint32(p + 4, true);
      const cookie = dv.getUint32(p + 8, true);
      const len = dv.getUint32(p + 12, true);
      const raw = data.subarray(p + 16, p + 16 + len);
      p += 16 + len;
      if (mask & IN_Q_OVERFLOW) overflow = true;
      const dir = w.dirs.get(wd);
      if (dir === undefined || len === 0) continue;
      const end = raw.indexOf(0);
      const leaf = new TextDecoder().decode(end >= 0 ? raw.subarray(0, end) : raw);
      const name = dir ? `${dir}\\${leaf}` : leaf;
      if (w.subtree && mask & IN_ISDIR && mask & (IN_CREATE | IN_MOVED_TO)) this.addTree(w, name);
      if (!wanted(w.filter, mask)) continue;
      if (mask & IN_CREATE) out.push({ action: FILE_ACTION_ADDED, name });
      else if (mask & IN_DELETE) out.push({ action: FILE_ACTION_REMOVED, name });
      else if (mask & IN_MOVED_FROM) {
        moves.set(cookie, out.length);
        out.push({ action: FILE_ACTION_REMOVED, name });
      } else if (mask & IN_MOVED_TO) {
        const from = moves.get(cookie);
        if (from !== undefined) {
          out[from]!.action = FILE_ACTION_RENAMED_OLD_NAME;
          out.push({ action: FILE_ACTION_RENAMED_NEW_NAME, name });
        } else out.push({ action: FILE_ACTION_ADDED, name });
      } else out.push({ action: FILE_ACTION_MODIFIED, name });
    }
    if (overflow) return [];
    return out.length ? out : undefined;
  }

  /** The handle is closing: its watch goes. */
  release(handle: number): void {
    const w = this.watches.get(handle);
    if (!w) return;
    this.watches.delete(handle);
    this.fs.close(w.fd);
  }
}
