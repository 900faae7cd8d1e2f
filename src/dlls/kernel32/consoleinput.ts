/**
 * Console input records (ReadConsoleInput, PeekConsoleInput, GetNumberOfConsoleInputEvents,
 * FlushConsoleInputBuffer). Windows delivers key events whatever the input mode, so the
 * terminal is put in non-canonical, no-echo mode just for the read, and the bytes become key
 * presses (kernel/keys.ts), each a key-down and a key-up record. Records not yet read wait in
 * a queue in guest memory (native/layout.ts INPUT_QUEUE).
 */
import { keyEvents } from '../../kernel/keys.js';
import { TERMIOS, TERMIOS_FLAGS as T } from '../../native/console.js';
import { CONSOLE, CONSOLE_BLOCK, CONSOLE_INPUT_QUEUE, INPUT_QUEUE as Q } from '../../native/layout.js';
import type { ApiContext } from '../types.js';
import { requireConsole } from './console.js';

const KEY_EVENT = 1;

const queueOf = (ctx: ApiContext): number => ctx.process.consoleBlock - CONSOLE_BLOCK + CONSOLE_INPUT_QUEUE;

/** Reads what the terminal has (waiting for one key when `wait`) into the queue. */
export function fillQueue(ctx: ApiContext, fd: number, wait: boolean): void {
  const m = ctx.mem;
  const q = queueOf(ctx);
  const b = ctx.process.consoleBlock;
  const t = ctx.process.terminal;
  const saved = b + CONSOLE.Scratch;
  const raw = q + Q.Termios;
  let data: Uint8Array;
  if (t.get(fd, saved)) {
    m.copy(raw, saved, TERMIOS.Size);
    m.setU32(raw + TERMIOS.Lflag, m.u32(saved + TERMIOS.Lflag) & ~(T.ICANON | T.ECHO | T.ECHOE | T.ECHOK | T.ISIG));
    m.setU8(raw + TERMIOS.Cc + T.VMIN, wait ? 1 : 0);
    m.setU8(raw + TERMIOS.Cc + T.VTIME, 0);
    t.set(fd, raw);
    data = ctx.process.readFd(fd, 64);
    t.set(fd, saved);
  } else {
    data = wait ? ctx.process.readFd(fd, 1) : new Uint8Array(0);
  }
  let n = m.u32(q + Q.Count);
  for (const k of keyEvents(data)) {
    for (const down of [1, 0]) {
      if (n >= Q.Max) break;
      const r = q + Q.Records + Q.RecordSize * n++;
      m.setU16(r, KEY_EVENT);
      m.setU16(r + 2, 0);
      m.setU32(r + 4, down);
      m.setU16(r + 8, 1);
      m.setU16(r + 10, k.vk);
      m.setU16(r + 12, k.scan);
      m.setU16(r + 14, k.char);
      m.setU32(r + 16, k.state);
    }
  }
  m.setU32(q + Q.Count, n);
}

/** Copies up to `len` records out (removing them unless peeking); returns the count. */
function take(ctx: ApiContext, buf: number, len: number, peek: boolean, ansi: boolean): number {
  const m = ctx.mem;
  const q = queueOf(ctx);
  const n = m.u32(q + Q.Count);
  const k = Math.min(n, len);
  m.check(buf, Q.RecordSize * k, true);
  m.copy(buf, q + Q.Records, Q.RecordSize * k);
  if (ansi) for (let i = 0; i < k; i++) if (m.u16(buf + Q.RecordSize * i + 14) > 0xff) m.setU16(buf + Q.RecordSize * i + 14, 0x3f);
  if (!peek) {
    m.copy(q + Q.Records, q + Q.Records + Q.RecordSize * k, Q.RecordSize * (n - k));
    m.setU32(q + Q.Count, n - k);
  }
  return k;
}

/** Takes the next record (waiting for one); undefined when the input has ended. */
export function nextRecord(ctx: ApiContext, fd: number): { down: boolean; vk: number; scan: number; char: number; state: number } | undefined {
  const m = ctx.mem;
  const q = queueOf(ctx);
  if (m.u32(q + Q.Count) === 0) fillQueue(ctx, fd, true);
  if (m.u32(q + Q.Count) === 0) return undefined;
  const r = q + Q.Records;
  const rec = { down: m.u32(r + 4) !== 0, vk: m.u16(r + 10), scan: m.u16(r + 12), char: m.u16(r + 14), state: m.u32(r + 16) };
  const n = m.u32(q + Q.Count);
  m.copy(q + Q.Records, q + Q.Records + Q.RecordSize, Q.RecordSize * (n - 1));
  m.setU32(q + Q.Count, n - 1);
  return rec;
}

function read(ctx: ApiContext, h: number, buf: number, len: number, count: number, peek: boolean, ansi: boolean): number {
  const c = requireConsole(ctx, h, 'input');
  if (!c) return 0;
  const q = queueOf(ctx);
  if (ctx.mem.u32(q + Q.Count) === 0) fillQueue(ctx, c.fd, !peek);
  const k = take(ctx, buf, len, peek, ansi);
  if (count) ctx.mem.setU32(count, k);
  return 1;
}

export const ReadConsoleInputW = (ctx: ApiContext, h: number, buf: number, len: number, n: number): number => read(ctx, h, buf, len, n, false, false);
export const ReadConsoleInputA = (ctx: ApiContext, h: number, buf: number, len: number, n: number): number => read(ctx, h, buf, len, n, false, true);
export const PeekConsoleInputW = (ctx: ApiContext, h: number, buf: number, len: number, n: number): number => read(ctx, h, buf, len, n, true, false);
export const PeekConsoleInputA = (ctx: ApiContext, h: number, buf: number, len: number, n: number): number => read(ctx, h, buf, len, n, true, true);

export function GetNumberOfConsoleInputEvents(ctx: ApiContext, h: number, out: number): number {
  const c = requireConsole(ctx, h, 'input');
  if (!c) return 0;
  fillQueue(ctx, c.fd, false);
  ctx.mem.setU32(out, ctx.mem.u32(queueOf(ctx) + Q.Count));
  return 1;
}

export function FlushConsoleInputBuffer(ctx: ApiContext, h: number): number {
  const c = requireConsole(ctx, h, 'input');
  if (!c) return 0;
  fillQueue(ctx, c.fd, false); // typed-ahead bytes go too
  ctx.mem.setU32(queueOf(ctx) + Q.Count, 0);
  return 1;
}
