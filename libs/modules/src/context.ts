import type { MinionConfig } from '@tsalt/config';
import type { JobControl } from '@tsalt/job';
import type { PluginContext, PluginDefinition, RegistryView } from '@tsalt/loader';

/** What the minion daemon injects (services.minionEvents) so `preload` reaches the request load. */
export interface MinionEventService {
  fireMaster(tag: string, data: unknown, preload?: Record<string, unknown>): Promise<void>;
}

/**
 * The minion's grains and pillar, held by the daemon (what the minion
 * daemon injects as services.minionData). Each refresh recomputes in the
 * daemon, which then updates every job process (and so this call's
 * ctx.grains / ctx.pillar) before it resolves.
 */
export interface MinionDataService {
  /** Recomputes grains (core, the grains file, `grains:`); then, when `refreshPillar`, refreshes the pillar too. */
  refreshGrains(refreshPillar: boolean): Promise<boolean>;
  /** Asks the master for this minion's pillar (sending the grains) and installs it. False when the master did not answer. */
  refreshPillar(): Promise<boolean>;
  /** A fresh pillar from the master, not installed (Salt's pillar.items); undefined when the master did not answer. */
  fetchPillar(pillarOverride?: Record<string, unknown>): Promise<Record<string, unknown> | undefined>;
}

/** The master's answer to a MasterRequestService request. */
export type MasterReply =
  | { ok: true; value: unknown }
  /** No answer: `timedOut` when none came within the timeout (Salt's SaltReqTimeoutError), else why. */
  | { ok: false; timedOut: boolean; error: string };

/**
 * One AES request from this minion to its master (Salt's ReqChannel.send
 * from a module): `load` is the request's own fields with its `cmd`
 * (`minion_pub`, `pub_ret`, `minion_runner`, the mine's `_mine`, `_mine_get`, ...); the link adds the
 * minion's id and token and seals it with the session key. What
 * services.masterRequest holds in a minion's job (absent with no master).
 */
export interface MasterRequestService {
  send(load: Record<string, unknown>, timeoutMs: number): Promise<MasterReply>;
}

/** The operations of Salt's `manage_schedule` event, which schedule.* sends to the minion daemon. */
export type ScheduleFunc =
  | 'list'
  | 'add'
  | 'modify'
  | 'delete'
  | 'enable'
  | 'disable'
  | 'enable_job'
  | 'disable_job'
  | 'run_job'
  | 'save_schedule'
  | 'get_next_fire_time'
  | 'job_status';

/** One `manage_schedule` request: Salt's event data (`func`, `name`, `schedule`, `where`, `persist`). */
export interface ScheduleRequest {
  func: ScheduleFunc;
  name?: string;
  /** `add`: `{name: entry}`; `modify`: the new entry. */
  schedule?: Record<string, unknown>;
  /** `list`: only the config's (`opts`) or only the pillar's entries. */
  where?: 'opts' | 'pillar';
  /** Write the config's entries to `<config_dir>/minion.d/_schedule.conf` afterwards. @default true */
  persist?: boolean;
}

/** The daemon's answer: what Salt's `minion_schedule_*_complete` events carry. */
export interface ScheduleReply {
  complete: boolean;
  /** The whole schedule after the change (`list`: the entries asked for), without the scheduler's own state. */
  schedule?: Record<string, unknown>;
  /** `list`: the names saved in `_schedule.conf`. */
  saved?: string[];
  /** `get_next_fire_time`: `%Y-%m-%dT%H:%M:%S`, or null. */
  next_fire_time?: string | null;
  /** `job_status`: the entry with the scheduler's `_` fields. */
  data?: Record<string, unknown>;
}

/** The minion daemon's scheduler (services.schedule): Salt's `manage_schedule` event as a call. */
export interface ScheduleService {
  manage(req: ScheduleRequest): Promise<ScheduleReply>;
}

/**
 * Everything a daemon may inject into execution modules; each one is
 * optional (tsalt-call has no job control, the master's reactor no
 * connection to itself), and the module that needs one copes without it.
 */
export interface ModuleServices {
  /** The minion's link to the master, for event.fire_master / event.send. */
  minionEvents: MinionEventService;
  /** The minion's running jobs, for saltutil.running / find_job / kill_job (key: JOB_CONTROL_SERVICE). */
  jobControl: JobControl;
  /** The minion's grains and pillar refreshes (grains.setval, saltutil.refresh_*). */
  minionData: MinionDataService;
  /** AES requests to the master, for publish.* and saltutil.runner/wheel/cmd. */
  masterRequest: MasterRequestService;
  /** The minion daemon's scheduler, for schedule.* (tsalt-call has none). */
  schedule: ScheduleService;
  /** The returners this minion has, for sys.list_returners. */
  returnerNames: () => readonly string[];
  /**
   * Salt's `cp.cache_file`: a local copy of a `salt://` (or other remote)
   * source, or null when it cannot be had. cmd.script uses it; without it,
   * only local paths work.
   */
  fileClient: FileClientService;
  /**
   * The daemon's other plugin registries, for sys.list_state_modules,
   * sys.list_runners, sys.state_doc...: absent ones list nothing (states do
   * not exist yet; a minion has no runners loaded).
   */
  registries: Partial<Record<'state' | 'runner', RegistryView>>;
}

/**
 * Salt's file client (see docs/fileclient.md): fetches `salt://` sources from
 * the master's file server (or, with `file_client: local`, the minion's own
 * file_roots) into `<cachedir>/files/<saltenv>/`. Paths that would leave the
 * roots are refused with a ModuleError before anything is asked.
 */
export interface FileClientService {
  /** The path of a local copy of `source` in `saltenv`, or null when the source does not exist. */
  cacheFile(source: string, saltenv: string): Promise<string | null>;
  /** Copies `source` to `dest` (a directory gets the file's name); false when it cannot be had. */
  getFile(source: string, dest: string, saltenv: string, makedirs: boolean): Promise<string | false>;
  /** Every file under a salt:// directory, cached or copied under `dest`; the local paths. */
  getDir(source: string, saltenv: string, dest?: string, includeEmpty?: boolean): Promise<string[]>;
  /** The server's `{hsum, hash_type}` for `source`, or undefined when it has no such file. */
  hashFile(source: string, saltenv: string): Promise<{ hsum: string; hash_type: string } | undefined>;
  /** The server's st_mode for `source` (`_file_find`), or undefined. */
  statMode(source: string, saltenv: string): Promise<number | undefined>;
  /** The cached copy's path, or '' (the server is not asked). */
  isCached(source: string, saltenv: string): string;
  /** The server's files, empty directories or directories under `prefix`. */
  list(kind: '_file_list' | '_file_list_emptydirs' | '_dir_list', saltenv: string, prefix?: string): Promise<string[]>;
  /** The saltenvs the file server has (Salt's `_file_envs`). */
  envs(): Promise<string[]>;
  /** The files in this minion's cache for `saltenv`, relative to it. */
  listCached(saltenv: string): string[];
}

/**
 * What an execution module sees: the minion's compiled config (the master
 * running modules for its reactor gives its own keys over the minion
 * defaults) and the module services.
 */
export type ModuleContext = PluginContext<MinionConfig, ModuleServices>;

/** An execution module. */
export type ModulePlugin = PluginDefinition<MinionConfig, ModuleServices>;
