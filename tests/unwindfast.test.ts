// The exception walk's compiled plans (kernel/unwindfast.ts) against the unwinder that decodes
// the unwind data each time (kernel/unwind.ts): hand-written functions using every unwind code,
// unwound at every PC of their prologs and bodies from a CONTEXT and a stack of pseudo-random
// bytes; both must leave the same CONTEXT, establisher frame and handlers. The decoding unwinder's
// results are checked against hand-computed values in unwind.test.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PcTable } from '../src/kernel/pctable.js';
import { UnwindError, virtualUnwind, type UnwindPlan } from '../src/kernel/unwind.js';
import { compilePlan, leafPlan, runCompiled } from '../src/kernel/unwindfast.js';
import { CONTEXT } from '../src/native/layout.js';
import { AddressSpace } from '../src/native/memory.js';
import { PAGE_READWRITE } from '../src/native/memprotect.js';

const mem = new AddressSpace();
const IMAGE = mem.allocate(0, 0x20000, true, PAGE_READWRITE);
const STACK = mem.allocate(0, 0x80000, true, PAGE_READWRITE);
/** RSP at function entry. */
const S = STACK + 0x70000;
const CTX = mem.allocate(0, 0x10000, true, PAGE_READWRITE);
const START = CTX;
const SLOW = CTX + 0x1000;
const FAST = CTX + 0x2000;

const RBX = 3;
const RSP = 4;
const RBP = 5;
const RSI = 6;
const RDI = 7;
const R12 = 12;
const R15 = 15;
const OP = { PUSH_NONVOL: 0, ALLOC_LARGE: 1, ALLOC_SMALL: 2, SET_FPREG: 3, SAVE_NONVOL: 4, SAVE_NONVOL_FAR: 5, EPILOG: 6, SAVE_XMM128: 8, SAVE_XMM128_FAR: 9, PUSH_MACHFRAME: 10, SET_FPREG_LARGE: 11 };
const u16 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff];
const u32 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff];
const op = (offset: number, code: number, info = 0, operand: number[] = []): number[] => [offset, code | (info << 4), ...operand];

interface Spec {
  version?: number;
  flags?: number;
  prolog: number;
  frameReg?: number;
  frameOffset?: number;
  codes: number[][];
  tail?: number[];
}
interface Fn {
  entry: number;
  begin: number;
  size: number;
  infoRva: number;
}

/** Code of `size` NOPs ending in `ret` (or ending in `tail`) at function slot `slot`, its unwind
 *  info and entry. */
function place(slot: number, size: number, s: Spec, tail: number[] = [0xc3]): Fn {
  const begin = 0x1000 + 0x200 * slot;
  const infoRva = 0x9000 + 0x200 * slot;
  mem.fill(IMAGE + begin, 0x90, size - tail.length);
  mem.write(IMAGE + begin + size - tail.length, Uint8Array.from(tail));
  const slots = s.codes.flat();
  const count = slots.length / 2;
  const info = [(s.version ?? 1) | ((s.flags ?? 0) << 3), s.prolog, count, (s.frameReg ?? 0) | ((s.frameOffset ?? 0) << 4), ...slots];
  if (count % 2) info.push(0, 0);
  info.push(...(s.tail ?? [0, 0, 0, 0, 0, 0, 0, 0]));
  mem.write(IMAGE + infoRva, Uint8Array.from(info));
  const entry = IMAGE + 0x13000 + 12 * slot;
  mem.write(entry, Uint8Array.from([...u32(begin), ...u32(begin + size), ...u32(infoRva)]));
  return { entry, begin, size, infoRva };
}

const HANDLER = [...u32(0x200), 1, 2, 3, 4];

/** Deterministic pseudo-random bytes (xorshift). */
function noise(addr: number, len: number, seed: number): void {
  let x = seed | 1;
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  mem.write(addr, b);
}

/** Runs both unwinders at `pc` from the CONTEXT at START and compares what they leave. */
function compare(fn: Fn, pc: number, regs: Record<number, number>, seed: number): void {
  noise(START, CONTEXT.Size, seed);
  for (const [r, v] of Object.entries(regs)) mem.setU64(START + CONTEXT.Rax + 8 * Number(r), v);
  const at = IMAGE + fn.begin + pc;
  const plans = new PcTable<UnwindPlan>();
  mem.copy(SLOW, START, CONTEXT.Size);
  let slow: { frame: number; eh: number; ehData: number; uh: number } | UnwindError;
  try {
    const e = virtualUnwind(mem, 1, IMAGE, at, fn.entry, SLOW, 0, undefined, plans);
    mem.copy(SLOW, START, CONTEXT.Size);
    const u = virtualUnwind(mem, 2, IMAGE, at, fn.entry, SLOW, 0);
    slow = { frame: e.establisherFrame, eh: e.handler, ehData: e.handlerData, uh: u.handler };
  } catch (e) {
    if (!(e instanceof UnwindError)) throw e;
    slow = e;
  }
  const plan = plans.get(at);
  if (slow instanceof UnwindError && plan === undefined) return;
  assert.ok(plan, `a plan is kept at +${pc.toString(16)}`);
  const cp = compilePlan(mem, plan);
  assert.ok(cp, `compiled at +${pc.toString(16)}`);
  mem.copy(FAST, START, CONTEXT.Size);
  let frame: number | UnwindError;
  try {
    frame = runCompiled(mem, cp, FAST, at) ?? NaN;
  } catch (e) {
    if (!(e instanceof UnwindError)) throw e;
    frame = e;
  }
  const where = `at +${pc.toString(16)}`;
  if (slow instanceof UnwindError) {
    assert.ok(frame instanceof UnwindError, `both fail ${where}`);
    assert.equal(frame.kind, slow.kind);
    return;
  }
  assert.equal(frame, slow.frame, `establisher frame ${where}`);
  assert.deepEqual(mem.read(FAST, CONTEXT.Size), mem.read(SLOW, CONTEXT.Size), `CONTEXT ${where}`);
  assert.equal((cp.handlerFlags & 1) !== 0 ? cp.handler : 0, slow.eh, `exception handler ${where}`);
  assert.equal((cp.handlerFlags & 1) !== 0 ? cp.handlerData : 0, slow.ehData, `handler data ${where}`);
  assert.equal((cp.handlerFlags & 2) !== 0 ? cp.handler : 0, slow.uh, `termination handler ${where}`);
}

/** Every PC from the function's start to its `ret`, with several random states each. */
function everyPc(fn: Fn, regs: (pc: number) => Record<number, number>): void {
  for (let pc = 0; pc < fn.size; pc++) for (const seed of [0x1234567, 0x7654321, 0x2468ace]) compare(fn, pc, regs(pc), seed + pc);
}

describe('compiled unwind plans give what decoding the unwind data gives', () => {
  it('PUSH_NONVOL, ALLOC_LARGE (16-bit), SET_FPREG, SAVE_NONVOL, SAVE_XMM128, with a handler', () => {
    const fn = place(0, 0x30, {
      flags: 3,
      prolog: 0x1c,
      frameReg: RBP,
      frameOffset: 2,
      codes: [op(0x1c, OP.SAVE_XMM128, 6, u16(0xc0 / 16)), op(0x15, OP.SAVE_NONVOL, RBX, u16(0xe0 / 8)), op(0x0e, OP.SET_FPREG), op(0x09, OP.ALLOC_LARGE, 0, u16(0x100 / 8)), op(0x02, OP.PUSH_NONVOL, RBP), op(0x01, OP.PUSH_NONVOL, RDI)],
      tail: HANDLER,
    });
    noise(S - 0x400, 0x800, 99);
    everyPc(fn, (pc) => ({ [RSP]: pc < 0x09 ? S - 8 * Math.min(pc, 2) : S - 0x110 - 0x40, [RBP]: S - 0x110 + 0x20 }));
  });
  it('32-bit operands: ALLOC_LARGE (32-bit), SAVE_NONVOL_FAR, SAVE_XMM128_FAR, SET_FPREG_LARGE', () => {
    const fn = place(1, 0x28, {
      prolog: 0x20,
      frameReg: RBP,
      codes: [op(0x20, OP.SET_FPREG_LARGE, 0, u32(0x2000)), op(0x18, OP.SAVE_XMM128_FAR, 7, u32(0x28010)), op(0x10, OP.SAVE_NONVOL_FAR, RBX, u32(0x28000)), op(0x08, OP.ALLOC_LARGE, 1, u32(0x30000)), op(0x01, OP.PUSH_NONVOL, RBP)],
    });
    const frame = S - 0x30008;
    noise(frame, 0x30010, 7);
    everyPc(fn, () => ({ [RSP]: frame, [RBP]: frame + 0x20000 }));
  });
  it('pushes of REX registers and ALLOC_SMALL', () => {
    const fn = place(2, 0x14, { flags: 2, prolog: 0x0c, codes: [op(0x0c, OP.ALLOC_SMALL, 5), op(0x08, OP.PUSH_NONVOL, R15), op(0x06, OP.PUSH_NONVOL, R12), op(0x04, OP.PUSH_NONVOL, RSI), op(0x02, OP.PUSH_NONVOL, RBX)], tail: HANDLER });
    noise(S - 0x100, 0x108, 3);
    everyPc(fn, () => ({ [RSP]: S - 0x50 }));
  });
  for (const errorCode of [0, 1]) {
    it(`PUSH_MACHFRAME ${errorCode ? 'with' : 'without'} an error code`, () => {
      const fn = place(3 + errorCode, 6, { flags: 1, prolog: 1, codes: [op(1, OP.PUSH_NONVOL, RBP), op(0, OP.PUSH_MACHFRAME, errorCode)], tail: HANDLER });
      const sp = S - 0x100;
      noise(sp, 0x100, 11 + errorCode);
      // The machine frame's RSP must be an address: the walk reads through it afterwards.
      mem.setU64(sp + 8 + 8 * errorCode + 24, S - 0x20);
      everyPc(fn, () => ({ [RSP]: sp }));
    });
  }
  it('chained unwind info: the fragment, then the primary', () => {
    const primary = place(5, 0x0c, { flags: 3, prolog: 5, codes: [op(5, OP.ALLOC_SMALL, 3), op(1, OP.PUSH_NONVOL, RBX)], tail: HANDLER });
    const fragment = place(6, 0x0d, { flags: 4, prolog: 5, codes: [op(5, OP.SAVE_NONVOL, RSI, u16(2))], tail: [...u32(primary.begin), ...u32(primary.begin + 12), ...u32(primary.infoRva)] });
    noise(S - 0x40, 0x48, 5);
    everyPc(fragment, () => ({ [RSP]: S - 0x28 }));
  });
  it('version 2: EPILOG codes describe nothing to undo', () => {
    const fn = place(7, 6, { version: 2, prolog: 1, codes: [op(2, OP.EPILOG, 1), op(2, OP.EPILOG, 0), op(0, OP.EPILOG, 0), op(1, OP.PUSH_NONVOL, RBX)] });
    noise(S - 0x10, 0x18, 13);
    everyPc(fn, () => ({ [RSP]: S - 8 }));
  });
  it('epilogs: add rsp and pops, then ret', () => {
    // add rsp, 0x28; pop rbx; pop rsi; pop r12; ret
    const fn = place(9, 0x18, { prolog: 8, codes: [op(8, OP.ALLOC_SMALL, 4), op(4, OP.PUSH_NONVOL, R12), op(2, OP.PUSH_NONVOL, RSI), op(1, OP.PUSH_NONVOL, RBX)] }, [0x48, 0x83, 0xc4, 0x28, 0x5b, 0x5e, 0x41, 0x5c, 0xc3]);
    noise(S - 0x60, 0x68, 17);
    everyPc(fn, (pc) => ({ [RSP]: pc < 0x0f ? S - 0x48 : S - 0x48 + 0x28 + 8 * (pc - 0x0f) }));
  });
  it('epilogs: lea rsp from the frame register, pops, then ret imm16', () => {
    // lea rsp, [rbp+0x10]; pop r15; pop rbp; ret 0x10
    const fn = place(10, 0x1c, { prolog: 8, frameReg: RBP, frameOffset: 1, codes: [op(8, OP.SET_FPREG), op(4, OP.ALLOC_SMALL, 1), op(3, OP.PUSH_NONVOL, R15), op(1, OP.PUSH_NONVOL, RBP)] }, [0x48, 0x8d, 0x65, 0x10, 0x41, 0x5f, 0x5d, 0xc2, 0x10, 0x00]);
    noise(S - 0x80, 0x88, 19);
    everyPc(fn, () => ({ [RSP]: S - 0x60, [RBP]: S - 0x20 }));
  });
  it('leaf plans pop the return address and nothing else', () => {
    noise(START, CONTEXT.Size, 23);
    mem.setU64(START + CONTEXT.Rsp, S - 0x20);
    mem.setU64(S - 0x20, 0x1234_5678_9abcn);
    mem.copy(FAST, START, CONTEXT.Size);
    const cp = leafPlan(IMAGE).compiled!;
    assert.equal(runCompiled(mem, cp, FAST, IMAGE + 0x10), S - 0x20, 'the establisher frame is RSP');
    assert.equal(mem.u64(FAST + CONTEXT.Rip), 0x1234_5678_9abcn);
    assert.equal(mem.ptr(FAST + CONTEXT.Rsp), S - 0x18);
    mem.setU64(START + CONTEXT.Rip, 0x1234_5678_9abcn);
    mem.setU64(START + CONTEXT.Rsp, S - 0x18);
    assert.deepEqual(mem.read(FAST, CONTEXT.Size), mem.read(START, CONTEXT.Size), 'only RIP and RSP change');
  });
  it('an unreadable stack fails the same way (BadMemory)', () => {
    const fn = place(8, 4, { prolog: 1, codes: [op(1, OP.PUSH_NONVOL, RBX)] });
    const plans = new PcTable<UnwindPlan>();
    mem.copy(SLOW, START, CONTEXT.Size);
    mem.setU64(SLOW + CONTEXT.Rsp, S - 8);
    virtualUnwind(mem, 1, IMAGE, IMAGE + fn.begin + 2, fn.entry, SLOW, 0, undefined, plans);
    const cp = compilePlan(mem, plans.get(IMAGE + fn.begin + 2)!)!;
    mem.setU64(FAST + CONTEXT.Rsp, 0x10);
    assert.throws(() => runCompiled(mem, cp, FAST, IMAGE + fn.begin + 2), (e) => e instanceof UnwindError && e.kind === 'BadMemory');
  });
});
