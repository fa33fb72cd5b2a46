import type { Logger } from '@tsalt/core';
import { JOB_CONTROL_SERVICE, type JobControl } from '@tsalt/job';
import { Registry } from '@tsalt/loader';
import { executionModulePlugins } from '@tsalt/modules';
import type { MinionOpts } from '@tsalt/config';
import { baseReturn, runJob, type JobReturn } from '../executor.js';

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
  /** Finished jobs whose return is on its way to the master, keyed `<id>/<jid>` (an id never holds a slash). */
  private readonly returning = new Map<string, Record<string, unknown>>();

  constructor(opts: MinionOpts, grains: Record<string, unknown>, private readonly log: Logger) {
    // Jobs last microseconds and write no proc files: find_job finds only jobs still returning (below).
    const jobControl: JobControl = { daemonPid: process.pid };
    this.registry = new Registry(
      { kind: 'module', opts: opts as unknown as Record<string, unknown>, grains, log, services: { [JOB_CONTROL_SERVICE]: jobControl, returnerNames: () => [] } },
      executionModulePlugins(),
    );
  }

  async run(id: string, load: Record<string, unknown>, fireEvent: (tag: string, data: Record<string, unknown>) => Promise<void>): Promise<JobReturn> {
    const fun = String(load['fun']);
    if (!SWARM_SAFE.test(fun)) {
      return { ...baseReturn(id, load), return: `'${fun}' is not available on a tsalt-swarm minion (it runs test.*, sys.* and saltutil's job queries).`, retcode: 1, success: false };
    }
    // Jobs here write no proc files; a job still returning is this minion's own record (JobRunner.whileReturning).
    if (fun === 'saltutil.find_job') {
      const arg = Array.isArray(load['arg']) ? load['arg'][0] : undefined;
      const pending = typeof arg === 'string' ? this.returning.get(`${id}/${arg}`) : undefined;
      if (pending) return { ...baseReturn(id, load), return: { ...pending, pid: process.pid } };
    }
    return runJob(this.registry, id, load, this.log, { fireEvent });
  }

  /** Runs `send` (the return's trip to the master) with the job still found by this minion's find_job. */
  async whileReturning<T>(id: string, load: Record<string, unknown>, send: () => Promise<T>): Promise<T> {
    const key = `${id}/${String(load['jid'])}`;
    this.returning.set(key, load);
    try {
      return await send();
    } finally {
      this.returning.delete(key);
    }
  }
}
