/**
 * The per-thread dispatcher: export id → read the arguments from the guest stack by the
 * export's signature → call the implementation → RAX (or XMM0). This is the hot path of every
 * JS-implemented API call (DESIGN.md §2 budget: ≤ 150 ns round trip), so each export gets a
 * specialised invoker built once: arguments are read through the stack's DataView after one
 * range check against the thread's stack bounds, with a validated slow path for anything else
 * (a guest running on a stack of its own, such as a fiber).
 */
import type { ApiContext, ApiResult, ArgType, ExportRow } from '../dlls/types.js';
import { TEB, WR } from '../native/layout.js';
import type { AddressSpace } from '../native/memory.js';
import type { RelayTracer } from './relay.js';
import type { DebugChannels } from '../kernel/debug.js';
import { writeFd } from '../host/io.js';
import { exitGroup } from '../native/host.js';
import { EXIT_INTERNAL_ERROR, STATUS_PROCEDURE_NOT_FOUND } from './errors.js';

/** Reads argument `i` of a call whose guest RSP is `rsp`. */
type Reader = (rsp: number) => number | bigint;

export interface ThreadFrame {
  /** The thread's TEB and id, and its stack bounds. */
  readonly teb: number;
  readonly tid: number;
  readonly stackLow: number;
  readonly stackHigh: number;
}

export interface DispatchEntry {
  readonly dll: string;
  readonly row: ExportRow;
  readonly trap: boolean;
}

const TWO32 = 0x100000000;

function fastReader(t: ArgType, i: number, dv: DataView, base: number, tebDv: DataView, tebOff: number): Reader {
  const at = 8 + 8 * i - base;
  switch (t) {
    case 'i64':
      return (rsp) => dv.getBigInt64(rsp + at, true);
    case 'u64':
      return (rsp) => dv.getBigUint64(rsp + at, true);
    case 'i32':
      return (rsp) => dv.getInt32(rsp + at, true);
    case 'u32':
      return (rsp) => dv.getUint32(rsp + at, true);
    case 'bool':
      return (rsp) => (dv.getUint32(rsp + at, true) !== 0 ? 1 : 0);
    case 'i16':
      return (rsp) => dv.getInt16(rsp + at, true);
    case 'u16':
      return (rsp) => dv.getUint16(rsp + at, true);
    case 'i8':
      return (rsp) => dv.getInt8(rsp + at);
    case 'u8':
      return (rsp) => dv.getUint8(rsp + at);
    case 'f64':
      return i < 4 ? () => tebDv.getFloat64(tebOff + WR.ArgXmm + 8 * i, true) : (rsp) => dv.getFloat64(rsp + at, true);
    case 'f32':
      return i < 4 ? () => tebDv.getFloat32(tebOff + WR.ArgXmm + 8 * i, true) : (rsp) => dv.getFloat32(rsp + at, true);
    case 'handle':
      return (rsp) => handleValue(dv.getUint32(rsp + at, true), dv.getUint32(rsp + at + 4, true));
    default: // ptr, str, wstr: 64-bit addresses below 2^47 are exact as numbers
      return (rsp) => dv.getUint32(rsp + at, true) + dv.getUint32(rsp + at + 4, true) * TWO32;
  }
}

function checkedReader(t: ArgType, i: number, mem: AddressSpace, teb: number): Reader {
  const at = 8 + 8 * i;
  switch (t) {
    case 'i64':
      return (rsp) => BigInt.asIntN(64, mem.u64(rsp + at));
    case 'u64':
      return (rsp) => mem.u64(rsp + at);
    case 'i32':
      return (rsp) => mem.i32(rsp + at);
    case 'u32':
      return (rsp) => mem.u32(rsp + at);
    case 'bool':
      return (rsp) => (mem.u32(rsp + at) !== 0 ? 1 : 0);
    case 'i16':
      return (rsp) => (mem.u32(rsp + at) << 16) >> 16;
    case 'u16':
      return (rsp) => mem.u32(rsp + at) & 0xffff;
    case 'i8':
      return (rsp) => (mem.u32(rsp + at) << 24) >> 24;
    case 'u8':
      return (rsp) => mem.u32(rsp + at) & 0xff;
    case 'f64':
    case 'f32': {
      const f = (v: number): number => (t === 'f32' ? Math.fround(v) : v);
      return i < 4 ? () => f(mem.f64(teb + WR.ArgXmm + 8 * i)) : (rsp) => f(mem.f64(rsp + at));
    }
    case 'handle':
      return (rsp) => handleValue(mem.u32(rsp + at), mem.u32(rsp + at + 4));
    default:
      return (rsp) => mem.ptr(rsp + at);
  }
}

/** A handle argument: pseudo handles (GetCurrentProcess() -1, GetCurrentThread() -2, the
 *  token pseudo handles …) and INVALID_HANDLE_VALUE arrive as the small negative numbers
 *  they are; other values as unsigned numbers. */
function handleValue(low: number, high: number): number {
  return high === 0xffffffff && low >= 0x80000000 ? low | 0 : low + high * TWO32;
}

/** Calls `impl` with the arguments `readers` produce, without building an array for the
 *  common arities. */
function invoker(row: ExportRow, readers: Reader[], ctx: ApiContext): (rsp: number) => ApiResult {
  const impl = row.impl!;
  const [r0, r1, r2, r3, r4, r5, r6, r7] = readers;
  switch (readers.length) {
    case 0:
      return () => impl(ctx);
    case 1:
      return (rsp) => impl(ctx, r0!(rsp));
    case 2:
      return (rsp) => impl(ctx, r0!(rsp), r1!(rsp));
    case 3:
      return (rsp) => impl(ctx, r0!(rsp), r1!(rsp), r2!(rsp));
    case 4:
      return (rsp) => impl(ctx, r0!(rsp), r1!(rsp), r2!(rsp), r3!(rsp));
    case 5:
      return (rsp) => impl(ctx, r0!(rsp), r1!(rsp), r2!(rsp), r3!(rsp), r4!(rsp));
    case 6:
      return (rsp) => impl(ctx, r0!(rsp), r1!(rsp), r2!(rsp), r3!(rsp), r4!(rsp), r5!(rsp));
    case 7:
      return (rsp) => impl(ctx, r0!(rsp), r1!(rsp), r2!(rsp), r3!(rsp), r4!(rsp), r5!(rsp), r6!(rsp));
    case 8:
      return (rsp) => impl(ctx, r0!(rsp), r1!(rsp), r2!(rsp), r3!(rsp), r4!(rsp), r5!(rsp), r6!(rsp), r7!(rsp));
    default:
      return (rsp) => impl(ctx, ...readers.map((r) => r(rsp)));
  }
}

export interface DispatchHooks {
  /** An unimplemented export or missing import was called; never returns. */
  trap(e: DispatchEntry, returnAddress: number): never;
  /** A `stub` row was called: report it (once per call site); the call returns 0. */
  stub(e: DispatchEntry, returnAddress: number): void;
  /** `module+0xoffset` for an address, for reports and the relay trace. */
  describe(address: number): string;
  /** The entry of a dispatch id this thread has not met (another thread took it after this one
   *  started: a builtin DLL it loaded, a trap it made), from the process's dispatch log. */
  lateEntry(id: number): DispatchEntry | undefined;
  /** A dispatch id no thread took; never returns. */
  unknownEntry(id: number, returnAddress: number): never;
  /** A JS exception escaped an implementation; never returns. */
  internalError(e: DispatchEntry, err: unknown, returnAddress?: number): never;
  /** A GuestUnwind reached this export call: continue the unwind from here. */
  unwind(): void;
  /** The console's pending control events (non-zero: run ctrlEvents before the next call). */
  pendingEvents: Int32Array;
  /** Runs the HandlerRoutines of pending console control events (Ctrl-C). */
  ctrlEvents(): void;
  /** Non-zero once TerminateThread ended this thread (its ThreadTable word). */
  terminateRequest: Int32Array;
  /** Ends this thread for TerminateThread: no DLL detach; an unwind out of every guest frame. */
  terminated(): void;
  /** Set before a varargs row runs: where its variadic slots begin. */
  setVarargs(addr: number): number;
}

/**
 * Builds the dispatch function of one thread over the process-wide export list. Entries
 * added to `entries` later (LoadLibrary, traps) are specialised on first call.
 */
export function makeDispatcher(
  /** The thread's entries by id; an id another thread took is added from hooks.lateEntry. */
  entries: DispatchEntry[],
  mem: AddressSpace,
  ctx: ApiContext,
  frame: ThreadFrame,
  hooks: DispatchHooks,
  relay?: RelayTracer,
): (id: number) => number | bigint {
  const stack = mem.window(frame.stackLow);
  const tebW = mem.window(frame.teb);
  const tebDv = tebW.dv;
  const tebOff = tebW.off;
  const rspOff = tebOff + WR.GuestRsp;
  const stackBase = frame.stackLow - stack.off;
  const stackWindowEnd = stackBase + stack.dv.byteLength;
  const invokers: (((id: number, rsp: number) => number | bigint) | undefined)[] = [];

  const ERROR_CALL_NOT_IMPLEMENTED = 120;
  const lastError = (): number => tebDv.getUint32(tebOff + TEB.LastErrorValue, true);

  const build = (id: number): ((id: number, rsp: number) => number | bigint) => {
    const e = entries[id]!;
    const row = e.row;
    const traced = relay !== undefined && relay.filter.matches(e.dll, row.name);
    if (e.trap || (!row.impl && !row.stub)) {
      return (_id, rsp) => {
        if (traced) relay.enter({ tid: frame.tid, dll: e.dll, fn: row.name, args: [], values: [], varargs: false, caller: hooks.describe(mem.ptr(rsp)) });
        return hooks.trap(e, mem.ptr(rsp));
      };
    }
    const types = row.args ?? [];
    const n = types.length;
    const low = frame.stackLow;
    // The fast readers use the window holding the stack's bottom: a stack that crosses into the
    // next 4 GiB window (any 1 MiB+ allocation may) is read through the checked readers above it.
    const high = Math.min(frame.stackHigh, stackWindowEnd) - 8 * (n + 1);
    const floatRet = row.ret === 'f64' || row.ret === 'f32';
    const varargs = row.varargs === true;
    let invoke: (rsp: number) => ApiResult;
    if (row.stub) {
      invoke = (rsp) => {
        hooks.stub(e, mem.ptr(rsp));
        tebDv.setUint32(tebOff + TEB.LastErrorValue, ERROR_CALL_NOT_IMPLEMENTED, true);
        return 0;
      };
    } else if (!traced) {
      const fast = invoker(row, types.map((t, i) => fastReader(t, i, stack.dv, stackBase, tebDv, tebOff)), ctx);
      const slow = invoker(row, types.map((t, i) => checkedReader(t, i, mem, frame.teb)), ctx);
      invoke = (rsp) => (rsp >= low && rsp <= high ? fast(rsp) : slow(rsp));
    } else {
      const fastReaders = types.map((t, i) => fastReader(t, i, stack.dv, stackBase, tebDv, tebOff));
      const slowReaders = types.map((t, i) => checkedReader(t, i, mem, frame.teb));
      const impl = row.impl!;
      invoke = (rsp) => {
        const values = (rsp >= low && rsp <= high ? fastReaders : slowReaders).map((r) => r(rsp));
        const call = { tid: frame.tid, dll: e.dll, fn: row.name, args: types, values, varargs, caller: hooks.describe(mem.ptr(rsp)) };
        relay.enter(call);
        const before = lastError();
        let r: ApiResult;
        try {
          r = impl(ctx, ...values);
        } catch (err) {
          relay.leave(call, row.ret ?? 'void', undefined, undefined);
          throw err;
        }
        const after = lastError();
        relay.leave(call, row.ret ?? 'void', r ?? undefined, after !== before ? after : undefined);
        return r;
      };
    }
    return (_id, rsp) => {
      let r: ApiResult;
      let prev = 0;
      if (varargs) prev = hooks.setVarargs(rsp + 8 + 8 * n);
      try {
        r = invoke(rsp);
      } catch (err) {
        if (varargs) hooks.setVarargs(prev);
        if (err instanceof Error && err.name === 'GuestUnwind') {
          hooks.unwind();
          return 0;
        }
        if (err instanceof Error && err.name === 'GuestMemoryError') {
          // A bad pointer the implementation did not check itself: the Windows error for it.
          tebDv.setUint32(tebOff + TEB.LastErrorValue, 998 /* ERROR_NOACCESS */, true);
          return 0;
        }
        return hooks.internalError(e, err, mem.ptr(rsp));
      }
      if (varargs) hooks.setVarargs(prev);
      if (floatRet) {
        // XMM0 holds a double, or a float in its low 32 bits.
        if (row.ret === 'f32') tebDv.setFloat32(tebOff + WR.RetXmm0, Number(r ?? 0), true);
        else tebDv.setFloat64(tebOff + WR.RetXmm0, Number(r ?? 0), true);
        return 0;
      }
      if (typeof r === 'number') return r >= 0 ? r : BigInt.asUintN(64, BigInt(Math.trunc(r)));
      if (r === undefined) return 0;
      return BigInt.asUintN(64, r);
    };
  };

  const pending = hooks.pendingEvents;
  const terminate = hooks.terminateRequest;
  return (id) => {
    const rsp = tebDv.getUint32(rspOff, true) + tebDv.getUint32(rspOff + 4, true) * TWO32;
    let f = invokers[id];
    if (f === undefined) {
      // The id's first call on this thread: its entry, or another thread's from the log.
      const e = entries[id] ?? hooks.lateEntry(id);
      if (e === undefined) return hooks.unknownEntry(id, mem.ptr(rsp));
      entries[id] = e;
      f = invokers[id] = build(id);
    }
    // Another thread may have changed the address space map since this thread's last call.
    mem.sync();
    try {
      if (pending[0] !== 0) hooks.ctrlEvents();
      if (terminate[0] !== 0) {
        hooks.terminated();
        return 0;
      }
      return f(id, rsp);
    } catch (err) {
      // Only hooks (exit paths) get here; never let a JS exception reach koffi.
      return hooks.internalError(entries[id]!, err);
    }
  };
}

/**
 * The hooks that report a call winrun cannot make (DispatchHooks: trap, unknownEntry,
 * internalError, stub, describe) for a process: one line on stderr, then the process ends with
 * STATUS_PROCEDURE_NOT_FOUND (an internal error: EXIT_INTERNAL_ERROR, the terminal restored
 * first); a stub is a fixme once per call site.
 */
export function reportingHooks(host: {
  describe(addr: number): string;
  readonly debug: DebugChannels;
  exit(code: number): never;
  restoreTerminal(): void;
}): Pick<DispatchHooks, 'trap' | 'unknownEntry' | 'internalError' | 'stub' | 'describe'> {
  const say = (text: string): void => void writeFd(2, new TextEncoder().encode(text + '\n'));
  return {
    trap: (e, returnAddress) => {
      say(`winrun: unimplemented function ${e.dll}!${e.row.name} called from ${host.describe(returnAddress)}`);
      return host.exit(STATUS_PROCEDURE_NOT_FOUND);
    },
    unknownEntry: (id, returnAddress) => {
      say(`winrun: a call from ${host.describe(returnAddress)} names dispatch entry ${id}, which no export has`);
      return host.exit(STATUS_PROCEDURE_NOT_FOUND);
    },
    internalError: (e, err, returnAddress) => {
      const msg = err instanceof Error ? `${err.message}\n${err.stack ?? ''}` : String(err);
      const from = returnAddress !== undefined ? ` (called from ${host.describe(returnAddress)})` : '';
      say(`winrun: internal error in ${e.dll}!${e.row.name}${from}: ${msg}`);
      host.restoreTerminal();
      return exitGroup(EXIT_INTERNAL_ERROR);
    },
    stub: (e, returnAddress) => {
      const at = host.describe(returnAddress);
      host.debug.fixmeOnce('stub', `${e.dll}!${e.row.name}`, at, `is a stub (called from ${at}); it returns 0 with ERROR_CALL_NOT_IMPLEMENTED`);
    },
    describe: (addr) => host.describe(addr),
  };
}
