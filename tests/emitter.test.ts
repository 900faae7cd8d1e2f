// The emitter's output, decoded by iced-x86 and compared with the intended instruction text.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Asm, Label, R } from '../src/native/emitter.js';
import { emitFastPath, emitThunk, type NativeFastPath } from '../src/native/engine.js';
import { disasm, iced } from './disasm.js';

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
  it('emits the forms of the resume-at-CONTEXT path', () => {
    check(
      (a) => a.pushMem(R.r11, 0xf8).load32(R.rax, R.r11, 0x44).ldmxcsr(R.r11, 0x34).popfq().cmpGsImm8(0x2040, 0).repMovsb().repStosb().std().cld(),
      ['push qword [r11+0F8h]', 'mov eax, [r11+44h]', 'ldmxcsr [r11+34h]', 'popf' /* 9D: the 64-bit popfq in long mode */, 'cmp qword [gs:2040h], 0', 'rep movsb', 'rep stosb', 'std', 'cld'],
    );
  });
  it('emits the forms of the heap and setjmp fast paths', () => {
    check(
      (a) => a.stmxcsr(R.rcx, 88).fnstcw(R.rcx, 92).lockBts(R.r11, 24, 0).storeImm32(R.r11, 24, 0).cmpImm64(R.rcx, 1024).testLowByte(R.r8, 15).loadIndexed(R.rax, R.r11, R.r9, 64).storeIndexed(R.rcx, R.r9, 64, R.r10),
      ['stmxcsr [rcx+58h]', 'fnstcw [rcx+5Ch]', 'lock bts dword [r11+18h], 0', 'mov dword [r11+18h], 0', 'cmp rcx, 400h', 'test r8b, 0Fh', 'mov rax, [r11+r9*8+40h]', 'mov [rcx+r9*8+40h], r10'],
    );
  });
  it('emits the forms of the file I/O fast paths', () => {
    check(
      (a) => a.addRR(R.r10, R.rax).addRR(R.rsi, R.r11).imulImm(R.rcx, R.rcx, 10_000_000).imulImm(R.rax, R.r9, 0x51eb851f).syscall(),
      ['add r10, rax', 'add rsi, r11', 'imul rcx, 989680h' /* rcx, rcx, imm */, 'imul rax, r9, 51EB851Fh', 'syscall'],
    );
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

function listing(bytes: Uint8Array, ip = 0n): string[] {
  const d = new iced.Decoder(64, bytes, iced.DecoderOptions.None);
  d.ip = ip;
  const f = new iced.Formatter(iced.FormatterSyntax.Nasm);
  f.spaceAfterOperandSeparator = true;
  f.branchLeadingZeros = false;
  f.showBranchSize = false;
  const out: string[] = [];
  while (d.canDecode) {
    const ins = d.decode();
    out.push(`${ins.ip.toString(16)}: ${f.format(ins)}`);
    ins.free();
  }
  d.free();
  f.free();
  return out;
}

function fastPath(kind: NativeFastPath): string[] {
  const a = new Asm();
  emitFastPath(a, kind, () => a.int3());
  return listing(a.bytes());
}

describe('native fast paths', () => {
  it('memcpy/memmove copy forward, or backward when the destination overlaps the source end, keeping RSI/RDI', () => {
    assert.deepEqual(fastPath('memmove'), [
      '0: mov rax, rcx', '3: mov r9, rdi', '6: mov r10, rsi', '9: mov rdi, rcx', 'c: mov rsi, rdx', 'f: mov rcx, r8',
      '12: mov r11, rdi', '15: sub r11, rsi', '18: cmp r11, rcx', '1b: jb 2Ah',
      '21: rep movsb', '23: mov rdi, r9', '26: mov rsi, r10', '29: ret',
      '2a: lea rsi, [rsi+rcx-1]', '2f: lea rdi, [rdi+rcx-1]', '34: std', '35: rep movsb', '37: cld', '38: mov rdi, r9', '3b: mov rsi, r10', '3e: ret',
    ]);
    assert.deepEqual(fastPath('memcpy'), fastPath('memmove'));
  });
  it('memset stores AL with rep stosb and returns the destination', () => {
    assert.deepEqual(fastPath('memset'), ['0: mov r9, rdi', '3: mov r11, rcx', '6: mov rdi, rcx', '9: mov eax, edx', 'b: mov rcx, r8', 'e: rep stosb', '10: mov rax, r11', '13: mov rdi, r9', '16: ret']);
  });
  it('fputc stores into a write-mode stream buffer with room, as the putc macro does; anything else goes to JS', () => {
    assert.deepEqual(fastPath('fputc'), [
      '0: test rdx, rdx', '3: je 56h', '9: mov eax, [rdx+18h]', 'f: test eax, 2', '15: je 56h', '1b: mov r9d, [rdx+8]', '22: test r9d, r9d', '25: jle 56h',
      '2b: dec r9', '2e: mov [rdx+8], r9d', '35: mov rax, [rdx]', '3c: mov [rax], cl', '43: inc rax', '46: mov [rdx], rax', '4d: mov eax, ecx', '4f: and eax, 0FFh', '55: ret', '56: int3',
    ]);
  });
  it('fgetc takes the next buffered byte of a read-mode stream', () => {
    assert.deepEqual(fastPath('fgetc'), [
      '0: test rcx, rcx', '3: je 50h', '9: mov eax, [rcx+18h]', 'f: test eax, 1', '15: je 50h', '1b: mov r9d, [rcx+8]', '22: test r9d, r9d', '25: jle 50h',
      '2b: dec r9', '2e: mov [rcx+8], r9d', '35: mov rdx, [rcx]', '3c: xor r10d, r10d', '3f: movzx eax, byte [rdx+r10]', '45: inc rdx', '48: mov [rcx], rdx', '4f: ret', '50: int3',
    ]);
  });
  it('EnterCriticalSection takes a free section with one lock cmpxchg, adds a level for its owner, and leaves contention to JS', () => {
    assert.deepEqual(fastPath('EnterCriticalSection'), [
      '0: mov r9d, [gs:48h]', '9: cmp r9, [rcx+10h]', '10: je 40h', '16: mov rax, 0FFFFFFFFFFFFFFFFh', '1d: xor edx, edx', '1f: lock cmpxchg [rcx+8], edx', '27: jne 4Ah',
      '2d: mov [rcx+10h], r9', '34: mov edx, 1', '39: mov [rcx+0Ch], edx', '3f: ret',
      '40: lock add dword [rcx+8], 1', '45: add dword [rcx+0Ch], 1', '49: ret', '4a: int3',
    ]);
  });
  it('LeaveCriticalSection frees an owned single-level section with no waiters, drops an inner level, else restores and goes to JS', () => {
    assert.deepEqual(fastPath('LeaveCriticalSection'), [
      '0: mov eax, [rcx+0Ch]', '6: cmp eax, 1', 'c: jne 64h', '12: mov r9d, [gs:48h]', '1b: cmp r9, [rcx+10h]', '22: jne 8Ah',
      '28: xor eax, eax', '2a: mov [rcx+10h], rax', '31: mov [rcx+0Ch], eax', '37: mov rdx, 0FFFFFFFFFFFFFFFFh', '3e: lock cmpxchg [rcx+8], edx', '46: jne 4Dh', '4c: ret',
      '4d: mov [rcx+10h], r9', '54: mov edx, 1', '59: mov [rcx+0Ch], edx', '5f: jmp 8Ah',
      '64: jb 8Ah', '6a: mov r9d, [gs:48h]', '73: cmp r9, [rcx+10h]', '7a: jne 8Ah', '80: sub dword [rcx+0Ch], 1', '84: lock sub dword [rcx+8], 1', '89: ret', '8a: int3',
    ]);
  });
  it('_errno is the TEB winrun block address', () => {
    assert.deepEqual(fastPath('_errno'), ['0: mov rax, [gs:30h]', '9: add rax, 2048h', '10: ret']);
  });
  it('strlen counts bytes up to the NUL', () => {
    assert.deepEqual(fastPath('strlen'), ['0: xor eax, eax', '2: movzx edx, byte [rcx+rax]', '7: test edx, edx', '9: je 17h', 'f: inc rax', '12: jmp 2', '17: ret']);
  });
  it('strcmp and memcmp return -1, 0 or 1', () => {
    const tail = ['29: mov eax, 1', '2e: jg 3Bh', '34: mov rax, 0FFFFFFFFFFFFFFFFh', '3b: ret', '3c: xor eax, eax', '3e: ret'];
    assert.deepEqual(fastPath('strcmp'), [
      '0: xor r11d, r11d', '3: movzx eax, byte [rcx+r11]', '9: movzx r9d, byte [rdx+r11]', 'f: sub eax, r9d', '12: jne 29h', '18: test r9d, r9d', '1b: je 3Ch', '21: inc r11', '24: jmp 3', ...tail,
    ]);
    assert.deepEqual(fastPath('memcmp'), [
      '0: xor r11d, r11d', '3: cmp r11, r8', '6: jae 3Ch', 'c: movzx eax, byte [rcx+r11]', '12: movzx r9d, byte [rdx+r11]', '18: sub eax, r9d', '1b: jne 29h', '21: inc r11', '24: jmp 3', ...tail,
    ]);
  });
  it('TlsGetValue reads the TEB slot, clears the last error, and leaves other indexes to JS', () => {
    assert.deepEqual(fastPath('TlsGetValue'), ['0: cmp ecx, 40h', '6: jae 24h', 'c: mov ecx, ecx', 'e: mov rax, [gs:rcx*8+1480h]', '17: mov dword [gs:68h], 0', '23: ret', '24: int3']);
  });
  it('the file fast paths are plain thunks when the process tables are not given', () => {
    for (const kind of ['ReadFile', 'WriteFile', 'FindNextFileA', 'FindNextFileW'] as const) assert.deepEqual(fastPath(kind), ['0: int3']);
  });
  it('GetLastError and SetLastError touch only TEB.LastErrorValue', () => {
    assert.deepEqual(fastPath('GetLastError'), ['0: mov eax, [gs:68h]', '8: ret']);
    assert.deepEqual(fastPath('SetLastError'), ['0: mov [gs:68h], ecx', '8: ret']);
  });
  it('export thunks spill the register arguments, save XMM0-3 for float arguments and jump to the stub; a ret (the return point) follows', () => {
    const a = new Asm();
    emitThunk(a, 5, true, 0x2000, 0x1000);
    assert.deepEqual(listing(a.bytes(), 0x1000n).map((l) => l.replace(/^[0-9a-f]+: /, '')), [
      'movsd [gs:2020h], xmm0', 'movsd [gs:2028h], xmm1', 'movsd [gs:2030h], xmm2', 'movsd [gs:2038h], xmm3',
      'mov [rsp+8], rcx', 'mov [rsp+10h], rdx', 'mov [rsp+18h], r8', 'mov [rsp+20h], r9', 'mov eax, 5', 'jmp 2000h', 'ret',
    ]);
  });
});
