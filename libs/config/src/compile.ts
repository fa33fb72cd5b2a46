import type { MasterOptions, MasterOpts, MinionOptions, MinionOpts, Role } from './types.js';
import { MASTER_DEFAULTS, MINION_DEFAULTS } from './defaults.js';
import { ConfigError, CONFIG_INVALID } from './errors.js';
import { keepJobsSeconds } from './opt-helpers.js';
import { validateOpts } from './schema.js';

/** The unit a duration key is written in, in Salt's files. */
type Unit = 'ms' | 's' | 'min';
const MS_PER: Readonly<Record<Unit, number>> = { ms: 1, s: 1000, min: 60_000 };

/**
 * Every duration key and its unit. Each one gets a `<key>_ms` twin in the
 * compiled form (`<base>_seconds` becomes `<base>_ms`), so code never
 * multiplies by 1000 itself and never guesses a unit.
 */
const COMMON_DURATIONS = { loop_interval: 's', tcp_keepalive_idle: 's' } as const;

export const MASTER_DURATIONS = {
  ...COMMON_DURATIONS,
  timeout: 's',
  gather_job_timeout: 's',
  autosign_timeout: 's',
  publish_session: 's',
  token_expire: 's',
  event_return_queue_max_seconds: 's',
  reactor_refresh_interval: 's',
  reactor_storm_window: 's',
  max_decode_time: 'ms',
  request_replay_ttl: 's',
} as const satisfies Partial<Record<keyof MasterOpts, Unit>>;

export const MINION_DURATIONS = {
  ...COMMON_DURATIONS,
  master_alive_interval: 's',
  master_failback_interval: 's',
  retry_dns: 's',
  acceptance_wait_time: 's',
  acceptance_wait_time_max: 's',
  recon_default: 'ms',
  recon_max: 'ms',
  auth_timeout: 's',
  random_reauth_delay: 's',
  ping_interval: 'min',
  return_retry_timer: 's',
  return_retry_timer_max: 's',
  presence_interval: 's',
  mine_interval: 'min',
  random_startup_delay: 's',
  grains_refresh_every: 'min',
} as const satisfies Partial<Record<keyof MinionOpts, Unit>>;

/** `timeout` -> `timeout_ms`, `event_return_queue_max_seconds` -> `event_return_queue_max_ms`. */
type MsName<K extends string> = K extends `${infer B}_seconds` ? `${B}_ms` : `${K}_ms`;
type MsFields<T> = { readonly [K in keyof T as MsName<K & string>]: number };

/**
 * The compiled master config: the loaded keys (Salt's names, defaults
 * filled, types checked) plus every duration in ms. Start-up builds it once;
 * code reads `opts.timeout_ms`, never `opts.timeout * 1000` or a default of
 * its own.
 */
export type MasterConfig = MasterOpts &
  MsFields<typeof MASTER_DURATIONS> & {
    /** Job cache retention (Salt's get_keep_jobs_seconds: an edited `keep_jobs` in hours wins), ms; 0 keeps forever. */
    readonly keep_jobs_ms: number;
  };

/** The compiled minion config: the loaded keys plus every duration in ms. */
export type MinionConfig = MinionOpts &
  MsFields<typeof MINION_DURATIONS> & {
    /** Retention for returners that expire what they store (redis), ms; the master's rule, 24 h unless set. */
    readonly keep_jobs_ms: number;
  };

function msName(key: string): string {
  return key.endsWith('_seconds') ? `${key.slice(0, -'_seconds'.length)}_ms` : `${key}_ms`;
}

function addDurations(opts: Record<string, unknown>, table: Readonly<Record<string, Unit>>): void {
  for (const [key, unit] of Object.entries(table)) {
    const value = opts[key];
    // validateOpts has run, so a non-number here is a bug in the tables, not in the file.
    if (typeof value !== 'number')
      throw new ConfigError(CONFIG_INVALID, `Invalid value for '${key}': expected a number, got ${String(value)}`);
    opts[msName(key)] = Math.round(value * MS_PER[unit]);
  }
}

/**
 * Stage 3 of loading: the loaded, validated opts of `role` as the compiled
 * form. Adds fields, never changes a Salt key, so a plugin that reads its
 * own (`mysql.host`) still finds it.
 */
export function compileConfig(role: 'master', opts: MasterOpts): MasterConfig;
export function compileConfig(role: 'minion', opts: MinionOpts): MinionConfig;
export function compileConfig(role: Role, opts: MasterOpts | MinionOpts): MasterConfig | MinionConfig;
export function compileConfig(role: Role, opts: MasterOpts | MinionOpts): MasterConfig | MinionConfig {
  const out: Record<string, unknown> = opts;
  addDurations(out, role === 'master' ? MASTER_DURATIONS : MINION_DURATIONS);
  out['keep_jobs_ms'] = keepJobsSeconds(out) * 1000;
  return out as MasterConfig | MinionConfig;
}

/**
 * A compiled config from the defaults and `keys`, validated: for programs
 * that get no config folder (tsalt-swarm's emulated minions) and for tests.
 * @throws ConfigError naming the key, as loadConfig does.
 */
export function masterConfig(keys: MasterOptions = {}): MasterConfig {
  const opts: Record<string, unknown> = { ...structuredClone(MASTER_DEFAULTS), ...keys };
  validateOpts(opts, () => 'the given keys');
  return compileConfig('master', opts as MasterOpts);
}

/** The minion form of masterConfig(). */
export function minionConfig(keys: MinionOptions = {}): MinionConfig {
  const opts: Record<string, unknown> = { ...structuredClone(MINION_DEFAULTS), ...keys };
  validateOpts(opts, () => 'the given keys');
  return compileConfig('minion', opts as MinionOpts);
}
