import { spawn } from 'node:child_process';
import { silentLogger } from '@tsalt/core';
import { chunkTag, type HighstateResult, type LowChunk, type SaltCall, type StateReturn } from '../types.js';
import { runChunks, type RunOptions } from './runner.js';

/*
 * Test doubles for the runner's tests: chunks made by hand, a state
 * registry that records every call and returns scripted results, and a
 * `cmd.retcode` that really runs /bin/sh.
 */

/** A chunk of SLS `web`: `test.nop` named after its id unless `extra` says otherwise. */
export function chunk(id: string, extra: Partial<LowChunk> = {}): LowChunk {
  return { state: 'test', __id__: id, name: id, fun: 'nop', __sls__: 'web', __env__: 'base', order: 10000, ...extra };
}

/** One recorded call of a state function. */
export interface Call {
  id: string;
  fun: string;
  test: boolean;
  chunk: LowChunk;
}

type Script =
  Partial<StateReturn> | ((c: LowChunk, test: boolean) => Partial<StateReturn> | Promise<Partial<StateReturn>>);

export class FakeStates {
  readonly calls: Call[] = [];
  /** Scripted returns by `<id>` (the normal function) or `<id>.mod_watch`. */
  readonly scripts = new Map<string, Script>();
  /** State modules that have mod_watch. */
  readonly withModWatch = new Set<string>(['service']);
  /** Functions that do not exist (`test.nope`). */
  readonly missing = new Set<string>();

  script(key: string, s: Script): this {
    this.scripts.set(key, s);
    return this;
  }

  /** Ids in the order their state functions were called (`id.mod_watch` for mod_watch, `id?` for test runs). */
  order(): string[] {
    return this.calls.map((c) => `${c.id}${c.fun === 'mod_watch' ? '.mod_watch' : ''}${c.test ? '?' : ''}`);
  }

  readonly callState: RunOptions['callState'] = async (c, { test }) => {
    this.calls.push({ id: c.__id__, fun: c.fun, test, chunk: c });
    const key = c.fun === 'mod_watch' ? `${c.__id__}.mod_watch` : c.__id__;
    const s = this.scripts.get(key);
    const base: StateReturn = { name: c.name, result: true, changes: {}, comment: `${c.fun} ran` };
    if (s === undefined) return base;
    return { ...base, ...(typeof s === 'function' ? await s(c, test) : s) };
  };

  readonly hasState = (fun: string): boolean => {
    if (this.missing.has(fun)) return false;
    const [state, f] = fun.split('.');
    if (f === 'mod_watch') return this.withModWatch.has(state ?? '');
    if (f === 'mod_run_check' || f === 'mod_run_check_cmd') return false;
    return true;
  };
}

/** `cmd.retcode` through /bin/sh: the exit status of the command (the test doubles' only execution module). */
export const shSalt: SaltCall = (fun, args = [], kwargs = {}) => {
  if (fun !== 'cmd.retcode') return Promise.reject(new Error(`no ${fun}`));
  return new Promise((resolve, reject) => {
    const cwd = typeof kwargs.cwd === 'string' ? kwargs.cwd : undefined;
    const p = spawn('/bin/sh', ['-c', String(args[0])], { cwd, stdio: 'ignore' });
    p.on('error', reject);
    p.on('exit', (code) => resolve(code ?? 1));
  });
};

/** Runs `chunks` against `states` with the defaults of a real run. */
export function run(chunks: LowChunk[], states: FakeStates, extra: Partial<RunOptions> = {}): Promise<HighstateResult> {
  return runChunks(chunks, {
    callState: states.callState,
    hasState: states.hasState,
    salt: shSalt,
    test: false,
    failhard: false,
    log: silentLogger(),
    sleep: () => Promise.resolve(),
    ...extra,
  });
}

/** The result of chunk `c` in `result`. */
export function resultOf(result: HighstateResult, c: LowChunk): HighstateResult[string] {
  const r = result[chunkTag(c)];
  if (r === undefined) throw new Error(`no result for ${chunkTag(c)}`);
  return r;
}

/** Ids of `result` in `__run_num__` order. */
export function runOrder(result: HighstateResult): string[] {
  return Object.values(result)
    .sort((a, b) => a.__run_num__ - b.__run_num__)
    .map((r) => r.__id__);
}
