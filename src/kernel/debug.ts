/**
 * Debug channels, set by WINRUN_DEBUG or `--debug SPEC` in the WINEDEBUG style:
 *   +relay,+file,-heap   turn channels on (all levels) or off
 *   warn+all, trace-seh  one level for a channel (levels: err, fixme, warn, trace)
 *   -all                 silence everything, including the default err and fixme
 * By default err and fixme are on for every channel, warn and trace off. Items apply left to
 * right. Messages are `level:channel:function text`, as Wine prints them. Each process has
 * one DebugChannels; the relay decision is taken once when the dispatcher is built, so a
 * disabled channel costs nothing on the API-call path.
 */
export const LEVELS = ['err', 'fixme', 'warn', 'trace'] as const;
export type DebugLevel = (typeof LEVELS)[number];

/** The channels winrun's code uses; unknown names in a spec are accepted (for later ones). */
export const CHANNELS = ['relay', 'stub', 'loader', 'module', 'file', 'heap', 'seh', 'thread', 'process', 'console', 'reg', 'advapi', 'bcrypt', 'oleaut', 'crt', 'sync', 'virtual', 'nls', 'time'] as const;
export type DebugChannel = (typeof CHANNELS)[number];

const BIT: Record<DebugLevel, number> = { err: 1, fixme: 2, warn: 4, trace: 8 };
const ALL_LEVELS = 15;
const DEFAULT = BIT.err | BIT.fixme;

export class DebugSpecError extends Error {
  override readonly name = 'DebugSpecError';
}

export class DebugChannels {
  private readonly levels = new Map<string, number>();
  private defaultLevels = DEFAULT;
  private readonly seen = new Set<string>();

  constructor(
    spec = '',
    private readonly write: (line: string) => void = () => undefined,
  ) {
    for (const raw of spec.split(',')) {
      const item = raw.trim();
      if (item === '') continue;
      const m = /^(err|fixme|warn|trace)?([+-])([A-Za-z0-9_]+)$/.exec(item);
      if (!m) throw new DebugSpecError(`bad debug item "${item}" (expected e.g. +relay, -heap, warn+all, -all)`);
      const bits = m[1] ? BIT[m[1] as DebugLevel] : ALL_LEVELS;
      const on = m[2] === '+';
      const name = m[3]!.toLowerCase();
      if (name === 'all') {
        this.defaultLevels = on ? this.defaultLevels | bits : this.defaultLevels & ~bits;
        for (const [k, v] of this.levels) this.levels.set(k, on ? v | bits : v & ~bits);
      } else {
        const cur = this.levels.get(name) ?? this.defaultLevels;
        this.levels.set(name, on ? cur | bits : cur & ~bits);
      }
    }
  }

  on(channel: DebugChannel, level: DebugLevel): boolean {
    return ((this.levels.get(channel) ?? this.defaultLevels) & BIT[level]) !== 0;
  }

  /** Prints `level:channel:func text` when the channel and level are on. */
  log(channel: DebugChannel, level: DebugLevel, func: string, text: string): void {
    if (this.on(channel, level)) this.write(`${level}:${channel}:${func} ${text}\n`);
  }

  /** A fixme printed once per call site (`site` identifies it, e.g. a guest return address). */
  fixmeOnce(channel: DebugChannel, func: string, site: string, text: string): void {
    if (!this.on(channel, 'fixme')) return;
    const key = `${channel}:${func}:${site}:${text}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.write(`fixme:${channel}:${func} ${text}\n`);
  }
}
