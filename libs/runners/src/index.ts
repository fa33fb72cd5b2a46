/**
 * @tsalt/runners: master-side runner modules (`tsalt-run jobs.lookup_jid <jid>`).
 * Each runner module is a loader plugin; the job cache arrives injected.
 *
 *   const reg = new Registry({ kind: 'runner', opts, log, services: { jobCache } }, runnerPlugins());
 *   const { return: ret } = await reg.call('jobs.lookup_jid', [jid]);
 */
import type { PluginDefinition } from '@tsalt/loader';
import jobs from './plugins/jobs.js';

export { RunnerError } from './errors.js';
export { pickJobCache, type JobsRunnerServices } from './job-cache-service.js';
export { fnmatch } from '@tsalt/core';
export { parseDate } from './parse-date.js';

/** Every runner module shipped here, as a static list. */
export function runnerPlugins(): PluginDefinition[] {
  return [jobs];
}
