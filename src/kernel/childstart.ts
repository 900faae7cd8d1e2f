/**
 * Starting a child process (CreateProcess's work once the image is found): a Windows program
 * runs under winrun in a new Linux process, a Linux program is executed directly.
 *
 * A winrun child is `node bin/winrun PROG.exe` with its boot description in the environment
 * variable WINRUN_CHILD (JSON, ChildBoot): the exact command line, the environment block, the
 * current directory, and the inherited handles — each Windows handle value with the descriptor
 * it arrives on, so that the child's handle table holds the same values as on Windows. The
 * descriptors are laid out as: 0–2 the standard handles, 3 the status pipe (the full exit
 * code, kernel/process-objects.ts), 4 the resume channel of a child created suspended (a
 * SOCK_SEQPACKET socket: its main thread starts when the parent closes the other end; until
 * then the parent may send it handles, each a message carrying the descriptor with SCM_RIGHTS,
 * which is how DuplicateHandle reaches into a child being created), then the other inherited
 * handles.
 * Everything else the parent has open is close-on-exec and never reaches the child.
 */
import { makePipe, spawnProcess, pidfdOpen, closeDescriptor, SpawnError, sendSignal, setCloseOnExec } from '../native/spawn.js';
import { SOCK_SEQPACKET, receiveWithDescriptor, sendWithDescriptor, socketPair } from '../native/unixsock.js';
import type { HandleInfo, HandleTable, HandleType } from './handles.js';
import type { ProcessTable } from './process-objects.js';

/** One inherited handle: its value, the child's descriptor, and its handle-table words. */
export type InheritedEntry = [value: number, fd: number, type: HandleType, access: number, share: number, flags: number];

/** What a winrun child reads from WINRUN_CHILD. */
export interface ChildBoot {
  /** The command line, exactly as the parent passed it. */
  cmd: string;
  /** The environment block's variables, in order. */
  env: [string, string][];
  handles: InheritedEntry[];
  /** The handle values of the standard handles (0: a fresh handle on descriptor 0/1/2). */
  std: [number, number, number];
  status: number;
  /** The resume channel's descriptor, or -1. */
  resume: number;
  /** Started with CREATE_NEW_PROCESS_GROUP: Ctrl-C starts out ignored (as if the program had
   *  called SetConsoleCtrlHandler(NULL, TRUE)). */
  newGroup?: boolean;
}

export const CHILD_BOOT_VARIABLE = 'WINRUN_CHILD';

/** A handle the child inherits, on the parent's descriptor. */
export interface Inherit {
  value: number;
  fd: number;
  type: HandleType;
  access: number;
  share: number;
  flags: number;
}

export interface ChildStart {
  kind: 'pe' | 'elf';
  unixPath: string;
  commandLine: string;
  /** A Linux program's argv (the command line split the CRT way). */
  argv: readonly string[];
  env: [string, string][];
  cwdUnix: string;
  inherited: readonly Inherit[];
  /** The standard handles: the parent's descriptor (-1: /dev/null) and, when the handle is
   *  among the inherited ones, its value. */
  std: readonly { fd: number; value: number }[];
  suspended: boolean;
  newGroup: boolean;
  /** The parent's host environment (winrun's own settings travel in it: prefix, debug). */
  hostEnv: readonly [string, string][];
  launcher: readonly [string, string];
}

/** The slot of the new child in `table`, or a Linux errno name. */
export function startChild(table: ProcessTable, s: ChildStart): { slot: number; pid: number } | { errno: number } {
  const fds: [number, number][] = s.std.map((h, i) => [h.fd, i]);
  const opened: number[] = [];
  let statusRead = -1;
  let resumeWrite = -1;
  try {
    let argv: readonly string[];
    let env: string[];
    let path: string;
    if (s.kind === 'pe') {
      const status = makePipe();
      statusRead = status[0];
      opened.push(status[1]);
      fds.push([status[1], 3]);
      let resume = -1;
      if (s.suspended) {
        const r = socketPair(SOCK_SEQPACKET);
        if (typeof r === 'number') return { errno: -r };
        resumeWrite = r[1];
        opened.push(r[0]);
        fds.push([r[0], 4]);
        resume = 4;
      }
      const handles: InheritedEntry[] = [];
      let next = 5;
      const std: [number, number, number] = [0, 0, 0];
      s.std.forEach((h, i) => {
        if (h.value !== 0) std[i] = h.value;
      });
      for (const h of s.inherited) {
        const asStd = std.indexOf(h.value);
        let fd = asStd;
        if (asStd < 0) {
          fd = next++;
          fds.push([h.fd, fd]);
        }
        handles.push([h.value, fd, h.type, h.access, h.share, h.flags]);
      }
      const boot: ChildBoot = { cmd: s.commandLine, env: s.env, handles, std, status: 3, resume, newGroup: s.newGroup || undefined };
      path = s.launcher[0];
      argv = [s.launcher[0], s.launcher[1], s.unixPath];
      env = [...s.hostEnv.filter(([k]) => k !== CHILD_BOOT_VARIABLE && k !== 'WINRUN_STATUS_FD').map(([k, v]) => `${k}=${v}`), `${CHILD_BOOT_VARIABLE}=${JSON.stringify(boot)}`];
    } else {
      path = s.unixPath;
      argv = s.argv;
      env = s.env.filter(([k]) => k !== CHILD_BOOT_VARIABLE).map(([k, v]) => `${k}=${v}`);
    }
    const pid = spawnProcess({ path, argv, env, fds, cwd: s.cwdUnix, newGroup: s.newGroup });
    const pidfd = pidfdOpen(pid);
    const slot = table.add({ pid, pidfd, statusFd: statusRead, resumeFd: resumeWrite, newGroup: s.newGroup });
    if (slot < 0 || pidfd < 0) {
      sendSignal(pid, 9);
      return { errno: 11 /* EAGAIN */ };
    }
    statusRead = resumeWrite = -1;
    return { slot, pid };
  } catch (e) {
    if (e instanceof SpawnError) return { errno: e.errno };
    throw e;
  } finally {
    for (const fd of opened) closeDescriptor(fd);
    if (statusRead >= 0) closeDescriptor(statusRead);
    if (resumeWrite >= 0) closeDescriptor(resumeWrite);
  }
}

/**
 * A handle put into a child that has not started yet (DuplicateHandle with the child as the
 * target process): its handle-table words travel as JSON with the descriptor attached. The
 * child applies the messages before its program starts (applyHandleMessages). 0 or -errno.
 */
export function sendHandleToChild(channel: number, value: number, h: Omit<HandleInfo, 'value' | 'fileId'>, fd: number): number {
  const words: [number, HandleType, number, number, number] = [value, h.type, h.access, h.share, h.flags];
  return sendWithDescriptor(channel, new TextEncoder().encode(JSON.stringify({ put: words })), fd);
}

/** Closes a handle in a child that has not started yet (DUPLICATE_CLOSE_SOURCE from it). */
export function closeHandleInChild(channel: number, value: number): number {
  return sendWithDescriptor(channel, new TextEncoder().encode(JSON.stringify({ close: value })), -1);
}

/**
 * The child's side: reads the resume channel until the parent closes it (ResumeThread), putting
 * each handle sent at its value and closing the ones named. `close` closes a handle of the
 * table with what it holds. Returns the values that could not be placed (taken already).
 */
export function applyHandleMessages(channel: number, table: HandleTable, close: (h: number) => void): number[] {
  const lost: number[] = [];
  for (;;) {
    const m = receiveWithDescriptor(channel, 1024);
    if (m === null || typeof m === 'number') return lost;
    const msg = JSON.parse(new TextDecoder().decode(m.data)) as { put?: [number, HandleType, number, number, number]; close?: number };
    if (msg.put && m.fd >= 0) {
      const [value, type, access, share, flags] = msg.put;
      if (!table.allocateAt(value, type, m.fd, { access, share, flags })) {
        closeDescriptor(m.fd);
        lost.push(value);
      }
    } else if (msg.close !== undefined) close(msg.close);
    else if (m.fd >= 0) closeDescriptor(m.fd);
  }
}

/**
 * Puts the handles a winrun parent passed at their values; returns the
 * values. Their descriptors become close-on-exec, as every descriptor winrun opens: they reach
 * a grandchild only through its own inheritance list.
 */
export function adoptInheritedHandles(table: HandleTable, child: ChildBoot | undefined): number[] {
  if (!child) return [];
  for (const fd of [child.status, child.resume]) if (fd >= 0) setCloseOnExec(fd, true);
  const values: number[] = [];
  for (const [value, fd, type, access, share, flags] of child.handles) {
    if (fd > 2) setCloseOnExec(fd, true);
    if (table.allocateAt(value, type, fd, { access, share, flags })) values.push(value);
  }
  return values;
}
