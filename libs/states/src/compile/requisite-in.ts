import { isRecord } from '@tsalt/core';
import { findName, findSlsIds, firstKey, reconcileExtend, stateArgs, stateKeys } from './extend.js';
import type { Dict } from './verify-high.js';

/*
 * Salt's State.requisite_in: every `<req>_in` becomes `<req>` on the state
 * it names, `use`/`use_in` copy arguments, `prereq`/`prereq_in` mark the
 * prerequired state, all as extend data reconciled (strictly) into the high
 * data. `listen_in` is turned into `listen` on the target here too (Salt
 * resolves it at the end of the run instead; the effect is the same).
 */

const REQ_IN = new Set([
  'require_in',
  'watch_in',
  'onfail_in',
  'onchanges_in',
  'listen_in',
  'use',
  'use_in',
  'prereq',
  'prereq_in',
]);
const REQ_IN_ALL = new Set([...REQ_IN, 'require', 'watch', 'onfail', 'onfail_stop', 'onchanges', 'listen']);

type Extend = Map<string, Dict>;

function decl(extend: Extend, id: string, state: string): unknown[] {
  let body = extend.get(id);
  if (!body) extend.set(id, (body = {}));
  let list = body[state];
  if (!Array.isArray(list)) body[state] = list = [];
  return list as unknown[];
}

/** Adds `{state: id}` to the `rkey` requisite of `target`'s `targetState` in the extend data. */
function addReq(extend: Extend, target: string, targetState: string, rkey: string, ref: Dict, from: Dict): void {
  const list = decl(extend, target, targetState);
  const body = extend.get(target)!;
  body['__env__'] = from['__env__'];
  body['__sls__'] = from['__sls__'];
  for (const item of list)
    if (isRecord(item) && firstKey(item) === rkey && Array.isArray(item[rkey])) {
      (item[rkey] as unknown[]).push(ref);
      return;
    }
  list.push({ [rkey]: [ref] });
}

function dotError(rkey: string, state: string, name: unknown, sls: unknown): string {
  return (
    `Invalid requisite in ${rkey}: ${state} for ${String(name)}, in SLS '${String(sls)}'. ` +
    `Requisites must not contain dots, did you mean '${state.slice(0, state.indexOf('.'))}'?`
  );
}

/** A bare string in an `_in` list: the id it names (with its first state), or the id whose `name` it is. */
function resolveBare(ind: string, high: Dict): Dict | undefined {
  if (isRecord(high[ind])) {
    const st = stateKeys(high[ind])[0];
    return st === undefined ? undefined : { [st]: ind };
  }
  let found: Dict | undefined;
  for (const [id, body] of Object.entries(high))
    for (const st of stateKeys(body)) {
      const list = (body as Dict)[st];
      if (!Array.isArray(list)) continue;
      for (const j of list) if (isRecord(j) && j['name'] === ind) found = { [st]: id };
    }
  return found;
}

/** Copies `from`'s arguments into `into` (id, state) when `into` does not set them (Salt's `use`). */
function copyArgs(high: Dict, extend: Extend, into: [string, string], from: [string, string]): void {
  const ignore = new Set([...REQ_IN_ALL, ...stateArgs(high, into[0], into[1])]);
  const src = (high[from[0]] as Dict | undefined)?.[from[1]];
  if (!Array.isArray(src)) return;
  const list = decl(extend, into[0], into[1]);
  for (const arg of src) {
    if (!isRecord(arg) || Object.keys(arg).length !== 1) continue;
    const k = firstKey(arg)!;
    if (ignore.has(k) || k === 'name' || k === 'names') continue;
    list.push(arg);
  }
}

export function requisiteIn(high: Dict, disabled: readonly string[] = []): string[] {
  const extend: Extend = new Map();
  const errors: string[] = [];
  for (const [id, body] of Object.entries(high)) {
    if (!isRecord(body) || id.startsWith('__')) continue;
    for (const [state, run] of Object.entries(body)) {
      if (state.startsWith('__') || !Array.isArray(run)) continue;
      for (const arg of run) {
        if (!isRecord(arg)) continue;
        const key = firstKey(arg);
        if (key === undefined || !REQ_IN.has(key) || disabled.includes(key)) continue;
        const rkey = key.split('_')[0]!;
        const items = arg[key];
        if (isRecord(items)) {
          // `- require_in: {file: x}`: one target.
          for (const [written, name] of Object.entries(items)) {
            let tstate = written;
            if (tstate.includes('.')) {
              errors.push(dotError(rkey, tstate, name, body['__sls__']));
              tstate = tstate.split('.')[0]!;
            }
            addReq(extend, String(name), tstate, rkey, { [state]: id }, body);
          }
          continue;
        }
        if (!Array.isArray(items)) continue;
        for (let ind of items) {
          if (!isRecord(ind)) {
            const r = typeof ind === 'string' ? resolveBare(ind, high) : undefined;
            if (!r) continue;
            ind = r;
          }
          const pstate0 = firstKey(ind as Dict);
          if (pstate0 === undefined) continue;
          let pstate = pstate0;
          const pname = String((ind as Dict)[pstate]);
          if (pstate.includes('.')) {
            errors.push(dotError(rkey, pstate, pname, body['__sls__']));
            pstate = pstate.split('.')[0]!;
          }
          // Salt keeps adding to one list across the items (so earlier targets get the requisite again); one per item here.
          const hinges: Array<[string, string]> = pstate === 'sls' ? findSlsIds(pname, high) : [[pname, pstate]];
          for (const [name, tstate] of hinges) {
            if (key === 'prereq_in') decl(extend, id, state).push({ prerequired: [{ [tstate]: name }] });
            if (key === 'prereq') {
              for (const [extId, reqState] of findName(name, tstate, high, true))
                decl(extend, extId, reqState).push({ prerequired: [{ [state]: id }] });
              continue;
            }
            if (key === 'use_in') {
              for (const [extId, reqState] of findName(name, tstate, high, true))
                if (extId) copyArgs(high, extend, [extId, reqState], [id, state]);
              continue;
            }
            if (key === 'use') {
              for (const [extId, reqState] of findName(name, tstate, high, true))
                if (extId) copyArgs(high, extend, [id, state], [extId, reqState]);
              continue;
            }
            addReq(extend, name, tstate, rkey, { [state]: id }, body);
          }
        }
      }
    }
  }
  high['__extend__'] = [...extend].map(([k, v]) => ({ [k]: v }));
  errors.push(...reconcileExtend(high, true));
  return errors;
}
