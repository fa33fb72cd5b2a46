import { isRecord } from './format.js';

/**
 * Salt's `get_returner_options`: where a returner finds its settings.
 *
 * Order, first hit wins, per key:
 *   1. `ret_kwargs` (`--return_kwargs '{"db": "x"}'`), by the bare key (`db`);
 *   2. with `ret_config` set (`--return_config alt`): `alt.<name>.<key>`, or the
 *      nested form `alt.<name>: {<key>: ...}`;
 *   3. `<name>.<key>` (`mysql.host`), or the nested form `<name>: {host: ...}`;
 *   4. `defaults[key]`.
 * The string 'None' (any case) means unset, as in Salt's returners. Only the
 * keys named in `defaults` are resolved (Salt's `attrs`); give a key a null
 * default to look it up without a fallback. Grains and pillar are not read.
 *
 * The result holds passwords: never log it, never put it in an error.
 */
export interface ReturnerOptionsSource {
  /** An alternative config prefix (`--return_config`); a ret load can be passed as is. */
  ret_config?: unknown;
  /** Per-call overrides (`--return_kwargs`): a mapping, or its JSON text. */
  ret_kwargs?: unknown;
}

export type ResolvedOptions<D extends Record<string, unknown>> = { [K in keyof D]: unknown };

function isNone(v: unknown): boolean {
  return v === undefined || v === null || (typeof v === 'string' && v.toLowerCase() === 'none');
}

/** `<prefix>.<key>` flat, else `<prefix>: {<key>: ...}` nested; undefined when neither is set. */
function lookup(opts: Readonly<Record<string, unknown>>, prefix: string, key: string): unknown {
  const flat = opts[`${prefix}.${key}`];
  if (!isNone(flat)) return flat;
  // `alt.mysql` may itself be a flat key holding a mapping, or live under `alt: {mysql: {...}}`.
  const parts = prefix.split('.');
  let node: unknown = opts[prefix];
  if (!isRecord(node)) {
    node = opts;
    for (const p of parts) node = isRecord(node) ? node[p] : undefined;
  }
  if (!isRecord(node)) return undefined;
  const v = node[key];
  return isNone(v) ? undefined : v;
}

function kwargsOf(src: ReturnerOptionsSource | undefined): Record<string, unknown> {
  const kw = src?.ret_kwargs;
  if (isRecord(kw)) return kw;
  if (typeof kw === 'string' && kw.trim().startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(kw);
      if (isRecord(parsed)) return parsed;
    } catch {
      // A malformed --return_kwargs is ignored, as Salt ignores a non-dict one.
    }
  }
  return {};
}

export function returnerOptions<D extends Record<string, unknown>>(
  opts: Readonly<Record<string, unknown>>,
  name: string,
  defaults: D,
  source?: ReturnerOptionsSource,
): ResolvedOptions<D> {
  const kwargs = kwargsOf(source);
  const retConfig = typeof source?.ret_config === 'string' && source.ret_config !== '' ? source.ret_config : undefined;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(defaults)) {
    let v: unknown = kwargs[key];
    if (isNone(v) && retConfig !== undefined) v = lookup(opts, `${retConfig}.${name}`, key);
    if (isNone(v)) v = lookup(opts, name, key);
    if (isNone(v)) v = defaults[key];
    out[key] = isNone(v) ? null : v;
  }
  return out as ResolvedOptions<D>;
}

/** A resolved option as a non-empty string, or undefined. */
export function optionString(v: unknown): string | undefined {
  if (typeof v === 'string') return v === '' ? undefined : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/** A resolved option as an integer (Salt does `int(port)`), or `fallback` when unset or not numeric. */
export function optionInt(v: unknown, fallback: number): number {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? Math.trunc(n) : fallback;
}
