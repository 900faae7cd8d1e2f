/**
 * Console control events (wincon.h, consoleapi.h): SetConsoleCtrlHandler, GenerateConsoleCtrlEvent,
 * and running the HandlerRoutines. The state is the console block in guest memory
 * (native/layout.ts CONSOLE), shared with the machine-code signal handlers of native/console.ts:
 * a signal marks an event pending and the dispatcher of whichever thread calls an API next calls
 * dispatchCtrlEvents, which starts a new thread to run the HandlerRoutines, as Windows does
 * (CtrlRoutine); the noticing thread goes on with its call.
 */
import { CONSOLE, TEB } from '../../native/layout.js';
import type { AddressSpace } from '../../native/memory.js';
import { ERROR_INVALID_PARAMETER, ERROR_NOT_ENOUGH_MEMORY } from '../../kernel/win32error.js';
import type { ApiContext } from '../types.js';
import { startBuiltinThread } from './thread.js';

const STATUS_CONTROL_C_EXIT = 0xc000013a;
const CTRL_C_EVENT = 0;
const CTRL_BREAK_EVENT = 1;
const CTRL_CLOSE_EVENT = 2;
/** Windows 10 console defaults: processed, line and echo input with insert, quick edit and
 *  extended flags and auto position; processed output that wraps at the end of a line. */
export const DEFAULT_INPUT_MODE = 0x1e7;
export const DEFAULT_OUTPUT_MODE = 0x3;
/** FOREGROUND_RED | FOREGROUND_GREEN | FOREGROUND_BLUE: light grey on black. */
export const DEFAULT_ATTRIBUTE = 0x7;

/** Fills the console block at process start. */
export function initConsoleBlock(mem: AddressSpace, block: number, cp: number, title: string): void {
  mem.setU32(block + CONSOLE.InputMode, DEFAULT_INPUT_MODE);
  mem.setU32(block + CONSOLE.OutputMode, DEFAULT_OUTPUT_MODE);
  mem.setU32(block + CONSOLE.Attribute, DEFAULT_ATTRIBUTE);
  mem.setU32(block + CONSOLE.InputCP, cp);
  mem.setU32(block + CONSOLE.OutputCP, cp);
  mem.setU32(block + CONSOLE.CursorSize, 25);
  mem.setU32(block + CONSOLE.CursorY, 0xffffffff); // not known yet: the bottom row
  mem.writeWString(block + CONSOLE.Title, title.slice(0, CONSOLE.TitleMax));
}

const blockOf = (ctx: ApiContext): number => ctx.process.consoleBlock;

export function SetConsoleCtrlHandler(ctx: ApiContext, handler: number, add: number): number {
  const m = ctx.mem;
  const b = blockOf(ctx);
  if (handler === 0) {
    m.setU32(b + CONSOLE.IgnoreCtrlC, add ? 1 : 0);
    return 1;
  }
  const n = m.u32(b + CONSOLE.HandlerCount);
  if (add) {
    if (n >= CONSOLE.MaxHandlers) {
      ctx.setLastError(ERROR_NOT_ENOUGH_MEMORY);
      return 0;
    }
    m.setU64(b + CONSOLE.Handlers + 8 * n, handler);
    m.setU32(b + CONSOLE.HandlerCount, n + 1);
    startCtrlWatcher(ctx);
    return 1;
  }
  // Removes the most recent registration of the routine.
  for (let i = n - 1; i >= 0; i--) {
    if (m.ptr(b + CONSOLE.Handlers + 8 * i) === handler) {
      m.copy(b + CONSOLE.Handlers + 8 * i, b + CONSOLE.Handlers + 8 * (i + 1), 8 * (n - 1 - i));
      m.setU32(b + CONSOLE.HandlerCount, n - 1);
      return 1;
    }
  }
  ctx.setLastError(ERROR_INVALID_PARAMETER);
  return 0;
}

/** The Linux signal that carries each event to another winrun process (native/console.ts
 *  turns it back into the event there). */
const SIGINT = 2;
const SIGQUIT = 3;

/**
 * GenerateConsoleCtrlEvent: CTRL_C_EVENT or CTRL_BREAK_EVENT to the processes sharing the
 * console (group 0: this process and its children — the processes above it are out of reach),
 * or to the process group a child started with CREATE_NEW_PROCESS_GROUP leads (its process id;
 * the event goes to the Linux process group, so the child's own children get it too). As
 * documented, CTRL_C_EVENT cannot be limited to a group: with a group id the call succeeds and
 * nobody receives it. This process's handlers run before its next API call.
 */
export function GenerateConsoleCtrlEvent(ctx: ApiContext, event: number, group: number): number {
  if (event !== CTRL_C_EVENT && event !== CTRL_BREAK_EVENT) {
    ctx.setLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  const children = ctx.process.processes;
  const signal = event === CTRL_C_EVENT ? SIGINT : SIGQUIT;
  const own = ctx.mem.u32(ctx.teb + TEB.ClientIdUniqueProcess);
  if (group === 0 || group === own) {
    for (const slot of children.running()) if (group === 0 || !children.newGroup(slot)) children.signal(slot, signal, false);
    if (group === 0 || event !== CTRL_C_EVENT) Atomics.or(ctx.mem.int32At(blockOf(ctx) + CONSOLE.Pending), 0, 1 << event);
    return 1;
  }
  const slot = children.byPid(group);
  if (slot < 0 || !children.newGroup(slot)) {
    ctx.setLastError(ERROR_INVALID_PARAMETER);
    return 0;
  }
  if (event === CTRL_BREAK_EVENT) children.signal(slot, signal, true);
  return 1;
}

/** How often the watcher looks at the pending events. */
const WATCH_MS = 20;

/**
 * Once a program has a HandlerRoutine, a thread watches for control events (CtrlWatcher), so
 * that Ctrl-C reaches the routine within WATCH_MS even while every thread computes without
 * calling an API (the signal handler can only mark the event pending). It is started once.
 */
function startCtrlWatcher(ctx: ApiContext): void {
  const flag = ctx.mem.int32At(blockOf(ctx) + CONSOLE.CtrlWatcher);
  if (Atomics.compareExchange(flag, 0, 0, 1) !== 0) return;
  if (!startBuiltinThread(ctx, '__winrun_CtrlWatcher', 0)) Atomics.store(flag, 0, 0);
}

/** The watcher thread: takes pending events and runs their handlers, for the process's life. */
export function CtrlWatcher(ctx: ApiContext, _param: number): number {
  const pending = ctx.mem.int32At(blockOf(ctx) + CONSOLE.Pending);
  for (;;) {
    const events = Atomics.exchange(pending, 0, 0);
    if (events !== 0) CtrlRoutine(ctx, events);
    ctx.process.sleep(WATCH_MS);
  }
}

/** Takes the pending events and runs their handlers on a new thread (CtrlRoutine), or on this
 *  one if no thread can start. */
export function dispatchCtrlEvents(ctx: ApiContext): void {
  const pending = Atomics.exchange(ctx.mem.int32At(blockOf(ctx) + CONSOLE.Pending), 0, 0);
  if (pending === 0) return;
  if (!startBuiltinThread(ctx, '__winrun_CtrlRoutine', pending)) CtrlRoutine(ctx, pending);
}

/** The control thread: for each event in `pending`, the handlers newest first until one returns
 *  TRUE; when none does (or for a close event in any case) the process ends with
 *  STATUS_CONTROL_C_EXIT. */
export function CtrlRoutine(ctx: ApiContext, pending: number): number {
  const m = ctx.mem;
  const b = blockOf(ctx);
  for (let event = 0; event <= CTRL_CLOSE_EVENT; event++) {
    if (!(pending & (1 << event))) continue;
    if (event === CTRL_C_EVENT && m.u32(b + CONSOLE.IgnoreCtrlC) !== 0) continue;
    let handled = false;
    for (let i = m.u32(b + CONSOLE.HandlerCount) - 1; i >= 0 && !handled; i--) {
      handled = (ctx.callGuest(m.ptr(b + CONSOLE.Handlers + 8 * i), [event]) & 0xffffffffn) !== 0n;
    }
    if (!handled || event === CTRL_CLOSE_EVENT) ctx.process.exit(STATUS_CONTROL_C_EXIT);
  }
  return 0;
}
