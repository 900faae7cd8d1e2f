// The exception core (native/exccore.ts): RaiseException, RtlUnwindEx and _CxxThrowException as
// machine code. Each fixture runs its checks in rounds: from the second round on the core knows
// the frames and takes the raises, throws and unwinds itself (warn+seh reports how many at
// exit), and every round must print what Wine 8 prints (the stored output of the same rounds).
// The machine code is decoded too, and its unwind data checked against its prolog.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type * as Iced from 'iced-x86';
import { disasm, iced } from './disasm.js';
import { CXX_THROW_ENTRY, RAISE_FRAME, UNWIND_ENTRY, UNWIND_FRAME, emitExceptionCore, unwindInfoOf } from '../src/native/exccore.js';
import { CATCH_FRAME, catchStubUnwindInfo, cleanupRunnerUnwindInfo } from '../src/native/exccatch.js';
import { CONTEXT } from '../src/native/layout.js';
import { UWOP } from '../src/pe/exceptions.js';
import { Asm } from '../src/native/emitter.js';
import { emitFastPath } from '../src/native/engine.js';
import { FIXTURES, runGuest, wineOutput } from './helpers.js';

const lines = (s: string): string[] => s.replace(/\r/g, '').split('\n').slice(0, -1);

/** An UNWIND_INFO's flags, prolog size, codes ([offset, op, info], one slot each) and handler. */
function unwindInfoFields(info: Uint8Array): { flags: number; prolog: number; codes: number[][]; handler: number } {
  const codes: number[][] = [];
  for (let i = 0; i < info[2]!; i++) codes.push([info[4 + 2 * i]!, info[5 + 2 * i]! & 15, info[5 + 2 * i]! >> 4]);
  return { flags: info[0]! >> 3, prolog: info[1]!, codes, handler: new DataView(info.buffer).getUint32(info.length - 4, true) };
}

/** The core's counts from warn+seh's line at exit. */
function coreCounts(stderr: string): { raises: number; unwinds: number; catches: number } {
  const m = /warn:seh:exit the exception core took (\d+) raise\(s\) and (\d+) unwind\(s\) to their target, and made (\d+) C\+\+ catch\(es\)/.exec(stderr);
  assert.ok(m, `no exception-core line in: ${stderr.slice(0, 400)}`);
  return { raises: Number(m[1]), unwinds: Number(m[2]), catches: Number(m[3]) };
}

/** Windows chains STATUS_NONCONTINUABLE_EXCEPTION's record to the one that was continued;
 *  Wine 8 leaves ExceptionRecord NULL (as seh-scopes.test.ts). */
const windowsNested = (l: string): string => (l.startsWith('continuing a noncontinuable exception:') ? l.replace('flags=0x1 outer handler', 'flags=0x1 nested record code=0xe0000008 outer handler') : l);
/** Wine 8 enters the __except block with EAX 0 after a collided unwind (as seh-collide.test.ts). */
const collidedEax = (l: string): string => (l === 'caught 0x0' ? 'caught 0xe0000002' : l);

const CASES: { exe: string; args: string[]; expected: string; fix?: (l: string) => string; raises: number; unwinds: number; catches?: number; what: string }[] = [
  // Two later rounds of 1000+ throws each, every one through the core (cleanups raise
  // STATUS_GCC_UNWIND inside the core's own handler calls).
  { exe: 'cxx_gcc', args: ['rounds'], expected: 'cxx_gcc.rounds', raises: 2000, unwinds: 2000, what: 'g++ (shared libgcc): bases, rethrow, nested try, destructors, 1000-throw loops' },
  { exe: 'cxx_gcc_static', args: ['rounds'], expected: 'cxx_gcc.rounds', raises: 2000, unwinds: 2000, what: 'g++ (static libgcc)' },
  // __CxxFrameHandler3 is JS, but what it decided for a frame and a ThrowInfo the core then
  // does itself: passing the frame, or the catch (its object, the unwind, the catch block).
  // Each round runs deeper in the stack than the last (objects and slots move).
  { exe: 'cxx_msvc', args: ['rounds'], expected: 'cxx_msvc.rounds', raises: 2000, unwinds: 2000, catches: 2000, what: 'MSVC C++ (clang MSVC ABI): ThrowInfo matching, rethrow, nested try, destructors' },
  { exe: 'cxx_msvc_life', args: [], expected: 'cxx_msvc_life', raises: 150, unwinds: 150, catches: 150, what: 'MSVC C++ object lifetimes: nested catches, rethrows, catch blocks left by exceptions' },
  { exe: 'cxx_fh4', args: [], expected: 'cxx_fh4', raises: 250, unwinds: 250, catches: 250, what: '__CxxFrameHandler4: continuation tables, cleanups' },
  // __C_specific_handler is JS too: filters, __finally, nested dispatch, longjmp.
  { exe: 'seh_c', args: ['3'], expected: 'seh_c.rounds', fix: windowsNested, raises: 10, unwinds: 0, what: '__try/__except/__finally (mingw, msvcrt)' },
  { exe: 'seh_c_msvc', args: ['3'], expected: 'seh_c_msvc.rounds', fix: windowsNested, raises: 10, unwinds: 0, what: '__try/__except/__finally (vcruntime140)' },
  { exe: 'seh_collide', args: ['3'], expected: 'seh_collide.rounds', fix: collidedEax, raises: 2, unwinds: 0, what: 'collided unwinds' },
  // RtlUnwindEx called by the program with a consolidation and a longjmp record: the last
  // rounds reach their targets in the core (a mingw frame-pointer frame), JS ends them.
  { exe: 'unwind_consolidate', args: [], expected: 'unwind_consolidate', raises: 0, unwinds: 2, what: 'RtlUnwindEx with STATUS_UNWIND_CONSOLIDATE and STATUS_LONGJUMP records' },
  // A DLL unloaded between rounds, and once replaced by another build at the same address.
  { exe: 'cxx_reload', args: [], expected: 'cxx_reload', raises: 100, unwinds: 100, what: 'g++ throws through a DLL that is unloaded and loaded again' },
];

describe('the exception core', () => {
  for (const c of CASES) {
    it(`${c.what}: later rounds through the core, output as under Wine (${c.exe}.exe)`, () => {
      const r = runGuest(FIXTURES + `${c.exe}.exe`, c.args, undefined, { WINRUN_DEBUG: 'warn+seh' });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(lines(r.stdout), wineOutput(c.expected).map(c.fix ?? ((l) => l)));
      const n = coreCounts(r.stderr);
      assert.ok(n.raises >= c.raises, `the core took ${n.raises} raises (at least ${c.raises} expected)`);
      assert.ok(n.unwinds >= c.unwinds, `the core finished ${n.unwinds} unwinds (at least ${c.unwinds} expected)`);
      assert.ok(n.catches >= (c.catches ?? 0), `the core made ${n.catches} catches (at least ${c.catches} expected)`);
    });
  }

  it('stays out of the way of a +seh trace (JS runs every dispatch)', () => {
    const r = runGuest(FIXTURES + 'seh_c.exe', ['3'], undefined, { WINRUN_DEBUG: '+seh' });
    assert.equal(r.status, 0, r.stderr.slice(-400));
    assert.deepEqual(lines(r.stdout), wineOutput('seh_c.rounds').map(windowsNested));
    assert.deepEqual(coreCounts(r.stderr), { raises: 0, unwinds: 0, catches: 0 });
  });

  it('is valid machine code whose entries jump to its functions, and whose unwind data describes their prologs', () => {
    const a = new Asm();
    const table = 0x7ff6_0000_0000;
    const { raise, unwind, throw: thrown, nested } = emitExceptionCore(a, table, 0x7ff6_1111_0000, 0x7ff6_2222_0000, { rtlUnwindEx: 0x7ff6_3333_0000, cleanupFilter: 0x7ff6_4444_0000 });
    const bytes = a.bytes();
    const d = new iced.Decoder(64, bytes, iced.DecoderOptions.None);
    const at = new Map<number, Iced.Instruction>();
    d.ip = 0n;
    while (d.canDecode) {
      const ins = d.decode();
      assert.notEqual(ins.code, iced.Code.INVALID, `a valid instruction at ${Number(ins.ip)}`);
      at.set(Number(ins.ip), ins);
    }
    d.free();
    // The entries: jumps to the raise, the unwind and the C++ throw.
    for (const [entry, f] of [[0, raise], [UNWIND_ENTRY, unwind], [CXX_THROW_ENTRY, thrown]] as const) {
      const j = at.get(entry);
      assert.ok(j && j.mnemonic === iced.Mnemonic.Jmp, `a jump at ${entry}`);
      assert.equal(Number(j.nearBranchTarget), f.begin);
    }
    assert.ok(nested > thrown.end);
    for (const [f, frame, handler] of [[raise, RAISE_FRAME.Size, nested], [unwind, UNWIND_FRAME.Size, 0], [thrown, RAISE_FRAME.Size, nested]] as const) {
      // The prolog as decoded: eight pushes, then sub rsp, frame size.
      const pushes: [number, number][] = [];
      let ip = f.begin;
      for (let k = 0; k < 8; k++) {
        const ins = at.get(ip)!;
        assert.equal(ins.mnemonic, iced.Mnemonic.Push);
        ip += ins.length;
        pushes.push([ip - f.begin, ins.op0Register - iced.Register.RAX]);
      }
      const sub = at.get(ip)!;
      assert.equal(sub.mnemonic, iced.Mnemonic.Sub);
      assert.equal(sub.op0Register, iced.Register.RSP);
      assert.equal(Number(sub.immediate32), frame);
      ip += sub.length;
      // The UNWIND_INFO: version 1, the handler flag, the prolog's size, its codes latest first.
      const info = unwindInfoOf(f, handler);
      assert.equal(info[0]! & 7, 1);
      assert.equal(info[0]! >> 3, handler !== 0 ? 1 : 0);
      assert.equal(info[1], ip - f.begin);
      assert.equal(info[3], 0, 'no frame register');
      const codes = unwindInfoFields(info).codes;
      assert.deepEqual(codes[0], [ip - f.begin, 1, 0], 'UWOP_ALLOC_LARGE, 16-bit size');
      assert.equal(info[4 + 2]! | (info[4 + 3]! << 8), frame / 8);
      assert.deepEqual(codes.slice(2), pushes.reverse().map(([end, reg]) => [end, 0, reg]), 'UWOP_PUSH_NONVOL for every push');
      if (handler !== 0) assert.equal(new DataView(info.buffer).getUint32(info.length - 4, true), nested);
    }
    // The unwind's handler call: one call site, whose return point the walks recognise.
    const call = at.get(unwind.call - 2) ?? at.get(unwind.call - 3);
    assert.ok(call && call.mnemonic === iced.Mnemonic.Call, 'a call just before the unwind\'s return point');
    for (const ins of at.values()) ins.free();
  });

  it("has a C++ catch stub whose unwind data leads to the target CONTEXT it copies (so a walk from the catch block continues in the function that caught)", () => {
    const a = new Asm();
    const { stub } = emitExceptionCore(a, 0x7ff6_0000_0000, 0x7ff6_1111_0000, 0x7ff6_2222_0000, { rtlUnwindEx: 0x7ff6_3333_0000, cleanupFilter: 0x7ff6_4444_0000 });
    const code = disasm(a.bytes().slice(stub.begin, stub.end), 0n, false);
    assert.equal(code[0], `sub rsp,${CATCH_FRAME.Size.toString(16).toUpperCase()}h`);
    // Where the stub puts each part of the CONTEXT at RDX: frame offset → CONTEXT offset (a
    // load through RAX or XMM0, then its store).
    const num = (h: string): number => parseInt(h.replace(/h$/i, ''), 16);
    const copied = new Map<number, number>();
    let from = -1;
    for (const line of code) {
      let m = /^(?:mov rax|movdqu xmm0),\[rdx\+([0-9A-F]+h)\]$/.exec(line);
      if (m) from = num(m[1]!);
      else if ((m = /^(?:mov \[rsp\+([0-9A-F]+h)\],rax|movdqu \[rsp\+([0-9A-F]+h)\],xmm0)$/.exec(line)) && from >= 0) {
        copied.set(num(m[1] ?? m[2]!), from);
        from = -1;
      } else from = -1;
    }
    const info = catchStubUnwindInfo(stub);
    assert.equal(info[0]! & 7, 1);
    assert.equal(info[0]! >> 3, 2, 'a termination handler (UNW_FLAG_UHANDLER)');
    assert.equal(new DataView(info.buffer).getUint32(info.length - 4, true), stub.handler);
    const ops: [number, number, number][] = [];
    for (let i = 0; i < info[2]!; ) {
      const op = info[5 + 2 * i]! & 15;
      const opInfo = info[5 + 2 * i]! >> 4;
      const slot = info[6 + 2 * i]! | (info[7 + 2 * i]! << 8);
      ops.push([op, opInfo, slot]);
      i += op === UWOP.PUSH_MACHFRAME ? 1 : 2;
    }
    const saves = ops.filter(([op]) => op === UWOP.SAVE_NONVOL);
    const xmm = ops.filter(([op]) => op === UWOP.SAVE_XMM128);
    assert.deepEqual(saves.map(([, r]) => r).sort((x, y) => x - y), [3, 5, 6, 7, 12, 13, 14, 15], 'every non-volatile register');
    for (const [, r, slot] of saves) assert.equal(copied.get(slot * 8), CONTEXT.Rax + 8 * r, `register ${r} comes from its CONTEXT field`);
    assert.deepEqual(xmm.map(([, k]) => k), [6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    for (const [, k, slot] of xmm) assert.equal(copied.get(slot * 16), CONTEXT.Xmm0 + 16 * k, `XMM${k} comes from its CONTEXT field`);
    // Then RSP moves to the machine frame, whose RIP and RSP are the CONTEXT's.
    assert.deepEqual(ops.slice(-2).map(([op, opInfo]) => [op, opInfo]), [[UWOP.ALLOC_LARGE, 0], [UWOP.PUSH_MACHFRAME, 0]]);
    assert.equal(ops.at(-2)![2], CATCH_FRAME.Machine / 8);
    assert.equal(copied.get(CATCH_FRAME.Machine), CONTEXT.Rip);
    assert.equal(copied.get(CATCH_FRAME.Machine + 24), CONTEXT.Rsp);
    // The catch funclet's call, just before the return point the walk unwinds from.
    const call = disasm(a.bytes().slice(stub.call - 2, stub.call), 0n, false);
    assert.deepEqual(call, ['call rax']);
  });

  it("has a C++ cleanup runner whose unwind data describes its prolog and whose handler is JS's filter", () => {
    const a = new Asm();
    const { runner } = emitExceptionCore(a, 0x7ff6_0000_0000, 0x7ff6_1111_0000, 0x7ff6_2222_0000, { rtlUnwindEx: 0x7ff6_3333_0000, cleanupFilter: 0x7ff6_4444_0000 });
    const bytes = a.bytes();
    const prolog = disasm(bytes.slice(runner.begin, runner.prologEnd), 0n, false);
    assert.deepEqual(prolog, ['push rbx', 'push rsi', 'push rdi', 'sub rsp,20h']);
    const info = unwindInfoFields(cleanupRunnerUnwindInfo(runner));
    assert.equal(info.flags, 1, 'an exception handler (UNW_FLAG_EHANDLER)');
    assert.equal(info.prolog, runner.prologEnd - runner.begin);
    // Latest first: the allocation (ALLOC_SMALL, 0x20), then the pushes in reverse.
    assert.deepEqual(info.codes, [[runner.prologEnd - runner.begin, UWOP.ALLOC_SMALL, 3], ...[7, 6, 3].map((reg, i) => [runner.pushEnds[2 - i]! - runner.begin, UWOP.PUSH_NONVOL, reg])]);
    assert.equal(info.handler, runner.handler);
    assert.deepEqual(disasm(bytes.slice(runner.handler, runner.handler + 12), 0n, false), ['mov rax,7FF644440000h', 'jmp rax']);
  });

  it('is entered by the fast paths of RtlUnwindEx and _CxxThrowException at its entries', () => {
    for (const [kind, entry] of [['RtlUnwindEx', UNWIND_ENTRY], ['_CxxThrowException', CXX_THROW_ENTRY]] as const) {
      const a = new Asm();
      emitFastPath(a, kind, () => a.int3());
      const text = disasm(a.bytes(), 0n, false);
      assert.ok(text.includes(`add rax,${entry.toString(16)}h`) || text.includes(`add rax,${entry}`), `${kind}: ${text.join('; ')}`);
      assert.ok(text.includes('jmp rax'));
    }
  });
});
