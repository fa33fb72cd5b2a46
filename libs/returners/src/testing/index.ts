/**
 * @tsalt/returners/testing: what tests of a job cache share, kept out of the
 * production barrel (the contract imports node:test).
 *
 *   jobCacheContract('mysql', async () => ({ cache, cleanup }));  // a fresh cache per case
 *   const log = recordingLogger();  // log.lines: every call, as {level, text}
 */
export { jobCacheContract, type JobCacheHarness } from './contract.js';
export { recordingLogger, type LogLine } from './recording-logger.js';
