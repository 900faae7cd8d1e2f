/**
 * Where named pipes live on Linux (kernel/namedpipes.ts): a per-user runtime directory,
 * `$XDG_RUNTIME_DIR/winrun/pipe` (a directory only this user can enter), or else
 * `/tmp/winrun-<uid>/pipe` made mode 0700. Named pipes are machine-wide on Windows; here they are
 * shared by every winrun process of the user, whatever their prefix.
 */
import { mkdirSync, readFileSync, statSync } from 'node:fs';

/** The directory (made if needed), or undefined when it cannot be made or is not this user's. */
export function namedPipeDirectory(): string | undefined {
  const uid = process.getuid?.() ?? 0;
  const runtime = process.env.XDG_RUNTIME_DIR;
  const base = runtime && runtime.startsWith('/') ? `${runtime}/winrun` : `/tmp/winrun-${uid}`;
  try {
    mkdirSync(base, { recursive: true, mode: 0o700 });
    const st = statSync(base);
    if (st.uid !== uid || (st.mode & 0o077) !== 0) return undefined;
    mkdirSync(`${base}/pipe`, { recursive: true, mode: 0o700 });
    return `${base}/pipe`;
  } catch {
    return undefined;
  }
}

/** The paths of the Unix sockets listening on this machine now (/proc/net/unix: flags
 *  __SO_ACCEPTCON); a socket whose queue is full is among them. */
export function listeningSocketPaths(): Set<string> {
  const out = new Set<string>();
  let text: string;
  try {
    text = readFileSync('/proc/net/unix', 'latin1');
  } catch {
    return out;
  }
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length >= 8 && (parseInt(f[3]!, 16) & 0x10000) !== 0) out.add(f.slice(7).join(' '));
  }
  return out;
}
