// The emitter's output, decoded by iced-x86 and compared with the intended instruction text.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import type * as Iced from 'iced-x86';
import { Asm, Label, R } from '../src/native/emitter.js';

// iced-x86 is a CommonJS package that compiles its wasm when loaded: require it lazily here.
const require = createRequire(import.meta.url);
const iced = require('iced-x86') as typeof Iced;

function disasm(bytes: Uint8Array, ip = 0x1000n): string[] {
  const d = new iced.Decoder(64, bytes, iced.DecoderOptions.None);
  d.ip = ip;
  const f = new iced.Formatter(iced.FormatterSyntax.Nasm);
  f.spaceAfterOperandSeparator = true;
  const out: string[] = [];
  while (d.canDecode) {
    const ins = d.decode();
    out.push(f.format(ins));
    ins.free();
  }
  d.free();
  f.free();
  return out;
}

function check(build: (a: Asm) => void, expected: string[]): void {
  const a = new Asm();
  build(a);
  assert.deepEqual(disasm(a.bytes()), expected);
}

describe('x86-64 emitter', () => {
  it('moves between registers, immediates and memory', () => {
    check(
      (a) => a.movImm64(R.rax, 0x123456789abcdefn).movImm64(R.r11, 1).movImm32(R.rax, 7).movSx32(R.rax, -1).movRR(R.r11, R.rsp).movRR(R.rsp, R.r11).movRR32(R.rdi, R.rax),
      ['mov rax, 123456789ABCDEFh', 'mov r11, 1', 'mov eax, 7', 'mov rax, 0FFFFFFFFFFFFFFFFh', 'mov r11, rsp', 'mov rsp, r11', 'mov edi, eax'],
    );
    check(
      (a) => a.store(R.rsp, 8, R.rcx).store(R.rsp, 32, R.r9).load(R.rdi, R.rsp, 8).load(R.r8, R.r12, 16).lea(R.rax, R.rbp, -8),
      ['mov [rsp+8], rcx', 'mov [rsp+20h], r9', 'mov rdi, [rsp+8]', 'mov r8, [r12+10h]', 'lea rax, [rbp-8]'],
    );
  });
  it('addresses the TEB through GS', () => {
    check(
      (a) => a.loadGs(R.rsp, 0x2000).storeGs(0x2008, R.r11).loadGs32(R.rax, 0x68).storeGs32(0x68, R.rcx).pushGs(0x2008).popGs(0x2008).callGs(0x2010).storeGsImm32(0x68, 0),
      ['mov rsp, [gs:2000h]', 'mov [gs:2008h], r11', 'mov eax, [gs:68h]', 'mov [gs:68h], ecx', 'push qword [gs:2008h]', 'pop qword [gs:2008h]', 'call qword [gs:2010h]', 'mov dword [gs:68h], 0'],
    );
    check((a) => a.loadGsIndexed(R.rax, 0x1480, R.rcx).storeGsIndexed(0x1480, R.rcx, R.rdx), ['mov rax, [gs:rcx*8+1480h]', 'mov [gs:rcx*8+1480h], rdx']);
  });
  it('saves and restores XMM registers', () => {
    check(
      (a) => a.movdquStore(R.rsp, 16, 6).movdquLoad(15, R.rsp, 160).movsdStoreGs(0x2020, 3).movqLoadGs(0, 0x2018).movqXmmR(1, R.rdx),
      ['movdqu [rsp+10h], xmm6', 'movdqu xmm15, [rsp+0A0h]', 'movsd [gs:2020h], xmm3', 'movq xmm0, [gs:2018h]', 'movq xmm1, rdx'],
    );
  });
  it('pushes, pops, adjusts the stack and branches', () => {
    check((a) => a.push(R.rbp).push(R.r15).pop(R.r15).pop(R.rbp).subImm(R.rsp, 176).addImm(R.rsp, 176).andImm8(R.rsp, -16), ['push rbp', 'push r15', 'pop r15', 'pop rbp', 'sub rsp, 0B0h', 'add rsp, 0B0h', 'and rsp, 0FFFFFFFFFFFFFFF0h']);
    check((a) => a.callR(R.rax).jmpR(R.r11).cmpImm32(R.rcx, 64).xorRR32(R.rax, R.rax).ret().int3(), ['call rax', 'jmp r11', 'cmp ecx, 40h', 'xor eax, eax', 'ret', 'int3']);
  });
  it('resolves forward and backward labels and absolute jumps', () => {
    const a = new Asm();
    const fwd = new Label();
    const back = new Label();
    a.bind(back).jcc(3, fwd).jmp(back).bind(fwd).ret().jmpAbs(0x1000, 0x1000);
    // jae (6 bytes) at 0, jmp (5) at 6, ret at 0xb, jmp to an absolute address at 0xc.
    assert.deepEqual(disasm(a.bytes()), ['jae near 000000000000100Bh', 'jmp 0000000000001000h', 'ret', 'jmp 0000000000001000h']);
  });
});
