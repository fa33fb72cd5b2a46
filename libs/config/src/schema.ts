import { pyStr } from '@tsalt/core';
import { ConfigError, CONFIG_INVALID } from './errors.js';

/**
 * The type of every known key, checked once at startup so the rest of the code
 * can trust `opts`. Like Salt's VALID_OPTS, but a wrong type stops startup
 * instead of logging a warning. Numbers must be YAML numbers and booleans YAML
 * booleans: `"5"` is not an integer and `"yes"` (quoted) is not a boolean.
 */
export type KeySpec =
  | { kind: 'int'; min?: number; max?: number; nullable?: boolean }
  | { kind: 'number'; min?: number; nullable?: boolean }
  | { kind: 'port'; nullable?: boolean }
  | { kind: 'bool'; nullable?: boolean }
  | { kind: 'string'; nullable?: boolean }
  | { kind: 'enum'; values: readonly string[]; nullable?: boolean }
  | { kind: 'string-or-list'; nullable?: boolean }
  | { kind: 'list'; nullable?: boolean }
  | { kind: 'map'; nullable?: boolean }
  | { kind: 'map-or-list'; nullable?: boolean };

const int = (min?: number): KeySpec => (min === undefined ? { kind: 'int' } : { kind: 'int', min });
const num = (min?: number): KeySpec => (min === undefined ? { kind: 'number' } : { kind: 'number', min });
const PORT: KeySpec = { kind: 'port' };
const BOOL: KeySpec = { kind: 'bool' };
const STR: KeySpec = { kind: 'string' };
const STR_OR_NULL: KeySpec = { kind: 'string', nullable: true };
const STR_OR_LIST: KeySpec = { kind: 'string-or-list' };
const LIST: KeySpec = { kind: 'list' };
const MAP: KeySpec = { kind: 'map' };
const oneOf = (...values: string[]): KeySpec => ({ kind: 'enum', values });

/** Salt's log level names (salt/_logging/impl.py LOG_LEVELS). */
export const LOG_LEVELS = [
  'all',
  'garbage',
  'trace',
  'debug',
  'profile',
  'info',
  'warning',
  'error',
  'critical',
  'quiet',
] as const;
const LEVEL = oneOf(...LOG_LEVELS);

/** One table for both roles; which keys a role knows comes from its defaults. */
export const KEY_SPECS: Readonly<Record<string, KeySpec>> = {
  // common
  id: STR,
  user: STR,
  root_dir: STR,
  pki_dir: STR,
  cachedir: STR,
  sock_dir: STR,
  log_file: STR,
  pidfile: STR,
  log_level: LEVEL,
  log_level_logfile: LEVEL,
  log_peer_max_chars: int(0),
  log_granular_levels: MAP,
  conf_file: STR,
  config_dir: STR,
  default_include: STR,
  include: STR_OR_LIST,
  hash_type: oneOf('md5', 'sha1', 'sha224', 'sha256', 'sha384', 'sha512'),
  // Below 1024 bits RSA is breakable; Salt's own floor for new keys is 2048.
  keysize: int(1024),
  sign_pub_messages: BOOL,
  max_event_size: int(1),
  max_request_size: int(1),
  transport: oneOf('zeromq'),
  ipv6: BOOL,
  zmq_filtering: BOOL,
  tcp_keepalive: BOOL,
  tcp_keepalive_idle: num(),
  tcp_keepalive_cnt: int(),
  tcp_keepalive_intvl: int(),
  open_mode: BOOL,
  permissive_pki_access: BOOL,
  verify_env: BOOL,
  unique_jid: BOOL,
  loop_interval: num(0),
  file_roots: MAP,
  pillar_roots: MAP,
  renderer: STR,
  state_top: STR,
  failhard: BOOL,
  state_verbose: BOOL,
  state_output: oneOf(
    'full',
    'terse',
    'mixed',
    'changes',
    'filter',
    'full_id',
    'terse_id',
    'mixed_id',
    'changes_id',
    'filter_id',
  ),
  state_output_diff: BOOL,
  state_output_profile: BOOL,
  state_output_pct: BOOL,
  state_compress_ids: BOOL,
  state_tabular: BOOL,
  state_output_exclude: { kind: 'string-or-list', nullable: true },
  state_output_terse: { kind: 'string-or-list', nullable: true },
  test: BOOL,
  event_match_type: oneOf('startswith', 'endswith', 'find', 'regex', 'fnmatch'),
  schedule: MAP,
  mine_functions: MAP,
  // master
  interface: STR,
  publish_port: PORT,
  ret_port: PORT,
  worker_threads: int(1),
  pub_hwm: int(0),
  zmq_backlog: int(1),
  max_clear_request_size: int(1),
  max_clear_requests_per_peer: int(1),
  max_clear_requests: int(1),
  max_decode_time: int(1),
  pub_subscription_max_bytes: int(0),
  request_replay_max: int(0),
  request_replay_ttl: int(1),
  max_open_files: int(1),
  timeout: num(0),
  gather_job_timeout: num(0),
  keep_jobs: int(0),
  keep_jobs_seconds: int(0),
  archive_jobs: BOOL,
  key_logfile: STR,
  autosign_file: STR,
  autoreject_file: STR,
  autosign_grains_dir: STR,
  autosign_timeout: int(0),
  auto_accept: BOOL,
  publish_session: int(1),
  rotate_aes_key: BOOL,
  ping_on_rotate: BOOL,
  max_minions: int(0),
  auth_events: BOOL,
  presence_events: BOOL,
  tokless_returns: oneOf('refuse', 'targeted'),
  job_cache: BOOL,
  master_job_cache: STR,
  ext_job_cache: STR,
  job_cache_store_endtime: BOOL,
  minion_data_cache: BOOL,
  minion_data_cache_events: BOOL,
  event_return: STR_OR_LIST,
  event_return_queue: int(0),
  event_return_queue_max_seconds: num(0),
  event_return_whitelist: LIST,
  event_return_blacklist: LIST,
  reactor: LIST,
  reactor_refresh_interval: num(0),
  reactor_worker_threads: int(1),
  reactor_worker_hwm: int(0),
  reactor_max_depth: int(1),
  reactor_storm_limit: int(0),
  reactor_storm_window: num(0),
  master_sign_pubkey: BOOL,
  master_sign_key_name: STR,
  master_pubkey_signature: STR,
  master_use_pubkey_signature: BOOL,
  show_timeout: BOOL,
  show_jid: BOOL,
  cli_summary: BOOL,
  utc_jid: BOOL,
  peer: MAP,
  peer_run: MAP,
  mine_get: MAP,
  publisher_acl: MAP,
  publisher_acl_blacklist: MAP,
  external_auth: MAP,
  token_expire: int(0),
  nodegroups: { kind: 'map-or-list' },
  ext_pillar: LIST,
  pillar_opts: BOOL,
  master_tops: MAP,
  // master: pillar compilation (libs/pillar)
  pillar_source_merging_strategy: oneOf('smart', 'recurse', 'aggregate', 'overwrite', 'list', 'none'),
  pillar_merge_lists: BOOL,
  pillar_safe_render_error: BOOL,
  pillar_includes_override_sls: BOOL,
  pillarenv_from_saltenv: BOOL,
  allow_minion_key_revoke: BOOL,
  preserve_minion_cache: BOOL,
  order_masters: BOOL,
  runner_returns: BOOL,
  enforce_mine_cache: BOOL,
  file_recv: BOOL,
  file_recv_max_size: int(0),
  engines: LIST,
  // minion
  master: STR_OR_LIST,
  master_port: PORT,
  master_type: oneOf('str', 'failover', 'func', 'disable'),
  master_uri_format: oneOf('default', 'ip_only'),
  source_address: STR,
  append_domain: STR,
  master_finger: STR,
  master_shuffle: BOOL,
  random_master: BOOL,
  master_alive_interval: num(0),
  master_failback: BOOL,
  master_failback_interval: num(0),
  master_tries: int(-1),
  retry_dns: num(0),
  acceptance_wait_time: num(0),
  acceptance_wait_time_max: num(0),
  recon_default: num(0),
  recon_max: num(0),
  recon_randomize: BOOL,
  auth_tries: int(1),
  auth_timeout: num(0),
  auth_safemode: BOOL,
  random_reauth_delay: num(0),
  rejected_retry: BOOL,
  ping_interval: num(0),
  return_retry_timer: num(0),
  return_retry_timer_max: num(0),
  return_retry_tries: int(1),
  multiprocessing: BOOL,
  process_count_max: int(-1),
  job_pool_size: int(0),
  presence_interval: num(0),
  cache_jobs: BOOL,
  minion_jid_queue_hwm: int(1),
  return: STR_OR_LIST,
  grains: MAP,
  verify_master_pubkey_sign: BOOL,
  always_verify_signature: BOOL,
  minion_sign_messages: BOOL,
  mine_enabled: BOOL,
  mine_interval: num(0),
  mine_return_job: BOOL,
  schedule_returner: STR_OR_LIST,
  file_client: oneOf('remote', 'local'),
  startup_states: STR,
  top_file: STR,
  sls_list: LIST,
  pub_ret: BOOL,
  enable_legacy_startup_events: BOOL,
  start_event_grains: LIST,
  random_startup_delay: num(0),
  ipc_mode: oneOf('ipc', 'tcp'),
  tcp_pub_port: PORT,
  tcp_pull_port: PORT,
  grains_refresh_every: num(0),
  grains_cache: BOOL,
  disable_modules: LIST,
  disable_returners: LIST,
  whitelist_modules: LIST,
  module_dirs: LIST,
  returner_dirs: LIST,
  cmd_safe: BOOL,
  cmd_blacklist_glob: LIST,
  cmd_whitelist_glob: LIST,
  use_master_when_local: BOOL,
  local: BOOL,
  sudo_user: STR,
  multifunc_ordered: BOOL,
  saltenv: STR_OR_NULL,
  pillarenv: STR_OR_NULL,
  beacons: MAP,
  // returner settings in the nested form (RETURNER_NAMESPACES)
  mysql: MAP,
  redis: MAP,
  syslog: MAP,
  rawfile_json: MAP,
};

/** A short, one-line rendering of a bad value for an error message. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  let text: string;
  try {
    // undefined for a function or symbol; throws on a cycle or a bigint.
    text = JSON.stringify(value) ?? pyStr(value);
  } catch {
    text = pyStr(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/**
 * What the key expects, phrased for `expected <this>, got <value>`. A value of
 * the wrong type hears only the type ("an integer"); a number out of range
 * hears the range too.
 */
function expectation(spec: KeySpec, outOfRange: boolean): string {
  switch (spec.kind) {
    case 'int':
      if (!outOfRange) return 'an integer';
      if (spec.min !== undefined && spec.max !== undefined) return `an integer from ${spec.min} to ${spec.max}`;
      return spec.min !== undefined ? `an integer >= ${spec.min}` : 'an integer';
    case 'number':
      if (!outOfRange) return 'a number';
      return spec.min !== undefined ? `a number >= ${spec.min}` : 'a number';
    case 'port':
      if (!outOfRange) return 'an integer';
      return 'a port number (1-65535)';
    case 'bool':
      return 'true or false';
    case 'string':
      return 'a string';
    case 'enum':
      return `one of ${spec.values.join(', ')}`;
    case 'string-or-list':
      return 'a string or a list of strings';
    case 'list':
      return 'a list';
    case 'map':
      return 'a mapping';
    case 'map-or-list':
      return 'a mapping or a list';
  }
}

type CheckResult = { ok: true; value: unknown } | { ok: false; outOfRange?: true };

/**
 * Checks one value. Returns the value to store (enum names are lower-cased,
 * as Salt does for hash_type) or why it does not fit.
 */
function check(spec: KeySpec, value: unknown): CheckResult {
  if (value === null && spec.nullable) return { ok: true, value };
  switch (spec.kind) {
    case 'int':
    case 'port': {
      // YAML `5.0` arrives as the number 5, which is what "integers given as floats" allows.
      if (typeof value !== 'number' || !Number.isInteger(value)) return { ok: false };
      const min = spec.kind === 'port' ? 1 : spec.min;
      const max = spec.kind === 'port' ? 65535 : spec.max;
      if ((min !== undefined && value < min) || (max !== undefined && value > max))
        return { ok: false, outOfRange: true };
      return { ok: true, value };
    }
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return { ok: false };
      if (spec.min !== undefined && value < spec.min) return { ok: false, outOfRange: true };
      return { ok: true, value };
    case 'bool':
      return typeof value === 'boolean' ? { ok: true, value } : { ok: false };
    case 'string':
      return typeof value === 'string' ? { ok: true, value } : { ok: false };
    case 'enum': {
      if (typeof value !== 'string') return { ok: false };
      const lower = value.toLowerCase();
      return spec.values.includes(lower) ? { ok: true, value: lower } : { ok: false };
    }
    case 'string-or-list':
      if (typeof value === 'string') return { ok: true, value };
      return Array.isArray(value) && value.every((v) => typeof v === 'string') ? { ok: true, value } : { ok: false };
    case 'list':
      return Array.isArray(value) ? { ok: true, value } : { ok: false };
    case 'map':
      return isMap(value) ? { ok: true, value } : { ok: false };
    case 'map-or-list':
      return isMap(value) || Array.isArray(value) ? { ok: true, value } : { ok: false };
  }
}

/**
 * Validates every known key in `opts` in place. `sourceOf(key)` names where
 * the value came from (a file path, or "the command line") for the message.
 * Unknown keys are not checked here: plugins validate their own.
 */
export function validateOpts(opts: Record<string, unknown>, sourceOf: (key: string) => string): void {
  for (const [key, value] of Object.entries(opts)) {
    const spec = KEY_SPECS[key];
    if (!spec) continue;
    const result = check(spec, value);
    if (!result.ok) {
      throw new ConfigError(
        CONFIG_INVALID,
        `Invalid value for '${key}' in ${sourceOf(key)}: expected ${expectation(spec, result.outOfRange === true)}, got ${describeValue(value)}`,
      );
    }
    opts[key] = result.value;
  }
}
