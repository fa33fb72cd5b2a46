/**
 * Python's `json.dumps(data, indent=..., default=repr)` byte for byte:
 * `", "`/`": "` separators on one line, `","` + newline when indented,
 * ensure_ascii escapes (`\u00e9`), floats as Python prints them, NaN and
 * Infinity bare, and anything JSON cannot hold as its Python repr string.
 */
import { pyNumber, pyRepr } from '@tsalt/core';

const SHORT_ESCAPES: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

/** ensure_ascii: only printable ASCII stays as is; UTF-16 units become \uXXXX (surrogate pairs included). */
export function jsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i] as string;
    const code = s.charCodeAt(i);
    const short = SHORT_ESCAPES[ch];
    if (short !== undefined) out += short;
    else if (code < 0x20 || code > 0x7e) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function jsonNumber(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  return pyNumber(x);
}

/** `indent` null: one line. A number (0 included) puts each item on its own line. */
export function pyJsonDumps(value: unknown, indent: number | null): string {
  return dump(value, indent, 0);
}

function dump(v: unknown, indent: number | null, level: number): string {
  if (v === null || v === undefined) return 'null';
  if (v === true) return 'true';
  if (v === false) return 'false';
  if (typeof v === 'number') return jsonNumber(v);
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return jsonString(v);
  if (Array.isArray(v))
    return container(
      '[',
      ']',
      v.map((x) => dump(x, indent, level + 1)),
      indent,
      level,
    );
  if (v instanceof Map) v = Object.fromEntries(v);
  if (
    typeof v === 'object' &&
    v !== null &&
    !(v instanceof Uint8Array) &&
    !(v instanceof Date) &&
    !(v instanceof Set)
  ) {
    const items = Object.entries(v as Record<string, unknown>).map(
      ([k, x]) => `${jsonString(k)}: ${dump(x, indent, level + 1)}`,
    );
    return container('{', '}', items, indent, level);
  }
  return jsonString(pyRepr(v)); // default=repr
}

function container(open: string, close: string, items: string[], indent: number | null, level: number): string {
  if (items.length === 0) return open + close;
  if (indent === null) return `${open}${items.join(', ')}${close}`;
  const inner = `\n${' '.repeat(indent * (level + 1))}`;
  return `${open}${inner}${items.join(`,${inner}`)}\n${' '.repeat(indent * level)}${close}`;
}
