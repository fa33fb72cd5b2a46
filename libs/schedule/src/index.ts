/**
 * @tsalt/schedule: Salt's job scheduler (salt.utils.schedule), the part
 * that decides. It holds `schedule:` from the config and pillar, applies
 * schedule.* changes, and says which jobs start now; the minion runs them.
 *
 *   const s = new Schedule({ opts: opts.schedule, log, running: (name) => inFlight(name) });
 *   setInterval(() => { for (const job of s.evaluate()) start(job); }, 1000);
 */
export { Schedule, GLOBAL_KEYS } from './schedule.js';
export { ScheduleError } from './errors.js';
export { entryFunction } from './entry.js';
export { mineIntervalEntry, MINE_INTERVAL_JOB, type MineScheduleOptions } from './builtin.js';
export { parseDate, isoLocal } from './times.js';
export { validCron, nextCronTime } from './cron.js';
export {
  systemClock,
  type Clock,
  type DueJob,
  type ScheduleEntry,
  type ScheduleMap,
  type ScheduleOptions,
} from './types.js';
