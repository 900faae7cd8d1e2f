/**
 * Disassembly for crash reports, with iced-x86. It is loaded on first use only: it compiles
 * ~800 KB of WebAssembly when required (~37 ms, NATIVE-NOTES), which a program that never
 * crashes should not pay. The CommonJS bundle has `require`; the ESM build makes one.
 */
import { createRequire } from 'node:module';
import type * as Iced from 'iced-x86';

let library: typeof Iced | undefined;

function iced(): typeof Iced {
  if (!library) {
    const req = typeof require === 'function' ? require : createRequire(import.meta.url);
    library = req('iced-x86') as typeof Iced;
  }
  return library;
}

/** The first instruction in `bytes` (code at `ip`) in Intel syntax and its length; undefined
 *  when the bytes do not decode. */
export function disassembleOne(bytes: Uint8Array, ip: number): { text: string; length: number } | undefined {
  const x = iced();
  const d = new x.Decoder(64, bytes, x.DecoderOptions.None);
  d.ip = BigInt(ip);
  const insn = d.decode();
  try {
    if (insn.isInvalid) return undefined;
    const f = new x.Formatter(x.FormatterSyntax.Intel);
    f.spaceAfterOperandSeparator = true;
    try {
      return { text: f.format(insn), length: insn.length };
    } finally {
      f.free();
    }
  } finally {
    insn.free();
    d.free();
  }
}
