/**
 * Making text that came from a peer safe to write into a log line: control
 * characters escaped (a newline in a minion's `cmd` must not start a forged
 * `[CRITICAL]` line, an ESC must not drive the operator's terminal) and its
 * size capped (one request must not write megabytes of log).
 */

/** The largest string written in a log line unless configured (`log_peer_max_chars`), UTF-16 units. */
export const DEFAULT_LOG_MAX_CHARS = 500;

/** C0, DEL, C1, and the Unicode line and paragraph separators some viewers break lines on. */
const CONTROL = /[\x00-\x1f\x7f-\x9f\u2028\u2029]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function escapeOne(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code > 0xff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\x${code.toString(16).padStart(2, '0')}`;
}

/** `text` with every control character written as an escape (`\n`, `\x1b`, `\u2028`), so it stays one line. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, escapeOne);
}

/** `text` cut to `max` UTF-16 units, with how much was left off; never splits a surrogate pair. */
export function clipText(text: string, max = DEFAULT_LOG_MAX_CHARS): string {
  if (max <= 0 || text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…[+${text.length - end} chars]`;
}

/** A peer's string as it may appear in a log line: cut, then escaped. */
export function peerText(text: unknown, max = DEFAULT_LOG_MAX_CHARS): string {
  return escapeControl(clipText(typeof text === 'string' ? text : String(text), max));
}

/**
 * A log record's fields with every string cut to `max` (nested maps and
 * lists too, `depth` levels down). Errors and non-plain objects pass as they
 * are: pino serialises those itself.
 */
export function clipFields(value: unknown, max: number, depth = 4): unknown {
  if (typeof value === 'string') return clipText(value, max);
  if (depth <= 0 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const items = value.length > max ? value.slice(0, max) : value;
    return items.map((v) => clipFields(v, max, depth - 1));
  }
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[clipText(k, max)] = clipFields(v, max, depth - 1);
  return out;
}
