/**
 * @tsalt/loader: Salt's loader, typed. One plugin shape for every kind
 * (execution module, runner, returner, wheel, state, outputter) and one
 * registry per kind indexing `"mod.fun"`.
 *
 *   export default definePlugin({ name: 'test', functions: { ping: { doc: '...', fn: () => true } } });
 *   const reg = new Registry({ kind: 'module', opts, log }, await loadPluginDir(dir));
 *   const { return: ret, retcode } = await reg.call('test.ping');
 *
 * Typed over the daemon's compiled config and services, so plugins read
 * `ctx.opts.timeout_ms` and `ctx.services.keys` without casts:
 *   definePlugin<MasterConfig, WheelServices>({ name: 'key', functions: { ... } });
 */
export * from './types.js';
export { Registry, type RegistryOptions, type CallOptions, type CallResult } from './registry.js';
export { bindArgs, signature } from './bind-args.js';
export { loadPluginDir } from './load-dir.js';
export {
  CommandExecutionError,
  FunctionNotAvailableError,
  InvalidArgumentsError,
  PluginLoadError,
  SaltInvocationError,
} from './errors.js';
// Salt's call protocol, shared by the CLI (which must not carry execution modules) and the minion.
export { parseCliArgs, splitPublishArgs, parseKwarg } from './args.js';
export { yamlifyArg } from './yamlify.js';
export { computeRetcode, pyTruthy } from './retcode.js';
