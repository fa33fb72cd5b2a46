import { chunkTag, type LowChunk, type StateReturn } from '../types.js';
import { REQUISITE_KEYWORDS, refPair, type RunRet } from './requisites.js';

/*
 * Salt's `listen` (State.call_listen): unlike `watch` it does not order
 * anything. After the whole run, every listener whose target changed gets
 * its mod_watch called once, as a chunk of its own with the id
 * `listener_<id>`.
 */

/** Salt's error results for listen refs that name no state, keyed `Listen_Error_|-listen_<id>_|-listen_<state>_|-Listen_Error`. */
export type ListenErrors = Record<string, StateReturn>;

interface Cref {
  state: string;
  id: string;
  name: string;
  chunk: LowChunk;
}

function listenError(state: string, id: string): [string, StateReturn] {
  const tag = chunkTag({ state: 'Listen_Error', __id__: `listen_${id}`, name: `listen_${state}`, fun: 'Listen_Error' });
  return [
    tag,
    {
      comment: `Referenced state ${state}: ${id} does not exist`,
      name: `listen_${state}:${id}`,
      result: false,
      changes: {},
    },
  ];
}

function hasChanges(r: RunRet): boolean {
  return r.changes !== null && typeof r.changes === 'object' && Object.keys(r.changes).length > 0;
}

function list(v: unknown): unknown[] {
  if (v === undefined || v === null) return [];
  return Array.isArray(v) ? v : [v];
}

/** The mod_watch chunks the run's changes call for, and the errors for listen refs that name nothing. */
export function listenChunks(
  chunks: readonly LowChunk[],
  running: Readonly<Record<string, RunRet>>,
): { watchers: LowChunk[]; errors: ListenErrors } {
  // One entry per (state, id, name), the last chunk winning, as Salt's dict of crefs.
  const byKey = new Map<string, Cref>();
  for (const c of chunks) {
    byKey.set(JSON.stringify([c.state, c.__id__, String(c.name)]), {
      state: c.state,
      id: c.__id__,
      name: String(c.name),
      chunk: c,
    });
  }
  const crefs = [...byKey.values()];
  const matching = (state: string, val: string): Cref[] =>
    crefs.filter((c) => c.state === state && (c.id === val || c.name === val));

  // Who listens (state and id) to what (refs); `listen_in` left on a chunk is read the other way round.
  const listeners: { state: string; id: string; refs: unknown[] }[] = [];
  for (const c of chunks) {
    if (c.listen !== undefined) listeners.push({ state: c.state, id: c.__id__, refs: list(c.listen) });
    for (const lin of list(c.listen_in)) {
      const pair = refPair(lin);
      if (pair !== undefined) listeners.push({ state: pair[0], id: String(pair[1]), refs: [{ [c.state]: c.__id__ }] });
    }
  }

  const watchers: LowChunk[] = [];
  const errors: ListenErrors = {};
  for (const l of listeners) {
    for (const raw of l.refs) {
      let ref = raw;
      if (ref === null || typeof ref !== 'object') {
        // A bare id or name: the last chunk with that id or name, as Salt does.
        const found = chunks.filter((c) => c.__id__ === ref || String(c.name) === ref).pop();
        if (found === undefined) continue;
        ref = { [found.state]: found.__id__ };
      }
      for (const [lkey, lvalRaw] of Object.entries(ref as Record<string, unknown>)) {
        const lval = String(lvalRaw);
        const targets = matching(lkey, lval);
        if (targets.length === 0) {
          const [etag, err] = listenError(lkey, lval);
          errors[etag] = err;
          continue;
        }
        for (const t of targets) {
          const r = running[chunkTag(t.chunk)];
          if (r === undefined || !hasChanges(r)) continue;
          const own = matching(l.state, l.id);
          if (own.length === 0) {
            const [etag, err] = listenError(l.state, l.id);
            errors[etag] = err;
            continue;
          }
          for (const { chunk } of own) {
            const low: LowChunk = { ...chunk, sfun: chunk.fun, fun: 'mod_watch', __id__: `listener_${chunk.__id__}` };
            for (const key of REQUISITE_KEYWORDS) delete low[key];
            watchers.push(low);
          }
        }
      }
    }
  }
  return { watchers, errors };
}
