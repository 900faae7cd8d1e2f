/**
 * Kernel objects as handles see them (handleapi.h, synchapi.h): creating a synchronization
 * object with or without a name, OpenEvent/OpenMutex/OpenSemaphore, DuplicateHandle within
 * the process, and what closing a handle does to the object behind it. The counting and the
 * namespace are kernel/objects.ts; the objects' own words are kernel/waitable.ts and mutex.ts.
 */
import { closeFileHandle } from '../../kernel/files.js';
import { HANDLE_PROTECT, HandleType } from '../../kernel/handles.js';
import { MAX_OBJECT_NAME, OBJECT_BLOCK_SIZE, OBJECT_FLAGS, OBJECT_NAMED, OBJECT_REFS, canonicalObjectName } from '../../kernel/objects.js';
import type { ApiContext } from '../types.js';
import { ERROR_INVALID_HANDLE, ERROR_INVALID_PARAMETER, ERROR_NOACCESS, ERROR_NOT_SUPPORTED } from './errors.js';
import { closeInChild, closeProcessHandle, duplicateIntoChild, processSlot } from './processobjects.js';
import { ansiToString } from './text.js';

const ERROR_FILE_NOT_FOUND = 2;
const ERROR_TOO_MANY_OPEN_FILES = 4;
const ERROR_ALREADY_EXISTS = 183;
const ERROR_FILENAME_EXCED_RANGE = 206;
const DUPLICATE_CLOSE_SOURCE = 1;
const DUPLICATE_SAME_ACCESS = 2;
const CURRENT_PROCESS = -1;
const CURRENT_THREAD = -2;
const THREAD_ALL_ACCESS = 0x1fffff;

/** The handle types whose value is an object block in guest memory. */
export type SyncType = HandleType.Event | HandleType.Semaphore | HandleType.Mutex | HandleType.Timer;

export function isSyncType(t: HandleType): t is SyncType {
  return t === HandleType.Event || t === HandleType.Semaphore || t === HandleType.Mutex || t === HandleType.Timer;
}

function fail(ctx: ApiContext, code: number, value = 0): number {
  ctx.setLastError(code);
  return value;
}

function refs(ctx: ApiContext, block: number): Int32Array {
  return ctx.mem.int32At(block + OBJECT_REFS);
}

/** A name argument as a string; undefined (with the error set) when it cannot be read. */
function readName(ctx: ApiContext, p: number, wide: boolean): string | undefined {
  if (!ctx.mem.accessible(p, 1, 'read')) {
    ctx.setLastError(ERROR_NOACCESS);
    return undefined;
  }
  const name = canonicalObjectName(wide ? ctx.mem.wstring(p) : ansiToString(ctx, ctx.mem.cstringBytes(p)));
  if (name.length > MAX_OBJECT_NAME) {
    ctx.setLastError(ERROR_FILENAME_EXCED_RANGE);
    return undefined;
  }
  return name;
}

/**
 * CreateEvent/CreateMutex/CreateSemaphore/CreateWaitableTimer: a new object, initialized by
 * `init`, and a handle to it. With a name that exists already: a handle to that object and
 * ERROR_ALREADY_EXISTS (`init` does not run), or ERROR_INVALID_HANDLE when it is another kind
 * of object. Last error 0 on a plain success, as Windows sets it.
 */
export function createObject(ctx: ApiContext, type: SyncType, namePtr: number, wide: boolean, init: (block: number) => void, access = 0x1f0003): number {
  const p = ctx.process;
  const fresh = (): number => {
    const block = p.heapAlloc(p.processHeap, OBJECT_BLOCK_SIZE, 0);
    if (block === 0) return 0;
    init(block);
    ctx.mem.setU32(block + OBJECT_REFS, 1);
    ctx.mem.setU32(block + OBJECT_FLAGS, 0);
    return block;
  };
  if (namePtr === 0 || (wide ? ctx.mem.u16(namePtr) : ctx.mem.u8(namePtr)) === 0) {
    const block = fresh();
    if (block === 0) return fail(ctx, 8 /* ERROR_NOT_ENOUGH_MEMORY */);
    const h = p.handles.allocate(type, block, { access });
    if (h === 0) {
      releaseObject(ctx, block);
      return fail(ctx, ERROR_TOO_MANY_OPEN_FILES);
    }
    ctx.setLastError(0);
    return h;
  }
  const name = readName(ctx, namePtr, wide);
  if (name === undefined) return 0;
  const r = p.objectNames.locked((): { block: number; existed: boolean } | { error: number } => {
    const found = p.objectNames.find(name);
    if (found) {
      if (found.type !== type) return { error: ERROR_INVALID_HANDLE };
      Atomics.add(refs(ctx, found.block), 0, 1);
      return { block: found.block, existed: true };
    }
    const block = fresh();
    if (block === 0) return { error: 8 };
    ctx.mem.setU32(block + OBJECT_FLAGS, OBJECT_NAMED);
    if (!p.objectNames.insert(name, type, block)) {
      p.heapFree(p.processHeap, block);
      return { error: ERROR_TOO_MANY_OPEN_FILES };
    }
    return { block, existed: false };
  });
  if ('error' in r) return fail(ctx, r.error);
  const h = p.handles.allocate(type, r.block, { access });
  if (h === 0) {
    releaseObject(ctx, r.block);
    return fail(ctx, ERROR_TOO_MANY_OPEN_FILES);
  }
  ctx.setLastError(r.existed ? ERROR_ALREADY_EXISTS : 0);
  return h;
}

/** OpenEvent/OpenMutex/OpenSemaphore/OpenWaitableTimer: a handle to the named object. */
export function openObject(ctx: ApiContext, type: SyncType, access: number, namePtr: number, wide: boolean): number {
  if (namePtr === 0) return fail(ctx, ERROR_INVALID_PARAMETER);
  const name = readName(ctx, namePtr, wide);
  if (name === undefined) return 0;
  const p = ctx.process;
  const r = p.objectNames.locked((): number => {
    const found = p.objectNames.find(name);
    if (!found) return -ERROR_FILE_NOT_FOUND;
    if (found.type !== type) return -ERROR_INVALID_HANDLE;
    Atomics.add(refs(ctx, found.block), 0, 1);
    return found.block;
  });
  if (r < 0) return fail(ctx, -r);
  const h = p.handles.allocate(type, r, { access });
  if (h === 0) {
    releaseObject(ctx, r);
    return fail(ctx, ERROR_TOO_MANY_OPEN_FILES);
  }
  return h;
}

/** One more reference to an object the caller holds (a new handle, or a thread waiting). */
export function referenceObject(ctx: ApiContext, block: number): void {
  Atomics.add(refs(ctx, block), 0, 1);
}

/** Drops a reference; the last one frees the block (and its name). */
export function releaseObject(ctx: ApiContext, block: number): void {
  const p = ctx.process;
  const named = (ctx.mem.u32(block + OBJECT_FLAGS) & OBJECT_NAMED) !== 0;
  const last = named
    ? p.objectNames.locked(() => {
        if (Atomics.sub(refs(ctx, block), 0, 1) !== 1) return false;
        p.objectNames.remove(block);
        return true;
      })
    : Atomics.sub(refs(ctx, block), 0, 1) === 1;
  if (last) p.heapFree(p.processHeap, block);
}

/**
 * CloseHandle for the object handles of this module: true when `h` was one (closed), false
 * when it is another kind of handle (the caller closes it), undefined when not open.
 */
export function closeObjectHandle(ctx: ApiContext, h: number): boolean | undefined {
  const o = ctx.process.handles.lookup(h);
  if (!o) return undefined;
  if (!isSyncType(o.type) && o.type !== HandleType.Thread) return false;
  if (!ctx.process.handles.close(h)) return undefined;
  if (o.type === HandleType.Thread) ctx.process.threads.release(o.value);
  else releaseObject(ctx, o.value);
  return true;
}

/**
 * Closes any handle of the process: 'closed', 'invalid' (not open), or 'protected'
 * (HANDLE_FLAG_PROTECT_FROM_CLOSE, which NtClose reports as STATUS_HANDLE_NOT_CLOSABLE and
 * CloseHandle as ERROR_INVALID_HANDLE). CloseHandle and NtClose share it.
 */
export function closeAnyHandle(ctx: ApiContext, h: number): 'closed' | 'invalid' | 'protected' {
  const o = ctx.process.handles.lookup(h);
  if (!o) return 'invalid';
  if (o.flags & HANDLE_PROTECT) return 'protected';
  const closed = closeObjectHandle(ctx, h);
  if (closed !== false) return closed ? 'closed' : 'invalid';
  // A registry key's handle is an NT handle too: closing it through CloseHandle is allowed.
  if (o.type === HandleType.RegistryKey) return ctx.process.registry.close(h) === 0 ? 'closed' : 'invalid';
  if (o.type === HandleType.Process || o.type === HandleType.ProcessThread) return closeProcessHandle(ctx, h) ? 'closed' : 'invalid';
  if (o.type === HandleType.NamedPipe) {
    if (!ctx.process.handles.close(h)) return 'invalid';
    ctx.process.namedPipes.release(o.value);
    return 'closed';
  }
  return closeFileHandle(ctx.process, h) ? 'closed' : 'invalid';
}

/** CloseHandle: any handle of the process (pseudo handles close as a no-op, as on Windows). */
export function CloseHandle(ctx: ApiContext, h: number): number {
  if (h === CURRENT_PROCESS || h === CURRENT_THREAD) return 1;
  return closeAnyHandle(ctx, h) === 'closed' ? 1 : fail(ctx, ERROR_INVALID_HANDLE);
}

/** The calling thread's slot in the thread table. */
export function currentThreadSlot(ctx: ApiContext): number {
  return ctx.process.threadSlot();
}

/**
 * DuplicateHandle within this process (source and target process: GetCurrentProcess()).
 * Objects gain a reference; files, pipes, directories and the console get a new descriptor
 * sharing the file position (dup), as a duplicated Windows handle shares its file object.
 * GetCurrentThread() duplicates into a real handle to the calling thread. DUPLICATE_CLOSE_SOURCE
 * closes the source even when the duplication fails, as documented.
 */
export function DuplicateHandle(ctx: ApiContext, srcProcess: number, src: number, dstProcess: number, out: number, access: number, inherit: number, options: number): number {
  const closeSource = (options & DUPLICATE_CLOSE_SOURCE) !== 0;
  if (srcProcess !== CURRENT_PROCESS || dstProcess !== CURRENT_PROCESS) {
    // A child process (processobjects.ts): into it, or closing a handle of it, before it starts.
    const srcChild = srcProcess === CURRENT_PROCESS ? -1 : processSlot(ctx, srcProcess);
    const dstChild = dstProcess === CURRENT_PROCESS || dstProcess === 0 ? -1 : processSlot(ctx, dstProcess);
    if (srcProcess === CURRENT_PROCESS && dstChild >= 0) {
      const r = duplicateIntoChild(ctx, dstChild, src, out, access, inherit !== 0, (options & DUPLICATE_SAME_ACCESS) !== 0);
      if (closeSource && src !== CURRENT_THREAD && src !== CURRENT_PROCESS) CloseHandle(ctx, src);
      return r;
    }
    if (srcChild >= 0 && dstProcess === 0 && closeSource) return closeInChild(ctx, srcChild, src);
    if (srcChild >= 0 || dstChild >= 0) {
      ctx.fixme('sync', 'DuplicateHandle', 'handles of a child process');
      return fail(ctx, ERROR_NOT_SUPPORTED);
    }
    return fail(ctx, ERROR_INVALID_HANDLE);
  }
  const r = duplicate(ctx, src, access, (options & DUPLICATE_SAME_ACCESS) !== 0, out);
  if (closeSource && src !== CURRENT_THREAD && src !== CURRENT_PROCESS) CloseHandle(ctx, src);
  return r;
}

function duplicate(ctx: ApiContext, src: number, access: number, sameAccess: boolean, out: number): number {
  const p = ctx.process;
  if (out !== 0 && !ctx.mem.accessible(out, 8, 'write')) return fail(ctx, ERROR_NOACCESS);
  const put = (h: number): number => {
    if (h === 0) return fail(ctx, ERROR_TOO_MANY_OPEN_FILES);
    if (out !== 0) ctx.mem.setU64(out, h);
    else CloseHandle(ctx, h);
    return 1;
  };
  if (src === CURRENT_THREAD) {
    const slot = currentThreadSlot(ctx);
    p.threads.addRef(slot);
    const h = p.handles.allocate(HandleType.Thread, slot, { access: sameAccess ? THREAD_ALL_ACCESS : access });
    if (h === 0) p.threads.release(slot);
    return put(h);
  }
  if (src === CURRENT_PROCESS) {
    ctx.fixme('sync', 'DuplicateHandle', 'a real handle to the current process');
    return fail(ctx, ERROR_NOT_SUPPORTED);
  }
  const o = p.handles.lookup(src);
  if (!o) return fail(ctx, ERROR_INVALID_HANDLE);
  const mask = sameAccess ? o.access : access;
  if (isSyncType(o.type)) {
    referenceObject(ctx, o.value);
    const h = p.handles.allocate(o.type, o.value, { access: mask });
    if (h === 0) releaseObject(ctx, o.value);
    return put(h);
  }
  if (o.type === HandleType.Thread) {
    p.threads.addRef(o.value);
    const h = p.handles.allocate(o.type, o.value, { access: mask });
    if (h === 0) p.threads.release(o.value);
    return put(h);
  }
  if (o.type === HandleType.Process || o.type === HandleType.ProcessThread) {
    p.processes.addRef(o.value);
    const h = p.handles.allocate(o.type, o.value, { access: mask });
    if (h === 0) p.processes.release(o.value);
    return put(h);
  }
  if (o.type === HandleType.File || o.type === HandleType.Directory || o.type === HandleType.Console || o.type === HandleType.Pipe || o.type === HandleType.Mapping) {
    const fd = p.fs.dup(o.value);
    if (typeof fd !== 'number') return fail(ctx, ERROR_TOO_MANY_OPEN_FILES);
    // The copy owns its descriptor; deletion on close stays with the original handle.
    const flags = o.flags & ~0x15; /* HANDLE_DELETE_ON_CLOSE | HANDLE_BORROWED_FD | HANDLE_DELETE_PENDING */
    const h = p.handles.allocate(o.type, fd, { access: mask, share: o.share, flags, fileId: o.fileId });
    if (h === 0) p.fs.close(fd);
    return put(h);
  }
  if (o.type === HandleType.NamedPipe) {
    p.namedPipes.addRef(o.value);
    const h = p.handles.allocate(o.type, o.value, { access: mask });
    if (h === 0) p.namedPipes.release(o.value);
    return put(h);
  }
  if (o.type === HandleType.Token) return put(p.handles.allocate(o.type, o.value, { access: mask, flags: o.flags }));
  ctx.fixme('sync', 'DuplicateHandle', `handles of type ${o.type}`);
  return fail(ctx, ERROR_NOT_SUPPORTED);
}

// ---- Open* ---------------------------------------------------------------------------------------

export const OpenEventW = (ctx: ApiContext, access: number, _inherit: number, name: number): number => openObject(ctx, HandleType.Event, access, name, true);
export const OpenEventA = (ctx: ApiContext, access: number, _inherit: number, name: number): number => openObject(ctx, HandleType.Event, access, name, false);
export const OpenMutexW = (ctx: ApiContext, access: number, _inherit: number, name: number): number => openObject(ctx, HandleType.Mutex, access, name, true);
export const OpenMutexA = (ctx: ApiContext, access: number, _inherit: number, name: number): number => openObject(ctx, HandleType.Mutex, access, name, false);
export const OpenSemaphoreW = (ctx: ApiContext, access: number, _inherit: number, name: number): number => openObject(ctx, HandleType.Semaphore, access, name, true);
export const OpenSemaphoreA = (ctx: ApiContext, access: number, _inherit: number, name: number): number => openObject(ctx, HandleType.Semaphore, access, name, false);
