/**
 * The bits of Python's semantics the highstate outputter's text depends on:
 * truthiness, `str()` of a float, `f'{x:.3f}'`, `round(x, 3)`, `float(s)`,
 * `str.strip()`. Salt's outputter is Python; printing the same bytes needs
 * the same rules.
 */
import { pyNumber, pyStr } from '@tsalt/core';

/**
 * Raised where Salt's outputter raises KeyError, AttributeError or
 * TypeError: Salt's try_printout then prints the data with nested instead.
 */
export class FallBackToNested extends Error {
  constructor(why: string) {
    super(why);
    this.name = 'FallBackToNested';
  }
}

export function isDict(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** Python `bool(v)` for JSON-ish data. */
export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Uint8Array) return v.length > 0;
  if (isDict(v)) return Object.keys(v).length > 0;
  return true;
}

/**
 * Python `str()` of a value Salt holds as a float (durations): JS cannot tell
 * 5 from 5.0, and Salt's durations are always floats, so integers get `.0`.
 */
export function pyFloatStr(v: unknown): string {
  if (typeof v === 'number' && Number.isInteger(v) && Math.abs(v) < 1e16) return `${v}.0`;
  return pyStr(v);
}

/**
 * Python `f'{x:.{digits}f}'`: correctly rounded, an exact tie to even (JS
 * toFixed rounds exact ties up: 0.0625 is '0.063' there, '0.062' in Python).
 */
export function pyFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const rounded = x.toFixed(digits);
  // toFixed(20) shows a double's expansion far enough to tell an exact tie at digit `digits + 1`.
  const exact = Math.abs(x) < 1e21 ? Math.abs(x).toFixed(20) : '';
  const dot = exact.indexOf('.');
  if (dot < 0 || !/^50*$/.test(exact.slice(dot + 1 + digits))) return rounded;
  const truncated = exact.slice(0, digits > 0 ? dot + 1 + digits : dot);
  // A tie: Python keeps whichever neighbour ends in an even digit; toFixed always took the upper one.
  return Number(truncated[truncated.length - 1]) % 2 === 0 ? (x < 0 ? '-' : '') + truncated : rounded;
}

/** Python `round(x, 3)`. */
export function pyRound(x: number, digits: number): number {
  return Number(pyFixed(x, digits));
}

const FLOAT_RE =
  /^[+-]?(?:(?:\d(?:_?\d)*)?\.?\d(?:_?\d)*(?:[eE][+-]?\d(?:_?\d)*)?|\d(?:_?\d)*\.(?:[eE][+-]?\d(?:_?\d)*)?)$/;

/** Python `float(v)`: a number, or undefined where Python raises ValueError; TypeError falls back. */
export function pyFloat(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v !== 'string') throw new FallBackToNested(`float() argument must be a string or a real number`);
  const s = pyStrip(v);
  const low = s.toLowerCase().replace(/^[+-]/, '');
  const neg = s.startsWith('-');
  if (low === 'inf' || low === 'infinity') return neg ? -Infinity : Infinity;
  if (low === 'nan') return NaN;
  return FLOAT_RE.test(s) ? Number(s.replace(/_/g, '')) : undefined;
}

// str.isspace() characters: what Python's strip() removes.
const WS = ' \\t\\n\\r\\v\\f\\x1c-\\x1f\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const STRIP = new RegExp(`^[${WS}]+|[${WS}]+$`, 'g');
const LSTRIP = new RegExp(`^[${WS}]+`);
const RSTRIP = new RegExp(`[${WS}]+$`);

export function pyStrip(s: string): string {
  return s.replace(STRIP, '');
}

export function pyLstrip(s: string): string {
  return s.replace(LSTRIP, '');
}

export function pyRstrip(s: string): string {
  return s.replace(RSTRIP, '');
}

/** Python `'-'.join(...)` of a value: a string joins its characters; anything but strings fails. */
export function pyJoinLines(v: unknown): string {
  const items = typeof v === 'string' ? [...v] : Array.isArray(v) ? v : undefined;
  if (items === undefined || items.some((i) => typeof i !== 'string'))
    throw new FallBackToNested('can only join an iterable of str');
  return items.join('\n');
}

/** Python `str(x)` of a number from `round()`/division: a float. */
export function pyFloatNumber(x: number): string {
  return Number.isInteger(x) && Math.abs(x) < 1e16 ? `${x}.0` : pyNumber(x);
}
