/**
 * One thread's JS → guest calls and the unwinds that cross them (DESIGN.md §6): the call records
 * a frame walk steps across (GuestFrames), the CONTEXT a guest unwind is on its way to, and the
 * per-thread caches of the exception walk.
 */
import type { CodeCache, GuestCallFrame, GuestFrames } from '../dlls/types.js';
import { PcTable } from '../kernel/pctable.js';
import type { Engine } from '../native/engine.js';
import { CONTEXT, SAVE_STACK, WR } from '../native/layout.js';
import type { AddressSpace } from '../native/memory.js';
import { NativeCapture } from '../native/capture.js';
import { NativeUnwindWalk, type CoreCounts } from '../native/unwindwalk.js';
import { Dir } from '../pe/constants.js';
import { GuestUnwind } from './errors.js';
import type { ModuleLoader } from './modules.js';

/** What the call stack needs from its process. */
export interface GuestCallHost {
  readonly mem: AddressSpace;
  readonly engine: Engine;
  /** The running thread's TEB. */
  teb(): number;
  loader(): ModuleLoader;
  /** `module+0xoffset` for traces and reports. */
  describe(addr: number): string;
}

export class GuestCallStack {
  /** The JS → guest calls in progress on this thread, innermost last. */
  private readonly calls: GuestCallFrame[] = [];
  /** The CONTEXT that the next JS → guest call unwinds into (callFrom), 0: none. */
  private nextParent = 0;
  /** The DISPATCHER_CONTEXT the next JS → guest call is a termination handler for (0: none). */
  private nextDispatcher = 0;
  /** A CONTEXT being jumped to across JS → guest calls (0: none). */
  private pending = 0;
  /** The filter the next guest call gets (frames.callFiltered). */
  private nextFilter: ((record: number) => void) | undefined = undefined;
  /** Jumps started (unwindTo) by each depth of JS → guest calls (calls.length when made):
   *  runHandler's test for a handler that ended by one. A jump made inside a guest call the
   *  handler made (an exception caught within a destructor) is that call's own. */
  private readonly jumps: number[] = [];

  /** The TEB whose UnwindBuffer continueUnwind has filled (0: none yet on this thread). */
  private unwindBufferTeb = 0;
  /** Thrown (one instance: no stack trace to capture each time) through the JS frames a
   *  guest unwind crosses. */
  readonly unwindSignal = new GuestUnwind('guest unwind in progress');
  /** The thread's stack guard region (stack overflow detection). */
  readonly stackGuard = { low: 0, high: 0 };
  /** frames.codeCache, valid for the loader generation and the count of image releases; made
   *  on first use (~400 KB of tables a thread that never walks its stack does not allocate). */
  private codeCache: CodeCache | undefined = undefined;
  private codeCacheGeneration = -1;
  private codeCacheReleases = -1;
  readonly frames: GuestFrames;
  /** The thread's capture of an export's caller (its machine code made on first use). */
  private readonly capturer: NativeCapture;

  constructor(private readonly host: GuestCallHost) {
    this.capturer = new NativeCapture(host.mem);
    this.frames = {
      calls: this.calls,
      callGuestReturn: host.engine.callGuestReturn,
      trampolineFunction: host.engine.trampolineFunction,
      callFrom: (parent, fn, args, unwindReturns = false, dispatcher = 0) => {
        // A snapshot: the caller's CONTEXT may change while the callee runs (RtlUnwindEx
        // writes its working state into the CONTEXT a language handler was given).
        const mem = host.mem;
        const slot = host.teb() + WR.GuestRsp;
        const cur = mem.ptr(slot);
        const snap = Math.floor((cur - CONTEXT.Size - 16) / 16) * 16;
        mem.copy(snap, parent, CONTEXT.Size);
        mem.setU64(slot, snap);
        try {
          this.nextParent = snap;
          this.nextDispatcher = dispatcher;
          return this.callGuest(fn, args, unwindReturns);
        } finally {
          mem.setU64(slot, cur);
        }
      },
      callFiltered: (fn, args, filter) => {
        this.nextFilter = filter;
        return this.callGuest(fn, args);
      },
      currentSaveArea: () => this.currentSaveArea(),
      capture: (context, saveArea, guestRsp, mxcsr) => this.capturer.capture(context, saveArea, guestRsp, mxcsr),
      pendingUnwind: () => this.pending,
      directHandler: (fn) => {
        const cache = this.frames.codeCache().direct;
        let impl = cache.get(fn);
        if (impl === undefined) {
          // A linker's import stub (`jmp [rip+disp32]` through the import address table, or
          // `jmp rel32`) leads to the export: .pdata names the stub in the program's image.
          let at = fn;
          for (let hop = 0; hop < 3 && host.mem.accessible(at, 6, 'read'); hop++) {
            const b0 = host.mem.u8(at);
            if (b0 === 0xff && host.mem.u8(at + 1) === 0x25) {
              const slot = at + 6 + host.mem.i32(at + 2);
              if (!host.mem.accessible(slot, 8, 'read')) break;
              at = host.mem.ptr(slot);
            } else if (b0 === 0xe9) at = at + 5 + host.mem.i32(at + 1);
            else break;
          }
          const m = host.loader().containing(at);
          const i = m?.builtin?.addresses.indexOf(at) ?? -1;
          const row = i >= 0 ? m!.builtin!.table.exports[i] : undefined;
          impl = row?.direct && row.impl ? row.impl : null;
          cache.set(fn, impl);
        }
        return impl ?? undefined;
      },
      runHandler: (run) => {
        const depth = this.calls.length;
        const jumps = this.jumps[depth] ?? 0;
        const r = run();
        return (this.jumps[depth] ?? 0) !== jumps ? undefined : r;
      },
      stackGuard: this.stackGuard,
      raiseCore: { entry: 0, failed: false, dispatches: 0, unwindCall: 0, raiseFrames: [] },
      codeCache: () => {
        const c = (this.codeCache ??= { functions: new PcTable(), plans: new PcTable(), handlerData: new PcTable(), named: new Map(), walker: new NativeUnwindWalk(host.mem), direct: new PcTable(8) });
        const gen = host.loader().generation;
        const releases = host.mem.imageReleases();
        if (gen !== this.codeCacheGeneration || releases !== this.codeCacheReleases) {
          c.functions.clear();
          c.plans.clear();
          c.handlerData.clear();
          c.named.clear();
          c.walker.clear();
          c.direct.clear();
          this.codeCacheGeneration = gen;
          this.codeCacheReleases = releases;
        }
        return c;
      },
      imageAt: (pc) => {
        const m = host.loader().containing(pc);
        if (!m) return undefined;
        const dir = m.pe?.dataDirectories[Dir.Exception];
        return { base: m.base, pdataRva: dir?.VirtualAddress ?? 0, pdataSize: dir?.Size ?? 0, name: m.displayName, builtin: m.builtin !== undefined };
      },
      describe: (addr) => host.describe(addr),
    };
  }

  /** The exception core's counts in this realm (native/unwindwalk.ts coreCounts). */
  exceptionCoreCounts(): CoreCounts {
    return this.codeCache?.walker.coreCounts() ?? { raises: 0, unwinds: 0, catches: 0 };
  }

  /** A jump to `context` from the export call running now (ctx.unwindTo, ExitThread). */
  unwindTo(context: number): void {
    const depth = this.calls.length;
    this.jumps[depth] = (this.jumps[depth] ?? 0) + 1;
    this.pending = context;
    this.continueUnwind();
  }

  /** The dispatch stub's save area of the export call running now (layout.ts SAVE_STACK). */
  currentSaveArea(): number {
    return this.host.teb() + SAVE_STACK.Top + this.host.mem.i32(this.host.teb() + WR.SaveDepth);
  }

  /** Forgets a finished thread's calls: its last unwind (ExitThread's jump out of every frame)
   *  ends with `pending` still set. A pooled Worker runs its next thread on a clean stack. */
  reset(): void {
    this.calls.length = 0;
    this.pending = 0;
    this.unwindBufferTeb = 0;
    this.nextParent = 0;
    this.nextDispatcher = 0;
    this.nextFilter = undefined;
  }

  /** Runs guest `fn`; when it ends by an unwind past this call, throws GuestUnwind (or, with
   *  `unwindReturns`, returns 0 with pendingUnwind set: frames.callFrom). */
  callGuest(fn: number, args: readonly (number | bigint)[], unwindReturns = false): bigint {
    const mem = this.host.mem;
    const teb = this.host.teb();
    const cur = mem.ptr(teb + WR.GuestRsp);
    const slots = Math.max(4, args.length);
    const rsp = Math.floor((cur - 8 * slots - 8) / 16) * 16;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      mem.setU64(rsp + 8 * i, typeof a === 'number' && a < 0 ? BigInt.asUintN(64, BigInt(a)) : a);
    }
    // Where an exception walk continues past this call: the CONTEXT given by callGuestFrom, or
    // the guest code that made the export call now running (none at the top level).
    const hostRsp = mem.ptr(teb + WR.HostRsp);
    // One shape for every call's frame (a filter or undefined), not a spread per call.
    this.calls.push({ rsp, parent: this.nextParent, exportRsp: hostRsp !== 0 ? cur : 0, saveArea: hostRsp !== 0 ? this.currentSaveArea() : 0, dispatcher: this.nextDispatcher, filter: this.nextFilter });
    this.nextParent = 0;
    this.nextDispatcher = 0;
    this.nextFilter = undefined;
    let r: bigint;
    try {
      r = this.host.engine.callGuest(fn, rsp);
    } finally {
      this.calls.pop();
      // The guest may have synchronised with another thread that changed the address space.
      mem.sync();
    }
    if (this.pending !== 0) {
      if (unwindReturns) return 0n;
      throw this.unwindSignal;
    }
    return r;
  }

  /**
   * Continues a jump to the CONTEXT in pendingUnwind from the export call running now: when
   * the target frame is older than the innermost JS → guest call, return into that call's
   * trampoline (whose JS caller then throws GuestUnwind); else resume at the target itself.
   */
  continueUnwind(): void {
    const mem = this.host.mem;
    const target = this.pending;
    const inner = this.calls[this.calls.length - 1]?.rsp;
    if (inner !== undefined && mem.ptr(target + CONTEXT.Rsp) > inner) {
      const u = this.host.teb() + WR.UnwindBuffer;
      // The rest of the buffer stays as set the first time in this thread (winrun's own).
      if (this.unwindBufferTeb !== this.host.teb()) {
        mem.fill(u, 0, CONTEXT.Size);
        mem.setU32(u + CONTEXT.MxCsr, 0x1f80);
        mem.setU32(u + CONTEXT.EFlags, 0x202);
        this.unwindBufferTeb = this.host.teb();
      }
      mem.setU64(u + CONTEXT.Rsp, inner);
      mem.setU64(u + CONTEXT.Rip, this.host.engine.callGuestReturn);
      mem.setU64(this.host.teb() + WR.ResumeContext, u);
    } else {
      this.pending = 0;
      mem.setU64(this.host.teb() + WR.ResumeContext, target);
    }
  }
}
