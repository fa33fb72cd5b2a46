import type { Logger } from '@tsalt/core';

/** One schedule entry as written in `schedule:` (config, pillar, or schedule.add): Salt's field names. */
export type ScheduleEntry = Record<string, unknown>;

/** A schedule: entries by name, plus Salt's global keys (`enabled`, `splay`, `skip_function`, `skip_during_range`). */
export type ScheduleMap = Record<string, unknown>;

/** Where time comes from; tests pass a fake one. */
export interface Clock {
  /** ms since epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A job the schedule says should start now. */
export interface DueJob {
  /** The entry's name (Salt's `schedule` key in the return). */
  name: string;
  /** The function to call (`skip_function` when a range or skip said so). */
  fun: string;
  /** Positional arguments (`args`). */
  args: unknown[];
  /** Keyword arguments (`kwargs`), undefined when the entry has none. */
  kwargs: Record<string, unknown> | undefined;
  /** The entry itself (a copy), for `returner`, `return_job`, `metadata`, `jid_include`. */
  entry: ScheduleEntry;
  /** How late the job starts (s, 0 when on time): Salt's "runtime missed by" note. */
  lateSeconds: number;
}

export interface ScheduleOptions {
  /** The `schedule:` of the config (copied; the schedule owns its copy). @default {} */
  opts?: ScheduleMap;
  log: Logger;
  /** @default systemClock */
  clock?: Clock;
  /** How often `evaluate` is called (ms): the window in which a `when`/`once` time counts as now. @default 1000 */
  loopIntervalMs?: number;
  /** Jobs of entry `name` running now, for `maxrunning`. @default none */
  running?: (name: string) => number;
  /** A random integer in [lo, hi], for `splay`. @default Math.random */
  randomInt?: (lo: number, hi: number) => number;
  /** `whens:` aliases for `when`, from pillar then grains. @default none */
  whens?: () => Record<string, unknown> | undefined;
}
