/**
 * @tsalt/states: Salt's state system on the minion. The compiler turns the
 * top file and SLS files (rendered by @tsalt/render, fetched through the
 * file client) into ordered low chunks; the runner calls each chunk's
 * state function after its requisites; the state modules (`file`, `pkg`,
 * `service`, `cmd`, `user`, `group`, `test`) are plugins of kind `state`
 * that act through the minion's execution modules (`ctx.services.salt`).
 * The `state.*` execution module in @tsalt/modules glues them together.
 *
 * The compiler never throws for a bad top or SLS: Salt's error strings come
 * back in `errors` (a run with any runs nothing; Salt returns the list as
 * the job's return). One StateCompiler per run. See docs/states.md.
 *
 *   const c = new StateCompiler({ opts, id, grains, pillar, salt, fileClient, log, saltenv: null });
 *   const top = await c.readTop();             // {matches, errors (verify_tops), renderErrors}; c.top(): matches only
 *   const { high, errors } = await c.render(top.matches);   // state.sls: c.render({ [saltenv]: mods })
 *   const { chunks, errors: e2 } = c.compile(high, exclude); // exclude: [{sls}|{id}|name] or 'a,b'
 *   const result = await runChunks(chunks, { callState, hasState, salt, test: false, failhard: false, log });
 *   const retcode = runRetcode(result, chunks); // 0, 2 when a state failed
 */
export * from './types.js';
export { StateError, SlsError, StateRunningError } from './errors.js';
export {
  StateCompiler,
  type CompileOptions,
  type TopMatches,
  type TopResult,
  type SlsSource,
  type HighResult,
  type LowResult,
} from './compile/compiler.js';
export { runChunks, type RunOptions, type StateFunctionCall } from './run/runner.js';
export { STATE_INTERNAL_KEYWORDS } from './run/keywords.js';
export { withRequisites } from './run/requisites.js';
export { runRetcode, runFailed, RETCODE_COMPILER_ERROR, RETCODE_STATE_FAILURE } from './run/retcode.js';
export { statePlugins } from './plugins/index.js';
