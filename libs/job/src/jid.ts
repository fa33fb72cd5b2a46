import { performance } from 'node:perf_hooks';
import { JobError } from './errors.js';

/** Options that shape a jid; the same keys as the master config. */
export interface JidOptions {
  /** Use UTC instead of the master's local time. @default false */
  utc_jid?: boolean;
  /** Append `_<pid>` so two masters sharing a job cache cannot collide. @default false */
  unique_jid?: boolean;
}

const MONTHS = ['', 'Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/*
 * Salt accepts any suffix after `_`; we only accept letters, digits and `-`,
 * so a jid is always a safe single path component (no `/`, `\`, `.`, NUL) and
 * never matches the `.tmp` names of atomic writes.
 */
const JID_RE = /^\d{20}(?:_[A-Za-z0-9-]+)?$/;

// Epoch microseconds of the last jid handed out in this process.
let lastMicros = 0;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** Formats epoch microseconds as the 20 jid digits, local time unless `utc`. */
function digits(micros: number, utc: boolean): string {
  const d = new Date(Math.floor(micros / 1000));
  const frac = ((micros % 1_000_000) + 1_000_000) % 1_000_000;
  const parts = utc
    ? [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()]
    : [d.getFullYear(), d.getMonth() + 1, d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()];
  const [y, mo, da, h, mi, s] = parts as [number, number, number, number, number, number];
  return `${pad(y, 4)}${pad(mo, 2)}${pad(da, 2)}${pad(h, 2)}${pad(mi, 2)}${pad(s, 2)}${pad(frac, 6)}`;
}

/**
 * A new 20-digit jid `YYYYMMDDhhmmssffffff` in master local time (UTC with
 * `utc_jid`). Strictly increasing within the process: Date.now() only has
 * ms precision, so the sub-ms part comes from the high-resolution clock and a
 * value not above the last one becomes last + 1 µs.
 */
export function genJid(opts: JidOptions = {}): string {
  const subMs = Math.floor((performance.now() % 1) * 1000);
  let micros = Date.now() * 1000 + subMs;
  if (micros <= lastMicros) micros = lastMicros + 1;
  lastMicros = micros;
  const jid = digits(micros, opts.utc_jid === true);
  return opts.unique_jid ? `${jid}_${process.pid}` : jid;
}

/** The jid for a given instant (µs part from the ms), for tests and back-dated jobs. */
export function jidFromDate(date: Date, opts: JidOptions = {}): string {
  return digits(date.getTime() * 1000, opts.utc_jid === true);
}

/** Salt's `is_jid`: 20 digits, optionally `_<suffix>` (stricter suffix, see JID_RE). */
export function isJid(s: unknown): boolean {
  return typeof s === 'string' && JID_RE.test(s);
}

/** Throws JobError('BAD_JID') unless `jid` is a jid; use before building any path from it. */
export function assertJid(jid: unknown): asserts jid is string {
  if (!isJid(jid)) throw new JobError('BAD_JID', `Invalid jid: ${JSON.stringify(jid)?.slice(0, 60) ?? String(jid)}`);
}

/**
 * The instant a jid names. Jids carry no zone: they are read as local time,
 * or as UTC when `utc` is set (a master running with `utc_jid`).
 */
export function jidToDate(jid: string, utc = false): Date {
  assertJid(jid);
  const n = (a: number, b: number): number => Number(jid.slice(a, b));
  const ms = Math.floor(n(14, 20) / 1000);
  return utc
    ? new Date(Date.UTC(n(0, 4), n(4, 6) - 1, n(6, 8), n(8, 10), n(10, 12), n(12, 14), ms))
    : new Date(n(0, 4), n(4, 6) - 1, n(6, 8), n(8, 10), n(10, 12), n(12, 14), ms);
}

/** Salt's `jid_to_time`: "2019, Jul 24 15:55:01.240253", or "" for a non-jid. */
export function jidToTime(jid: string): string {
  if (!isJid(jid)) return '';
  const month = MONTHS[Number(jid.slice(4, 6))] ?? '';
  return `${jid.slice(0, 4)}, ${month} ${jid.slice(6, 8)} ${jid.slice(8, 10)}:${jid.slice(10, 12)}:${jid.slice(12, 14)}.${jid.slice(14, 20)}`;
}
