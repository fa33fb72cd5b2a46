import type { CommonOpts, MasterConfig } from '@tsalt/config';
import type { PluginContext, PluginDefinition } from '@tsalt/loader';

/**
 * The config a returner sees. Returners run on the master (job cache,
 * event_return) and on minions (`return:`), so only the shared keys and the
 * compiled retention are sure to be there; the master's own keys
 * (`utc_jid`, `archive_jobs`) are absent on a minion. Dotted plugin keys
 * (`mysql.host`) are read through returnerOptions, which validates them.
 */
export type ReturnerConfig = CommonOpts & Pick<MasterConfig, 'keep_jobs_ms'> & Partial<MasterConfig>;

/** Resolves a target to minion ids, as the master's CkMinions does (for loads saved without a list). */
export type CheckMinions = (tgt: unknown, tgtType: string) => string[] | Promise<string[]>;

/** What a daemon may inject into returners. */
export interface ReturnerServices {
  /** The master's target matcher; without it a load saved with no minion list keeps none. */
  checkMinions: CheckMinions;
}

/** What a returner function sees. */
export type ReturnerContext = PluginContext<ReturnerConfig, ReturnerServices>;

/** A returner module. */
export type ReturnerPlugin = PluginDefinition<ReturnerConfig, ReturnerServices>;
