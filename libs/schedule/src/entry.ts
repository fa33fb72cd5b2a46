import { pyRepr } from '@tsalt/core';
import { validCron } from './cron.js';
import { ScheduleError } from './errors.js';
import { parseDate, strptime } from './times.js';
import type { ScheduleEntry } from './types.js';

/** How an entry fires. */
export type Timing =
  | { kind: 'interval'; seconds: number }
  | { kind: 'once'; at: number }
  | { kind: 'when'; at: number[] }
  | { kind: 'cron'; spec: string }
  | { kind: 'none' };

const TIME_ELEMENTS = ['seconds', 'minutes', 'hours', 'days'] as const;
const SECONDS_PER: Readonly<Record<(typeof TIME_ELEMENTS)[number], number>> = {
  seconds: 1,
  minutes: 60,
  hours: 3600,
  days: 86400,
};
const SCHEDULING_ELEMENTS = ['when', 'cron', 'once'] as const;

const bad = (message: string): ScheduleError => new ScheduleError('BAD_ENTRY', message);

/** Python's `int()` of an interval field: an integer, a float (truncated) or a string of digits. */
function intervalPart(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return Math.trunc(v);
  if (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v)) return Number(v);
  return undefined;
}

/** The entry's function (`function`, or the older `func` / `fun`). */
export function entryFunction(entry: ScheduleEntry): string | undefined {
  for (const k of ['function', 'func', 'fun']) {
    const v = entry[k];
    if (typeof v === 'string' && v !== '') return v;
  }
  return undefined;
}

/**
 * The timing of one entry at `now`, or a ScheduleError whose message is the
 * log line (Salt's text where Salt has one). `when` is read again at every
 * evaluation, as Salt does, so a bare time of day means today's.
 */
export function entryTiming(name: string, entry: ScheduleEntry, now: number, whens?: Record<string, unknown>): Timing {
  const keys = new Set(Object.keys(entry));
  const sched = SCHEDULING_ELEMENTS.filter((k) => keys.has(k));
  if (sched.length > 1) throw bad(`Unable to use "${SCHEDULING_ELEMENTS.join('", "')}" options together. Ignoring.`);
  const timeKeys = TIME_ELEMENTS.filter((k) => keys.has(k));
  if (sched.length > 0 && timeKeys.length > 0)
    throw bad(
      `Unable to use "${TIME_ELEMENTS.join('", "')}" with "${SCHEDULING_ELEMENTS.join('", "')}" options. Ignoring`,
    );
  if (timeKeys.length > 0) {
    let seconds = 0;
    for (const k of timeKeys) {
      const n = intervalPart(entry[k]);
      if (n === undefined)
        throw bad(
          `Invalid ${k} value ${pyRepr(entry[k])} in scheduled job ${name}: not a number. Ignoring job ${name}.`,
        );
      seconds += n * SECONDS_PER[k];
    }
    if (seconds <= 0)
      throw bad(
        `Invalid interval of ${seconds} seconds in scheduled job ${name}: it must be positive. Ignoring job ${name}.`,
      );
    return { kind: 'interval', seconds };
  }
  if (keys.has('once')) {
    const fmt = typeof entry['once_fmt'] === 'string' ? entry['once_fmt'] : '%Y-%m-%dT%H:%M:%S';
    const at = strptime(entry['once'], fmt);
    if (at === undefined)
      throw bad(`Date string could not be parsed: ${String(entry['once'])}, ${fmt}. Ignoring job ${name}.`);
    return { kind: 'once', at };
  }
  if (keys.has('when')) {
    const raw: unknown[] = Array.isArray(entry['when']) ? entry['when'] : [entry['when']];
    const at: number[] = [];
    for (const item of raw) {
      const alias = typeof item === 'string' && whens && item in whens ? whens[item] : item;
      const t = parseDate(alias, now);
      if (t === undefined) throw bad(`Invalid date string ${String(item)}. Ignoring job ${name}.`);
      at.push(t);
    }
    return { kind: 'when', at: at.sort((a, b) => a - b) };
  }
  if (keys.has('cron')) {
    if (!validCron(entry['cron'])) throw bad(`Invalid cron string. Ignoring job ${name}.`);
    return { kind: 'cron', spec: entry['cron'] };
  }
  return { kind: 'none' };
}

/** A `range:` / `skip_during_range:` as [start, end] ms, or a ScheduleError with Salt's text. */
export function entryRange(
  name: string,
  range: unknown,
  now: number,
  what: 'range' | 'skip_during_range',
): [number, number] {
  if (typeof range !== 'object' || range === null || Array.isArray(range))
    throw bad(`schedule.handle_func: Invalid, range must be specified as a dictionary.Ignoring job ${name}.`);
  const r = range as Record<string, unknown>;
  const start = parseDate(r['start'], now);
  const suffix = what === 'range' ? '' : ' in skip_during_range';
  if (start === undefined) throw bad(`Invalid date string for start${suffix}. Ignoring job ${name}.`);
  const end = parseDate(r['end'], now);
  if (end === undefined) throw bad(`Invalid date string for end${suffix}. Ignoring job ${name}.`);
  if (!(end > start))
    throw bad(`schedule.handle_func: Invalid range, end must be larger than start. Ignoring job ${name}.`);
  return [start, end];
}

/** A `splay:` as seconds to wait, or undefined for none (Salt: randint(1, n), or randint(start, end)). */
export function splaySeconds(
  splay: unknown,
  randomInt: (lo: number, hi: number) => number,
): number | undefined | 'bad' {
  if (splay === undefined || splay === null || splay === false || splay === 0) return undefined;
  if (typeof splay === 'number' && Number.isFinite(splay) && splay >= 1) return randomInt(1, Math.trunc(splay));
  if (typeof splay === 'object' && !Array.isArray(splay)) {
    const s = intervalPart((splay as Record<string, unknown>)['start']);
    const e = intervalPart((splay as Record<string, unknown>)['end']);
    if (s !== undefined && e !== undefined && e >= s) return randomInt(s, e);
  }
  return 'bad';
}
