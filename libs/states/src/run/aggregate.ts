import type { HighstateResult, LowChunk } from '../types.js';
import { REQUISITE_KEYWORDS } from './requisites.js';
import type { RunOptions } from './runner.js';

/*
 * Salt's state aggregation (State._mod_aggregate): with `state_aggregate`
 * (or a chunk's `aggregate`) naming a state module that has mod_aggregate,
 * the first chunk of that module to run takes in the others (`pkg`: one
 * install of every package) and carries their requisites. The chunk is
 * marked `__agg__` so it is aggregated once.
 */

const IN_KEYWORDS = ['onchanges_in', 'onfail_in', 'prereq_in', 'watch_in', 'require_in', 'listen_in'];

/** Salt's _aggregate_requisites: the requisites of the other aggregated chunks of the module, added to `low`'s. */
function aggregateRequisites(low: LowChunk, chunks: readonly LowChunk[]): void {
  const reqs: Record<string, unknown[]> = {};
  for (const c of chunks) {
    if (c.state !== low.state || c.__agg__ !== true || c.name === low.name) continue;
    for (const key of [...REQUISITE_KEYWORDS, ...IN_KEYWORDS]) {
      const v = c[key];
      if (Array.isArray(v)) (reqs[key] ??= []).push(...(v as unknown[]));
    }
  }
  Object.assign(low, reqs);
}

/** The chunk to run: `low` itself, or what the state module's mod_aggregate made of it. */
export async function aggregate(
  o: RunOptions,
  low: LowChunk,
  chunks: readonly LowChunk[],
  running: Readonly<HighstateResult>,
): Promise<LowChunk> {
  let agg: unknown = 'aggregate' in low ? low.aggregate : o.stateAggregate;
  if (agg === true) agg = [low.state];
  if (!Array.isArray(agg) || !agg.includes(low.state) || low.__agg__ === true) return low;
  if (o.aggregate === undefined || !o.hasState(`${low.state}.mod_aggregate`)) return low;
  try {
    low.__agg__ = true;
    aggregateRequisites(low, chunks);
    return await o.aggregate(low, chunks, running);
  } catch (err) {
    o.log.error({ err, state: low.state }, `Failed to execute aggregate for state ${low.state}`);
    return low;
  }
}
