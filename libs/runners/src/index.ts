/**
 * @tsalt/runners: master-side runner modules (`tsalt-run jobs.lookup_jid <jid>`).
 * Each runner module is a loader plugin; the job cache and, for runners that
 * publish (jobs.active, manage.*), a local client arrive injected.
 *
 *   const reg = new Registry({ kind: 'runner', opts, log, services: { jobCache, local } }, runnerPlugins());
 *   const { return: ret } = await reg.call('jobs.lookup_jid', [jid]);
 */
import type { PluginDefinition } from '@tsalt/loader';
import jobs from './plugins/jobs.js';
import manage from './plugins/manage.js';
import state from './plugins/state.js';

export { RunnerError } from './errors.js';
export { pickJobCache, jidArg, type JobsRunnerServices } from './job-cache-service.js';
export {
  localClient,
  type RunnerLocalClient,
  type RunnerPublishReply,
  type RunnerWaitOptions,
  type RunnerCmdOptions,
} from './local-client-service.js';
export { parseDate } from './parse-date.js';
export {
  EVENTS_SERVICE,
  PRINT_SERVICE,
  type RunnerEvent,
  type RunnerEventStream,
  type RunnerEventService,
} from './event-service.js';
export { exprMatch, subscribePrefix, eventJson } from './plugins/state.js';

/** Every runner module shipped here, as a static list. */
export function runnerPlugins(): PluginDefinition[] {
  return [jobs, manage, state];
}
