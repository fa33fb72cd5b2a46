/** What the scheduler remembers of one entry between evaluations (Salt keeps these as `_` keys in the entry). */
export interface JobState {
  /** The entry's timing fields as JSON: a change starts the state afresh (Salt: modify_job drops the interval). */
  fingerprint: string;
  /** Next fire time (ms): interval and cron entries. */
  nextFire?: number;
  /** When a splayed run is due (ms). */
  splayAt?: number;
  /** `run_on_start` has been honoured. */
  startedOnce: boolean;
  /** `when` / `once` times (ms) already fired. */
  fired: Set<number>;
  lastRun?: number;
  /** The error last logged for this entry, so a bad entry logs once, not once a second. */
  loggedError?: string;
  skipped?: { reason: string; at: number };
}

/** Keys that do not change when or how often an entry fires (Salt sets some of them itself while running). */
const NOT_TIMING = new Set(['name', 'enabled', 'maxrunning', 'jid_include', 'returner', 'metadata', 'return_job']);

export function fingerprint(entry: Record<string, unknown>): string {
  const keys = Object.keys(entry)
    .filter((k) => !NOT_TIMING.has(k))
    .sort();
  return JSON.stringify(keys.map((k) => [k, entry[k]]));
}

export function freshState(entry: Record<string, unknown>): JobState {
  return { fingerprint: fingerprint(entry), startedOnce: false, fired: new Set() };
}
