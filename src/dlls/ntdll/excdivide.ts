/**
 * The divisor of a faulting DIV/IDIV. The CPU raises one #DE for a zero divisor and for a
 * quotient that does not fit (INT_MIN / -1); Linux reports both as FPE_INTDIV, while the NT
 * kernel reports a non-zero divisor as STATUS_INTEGER_OVERFLOW. So the dispatcher decodes the
 * instruction at RIP (legacy prefixes, REX, F6/F7 with ModRM reg 6 or 7) and reads its operand.
 * iced-x86 is loaded only for reports; this small decoder covers the one instruction form.
 */
import { GREG } from '../../native/layout.js';

/** The guest memory this needs (the process's address space, or a test's bytes). */
export interface DivisorMemory {
  accessible(addr: number, length: number, access: 'read'): boolean;
  read(addr: number, length: number): Uint8Array;
}

/** Linux gregs index of each x64 register number (rax = 0 … r15 = 15). */
const REG_TO_GREG = [
  GREG.RAX, GREG.RCX, GREG.RDX, GREG.RBX, GREG.RSP, GREG.RBP, GREG.RSI, GREG.RDI,
  GREG.R8, GREG.R9, GREG.R10, GREG.R11, GREG.R12, GREG.R13, GREG.R14, GREG.R15,
] as const;

const LEGACY_PREFIXES = new Set([0x66, 0x67, 0xf0, 0xf2, 0xf3, 0x2e, 0x36, 0x3e, 0x26, 0x64, 0x65]);

/**
 * The divisor of the DIV/IDIV at the fault's RIP, or undefined when the instruction is not one
 * or its operand cannot be read. `reg(i)` reads Linux gregs entry i; `gsBase` is the TEB.
 */
export function faultingDivisor(m: DivisorMemory, rip: number, reg: (greg: number) => bigint, gsBase: number): bigint | undefined {
  if (!m.accessible(rip, 15, 'read')) return undefined;
  const b = m.read(rip, 15);
  let i = 0;
  let opsize16 = false;
  let addr32 = false;
  let segment = 0;
  while (i < 14 && LEGACY_PREFIXES.has(b[i]!)) {
    if (b[i] === 0x66) opsize16 = true;
    if (b[i] === 0x67) addr32 = true;
    if (b[i] === 0x64 || b[i] === 0x65) segment = b[i]!;
    i++;
  }
  let rex = 0;
  if ((b[i]! & 0xf0) === 0x40) rex = b[i++]!;
  const op = b[i++]!;
  if (op !== 0xf6 && op !== 0xf7) return undefined;
  const modrm = b[i++]!;
  const mod = modrm >> 6;
  const regField = (modrm >> 3) & 7;
  if (regField !== 6 && regField !== 7) return undefined;
  const size = op === 0xf6 ? 1 : rex & 8 ? 8 : opsize16 ? 2 : 4;
  const gpr = (n: number): bigint => reg(REG_TO_GREG[n]!);
  const mask = (v: bigint): bigint => BigInt.asUintN(size * 8, v);
  let rm = modrm & 7;
  if (mod === 3) {
    rm |= (rex & 1) << 3;
    // Byte registers 4-7 without a REX prefix are AH, CH, DH, BH.
    if (size === 1 && rex === 0 && rm >= 4) return mask(gpr(rm - 4) >> 8n);
    return mask(gpr(rm));
  }
  let ea: bigint;
  const disp = (n: number): bigint => {
    const v = n === 1 ? BigInt((b[i]! << 24) >> 24) : BigInt(b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24));
    i += n;
    return v;
  };
  if (rm === 4) {
    const sib = b[i++]!;
    const scale = BigInt(1 << (sib >> 6));
    const index = ((sib >> 3) & 7) | ((rex & 2) << 2);
    const base = (sib & 7) | ((rex & 1) << 3);
    ea = index === 4 ? 0n : gpr(index) * scale;
    if ((sib & 7) === 5 && mod === 0) ea += disp(4);
    else ea += gpr(base);
  } else if (rm === 5 && mod === 0) {
    const d = disp(4);
    // RIP-relative: from the end of the instruction (no immediate follows F6/F7 /6 /7).
    ea = BigInt(rip + i) + d;
  } else {
    ea = gpr(rm | ((rex & 1) << 3));
  }
  if (mod === 1) ea += disp(1);
  else if (mod === 2) ea += disp(4);
  if (segment === 0x64) return undefined; // FS has no meaning for x64 Windows code
  if (addr32) ea = BigInt.asUintN(32, ea);
  if (segment === 0x65) ea += BigInt(gsBase);
  const at = Number(BigInt.asUintN(64, ea));
  if (!Number.isSafeInteger(at) || !m.accessible(at, size, 'read')) return undefined;
  const bytes = m.read(at, size);
  let v = 0n;
  for (let k = size - 1; k >= 0; k--) v = (v << 8n) | BigInt(bytes[k]!);
  return v;
}
