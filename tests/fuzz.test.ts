// Seeded fuzzing: mutated fixtures must either parse or fail with a PeError — never another
// exception, never a hang. The seed is fixed so a failure reproduces; WINRUN_FUZZ_SEED and
// WINRUN_FUZZ_ROUNDS explore further.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPeError, parseHeaders, parsePe, PeView } from '../src/pe/index.js';
import { fixture } from './helpers.js';
import { prng } from './pe-builder.js';

const SEED = Number(process.env.WINRUN_FUZZ_SEED ?? 0x5eed);
const ROUNDS = Number(process.env.WINRUN_FUZZ_ROUNDS ?? 400);
const FIXTURES = ['hello.exe', 'exports.dll', 'tls.exe', 'delayload.exe', 'resources.exe', 'pdbpath.exe'];
const BOUNDARY = [0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0xfff, 0x1000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

interface Region {
  start: number;
  end: number;
}

/** File ranges worth aiming at: headers and each data directory's bytes. */
function regions(bytes: Uint8Array): Region[] {
  const h = parseHeaders(bytes);
  const view = new PeView(bytes, h);
  const out: Region[] = [{ start: 0, end: Math.min(h.optionalHeader.SizeOfHeaders, bytes.length) }];
  for (const d of h.dataDirectories) {
    if (d.VirtualAddress === 0 || d.Size === 0) continue;
    const off = view.rvaToOffset(d.VirtualAddress);
    if (off >= 0) out.push({ start: off, end: Math.min(bytes.length, off + Math.max(d.Size, 64)) });
  }
  return out;
}

describe('fuzzing the parser', () => {
  for (const name of FIXTURES) {
    it(`${name}: ${ROUNDS} mutations give only PeErrors (seed ${SEED})`, { timeout: 120_000 }, () => {
      const original = fixture(name);
      const targets = regions(original);
      const rnd = prng(SEED ^ name.length ^ original.length);
      const pick = (n: number): number => Math.floor(rnd() * n);
      let rejected = 0;
      for (let round = 0; round < ROUNDS; round++) {
        let bytes = original.slice();
        const dv = new DataView(bytes.buffer);
        const strategy = round % 5;
        const region = targets[pick(targets.length)]!;
        const inRegion = (): number => region.start + pick(Math.max(1, region.end - region.start - 4));
        let what: string;
        if (strategy === 0) {
          const at = inRegion();
          bytes[at] = bytes[at]! ^ (1 << pick(8));
          what = `bit flip at ${at}`;
        } else if (strategy === 1) {
          const len = pick(original.length);
          bytes = bytes.slice(0, len);
          what = `truncate to ${len}`;
        } else if (strategy === 2) {
          const at = inRegion() & ~3;
          const v = BOUNDARY[pick(BOUNDARY.length)]!;
          dv.setUint32(at, v, true);
          what = `u32 ${v} at ${at}`;
        } else if (strategy === 3) {
          const at = inRegion() & ~1;
          const v = BOUNDARY[pick(BOUNDARY.length)]! & 0xffff;
          dv.setUint16(at, v, true);
          what = `u16 ${v} at ${at}`;
        } else {
          const n = 1 + pick(16);
          for (let i = 0; i < n; i++) bytes[pick(bytes.length)] = pick(256);
          what = `${n} random bytes`;
        }
        try {
          parsePe(bytes);
        } catch (e) {
          if (!isPeError(e)) assert.fail(`round ${round} (${what}): ${e instanceof Error ? e.stack : String(e)}`);
          rejected++;
        }
      }
      // The mutations must actually reach the validation: a good share is rejected.
      assert.ok(rejected > ROUNDS / 10, `only ${rejected} of ${ROUNDS} mutations were rejected`);
    });
  }
});
