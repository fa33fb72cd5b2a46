/**
 * Reading `mine_functions` (Salt's salt.utils.mine and config.merge):
 * where the functions come from, and what each entry means.
 */

/** Salt's marks of a mine entry that carries a minion-side ACL (salt.utils.mine). */
export const MINE_ACL_ID = '__saltmine_acl__';
export const MINE_ACL_DATA = '__data__';
const MINE_ACL_VERSION = 1;

/** One `mine_functions` entry, read as Salt's parse_function_definition reads it. */
export interface MineFunctionDef {
  /** `mine_function:`, when the entry's key is an alias; undefined when the key is the function. */
  fun: string | undefined;
  args: unknown[];
  kwargs: Record<string, unknown>;
  /** `allow_tgt` / `allow_tgt_type`, only those set (and truthy). */
  acl: { allow_tgt?: unknown; allow_tgt_type?: unknown };
}

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Python truthiness for the values an ACL field can hold. */
function truthy(v: unknown): boolean {
  if (v === undefined || v === null || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

/**
 * One entry's value: a mapping is kwargs (with `mine_function` naming the
 * function for an alias); a list holds positional args and mappings of
 * kwargs (`- mine_function: network.ip_addrs`, `- interface: eth0`);
 * anything else (`[]`, null) calls the function bare. `allow_tgt` and
 * `allow_tgt_type` are taken out of the kwargs in both forms.
 */
export function parseFunctionDefinition(def: unknown): MineFunctionDef {
  let kwargs: Record<string, unknown> = {};
  const args: unknown[] = [];
  if (isMap(def)) {
    kwargs = { ...def };
  } else if (Array.isArray(def)) {
    for (const item of def) {
      if (isMap(item)) Object.assign(kwargs, item);
      else args.push(item);
    }
  }
  const { mine_function: fun, allow_tgt, allow_tgt_type, ...rest } = kwargs;
  const acl: MineFunctionDef['acl'] = {};
  if (truthy(allow_tgt)) acl.allow_tgt = allow_tgt;
  if (truthy(allow_tgt_type)) acl.allow_tgt_type = allow_tgt_type;
  return { fun: typeof fun === 'string' && fun ? fun : undefined, args, kwargs: rest, acl };
}

/**
 * Salt's `config.merge('mine_functions')`: the minion config's, then the
 * pillar's `master:` copy, then the pillar's own; on a clash the earlier
 * one wins (a function the config names keeps the config's arguments).
 * A list in the config or pillar (`[network.ip_addrs, disk.usage]`) names
 * functions called bare.
 */
export function mergedMineFunctions(
  opts: Readonly<Record<string, unknown>>,
  pillar: Readonly<Record<string, unknown>>,
): Record<string, unknown> {
  const masterPillar = pillar['master'];
  const sources = [opts['mine_functions'], isMap(masterPillar) ? masterPillar['mine_functions'] : undefined];
  sources.push(pillar['mine_functions']);
  const out: Record<string, unknown> = {};
  for (const src of sources.reverse()) Object.assign(out, asFunctionMap(src));
  return out;
}

/** A `mine_functions` value as a mapping: a list of names maps each to `{}`; anything else is none. */
export function asFunctionMap(v: unknown): Record<string, unknown> {
  if (isMap(v)) return v;
  if (Array.isArray(v)) return Object.fromEntries(v.filter((f) => typeof f === 'string').map((f) => [f, {}]));
  return {};
}

/** Salt's wrap_acl_structure: the data under `__data__`, marked, with the ACL beside it. */
export function wrapAcl(data: unknown, acl: MineFunctionDef['acl']): Record<string, unknown> {
  return { [MINE_ACL_DATA]: data, [MINE_ACL_ID]: MINE_ACL_VERSION, ...acl };
}

/** Salt's `mine.valid` shape of one entry: an alias shows `{function: [args..., {kwarg: value}...]}`. */
export function validEntry(def: unknown, parsed: MineFunctionDef): unknown {
  // Salt's parse pops mine_function and the ACL out of a mapping in place, so it shows the rest.
  if (parsed.fun === undefined) return isMap(def) ? parsed.kwargs : def;
  return { [parsed.fun]: [...parsed.args, ...Object.entries(parsed.kwargs).map(([k, v]) => ({ [k]: v }))] };
}
