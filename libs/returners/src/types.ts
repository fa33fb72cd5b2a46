/** One minion's return for one job, as the master receives it (`cmd: _return`). */
export interface ReturnLoad {
  id: string;
  jid: string;
  fun: string;
  fun_args: unknown[];
  return: unknown;
  retcode: number;
  success: boolean;
  /** The outputter the function asked for (Salt's `__outputter__`). */
  out?: string;
  [k: string]: unknown;
}

/** Salt's `format_jid_instance`: how `jobs.list_jobs` shows one job. */
export interface JidSummary {
  Function: unknown;
  Arguments: unknown[];
  Target: unknown;
  'Target-type': string;
  User: string;
  /** `jid_to_time`: "2019, Jul 24 15:55:01.240253". */
  StartTime: string;
  Metadata?: unknown;
}

/** One minion's stored result for a job, as `get_jid` answers. */
export interface JidResult {
  return: unknown;
  retcode?: number;
  success?: boolean;
  out?: string;
}

/**
 * Typed facade over a returner plugin used as the master job cache
 * (`master_job_cache`). Every implementation passes `jobCacheContract`.
 */
export interface JobCache {
  readonly name: string;
  /** Reserves and returns a jid: `passedJid` if given, else a fresh one never handed out before. */
  prepJid(nocache?: boolean, passedJid?: string): Promise<string>;
  saveLoad(jid: string, load: Record<string, unknown>, minions?: string[]): Promise<void>;
  saveMinions(jid: string, minions: string[]): Promise<void>;
  /** Stores one return; a second return from the same minion for the same jid is dropped. */
  returner(ret: ReturnLoad): Promise<void>;
  /** The publish load plus `Minions` (expected minions) when known; `{}` for an unknown jid. */
  getLoad(jid: string): Promise<Record<string, unknown>>;
  getJid(jid: string): Promise<Record<string, JidResult>>;
  /** `{minion: newest full return of fun}` (the ReturnLoad fields, including `jid`). */
  getFun(fun: string): Promise<Record<string, unknown>>;
  getJids(): Promise<Record<string, JidSummary>>;
  /** The newest `count` jobs, without `saltutil.find_job` ones unless `filterFindJob` is false. */
  getJidsFilter(count: number, filterFindJob?: boolean): Promise<Record<string, JidSummary>>;
  getMinions(): Promise<string[]>;
  cleanOldJobs(): Promise<void>;
  /** When the job finished (`job_cache_store_endtime`), or false; optional for hand-written caches. */
  getEndtime?(jid: string): Promise<string | false>;
}
