/**
 * @tsalt/minion: the tsalt-minion daemon.
 *
 *   const minion = new Minion(loadConfig('minion', '/etc/tsalt'), log);
 *   await minion.start();
 *
 * Jobs run in warm job processes (job-pool.ts, job-process.ts, job-worker.ts) unless
 * `multiprocessing: False`; see job-runner.ts.
 */
export { Minion } from './minion.js';
// One minion's link to its master, for driving it over MemoryTransport in unit tests (its sign-in is @tsalt/transport's).
export { MasterLink, type MasterLinkOptions } from './master-link.js';
export { runJob, baseReturn, failedReturn, type JobReturn } from './executor.js';
export { JobRunner, DAEMON_FUNCTIONS, type JobRunnerOptions } from './job-runner.js';
export { JobPool, type JobPoolOptions } from './job-pool.js';
export type { JobOutcome, JobProcessState } from './job-process.js';
export { MinionReturners, returnerNamesFor, returnerRet, type MinionReturnersOptions } from './returners.js';
export { JobProcessError } from './errors.js';
