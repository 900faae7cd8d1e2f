/**
 * File mappings (memoryapi.h): CreateFileMapping, OpenFileMapping, MapViewOfFile(Ex),
 * UnmapViewOfFile, FlushViewOfFile. A mapping handle holds a descriptor of its backing file:
 * the program's file, or for the paging file a file in /dev/shm — anonymous, or for a named
 * mapping `/dev/shm/winrun-<uid>-<name>`, which another winrun process opens by the same name.
 * Views are shared (or copy-on-write) mmaps, MEM_MAPPED allocations of the address space.
 */
import { failed, O } from '../../host/fs.js';
import { FILE_READ_DATA, FILE_WRITE_DATA } from '../../kernel/files.js';
import { HANDLE_DELETE_ON_CLOSE, HandleType } from '../../kernel/handles.js';
import {
  ERROR_ACCESS_DENIED,
  ERROR_ALREADY_EXISTS,
  ERROR_FILE_INVALID,
  ERROR_FILE_NOT_FOUND,
  ERROR_INVALID_ADDRESS,
  ERROR_INVALID_HANDLE,
  ERROR_INVALID_PARAMETER,
  ERROR_MAPPED_ALIGNMENT,
  ERROR_NOT_ENOUGH_MEMORY,
  ERROR_SUCCESS,
  win32FromErrno,
} from '../../kernel/win32error.js';
import { AddressSpaceError, MEM_MAPPED, PAGE_EXECUTE_READ, PAGE_EXECUTE_READWRITE, PAGE_EXECUTE_WRITECOPY, PAGE_READONLY, PAGE_READWRITE, PAGE_WRITECOPY } from '../../native/memprotect.js';
import type { ApiContext } from '../types.js';
import { readPath, type Charset } from './pathstr.js';

const FILE_MAP_COPY = 0x1;
const FILE_MAP_WRITE = 0x2;
const FILE_MAP_READ = 0x4;
const FILE_MAP_EXECUTE = 0x20;
const SEC_FLAGS = 0x80000000 | 0x10000000 | 0x08000000 | 0x04000000 | 0x01000000 | 0x00800000 | 0x00200000 | 0x40000000 | 0x20000000;
const GRANULARITY = 0x10000;
/** O_TMPFILE (with O_DIRECTORY, which it includes): a file with no name. */
const O_TMPFILE = 0o20200000;

function fail(ctx: ApiContext, error: number, value = 0): number {
  ctx.setLastError(error);
  return value;
}

const writable = (p: number): boolean => p === PAGE_READWRITE || p === PAGE_EXECUTE_READWRITE;
const executable = (p: number): boolean => p === PAGE_EXECUTE_READ || p === PAGE_EXECUTE_READWRITE || p === PAGE_EXECUTE_WRITECOPY;

/** The /dev/shm file behind a named mapping (the Local\ and Global\ namespaces are one here). */
function shmPath(ctx: ApiContext, name: string): string {
  const bare = name.replace(/^(local|global|session\\\d+)\\/i, '');
  const safe = [...bare].map((ch) => (/[A-Za-z0-9._-]/.test(ch) ? ch : `%${ch.charCodeAt(0).toString(16)}`)).join('');
  return `/dev/shm/winrun-${ctx.process.fs.uid()}-${safe}`;
}

function createFileMapping(ctx: ApiContext, cs: Charset, file: bigint, _sa: number, protect: number, maxHigh: number, maxLow: number, namePtr: number): number {
  const k = ctx.process;
  const page = protect & ~SEC_FLAGS;
  if (![PAGE_READONLY, PAGE_READWRITE, PAGE_WRITECOPY, PAGE_EXECUTE_READ, PAGE_EXECUTE_READWRITE, PAGE_EXECUTE_WRITECOPY].includes(page)) return fail(ctx, ERROR_INVALID_PARAMETER);
  let size = (BigInt(maxHigh >>> 0) << 32n) | BigInt(maxLow >>> 0);
  const name = namePtr ? readPath(ctx, namePtr, cs) : '';
  let fd: number;
  let existed = false;
  if (file === -1n) {
    // Backed by the paging file: shared memory.
    if (name) {
      const path = shmPath(ctx, name);
      let r = k.fs.open(path, O.O_RDWR | O.O_CREAT | O.O_EXCL, 0o600);
      if (failed(r) && r.errno === 'EEXIST') {
        existed = true;
        r = k.fs.open(path, O.O_RDWR);
      }
      if (failed(r)) return fail(ctx, win32FromErrno(r.errno));
      fd = r;
      if (existed) {
        const st = k.fs.fstat(fd);
        if (!failed(st)) size = st.size;
      }
    } else {
      const r = k.fs.open('/dev/shm', O.O_RDWR | O_TMPFILE, 0o600);
      if (failed(r)) return fail(ctx, win32FromErrno(r.errno));
      fd = r;
    }
    if (size === 0n) {
      k.fs.close(fd);
      return fail(ctx, ERROR_INVALID_PARAMETER);
    }
    if (!existed) {
      const t = k.fs.truncate(fd, size);
      if (failed(t)) {
        k.fs.close(fd);
        return fail(ctx, ERROR_NOT_ENOUGH_MEMORY);
      }
    }
  } else {
    const o = k.handles.lookup(Number(file));
    if (!o || o.type !== HandleType.File) return fail(ctx, ERROR_INVALID_HANDLE);
    if (!(o.access & FILE_READ_DATA) || (writable(page) && !(o.access & FILE_WRITE_DATA))) return fail(ctx, ERROR_ACCESS_DENIED);
    const st = k.fs.fstat(o.value);
    if (failed(st)) return fail(ctx, win32FromErrno(st.errno));
    if (size === 0n) {
      if (st.size === 0n) return fail(ctx, ERROR_FILE_INVALID);
      size = st.size;
    } else if (size > st.size) {
      // The file grows to the mapping's size, which needs write access.
      if (!writable(page)) return fail(ctx, ERROR_ACCESS_DENIED);
      const t = k.fs.truncate(o.value, size);
      if (failed(t)) return fail(ctx, win32FromErrno(t.errno));
    }
    const d = k.fs.dup(o.value);
    if (failed(d)) return fail(ctx, win32FromErrno(d.errno));
    fd = d;
    if (name) ctx.fixme('file', 'CreateFileMapping', `the name of a mapping of a file is not visible to other processes (${name})`);
  }
  // The name lives as long as its creator's handle (or process): then the file goes.
  const flags = file === -1n && name && !existed ? HANDLE_DELETE_ON_CLOSE : 0;
  const h = k.handles.allocate(HandleType.Mapping, fd, { access: page, fileId: size, flags });
  if (h === 0) {
    k.fs.close(fd);
    return fail(ctx, ERROR_NOT_ENOUGH_MEMORY);
  }
  ctx.setLastError(existed ? ERROR_ALREADY_EXISTS : ERROR_SUCCESS);
  return h;
}

export const CreateFileMappingW = (ctx: ApiContext, f: bigint, sa: number, p: number, hi: number, lo: number, n: number): number => createFileMapping(ctx, 'W', f, sa, p, hi, lo, n);
export const CreateFileMappingA = (ctx: ApiContext, f: bigint, sa: number, p: number, hi: number, lo: number, n: number): number => createFileMapping(ctx, 'A', f, sa, p, hi, lo, n);

function openFileMapping(ctx: ApiContext, cs: Charset, access: number, _inherit: number, namePtr: number): number {
  if (!namePtr) return fail(ctx, ERROR_INVALID_PARAMETER);
  const k = ctx.process;
  const write = (access & (FILE_MAP_WRITE | 0xf001f)) !== 0 && access !== FILE_MAP_READ;
  const r = k.fs.open(shmPath(ctx, readPath(ctx, namePtr, cs)), write ? O.O_RDWR : O.O_RDONLY);
  if (failed(r)) return fail(ctx, r.errno === 'ENOENT' ? ERROR_FILE_NOT_FOUND : win32FromErrno(r.errno));
  const st = k.fs.fstat(r);
  const h = k.handles.allocate(HandleType.Mapping, r, { access: write ? PAGE_READWRITE : PAGE_READONLY, fileId: failed(st) ? 0n : st.size });
  return h || fail(ctx, ERROR_NOT_ENOUGH_MEMORY);
}

export const OpenFileMappingW = (ctx: ApiContext, a: number, i: number, n: number): number => openFileMapping(ctx, 'W', a, i, n);
export const OpenFileMappingA = (ctx: ApiContext, a: number, i: number, n: number): number => openFileMapping(ctx, 'A', a, i, n);

export function MapViewOfFileEx(ctx: ApiContext, h: number, access: number, offHigh: number, offLow: number, bytes: number, base: number): number {
  const k = ctx.process;
  const o = k.handles.lookup(h);
  if (!o || o.type !== HandleType.Mapping) return fail(ctx, ERROR_INVALID_HANDLE);
  const page = o.access;
  const offset = (BigInt(offHigh >>> 0) << 32n) | BigInt(offLow >>> 0);
  if (offset % BigInt(GRANULARITY) !== 0n) return fail(ctx, ERROR_MAPPED_ALIGNMENT);
  // FILE_MAP_WRITE wins over FILE_MAP_COPY (FILE_MAP_ALL_ACCESS has both bits: a write view).
  const wantWrite = (access & FILE_MAP_WRITE) !== 0;
  const wantExec = (access & FILE_MAP_EXECUTE) !== 0;
  if ((wantWrite && !writable(page)) || (wantExec && !executable(page)) || (access & (FILE_MAP_READ | FILE_MAP_WRITE | FILE_MAP_COPY | FILE_MAP_EXECUTE)) === 0) {
    return fail(ctx, ERROR_ACCESS_DENIED);
  }
  const sectionSize = o.fileId;
  if (offset >= sectionSize) return fail(ctx, ERROR_ACCESS_DENIED);
  const size = bytes === 0 ? sectionSize - offset : BigInt(bytes);
  if (offset + size > sectionSize) return fail(ctx, ERROR_ACCESS_DENIED);
  const copy = !wantWrite && (access & FILE_MAP_COPY) !== 0;
  const protect = copy ? (wantExec ? PAGE_EXECUTE_WRITECOPY : PAGE_WRITECOPY) : wantWrite ? (wantExec ? PAGE_EXECUTE_READWRITE : PAGE_READWRITE) : wantExec ? PAGE_EXECUTE_READ : PAGE_READONLY;
  if (base % GRANULARITY !== 0) return fail(ctx, ERROR_MAPPED_ALIGNMENT);
  try {
    return ctx.mem.mapFile(base, Number(size), protect, o.value, Number(offset), !copy);
  } catch (e) {
    if (e instanceof AddressSpaceError) return fail(ctx, base ? ERROR_INVALID_ADDRESS : ERROR_NOT_ENOUGH_MEMORY);
    throw e;
  }
}

export const MapViewOfFile = (ctx: ApiContext, h: number, a: number, hi: number, lo: number, n: number): number => MapViewOfFileEx(ctx, h, a, hi, lo, n, 0);

export function UnmapViewOfFile(ctx: ApiContext, addr: number): number {
  const a = ctx.mem.allocationAt(addr);
  if (!a || a.type !== MEM_MAPPED) return fail(ctx, ERROR_INVALID_ADDRESS);
  ctx.mem.release(a.base);
  return 1;
}

export function FlushViewOfFile(ctx: ApiContext, addr: number, size: number): number {
  return ctx.mem.flushView(addr, size) ? 1 : fail(ctx, ERROR_INVALID_ADDRESS);
}
