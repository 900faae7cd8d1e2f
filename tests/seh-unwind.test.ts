// The x64 unwinder as programs use it (tests/fixtures/src/unwind.c, unwind_jit.c,
// SEH-FIXTURES.md): RtlCaptureContext/RtlRestoreContext, RtlLookupFunctionEntry,
// RtlVirtualUnwind over images and run-time function tables, RtlUnwindEx from a handler.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, runGuest, wineOutput } from './helpers.js';

const lines = (s: string): string[] => s.replace(/\r/g, '').split('\n').slice(0, -1);

describe('unwind.exe', () => {
  it('matches Wine 8 except the segment registers', () => {
    const r = runGuest(FIXTURES + 'unwind.exe');
    assert.equal(r.status, 0, r.stderr);
    const want = wineOutput('unwind');
    // Wine captures Linux's DS/ES/FS/GS (0); a 64-bit Windows user thread has DS = ES = GS =
    // SS = 0x2b and FS = 0x53.
    const i = want.indexOf('SegCs 0x33 SegSs 0x2b SegDs 0 SegEs 0 SegFs 0 SegGs 0');
    assert.ok(i >= 0);
    want[i] = 'SegCs 0x33 SegSs 0x2b SegDs 0x2b SegEs 0x2b SegFs 0x53 SegGs 0x2b';
    assert.deepEqual(lines(r.stdout), want);
    assert.equal(want[0], 'ContextFlags: 0x10000f');
  });
});

describe('unwind_jit.exe', () => {
  it('matches Wine 8 except epilogs that end in a jmp', () => {
    const r = runGuest(FIXTURES + 'unwind_jit.exe');
    assert.equal(r.status, 0, r.stderr);
    const want = wineOutput('unwind_jit');
    // Wine 8 recognises an epilog only when it ends in `ret`. Microsoft's x64 prolog/epilog
    // rules let an epilog end in a jmp (memory operand, ModRM mod 00), and the unwinder treats
    // a jmp out of the function as a tail call: at such a jmp (alone or after add rsp/pops)
    // winrun, like Windows, emulates the rest of the epilog instead of undoing the prolog, and
    // no handler is reported for a PC inside an epilog.
    const windows: Record<string, string> = {
      'jmp rel32 outside': 'rip=slot8 rsp=&slot9 frame=&slot8',
      'rex.w jmp [rip]': 'rip=slot8 rsp=&slot9 frame=&slot8',
      'tail epilog add': 'rip=slot15 rsp=&slot16 rbx=slot14 rsi=slot13 rdi=slot12 frame=&slot8',
      'tail epilog pop': 'rip=slot11 rsp=&slot12 rbx=slot10 rsi=slot9 rdi=slot8 frame=&slot8',
      'tail epilog jmp': 'rip=slot8 rsp=&slot9 frame=&slot8',
    };
    for (const [what, regs] of Object.entries(windows)) {
      const i = want.findIndex((l) => l.includes(`(${what}):`));
      assert.ok(i >= 0, what);
      want[i] = want[i]!.replace(/: .*/, `: ${regs}`);
    }
    assert.deepEqual(lines(r.stdout), want);
  });
});
