import type { MasterConfig } from '@tsalt/config';

/** What a local client needs from the master config. */
export type ClientOpts = Pick<
  MasterConfig,
  'cachedir' | 'sock_dir' | 'ret_port' | 'interface' | 'timeout' | 'gather_job_timeout'
>;

export interface PublishOptions {
  /** Salt's target type. @default 'glob' */
  tgt_type?: string;
  /** Returners the minions also send to, comma-separated. @default '' */
  ret?: string;
  /** A jid to use instead of one the master allocates. */
  jid?: string;
  /** Keyword arguments for the function: sent as Salt's trailing `{__kwarg__: true, ...}` dict. */
  kwarg?: Record<string, unknown>;
  /** Extra publish kwargs the master copies into the job (`metadata`, `ret_config`, `ret_kwargs`, `delimiter`). */
  kwargs?: Record<string, unknown>;
  /**
   * Subscribe to the bus before publishing, so no return is missed.
   * False for fire-and-forget (`--async`). @default true
   */
  listen?: boolean;
}

/** The master's answer to a publish. `jid` is '' when no minion matched. */
export interface PublishReply {
  jid: string;
  /** Minions expected to return (accepted keys the target matched). */
  minions: string[];
  /** Ids a list target named that have no accepted key. */
  missing: string[];
  /** Targeted minions the master knows (cached data) but does not see connected: Salt's `[Not connected]`. */
  notConnected?: string[];
}

/** Why a minion is reported without a return: Salt's bracketed words. */
export type NoReturnReason = 'No response' | 'Not connected';

/**
 * One item from `getCliReturns`: a minion's return event as the master fired
 * it (`return`, `retcode`, `success`, `out`...), or a minion given up on.
 */
export type CliReturn =
  | { kind: 'return'; id: string; data: Record<string, unknown> }
  | { kind: 'missing'; id: string; reason: NoReturnReason };

export interface WaitOptions {
  /** Seconds to wait before asking silent minions `saltutil.find_job`. @default opts.timeout (5) */
  timeout?: number;
  /** Seconds to wait for the find_job answers. @default opts.gather_job_timeout (10) */
  gatherJobTimeout?: number;
  /** The publish reply's `notConnected`: given up on as `Not connected` rather than `No response`. */
  notConnected?: Iterable<string>;
}

export interface CmdOptions extends PublishOptions, WaitOptions {}

/** What a batch sub-job needs: the publish options (its target is always a list) and the wait. */
export interface BatchOptions extends Omit<PublishOptions, 'tgt_type' | 'listen'>, WaitOptions {}

/** The answer of `pingTarget`: who will get the job in a batch run. */
export interface PingedTarget {
  /** False when the target matched no minion (no jid). */
  matched: boolean;
  /** Minions that answered the ping, sorted. */
  up: string[];
  /** Minions targeted that did not answer, sorted: no job is sent to them. */
  down: string[];
}
