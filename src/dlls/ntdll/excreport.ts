/**
 * The report for an exception nobody handled, on stderr in Windows' spirit (DESIGN.md §6): the
 * code and its name, what an access violation touched, where it happened as module+offset (with
 * the nearest export), the instruction, the registers, and a stack trace unwound through .pdata.
 */
import { disassembleOne } from '../../host/disasm.js';
import { CONTEXT } from '../../native/layout.js';
import { UNW_FLAG_EHANDLER } from '../../pe/exceptions.js';
import type { ApiContext } from '../types.js';
import { EXCEPTION_NAMES, REC, STATUS, copyContext, withGuestScratch } from './excdefs.js';
import { unwindOneFrame } from './excframes.js';

const hex = (v: bigint | number, width = 16): string => BigInt.asUintN(64, BigInt(v)).toString(16).padStart(width, '0');

/** What an access violation or in-page error was doing, from its parameters. */
function accessText(ctx: ApiContext, rec: number): string {
  const m = ctx.mem;
  const code = m.u32(rec + REC.ExceptionCode);
  if ((code !== STATUS.ACCESS_VIOLATION && code !== STATUS.IN_PAGE_ERROR && code !== STATUS.GUARD_PAGE_VIOLATION) || m.u32(rec + REC.NumberParameters) < 2) return '';
  const kind = Number(m.u64(rec + REC.ExceptionInformation));
  const addr = m.u64(rec + REC.ExceptionInformation + 8);
  const verb = kind === 1 ? 'writing' : kind === 8 ? 'executing' : 'reading';
  if (addr === 0xffffffffffffffffn) return ': a general protection fault (a non-canonical address or a privileged operation)';
  return `: ${verb} address 0x${addr.toString(16)}`;
}

function instructionText(ctx: ApiContext, rip: number): string {
  const m = ctx.mem;
  let n = 15;
  while (n > 0 && !m.accessible(rip, n, 'read')) n--;
  if (n === 0) return 'instruction: (the address is not readable)';
  const bytes = m.read(rip, n);
  try {
    const d = disassembleOne(bytes, rip);
    if (!d) return `instruction: (undecodable) ${[...bytes.slice(0, 8)].map((b) => hex(b, 2)).join(' ')}`;
    return `instruction: ${d.text}    (${[...bytes.slice(0, d.length)].map((b) => hex(b, 2)).join(' ')})`;
  } catch {
    return `instruction bytes: ${[...bytes.slice(0, 8)].map((b) => hex(b, 2)).join(' ')}`;
  }
}

function registersText(ctx: ApiContext, c: number): string[] {
  const m = ctx.mem;
  const r = (name: string, off: number): string => `${name.padEnd(3)}=${hex(m.u64(c + off))}`;
  const rows = [
    [r('rax', CONTEXT.Rax), r('rbx', CONTEXT.Rbx), r('rcx', CONTEXT.Rcx), r('rdx', CONTEXT.Rdx)],
    [r('rsi', CONTEXT.Rsi), r('rdi', CONTEXT.Rdi), r('rbp', CONTEXT.Rbp), r('rsp', CONTEXT.Rsp)],
    [r('r8', CONTEXT.R8), r('r9', CONTEXT.R9), r('r10', CONTEXT.R10), r('r11', CONTEXT.R11)],
    [r('r12', CONTEXT.R12), r('r13', CONTEXT.R13), r('r14', CONTEXT.R14), r('r15', CONTEXT.R15)],
    [r('rip', CONTEXT.Rip), `eflags=${hex(m.u32(c + CONTEXT.EFlags), 8)}`, `mxcsr=${hex(m.u32(c + CONTEXT.MxCsr), 8)}`],
  ];
  return rows.map((row) => '  ' + row.join(' '));
}

function stackText(ctx: ApiContext, c: number): string[] {
  const frames = ctx.process.frames;
  return withGuestScratch(ctx, CONTEXT.Size, (walk) => {
    copyContext(ctx, walk, c);
    const out: string[] = [];
    const m = ctx.mem;
    const rip = m.ptr(walk + CONTEXT.Rip);
    if (!m.accessible(rip, 1, 'execute')) {
      // A call or jump to a bad address (an execute fault): the caller's return address is at
      // [RSP], as for a leaf function.
      out.push(`    #0 0x${rip.toString(16)} (not code)`);
      const rsp = m.ptr(walk + CONTEXT.Rsp);
      if (!m.accessible(rsp, 8, 'read')) return out;
      m.setU64(walk + CONTEXT.Rip, m.u64(rsp));
      m.setU64(walk + CONTEXT.Rsp, rsp + 8);
    }
    for (let i = 0; out.length < 32 && i < 256; i++) {
      let f;
      try {
        f = unwindOneFrame(ctx, UNW_FLAG_EHANDLER, walk);
      } catch {
        out.push('    (the stack cannot be unwound further)');
        break;
      }
      if (!f) break;
      if (f.boundary) {
        out.push('    (winrun: guest code called back from an API)');
        continue;
      }
      if (!ctx.mem.accessible(f.controlPc, 1, 'execute')) {
        out.push(`    (the walk ended at 0x${f.controlPc.toString(16)}, which is not code)`);
        break;
      }
      out.push(`    #${out.length} ${frames.describe(f.controlPc)}`);
    }
    return out;
  });
}

export function exceptionReport(ctx: ApiContext, rec: number, context: number, note?: string): string {
  const m = ctx.mem;
  const code = m.u32(rec + REC.ExceptionCode);
  const name = EXCEPTION_NAMES.get(code);
  const at = m.ptr(rec + REC.ExceptionAddress);
  const lines = [
    `winrun: unhandled exception 0x${hex(code, 8)}${name ? ` (${name})` : ''}${accessText(ctx, rec)}`,
    `  at ${ctx.process.frames.describe(at)}`,
    // Hardware exceptions have names; the others were raised by a call.
    name && code !== 0xe06d7363 && code !== 0x20474343 ? '  ' + instructionText(ctx, at) : '  raised by software (RaiseException)',
    ...registersText(ctx, context),
    '  stack:',
    ...stackText(ctx, context),
  ];
  if (note) lines.push(`  note: ${note}`);
  lines.push(`  the process exits with code 0x${hex(code, 8)}`);
  return lines.join('\n') + '\n';
}
