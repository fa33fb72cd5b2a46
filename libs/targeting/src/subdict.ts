/**
 * Salt's `salt.utils.data.subdict_match`: `key:subkey:value` against nested
 * grains or pillar. The delimiter may also appear inside the value, so every
 * split point is tried, deepest key first. Lists match element-wise. Both
 * sides are compared as `str(x).lower()`.
 */
import { fnmatch, isRecord } from '@tsalt/core';
import { pyMatch } from './py-regex.js';
import { pyStr } from '@tsalt/core';
import { DEFAULT_DELIMITER } from './types.js';

export type SubdictMode = 'glob' | 'pcre' | 'exact';

type Dict = Record<string, unknown>;

// Salt traverses with `{}` as the "not found" default and then skips any `{}`
// result, so a missing key and an empty dict behave the same.
const NOT_FOUND: Dict = {};

function isEmptyOrMissing(v: unknown): boolean {
  return v === NOT_FOUND || (isRecord(v) && Object.keys(v).length === 0);
}

/** Salt's `traverse_dict_and_list`: numeric parts index lists, other parts look into dicts inside lists. */
export function traverse(data: unknown, key: string, delimiter: string): unknown {
  let ptr = data;
  for (const each of key.split(delimiter)) {
    if (Array.isArray(ptr)) {
      if (/^\s*[+-]?\d+\s*$/.test(each)) {
        // Python int keys never equal JSON's string keys, so only the index applies.
        const idx = Number(each.trim());
        const at = idx < 0 ? ptr.length + idx : idx;
        if (at < 0 || at >= ptr.length) return NOT_FOUND;
        ptr = ptr[at];
      } else {
        const holder = ptr.find((x): x is Dict => isRecord(x) && Object.hasOwn(x, each));
        if (holder === undefined) return NOT_FOUND;
        ptr = holder[each];
      }
    } else if (isRecord(ptr) && Object.hasOwn(ptr, each)) {
      ptr = ptr[each];
    } else {
      return NOT_FOUND;
    }
  }
  return ptr;
}

function matchValue(target: unknown, pattern: string, mode: SubdictMode): boolean {
  const t = pyStr(target).toLowerCase();
  const p = pattern.toLowerCase();
  if (mode === 'pcre') return pyMatch(p, t);
  if (mode === 'exact') return t === p;
  return fnmatch(t, p);
}

function dictMatch(target: Dict, pattern: string, mode: SubdictMode): boolean {
  // Salt hard-codes ':' here, whatever the delimiter of the outer call.
  const wildcard = pattern.startsWith('*:');
  const pat = wildcard ? pattern.slice(2) : pattern;
  if (pat === '*') return true; // only checking the key exists
  if (Object.hasOwn(target, pat)) return true;
  if (subdictMatch(target, pat, DEFAULT_DELIMITER, mode)) return true;
  if (!wildcard) return false;
  for (const value of Object.values(target)) {
    if (isRecord(value)) {
      if (dictMatch(value, pat, mode)) return true;
    } else if (Array.isArray(value)) {
      if (value.some((item) => matchValue(item, pat, mode))) return true;
    } else if (matchValue(value, pat, mode)) {
      return true;
    }
  }
  return false;
}

export function subdictMatch(data: unknown, expr: string, delimiter: string, mode: SubdictMode): boolean {
  const splits = expr.split(delimiter);
  if (splits.length === 1) return false; // no delimiter: nothing to compare against
  for (let idx = splits.length - 1; idx > 0; idx--) {
    const key = splits.slice(0, idx).join(delimiter);
    let matchstr: string;
    let found: unknown;
    if (key === '*') {
      // '*:...' searches under every top-level key.
      matchstr = expr;
      found = data;
    } else {
      matchstr = splits.slice(idx).join(delimiter);
      found = traverse(data, key, delimiter);
    }
    if (isEmptyOrMissing(found)) continue;
    if (isRecord(found)) {
      if (dictMatch(found, matchstr, mode)) return true;
    } else if (Array.isArray(found)) {
      for (const member of found) {
        if (isRecord(member) && dictMatch(member, matchstr, mode)) return true;
        if (matchValue(member, matchstr, mode)) return true;
      }
    } else if (matchValue(found, matchstr, mode)) {
      return true;
    }
  }
  return false;
}

/** The value patterns `subdictMatch` may try for `expr`: every tail after a delimiter. */
export function candidatePatterns(expr: string, delimiter: string): string[] {
  const splits = expr.split(delimiter);
  const out: string[] = [];
  for (let idx = 1; idx < splits.length; idx++) out.push(splits.slice(idx).join(delimiter));
  return out;
}
