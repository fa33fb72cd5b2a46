/*
 * Dates in schedule entries. Salt parses `when`, `range`, `until` and
 * `after` with python-dateutil, which reads almost any English date; tsalt
 * reads the ISO 8601 forms (`2026-12-03`, `2026-12-03 17:00`,
 * `2026-12-03T17:00:00`, with an optional `Z` or `±hh:mm`) and a bare time
 * of day (`17:00`, `5:00pm`), which, as with dateutil, means today. Times
 * without an offset are local, as Salt's naive datetimes are.
 */

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
const TIME_OF_DAY = /^(\d{1,2}):(\d{2})(?::(\d{2}))?\s*(am|pm)?$/i;
const HOUR_AMPM = /^(\d{1,2})\s*(am|pm)$/i;

function validDate(y: number, mo: number, d: number, h: number, mi: number, s: number): boolean {
  return mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && s <= 59;
}

function twelveHour(h: number, ampm: string | undefined): number | undefined {
  if (!ampm) return h;
  if (h < 1 || h > 12) return undefined;
  const pm = ampm.toLowerCase() === 'pm';
  return (h % 12) + (pm ? 12 : 0);
}

/** A date string as ms since epoch, or undefined when tsalt cannot read it. `now` gives the day of a bare time. */
export function parseDate(text: unknown, now: number): number | undefined {
  if (typeof text === 'number' && Number.isFinite(text)) return text * 1000; // a Unix time in s
  if (typeof text !== 'string') return undefined;
  const s = text.trim();
  const iso = ISO.exec(s);
  if (iso) {
    const [y, mo, d, h, mi, sec] = [1, 2, 3, 4, 5, 6].map((i) => Number(iso[i] ?? 0)) as [
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    if (!validDate(y, mo, d, h, mi, sec)) return undefined;
    const ms = Number((iso[7] ?? '').padEnd(3, '0').slice(0, 3));
    const tz = iso[8];
    if (!tz) {
      const local = new Date(y, mo - 1, d, h, mi, sec, ms);
      return local.getDate() === d ? local.getTime() : undefined;
    }
    const utc = Date.UTC(y, mo - 1, d, h, mi, sec, ms);
    if (tz.toUpperCase() === 'Z') return utc;
    const sign = tz.startsWith('-') ? -1 : 1;
    const digits = tz.slice(1).replace(':', '');
    const offsetMin = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2));
    return utc - sign * offsetMin * 60_000;
  }
  const tod = TIME_OF_DAY.exec(s);
  const hour = tod ? undefined : HOUR_AMPM.exec(s);
  if (tod || hour) {
    const m = (tod ?? hour)!;
    const h = twelveHour(Number(m[1]), tod ? m[4] : m[2]);
    const mi = tod ? Number(m[2]) : 0;
    const sec = tod ? Number(m[3] ?? 0) : 0;
    if (h === undefined || !validDate(2000, 1, 1, h, mi, sec)) return undefined;
    const day = new Date(now);
    day.setHours(h, mi, sec, 0);
    return day.getTime();
  }
  return undefined;
}

const STRPTIME: Readonly<Record<string, string>> = {
  Y: '(?<Y>\\d{4})',
  m: '(?<m>\\d{1,2})',
  d: '(?<d>\\d{1,2})',
  H: '(?<H>\\d{1,2})',
  M: '(?<M>\\d{1,2})',
  S: '(?<S>\\d{1,2})',
  '%': '%',
};

/**
 * Python's `datetime.strptime` for the directives `once_fmt` uses in
 * practice (%Y %m %d %H %M %S %%); another directive, or text that does not
 * match, gives undefined. Local time.
 */
export function strptime(text: unknown, fmt: string): number | undefined {
  if (typeof text !== 'string') return undefined;
  let re = '';
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c !== '%') {
      re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      continue;
    }
    const part = STRPTIME[fmt[++i] ?? ''];
    if (part === undefined) return undefined;
    re += part;
  }
  const g = new RegExp(`^${re}$`).exec(text)?.groups ?? (fmt.includes('%') ? undefined : {});
  if (!g) return undefined;
  const n = (k: string, dflt: number): number => (g[k] === undefined ? dflt : Number(g[k]));
  const [y, mo, d, h, mi, s] = [n('Y', 1900), n('m', 1), n('d', 1), n('H', 0), n('M', 0), n('S', 0)];
  if (!validDate(y, mo, d, h, mi, s)) return undefined;
  const date = new Date(y, mo - 1, d, h, mi, s);
  return date.getDate() === d ? date.getTime() : undefined;
}

/** Python's `strftime('%Y-%m-%dT%H:%M:%S')` in local time: Salt's default `time_fmt`. */
export function isoLocal(ms: number): string {
  const d = new Date(ms);
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
