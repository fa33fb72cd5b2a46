import type { MinionConfig } from '@tsalt/config';
import type { Logger } from '@tsalt/core';
import type { SaltFunctions } from '@tsalt/render';
import type { HighData, LowChunk, StateFileClient } from '../types.js';

/** What the compiler needs for one minion's run. */
export interface CompileOptions {
  opts: MinionConfig;
  id: string;
  grains: Readonly<Record<string, unknown>>;
  /** The pillar the SLS files see (with any `pillar=` override merged in). */
  pillar: Readonly<Record<string, unknown>>;
  /** `salt['mod.fun'](...)` in SLS templates: the minion's execution modules. */
  salt: SaltFunctions;
  fileClient: StateFileClient;
  log: Logger;
  /** `saltenv=` of the call (or the `saltenv` config key); null: every environment the top names. */
  saltenv: string | null;
}

/** Environment to SLS names, in top order: Salt's `state.show_top`. */
export type TopMatches = Record<string, string[]>;

/** Rendered states, or Salt's error strings (a run with errors runs nothing). */
export interface HighResult {
  high: HighData;
  errors: string[];
}

/** Ordered chunks, or Salt's error strings. */
export interface LowResult {
  chunks: LowChunk[];
  errors: string[];
}

/**
 * Salt's State/HighState compiler for one minion: the top file, SLS files
 * rendered through @tsalt/render from the file client, include and
 * extend, names, use, requisites' `_in` forms, order, exclude.
 */
export class StateCompiler {
  constructor(readonly o: CompileOptions) {}

  /** The SLS names this minion's top assigns it, per environment. */
  top(): Promise<TopMatches> {
    return Promise.reject(new Error('StateCompiler.top: not built yet'));
  }

  /** Renders `mods` of each environment, with their includes, into one HighData (extend applied). */
  render(_mods: TopMatches): Promise<HighResult> {
    return Promise.reject(new Error('StateCompiler.render: not built yet'));
  }

  /** HighData as ordered low chunks; `exclude` is Salt's list of `{sls: ...}` / `{id: ...}` (or plain sls names). */
  compile(_high: HighData, _exclude: readonly unknown[] = []): LowResult {
    throw new Error('StateCompiler.compile: not built yet');
  }
}
