/**
 * Time zones as the host knows them, through Node's Date and Intl (ICU with the host's tz
 * database; Node reads TZ when it starts). `zone` undefined means the host's own zone; otherwise
 * an IANA name such as "America/New_York".
 */

/** The host zone's canonical IANA name ("Europe/Berlin", "UTC"), or undefined when TZ names a
 *  file or a rule ICU cannot name. */
let hostZone: { id: string | undefined } | undefined;

export function hostZoneId(): string | undefined {
  if (!hostZone) {
    const id = Intl.DateTimeFormat().resolvedOptions().timeZone as string | undefined;
    hostZone = { id: id === undefined || id === 'Etc/Unknown' ? undefined : id };
  }
  return hostZone.id;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(zone: string | undefined, style: 'longOffset' | 'long'): Intl.DateTimeFormat {
  const key = `${zone ?? ''}|${style}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: style });
    formatters.set(key, f);
  }
  return f;
}

function zoneNamePart(f: Intl.DateTimeFormat, utcMs: number): string {
  return f.formatToParts(utcMs).find((p) => p.type === 'timeZoneName')?.value ?? '';
}

/** Whether ICU knows the IANA zone `zone`. */
export function zoneKnown(zone: string): boolean {
  try {
    formatter(zone, 'longOffset');
    return true;
  } catch {
    return false;
  }
}

/** Minutes east of UTC in effect at the UTC instant `utcMs`. */
export function utcOffsetMinutes(utcMs: number, zone?: string): number {
  // Whole minutes: before standard time, zones ran on local mean time (Berlin +0:53:28).
  if (zone === undefined) return -Math.round(new Date(utcMs).getTimezoneOffset());
  const m = /^GMT(?:([+-])(\d{2}):(\d{2}))?/.exec(zoneNamePart(formatter(zone, 'longOffset'), utcMs));
  if (!m?.[1]) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

/** The zone's English long name at an instant ("Central European Summer Time", "GMT+03:00"). */
export function zoneLongName(utcMs: number, zone?: string): string {
  return zoneNamePart(formatter(zone, 'long'), utcMs);
}

/** An offset change: at `at` (UTC ms) the offset goes from `before` to `after` (minutes east). */
export interface OffsetChange {
  at: number;
  before: number;
  after: number;
}

const DAY_MS = 86_400_000;
const transitionCache = new Map<string, OffsetChange[]>();

/**
 * The offset changes in [fromMs, toMs), found by sampling once a day and bisecting each change
 * down to the second (rules change offsets at whole seconds). Two changes within one day are
 * not seen; no zone does that.
 */
export function offsetChanges(fromMs: number, toMs: number, zone?: string): OffsetChange[] {
  const key = `${zone ?? ''}|${fromMs}|${toMs}`;
  const hit = transitionCache.get(key);
  if (hit) return hit;
  const out: OffsetChange[] = [];
  let t = fromMs;
  let off = utcOffsetMinutes(t, zone);
  while (t < toMs) {
    const next = Math.min(t + DAY_MS, toMs);
    const o = utcOffsetMinutes(next, zone);
    if (o !== off) {
      let lo = t; // offset `off` at lo, `o` at hi
      let hi = next;
      while (hi - lo > 1000) {
        const mid = lo + Math.max(1000, Math.floor((hi - lo) / 2000) * 1000);
        if (mid >= hi) break;
        if (utcOffsetMinutes(mid, zone) === off) lo = mid;
        else hi = mid;
      }
      if (hi < toMs) out.push({ at: hi, before: off, after: o });
      off = o;
    }
    t = next;
  }
  transitionCache.set(key, out);
  return out;
}
