// The unwinder on real code: every function of the mingw-built fixtures (and, when installed,
// some of Wine's and mingw's own DLLs). Each image is mapped into an address space; for each
// function with unwind data, a stack is laid out as its prolog (from the unwind codes) would
// leave it, with a known return address and known register values, and the unwinder must
// recover them — at every prolog boundary, in the body, and at every instruction of every
// epilog found by disassembling the function (iced-x86).
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import type * as Iced from 'iced-x86';
import { CONTEXT_POINTERS, virtualUnwind } from '../src/kernel/unwind.js';
import { lookupFunctionEntry, type DynamicTables } from '../src/kernel/functiontables.js';
import { CONTEXT } from '../src/native/layout.js';
import { AddressSpace } from '../src/native/memory.js';
import { PAGE_READWRITE } from '../src/native/memprotect.js';
import { Dir, parsePe, type PeImage, type UnwindInfo } from '../src/pe/index.js';
import { FIXTURES } from './helpers.js';

const require = createRequire(import.meta.url);
const iced = require('iced-x86') as typeof Iced;

const mem = new AddressSpace();
const STACK_SIZE = 0x400000;
const STACK = mem.allocate(0, STACK_SIZE, true, PAGE_READWRITE);
const S = STACK + STACK_SIZE - 0x1000;
const CTX = mem.allocate(0, 0x2000, true, PAGE_READWRITE);
const PTRS = CTX + 0x1000;
const R = 0x7ff6_0bad_c0den;
const initial = (r: number): bigint => 0x1000_0000_0000n + BigInt(r) * 0x1_0101n;
const clobbered = (r: number): bigint => 0x0dea_d000_0000n + BigInt(r);
const xmmInitial = (n: number): Uint8Array => Uint8Array.from({ length: 16 }, (_, i) => (n << 4) | i);
const NONVOLATILE = [3, 5, 6, 7, 12, 13, 14, 15];
const noTables: DynamicTables = { head: CTX + 0x1800, callback: () => 0 };

interface Mapped {
  pe: PeImage;
  base: number;
}

function map(bytes: Uint8Array): Mapped {
  const pe = parsePe(bytes);
  const base = mem.allocate(0, pe.optionalHeader.SizeOfImage, true, PAGE_READWRITE);
  for (const s of pe.sections) if (s.fileSize > 0) mem.write(base + s.VirtualAddress, bytes.subarray(s.PointerToRawData, s.PointerToRawData + s.fileSize));
  return { pe, base };
}

/** The prolog's effect, simulated from the unwind codes: the stack slots it wrote, the final
 *  RSP, the registers it saved, and the frame register's value. */
interface PrologState {
  rsp: number;
  frameReg: number;
  frameValue: number | undefined;
  frame: number;
  saved: Set<number>;
  xmm: Set<number>;
  ok: boolean;
}

function simulate(chain: readonly UnwindInfo[], limit: number): PrologState {
  const first = chain[0]!;
  let rsp = S;
  mem.setU64(S, R);
  let frameValue: number | undefined;
  const saved = new Set<number>();
  const xmm = new Set<number>();
  const saves: [number, number, boolean][] = [];
  let ok = true;
  // The primary's prolog ran first; within an info, codes are listed last-executed first.
  for (let c = chain.length - 1; c >= 0; c--) {
    const info = chain[c]!;
    for (const code of [...info.codes].reverse()) {
      if (c === 0 && limit !== -1 && code.codeOffset > limit) continue;
      switch (code.op) {
        case 'PUSH_NONVOL':
          rsp -= 8;
          mem.setU64(rsp, code.register === first.frameRegister && frameValue !== undefined ? BigInt(frameValue) : initial(code.register!));
          saved.add(code.register!);
          break;
        case 'ALLOC_SMALL':
        case 'ALLOC_LARGE':
          rsp -= code.value!;
          break;
        case 'SET_FPREG':
          frameValue = rsp + info.frameOffset;
          break;
        case 'SET_FPREG_LARGE':
          frameValue = rsp + code.value!;
          break;
        case 'SAVE_NONVOL':
        case 'SAVE_NONVOL_FAR':
          saves.push([code.register!, code.value!, false]);
          break;
        case 'SAVE_XMM128':
        case 'SAVE_XMM128_FAR':
          saves.push([code.register!, code.value!, true]);
          break;
        case 'EPILOG':
          break;
        default:
          ok = false; // machine frames: not a shape this simulation builds
      }
    }
  }
  const large = first.codes.find((c) => c.op === 'SET_FPREG_LARGE');
  const frame = first.frameRegister !== 0 && frameValue !== undefined ? frameValue - (large ? large.value! : first.frameOffset) : rsp;
  for (const [r, off, isXmm] of saves) {
    if (isXmm) {
      mem.write(frame + off, xmmInitial(r));
      xmm.add(r);
    } else {
      mem.setU64(frame + off, initial(r));
      saved.add(r);
    }
  }
  if (S - rsp > STACK_SIZE - 0x2000) ok = false;
  return { rsp, frameReg: first.frameRegister, frameValue, frame, saved, xmm, ok };
}

/** A CONTEXT as the function has it: every non-volatile register clobbered, except the frame
 *  register holding the frame. */
function setContext(rsp: number, st: PrologState, popped: readonly number[] = []): void {
  mem.fill(CTX, 0x55, CONTEXT.Size);
  mem.fill(PTRS, 0, CONTEXT_POINTERS.Size);
  for (const r of NONVOLATILE) mem.setU64(CTX + CONTEXT.Rax + 8 * r, popped.includes(r) ? initial(r) : clobbered(r));
  if (st.frameValue !== undefined) mem.setU64(CTX + CONTEXT.Rax + 8 * st.frameReg, st.frameValue);
  mem.setU64(CTX + CONTEXT.Rsp, rsp);
}

/** The instructions of [begin, end), decoded. */
interface Insn {
  ip: number;
  length: number;
  mnemonic: number;
  op0: number;
  text: string;
  target: number;
  immediate: number;
  memBase: number;
  disp: number;
}

function decode(m: Mapped, begin: number, end: number): Insn[] {
  const bytes = mem.read(m.base + begin, end - begin);
  const d = new iced.Decoder(64, bytes, iced.DecoderOptions.None);
  d.ip = BigInt(m.base + begin);
  const f = new iced.Formatter(iced.FormatterSyntax.Intel);
  const out: Insn[] = [];
  while (d.canDecode) {
    const i = d.decode();
    const branch = i.op0Kind === iced.OpKind.NearBranch64;
    const imm = i.opCount > 1 && (i.op1Kind === iced.OpKind.Immediate8to64 || i.op1Kind === iced.OpKind.Immediate32to64) ? Number(BigInt.asIntN(64, i.immediate(1))) : 0;
    out.push({ ip: Number(i.ip), length: i.length, mnemonic: i.mnemonic, op0: i.op0Register, text: f.format(i), target: branch ? Number(i.nearBranch64) : 0, immediate: imm, memBase: i.memoryBase, disp: Number(BigInt.asIntN(64, i.memoryDisplacement)) });
    i.free();
  }
  d.free();
  f.free();
  return out;
}

const REG_NAMES = ['RAX', 'RCX', 'RDX', 'RBX', 'RSP', 'RBP', 'RSI', 'RDI', 'R8', 'R9', 'R10', 'R11', 'R12', 'R13', 'R14', 'R15'] as const;
const unwindReg = (icedReg: number): number => REG_NAMES.findIndex((n) => iced.Register[n] === icedReg);

/** Runs the unwinder and checks the caller's state came back. */
function expectCaller(m: Mapped, fnEntry: number, pc: number, restoredRegs: Iterable<number>, xmm: Iterable<number>, what: string): void {
  const images = { imageAt: () => ({ base: m.base, pdataRva: m.pe.dataDirectories[Dir.Exception]!.VirtualAddress, pdataSize: m.pe.dataDirectories[Dir.Exception]!.Size }) };
  let r;
  try {
    r = virtualUnwind(mem, 3, m.base, pc, fnEntry, CTX, PTRS, (p) => lookupFunctionEntry(mem, images, noTables, p));
  } catch (e) {
    throw new Error(`${what}: ${String(e)}`, { cause: e });
  }
  assert.equal(mem.u64(CTX + CONTEXT.Rip), R, `${what}: return address`);
  assert.equal(mem.ptr(CTX + CONTEXT.Rsp), S + 8, `${what}: caller's RSP`);
  for (const reg of restoredRegs) assert.equal(mem.u64(CTX + CONTEXT.Rax + 8 * reg), initial(reg), `${what}: register ${REG_NAMES[reg]}`);
  for (const n of xmm) assert.deepEqual(mem.read(CTX + CONTEXT.Xmm0 + 16 * n, 16), xmmInitial(n), `${what}: xmm${n}`);
  assert.ok(r.establisherFrame > 0);
}

interface Counts {
  functions: number;
  prologPoints: number;
  epilogPoints: number;
}

function checkImage(name: string, bytes: Uint8Array): Counts {
  const m = map(bytes);
  const counts: Counts = { functions: 0, prologPoints: 0, epilogPoints: 0 };
  const pdata = m.pe.dataDirectories[Dir.Exception]!;
  m.pe.exceptions.functions.forEach((f, index) => {
    const chain: UnwindInfo[] = [];
    for (let rva: number | undefined = f.unwindRva; rva !== undefined; ) {
      const info: UnwindInfo = m.pe.exceptions.unwindInfos.get(rva)!;
      chain.push(info);
      rva = info.chained ? info.chained.unwindRva & ~1 : undefined;
    }
    const first = chain[0]!;
    const entry = m.base + pdata.VirtualAddress + 12 * index;
    const begin = m.base + f.beginRva;
    const full = simulate(chain, -1);
    if (!full.ok || f.endRva <= f.beginRva) return;
    counts.functions++;
    const where = `${name}+${f.beginRva.toString(16)}`;
    // Each prolog boundary (the start, and the end of each instruction a code describes).
    const offsets = new Set([0, ...first.codes.map((c) => c.codeOffset).filter((o) => o < first.sizeOfProlog)]);
    for (const k of offsets) {
      const st = simulate(chain, k);
      setContext(st.rsp, st);
      expectCaller(m, entry, begin + k, st.saved, st.xmm, `${where} prolog+${k}`);
      counts.prologPoints++;
    }
    // The body, right after the prolog.
    const body = simulate(chain, -1);
    setContext(body.rsp, body);
    expectCaller(m, entry, begin + first.sizeOfProlog, body.saved, body.xmm, `${where} body`);
    // Every epilog: the instructions before a ret (or a jump out of the function) that
    // release the frame and pop registers.
    const insns = decode(m, f.beginRva, f.endRva);
    insns.forEach((t, ti) => {
      const jumpOut = t.mnemonic === iced.Mnemonic.Jmp && t.target !== 0 && (t.target < begin || t.target >= m.base + f.endRva);
      if (t.mnemonic !== iced.Mnemonic.Ret && !jumpOut) return;
      let s = ti;
      while (s > 0 && insns[s - 1]!.mnemonic === iced.Mnemonic.Pop) s--;
      const release = insns[s - 1];
      // gcc also releases with `mov rsp, rbp` and `sub rsp, -0x80`, which Windows does not
      // take for an epilog (there the unwind codes still describe the frame).
      if (release && /^(add rsp,|lea rsp,|mov rsp,|sub rsp,)/.test(release.text)) s--;
      if (insns[s]!.ip - begin < first.sizeOfProlog) return;
      // A lone jump out may go to the function's cold part (gcc's hot/cold partitioning),
      // which Windows' rules would take for a tail call too: only jumps after the frame is
      // released are epilogs here.
      if (jumpOut && s === ti) return;
      const st = simulate(chain, -1);
      let rsp = st.rsp;
      const popped: number[] = [];
      for (let i = s; i <= ti; i++) {
        const ins = insns[i]!;
        setContext(rsp, st, popped);
        // clang releases 8 bytes with `pop rcx`: a volatile register's slot holds no saved value.
        const remaining = insns.slice(i, ti).filter((x) => x.mnemonic === iced.Mnemonic.Pop).map((x) => unwindReg(x.op0)).filter((r) => NONVOLATILE.includes(r));
        expectCaller(m, entry, ins.ip, remaining, [], `${where} epilog at ${ins.text} (+${(ins.ip - begin).toString(16)})`);
        counts.epilogPoints++;
        if (ins.mnemonic === iced.Mnemonic.Pop) {
          popped.push(unwindReg(ins.op0));
          rsp += 8;
        } else if (ins.text.startsWith('add rsp,')) rsp += ins.immediate;
        else if (ins.text.startsWith('sub rsp,')) rsp -= ins.immediate;
        else if (ins.text.startsWith('mov rsp,')) {
          assert.equal(ins.text, `mov rsp,${REG_NAMES[st.frameReg]!.toLowerCase()}`, `${where}: mov rsp from the frame register`);
          rsp = st.frameValue!;
        } else if (ins.text.startsWith('lea rsp,')) {
          assert.equal(unwindReg(ins.memBase), st.frameReg, `${where}: lea rsp from the frame register`);
          rsp = st.frameValue! + ins.disp;
        }
      }
      assert.equal(rsp, S, `${where}: the epilog at +${(insns[s]!.ip - begin).toString(16)} releases the whole frame`);
    });
  });
  mem.release(m.base);
  return counts;
}

describe('the unwinder on real functions', () => {
  it('recovers the caller in every function of the mingw-built fixtures', () => {
    const total: Counts = { functions: 0, prologPoints: 0, epilogPoints: 0 };
    for (const f of readdirSync(FIXTURES).filter((n) => /\.(exe|dll)$/.test(n))) {
      const c = checkImage(f, new Uint8Array(readFileSync(FIXTURES + f)));
      total.functions += c.functions;
      total.prologPoints += c.prologPoints;
      total.epilogPoints += c.epilogPoints;
    }
    assert.ok(total.functions > 1000 && total.prologPoints > 3000 && total.epilogPoints > 3000, JSON.stringify(total));
  });
  const extra = ['/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/msvcrt.dll', '/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/kernelbase.dll', '/usr/lib/gcc/x86_64-w64-mingw32/12-win32/libstdc++-6.dll'];
  for (const path of extra) {
    it(`recovers the caller in every function of ${path.split('/').pop()!}`, { skip: !existsSync(path) && 'not installed' }, () => {
      const c = checkImage(path.split('/').pop()!, new Uint8Array(readFileSync(path)));
      assert.ok(c.functions > 100, JSON.stringify(c));
    });
  }
});
