// The native frame walk (native/unwindwalk.ts) against the compiled plans run from JS
// (kernel/unwindfast.ts runCompiled, itself checked against the decoding unwinder in
// unwindfast.test.ts): chains of flat frames on a stack of pseudo-random bytes, unwound by one
// native call, must leave exactly the CONTEXT the JS path leaves frame by frame, and the walk
// must stop where the JS loop stops (a handler asked for, the target frame, a PC it was not
// given, a frame reaching past the readable stack, the limit). The machine code is decoded too.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import type * as Iced from 'iced-x86';
import { compiled, runCompiled, type CompiledPlan } from '../src/kernel/unwindfast.js';
import { Asm } from '../src/native/emitter.js';
import { CONTEXT } from '../src/native/layout.js';
import { AddressSpace } from '../src/native/memory.js';
import { PAGE_NOACCESS, PAGE_READWRITE } from '../src/native/memprotect.js';
import { CATCH_OBJECT, CLEANUP, CLEANUPS, HEADER, NativeUnwindWalk, PLAN, PLAN_CATCH, PLAN_SKIP, REC, emitUnwindWalk, walkSlot, type NativeFrame } from '../src/native/unwindwalk.js';

const require = createRequire(import.meta.url);
const iced = require('iced-x86') as typeof Iced;

const mem = new AddressSpace();
const STACK = mem.allocate(0, 0x40000, true, PAGE_READWRITE);
const STACK_END = STACK + 0x40000;
const CTX = mem.allocate(0, 0x4000, true, PAGE_READWRITE);
const START = CTX;
const JS = CTX + 0x1000;
const NATIVE = CTX + 0x2000;
/** Code addresses of the frames (never executed: only looked up). */
const CODE = 0x7ff6_1234_0000;

/** Deterministic pseudo-random numbers (xorshift). */
function rng(seed: number): () => number {
  let x = seed | 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

function noise(addr: number, len: number, next: () => number): void {
  const b = new Uint8Array(len);
  for (let i = 0; i < len; i++) b[i] = next() & 0xff;
  mem.write(addr, b);
}

interface Frame {
  pc: number;
  plan: CompiledPlan;
}


/** A flat plan: some non-volatile registers (never RSP) at distinct slots, the return address
 *  above them, sometimes a `ret imm16`'s release and slots above the return address (an MSVC
 *  prolog's saves into the caller's home area). */
function flatPlan(next: () => number, handlerFlags: number): CompiledPlan {
  const size = 8 * (next() % 24);
  const regs = [0, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15].filter(() => next() % 3 === 0);
  const flat: number[] = [];
  regs.forEach((r, i) => flat.push(r, i % 4 === 3 ? size + 8 + 8 * (i % 4) : (8 * i) % Math.max(size, 8)));
  return {
    ops: new Float64Array(0), machineFrame: false, frameReg: 0, frameOffset: 0, handlerFlags, handler: handlerFlags !== 0 ? CODE + 0x9000 : 0, handlerData: 0,
    retRelease: next() % 5 === 0 ? 8 * (next() % 4) : 0, flat: Float64Array.from(flat), retDistance: size, nativeLoads: Float64Array.from(flat), nativeRspLoads: new Float64Array(0), nativeXmm: new Float64Array(0),
  };
}

/**
 * Lays out `n` frames from `rsp` up (each frame's return address the next frame's PC; the last
 * returns to `CODE + 0xffff0`, a PC the walker is not given), with the registers in START.
 */
function chain(n: number, seed: number, handlers: (i: number) => number = () => 0, rsp = STACK + 0x1000): Frame[] {
  const next = rng(seed);
  noise(STACK, 0x40000, next);
  noise(START, CONTEXT.Size, next);
  const frames: Frame[] = [];
  for (let i = 0; i < n; i++) frames.push({ pc: CODE + 0x10 * i + (next() % 8), plan: flatPlan(next, handlers(i)) });
  let at = rsp;
  for (let i = 0; i < n; i++) {
    const p = frames[i]!.plan;
    mem.setU64(at + p.retDistance, i + 1 < n ? frames[i + 1]!.pc : CODE + 0xffff0);
    at += p.retDistance + 8 + p.retRelease;
  }
  mem.setU64(START + CONTEXT.Rip, frames[0]!.pc);
  mem.setU64(START + CONTEXT.Rsp, rsp);
  return frames;
}

function nativeFrame(p: CompiledPlan): NativeFrame {
  return { handlerFlags: p.handlerFlags, frameReg: p.frameReg, frameOffset: p.frameOffset, loads: p.nativeLoads!, rspLoads: p.nativeRspLoads!, xmmLoads: p.nativeXmm!, retDistance: p.retDistance, retRelease: p.retRelease, handler: p.handler, handlerData: p.handlerData, functionEntry: 0, imageBase: 0 };
}

function walker(frames: Frame[]): NativeUnwindWalk {
  const w = new NativeUnwindWalk(mem);
  for (const f of frames) assert.ok(w.add(f.pc, nativeFrame(f.plan)));
  return w;
}

/** Unwinds `count` frames of JS from START's state. */
function jsUnwind(frames: Frame[], count: number): void {
  mem.copy(JS, START, CONTEXT.Size);
  for (let i = 0; i < count; i++) runCompiled(mem, frames[i]!.plan, JS, frames[i]!.pc);
}

function nativeWalk(w: NativeUnwindWalk, handlerMask: number, target: number, limit: number, stackEnd = STACK_END): number {
  mem.copy(NATIVE, START, CONTEXT.Size);
  return w.walk(NATIVE, handlerMask, target, limit, mem.ptr(NATIVE + CONTEXT.Rsp), stackEnd);
}

function sameAsJs(frames: Frame[], count: number, what: string): void {
  jsUnwind(frames, count);
  assert.deepEqual(mem.read(NATIVE, CONTEXT.Size), mem.read(JS, CONTEXT.Size), what);
}

describe('the native frame walk', () => {
  it('unwinds a chain of flat frames exactly as the compiled plans do, and stops at a PC it was not given', () => {
    for (const seed of [0x1234567, 0x7654321, 0x2468ace, 0x1357bdf]) {
      const frames = chain(40, seed);
      const w = walker(frames);
      assert.equal(nativeWalk(w, 1, 0, 1000), 40, `seed ${seed.toString(16)}`);
      sameAsJs(frames, 40, `CONTEXT after 40 frames (seed ${seed.toString(16)})`);
      assert.equal(mem.ptr(NATIVE + CONTEXT.Rip), CODE + 0xffff0);
    }
  });

  it('stops before a frame with a handler of the type asked for, and passes other handlers', () => {
    const frames = chain(12, 99, (i) => (i === 5 ? 1 : i === 8 ? 2 : 0));
    const w = walker(frames);
    assert.equal(nativeWalk(w, 1, 0, 1000), 5, 'an exception handler stops the dispatch walk');
    sameAsJs(frames, 5, 'CONTEXT at the frame with the exception handler');
    assert.equal(nativeWalk(w, 2, 0, 1000), 8, 'the unwind walk stops at the termination handler');
    sameAsJs(frames, 8, 'CONTEXT at the frame with the termination handler');
  });

  it('stops at the first frame whose establisher frame (RSP) is at or above the target', () => {
    const frames = chain(10, 7);
    const w = walker(frames);
    jsUnwind(frames, 6);
    const rsp6 = mem.ptr(JS + CONTEXT.Rsp);
    assert.equal(nativeWalk(w, 2, rsp6, 1000), 6);
    sameAsJs(frames, 6, 'CONTEXT at the target frame');
    assert.equal(nativeWalk(w, 2, rsp6 + 1, 1000), 7, 'a frame just below the target is unwound');
  });

  it('takes at most the limit', () => {
    const frames = chain(10, 3);
    const w = walker(frames);
    assert.equal(nativeWalk(w, 1, 0, 4), 4);
    sameAsJs(frames, 4, 'CONTEXT after 4 frames');
  });

  it('leaves a frame that reads past the end of the readable stack to JS', () => {
    const frames = chain(10, 5);
    const w = walker(frames);
    jsUnwind(frames, 3);
    const rsp3 = mem.ptr(JS + CONTEXT.Rsp);
    const p = frames[3]!.plan;
    // Every slot of frame 3 lies below rsp3 + its extent: an end one byte short stops there.
    let extent = p.retDistance + 8;
    for (let i = 1; i < p.flat!.length; i += 2) extent = Math.max(extent, p.flat![i]! + 8);
    assert.equal(nativeWalk(w, 1, 0, 1000, rsp3 + extent - 1), 3);
    sameAsJs(frames, 3, 'CONTEXT before the frame reaching past the end');
    // A stack that is not readable to the end is not walked at all.
    mem.protect(STACK_END - 0x1000, 0x1000, PAGE_NOACCESS);
    try {
      assert.equal(nativeWalk(w, 1, 0, 1000), 0);
    } finally {
      mem.protect(STACK_END - 0x1000, 0x1000, PAGE_READWRITE);
    }
    assert.equal(nativeWalk(w, 1, 0, 1000), 10, 'walked again once readable');
  });

  it('forgets every frame when cleared', () => {
    const frames = chain(6, 11);
    const w = walker(frames);
    w.clear();
    assert.equal(nativeWalk(w, 1, 0, 1000), 0);
    assert.ok(w.add(frames[0]!.pc, nativeFrame(frames[0]!.plan)));
    assert.equal(nativeWalk(w, 1, 0, 1000), 1);
  });

  it("keeps a C++ frame handler's decisions and cleanups with the frame's record, as the exception core reads them", () => {
    const frames = chain(3, 17);
    const w = walker(frames);
    const pc = frames[1]!.pc;
    /** The record of `pc`, as the machine code finds it (its hash slot, then linear probing). */
    const recordOf = (at: number): number => {
      for (let i = walkSlot(at); ; i = (i + 1) & 0xfff) {
        const slot = w.address + HEADER.Size + 16 * i;
        if (mem.ptr(slot) === at) return mem.ptr(slot + 8);
        assert.notEqual(mem.ptr(slot), 0, 'the PC is in the table');
      }
    };
    const plans = (): { throwInfo: number; kind: number; funclet: number }[] => {
      const out = [];
      for (let p = mem.ptr(recordOf(pc) + REC.Plans); p !== 0; p = mem.ptr(p + PLAN.Next)) out.push({ throwInfo: mem.ptr(p + PLAN.ThrowInfo), kind: mem.ptr(p + PLAN.Kind), funclet: mem.ptr(p + PLAN.Funclet) });
      return out;
    };
    const plan = { objKind: CATCH_OBJECT.Reference, catchObj: 0x28, size: 0, mdisp: 8, copy: 0, funclet: 0x1_4000_2000, funcInfo: 0x1_4000_5000, tryLow: 1, floor: 3, continuations: [], skipTarget: true };
    assert.equal(w.addPlan(0x7ff6_9999_0000, 0x1_4000_4000, null), false, 'no plan for a PC the table lacks');
    assert.equal(w.addPlan(pc, 0x1_4000_4000, null), true);
    assert.equal(w.addPlan(pc, 0x1_4000_4100, plan), true);
    assert.equal(w.addPlan(pc, 0x1_4000_4100, { ...plan, funclet: 1 }), true, 'a second decision for the same type is not kept');
    assert.deepEqual(plans(), [{ throwInfo: 0x1_4000_4100, kind: PLAN_CATCH, funclet: 0x1_4000_2000 }, { throwInfo: 0x1_4000_4000, kind: PLAN_SKIP, funclet: 0 }]);
    const p = mem.ptr(recordOf(pc) + REC.Plans);
    assert.deepEqual([mem.ptr(p + PLAN.CatchObj), mem.ptr(p + PLAN.Mdisp), mem.ptr(p + PLAN.TryLow), mem.ptr(p + PLAN.Floor), mem.ptr(p + PLAN.SkipTarget)], [0x28, 8, 1, 3, 1]);
    assert.equal(w.addPlan(pc, 0x1_4000_4200, { ...plan, continuations: [1, 2, 3] }), false, 'FH4 has at most two continuations');
    for (let i = 0; i < 20; i++) w.addPlan(pc, 0x1_4001_0000 + 16 * i, null);
    assert.equal(plans().length, 16, 'a bounded number per frame');
    assert.equal(mem.u32(recordOf(pc) + REC.PassAll), 0);
    w.passAll(pc);
    assert.equal(mem.u32(recordOf(pc) + REC.PassAll), 1);
    w.setCleanups(pc, [{ kind: CLEANUP.Funclet, action: 0x1_4000_3000, object: 0 }, { kind: CLEANUP.Pointer, action: 0x1_4000_3100, object: 0x30 }]);
    w.setCleanups(pc, []);
    const c = mem.ptr(recordOf(pc) + REC.Cleanups);
    assert.equal(mem.ptr(c + CLEANUPS.Count), 2, 'kept once');
    const second = c + CLEANUPS.First + CLEANUPS.Bytes;
    assert.deepEqual([mem.ptr(second + CLEANUPS.Kind), mem.ptr(second + CLEANUPS.Action), mem.ptr(second + CLEANUPS.Object)], [CLEANUP.Pointer, 0x1_4000_3100, 0x30]);
    w.clear();
    assert.equal(w.addPlan(pc, 0x1_4000_4000, null), false, 'gone with the frames');
  });

  it('unwinds frames with XMM saves and a frame register (MSVC\'s prolog order and mingw\'s) exactly as the general path runs their operations', () => {
    // Operations (kernel/unwindfast.ts): 1 push, 2 add, 3 set frame, 4 save, 5 save XMM. Saves
    // are relative to the establisher frame (the base) wherever they come; with a frame
    // register the unwind sets RSP to the base before the pushes.
    const next = rng(0xfeed);
    let frames = 0;
    for (let round = 0; round < 60; round++) {
      noise(STACK, 0x40000, next);
      noise(START, CONTEXT.Size, next);
      const frameReg = [0, 5, 3, 13][round % 4]!;
      const frameOffset = frameReg === 0 ? 0 : 16 * (next() % 16);
      const size = 8 * (next() % 24) + 32;
      const regs = [1, 2, 6, 7, 12, 14, 15].filter((r) => r !== frameReg && next() % 2 === 0);
      const ops: number[] = [];
      const xmm = [6, 7, 8, 15].filter(() => next() % 2 === 0);
      xmm.forEach((x, i) => ops.push(5, x, 16 * i));
      regs.slice(0, 2).forEach((r, i) => ops.push(4, r, 8 * xmm.length * 2 + 8 * i));
      // MSVC sets the frame register last in its prolog; mingw sets it after the first push and
      // pushes and allocates after it, which the unwind undoes from RSP first.
      const mingw = frameReg !== 0 && round % 8 >= 4;
      if (frameReg !== 0 && !mingw) ops.push(3, frameReg, frameOffset);
      ops.push(2, size, 0);
      for (const r of regs.slice(2)) ops.push(1, r, 0);
      if (mingw) ops.push(3, frameReg, frameOffset);
      if (frameReg !== 0) ops.push(1, frameReg, 0);
      const plan = compiled(ops, false, frameReg, frameOffset, 0, 0, 0, 0);
      assert.ok(plan.nativeLoads !== null && plan.nativeXmm !== null && plan.nativeRspLoads !== null, `round ${round}: a native form`);
      assert.equal(plan.nativeRspLoads.length > 0, mingw && regs.length > 2, 'pushes before the frame is set come from RSP');
      assert.equal(plan.flat === null, frameReg !== 0 || xmm.length > 0, 'JS keeps its flat form only for plain frames');
      // The frame: RSP below the base, the frame register at base + offset.
      const rsp = STACK + 0x2000;
      const base = frameReg !== 0 ? rsp + 8 * (next() % 64) : rsp;
      mem.setU64(START + CONTEXT.Rsp, rsp);
      if (frameReg !== 0) mem.setU64(START + CONTEXT.Rax + 8 * frameReg, base + frameOffset);
      const pc = CODE + 0x100 * round;
      mem.setU64(START + CONTEXT.Rip, pc);
      mem.setU64(base + plan.retDistance, CODE + 0xffff0);
      const w = new NativeUnwindWalk(mem);
      assert.ok(w.add(pc, nativeFrame(plan)));
      assert.equal(nativeWalk(w, 1, 0, 1), 1, `round ${round}: the native walk takes the frame`);
      mem.copy(JS, START, CONTEXT.Size);
      assert.equal(runCompiled(mem, plan, JS, pc), base, 'the establisher frame is the base');
      assert.deepEqual(mem.read(NATIVE, CONTEXT.Size), mem.read(JS, CONTEXT.Size), `round ${round}: CONTEXT after the frame`);
      // A target at the base stops the walk before the frame (it is the target's).
      assert.equal(nativeWalk(w, 2, base, 1), 0);
      frames++;
    }
    assert.equal(frames, 60);
  });

  it('is the intended machine code (decoded)', () => {
    const a = new Asm();
    emitUnwindWalk(a, 0x7ff6_0000_0000);
    const d = new iced.Decoder(64, a.bytes(), iced.DecoderOptions.None);
    const f = new iced.Formatter(iced.FormatterSyntax.Nasm);
    const text: string[] = [];
    let firstImmediate = 0n;
    while (d.canDecode) {
      const ins = d.decode();
      assert.notEqual(ins.code, iced.Code.INVALID, `a valid instruction at ${text.length}`);
      if (text.length === 0) firstImmediate = ins.immediate64;
      text.push(f.format(ins));
      ins.free();
    }
    d.free();
    f.free();
    // It takes the table's address from its code and the CONTEXT's from the table, touches no
    // callee-saved register and no memory but through RDI (the CONTEXT), RSI (the table), the
    // records and the stack slots, and ends in its one return.
    // (iced-x86's formatter prints a 64-bit immediate whose low half is 0 as 0: the value is
    // compared instead.)
    assert.match(text[0]!, /^mov rsi,/);
    assert.equal(firstImmediate, 0x7ff6_0000_0000n);
    assert.equal(text[1], 'mov rdi,[rsi+28h]');
    for (const t of text) assert.doesNotMatch(t, /\b(rbx|rbp|r12|r13|r14|r15|rsp)\b|push|pop|call/, t);
    assert.equal(text.filter((t) => t === 'ret').length, 1);
    assert.equal(text[text.length - 1], 'ret');
  });
});
