import type { ScheduleEntry } from './types.js';

/** The name of Salt's mine entry. */
export const MINE_INTERVAL_JOB = '__mine_interval';

export interface MineScheduleOptions {
  mine_enabled: boolean;
  /** Minutes, as in the config. */
  mine_interval: number;
  mine_return_job: boolean;
}

/**
 * Salt's `__mine_interval` entry (minion.py setup_scheduler): `mine.update`
 * every `mine_interval` minutes, once at start, at most two at a time, its
 * return sent to the master only with `mine_return_job`. Undefined when
 * the mine is off or this minion has no `mine.update`: Salt then removes the
 * entry.
 */
export function mineIntervalEntry(o: MineScheduleOptions, hasMineUpdate: boolean): ScheduleEntry | undefined {
  if (!o.mine_enabled || !hasMineUpdate) return undefined;
  return {
    function: 'mine.update',
    minutes: o.mine_interval,
    jid_include: true,
    maxrunning: 2,
    run_on_start: true,
    return_job: o.mine_return_job,
  };
}
