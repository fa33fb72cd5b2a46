import { fnmatch, isRecord } from '@tsalt/core';
import { STATE_REQUISITE_IN_KEYWORDS, STATE_REQUISITE_KEYWORDS } from '../run/keywords.js';
import type { Dict } from './verify-high.js';

/*
 * Salt's reconcile_extend and apply_exclude, and the lookups requisite_in
 * shares with them (find_name, state_args, find_sls_ids). High data here is
 * the rendered form: id -> {state: [fun, {arg: value}...], __sls__, __env__},
 * with `__extend__` (a list of {id: body}) and `__exclude__` (a list) at the
 * top when an SLS declared them.
 */

/** Requisite keywords whose lists an `extend` appends to instead of replacing (Salt's STATE_REQUISITE_KEYWORDS). */
export const REQUISITE_KEYWORDS: ReadonlySet<string> = new Set([
  ...STATE_REQUISITE_KEYWORDS,
  ...STATE_REQUISITE_IN_KEYWORDS,
  'use',
  'use_in',
]);

/** The first key of a one-key dict (Salt's `next(iter(arg))`). */
export function firstKey(d: Dict): string | undefined {
  for (const k in d) return k;
  return undefined;
}

/** The state modules an id declares (its keys not starting `__`). */
export function stateKeys(body: unknown): string[] {
  return isRecord(body) ? Object.keys(body).filter((k) => !k.startsWith('__')) : [];
}

/** Salt's state_args: the argument names given to `state` of `id`. */
export function stateArgs(high: Dict, id: string, state: string): Set<string> {
  const out = new Set<string>();
  const body = high[id];
  const decl = isRecord(body) ? body[state] : undefined;
  if (!Array.isArray(decl)) return out;
  for (const item of decl) if (isRecord(item) && Object.keys(item).length === 1) out.add(firstKey(item)!);
  return out;
}

/**
 * Salt's find_name: the (id, state) pairs `name` refers to: the id itself,
 * every id of an SLS when `state` is `sls`, else the ids whose `state`
 * declaration has an argument equal to `name` (its `name:`).
 */
export function findName(name: string, state: string, high: Dict, strict = false): Array<[string, string]> {
  const body = high[name];
  const direct = isRecord(body) && (!strict || state in body);
  if (direct) return [[name, state]];
  const out: Array<[string, string]> = [];
  if (state === 'sls') {
    for (const [id, item] of Object.entries(high))
      if (isRecord(item) && item['__sls__'] === name) out.push([id, stateKeys(item)[0] ?? '']);
    return out;
  }
  for (const [id, item] of Object.entries(high)) {
    const decl = isRecord(item) ? item[state] : undefined;
    if (!Array.isArray(decl)) continue;
    for (const arg of decl) {
      if (!isRecord(arg) || Object.keys(arg).length !== 1) continue;
      if (arg[firstKey(arg)!] === name) out.push([id, state]);
    }
  }
  return out;
}

/** Salt's find_sls_ids: every (id, state) of an SLS. */
export function findSlsIds(sls: string, high: Dict): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [id, item] of Object.entries(high)) {
    if (!isRecord(item) || item['__sls__'] !== sls) continue;
    for (const st of stateKeys(item)) out.push([id, st]);
  }
  return out;
}

/** The SLS names an `__exclude__` list excludes (plain strings and `{sls: ...}`). */
function excludedSls(high: Dict): string[] {
  const out: string[] = [];
  const list = high['__exclude__'];
  if (!Array.isArray(list)) return out;
  for (const e of list) {
    if (typeof e === 'string') out.push(e);
    else if (isRecord(e) && typeof e['sls'] === 'string' && e['sls']) out.push(e['sls']);
  }
  return out;
}

/**
 * Salt's reconcile_extend: each `__extend__` body merged into the id it
 * names (or the one id whose `name` it is). A function replaces the
 * function, an argument replaces the same argument, a requisite list is
 * appended to, anything else is added. Mutates `high`.
 */
export function reconcileExtend(high: Dict, strict = false): string[] {
  const errors: string[] = [];
  const ext = high['__extend__'];
  if (ext === undefined) return errors;
  delete high['__extend__'];
  if (!Array.isArray(ext)) return errors;
  const slsExcludes = excludedSls(high);
  for (const chunk of ext) {
    if (!isRecord(chunk)) continue;
    for (const [written, body] of Object.entries(chunk)) {
      let name = written;
      if (!isRecord(body)) continue;
      const stateType = stateKeys(body)[0];
      if (stateType === undefined) continue;
      const target = high[name];
      if (!isRecord(target) || !(stateType in target)) {
        const ids = findName(name, stateType, high, strict);
        if (ids.length !== 1) {
          const env = typeof body['__env__'] === 'string' ? body['__env__'] : 'base';
          const sls = typeof body['__sls__'] === 'string' ? body['__sls__'] : 'base';
          errors.push(
            `Cannot extend ID '${name}' in '${env}:${sls}'. It is not part of the high state.\n` +
              'This is likely due to a missing include statement or an incorrectly typed ID.\n' +
              `Ensure that a state with an ID of '${name}' is available\nin environment '${env}' and to SLS '${sls}'`,
          );
          continue;
        }
        name = ids[0]![0];
      }
      if (typeof body['__sls__'] === 'string' && slsExcludes.includes(body['__sls__'])) continue;
      const into = high[name] as Dict;
      for (const [state, run] of Object.entries(body)) {
        if (state.startsWith('__')) continue;
        if (!Array.isArray(run)) continue;
        const have = into[state];
        if (!Array.isArray(have)) {
          into[state] = run;
          continue;
        }
        for (const arg of run) {
          let update = false;
          for (let i = 0; i < have.length; i++) {
            const val: unknown = have[i];
            if (typeof arg === 'string' && typeof val === 'string') {
              have[i] = arg;
              update = true;
              continue;
            }
            if (!isRecord(arg) || !isRecord(val)) continue;
            const key = firstKey(arg);
            const valKey = firstKey(val);
            if (key !== undefined && key === valKey) {
              const mine = val[key];
              if (REQUISITE_KEYWORDS.has(key) && Array.isArray(mine) && Array.isArray(arg[key]))
                mine.push(...(arg[key] as unknown[]));
              else have[i] = arg;
              update = true;
            }
            // `name` given where the id had `names`: the one name wins.
            if (key === 'name' && valKey === 'names') have[i] = arg;
          }
          if (!update) have.push(arg);
        }
      }
    }
  }
  return errors;
}

/**
 * Salt's apply_exclude: the ids of excluded SLS files (fnmatch patterns)
 * and excluded ids removed. Mutates `high`.
 */
export function applyExclude(high: Dict): void {
  const list = high['__exclude__'];
  if (list === undefined) return;
  delete high['__exclude__'];
  if (!Array.isArray(list)) return;
  const exSls = new Set<string>();
  const exId = new Set<string>();
  for (const e of list) {
    if (typeof e === 'string') exSls.add(e);
    else if (isRecord(e) && Object.keys(e).length === 1) {
      if (typeof e['sls'] === 'string') exSls.add(e['sls']);
      else if (typeof e['id'] === 'string') exId.add(e['id']);
    }
  }
  if (exSls.size)
    for (const [id, body] of Object.entries(high)) {
      if (id.startsWith('__') || !isRecord(body)) continue;
      const sls = body['__sls__'];
      if (typeof sls !== 'string' || !sls) continue;
      for (const pat of exSls) if (fnmatch(sls, pat)) exId.add(id);
    }
  for (const id of exId) delete high[id];
}
