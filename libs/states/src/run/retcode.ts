import type { HighstateResult, LowChunk } from '../types.js';
import { refPair } from './requisites.js';

/*
 * The job's retcode after a state run, as Salt's state module sets it
 * (`_set_retcode` over `salt.utils.state.check_result`): 1 for compile
 * errors (the run returned a list of strings), 2 when some state failed,
 * 0 otherwise. A failure that an `onfail` handler with `onfail_stop: False`
 * took care of (and the handler succeeded) does not count.
 */

/** Salt's EX_STATE_COMPILER_ERROR and EX_STATE_FAILURE. */
export const RETCODE_COMPILER_ERROR = 1;
export const RETCODE_STATE_FAILURE = 2;

/** Salt's check_onfail_requisites: the handlers' verdict on one failed state, or undefined when it has none. */
function onfailHandled(tag: string, result: HighstateResult, chunks: readonly LowChunk[]): boolean | undefined {
  const [state, id] = tag.split('_|-');
  const handlers = chunks.filter(
    (c) =>
      c.__id__ !== id &&
      c.onfail_stop === false &&
      (c.onfail ?? []).some((ref) => {
        const p = refPair(ref);
        return p !== undefined && p[0] === state && p[1] === id;
      }),
  );
  if (handlers.length === 0) return undefined;
  let verdict: boolean | undefined;
  for (const h of handlers) {
    for (const [rtag, r] of Object.entries(result)) {
      const [rstate, rid] = rtag.split('_|-');
      if (rstate !== h.state || rid !== h.__id__) continue;
      if (r.result === true || r.result === false) verdict = r.result;
      if (r.result === false) break;
    }
  }
  return verdict ?? false;
}

/** Whether the run failed (Salt's `not check_result(...)`); pass the chunks to honour `onfail_stop: False`. */
export function runFailed(result: HighstateResult | readonly string[], chunks: readonly LowChunk[] = []): boolean {
  if (Array.isArray(result)) return true;
  const entries = Object.entries(result as HighstateResult);
  // Salt counts an empty run as a failure too.
  if (entries.length === 0) return true;
  for (const [tag, r] of entries) {
    if (r.result !== false) continue;
    if (onfailHandled(tag, result as HighstateResult, chunks) !== true) return true;
  }
  return false;
}

/** The job's retcode for a run's result (or its compile errors). */
export function runRetcode(result: HighstateResult | readonly string[], chunks: readonly LowChunk[] = []): number {
  if (Array.isArray(result)) return RETCODE_COMPILER_ERROR;
  return runFailed(result, chunks) ? RETCODE_STATE_FAILURE : 0;
}
