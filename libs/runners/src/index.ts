/**
 * @tsalt/runners: master-side runner modules (`tsalt-run jobs.lookup_jid <jid>`).
 * Each runner module is a loader plugin; the job cache and, for runners that
 * publish (jobs.active, manage.*), a local client arrive injected.
 *
 *   const reg = new Registry({ kind: 'runner', opts, log, services: { jobCache, local } }, runnerPlugins());
 *   const { return: ret } = await reg.call('jobs.lookup_jid', [jid]);
 */
import jobs from './plugins/jobs.js';
import manage from './plugins/manage.js';
import cache from './plugins/cache.js';
import state from './plugins/state.js';
import fileserver from './plugins/fileserver.js';
import type { RunnerPlugin } from './context.js';

export { RunnerError } from './errors.js';
export type { RunnerContext, RunnerPlugin, RunnerServices } from './context.js';
export { pickJobCache, jidArg, type JobsRunnerServices } from './job-cache-service.js';
export {
  localClient,
  type LocalClientServices,
  type RunnerLocalClient,
  type RunnerPublishReply,
  type RunnerWaitOptions,
  type RunnerCmdOptions,
} from './local-client-service.js';
export { type FileServerRunnerServices, type RunnerFileServer } from './fileserver-service.js';
export { parseDate } from './parse-date.js';
export { type MinionDataRunnerServices, type RunnerMinionData } from './minion-data-service.js';
export {
  EVENTS_SERVICE,
  PRINT_SERVICE,
  type RunnerEvent,
  type RunnerEventStream,
  type RunnerEventService,
  type EventRunnerServices,
} from './event-service.js';
export { exprMatch, subscribePrefix, eventJson } from './plugins/state.js';

/** Every runner module shipped here, as a static list. */
export function runnerPlugins(): RunnerPlugin[] {
  return [cache, fileserver, jobs, manage, state];
}
