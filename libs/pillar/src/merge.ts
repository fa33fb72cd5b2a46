import { isRecord } from '@tsalt/core';

/** Salt's `pillar_source_merging_strategy` values. */
export type MergeStrategy = 'smart' | 'recurse' | 'aggregate' | 'overwrite' | 'list' | 'none';

export interface MergeOptions {
  /** @default 'smart' */
  strategy?: MergeStrategy;
  /** Salt's `pillar_merge_lists`: a later list extends an earlier one instead of replacing it. @default false */
  mergeLists?: boolean;
}

type Dict = Record<string, unknown>;

/** Sets a key as an own data property: a `__proto__` key from a minion's load stays data, not a prototype. */
function setKey(obj: Dict, key: string, value: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
}

/** A copy of plain data (maps, lists, scalars), so merged results never share structure with their inputs. */
export function cloneData<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v: unknown) => cloneData(v)) as T;
  if (isRecord(value)) {
    const out: Dict = {};
    for (const [k, v] of Object.entries(value)) setKey(out, k, cloneData(v));
    return out as T;
  }
  return value;
}

/** Python's `==` on plain data, for `x not in list` when lists merge. */
function sameData(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((v, i) => sameData(v, b[i]));
  if (isRecord(a) && isRecord(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => k in b && sameData(a[k], b[k]));
  }
  return false;
}

/**
 * Salt's `dictupdate.update`, into `out` in place: maps merge key by key,
 * recursively; a later scalar or list replaces the earlier value, or with
 * `mergeLists` two lists become the first plus the later one's new items.
 * What is taken from `b` is copied, so `out` never shares structure with it.
 */
function updateInPlace(out: Dict, b: Dict, mergeLists: boolean): Dict {
  for (const [key, val] of Object.entries(b)) {
    const dest = Object.hasOwn(out, key) ? out[key] : undefined;
    if (isRecord(dest) && isRecord(val)) updateInPlace(dest, val, mergeLists);
    else if (mergeLists && Array.isArray(dest) && Array.isArray(val)) {
      const have: unknown[] = dest;
      const fresh = (val as unknown[]).filter((x) => !have.some((y) => sameData(x, y)));
      out[key] = [...have, ...cloneData(fresh)];
    } else setKey(out, key, cloneData(val));
  }
  return out;
}

function recurse(a: Dict, b: Dict, mergeLists: boolean): Dict {
  return updateInPlace(cloneData(a), b, mergeLists);
}

/**
 * Salt's `aggregate` without yamlex's `!aggregate` marks: the top level is a
 * union of keys; below it, where both sides hold a map, the later map's keys
 * win and recurse, and keys only in the earlier one are dropped.
 */
function aggregate(a: unknown, b: unknown, top: boolean): unknown {
  if (isRecord(a) && isRecord(b)) {
    const out: Dict = top ? cloneData(a) : {};
    for (const [key, val] of Object.entries(b)) out[key] = key in a ? aggregate(a[key], val, false) : cloneData(val);
    return out;
  }
  return cloneData(b);
}

/**
 * Salt's `dictupdate.merge` as pillar uses it: returns a new mapping, `b`
 * laid over `a`; neither input changes. `smart` is `recurse` (Salt picks
 * `aggregate` only for the yamlex renderer, which tsalt does not have).
 * `list` keeps Salt's odd shape: keys in both become `[a, b]`, keys only in
 * `b` are dropped.
 */
export function mergePillar(a: Dict, b: Dict, options: MergeOptions = {}): Dict {
  const mergeLists = options.mergeLists ?? false;
  switch (options.strategy ?? 'smart') {
    case 'list': {
      const out: Dict = {};
      for (const [key, val] of Object.entries(a)) out[key] = key in b ? [cloneData(val), cloneData(b[key])] : val;
      return cloneData(out);
    }
    case 'aggregate':
      return aggregate(a, b, true) as Dict;
    case 'overwrite': {
      // Top-level keys of b replace a's wholesale; nothing below them merges.
      const out = cloneData(a);
      for (const [key, val] of Object.entries(b)) out[key] = cloneData(val);
      return out;
    }
    case 'none':
      return recurse(a, b, false);
    case 'smart':
    case 'recurse':
      return recurse(a, b, mergeLists);
  }
}

/**
 * mergePillar into an accumulator the caller owns: `smart`, `recurse` and
 * `none` update `into` in place (a compile merges 20 files without copying
 * what it has so far 20 times); the other strategies return a new mapping.
 */
export function mergePillarInto(into: Dict, b: Dict, options: MergeOptions = {}): Dict {
  const strategy = options.strategy ?? 'smart';
  if (strategy === 'smart' || strategy === 'recurse') return updateInPlace(into, b, options.mergeLists ?? false);
  if (strategy === 'none') return updateInPlace(into, b, false);
  return mergePillar(into, b, options);
}
