import type { Logger } from '@tsalt/core';
import type { HighstateResult, LowChunk, StateReturn } from '../types.js';

/** Calls one state function for a chunk: the state registry's `<state>.<fun>` with the chunk's arguments. */
export type StateFunctionCall = (
  chunk: LowChunk,
  opts: { test: boolean; running: HighstateResult },
) => Promise<StateReturn>;

export interface RunOptions {
  /** Runs a chunk's function (mod_watch too: `fun: 'mod_watch'`). */
  callState: StateFunctionCall;
  /** Whether `fun` of state module `state` exists (mod_watch is optional). */
  hasState(fun: string): boolean;
  /** `unless`/`onlyif` commands run through here (cmd.retcode with python_shell). */
  salt: (fun: string, args?: unknown[], kwargs?: Record<string, unknown>) => Promise<unknown>;
  test: boolean;
  /** The run stops at the first failure (Salt's `failhard` option); a chunk's own `failhard` also stops it. */
  failhard: boolean;
  log: Logger;
}

/**
 * Salt's State.call_chunks: runs the ordered chunks, each after its
 * requisites, and returns every chunk's result keyed by its tag.
 */
export function runChunks(_chunks: readonly LowChunk[], _o: RunOptions): Promise<HighstateResult> {
  return Promise.reject(new Error('runChunks: not built yet'));
}
