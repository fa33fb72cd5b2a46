import { fnmatch, isRecord, pyStr } from '@tsalt/core';

/** Salt's default `a:b:c` delimiter for grains and pillar lookups. */
export const DEFAULT_DELIMITER = ':';

/**
 * Salt's traverse_dict_and_list: walks `key` split on `delimiter` through
 * dicts and lists (a list step is an index, or the first dict in the list
 * holding that key); `dflt` when any step is missing.
 */
export function traverse(data: unknown, key: string, dflt: unknown, delimiter = DEFAULT_DELIMITER): unknown {
  let ptr: unknown = data;
  for (const each of key.split(delimiter)) {
    if (Array.isArray(ptr)) {
      const embedded = ptr.find((x): x is Record<string, unknown> => isRecord(x) && each in x);
      if (embedded) {
        ptr = embedded[each];
        continue;
      }
      if (!/^-?\d+$/.test(each)) return dflt;
      const i = Number(each);
      const at = i < 0 ? ptr.length + i : i;
      if (at < 0 || at >= ptr.length) return dflt;
      ptr = ptr[at];
    } else if (isRecord(ptr) && Object.prototype.hasOwnProperty.call(ptr, each)) {
      ptr = ptr[each];
    } else {
      return dflt;
    }
  }
  return ptr;
}

/** A deep copy of plain data (grains and pillar are JSON-like). */
/**
 * Salt's `grains.item` / `pillar.item`: each positional argument looked up
 * by path (`default=`, `delimiter=` from the kwargs), keyed by the argument.
 */
export function itemLookup(data: unknown, a: Record<string, unknown>): Record<string, unknown> {
  const kw = (a['__kwargs__'] ?? {}) as Record<string, unknown>;
  const dflt = 'default' in kw ? kw['default'] : '';
  const delim = typeof kw['delimiter'] === 'string' ? kw['delimiter'] : DEFAULT_DELIMITER;
  const ret: Record<string, unknown> = {};
  for (const arg of (a['__args__'] ?? []) as unknown[]) ret[pyStr(arg)] = traverse(data, pyStr(arg), dflt, delim);
  return ret;
}

export function deepCopy<T>(v: T): T {
  return structuredClone(v);
}

/**
 * Salt's dictupdate.update: `upd` merged into `dest` recursively (dicts
 * merge, anything else replaces); with `mergeLists`, lists concatenate
 * without repeating items. Mutates and returns `dest`.
 */
export function dictUpdate(
  dest: Record<string, unknown>,
  upd: Record<string, unknown>,
  mergeLists = false,
): Record<string, unknown> {
  for (const [k, v] of Object.entries(upd)) {
    const cur = dest[k];
    if (isRecord(cur) && isRecord(v)) dictUpdate(cur, v, mergeLists);
    else if (mergeLists && Array.isArray(cur) && Array.isArray(v)) {
      const have: unknown[] = cur;
      const add: unknown[] = v;
      dest[k] = [...have, ...add.filter((x) => !have.some((c) => JSON.stringify(c) === JSON.stringify(x)))];
    } else dest[k] = v;
  }
  return dest;
}

/** Thrown for filter_by's own errors, which Salt raises as SaltException. */
export class FilterByError extends Error {}

/**
 * Salt's data.filter_by: the lookup_dict entry whose key (a glob) matches
 * the value at `lookup` in `data` (each item when it is a list), else the
 * `default` entry; `base` is merged under it and `merge` over it.
 */
export function filterBy(
  lookupDict: Record<string, unknown>,
  lookup: string,
  data: unknown,
  merge?: unknown,
  dflt = 'default',
  base?: string,
): unknown {
  const val = traverse(data, lookup, []);
  let ret: unknown;
  for (const each of Array.isArray(val) ? val : [val]) {
    const key = Object.keys(lookupDict).find((k) => fnmatch(pyStr(each), k));
    if (key !== undefined) {
      ret = lookupDict[key];
      if (ret !== undefined && ret !== null) break;
    }
  }
  if (ret === undefined || ret === null) ret = lookupDict[dflt] ?? null;
  if (base && base in lookupDict) {
    const baseValues = lookupDict[base];
    if (ret === null) ret = baseValues;
    else if (isRecord(baseValues)) {
      if (!isRecord(ret)) throw new FilterByError('filter_by default and look-up values must both be dictionaries.');
      ret = dictUpdate(deepCopy(baseValues), ret);
    }
  }
  if (merge !== undefined && merge !== null && merge !== false && merge !== '') {
    if (!isRecord(merge)) throw new FilterByError('filter_by merge argument must be a dictionary.');
    if (ret === null) ret = merge;
    else if (isRecord(ret)) dictUpdate(ret, deepCopy(merge));
  }
  return ret;
}
