/**
 * @tsalt/job: job ids, proc files, process trees and the minion job cache,
 * shared by master, minion and returners.
 *
 *   const jid = genJid({ utc_jid: false });          // '20240316190000123456'
 *   jidToTime(jid);                                  // '2024, Mar 16 19:00:00.123456'
 *   writeProcFile(cachedir, { ...load, jid }, process.pid);
 *   runningJobs(cachedir);                           // saltutil.running
 *   signalProcessTree(pid, 'SIGKILL');               // the job and everything it started
 */
export { genJid, jidFromDate, isJid, assertJid, jidToDate, jidToTime, type JidOptions } from './jid.js';
export {
  writeProcFile,
  removeProcFile,
  readProcFile,
  readProcFiles,
  cleanStaleProcFiles,
  runningJobs,
  findRunningJob,
  type JobLiveness,
} from './proc.js';
export {
  signalProcessTree,
  descendantPids,
  readProcessTable,
  signalNumber,
  type TreeSignalResult,
} from './proc-tree.js';
export { cachedJobDir, writeCachedJob, readCachedJob } from './minion-jobs.js';
export { JOB_CONTROL_SERVICE, type JobControl } from './job-control.js';
export { JobError } from './errors.js';
