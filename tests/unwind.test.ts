// The x64 unwinder (kernel/unwind.ts) on hand-written functions: code bytes and unwind info in
// an address space, a stack laid out as the prolog leaves it, and a CONTEXT at chosen PCs.
// Expected values follow from the code: what executing the prolog stored where.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CONTEXT_POINTERS, UnwindError, virtualUnwind, type FunctionLookup, type UnwindResult } from '../src/kernel/unwind.js';
import { CONTEXT } from '../src/native/layout.js';
import { AddressSpace } from '../src/native/memory.js';
import { PAGE_READWRITE } from '../src/native/memprotect.js';

const mem = new AddressSpace();
const IMAGE = mem.allocate(0, 0x20000, true, PAGE_READWRITE);
const STACK_BASE = mem.allocate(0, 0x40000, true, PAGE_READWRITE);
/** RSP at function entry: the return address is at S. */
const S = STACK_BASE + 0x38000;
const CTX = mem.allocate(0, 0x10000, true, PAGE_READWRITE);
const PTRS = CTX + 0x1000;

const R = 0x7ff6_1234_5678n;
const RBX0 = 0x1111_0000_0000_00b3n;
const RBP0 = 0x2222_0000_00b5n;
const RSI0 = 0x3333_0000_0000_00b6n;
const RDI0 = 0x4444_0000_0000_00b7n;
const R12_0 = 0x5555_0000_0000_0012n;
const R15_0 = 0x6666_0000_0000_0015n;
const UNSET = 0x5555555555555555n;

const REGS = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'] as const;
type Reg = (typeof REGS)[number];
const N = (r: Reg): number => REGS.indexOf(r);
const UWOP = { PUSH_NONVOL: 0, ALLOC_LARGE: 1, ALLOC_SMALL: 2, SET_FPREG: 3, SAVE_NONVOL: 4, SAVE_NONVOL_FAR: 5, EPILOG: 6, SAVE_XMM128: 8, SAVE_XMM128_FAR: 9, PUSH_MACHFRAME: 10, SET_FPREG_LARGE: 11 };

const u16 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff];
const u32 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff];
/** One unwind code slot. */
const op = (offset: number, code: number, info = 0): number[] => [offset, code | (info << 4)];

interface InfoSpec {
  version?: number;
  flags?: number;
  prolog: number;
  frameReg?: number;
  /** Scaled: the byte offset / 16. */
  frameOffset?: number;
  /** The code slots, each code with its operand slots. */
  codes: number[][];
  /** Handler RVA and data, or a chained RUNTIME_FUNCTION. */
  tail?: number[];
}

function infoBytes(s: InfoSpec): number[] {
  const slots = s.codes.flat();
  const count = slots.length / 2;
  const out = [(s.version ?? 1) | ((s.flags ?? 0) << 3), s.prolog, count, (s.frameReg ?? 0) | ((s.frameOffset ?? 0) << 4), ...slots];
  if (count % 2) out.push(0, 0);
  return [...out, ...(s.tail ?? [0, 0, 0, 0, 0, 0, 0, 0])];
}

interface Fn {
  /** Address of the RUNTIME_FUNCTION. */
  entry: number;
  begin: number;
  /** RVA of the UNWIND_INFO. */
  infoRva: number;
  /** RVA of what follows the code array (handler or chained entry). */
  tailRva: number;
}

/** Places function number `slot`: code at IMAGE+0x1000+0x200*slot, info at +0x9000+…, the
 *  RUNTIME_FUNCTION at +0x13000+12*slot; `size` is its length (EndAddress - BeginAddress). */
function place(slot: number, code: number[], info: InfoSpec, size = 0x40): Fn {
  const begin = 0x1000 + 0x200 * slot;
  const infoRva = 0x9000 + 0x200 * slot;
  mem.fill(IMAGE + begin, 0xcc, 0x200);
  mem.write(IMAGE + begin, Uint8Array.from(code));
  const bytes = infoBytes(info);
  mem.write(IMAGE + infoRva, Uint8Array.from(bytes));
  const entry = IMAGE + 0x13000 + 12 * slot;
  mem.write(entry, Uint8Array.from([...u32(begin), ...u32(begin + size), ...u32(infoRva)]));
  const count = info.codes.flat().length / 2;
  return { entry, begin, infoRva, tailRva: infoRva + 4 + 2 * (count + (count % 2)) };
}

const HANDLER_RVA = 0x200;
const HANDLER_TAIL = [...u32(HANDLER_RVA), 0x05, 0x06, 0x07, 0x08];

/** Fills the CONTEXT with 0x55 bytes, clears the context pointers, then sets `regs`. */
function setContext(regs: Partial<Record<Reg, bigint | number>>): void {
  mem.fill(CTX, 0x55, CONTEXT.Size);
  mem.fill(PTRS, 0, CONTEXT_POINTERS.Size);
  for (const [r, v] of Object.entries(regs)) mem.setU64(CTX + CONTEXT.Rax + 8 * N(r as Reg), v);
}

const reg = (r: Reg): bigint => mem.u64(CTX + CONTEXT.Rax + 8 * N(r));
const rip = (): bigint => mem.u64(CTX + CONTEXT.Rip);
const rsp = (): number => mem.ptr(CTX + CONTEXT.Rsp);
const intPtr = (r: Reg): number => mem.ptr(PTRS + CONTEXT_POINTERS.IntegerContext + 8 * N(r));
const xmmPtr = (n: number): number => mem.ptr(PTRS + CONTEXT_POINTERS.FloatingContext + 8 * n);

function unwindAt(fn: Fn, pcOffset: number, regs: Partial<Record<Reg, bigint | number>>, handlerType = 1, lookup?: FunctionLookup): UnwindResult {
  setContext(regs);
  return virtualUnwind(mem, handlerType, IMAGE, IMAGE + fn.begin + pcOffset, fn.entry, CTX, PTRS, lookup);
}

/** The registers restored from the stack (context pointers set), with their values. */
function restored(): Partial<Record<Reg, bigint>> {
  const out: Partial<Record<Reg, bigint>> = {};
  for (const r of REGS) {
    const p = intPtr(r);
    if (p !== 0) {
      assert.equal(mem.u64(p), reg(r), `${r} came from its context pointer`);
      out[r] = reg(r);
    } else if (r !== 'rsp') assert.ok(reg(r) === UNSET || ['rbp', 'r13'].includes(r), `${r} is untouched`);
  }
  assert.equal(intPtr('rsp'), 0, 'RSP never has a context pointer');
  return out;
}

const write64 = (addr: number, v: bigint): void => mem.setU64(addr, v);

describe('RtlVirtualUnwind: a frame-pointer function (push, ALLOC_LARGE, SET_FPREG, SAVE_NONVOL, SAVE_XMM128)', () => {
  // 00 push rdi; 01 push rbp; 02 sub rsp,0x100; 09 lea rbp,[rsp+0x20]; 0e mov [rbp+0xc0],rbx;
  // 15 movaps [rbp+0xa0],xmm6; 1c nop; 1d mov rbx,[rbp+0xc0]; 24 movaps xmm6,[rbp+0xa0];
  // 2b lea rsp,[rbp+0xe0]; 32 pop rbp; 33 pop rdi; 34 ret
  const code = [0x57, 0x55, 0x48, 0x81, 0xec, 0x00, 0x01, 0x00, 0x00, 0x48, 0x8d, 0x6c, 0x24, 0x20, 0x48, 0x89, 0x9d, 0xc0, 0x00, 0x00, 0x00, 0x0f, 0x29, 0xb5, 0xa0, 0x00, 0x00, 0x00, 0x90, 0x48, 0x8b, 0x9d, 0xc0, 0x00, 0x00, 0x00, 0x0f, 0x28, 0xb5, 0xa0, 0x00, 0x00, 0x00, 0x48, 0x8d, 0xa5, 0xe0, 0x00, 0x00, 0x00, 0x5d, 0x5f, 0xc3];
  const fn = place(0, code, {
    flags: 3,
    prolog: 0x1c,
    frameReg: N('rbp'),
    frameOffset: 2,
    codes: [op(0x1c, UWOP.SAVE_XMM128, 6).concat(u16(0xc0 / 16)), op(0x15, UWOP.SAVE_NONVOL, N('rbx')).concat(u16(0xe0 / 8)), op(0x0e, UWOP.SET_FPREG), op(0x09, UWOP.ALLOC_LARGE, 0).concat(u16(0x100 / 8)), op(0x02, UWOP.PUSH_NONVOL, N('rbp')), op(0x01, UWOP.PUSH_NONVOL, N('rdi'))],
    tail: HANDLER_TAIL,
  }, code.length);
  const frame = S - 0x110;
  const xmm6 = Uint8Array.from({ length: 16 }, (_, i) => 0xa0 + i);
  const fill = (): void => {
    write64(S, R);
    write64(S - 8, RDI0);
    write64(S - 16, RBP0);
    write64(S - 0x30, RBX0);
    mem.write(S - 0x50, xmm6);
  };

  it('undoes only the completed prolog instructions, with no handler, inside the prolog', () => {
    fill();
    const cases: [number, number, number, Partial<Record<Reg, bigint>>][] = [
      [0x00, S, S, {}],
      [0x01, S - 8, S - 8, { rdi: RDI0 }],
      [0x02, S - 16, S - 16, { rdi: RDI0, rbp: RBP0 }],
      [0x09, frame, frame, { rdi: RDI0, rbp: RBP0 }],
      [0x0e, frame, frame, { rdi: RDI0, rbp: RBP0 }],
      [0x15, frame, frame, { rdi: RDI0, rbp: RBP0, rbx: RBX0 }],
    ];
    for (const [pc, sp, establisher, regs] of cases) {
      const r = unwindAt(fn, pc, { rsp: sp, rbp: pc >= 0x0e ? frame + 0x20 : UNSET });
      assert.deepEqual(restored(), regs, `registers at +${pc.toString(16)}`);
      assert.equal(rip(), R, `rip at +${pc.toString(16)}`);
      assert.equal(rsp(), S + 8);
      assert.equal(r.establisherFrame, establisher, `frame at +${pc.toString(16)}`);
      assert.equal(r.handler, 0);
    }
  });
  it('in the body undoes every code, restores XMM6 and returns the handler and its data', () => {
    fill();
    for (const pc of [0x1c, 0x1d, 0x24]) {
      // The body may have moved RSP (alloca): the frame register is what counts.
      const r = unwindAt(fn, pc, { rsp: frame - 0x400, rbp: frame + 0x20 });
      assert.deepEqual(restored(), { rdi: RDI0, rbp: RBP0, rbx: RBX0 });
      assert.deepEqual(mem.read(CTX + CONTEXT.Xmm0 + 16 * 6, 16), xmm6);
      assert.equal(xmmPtr(6), S - 0x50);
      assert.equal(rip(), R);
      assert.equal(rsp(), S + 8);
      assert.equal(r.establisherFrame, frame);
      assert.equal(r.handler, IMAGE + HANDLER_RVA);
      assert.equal(r.handlerData, IMAGE + fn.tailRva + 4);
      assert.equal(mem.u32(r.handlerData), 0x08070605);
    }
  });
  it('returns the handler only for a handler type its flags include', () => {
    fill();
    assert.equal(unwindAt(fn, 0x1c, { rsp: frame, rbp: frame + 0x20 }, 2).handler, IMAGE + HANDLER_RVA);
    const none = unwindAt(fn, 0x1c, { rsp: frame, rbp: frame + 0x20 }, 0);
    assert.equal(none.handler, 0);
    assert.equal(none.handlerData, 0);
  });
  it('emulates the epilog from `lea rsp, [rbp+disp32]` on, with no handler', () => {
    fill();
    const cases: [number, Partial<Record<Reg, bigint | number>>, Partial<Record<Reg, bigint>>, number][] = [
      [0x2b, { rsp: frame - 0x400, rbp: frame + 0x20 }, { rdi: RDI0, rbp: RBP0 }, frame],
      [0x32, { rsp: S - 16, rbp: frame + 0x20 }, { rdi: RDI0, rbp: RBP0 }, frame],
      // rbp is already popped: Windows 10 still reports the frame register's base.
      [0x33, { rsp: S - 8, rbp: RBP0 }, { rdi: RDI0 }, Number(RBP0) - 0x20],
      [0x34, { rsp: S, rbp: RBP0 }, {}, Number(RBP0) - 0x20],
    ];
    for (const [pc, regs, expect, establisher] of cases) {
      const r = unwindAt(fn, pc, regs);
      const got = restored();
      delete got.rbp;
      const want = { ...expect };
      delete want.rbp;
      assert.deepEqual(got, want, `registers at +${pc.toString(16)}`);
      if (expect.rbp !== undefined) assert.equal(reg('rbp'), expect.rbp);
      assert.equal(rip(), R);
      assert.equal(rsp(), S + 8);
      assert.equal(r.handler, 0);
      assert.equal(r.handlerData, 0);
      assert.equal(r.establisherFrame, establisher, `frame at +${pc.toString(16)}`);
    }
  });
});

describe('RtlVirtualUnwind: pushes of REX registers, ALLOC_SMALL, an `add rsp` epilog', () => {
  // 00 push rbx; 01 push r12; 03 push r15; 05 sub rsp,0x28; 09 nop; 0a add rsp,0x28;
  // 0e pop r15; 10 pop r12; 12 pop rbx; 13 ret
  const code = [0x53, 0x41, 0x54, 0x41, 0x57, 0x48, 0x83, 0xec, 0x28, 0x90, 0x48, 0x83, 0xc4, 0x28, 0x41, 0x5f, 0x41, 0x5c, 0x5b, 0xc3];
  const fn = place(1, code, { prolog: 9, codes: [op(9, UWOP.ALLOC_SMALL, 4), op(5, UWOP.PUSH_NONVOL, N('r15')), op(3, UWOP.PUSH_NONVOL, N('r12')), op(1, UWOP.PUSH_NONVOL, N('rbx'))] }, code.length);
  const all = { rbx: RBX0, r12: R12_0, r15: R15_0 };
  const fill = (): void => {
    write64(S, R);
    write64(S - 8, RBX0);
    write64(S - 16, R12_0);
    write64(S - 24, R15_0);
  };
  it('undoes the pushes and the allocation at each point of the prolog, body and epilog', () => {
    fill();
    const cases: [number, number, Partial<Record<Reg, bigint>>][] = [
      [0x00, S, {}],
      [0x01, S - 8, { rbx: RBX0 }],
      [0x03, S - 16, { rbx: RBX0, r12: R12_0 }],
      [0x05, S - 24, all],
      [0x09, S - 0x40, all],
      [0x0a, S - 0x40, all],
      [0x0e, S - 24, all],
      [0x10, S - 16, { rbx: RBX0, r12: R12_0 }],
      [0x12, S - 8, { rbx: RBX0 }],
      [0x13, S, {}],
    ];
    for (const [pc, sp, regs] of cases) {
      const r = unwindAt(fn, pc, { rsp: sp });
      assert.deepEqual(restored(), regs, `registers at +${pc.toString(16)}`);
      assert.equal(rip(), R, `rip at +${pc.toString(16)}`);
      assert.equal(rsp(), S + 8);
      assert.equal(r.establisherFrame, sp);
      assert.equal(r.handler, 0);
    }
  });
  it('fails with a typed error when the stack is not mapped', () => {
    setContext({ rsp: 0x1000 });
    assert.throws(() => virtualUnwind(mem, 1, IMAGE, IMAGE + fn.begin + 9, fn.entry, CTX, 0), (e: unknown) => e instanceof UnwindError && e.kind === 'BadMemory');
  });
  it('follows an indirect RUNTIME_FUNCTION (UnwindData bit 0) to the unwind info it names', () => {
    fill();
    const indirect = IMAGE + 0x13000 + 12 * 40;
    mem.write(indirect, Uint8Array.from([...u32(fn.begin), ...u32(fn.begin + code.length), ...u32((fn.entry - IMAGE) | 1)]));
    setContext({ rsp: S - 0x40 });
    virtualUnwind(mem, 1, IMAGE, IMAGE + fn.begin + 9, indirect, CTX, PTRS);
    assert.deepEqual(restored(), all);
    assert.equal(rip(), R);
  });
});

describe('RtlVirtualUnwind: leaf functions, bad unwind data', () => {
  it('pops the return address of a leaf function (no function entry)', () => {
    write64(S, R);
    setContext({ rsp: S });
    const r = virtualUnwind(mem, 1, IMAGE, IMAGE + 0x1000, 0, CTX, PTRS);
    assert.deepEqual(r, { handler: 0, handlerData: 0, establisherFrame: S });
    assert.equal(rip(), R);
    assert.equal(rsp(), S + 8);
  });
  it('rejects an unknown unwind info version', () => {
    const fn = place(2, [0x90, 0xc3], { version: 3, prolog: 0, codes: [] });
    setContext({ rsp: S });
    assert.throws(() => virtualUnwind(mem, 1, IMAGE, IMAGE + fn.begin, fn.entry, CTX, 0), (e: unknown) => e instanceof UnwindError && e.kind === 'BadFunctionTable');
  });
});

describe('RtlVirtualUnwind: 32-bit operands (ALLOC_LARGE/1, SAVE_NONVOL_FAR, SAVE_XMM128_FAR, SET_FPREG_LARGE)', () => {
  // 00 push rbp; 01 sub rsp,0x30000; 08 mov [rsp+0x28000],rbx; 10 movaps [rsp+0x28010],xmm7;
  // 18 lea rbp,[rsp+0x20000]; 20 nop; 21 lea rsp,[rbp+0x10000]; 28 pop rbp; 29 ret
  const code = [0x55, 0x48, 0x81, 0xec, 0x00, 0x00, 0x03, 0x00, 0x48, 0x89, 0x9c, 0x24, 0x00, 0x80, 0x02, 0x00, 0x0f, 0x29, 0xbc, 0x24, 0x10, 0x80, 0x02, 0x00, 0x48, 0x8d, 0xac, 0x24, 0x00, 0x00, 0x02, 0x00, 0x90, 0x48, 0x8d, 0xa5, 0x00, 0x00, 0x01, 0x00, 0x5d, 0xc3];
  const fn = place(3, code, {
    prolog: 0x20,
    frameReg: N('rbp'),
    codes: [op(0x20, UWOP.SET_FPREG_LARGE).concat(u32(0x2000)), op(0x18, UWOP.SAVE_XMM128_FAR, 7).concat(u32(0x28010)), op(0x10, UWOP.SAVE_NONVOL_FAR, N('rbx')).concat(u32(0x28000)), op(0x08, UWOP.ALLOC_LARGE, 1).concat(u32(0x30000)), op(0x01, UWOP.PUSH_NONVOL, N('rbp'))],
  }, code.length);
  const frame = S - 0x30008;
  const xmm7 = Uint8Array.from({ length: 16 }, (_, i) => 0x70 + i);
  const fill = (): void => {
    write64(S, R);
    write64(S - 8, RBP0);
    write64(frame + 0x28000, RBX0);
    mem.write(frame + 0x28010, xmm7);
  };
  const check = (r: UnwindResult, what: string): void => {
    assert.deepEqual(restored(), { rbp: RBP0, rbx: RBX0 }, what);
    assert.equal(intPtr('rbx'), frame + 0x28000);
    assert.equal(intPtr('rbp'), S - 8);
    assert.deepEqual(mem.read(CTX + CONTEXT.Xmm0 + 16 * 7, 16), xmm7);
    assert.equal(xmmPtr(7), frame + 0x28010);
    assert.equal(rip(), R);
    assert.equal(rsp(), S + 8);
    assert.equal(r.establisherFrame, frame, what);
  };
  it('in the body: the frame is the frame register minus the large offset', () => {
    fill();
    check(unwindAt(fn, 0x20, { rsp: frame - 0x100, rbp: frame + 0x20000 }), 'body');
  });
  it('before SET_FPREG_LARGE has run: the frame is RSP', () => {
    fill();
    check(unwindAt(fn, 0x18, { rsp: frame }), 'prolog');
  });
  it('in the epilog', () => {
    fill();
    setContext({ rsp: frame - 0x100, rbp: frame + 0x20000 });
    const r = virtualUnwind(mem, 1, IMAGE, IMAGE + fn.begin + 0x21, fn.entry, CTX, PTRS);
    assert.equal(reg('rbp'), RBP0);
    assert.equal(rip(), R);
    assert.equal(rsp(), S + 8);
    assert.equal(reg('rbx'), UNSET, 'the epilog restores only what it pops');
    assert.equal(r.establisherFrame, frame);
  });
});

describe('RtlVirtualUnwind: machine frames', () => {
  // A trap handler's dummy prolog: the CPU pushed a machine frame, then push rbp.
  const code = [0x55, 0x90, 0x5d, 0x48, 0xcf];
  const RIP_T = 0x7ff6_0000_1234n;
  const RSP_T = 0x0000_00aa_bb00n;
  for (const errorCode of [0, 1]) {
    it(errorCode ? 'with an error code: RIP and RSP come from one slot further' : 'without an error code: RIP and RSP come from the frame', () => {
      const fn = place(4 + errorCode, code, { flags: 1, prolog: 0, codes: [op(1, UWOP.PUSH_NONVOL, N('rbp')), op(0, UWOP.PUSH_MACHFRAME, errorCode)], tail: HANDLER_TAIL });
      const sp = S - 0x100;
      write64(sp, RBP0);
      const f = sp + 8 + 8 * errorCode;
      if (errorCode) write64(sp + 8, 0xeeeen);
      write64(f, RIP_T);
      write64(f + 8, 0x33n);
      write64(f + 16, 0x246n);
      write64(f + 24, RSP_T);
      write64(f + 32, 0x2bn);
      const r = unwindAt(fn, 1, { rsp: sp });
      assert.deepEqual(restored(), { rbp: RBP0 });
      assert.equal(rip(), RIP_T);
      assert.equal(mem.u64(CTX + CONTEXT.Rsp), RSP_T);
      assert.equal(r.establisherFrame, sp);
      assert.equal(r.handler, IMAGE + HANDLER_RVA);
    });
  }
});

describe('RtlVirtualUnwind: chained unwind info', () => {
  // The primary: 00 push rbx; 01 sub rsp,0x20; 05 nop; …  The fragment (chained to it):
  // 00 mov [rsp+0x10],rsi; 05 nop; 06 nop; 07 jmp primary+5
  const primary = place(6, [0x53, 0x48, 0x83, 0xec, 0x20, 0x90, 0x48, 0x83, 0xc4, 0x20, 0x5b, 0xc3], { flags: 3, prolog: 5, codes: [op(5, UWOP.ALLOC_SMALL, 3), op(1, UWOP.PUSH_NONVOL, N('rbx'))], tail: HANDLER_TAIL }, 12);
  const fragBegin = 0x1000 + 0x200 * 7;
  const jmp = [0xe9, ...u32((primary.begin + 5 - (fragBegin + 12)) >>> 0)];
  const fragment = place(7, [0x48, 0x89, 0x74, 0x24, 0x10, 0x90, 0x90, ...jmp, 0xcc], { flags: 4, prolog: 5, codes: [op(5, UWOP.SAVE_NONVOL, N('rsi')).concat(u16(2))], tail: [...u32(primary.begin), ...u32(primary.begin + 12), ...u32(primary.infoRva)] }, 13);
  const frame = S - 0x28;
  const fill = (): void => {
    write64(S, R);
    write64(S - 8, RBX0);
    write64(frame + 0x10, RSI0);
    write64(frame, 0x9999n);
  };
  it("past the fragment's prolog: its codes, then the primary's; the primary's handler", () => {
    fill();
    const r = unwindAt(fragment, 5, { rsp: frame });
    assert.deepEqual(restored(), { rbx: RBX0, rsi: RSI0 });
    assert.equal(rip(), R);
    assert.equal(rsp(), S + 8);
    assert.equal(r.establisherFrame, frame);
    assert.equal(r.handler, IMAGE + HANDLER_RVA);
    assert.equal(r.handlerData, IMAGE + primary.tailRva + 4);
  });
  it("inside the fragment's prolog: the primary's codes all apply, no handler", () => {
    fill();
    const r = unwindAt(fragment, 0, { rsp: frame });
    assert.deepEqual(restored(), { rbx: RBX0 });
    assert.equal(rip(), R);
    assert.equal(r.handler, 0);
  });
  it('a jump back into the primary is a tail call unless a lookup shows it is the same function', () => {
    fill();
    unwindAt(fragment, 7, { rsp: frame });
    assert.equal(rip(), 0x9999n, 'without a lookup the jump leaves the fragment: an epilog');
    const lookup: FunctionLookup = (pc) => (pc >= IMAGE + primary.begin && pc < IMAGE + primary.begin + 12 ? { entry: primary.entry, imageBase: IMAGE } : undefined);
    unwindAt(fragment, 7, { rsp: frame }, 1, lookup);
    assert.deepEqual(restored(), { rbx: RBX0, rsi: RSI0 });
    assert.equal(rip(), R, 'the target starts where the chained entry does: body');
  });
});

describe('RtlVirtualUnwind: version 2 unwind info', () => {
  it('skips EPILOG codes, one slot each', () => {
    // 00 push rbx; 01 nop; 02 pop rbx; 03 ret — three EPILOG codes before the push's.
    const fn = place(8, [0x53, 0x90, 0x5b, 0xc3], { version: 2, prolog: 1, codes: [op(2, UWOP.EPILOG, 1), op(2, UWOP.EPILOG, 0), op(0, UWOP.EPILOG, 0), op(1, UWOP.PUSH_NONVOL, N('rbx'))] }, 4);
    write64(S, R);
    write64(S - 8, RBX0);
    unwindAt(fn, 1, { rsp: S - 8 });
    assert.deepEqual(restored(), { rbx: RBX0 });
    assert.equal(rip(), R);
    assert.equal(rsp(), S + 8);
  });
});

describe('RtlVirtualUnwind: recognising epilogs', () => {
  // push rbp; sub rsp,0x10 — then the bytes under test at +5. With RSP = S-0x28, an epilog
  // that releases 0x20 returns to R; undoing the prolog's codes instead reads other slots.
  const J2 = 0xa2n;
  const J3 = 0xa3n;
  const test = (bytes: number[], regs: Partial<Record<Reg, bigint | number>> = { rsp: S - 0x28, rbp: S - 0x10, r13: S - 0x10 }, lookup?: FunctionLookup, codes = [op(5, UWOP.ALLOC_SMALL, 1), op(1, UWOP.PUSH_NONVOL, N('rbp'))]): 'epilog' | 'body' => {
    const fn = place(9, [0x55, 0x48, 0x83, 0xec, 0x10, ...bytes], { prolog: codes.length ? 5 : 0, codes }, 0x40);
    write64(S - 0x18, J2);
    write64(S - 0x10, J3);
    write64(S - 8, RBP0);
    write64(S, R);
    write64(S + 8, 0xb1n);
    write64(S + 0x10, 0xb2n);
    write64(S + 0x18, 0xb3n);
    const r = unwindAt(fn, 5, regs, 1, lookup);
    if (rip() !== R) return 'body';
    assert.equal(r.handler, 0);
    return 'epilog';
  };
  const tail = (t: number[]): number[] => [0x48, 0x83, 0xc4, 0x20, 0x5d, ...t];
  it('accepts add rsp (imm8, imm32) and lea rsp (disp8, disp32, r13) followed by pops and ret', () => {
    assert.equal(test(tail([0xc3])), 'epilog');
    assert.equal(test([0x48, 0x81, 0xc4, ...u32(0x20), 0x5d, 0xc3]), 'epilog');
    assert.equal(test([0x48, 0x8d, 0x65, 0x08, 0x5d, 0xc3]), 'epilog');
    assert.equal(test([0x48, 0x8d, 0xa5, ...u32(8), 0x5d, 0xc3]), 'epilog');
    assert.equal(test([0x49, 0x8d, 0x65, 0x08, 0x5d, 0xc3]), 'epilog');
    assert.equal(reg('rbp'), RBP0);
    assert.equal(intPtr('rbp'), S - 8);
  });
  it('rejects lea with a SIB byte, a wrong REX, sub, and other instructions in between', () => {
    assert.equal(test([0x48, 0x8d, 0x64, 0x24, 0x20, 0x5d, 0xc3]), 'body');
    assert.equal(rip(), J3, 'the prolog codes were undone instead');
    assert.equal(reg('rbp'), J2);
    assert.equal(test([0x49, 0x83, 0xc4, 0x20, 0x5d, 0xc3]), 'body');
    assert.equal(test([0x48, 0x83, 0xec, 0x20, 0x5d, 0xc3]), 'body');
    assert.equal(test([0x48, 0x83, 0xc4, 0x20, 0x90, 0x5d, 0xc3]), 'body');
  });
  it('pops with a REX prefix restore the register the prefix selects', () => {
    assert.equal(test([0x48, 0x83, 0xc4, 0x20, 0x48, 0x5d, 0xc3]), 'epilog');
    assert.equal(test([0x48, 0x83, 0xc4, 0x20, 0x41, 0x5d, 0xc3]), 'epilog');
    assert.equal(reg('r13'), RBP0);
    assert.equal(intPtr('r13'), S - 8);
    assert.equal(intPtr('rbp'), 0);
  });
  it('ends in ret, ret imm16 (releasing its bytes) or rep ret', () => {
    assert.equal(test(tail([0xc2, 0x08, 0x00])), 'epilog');
    assert.equal(rsp(), S + 16);
    assert.equal(test(tail([0xf3, 0xc3])), 'epilog');
    assert.equal(test(tail([0xf3, 0x90])), 'body');
  });
  it('ends in a jump that leaves the function: jmp rel32/rel8 out, jmp [rip+disp32], REX.W jmp r/m64', () => {
    assert.equal(test(tail([0xe9, ...u32(0x1000)])), 'epilog');
    assert.equal(test(tail([0xeb, 0x00])), 'body', 'jmp rel8 to the next instruction stays inside');
    assert.equal(test(tail([0xe9, ...u32(0x10)])), 'body');
    assert.equal(test(tail([0xff, 0x25, ...u32(0)])), 'epilog');
    assert.equal(test(tail([0x48, 0xff, 0x25, ...u32(0)])), 'epilog');
    assert.equal(test(tail([0x48, 0xff, 0xe0])), 'epilog', 'rex.w jmp rax');
    assert.equal(test(tail([0x48, 0xff, 0x20])), 'epilog', 'rex.w jmp [rax]');
    assert.equal(test(tail([0xff, 0xe0])), 'body', 'jmp rax without REX.W');
    assert.equal(test(tail([0x41, 0xff, 0xe3])), 'body', 'jmp r11 with REX.B only');
    assert.equal(test(tail([0xff, 0x24, 0xc5, ...u32(0)])), 'body', 'a jump table');
  });
  it('at the last pop or the return itself', () => {
    assert.equal(test([0x5d, 0xc3], { rsp: S - 8 }), 'epilog');
    assert.equal(test([0xc3], { rsp: S }), 'epilog');
    assert.equal(test([0xe9, ...u32(0x1000)], { rsp: S }), 'epilog', 'a lone tail call');
    assert.equal(test([0xeb, 0x02], { rsp: S }), 'body', 'a lone jump inside');
  });
  it('a jump out counts as a tail call unless its target is a function starting where this one does', () => {
    const begin = IMAGE + 0x1000 + 0x200 * 9;
    const same: FunctionLookup = () => ({ entry: IMAGE + 0x13000 + 12 * 9, imageBase: IMAGE });
    assert.equal(test([0xe9, ...u32(0x1000)], { rsp: S }, same), 'body');
    const other = IMAGE + 0x13000 + 12 * 41;
    mem.write(other, Uint8Array.from([...u32(begin - IMAGE - 1), ...u32(begin - IMAGE + 0x2000), ...u32(0)]));
    assert.equal(test([0xe9, ...u32(0x1000)], { rsp: S }, () => ({ entry: other, imageBase: IMAGE })), 'epilog');
  });
  it('a function without unwind codes has no epilog check (Windows 10 1809 and later)', () => {
    // With no codes RtlVirtualUnwind pops the return address from RSP, even at `pop rbp; ret`.
    assert.equal(test([0x5d, 0xc3], { rsp: S - 8 }, undefined, []), 'body');
    assert.equal(rip(), RBP0);
  });
});
