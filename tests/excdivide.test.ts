// The divisor decoder behind STATUS_INTEGER_OVERFLOW vs STATUS_INTEGER_DIVIDE_BY_ZERO: each
// operand form of DIV/IDIV (F6/F7 /6 /7) reads the register or memory the CPU divided by.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { faultingDivisor, type DivisorMemory } from '../src/dlls/ntdll/excdivide.js';
import { GREG } from '../src/native/layout.js';

const CODE = 0x1000;
const DATA = 0x2000;

/** Memory with `code` at CODE and `data` at DATA; registers rax=0x1122, rcx=0x30405, rbx=DATA,
 *  r9=DATA-8, rsi=2 (an index), everything else 0. */
function setup(code: number[], data: number[] = []): { mem: DivisorMemory; reg: (g: number) => bigint } {
  const bytes = new Map<number, number>();
  code.forEach((b, i) => bytes.set(CODE + i, b));
  data.forEach((b, i) => bytes.set(DATA + i, b));
  const mem: DivisorMemory = {
    accessible: (a, n) => (a >= CODE && a + n <= CODE + 0x20) || (a >= DATA && a + n <= DATA + 0x40),
    read: (a, n) => Uint8Array.from({ length: n }, (_, k) => bytes.get(a + k) ?? 0),
  };
  const regs: Record<number, bigint> = { [GREG.RAX]: 0x1122n, [GREG.RCX]: 0x30405n, [GREG.RBX]: BigInt(DATA), [GREG.R9]: BigInt(DATA - 8), [GREG.RSI]: 2n };
  return { mem, reg: (g) => regs[g] ?? 0n };
}

const le32 = (v: number): number[] => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >>> 24) & 0xff];

const divisor = (code: number[], data: number[] = []): bigint | undefined => {
  const { mem, reg } = setup(code, data);
  return faultingDivisor(mem, CODE, reg, 0);
};

describe('faultingDivisor', () => {
  it('register operands at each size', () => {
    assert.equal(divisor([0xf7, 0xf9]), 0x30405n); // idiv ecx
    assert.equal(divisor([0x48, 0xf7, 0xf1]), 0x30405n); // div rcx
    assert.equal(divisor([0x66, 0xf7, 0xf9]), 0x405n); // idiv cx
    assert.equal(divisor([0xf6, 0xf1]), 0x05n); // div cl
    assert.equal(divisor([0xf6, 0xf4]), 0x11n); // div ah (no REX: 4 is AH)
    assert.equal(divisor([0x40, 0xf6, 0xf4]), 0n); // div spl
    assert.equal(divisor([0x49, 0xf7, 0xf9]), BigInt(DATA - 8)); // idiv r9
  });
  it('memory operands: base, displacement, SIB, RIP-relative', () => {
    const data = [0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0];
    assert.equal(divisor([0xf7, 0x3b], data), 0n); // idiv dword [rbx]
    assert.equal(divisor([0xf7, 0x7b, 0x04], data), 7n); // idiv dword [rbx+4]
    assert.equal(divisor([0x41, 0xf7, 0x79, 0x0c], data), 7n); // idiv dword [r9+12]
    assert.equal(divisor([0xf7, 0x7c, 0xb3, 0x04], data), 9n); // idiv dword [rbx+rsi*4+4]
    assert.equal(divisor([0xf7, 0x3d, ...le32(DATA + 4 - (CODE + 6))], data), 7n); // idiv dword [rip+…]
    assert.equal(divisor([0x48, 0xf7, 0x3c, 0x25, 0x0c, 0x20, 0, 0], data), 9n); // idiv qword [0x200c]
  });
  it('other instructions and unreadable operands give undefined', () => {
    assert.equal(divisor([0xf7, 0xd9]), undefined); // neg ecx (/3)
    assert.equal(divisor([0x90]), undefined);
    assert.equal(divisor([0xf7, 0x38]), undefined); // idiv dword [rax]: 0x1122 is not readable here
  });
});
