// Decoding winrun's machine code in tests: iced-x86 (a CommonJS package that compiles its wasm
// when loaded, so only the tests that decode load it).
import { createRequire } from 'node:module';
import type * as Iced from 'iced-x86';

const require = createRequire(import.meta.url);
export const iced = require('iced-x86') as typeof Iced;

/** The instructions in `bytes` as NASM text (`spaced`: a space after each comma). */
export function disasm(bytes: Uint8Array, ip = 0x1000n, spaced = true): string[] {
  const d = new iced.Decoder(64, bytes, iced.DecoderOptions.None);
  d.ip = ip;
  const f = new iced.Formatter(iced.FormatterSyntax.Nasm);
  f.spaceAfterOperandSeparator = spaced;
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
