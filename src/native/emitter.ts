/**
 * A small x86-64 assembler for the instruction forms winrun's thunks and trampolines need.
 * Each helper is named after the instruction it emits; tests/emitter.test.ts decodes the
 * output with iced-x86 and compares it with the intended text.
 */

export const enum R {
  rax = 0,
  rcx = 1,
  rdx = 2,
  rbx = 3,
  rsp = 4,
  rbp = 5,
  rsi = 6,
  rdi = 7,
  r8 = 8,
  r9 = 9,
  r10 = 10,
  r11 = 11,
  r12 = 12,
  r13 = 13,
  r14 = 14,
  r15 = 15,
}

export class Label {
  pos = -1;
  readonly fixups: number[] = [];
}

export class Asm {
  private readonly out: number[] = [];

  get length(): number {
    return this.out.length;
  }

  bytes(): Uint8Array {
    return Uint8Array.from(this.out);
  }

  raw(...b: number[]): this {
    for (const x of b) this.out.push(x & 0xff);
    return this;
  }

  private imm32(v: number): void {
    this.raw(v, v >>> 8, v >>> 16, v >>> 24);
  }

  private imm64(v: bigint): void {
    const u = BigInt.asUintN(64, v);
    for (let i = 0n; i < 64n; i += 8n) this.out.push(Number((u >> i) & 0xffn));
  }

  private rex(w: boolean, reg: number, index: number, base: number, force = false): void {
    const r = 0x40 | (w ? 8 : 0) | ((reg & 8) >> 1) | ((index & 8) >> 2) | ((base & 8) >> 3);
    if (r !== 0x40 || force) this.out.push(r);
  }

  /** ModRM (+SIB) + disp32 for [base + disp]. */
  private memBase(reg: number, base: number, disp: number): void {
    this.out.push(0x80 | ((reg & 7) << 3) | (base & 7));
    if ((base & 7) === R.rsp) this.out.push(0x24);
    this.imm32(disp);
  }

  /** ModRM + SIB + disp32 for [base + index*8 + disp]. */
  private memIndexed(reg: number, base: number, index: number, disp: number): void {
    this.out.push(0x84 | ((reg & 7) << 3), 0xc0 | ((index & 7) << 3) | (base & 7));
    this.imm32(disp);
  }

  /** ModRM + SIB + disp32 for an absolute [disp32] (used with the GS prefix). */
  private memAbs(reg: number, disp: number, index?: number, scale = 8): void {
    this.out.push(0x04 | ((reg & 7) << 3));
    const ss = { 1: 0, 2: 1, 4: 2, 8: 3 }[scale as 1 | 2 | 4 | 8];
    this.out.push(index === undefined ? 0x25 : (ss << 6) | ((index & 7) << 3) | 0x05);
    this.imm32(disp);
  }

  // --- moves ---------------------------------------------------------------------------
  /** mov r64, imm64 */
  movImm64(dst: R, v: bigint | number): this {
    this.rex(true, 0, 0, dst);
    this.out.push(0xb8 + (dst & 7));
    this.imm64(BigInt(v));
    return this;
  }
  /** mov r32, imm32 (zero-extends into the 64-bit register) */
  movImm32(dst: R, v: number): this {
    this.rex(false, 0, 0, dst);
    this.out.push(0xb8 + (dst & 7));
    this.imm32(v);
    return this;
  }
  /** mov r64, imm32 sign-extended */
  movSx32(dst: R, v: number): this {
    this.rex(true, 0, 0, dst);
    this.raw(0xc7, 0xc0 | (dst & 7));
    this.imm32(v);
    return this;
  }
  /** mov dst, src (64-bit) */
  movRR(dst: R, src: R): this {
    this.rex(true, src, 0, dst);
    this.raw(0x89, 0xc0 | ((src & 7) << 3) | (dst & 7));
    return this;
  }
  /** mov dst32, src32 */
  movRR32(dst: R, src: R): this {
    this.rex(false, src, 0, dst);
    this.raw(0x89, 0xc0 | ((src & 7) << 3) | (dst & 7));
    return this;
  }
  /** mov [base+disp], src */
  store(base: R, disp: number, src: R): this {
    this.rex(true, src, 0, base);
    this.out.push(0x89);
    this.memBase(src, base, disp);
    return this;
  }
  /** mov byte [base+disp], src8 (a REX prefix always, so SIL/DIL are never AH/BH) */
  storeByte(base: R, disp: number, src: R): this {
    this.rex(false, src, 0, base, true);
    this.out.push(0x88);
    this.memBase(src, base, disp);
    return this;
  }
  /** lock cmpxchg dword [base+disp], src32 (compares with EAX) */
  lockCmpxchg32(base: R, disp: number, src: R): this {
    this.out.push(0xf0);
    this.rex(false, src, 0, base);
    this.out.push(0x0f, 0xb1);
    this.memBase(src, base, disp);
    return this;
  }
  /** mov dword [base+disp], src32 */
  store32(base: R, disp: number, src: R): this {
    this.rex(false, src, 0, base);
    this.out.push(0x89);
    this.memBase(src, base, disp);
    return this;
  }
  /** mov dst, [base+disp] */
  load(dst: R, base: R, disp: number): this {
    this.rex(true, dst, 0, base);
    this.out.push(0x8b);
    this.memBase(dst, base, disp);
    return this;
  }
  /** lea dst, [base+disp] */
  lea(dst: R, base: R, disp: number): this {
    this.rex(true, dst, 0, base);
    this.out.push(0x8d);
    this.memBase(dst, base, disp);
    return this;
  }
  /** mov dst, gs:[disp] (64-bit) */
  loadGs(dst: R, disp: number): this {
    this.out.push(0x65);
    this.rex(true, dst, 0, 0);
    this.out.push(0x8b);
    this.memAbs(dst, disp);
    return this;
  }
  /** mov dst32, gs:[disp] */
  loadGs32(dst: R, disp: number): this {
    this.out.push(0x65);
    this.rex(false, dst, 0, 0);
    this.out.push(0x8b);
    this.memAbs(dst, disp);
    return this;
  }
  /** mov dst, gs:[disp + index*8] */
  loadGsIndexed(dst: R, disp: number, index: R): this {
    this.out.push(0x65);
    this.rex(true, dst, index, 0);
    this.out.push(0x8b);
    this.memAbs(dst, disp, index, 8);
    return this;
  }
  /** mov gs:[disp + index*8], src */
  storeGsIndexed(disp: number, index: R, src: R): this {
    this.out.push(0x65);
    this.rex(true, src, index, 0);
    this.out.push(0x89);
    this.memAbs(src, disp, index, 8);
    return this;
  }
  /** mov gs:[disp], src (64-bit) */
  storeGs(disp: number, src: R): this {
    this.out.push(0x65);
    this.rex(true, src, 0, 0);
    this.out.push(0x89);
    this.memAbs(src, disp);
    return this;
  }
  /** mov gs:[disp], src32 */
  storeGs32(disp: number, src: R): this {
    this.out.push(0x65);
    this.rex(false, src, 0, 0);
    this.out.push(0x89);
    this.memAbs(src, disp);
    return this;
  }
  /** mov dword gs:[disp], imm32 */
  storeGsImm32(disp: number, v: number): this {
    this.out.push(0x65, 0xc7);
    this.memAbs(0, disp);
    this.imm32(v);
    return this;
  }

  // --- stack -----------------------------------------------------------------------------
  push(r: R): this {
    this.rex(false, 0, 0, r);
    this.out.push(0x50 + (r & 7));
    return this;
  }
  pop(r: R): this {
    this.rex(false, 0, 0, r);
    this.out.push(0x58 + (r & 7));
    return this;
  }
  /** push qword gs:[disp] */
  pushGs(disp: number): this {
    this.out.push(0x65, 0xff);
    this.memAbs(6, disp);
    return this;
  }
  /** pop qword gs:[disp] */
  popGs(disp: number): this {
    this.out.push(0x65, 0x8f);
    this.memAbs(0, disp);
    return this;
  }
  /** sub r64, imm32 */
  subImm(r: R, v: number): this {
    this.rex(true, 0, 0, r);
    this.raw(0x81, 0xe8 | (r & 7));
    this.imm32(v);
    return this;
  }
  /** add r64, imm32 */
  addImm(r: R, v: number): this {
    this.rex(true, 0, 0, r);
    this.raw(0x81, 0xc0 | (r & 7));
    this.imm32(v);
    return this;
  }
  /** and r64, imm8 (sign-extended), e.g. and rsp, -16 */
  andImm8(r: R, v: number): this {
    this.rex(true, 0, 0, r);
    this.raw(0x83, 0xe0 | (r & 7), v);
    return this;
  }
  /** cmp r32, imm32 */
  cmpImm32(r: R, v: number): this {
    this.rex(false, 0, 0, r);
    this.raw(0x81, 0xf8 | (r & 7));
    this.imm32(v);
    return this;
  }
  /** mov dst, [base + index*8 + disp] */
  loadIndexed(dst: R, base: R, index: R, disp: number): this {
    this.rex(true, dst, index, base);
    this.out.push(0x8b);
    this.memIndexed(dst, base, index, disp);
    return this;
  }
  /** mov [base + index*8 + disp], src */
  storeIndexed(base: R, index: R, disp: number, src: R): this {
    this.rex(true, src, index, base);
    this.out.push(0x89);
    this.memIndexed(src, base, index, disp);
    return this;
  }
  /** cmp r64, [base+disp] */
  cmpMem(r: R, base: R, disp: number): this {
    this.rex(true, r, 0, base);
    this.out.push(0x3b);
    this.memBase(r, base, disp);
    return this;
  }
  /** test r32, imm32 */
  testImm32(r: R, v: number): this {
    this.rex(false, 0, 0, r);
    this.raw(0xf7, 0xc0 | (r & 7));
    this.imm32(v);
    return this;
  }
  /** test r64 (low byte), imm8 — test r8b, imm8 */
  testLowByte(r: R, v: number): this {
    this.rex(false, 0, 0, r, true);
    return this.raw(0xf6, 0xc0 | (r & 7), v);
  }
  /** shl r64, imm8 */
  shlImm(r: R, n: number): this {
    this.rex(true, 0, 0, r);
    return this.raw(0xc1, 0xe0 | (r & 7), n);
  }
  /** shr r64, imm8 */
  shrImm(r: R, n: number): this {
    this.rex(true, 0, 0, r);
    return this.raw(0xc1, 0xe8 | (r & 7), n);
  }
  /** or r64, imm8 (sign-extended) */
  orImm8(r: R, v: number): this {
    this.rex(true, 0, 0, r);
    return this.raw(0x83, 0xc8 | (r & 7), v);
  }
  /** dec r64 */
  dec(r: R): this {
    this.rex(true, 0, 0, r);
    return this.raw(0xff, 0xc8 | (r & 7));
  }
  /** xor r64, r64 */
  xorRR(dst: R, src: R): this {
    this.rex(true, src, 0, dst);
    return this.raw(0x31, 0xc0 | ((src & 7) << 3) | (dst & 7));
  }
  /** lock bts dword [base+disp], imm8: CF = old bit */
  lockBts(base: R, disp: number, bit: number): this {
    this.out.push(0xf0);
    this.rex(false, 0, 0, base);
    this.raw(0x0f, 0xba);
    this.memBase(5, base, disp);
    this.out.push(bit);
    return this;
  }
  /** add r64, r64 */
  addRR(dst: R, src: R): this {
    this.rex(true, src, 0, dst);
    return this.raw(0x01, 0xc0 | ((src & 7) << 3) | (dst & 7));
  }
  /** add dst, [base+disp] */
  addMem(dst: R, base: R, disp: number): this {
    this.rex(true, dst, 0, base);
    this.out.push(0x03);
    this.memBase(dst, base, disp);
    return this;
  }
  /** imul dst, src, imm32 (64-bit, the immediate sign-extended) */
  imulImm(dst: R, src: R, v: number): this {
    this.rex(true, dst, 0, src);
    this.raw(0x69, 0xc0 | ((dst & 7) << 3) | (src & 7));
    this.imm32(v);
    return this;
  }
  /** syscall: number in RAX, arguments in RDI, RSI, RDX, R10, R8, R9; clobbers RCX and R11. */
  syscall(): this {
    return this.raw(0x0f, 0x05);
  }
  /** mov dword [base+disp], imm32 */
  storeImm32(base: R, disp: number, v: number): this {
    this.rex(false, 0, 0, base);
    this.out.push(0xc7);
    this.memBase(0, base, disp);
    this.imm32(v);
    return this;
  }

  /** push qword [base+disp] */
  pushMem(base: R, disp: number): this {
    this.rex(false, 0, 0, base);
    this.out.push(0xff);
    this.memBase(6, base, disp);
    return this;
  }
  /** mov dst32, [base+disp] */
  load32(dst: R, base: R, disp: number): this {
    this.rex(false, dst, 0, base);
    this.out.push(0x8b);
    this.memBase(dst, base, disp);
    return this;
  }
  /** ldmxcsr [base+disp] */
  ldmxcsr(base: R, disp: number): this {
    this.rex(false, 0, 0, base);
    this.raw(0x0f, 0xae);
    this.memBase(2, base, disp);
    return this;
  }
  /** stmxcsr [base+disp] */
  stmxcsr(base: R, disp: number): this {
    this.rex(false, 0, 0, base);
    this.raw(0x0f, 0xae);
    this.memBase(3, base, disp);
    return this;
  }
  /** fnstcw [base+disp] */
  fnstcw(base: R, disp: number): this {
    this.rex(false, 0, 0, base);
    this.out.push(0xd9);
    this.memBase(7, base, disp);
    return this;
  }
  /** and r32, imm32 */
  andImm32(r: R, v: number): this {
    this.rex(false, 0, 0, r);
    this.raw(0x81, 0xe0 | (r & 7));
    this.imm32(v);
    return this;
  }
  /** cmp r32, gs:[disp] */
  cmpGs32(r: R, disp: number): this {
    this.out.push(0x65);
    this.rex(false, r, 0, 0);
    this.out.push(0x3b);
    this.memAbs(r, disp);
    return this;
  }
  /** stmxcsr gs:[disp] */
  stmxcsrGs(disp: number): this {
    this.out.push(0x65, 0x0f, 0xae);
    this.memAbs(3, disp);
    return this;
  }
  /** ldmxcsr gs:[disp] */
  ldmxcsrGs(disp: number): this {
    this.out.push(0x65, 0x0f, 0xae);
    this.memAbs(2, disp);
    return this;
  }
  /** popfq */
  popfq(): this {
    return this.raw(0x9d);
  }
  /** cmp r64, imm32 (sign-extended) */
  cmpImm64(r: R, v: number): this {
    this.rex(true, 0, 0, r);
    this.raw(0x81, 0xf8 | (r & 7));
    this.imm32(v);
    return this;
  }
  /** cmp qword gs:[disp], imm8 */
  cmpGsImm8(disp: number, v: number): this {
    this.out.push(0x65, 0x48, 0x83);
    this.memAbs(7, disp);
    this.out.push(v & 0xff);
    return this;
  }
  /** xor r32, r32 */
  xorRR32(dst: R, src: R): this {
    this.rex(false, src, 0, dst);
    this.raw(0x31, 0xc0 | ((src & 7) << 3) | (dst & 7));
    return this;
  }

  // --- SSE -------------------------------------------------------------------------------
  /** movdqu [base+disp], xmmN */
  movdquStore(base: R, disp: number, xmm: number): this {
    this.out.push(0xf3);
    this.rex(false, xmm, 0, base);
    this.raw(0x0f, 0x7f);
    this.memBase(xmm, base, disp);
    return this;
  }
  /** movdqu xmmN, [base+disp] */
  movdquLoad(xmm: number, base: R, disp: number): this {
    this.out.push(0xf3);
    this.rex(false, xmm, 0, base);
    this.raw(0x0f, 0x6f);
    this.memBase(xmm, base, disp);
    return this;
  }
  /** movsd gs:[disp], xmmN (stores the low 64 bits) */
  movsdStoreGs(disp: number, xmm: number): this {
    this.out.push(0x65, 0xf2);
    this.rex(false, xmm, 0, 0);
    this.raw(0x0f, 0x11);
    this.memAbs(xmm, disp);
    return this;
  }
  /** movq xmmN, gs:[disp] */
  movqLoadGs(xmm: number, disp: number): this {
    this.out.push(0x65, 0xf3);
    this.rex(false, xmm, 0, 0);
    this.raw(0x0f, 0x7e);
    this.memAbs(xmm, disp);
    return this;
  }
  /** movq xmmN, r64 */
  movqXmmR(xmm: number, src: R): this {
    this.out.push(0x66);
    this.rex(true, xmm, 0, src);
    this.raw(0x0f, 0x6e, 0xc0 | ((xmm & 7) << 3) | (src & 7));
    return this;
  }

  // --- control flow ------------------------------------------------------------------------
  /** call r64 */
  callR(r: R): this {
    this.rex(false, 0, 0, r);
    this.raw(0xff, 0xd0 | (r & 7));
    return this;
  }
  /** call qword gs:[disp] */
  callGs(disp: number): this {
    this.out.push(0x65, 0xff);
    this.memAbs(2, disp);
    return this;
  }
  /** jmp r64 */
  jmpR(r: R): this {
    this.rex(false, 0, 0, r);
    this.raw(0xff, 0xe0 | (r & 7));
    return this;
  }
  /** jmp rel32 to an absolute address, given the address this code will run at. */
  jmpAbs(target: number, codeBase: number): this {
    this.out.push(0xe9);
    this.imm32(target - (codeBase + this.out.length + 4));
    return this;
  }
  /** lea dst, [rip + label] */
  leaRip(dst: R, l: Label): this {
    this.rex(true, dst, 0, 0);
    this.raw(0x8d, 0x05 | ((dst & 7) << 3));
    this.ref(l);
    return this;
  }
  /** jmp rel32 to a label */
  jmp(l: Label): this {
    this.out.push(0xe9);
    this.ref(l);
    return this;
  }
  /** jcc rel32: cc is the condition nibble (4 = e/z, 5 = ne/nz, 3 = ae/nb, 2 = b). */
  jcc(cc: number, l: Label): this {
    this.raw(0x0f, 0x80 | cc);
    this.ref(l);
    return this;
  }
  private ref(l: Label): void {
    if (l.pos >= 0) this.imm32(l.pos - (this.out.length + 4));
    else {
      l.fixups.push(this.out.length);
      this.imm32(0);
    }
  }
  bind(l: Label): this {
    l.pos = this.out.length;
    for (const at of l.fixups) {
      const rel = l.pos - (at + 4);
      this.out[at] = rel & 0xff;
      this.out[at + 1] = (rel >>> 8) & 0xff;
      this.out[at + 2] = (rel >>> 16) & 0xff;
      this.out[at + 3] = (rel >>> 24) & 0xff;
    }
    return this;
  }
  ret(): this {
    return this.raw(0xc3);
  }
  /** rep movsb: copy RCX bytes from [RSI] to [RDI] (direction flag decides the way). */
  repMovsb(): this {
    return this.raw(0xf3, 0xa4);
  }
  /** rep stosb: store AL into RCX bytes at [RDI]. */
  repStosb(): this {
    return this.raw(0xf3, 0xaa);
  }
  std(): this {
    return this.raw(0xfd);
  }
  cld(): this {
    return this.raw(0xfc);
  }
  /** sub r64, r64 */
  subRR(dst: R, src: R): this {
    this.rex(true, src, 0, dst);
    return this.raw(0x29, 0xc0 | ((src & 7) << 3) | (dst & 7));
  }
  /** cmp r64, r64 */
  cmpRR(a: R, b: R): this {
    this.rex(true, b, 0, a);
    return this.raw(0x39, 0xc0 | ((b & 7) << 3) | (a & 7));
  }
  /** test r64, r64 */
  testRR(a: R, b: R): this {
    this.rex(true, b, 0, a);
    return this.raw(0x85, 0xc0 | ((b & 7) << 3) | (a & 7));
  }
  /** lea dst, [base + index*1 + disp8] */
  leaIndexed(dst: R, base: R, index: R, disp: number): this {
    this.rex(true, dst, index, base);
    return this.raw(0x8d, 0x44 | ((dst & 7) << 3), ((index & 7) << 3) | (base & 7), disp);
  }
  /** movzx dst32, byte [base + index] */
  movzxByte(dst: R, base: R, index: R): this {
    this.rex(false, dst, index, base);
    // mod=00 with base rbp/r13 would mean disp32: use mod=01 disp8 0 to be safe.
    return this.raw(0x0f, 0xb6, 0x44 | ((dst & 7) << 3), ((index & 7) << 3) | (base & 7), 0);
  }
  /** inc r64 */
  inc(r: R): this {
    this.rex(true, 0, 0, r);
    return this.raw(0xff, 0xc0 | (r & 7));
  }
  /** sub r32, r32 */
  subRR32(dst: R, src: R): this {
    this.rex(false, src, 0, dst);
    return this.raw(0x29, 0xc0 | ((src & 7) << 3) | (dst & 7));
  }
  /** test r32, r32 */
  testRR32(a: R, b: R): this {
    this.rex(false, b, 0, a);
    return this.raw(0x85, 0xc0 | ((b & 7) << 3) | (a & 7));
  }
  int3(): this {
    return this.raw(0xcc);
  }
  /** Pads with int3 to a multiple of `n`. */
  align(n: number): this {
    while (this.out.length % n !== 0) this.out.push(0xcc);
    return this;
  }
}
