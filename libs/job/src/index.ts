/**
 * @tsalt/job: job ids and proc files, shared by master, minion and returners.
 *
 *   const jid = genJid({ utc_jid: false });          // '20240316190000123456'
 *   jidToTime(jid);                                  // '2024, Mar 16 19:00:00.123456'
 *   writeProcFile(cachedir, { ...load, jid }, process.pid);
 */
export { genJid, jidFromDate, isJid, assertJid, jidToDate, jidToTime, type JidOptions } from './jid.js';
export {
  writeProcFile, removeProcFile, readProcFile, readProcFiles, cleanStaleProcFiles, pidIsAlive,
} from './proc.js';
export { JobError } from './errors.js';
