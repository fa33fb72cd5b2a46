/*
 * JSON as Salt's `salt.utils.json.dumps` writes it (Python's json.dumps with
 * its defaults): ", " and ": " separators and ensure_ascii, so every byte is
 * ASCII. The layout matters: Salt's get_jids_filter finds find_job jobs with
 * `load NOT LIKE '%"fun": "saltutil.find_job"%'`, and dashboards built on
 * Salt's tables may search the text the same way. ASCII also means a 4-byte
 * character never meets the tables' 3-byte utf8 charset.
 */

const NON_ASCII = /[\u007f-\uffff]/g;

function str(s: string): string {
  return JSON.stringify(s).replace(NON_ASCII, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

const decoder = new TextDecoder('utf-8');

function dump(v: unknown, seen: Set<object>): string | undefined {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return str(v);
    case 'number':
      // Python writes NaN/Infinity; they are not JSON and no reader here takes them.
      return Number.isFinite(v) ? String(v) : 'null';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'bigint':
      return v.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
    default:
      break;
  }
  const o = v;
  // Bytes from msgpack: Salt decodes them to text before dumping.
  if (o instanceof Uint8Array) return str(decoder.decode(o));
  if (o instanceof Date) return str(o.toISOString());
  if (seen.has(o)) return 'null';
  seen.add(o);
  try {
    const withToJson = o as { toJSON?: () => unknown };
    if (typeof withToJson.toJSON === 'function') return dump(withToJson.toJSON(), seen);
    if (Array.isArray(o)) return `[${o.map((x) => dump(x, seen) ?? 'null').join(', ')}]`;
    const parts: string[] = [];
    for (const [k, x] of Object.entries(o)) {
      const d = dump(x, seen);
      if (d !== undefined) parts.push(`${str(k)}: ${d}`);
    }
    return `{${parts.join(', ')}}`;
  } finally {
    seen.delete(o);
  }
}

/** Python-style JSON text of `v` (undefined at top level becomes `null`). */
export function pyJsonDumps(v: unknown): string {
  return dump(v, new Set()) ?? 'null';
}
