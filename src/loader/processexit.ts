/**
 * How a process ends (ExitProcess, TerminateProcess). ExitProcess first detaches the DLLs
 * (DLL_PROCESS_DETACH in reverse initialization order, then the builtin DLLs' own detach);
 * both then restore the terminal, write the full 32-bit exit code for whoever reads the status
 * descriptor (a winrun parent, the library API: the shell sees only the low 8 bits) and end
 * every thread (exit_group).
 */
import type { ApiContext } from '../dlls/types.js';
import { writeFd } from '../host/io.js';
import type { DebugChannels } from '../kernel/debug.js';
import { exitGroup } from '../native/host.js';
import type { CoreCounts } from '../native/unwindwalk.js';
import type { ModuleLoader } from './modules.js';

/** DLL_PROCESS_DETACH for the loaded modules, then the detach of each builtin DLL loaded. */
export function detachModules(loader: ModuleLoader, ctx: ApiContext, loaded: (name: string) => boolean): void {
  loader.detachAll();
  for (const t of loader.tables) {
    if (t.detach && loaded(t.name)) {
      try {
        t.detach(ctx);
      } catch {
        /* exiting anyway */
      }
    }
  }
}

/** What the end needs from the process. */
export interface ProcessEnd {
  readonly debug: DebugChannels;
  readonly statusFd: number | undefined;
  restoreTerminal(): void;
  /** What the exiting thread's exception core did (native/exccore.ts). */
  exceptionCoreCounts(): CoreCounts;
}

/** The last steps of both ways out: never returns. */
export function endProcess(p: ProcessEnd, code: number): never {
  if (p.debug.on('seh', 'warn')) {
    const c = p.exceptionCoreCounts();
    p.debug.log('seh', 'warn', 'exit', `the exception core took ${c.raises} raise(s) and ${c.unwinds} unwind(s) to their target, and made ${c.catches} C++ catch(es)`);
  }
  p.restoreTerminal();
  if (p.statusFd !== undefined) {
    try {
      writeFd(p.statusFd, new TextEncoder().encode(`${code >>> 0}\n`));
    } catch {
      /* the reader went away: the exit code still reaches the parent */
    }
  }
  exitGroup(code >>> 0);
}
