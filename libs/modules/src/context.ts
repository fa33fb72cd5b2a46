import type { MinionConfig } from '@tsalt/config';
import type { JobControl } from '@tsalt/job';
import type { PluginContext, PluginDefinition } from '@tsalt/loader';

/** What the minion daemon injects (services.minionEvents) so `preload` reaches the request load. */
export interface MinionEventService {
  fireMaster(tag: string, data: unknown, preload?: Record<string, unknown>): Promise<void>;
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
  /** The returners this minion has, for sys.list_returners. */
  returnerNames: () => readonly string[];
}

/**
 * What an execution module sees: the minion's compiled config (the master
 * running modules for its reactor gives its own keys over the minion
 * defaults) and the module services.
 */
export type ModuleContext = PluginContext<MinionConfig, ModuleServices>;

/** An execution module. */
export type ModulePlugin = PluginDefinition<MinionConfig, ModuleServices>;
