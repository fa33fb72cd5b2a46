/**
 * @tsalt/reactor: Salt's reactor. Events on the master bus whose tag matches
 * a `reactor:` glob are queued durably, their SLS files rendered (Jinja with
 * Python-style methods, then YAML, through @tsalt/render) and the reactions run through the
 * master's clients on a bounded pool. See docs/reactor.md.
 *
 *   const reactor = new Reactor({
 *     opts, log,
 *     subscribe: (handler) => bus.onEvent(handler),
 *     fire: (tag, data) => bus.fire(tag, data),
 *     clients: { publish, runner, wheel, caller },
 *   });
 *   reactor.start();            // logs each bad `reactor:` entry on one line
 *   await reactor.stop(5000);   // what did not run stays queued for the next start
 */
export { Reactor, REACTOR_ERROR_TAG, type ReactorErrorKind } from './reactor.js';
export type {
  ReactionJob,
  LocalPublish,
  PublishReply,
  FireFn,
  CallOptions,
  CallOutcome,
  CallClient,
  ReactorClients,
  ReactorDeps,
  ReactorStats,
} from './types.js';
export {
  compileReactorOptions,
  resolveSlsPath,
  expandSls,
  type ReactorOptions,
  type CompiledReactorOptions,
  type ReactorEntry,
} from './options.js';
export { compileReactions, type Reaction, type ReactionKind } from './reactions.js';
export { renderSls, type RenderVars } from './render-sls.js';
export { StormGuard, DEPTH_KEY, type Verdict, type StormGuardOptions } from './storm-guard.js';
export { REACTOR_USER } from './run-reaction.js';
export { ReactorError } from './errors.js';
