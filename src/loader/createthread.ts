/**
 * CreateThread's side of a new guest thread (DESIGN.md §5): its id, TEB and stack, its slot in
 * the thread table and its handle, and the boot data a Worker of the pool receives
 * (host/threads.ts). The process part of the boot data (modules, dispatch list, data exports)
 * is rebuilt only when those lists changed; its key tells a pooled Worker whether the
 * WinProcess it kept still fits.
 */
import { gettid } from '../native/host.js';
import { WR } from '../native/layout.js';
import { HandleType, type HandleTable } from '../kernel/handles.js';
import type { ThreadTable } from '../kernel/threads.js';
import type { WorkerPool } from '../host/threads.js';
import { hostPid } from '../host/io.js';
import type { AddressSpace } from '../native/memory.js';
import type { Engine } from '../native/engine.js';
import type { DispatchEntry } from './dispatch.js';
import type { ModuleLoader } from './modules.js';
import { snapshotModules } from './threadmodules.js';
import { CREATE_SUSPENDED, STACK_SIZE_PARAM_IS_A_RESERVATION, THREAD_BOOT_PROCESS_FIELDS, allocateThreadBlock, dispatchRecords, freeThreadBlock, type ThreadBoot } from './threads.js';

/** What CreateThread reads of its process. */
export interface ThreadCreator {
  readonly mem: AddressSpace;
  readonly engine: Engine;
  readonly threads: ThreadTable;
  readonly handles: HandleTable;
  readonly pool: WorkerPool;
  readonly loader: ModuleLoader;
  readonly dispatch: readonly DispatchEntry[];
  /** The creating thread's TEB (the new thread's fault entry is copied from it). */
  readonly teb: number;
  /** The program's SizeOfStackReserve: the default stack of a new thread. */
  readonly stackReserve: number;
  /** The process's SharedArrayBuffers and the other values every thread's boot data carries. */
  readonly shared: Pick<ThreadBoot, 'options' | 'handles' | 'locks' | 'threads' | 'pool' | 'objectNames' | 'regPaths' | 'dispatchLog' | 'processes' | 'namedPipes' | 'regionMap' | 'stdHandles' | 'processHeap' | 'pebAddress' | 'consoleBlock'>;
}

type ProcessPart = Pick<ThreadBoot, 'dispatch' | 'dataExports' | 'modules'> & { key: string };

export class ThreadCreation {
  /** The process part CreateThread last built, by its key. */
  private cache: ProcessPart | undefined;

  /** CreateThread: a new guest thread, started by an idle Worker of the pool or a new one. */
  create(c: ThreadCreator, start: number, param: number, stackSize: number, flags: number): { handle: number; tid: number } | { error: number } {
    const tid = c.threads.nextId(gettid());
    const reserve = flags & STACK_SIZE_PARAM_IS_A_RESERVATION && stackSize > 0 ? stackSize : Math.max(stackSize, c.stackReserve);
    const block = allocateThreadBlock(c.mem, reserve, c.shared.pebAddress, hostPid(), tid, c.threads);
    c.mem.setU64(block.teb + WR.FaultEntry, c.mem.u64(c.teb + WR.FaultEntry));
    const slot = c.threads.allocate(tid, block.teb, (flags & CREATE_SUSPENDED) !== 0);
    if (slot < 0) {
      freeThreadBlock(c.mem, block);
      return { error: 8 /* ERROR_NOT_ENOUGH_MEMORY */ };
    }
    const handle = c.handles.allocate(HandleType.Thread, slot, { access: 0x1fffff /* THREAD_ALL_ACCESS */ });
    if (handle === 0) {
      c.threads.exited(slot, 0);
      c.threads.release(slot);
      return { error: 4 /* ERROR_TOO_MANY_OPEN_FILES */ };
    }
    const key = `${c.dispatch.length}|${c.loader.dataExports.size}|${c.loader.modules.map((m) => m.base).join(',')}`;
    if (this.cache?.key !== key) this.cache = { key, dispatch: dispatchRecords(c.dispatch), dataExports: [...c.loader.dataExports], modules: snapshotModules(c.loader) };
    const boot: ThreadBoot = {
      ...c.shared,
      engine: c.engine.code(),
      dispatch: this.cache.dispatch,
      dataExports: this.cache.dataExports,
      modules: this.cache.modules,
      block,
      slot,
      start,
      param,
      processKey: key,
      createdAt: performance.timeOrigin + performance.now(),
    };
    // An idle Worker takes the thread at once; else one starts for it (host/threads.ts).
    const record = boot as unknown as Record<string, unknown>;
    // A spare Worker prepares itself with the process part, and maps the memory windows that
    // hold this thread's block, where the next ones are likely to go too.
    const prepare: Record<string, unknown> = { processKey: key, warm: [block.teb, block.stackLow] };
    for (const f of THREAD_BOOT_PROCESS_FIELDS) prepare[f] = boot[f];
    if (c.pool.hand(record, { key, fields: THREAD_BOOT_PROCESS_FIELDS })) c.pool.replenish(record, prepare);
    else c.pool.start(record, prepare);
    return { handle, tid };
  }
}
