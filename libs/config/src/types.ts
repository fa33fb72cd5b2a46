/**
 * The typed shape of a loaded configuration. Keys keep Salt's names so that
 * `opts.keep_jobs` means exactly what it means in Salt. Every typed key below
 * is always present after `loadConfig` (defaults fill the gaps); keys the lib
 * does not know (including dotted plugin keys like `mysql.host`) are kept and
 * reachable through the index signature.
 */
export type Role = 'master' | 'minion';

/*
 * Three stages (docs/config.md, "The compiled form"):
 * 1. MasterOptions / MinionOptions: what files and overrides may set, every
 *    key optional (Salt's names; defaults in docs/config.md and defaults.ts);
 * 2. MasterOpts / MinionOpts: every key present, defaults filled, types
 *    checked (loadConfig, with the key's name in any error);
 * 3. MasterConfig / MinionConfig (compile.ts): stage 2 plus every duration
 *    in ms (`timeout_ms`). Code reads this one.
 */

/** Keys both daemons share. Durations are seconds unless the name says otherwise. */
export interface CommonOpts {
  [key: string]: unknown;
  id: string;
  user: string;
  /** Prefix for every path key; `/` means none. Always absolute after loading. */
  root_dir: string;
  pki_dir: string;
  cachedir: string;
  sock_dir: string;
  log_file: string;
  pidfile: string;
  /** Salt level names: all, garbage, trace, debug, profile, info, warning, error, critical, quiet. */
  log_level: string;
  /** When the files do not set it, it follows `log_level`. */
  log_level_logfile: string;
  /** The longest string (message or field) in a log line, UTF-16 units; 0 for no cap. */
  log_peer_max_chars: number;
  /** Path of the main config file (`<config_dir>/<role>`), set by the loader. */
  conf_file: string;
  /** Absolute path of the config folder, set by the loader. */
  config_dir: string;
  default_include: string;
  hash_type: string;
  /** RSA key size, bits. */
  keysize: number;
  sign_pub_messages: boolean;
  /** Events above this are trimmed, bytes. */
  max_event_size: number;
  /** Largest request message the daemon accepts, bytes (tsalt extra). */
  max_request_size: number;
  transport: string;
  ipv6: boolean;
  zmq_filtering: boolean;
  tcp_keepalive: boolean;
  tcp_keepalive_idle: number;
  tcp_keepalive_cnt: number;
  tcp_keepalive_intvl: number;
  open_mode: boolean;
  permissive_pki_access: boolean;
  verify_env: boolean;
  unique_jid: boolean;
  loop_interval: number;
  file_roots: Record<string, unknown>;
  pillar_roots: Record<string, unknown>;
  renderer: string;
  state_top: string;
  failhard: boolean;
  /** The highstate outputter: false hides states that succeeded without changes. */
  state_verbose: boolean;
  /** full, terse, mixed, changes or filter, each also with `_id`. */
  state_output: string;
  /** Hide states that succeeded without changes. */
  state_output_diff: boolean;
  /** Started/Duration per state and the total run time. */
  state_output_profile: boolean;
  /** Success % and Failure % in the summary. */
  state_output_pct: boolean;
  /** One block per id and result for states over several `names`. */
  state_compress_ids: boolean;
  /** Terse lines in aligned columns. */
  state_tabular: boolean;
  test: boolean;
  event_match_type: string;
  schedule: Record<string, unknown>;
}

export interface MasterOpts extends CommonOpts {
  interface: string;
  publish_port: number;
  ret_port: number;
  worker_threads: number;
  pub_hwm: number;
  zmq_backlog: number;
  /** tsalt: bytes; a bigger clear (unauthenticated) request is dropped before it is decoded. */
  max_clear_request_size: number;
  /** tsalt: clear requests one connection may have in flight; more are dropped unread. */
  max_clear_requests_per_peer: number;
  /** tsalt: clear requests in flight from all connections together; more are dropped unread. */
  max_clear_requests: number;
  /** tsalt: ms a clear request may take to decode before it is abandoned. */
  max_decode_time: number;
  /** tsalt: the longest publish-port subscription topic kept, bytes; 0: only the empty one. */
  pub_subscription_max_bytes: number;
  /** tsalt: requests remembered to refuse replays (entries). 0 turns the guard off. */
  request_replay_max: number;
  /** tsalt: how long a request is remembered, s. */
  request_replay_ttl: number;
  /** Salt's `max_open_files`: the master raises its limit towards this (two per connected minion). */
  max_open_files: number;
  /** Default CLI wait for returns, s. */
  timeout: number;
  gather_job_timeout: number;
  /** Hours; see keepJobsSeconds(). */
  keep_jobs: number;
  /** Seconds; 0 keeps jobs forever. */
  keep_jobs_seconds: number;
  archive_jobs: boolean;
  key_logfile: string;
  autosign_file: string;
  autoreject_file: string;
  autosign_grains_dir: string;
  autosign_timeout: number;
  auto_accept: boolean;
  publish_session: number;
  rotate_aes_key: boolean;
  ping_on_rotate: boolean;
  max_minions: number;
  auth_events: boolean;
  presence_events: boolean;
  /**
   * tsalt: a `_return` without `tok` (Salt 3006.8 and older minions send none): `refuse` it, or
   * accept it when `targeted`, only from an accepted minion the job was published to, once per job.
   * @default 'refuse'
   */
  tokless_returns: 'refuse' | 'targeted';
  job_cache: boolean;
  master_job_cache: string;
  ext_job_cache: string;
  job_cache_store_endtime: boolean;
  minion_data_cache: boolean;
  minion_data_cache_events: boolean;
  event_return: string | string[];
  event_return_queue: number;
  event_return_queue_max_seconds: number;
  event_return_whitelist: string[];
  event_return_blacklist: string[];
  reactor: unknown[];
  reactor_refresh_interval: number;
  reactor_worker_threads: number;
  reactor_worker_hwm: number;
  /** tsalt: longest chain of reactions causing events causing reactions. @default 8 */
  reactor_max_depth: number;
  /** tsalt: runs of one SLS for one tag and sender within `reactor_storm_window` before it is suppressed; 0 disables. @default 100 */
  reactor_storm_limit: number;
  /** tsalt: the storm window, s. @default 10 */
  reactor_storm_window: number;
  master_sign_pubkey: boolean;
  master_sign_key_name: string;
  master_pubkey_signature: string;
  master_use_pubkey_signature: boolean;
  show_timeout: boolean;
  show_jid: boolean;
  cli_summary: boolean;
  utc_jid: boolean;
  peer: Record<string, unknown>;
  peer_run: Record<string, unknown>;
  /** Salt's mine ACL, `{minion_regex: [function_regex]}`; unset: all may read all. */
  mine_get?: Record<string, unknown>;
  publisher_acl: Record<string, unknown>;
  publisher_acl_blacklist: Record<string, unknown>;
  external_auth: Record<string, unknown>;
  token_expire: number;
  nodegroups: Record<string, unknown> | unknown[];
  ext_pillar: unknown[];
  pillar_opts: boolean;
  pillar_source_merging_strategy: 'smart' | 'recurse' | 'aggregate' | 'overwrite' | 'list' | 'none';
  pillar_merge_lists: boolean;
  pillar_safe_render_error: boolean;
  pillar_includes_override_sls: boolean;
  pillarenv: string | null;
  pillarenv_from_saltenv: boolean;
  allow_minion_key_revoke: boolean;
  preserve_minion_cache: boolean;
  order_masters: boolean;
  runner_returns: boolean;
  enforce_mine_cache: boolean;
  file_recv: boolean;
  /** MiB, as in Salt. */
  file_recv_max_size: number;
  engines: unknown[];
}

export interface MinionOpts extends CommonOpts {
  master: string | string[];
  master_port: number;
  publish_port: number;
  master_type: string;
  master_finger: string;
  master_shuffle: boolean;
  random_master: boolean;
  master_alive_interval: number;
  master_failback: boolean;
  master_failback_interval: number;
  /** -1 = forever. */
  master_tries: number;
  retry_dns: number;
  acceptance_wait_time: number;
  acceptance_wait_time_max: number;
  /** ZMQ reconnect interval, ms. */
  recon_default: number;
  /** ZMQ reconnect interval cap, ms. */
  recon_max: number;
  recon_randomize: boolean;
  auth_tries: number;
  auth_timeout: number;
  auth_safemode: boolean;
  random_reauth_delay: number;
  rejected_retry: boolean;
  /** Minutes; 0 disables. */
  ping_interval: number;
  return_retry_timer: number;
  return_retry_timer_max: number;
  return_retry_tries: number;
  multiprocessing: boolean;
  process_count_max: number;
  /** Idle warm job processes (tsalt). @default 1 */
  job_pool_size: number;
  /** Seconds between presence heartbeats (tsalt); 0 turns them off. @default 30 */
  presence_interval: number;
  cache_jobs: boolean;
  minion_jid_queue_hwm: number;
  return: string | string[];
  /** tsalt: a returner every job's return also goes to (Salt sends the master's through the publish `ret`). */
  ext_job_cache: string;
  grains: Record<string, unknown>;
  verify_master_pubkey_sign: boolean;
  always_verify_signature: boolean;
  master_sign_key_name: string;
  minion_sign_messages: boolean;
  mine_enabled: boolean;
  mine_interval: number;
  mine_return_job: boolean;
  /** Returners every scheduled job's return also goes to (a name, comma list or list; '' none). */
  schedule_returner: string | string[];
  mine_functions: Record<string, unknown>;
  file_client: string;
  startup_states: string;
  top_file: string;
  sls_list: unknown[];
  pub_ret: boolean;
  enable_legacy_startup_events: boolean;
  start_event_grains: string[];
  random_startup_delay: number;
  ipc_mode: string;
  tcp_pub_port: number;
  tcp_pull_port: number;
  grains_refresh_every: number;
  grains_cache: boolean;
  disable_modules: string[];
  disable_returners: string[];
  whitelist_modules: string[];
  module_dirs: string[];
  returner_dirs: string[];
  cmd_safe: boolean;
  /** Salt's `cmd.*` deny list (globs); unset: none. */
  cmd_blacklist_glob?: string[];
  /** Salt's `cmd.*` allow list (globs); unset: every command. */
  cmd_whitelist_glob?: string[];
  /** `event.fire_master` still sends in masterless mode. @default false */
  use_master_when_local: boolean;
  /** Salt's masterless flag (`salt-call --local`); unset means not masterless. */
  local?: boolean;
  sudo_user: string;
  multifunc_ordered: boolean;
  saltenv: string | null;
  pillarenv: string | null;
}

/** Stage 1: what a master config file (or an override) may set; unset keys get their default. */
export type MasterOptions = Partial<MasterOpts>;

/** Stage 1: what a minion config file (or an override) may set. */
export type MinionOptions = Partial<MinionOpts>;
