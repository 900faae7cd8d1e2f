/**
 * A guest thread's life on its host thread (processthreadsapi.h): running a Worker's thread
 * from its boot data, ExitThread, TerminateThread and the end of a thread — FLS callbacks,
 * DLL_THREAD_DETACH, TLS blocks, then its TEB, stack and dispatcher go. A pooled Worker runs many
 * threads in turn on one WinProcess; the process part of the boot data is adopted once.
 */
import { runFlsCallbacks } from '../dlls/kernel32/fibersapi.js';
import type { ApiContext } from '../dlls/types.js';
import type { DebugChannels } from '../kernel/debug.js';
import type { ThreadTable } from '../kernel/threads.js';
import { reportToStderr } from '../host/threads.js';
import type { Engine } from '../native/engine.js';
import { CONTEXT, TEB, WR } from '../native/layout.js';
import type { AddressSpace } from '../native/memory.js';
import type { DispatchEntry } from './dispatch.js';
import { EXIT_INTERNAL_ERROR } from './errors.js';
import type { GuestCallStack } from './guestcalls.js';
import { builtinDisplayName, type ModuleLoader } from './modules.js';
import { adoptModules, createThreadTls, freeThreadTls, notifyThread } from './threadmodules.js';
import { dispatchEntries, freeThreadBlock, type ThreadBlock, type ThreadBoot } from './threads.js';

/** What a thread's life uses of its WinProcess. */
export interface ThreadHost {
  readonly mem: AddressSpace;
  readonly engine: Engine;
  readonly threads: ThreadTable;
  readonly loader: ModuleLoader;
  readonly dispatch: DispatchEntry[];
  readonly debug: DebugChannels;
  readonly guest: GuestCallStack;
  teb(): number;
  ctx(): ApiContext;
  processHeap(): number;
  /** Makes `block` this host thread's guest thread; returns its dispatcher's address. */
  enterThread(block: ThreadBlock, tid: number, signalStack: number): number;
  callGuest(fn: number, args: readonly (number | bigint)[]): bigint;
  exit(code: number): never;
  terminate(code: number): never;
}

export class ThreadLife {
  /** This thread's slot in the ThreadTable (the main thread's is 0). */
  slot = 0;
  /** Runs on a Worker (not the process's main thread). */
  private worker = false;
  private detached = false;
  /** ExitThread's code while its unwind is on the way to run(). */
  private exitCode: number | undefined;
  /** The boot data's process part is adopted (a reused WinProcess keeps it). */
  private adopted = false;

  constructor(private readonly host: ThreadHost) {}

  /** Takes in the process part of boot data (its modules and dispatch list), once. */
  adopt(boot: Pick<ThreadBoot, 'dispatch' | 'dataExports' | 'modules'>): void {
    if (this.adopted) return;
    const h = this.host;
    // By id (this Worker's list is empty until now); ids the creator had not met stay empty.
    dispatchEntries(boot.dispatch, builtinDisplayName).forEach((e, id) => e && (h.dispatch[id] = e));
    for (const [k, v] of boot.dataExports) h.loader.dataExports.set(k, v);
    adoptModules(h.loader, boot.modules);
    this.adopted = true;
  }

  /** In a thread's Worker: joins the process, runs the start routine, records its exit code,
   *  then frees what the thread had (its TEB, stack and dispatcher; the Worker's signal stack
   *  stays with the Worker). */
  run(boot: ThreadBoot, signalStack: number, entered: number): void {
    const h = this.host;
    this.adopt(boot);
    this.detached = false;
    this.exitCode = undefined;
    h.guest.reset();
    this.worker = true;
    this.slot = boot.slot;
    const dispatcher = h.enterThread(boot.block, h.threads.tid(boot.slot), signalStack);
    // Created suspended: nothing of the thread runs (not even DLL_THREAD_ATTACH) until resumed.
    h.threads.waitResumed(boot.slot);
    if (h.debug.on('thread', 'trace')) h.debug.log('thread', 'trace', 'thread', `started ${(performance.timeOrigin + performance.now() - boot.createdAt).toFixed(1)} ms after CreateThread (winrun loaded in the Worker after ${(entered - boot.createdAt).toFixed(1)} ms)`);
    let code: number;
    try {
      createThreadTls(h.ctx(), h.loader, h.processHeap());
      notifyThread(h.ctx(), h.loader, true);
      code = Number(h.callGuest(boot.start, [boot.param]) & 0xffffffffn);
      this.detach();
    } catch (e) {
      if (e === h.guest.unwindSignal && this.exitCode !== undefined) code = this.exitCode;
      else {
        reportToStderr(`winrun: thread ${h.threads.tid(boot.slot)} ended by ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        code = EXIT_INTERNAL_ERROR;
      }
    }
    // TerminateThread has recorded its code already.
    if (!h.threads.terminated(boot.slot)) h.threads.exited(boot.slot, code);
    h.engine.unregisterDispatcher(dispatcher);
    freeThreadBlock(h.mem, boot.block, h.threads);
  }

  /** FLS callbacks, DLL_THREAD_DETACH notifications, then this thread's TLS blocks go (once). */
  private detach(): void {
    if (this.detached) return;
    this.detached = true;
    const ctx = this.host.ctx();
    runFlsCallbacks(ctx);
    notifyThread(ctx, this.host.loader, false);
    freeThreadTls(ctx, this.host.loader, this.host.processHeap());
  }

  /**
   * ExitThread: detach notifications on this thread's stack, then a jump out of every guest
   * frame to run() (an unwind whose target lies above the whole stack). On the main thread
   * the process ends with the code (deviation: Windows lets the other threads run on).
   */
  exit(code: number): void {
    if (!this.worker) this.host.exit(code);
    this.detach();
    this.unwindOut(code);
  }

  /**
   * TerminateThread from another thread reached this one at an API call: the thread ends with
   * no DLL detach and no FLS callbacks, as on Windows (the code is recorded already). The main
   * thread cannot end alone here (it is the host's main thread): the process ends with the code.
   */
  terminatedByOther(): void {
    const code = this.host.threads.exitCode(this.slot);
    if (!this.worker) this.host.terminate(code);
    this.detached = true;
    this.unwindOut(code);
  }

  /** TerminateThread of the calling thread. */
  terminate(code: number): void {
    if (!this.worker) this.host.terminate(code);
    this.host.threads.requestTerminate(this.slot, code);
    this.detached = true;
    this.unwindOut(code);
  }

  /** A jump out of every guest frame of this thread to run(), which ends it with `code`. */
  private unwindOut(code: number): void {
    const { mem } = this.host;
    const teb = this.host.teb();
    this.exitCode = code >>> 0;
    const target = teb + WR.ContextBuffer;
    mem.fill(target, 0, CONTEXT.Size);
    mem.setU64(target + CONTEXT.Rsp, mem.ptr(teb + TEB.StackBase));
    this.host.guest.unwindTo(target);
  }
}
