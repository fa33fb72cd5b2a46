import type { Logger } from '@tsalt/core';
import { JOB_CONTROL_SERVICE, type JobControl } from '@tsalt/job';
import { Registry } from '@tsalt/loader';
import { executionModulePlugins } from '@tsalt/modules';
import type { MinionConfig } from '@tsalt/config';
import { baseReturn, runJob, type JobReturn } from '../executor.js';
import { ReturningJobs } from '../returning-jobs.js';
import type { PublishLoad } from '@tsalt/transport';

/** What an emulated minion runs: the harmless, in-process functions. */
const SWARM_SAFE = /^(test|sys)\.|^saltutil\.(find_job|running|is_running|find_cached_job)$/;

/**
 * The execution every minion of one swarm process shares: one registry,
 * built once, running `test.*`, `sys.*` and saltutil's job queries in the
 * process. Anything else would run on this host once per emulated minion,
 * so it gets Salt's "not available" return instead.
 */
export class SwarmExecutor {
  private readonly registry: Registry;
  /** Finished jobs whose return is on its way to the master, per emulated minion. */
  private readonly returning = new ReturningJobs();

  constructor(
    opts: MinionConfig,
    grains: Record<string, unknown>,
    private readonly log: Logger,
  ) {
    this.registry = new Registry(
      {
        kind: 'module',
        opts: opts,
        grains,
        log,
        services: { returnerNames: () => [] },
      },
      executionModulePlugins(),
    );
  }

  async run(
    id: string,
    load: PublishLoad,
    fireEvent: (tag: string, data: Record<string, unknown>) => Promise<void>,
  ): Promise<JobReturn> {
    const fun = String(load.fun);
    if (!SWARM_SAFE.test(fun)) {
      return {
        ...baseReturn(id, load),
        return: `'${fun}' is not available on a tsalt-swarm minion (it runs test.*, sys.* and saltutil's job queries).`,
        retcode: 1,
        success: false,
      };
    }
    if (!fun.startsWith('saltutil.')) return runJob(this.registry, id, load, this.log, { fireEvent });
    // Jobs last microseconds and write no proc files: saltutil finds only this minion's jobs still returning.
    const jobControl: JobControl = { daemonPid: process.pid, returning: () => this.returning.of(id) };
    return runJob(this.registry, id, load, this.log, { fireEvent, services: { [JOB_CONTROL_SERVICE]: jobControl } });
  }

  /** Runs `send` (the return's trip to the master) with the job still listed by this minion's saltutil. */
  whileReturning<T>(id: string, load: PublishLoad, send: () => Promise<T>): Promise<T> {
    return this.returning.during(id, load, send);
  }
}
