// The native capture of an export's caller (native/capture.ts): the CONTEXT it writes is
// compared byte for byte with one built here from Windows' values (what RtlCaptureContext shows
// in a 64-bit user thread), over a CONTEXT and save area full of noise; the machine code is
// decoded too.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { describe, it } from 'node:test';
import type * as Iced from 'iced-x86';
import { NativeCapture, captureCallerJs, emitCaptureCaller } from '../src/native/capture.js';
import { SAVE_AREA } from '../src/native/engine.js';
import { Asm } from '../src/native/emitter.js';
import { AddressSpace } from '../src/native/memory.js';
import { PAGE_READWRITE } from '../src/native/memprotect.js';

const require = createRequire(import.meta.url);
const iced = require('iced-x86') as typeof Iced;

const mem = new AddressSpace();
const AREA = mem.allocate(0, 0x4000, true, PAGE_READWRITE);
const CTX = AREA + 0x10;
const SAVE = AREA + 0x2000;
const RSP = AREA + 0x3000;
const CONTEXT_SIZE = 0x4d0;

function noise(addr: number, len: number, seed: number): void {
  const b = new Uint8Array(len);
  let x = seed;
  for (let i = 0; i < len; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    b[i] = x >>> 24;
  }
  mem.write(addr, b);
}

/** The CONTEXT Windows would show, from the save area's bytes (engine.ts SAVED: RSI +0, RDI +8,
 *  XMM6–15 +16, RBX +176, RBP +184, R12–R15 +192). */
function expected(save: Uint8Array, ret: bigint, rsp: number, mxcsr: number): Uint8Array {
  const out = new Uint8Array(CONTEXT_SIZE);
  const dv = new DataView(out.buffer);
  const sv = new DataView(save.buffer, save.byteOffset);
  dv.setUint32(0x30, 0x10000f, true); // ContextFlags: AMD64 | CONTROL | INTEGER | SEGMENTS | FLOATING_POINT
  dv.setUint32(0x34, mxcsr, true);
  [0x33, 0x2b, 0x2b, 0x53, 0x2b, 0x2b].forEach((sel, k) => dv.setUint16(0x38 + 2 * k, sel, true)); // Cs Ds Es Fs Gs Ss
  dv.setUint32(0x44, 0x202, true); // EFlags
  dv.setBigUint64(0x98, BigInt(rsp + 8), true); // Rsp
  dv.setBigUint64(0xf8, ret, true); // Rip
  const regs: [number, number][] = [[0x90, 176], [0xa0, 184], [0xa8, 0], [0xb0, 8], [0xd8, 192], [0xe0, 200], [0xe8, 208], [0xf0, 216]];
  for (const [at, from] of regs) dv.setBigUint64(at, sv.getBigUint64(from, true), true);
  dv.setUint16(0x100, 0x27f, true); // FltSave.ControlWord
  dv.setUint32(0x100 + 24, mxcsr, true); // FltSave.MxCsr
  dv.setUint32(0x100 + 28, 0xffff, true); // FltSave.MxCsr_Mask
  out.set(save.subarray(16, 16 + 160), 0x1a0 + 16 * 6); // Xmm6..Xmm15
  return out;
}

describe('native capture of an export caller', () => {
  it('writes the CONTEXT Windows shows, every other byte zero (machine code and JS)', () => {
    const native = new NativeCapture(mem);
    const ways: [string, (c: number, s: number, r: number, x: number) => void][] = [
      ['machine code', (c, s, r, x) => native.capture(c, s, r, x)],
      ['JS', (c, s, r, x) => captureCallerJs(mem, c, s, r, x)],
    ];
    for (const [way, capture] of ways) for (const seed of [1, 7, 99]) {
      noise(CTX, CONTEXT_SIZE + 0x20, seed);
      noise(SAVE, SAVE_AREA, seed + 1);
      noise(RSP, 16, seed + 2);
      const before = mem.read(CTX + CONTEXT_SIZE, 0x20);
      const mxcsr = 0x1f80 | (seed & 0x3f);
      capture(CTX, SAVE, RSP, mxcsr);
      const want = expected(mem.read(SAVE, SAVE_AREA), mem.u64(RSP), RSP, mxcsr);
      assert.deepEqual(mem.read(CTX, CONTEXT_SIZE), want, way);
      // Nothing past the CONTEXT.
      assert.deepEqual(mem.read(CTX + CONTEXT_SIZE, 0x20), before, way);
    }
  });

  it('decodes as straight-line code ending in ret', () => {
    const a = new Asm();
    emitCaptureCaller(a);
    const code = a.bytes();
    const d = new iced.Decoder(64, code, iced.DecoderOptions.None);
    d.ip = 0n;
    const mnemonics: number[] = [];
    while (d.canDecode) {
      const ins = d.decode();
      assert.notEqual(ins.code, iced.Code.INVALID, `invalid instruction at ${ins.ip}`);
      // No branch: the code always runs to its end.
      assert.equal(ins.isJccShortOrNear || ins.isJmpShortOrNear || ins.isCallNear, false);
      mnemonics.push(ins.mnemonic);
      ins.free();
    }
    d.free();
    assert.equal(mnemonics.at(-1), iced.Mnemonic.Ret);
    assert.equal(mnemonics.filter((x) => x === iced.Mnemonic.Stosb).length, 1);
  });
});
