/**
 * The exception walk's inner loop as machine code (kernel/unwindfast.ts skipPlainFrames): frames
 * whose unwind is a fixed list of loads from RSP (a compiled plan's flat form: most frames of
 * optimised code, and leaf functions) are unwound one after another on a CONTEXT in guest memory
 * by one native call, instead of one JS iteration each (41–60 ns a frame there).
 *
 * The code reads only what JS put in reach:
 * - a table of PCs whose plans JS compiled, each with its loads (`add`); a PC that is not there
 *   ends the native part, and JS unwinds that frame itself;
 * - stack slots in [low, high), a range JS found readable (`walk`): a frame reaching outside it
 *   is left to JS too, which checks each access and reports bad memory.
 * It stops, like the JS loop, before a frame with a handler of the type asked for and before a
 * frame at or above the target frame. The table lies in guest memory (JS writes it through its
 * word views) and is per JS realm, like the plans it mirrors.
 */
import { Asm, Label, R } from './emitter.js';
import { koffi } from './ffi.js';
import { getPtr, putU64 } from './guestmemory.js';
import { CONTEXT } from './layout.js';
import { type AddressSpace } from './memory.js';
import { MEM_PRIVATE, PAGE_READWRITE, PAGE_SIZE } from './memprotect.js';

/** Ways of the header's ThrowInfo cache (a power of two). */
export const THROW_CACHE_WAYS = 64;
/** The walk's parameters, written by JS before each call (and by the exception core,
 *  native/exccore.ts, before each of its walks); then what the core reads: whether it may run
 *  (JS clears it while a trace wants every step), and the code generation the table is valid
 *  for (EXCEPTIONS.CodeGeneration, copied when JS last checked its caches); and the core's
 *  counts of the raises it took and the unwinds it took to their target (warn+seh reports
 *  them), and the C++ catches it made itself; a cache of the images C++ ThrowInfos lie in
 *  (THROW_CACHE_WAYS ways by the address's bits from 3 up: ThrowInfo, base). */
export const HEADER = { Low: 0, High: 8, Target: 16, HandlerMask: 24, Limit: 32, Context: 40, Enabled: 48, Stamp: 52, Raises: 56, Unwinds: 60, Catches: 64, ThrowCache: 80, Size: 80 + 16 * THROW_CACHE_WAYS } as const;
/** Hash slots: the PC and the address of its record (PC 0: empty). */
const SLOT_BITS = 12;
const SLOTS = 1 << SLOT_BITS;
const SLOT_SIZE = 16;
/** A record: handler flags, the counts of 8-byte and 16-byte (XMM) loads, the return
 *  address's distance from the frame's base, what the unwind adds to the base to make RSP, the
 *  bytes above the base the frame reads; the frame's language handler, its data, function
 *  entry and image base (what a DISPATCHER_CONTEXT names); its frame register (unwind
 *  numbering; 0: none) and offset, the bytes above RSP its RSP-relative loads read (0: none);
 *  whether its C++ frame handler lets every C++ exception pass, the list of its decisions for
 *  some (PLAN), and the frame's cleanups when a C++ catch unwinds it (CLEANUPS);
 *  then per load the register's offset in the CONTEXT and the slot's distance from the base
 *  (32 bits each; FROM_RSP: from RSP), the 8-byte loads first. The base, which is also the
 *  establisher frame, is RSP, or for a frame with a frame register that register minus the
 *  offset; then pushes the prolog made after setting the frame register are popped from RSP. */
export const REC = {
  HandlerFlags: 0, Loads: 4, RetDistance: 8, RspAdd: 12, Extent: 16, XmmLoads: 20,
  Handler: 24, HandlerData: 32, FunctionEntry: 40, ImageBase: 48, FrameReg: 56, FrameOffset: 60, RspExtent: 64, PassAll: 68, Plans: 72, Cleanups: 80, First: 88,
} as const;

/**
 * What a C++ frame handler (vcruntime140's __CxxFrameHandler3/4) decided for one frame and one
 * ThrowInfo, kept with the frame's record (its Plans list) for the exception core's C++ throw:
 * a new exception of that type, no catch block running on the thread, is either passed by
 * (SKIP) or caught here (CATCH). For a catch: how the catch object is made (at the establisher
 * frame + CatchObj, from the object + Mdisp: none, a reference, a copy of Size bytes, or the
 * copy constructor Copy, with 1 for a class with virtual bases), the catch funclet, the
 * FuncInfo, the try block's states (TryLow, Floor: the first past it), FH4's continuation
 * addresses (0: the funclet returns the address), and whether the frame's own unwind to the
 * try block does nothing (SkipTarget: its handler need not be called). 8-byte fields.
 */
export const PLAN = {
  Next: 0, ThrowInfo: 8, Kind: 16, ObjKind: 24, CatchObj: 32, Size: 40, Mdisp: 48, Copy: 56, Funclet: 64, FuncInfo: 72,
  TryLow: 80, Floor: 88, Cont0: 96, Cont1: 104, SkipTarget: 112, Bytes: 120,
} as const;
export const PLAN_SKIP = 0;
export const PLAN_CATCH = 1;
/** PLAN.ObjKind. */
export const CATCH_OBJECT = { None: 0, Reference: 1, Bytes: 2, Copy: 3, CopyVirtualBase: 4 } as const;
/**
 * What the C++ frame handler does when a C++ catch's unwind passes the frame (no catch block
 * running for it): the cleanups of its states from the PC's down, in order. A count, then per
 * cleanup its kind, the function, and the object's offset from the establisher frame: a
 * destructor of the object there, of the object a pointer there points to, or a cleanup
 * funclet (called with 0 and the establisher frame). 8-byte fields.
 */
export const CLEANUPS = { Count: 0, First: 8, Kind: 0, Action: 8, Object: 16, Bytes: 24 } as const;
export const CLEANUP = { Object: 1, Pointer: 2, Funclet: 3 } as const;
/** Cleanups kept per frame at most. */
const CLEANUPS_PER_FRAME = 64;

/** Plans kept per frame at most. */
const PLANS_PER_FRAME = 16;

/** A catch (PLAN's fields, as JS computes them); null: the frame passes the exception by. */
export interface CatchPlan {
  readonly objKind: number;
  readonly catchObj: number;
  readonly size: number;
  readonly mdisp: number;
  readonly copy: number;
  readonly funclet: number;
  readonly funcInfo: number;
  readonly tryLow: number;
  readonly floor: number;
  readonly continuations: readonly number[];
  readonly skipTarget: boolean;
}
/** A load's distance with this bit set is from RSP before the unwind, not from the base. */
const FROM_RSP = 0x80000000;
const RECORD_BYTES = 192 * 1024;
const TABLE_BYTES = HEADER.Size + SLOTS * SLOT_SIZE + RECORD_BYTES;
/** An odd multiplier: the slot is bits 20–31 of the low 32 bits of PC × K (JS's Math.imul
 *  gives the same bits). */
const HASH_K = 0x85ebca6b | 0;
const HASH_SHIFT = 20;

/** What the exception core did in a realm: raises taken, unwinds taken to their target, C++
 *  catches made. */
export interface CoreCounts {
  readonly raises: number;
  readonly unwinds: number;
  readonly catches: number;
}

/** The largest stack range the walk checks and reads. */
const MAX_STACK = 256 * 1024 * 1024;

/** No arguments (a koffi call without them costs about half): the CONTEXT's address is in the
 *  header, whose address the code holds. */
const WalkProto = koffi.proto('uint32_t WinrunUnwindWalk(void)');

/** A frame as the table keeps it: registers in unwind numbering (RAX 0 … R15 15) or XMM
 *  numbers, each with its slot's distance from RSP before the unwind. */
export interface NativeFrame {
  readonly handlerFlags: number;
  /** The frame register (unwind numbering; 0: none, the base is RSP) and its offset. */
  readonly frameReg: number;
  readonly frameOffset: number;
  /** Pairs: register, distance from the base. */
  readonly loads: ArrayLike<number>;
  /** Pairs: register, distance from RSP before the unwind (a frame register's frame: the
   *  pushes made after it was set). */
  readonly rspLoads: ArrayLike<number>;
  /** Pairs: XMM register, distance (16 bytes each). */
  readonly xmmLoads: ArrayLike<number>;
  readonly retDistance: number;
  /** Bytes a `ret imm16` releases. */
  readonly retRelease: number;
  readonly handler: number;
  readonly handlerData: number;
  readonly functionEntry: number;
  readonly imageBase: number;
}

/**
 * Emits the lookup of the frame of the CONTEXT at RDI in the table at RSI: R8 its PC, R10 its
 * record, R11 its base (RSP, or the frame register minus its offset), after checking that
 * every slot it reads lies in the header's [Low, High). Jumps to `miss` for PC 0, a PC the table lacks, or a frame reaching outside; with
 * `special`, to `special.to` for the PC at label `special.pc` (RAX used). Uses RCX and R9 too.
 */
export function emitFindFrame(a: Asm, miss: Label, special?: { pc: Label; to: Label }): void {
  const probe = new Label();
  const found = new Label();
  a.load(R.r8, R.rdi, CONTEXT.Rip).testRR(R.r8, R.r8).jcc(4, miss);
  if (special) a.leaRip(R.rax, special.pc).cmpRR(R.r8, R.rax).jcc(4, special.to);
  a.imulImm(R.r9, R.r8, HASH_K).shrImm(R.r9, HASH_SHIFT).andImm32(R.r9, SLOTS - 1);
  a.bind(probe);
  a.movRR(R.r10, R.r9).shlImm(R.r10, 4).addRR(R.r10, R.rsi).addImm(R.r10, HEADER.Size);
  a.load(R.rcx, R.r10, 0);
  a.cmpRR(R.rcx, R.r8).jcc(4, found); // je
  a.testRR(R.rcx, R.rcx).jcc(4, miss); // an empty slot: not in the table
  a.inc(R.r9).andImm32(R.r9, SLOTS - 1).jmp(probe);
  a.bind(found);
  const base = new Label();
  a.load(R.r10, R.r10, 8);
  a.load(R.r11, R.rdi, CONTEXT.Rsp);
  a.load32(R.rcx, R.r10, REC.FrameReg).testRR32(R.rcx, R.rcx).jcc(4, base);
  a.loadIndexed(R.r11, R.rdi, R.rcx, CONTEXT.Rax).load32(R.rcx, R.r10, REC.FrameOffset).subRR(R.r11, R.rcx);
  a.bind(base);
  // RSP-relative loads within [Low, High) too.
  const noRsp = new Label();
  a.load32(R.rcx, R.r10, REC.RspExtent).testRR32(R.rcx, R.rcx).jcc(4, noRsp);
  a.addMem(R.rcx, R.rdi, CONTEXT.Rsp).cmpMem(R.rcx, R.rsi, HEADER.High).jcc(7, miss); // ja
  a.load(R.rcx, R.rdi, CONTEXT.Rsp).cmpMem(R.rcx, R.rsi, HEADER.Low).jcc(2, miss); // jb
  a.bind(noRsp);
  a.cmpMem(R.r11, R.rsi, HEADER.Low).jcc(2, miss); // jb
  a.load32(R.rcx, R.r10, REC.Extent).addRR(R.rcx, R.r11).cmpMem(R.rcx, R.rsi, HEADER.High).jcc(7, miss); // ja
}

/** Emits the unwind of the frame emitFindFrame found (R10 its record, R11 its base) on the
 *  CONTEXT at RDI. Uses RCX, RDX, R8, R9 and XMM0; R11 ends as the new RSP. */
export function emitApplyFrame(a: Asm): void {
  const loads = new Label();
  const loadsDone = new Label();
  const xmm = new Label();
  const xmmDone = new Label();
  const fromRsp = new Label();
  const slot = new Label();
  a.load32(R.rdx, R.r10, REC.Loads).lea(R.r9, R.r10, REC.First);
  a.bind(loads);
  a.testRR32(R.rdx, R.rdx).jcc(4, loadsDone);
  a.load32(R.rcx, R.r9, 4).testRR32(R.rcx, R.rcx).jcc(8, fromRsp); // js: FROM_RSP
  a.addRR(R.rcx, R.r11).jmp(slot);
  a.bind(fromRsp);
  a.andImm32(R.rcx, ~FROM_RSP).addMem(R.rcx, R.rdi, CONTEXT.Rsp); // RSP itself is written last
  a.bind(slot);
  a.load(R.rcx, R.rcx, 0);
  a.load32(R.r8, R.r9, 0).addRR(R.r8, R.rdi).store(R.r8, 0, R.rcx);
  a.addImm(R.r9, 8).dec(R.rdx).jmp(loads);
  a.bind(loadsDone);
  a.load32(R.rdx, R.r10, REC.XmmLoads);
  a.bind(xmm);
  a.testRR32(R.rdx, R.rdx).jcc(4, xmmDone);
  a.load32(R.rcx, R.r9, 4).addRR(R.rcx, R.r11).movdquLoad(0, R.rcx, 0);
  a.load32(R.r8, R.r9, 0).addRR(R.r8, R.rdi).movdquStore(R.r8, 0, 0);
  a.addImm(R.r9, 8).dec(R.rdx).jmp(xmm);
  a.bind(xmmDone);
  a.load32(R.rcx, R.r10, REC.RetDistance).addRR(R.rcx, R.r11).load(R.rcx, R.rcx, 0).store(R.rdi, CONTEXT.Rip, R.rcx);
  a.load32(R.rcx, R.r10, REC.RspAdd).addRR(R.r11, R.rcx).store(R.rdi, CONTEXT.Rsp, R.r11);
}

/** Emits `uint32_t walk(void)` over the table at `table` (its header names the CONTEXT);
 *  returns the frames unwound. */
export function emitUnwindWalk(a: Asm, table: number): void {
  const loop = new Label();
  const noTarget = new Label();
  const done = new Label();
  // RSI the table, RDI the CONTEXT, RAX count; the rest as emitFindFrame and emitApplyFrame
  // use them (all volatile in the System V ABI).
  a.movImm64(R.rsi, table).load(R.rdi, R.rsi, HEADER.Context);
  a.xorRR32(R.rax, R.rax);
  a.bind(loop);
  a.cmpMem(R.rax, R.rsi, HEADER.Limit).jcc(3, done); // jae
  emitFindFrame(a, done);
  // A handler of the type asked for: JS calls it.
  a.load32(R.rcx, R.r10, REC.HandlerFlags).load32(R.rdx, R.rsi, HEADER.HandlerMask).testRR32(R.rcx, R.rdx).jcc(5, done); // jnz
  // The establisher frame (RSP: a flat frame has no frame register) at or above the target.
  a.load(R.rcx, R.rsi, HEADER.Target).testRR(R.rcx, R.rcx).jcc(4, noTarget);
  a.cmpRR(R.r11, R.rcx).jcc(3, done); // jae
  a.bind(noTarget);
  emitApplyFrame(a);
  a.inc(R.rax).jmp(loop);
  a.bind(done);
  a.ret();
}

/** The slot a PC hashes to (the machine code's computation). */
export function walkSlot(pc: number): number {
  return (Math.imul(pc >>> 0, HASH_K) >>> HASH_SHIFT) & (SLOTS - 1);
}

/**
 * One JS realm's native frame walker: its table of flat frames and the code that walks them.
 * Memory is taken on first use (a process that never unwinds pays nothing).
 */
export class NativeUnwindWalk {
  private table = 0;
  private words: Uint32Array | null = null;
  /** Word index of the table in `words`. */
  private tw = 0;
  private fn: (() => number) | null = null;
  private count = 0;
  /** The next free byte of the record area (offset from the table). */
  private next = HEADER.Size + SLOTS * SLOT_SIZE;
  /** A stack range found readable, with the map generation it was found in. */
  private readLow = 0;
  private readHigh = 0;
  private readGeneration = -1;
  /** The memory could not be had: JS walks alone. */
  private failed = false;

  constructor(private readonly mem: AddressSpace) {}

  private setUp(): boolean {
    if (this.words !== null) return true;
    if (this.failed) return false;
    try {
      this.table = this.mem.allocate(0, TABLE_BYTES, true, PAGE_READWRITE, MEM_PRIVATE);
      const w = this.mem.windowOf(this.table);
      if (this.table + TABLE_BYTES > w.end) throw new Error('the walk table crosses a window');
      const a = new Asm();
      emitUnwindWalk(a, this.table);
      const at = this.mem.placeCode(a.bytes());
      this.words = w.u32;
      this.tw = (this.table - w.base) / 4;
      this.fn = koffi.decode(at, WalkProto) as () => number;
      return true;
    } catch {
      this.failed = true;
      return false;
    }
  }

  /**
   * Puts the frame at `pc` in the table. Returns false when the table is full or the frame
   * reads below its RSP (the frame stays JS's).
   */
  add(pc: number, f: NativeFrame): boolean {
    if (!this.setUp()) return false;
    const w = this.words!;
    const loads = f.loads.length / 2 + f.rspLoads.length / 2;
    const xmmLoads = f.xmmLoads.length / 2;
    const size = REC.First + 8 * (loads + xmmLoads);
    if (this.count >= SLOTS / 2 || this.next + size > TABLE_BYTES) return false;
    let extent = f.retDistance + 8;
    for (let i = 1; i < f.loads.length; i += 2) {
      if (f.loads[i]! < 0) return false;
      extent = Math.max(extent, f.loads[i]! + 8);
    }
    for (let i = 1; i < f.xmmLoads.length; i += 2) {
      if (f.xmmLoads[i]! < 0) return false;
      extent = Math.max(extent, f.xmmLoads[i]! + 16);
    }
    let rspExtent = 0;
    for (let i = 1; i < f.rspLoads.length; i += 2) {
      if (f.rspLoads[i]! < 0 || f.rspLoads[i]! >= FROM_RSP - 8) return false;
      rspExtent = Math.max(rspExtent, f.rspLoads[i]! + 8);
    }
    const rec = this.next;
    const r = this.tw + rec / 4;
    w[r + REC.HandlerFlags / 4] = f.handlerFlags;
    w[r + REC.Loads / 4] = loads;
    w[r + REC.XmmLoads / 4] = xmmLoads;
    w[r + REC.RetDistance / 4] = f.retDistance;
    w[r + REC.RspAdd / 4] = f.retDistance + 8 + f.retRelease;
    w[r + REC.Extent / 4] = extent;
    w[r + REC.FrameReg / 4] = f.frameReg;
    w[r + REC.FrameOffset / 4] = f.frameOffset;
    w[r + REC.RspExtent / 4] = rspExtent;
    w[r + REC.PassAll / 4] = 0;
    putU64(w, r + REC.Plans / 4, 0);
    putU64(w, r + REC.Cleanups / 4, 0);
    putU64(w, r + REC.Handler / 4, f.handler);
    putU64(w, r + REC.HandlerData / 4, f.handlerData);
    putU64(w, r + REC.FunctionEntry / 4, f.functionEntry);
    putU64(w, r + REC.ImageBase / 4, f.imageBase);
    let k = r + REC.First / 4;
    for (let i = 0; i < f.loads.length; i += 2, k += 2) {
      w[k] = CONTEXT.Rax + 8 * f.loads[i]!;
      w[k + 1] = f.loads[i + 1]!;
    }
    for (let i = 0; i < f.rspLoads.length; i += 2, k += 2) {
      w[k] = CONTEXT.Rax + 8 * f.rspLoads[i]!;
      w[k + 1] = (f.rspLoads[i + 1]! | FROM_RSP) >>> 0;
    }
    for (let i = 0; i < f.xmmLoads.length; i += 2, k += 2) {
      w[k] = CONTEXT.Xmm0 + 16 * f.xmmLoads[i]!;
      w[k + 1] = f.xmmLoads[i + 1]!;
    }
    this.next += (size + 7) & ~7;
    const address = this.table + rec;
    for (let i = walkSlot(pc); ; i = (i + 1) & (SLOTS - 1)) {
      const s = this.tw + (HEADER.Size + SLOT_SIZE * i) / 4;
      const lo = w[s]!;
      const hi = w[s + 1]!;
      if (lo === 0 && hi === 0) {
        w[s + 2] = address >>> 0;
        w[s + 3] = Math.floor(address / 0x100000000);
        // The key last: a slot is complete once the code can match it.
        w[s + 1] = Math.floor(pc / 0x100000000);
        w[s] = pc >>> 0;
        this.count++;
        return true;
      }
      if (lo === pc >>> 0 && hi === Math.floor(pc / 0x100000000)) {
        // Already there (its record space is given back).
        this.next = rec;
        return true;
      }
    }
  }

  /** Whether `pc` is in the table. */
  has(pc: number): boolean {
    return this.recordOf(pc) !== 0;
  }

  /** The offset of `pc`'s record from the table (0: not there). */
  private recordOf(pc: number): number {
    if (this.words === null) return 0;
    const w = this.words;
    for (let i = walkSlot(pc); ; i = (i + 1) & (SLOTS - 1)) {
      const s = this.tw + (HEADER.Size + SLOT_SIZE * i) / 4;
      if (w[s] === 0 && w[s + 1] === 0) return 0;
      if (w[s] === pc >>> 0 && w[s + 1] === Math.floor(pc / 0x100000000)) return getPtr(w, s + 2) - this.table;
    }
  }

  /** The C++ frame handler of the frame at `pc` (in the table) lets every C++ exception pass
   *  (a function with cleanups and no try block). */
  passAll(pc: number): void {
    const rec = this.recordOf(pc);
    if (rec !== 0) this.words![this.tw + (rec + REC.PassAll) / 4] = 1;
  }

  /** Whether the frame at `pc` is in the table with its cleanups kept. */
  hasCleanups(pc: number): boolean {
    const rec = this.recordOf(pc);
    return rec !== 0 && getPtr(this.words!, this.tw + (rec + REC.Cleanups) / 4) !== 0;
  }

  /** Keeps the cleanups of the frame at `pc` (in the table; once) for a C++ catch's unwind
   *  (CLEANUPS). */
  setCleanups(pc: number, cleanups: readonly { kind: number; action: number; object: number }[]): void {
    const rec = this.recordOf(pc);
    const bytes = CLEANUPS.First + CLEANUPS.Bytes * cleanups.length;
    if (rec === 0 || cleanups.length > CLEANUPS_PER_FRAME || this.next + bytes > TABLE_BYTES) return;
    const w = this.words!;
    const r = this.tw + rec / 4;
    if (getPtr(w, r + REC.Cleanups / 4) !== 0) return;
    const at = this.next;
    const i = this.tw + at / 4;
    putU64(w, i + CLEANUPS.Count / 4, cleanups.length);
    cleanups.forEach((c, k) => {
      const e = i + (CLEANUPS.First + CLEANUPS.Bytes * k) / 4;
      putU64(w, e + CLEANUPS.Kind / 4, c.kind);
      putU64(w, e + CLEANUPS.Action / 4, c.action);
      putU64(w, e + CLEANUPS.Object / 4, c.object);
    });
    this.next += bytes;
    putU64(w, r + REC.Cleanups / 4, this.table + at);
  }

  /**
   * Keeps what the C++ frame handler decided for the frame at `pc` (in the table) and a throw
   * of `throwInfo`: `plan` a catch, null a pass (PLAN). Returns false when it is not kept (the
   * frame is not in the table, the table is full, or the frame has its share of plans).
   */
  addPlan(pc: number, throwInfo: number, plan: CatchPlan | null): boolean {
    const rec = this.recordOf(pc);
    if (rec === 0 || throwInfo === 0 || this.next + PLAN.Bytes > TABLE_BYTES) return false;
    if (plan && plan.continuations.length > 2) return false;
    const w = this.words!;
    const r = this.tw + rec / 4;
    const head = getPtr(w, r + REC.Plans / 4);
    let n = 0;
    for (let p = head; p !== 0; n++) {
      const i = this.tw + (p - this.table) / 4;
      if (getPtr(w, i + PLAN.ThrowInfo / 4) === throwInfo) return true;
      p = getPtr(w, i + PLAN.Next / 4);
    }
    if (n >= PLANS_PER_FRAME) return false;
    const at = this.next;
    const i = this.tw + at / 4;
    const put = (field: number, v: number): void => putU64(w, i + field / 4, v);
    put(PLAN.Next, head);
    put(PLAN.ThrowInfo, throwInfo);
    put(PLAN.Kind, plan ? PLAN_CATCH : PLAN_SKIP);
    put(PLAN.ObjKind, plan?.objKind ?? 0);
    put(PLAN.CatchObj, plan?.catchObj ?? 0);
    put(PLAN.Size, plan?.size ?? 0);
    put(PLAN.Mdisp, plan?.mdisp ?? 0);
    put(PLAN.Copy, plan?.copy ?? 0);
    put(PLAN.Funclet, plan?.funclet ?? 0);
    put(PLAN.FuncInfo, plan?.funcInfo ?? 0);
    put(PLAN.TryLow, plan?.tryLow ?? 0);
    put(PLAN.Floor, plan?.floor ?? 0);
    put(PLAN.Cont0, plan?.continuations[0] ?? 0);
    put(PLAN.Cont1, plan?.continuations[1] ?? 0);
    put(PLAN.SkipTarget, plan?.skipTarget ? 1 : 0);
    this.next += PLAN.Bytes;
    // The list's head last: the plan is complete once the code can reach it.
    putU64(w, r + REC.Plans / 4, this.table + at);
    return true;
  }

  /** The exception core's counts so far (0 before the table's first use). Kept when the table
   *  is cleared. */
  coreCounts(): CoreCounts {
    if (this.words === null) return { raises: 0, unwinds: 0, catches: 0 };
    const w = this.words;
    return { raises: w[this.tw + HEADER.Raises / 4]!, unwinds: w[this.tw + HEADER.Unwinds / 4]!, catches: w[this.tw + HEADER.Catches / 4]! };
  }

  /** Remembers the image holding a C++ ThrowInfo, for the core's C++ throw. */
  noteThrowInfo(throwInfo: number, base: number): void {
    if (throwInfo === 0 || !this.setUp()) return;
    const w = this.words!;
    const at = this.tw + (HEADER.ThrowCache + 16 * ((throwInfo / 8) & (THROW_CACHE_WAYS - 1))) / 4;
    putU64(w, at + 2, base);
    putU64(w, at, throwInfo);
  }

  /** The table's address (0 before its first use): the exception core reads it. */
  get address(): number {
    return this.setUp() ? this.table : 0;
  }

  /** Sets what the exception core reads in the header: whether it may run, and the code
   *  generation the table is valid for. */
  setCoreState(enabled: boolean, stamp: number): void {
    if (!this.setUp()) return;
    const w = this.words!;
    w[this.tw + HEADER.Enabled / 4] = enabled ? 1 : 0;
    w[this.tw + HEADER.Stamp / 4] = stamp >>> 0;
  }

  /** Forgets every frame (the code the PCs named may be gone). */
  clear(): void {
    if (this.words === null || this.count === 0) return;
    const { raises, unwinds, catches } = this.coreCounts();
    this.words.fill(0, this.tw, this.tw + (HEADER.Size + SLOTS * SLOT_SIZE) / 4);
    this.words[this.tw + HEADER.Raises / 4] = raises;
    this.words[this.tw + HEADER.Unwinds / 4] = unwinds;
    this.words[this.tw + HEADER.Catches / 4] = catches;
    this.count = 0;
    this.next = HEADER.Size + SLOTS * SLOT_SIZE;
  }

  /**
   * Unwinds in place the frames of the CONTEXT at `c` (checked by the caller: writable, 8-byte
   * aligned) that the table holds, while each has no handler of `handlerMask`, lies below
   * `targetFrame` (0: none) and reads only stack in [RSP, stackEnd); at most `limit`. Returns
   * how many.
   */
  walk(c: number, handlerMask: number, targetFrame: number, limit: number, rsp: number, stackEnd: number): number {
    if (this.count === 0 || limit <= 0 || !(rsp < stackEnd)) return 0;
    const low = rsp - (rsp % PAGE_SIZE);
    // A stack is at most a few MiB; a larger range (a stack base the program rewrote) is not
    // checked page by page: JS walks it.
    if (stackEnd - low > MAX_STACK) return 0;
    const generation = this.mem.mapGeneration();
    if (generation !== this.readGeneration || low < this.readLow || stackEnd !== this.readHigh) {
      if (!this.mem.accessible(low, stackEnd - low, 'read')) return 0;
      this.readLow = low;
      this.readHigh = stackEnd;
      this.readGeneration = generation;
    }
    const w = this.words!;
    const h = this.tw;
    w[h + HEADER.Low / 4] = low >>> 0;
    w[h + HEADER.Low / 4 + 1] = Math.floor(low / 0x100000000);
    w[h + HEADER.High / 4] = stackEnd >>> 0;
    w[h + HEADER.High / 4 + 1] = Math.floor(stackEnd / 0x100000000);
    w[h + HEADER.Target / 4] = targetFrame >>> 0;
    w[h + HEADER.Target / 4 + 1] = Math.floor(targetFrame / 0x100000000);
    w[h + HEADER.HandlerMask / 4] = handlerMask;
    w[h + HEADER.Limit / 4] = Math.min(limit, 0x7fffffff);
    w[h + HEADER.Limit / 4 + 1] = 0;
    w[h + HEADER.Context / 4] = c >>> 0;
    w[h + HEADER.Context / 4 + 1] = Math.floor(c / 0x100000000);
    return this.fn!();
  }
}
