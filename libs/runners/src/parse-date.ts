import { isJid, jidToDate } from '@tsalt/job';
import { RunnerError } from './errors.js';

/*
 * A small stand-in for dateutil.parser.parse, for jobs.list_jobs start/end
 * times. Reads what people type: "2015, Mar 16 19:00" (Salt's StartTime
 * style), "2015-03-16 19:00:00", "2015-03-16T19:00Z", "Mar 16 2015 7:00pm",
 * "03/16/2015" (month first, as dateutil), a bare "19:00" (today), or a jid.
 * Missing parts default as dateutil does: today's date, midnight.
 * Without a zone the time is local, like the jids it is compared with.
 */

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

interface Parts {
  year?: number;
  month?: number;
  day?: number;
  hour?: number;
  minute?: number;
  second?: number;
  ms?: number;
  ampm?: 'am' | 'pm';
  offsetMin?: number;
}

function bad(s: string): RunnerError {
  return new RunnerError('BAD_DATE', `Could not parse the date ${JSON.stringify(s)}`);
}

function fraction(f: string | undefined): number {
  return f ? Math.floor(Number(f.padEnd(6, '0').slice(0, 6)) / 1000) : 0;
}

function zone(z: string): number | undefined {
  if (/^(z|utc|gmt)$/i.test(z)) return 0;
  const m = /^([+-])(\d{2}):?(\d{2})$/.exec(z);
  if (!m) return undefined;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

function setTime(p: Parts, tok: string): boolean {
  const m = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?(am|pm)?$/i.exec(tok);
  if (!m || p.hour !== undefined) return false;
  p.hour = Number(m[1]);
  p.minute = Number(m[2]);
  p.second = m[3] ? Number(m[3]) : 0;
  p.ms = fraction(m[4]);
  if (m[5]) p.ampm = m[5].toLowerCase() as 'am' | 'pm';
  return true;
}

function token(p: Parts, tok: string): boolean {
  const lower = tok.toLowerCase().replace(/\.$/, '');
  let m: RegExpExecArray | null;
  if ((m = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:t(.+))?$/.exec(lower))) {
    [p.year, p.month, p.day] = [Number(m[1]), Number(m[2]), Number(m[3])];
    if (!m[4]) return true;
    // ISO time glued with T, perhaps with a zone glued on too.
    const t = /^([\d:.,]+)(z|[+-]\d{2}:?\d{2})?$/.exec(m[4]);
    if (!t || !setTime(p, t[1]!)) return false;
    if (t[2]) p.offsetMin = zone(t[2]);
    return true;
  }
  if ((m = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})$/.exec(lower))) {
    const y = Number(m[3]);
    [p.month, p.day, p.year] = [Number(m[1]), Number(m[2]), m[3]!.length === 2 ? 2000 + y : y];
    return true;
  }
  if (setTime(p, lower)) return true;
  if (lower === 'am' || lower === 'pm') {
    p.ampm = lower;
    return true;
  }
  const z = zone(tok);
  if (z !== undefined && /^[+-]|^(z|utc|gmt)$/i.test(tok)) {
    p.offsetMin = z;
    return true;
  }
  if (/^[a-z]{3,}$/.test(lower)) {
    const month = MONTHS.indexOf(lower.slice(0, 3));
    if (month >= 0 && p.month === undefined) {
      p.month = month + 1;
      return true;
    }
    return WEEKDAYS.includes(lower.slice(0, 3));
  }
  if (/^\d{4}$/.test(lower) && p.year === undefined) {
    p.year = Number(lower);
    return true;
  }
  if (/^\d{1,2}$/.test(lower) && p.day === undefined) {
    p.day = Number(lower);
    return true;
  }
  return false;
}

export function parseDate(input: string, now: Date = new Date()): Date {
  const s = input.trim();
  if (isJid(s)) return jidToDate(s);
  const tokens = s.replace(/,/g, ' ').split(/\s+/).filter(Boolean);
  if (tokens.length === 0) throw bad(input);
  const p: Parts = {};
  for (const tok of tokens) if (!token(p, tok)) throw bad(input);
  let hour = p.hour ?? 0;
  if (p.ampm) {
    if (hour < 1 || hour > 12) throw bad(input);
    hour = (hour % 12) + (p.ampm === 'pm' ? 12 : 0);
  }
  const year = p.year ?? now.getFullYear();
  const month = p.month ?? now.getMonth() + 1;
  const day = p.day ?? now.getDate();
  const [minute, second, ms] = [p.minute ?? 0, p.second ?? 0, p.ms ?? 0];
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) throw bad(input);
  const d =
    p.offsetMin === undefined
      ? new Date(year, month - 1, day, hour, minute, second, ms)
      : new Date(Date.UTC(year, month - 1, day, hour, minute, second, ms) - p.offsetMin * 60_000);
  // Date rolls Feb 30 over into March; dateutil refuses it, so do we.
  const check = p.offsetMin === undefined ? d.getDate() : new Date(d.getTime() + p.offsetMin * 60_000).getUTCDate();
  if (check !== day) throw bad(input);
  return d;
}
