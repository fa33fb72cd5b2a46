import os from 'node:os';
import type { MasterOpts, MinionOpts } from './types.js';

/** Where `-c/--config-dir` points unless told otherwise. */
export const DEFAULT_CONFIG_DIR = '/etc/tsalt';

/** Salt's `salt.utils.user.get_user()`: the account the process runs as. */
function currentUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    // A uid with no passwd entry (common in containers) has no name.
    return process.env['USER'] ?? String(process.getuid?.() ?? 'root');
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Defaults both roles share, with Salt's values. Durations in s unless noted. */
function commonDefaults(role: 'master' | 'minion') {
  return {
    user: currentUser(),
    root_dir: '/',
    pki_dir: `/etc/tsalt/pki/${role}`,
    cachedir: `/var/cache/tsalt/${role}`,
    sock_dir: `/var/run/tsalt/${role}`,
    log_file: `/var/log/tsalt/${role}`,
    pidfile: `/var/run/tsalt-${role}.pid`,
    log_level: 'warning',
    // Salt leaves this unset and falls back to log_level; the loader does the same.
    log_level_logfile: 'warning',
    // tsalt extra: the longest string a log line holds, UTF-16 units (a peer's id, cmd, tag, ...); 0: no cap.
    log_peer_max_chars: 500,
    conf_file: `${DEFAULT_CONFIG_DIR}/${role}`,
    config_dir: DEFAULT_CONFIG_DIR,
    default_include: `${role}.d/*.conf`,
    hash_type: 'sha256',
    keysize: 2048,
    max_event_size: 1048576, // bytes
    // tsalt extra: a bigger request is refused before it is decoded, bytes (10 MiB).
    max_request_size: 10485760,
    transport: 'zeromq',
    ipv6: false,
    zmq_filtering: false,
    tcp_keepalive: true,
    tcp_keepalive_idle: 300,
    tcp_keepalive_cnt: -1,
    tcp_keepalive_intvl: -1,
    open_mode: false,
    permissive_pki_access: false,
    verify_env: true,
    unique_jid: false,
    file_roots: { base: ['/srv/salt'] },
    pillar_roots: { base: ['/srv/pillar'] },
    renderer: 'jinja|yaml',
    state_top: 'top.sls',
    failhard: false,
    state_verbose: true,
    state_output: 'full',
    // The highstate outputter's settings (docs/states.md): Salt's defaults; pct, compress_ids and tabular are
    // ones Salt leaves unset, which its outputter reads as false.
    state_output_diff: false,
    state_output_profile: true,
    state_output_pct: false,
    state_compress_ids: false,
    state_tabular: false,
    test: false,
    event_match_type: 'startswith',
    schedule: {},
  };
}

/** Salt's DEFAULT_MASTER_OPTS, trimmed to what tsalt implements. */
export const MASTER_DEFAULTS: Readonly<MasterOpts> = deepFreeze<MasterOpts>({
  ...commonDefaults('master'),
  // Salt names an unnamed master after its host, with a suffix so it never
  // collides with a minion running on the same box.
  id: `${os.hostname()}_master`,
  sign_pub_messages: true,
  loop_interval: 60,
  interface: '0.0.0.0',
  publish_port: 4505,
  ret_port: 4506,
  worker_threads: 5,
  pub_hwm: 1000,
  zmq_backlog: 1000,
  // tsalt: limits on what an unauthenticated peer may make the master do (docs/limits.md).
  // A sign-in is ~1.5 KB with a 4096-bit key; 64 KiB leaves room and decodes in well under 1 ms.
  max_clear_request_size: 65536,
  // An honest REQ peer has one request in flight; a few allow a retry to overlap its predecessor.
  max_clear_requests_per_peer: 4,
  // Sign-ins waiting for RSA work count here; at ~2 ms each 1,000 drain in ~2 s, and dropped ones retry.
  max_clear_requests: 1000,
  max_decode_time: 50, // ms: the longest a clear request may take to decode
  // Only the empty subscription (everything) is used: Salt minions send it with zmq_filtering off.
  pub_subscription_max_bytes: 0,
  request_replay_max: 100000,
  request_replay_ttl: 900, // s: longer than any minion's retry of one request
  max_open_files: 100000,
  timeout: 5,
  gather_job_timeout: 10,
  keep_jobs: 24, // hours
  keep_jobs_seconds: 86400,
  archive_jobs: false,
  key_logfile: '/var/log/tsalt/key',
  autosign_file: '/etc/tsalt/autosign.conf',
  autoreject_file: '/etc/tsalt/autoreject.conf',
  autosign_grains_dir: '/etc/tsalt/autosign_grains',
  autosign_timeout: 120,
  auto_accept: false,
  publish_session: 86400, // AES key lifetime
  rotate_aes_key: true,
  ping_on_rotate: false,
  max_minions: 0,
  auth_events: true,
  presence_events: false,
  // tsalt: what to do with a _return without `tok` (Salt 3006.8 and older minions): refuse | targeted; see docs/wire.md.
  tokless_returns: 'refuse',
  job_cache: true,
  master_job_cache: 'local_cache',
  ext_job_cache: '',
  job_cache_store_endtime: false,
  minion_data_cache: true,
  minion_data_cache_events: true,
  event_return: '',
  event_return_queue: 0,
  event_return_queue_max_seconds: 0,
  event_return_whitelist: [],
  event_return_blacklist: [],
  reactor: [],
  reactor_refresh_interval: 60,
  reactor_worker_threads: 10,
  reactor_worker_hwm: 10000,
  // tsalt: deep enough for event-driven workflows (auth -> accept -> key event -> ...), short enough that a loop ends in ms.
  reactor_max_depth: 8,
  // tsalt: a loop through a minion (event.send in a local reaction) runs a few times per second; 100 in 10 s is
  // far above any one sender's legitimate rate for one tag, and stops such a loop within seconds.
  reactor_storm_limit: 100,
  reactor_storm_window: 10, // s
  master_sign_pubkey: false,
  master_sign_key_name: 'master_sign',
  master_pubkey_signature: 'master_pubkey_signature',
  master_use_pubkey_signature: false,
  show_timeout: true,
  show_jid: false,
  cli_summary: false,
  utc_jid: false,
  peer: {},
  peer_run: {},
  publisher_acl: {},
  publisher_acl_blacklist: {},
  external_auth: {},
  token_expire: 43200,
  nodegroups: {},
  ext_pillar: [],
  pillar_opts: false,
  // Salt's: overlapping keys of pillar SLS files merge recursively, the later one winning; lists are replaced.
  pillar_source_merging_strategy: 'smart',
  pillar_merge_lists: false,
  // _errors says only "see the master log" for a render error: its text can quote the SLS, secrets and all.
  pillar_safe_render_error: true,
  pillar_includes_override_sls: false,
  pillarenv: null,
  pillarenv_from_saltenv: false,
  allow_minion_key_revoke: true,
  preserve_minion_cache: false,
  order_masters: false,
  runner_returns: true,
  enforce_mine_cache: false,
  file_recv: false,
  file_recv_max_size: 100, // MiB
  engines: [],
});

/** Salt's DEFAULT_MINION_OPTS, trimmed to what tsalt implements. */
export const MINION_DEFAULTS: Readonly<MinionOpts> = deepFreeze<MinionOpts>({
  ...commonDefaults('minion'),
  id: os.hostname(),
  sign_pub_messages: false,
  loop_interval: 1,
  master: 'salt',
  master_port: 4506,
  publish_port: 4505,
  master_type: 'str',
  master_finger: '',
  master_shuffle: false,
  random_master: false,
  master_alive_interval: 0,
  master_failback: false,
  master_failback_interval: 0,
  master_tries: 1,
  retry_dns: 30,
  acceptance_wait_time: 10,
  acceptance_wait_time_max: 0,
  recon_default: 1000, // ms
  recon_max: 10000, // ms
  recon_randomize: true,
  auth_tries: 7,
  auth_timeout: 5,
  auth_safemode: false,
  random_reauth_delay: 10,
  rejected_retry: false,
  ping_interval: 0, // minutes
  return_retry_timer: 5,
  return_retry_timer_max: 10,
  return_retry_tries: 3,
  multiprocessing: true,
  process_count_max: -1,
  // tsalt: idle warm job processes kept per minion, so a job does not wait for a fork.
  job_pool_size: 1,
  // tsalt: seconds between presence heartbeats to the master (0: none); see docs/decisions.md.
  presence_interval: 30,
  cache_jobs: false,
  minion_jid_queue_hwm: 100,
  return: '',
  ext_job_cache: '',
  grains: {},
  verify_master_pubkey_sign: false,
  always_verify_signature: false,
  master_sign_key_name: 'master_sign',
  minion_sign_messages: false,
  mine_enabled: true,
  mine_interval: 60, // minutes, as in Salt
  mine_return_job: false,
  // Salt reads it with opts.get(): unset means no returner beside the entry's own.
  schedule_returner: '',
  mine_functions: {},
  file_client: 'remote',
  startup_states: '',
  top_file: '',
  sls_list: [],
  pub_ret: true,
  enable_legacy_startup_events: true,
  start_event_grains: [],
  random_startup_delay: 0,
  ipc_mode: 'ipc',
  tcp_pub_port: 4510,
  tcp_pull_port: 4511,
  grains_refresh_every: 0, // minutes
  grains_cache: false,
  disable_modules: [],
  disable_returners: [],
  whitelist_modules: [],
  module_dirs: [],
  returner_dirs: [],
  cmd_safe: true,
  use_master_when_local: false,
  sudo_user: '',
  multifunc_ordered: false,
  saltenv: null,
  pillarenv: null,
});

/**
 * Returners whose settings may also be written nested (`mysql: {host: ...}`)
 * rather than dotted (`mysql.host`); each one's module validates them.
 */
export const RETURNER_NAMESPACES: readonly string[] = deepFreeze(['mysql', 'redis', 'syslog', 'rawfile_json']);

/**
 * Known keys that have no default: accepted without a warning, left unset
 * unless a file sets them.
 */
export const OPTIONAL_KEYS: Readonly<Record<'master' | 'minion', readonly string[]>> = deepFreeze({
  master: [
    'include',
    'log_granular_levels',
    'master_tops',
    'mine_functions',
    // Salt's mine_get ACL: unset means every minion may read every mine function.
    'mine_get',
    ...RETURNER_NAMESPACES,
    // state_output: filter's lists (docs/states.md).
    'state_output_exclude',
    'state_output_terse',
  ],
  minion: [
    ...RETURNER_NAMESPACES,
    'state_output_exclude',
    'state_output_terse',
    'include',
    'log_granular_levels',
    'append_domain',
    'master_uri_format',
    'source_address',
    'beacons',
    // Salt's cmd.* allow/deny lists: unset means no list.
    'cmd_blacklist_glob',
    'cmd_whitelist_glob',
    'local',
  ],
});
