import { minionFileClient, type FileServerSend } from '@tsalt/modules';
import type { Logger } from '@tsalt/core';
import { errorLine, Slots } from '@tsalt/core';
import type { MinionConfig } from '@tsalt/config';
import {
  cleanStaleProcFiles,
  isJid,
  JOB_CONTROL_SERVICE,
  removeProcFile,
  writeCachedJob,
  writeProcFile,
  type JobControl,
} from '@tsalt/job';
import { Registry } from '@tsalt/loader';
import {
  executionModulePlugins,
  MINION_EVENTS_SERVICE,
  type MasterRequestService,
  type MinionDataService,
  type MinionEventService,
  type ScheduleService,
} from '@tsalt/modules';
import type { PublishLoad } from '@tsalt/transport';
import { failedReturn, runJob, type JobReturn } from './executor.js';
import { JobPool, type JobOutcome } from './job-pool.js';
import { ReturningJobs } from './returning-jobs.js';

/**
 * Functions the daemon answers itself, without a job process or a
 * `process_count_max` slot: they read proc files and send signals, and must
 * answer at once even when every slot or job process is busy or hung
 * (`find_job` within `gather_job_timeout`; a kill must not queue behind the
 * job it kills). They write no proc file: they last microseconds, and
 * listing them would only be noise.
 */
export const DAEMON_FUNCTIONS: ReadonlySet<string> = new Set([
  'saltutil.find_job',
  'saltutil.running',
  'saltutil.is_running',
  'saltutil.find_cached_job',
  'saltutil.signal_job',
  'saltutil.term_job',
  'saltutil.kill_job',
  'saltutil.term_all_jobs',
  'saltutil.kill_all_jobs',
]);

export interface JobRunnerOptions {
  opts: MinionConfig;
  /** The minion's grains and pillar: the daemon keeps each object's identity and replaces its contents on refresh. */
  grains: Record<string, unknown>;
  pillar?: Record<string, unknown>;
  /** Grains and pillar refreshes (grains.setval, saltutil.refresh_*), in the daemon and the job processes. */
  minionData?: MinionDataService;
  /** Sends a file-server request to the master (cp.*, cmd.script salt://). */
  fileServer?: FileServerSend;
  /** AES requests to the master (publish.*, saltutil.runner/wheel/cmd). */
  masterRequest?: MasterRequestService;
  /** The daemon's scheduler, for schedule.* (in the daemon and the job processes). */
  schedule?: ScheduleService;
  log: Logger;
  /** A job's event towards the master. */
  fireEvent: (tag: string, data: unknown, preload?: Record<string, unknown>) => Promise<void>;
  /** For tests: the job process entry. */
  workerFile?: string;
  /** The returners loaded in the daemon, for `sys.list_returners` (in the daemon and the job processes). */
  returnerNames?: readonly string[];
}

/**
 * Runs published jobs as Salt's minion does: each in a job process of its
 * own (`multiprocessing: True`, from a warm pool) or in the daemon
 * (`multiprocessing: False`), with a proc file for the job's lifetime and,
 * with `cache_jobs`, a copy of the return in `minion_jobs`.
 */
export class JobRunner {
  /** The daemon's registry: in-process jobs and DAEMON_FUNCTIONS. */
  readonly registry: Registry;
  readonly pool: JobPool | undefined;
  private readonly slots: Slots;
  private readonly log: Logger;
  /** Finished jobs whose return is on its way to the master: `find_job` still finds them. */
  private readonly returning = new ReturningJobs();

  constructor(private readonly o: JobRunnerOptions) {
    const { opts } = o;
    this.log = o.log.child({ component: 'jobs' });
    const size = opts.job_pool_size;
    const returnerNames = o.returnerNames ?? [];
    const pillar = o.pillar ?? {};
    if (opts.multiprocessing) {
      this.pool = new JobPool({
        size,
        init: {
          id: opts.id,
          opts: opts,
          grains: o.grains,
          pillar,
          returnerNames: [...returnerNames],
        },
        log: this.log,
        fireEvent: o.fireEvent,
        ...(o.minionData ? { minionData: o.minionData } : {}),
        ...(o.fileServer ? { fileServer: o.fileServer } : {}),
        ...(o.masterRequest ? { masterRequest: o.masterRequest } : {}),
        ...(o.schedule ? { schedule: o.schedule } : {}),
        ...(o.workerFile ? { workerFile: o.workerFile } : {}),
      });
    }
    const pool = this.pool;
    const jobControl: JobControl = {
      daemonPid: process.pid,
      returning: () => this.returning.of(opts.id),
      ...(pool ? { willSignal: async (jid: string, pid: number, sig: number) => pool.noteSignal(jid, pid, sig) } : {}),
    };
    const events: MinionEventService = { fireMaster: (tag, data, preload) => o.fireEvent(tag, data, preload) };
    const fileClient = minionFileClient(opts, o.fileServer, o.log);
    this.registry = new Registry(
      {
        kind: 'module',
        opts: opts,
        grains: o.grains,
        pillar,
        log: o.log.child({ component: 'module' }),
        fireEvent: o.fireEvent,
        services: {
          ...(o.minionData ? { minionData: o.minionData } : {}),
          ...(fileClient ? { fileClient } : {}),
          ...(o.masterRequest ? { masterRequest: o.masterRequest } : {}),
          ...(o.schedule ? { schedule: o.schedule } : {}),
          [JOB_CONTROL_SERVICE]: jobControl,
          [MINION_EVENTS_SERVICE]: events,
          returnerNames: () => [...returnerNames],
        },
      },
      executionModulePlugins(),
    );
    this.slots = new Slots(opts.process_count_max);
  }

  /** Removes proc files left by a previous run (their processes are gone, or are other programs now). */
  cleanStale(): void {
    try {
      const n = cleanStaleProcFiles(this.o.opts.cachedir);
      if (n > 0) this.log.info(`removed ${n} stale proc file(s)`);
    } catch (err) {
      this.log.warn({ err: errorLine(err) }, 'could not clean the proc folder');
    }
  }

  /** The grains or pillar changed: the job processes get them (the daemon's registry holds the same objects). */
  pushData(): void {
    this.pool?.pushData(this.o.grains, this.o.pillar ?? {});
  }

  /** Starts the warm job processes (after sign-in, to keep start-up light). */
  warm(): void {
    this.pool?.warm();
  }

  /** Runs one job. Undefined means "send no return" (the job was killed, as Salt). */
  async run(load: PublishLoad): Promise<JobReturn | undefined> {
    const { opts } = this.o;
    const { fun } = load;
    let ret: JobReturn | undefined;
    if (typeof fun === 'string' && DAEMON_FUNCTIONS.has(fun)) {
      ret = await runJob(this.registry, opts.id, load, this.log);
    } else {
      if (this.slots.full)
        this.log.info(
          { jid: load.jid },
          `Maximum number of processes reached while executing jid ${load.jid}, waiting...`,
        );
      await this.slots.acquire();
      try {
        ret = this.pool ? await this.inJobProcess(load) : await this.inDaemon(load);
      } finally {
        this.slots.release();
      }
    }
    if (ret && opts.cache_jobs && isJid(ret.jid)) {
      try {
        writeCachedJob(opts.cachedir, ret.jid, Object.fromEntries(Object.entries(ret).filter(([k]) => k !== 'cmd')));
      } catch (err) {
        this.log.warn({ jid: ret.jid, err: errorLine(err) }, 'could not write the minion job cache');
      }
    }
    return ret;
  }

  private async inDaemon(load: PublishLoad): Promise<JobReturn> {
    this.writeProc(load, process.pid);
    try {
      return await runJob(this.registry, this.o.opts.id, load, this.log);
    } finally {
      this.removeProc(load);
    }
  }

  private async inJobProcess(load: PublishLoad): Promise<JobReturn | undefined> {
    const { id } = this.o.opts;
    let outcome: JobOutcome;
    try {
      outcome = await this.pool!.run(load, (pid) => this.writeProc(load, pid));
    } catch (err) {
      this.log.error({ jid: load.jid, err: errorLine(err) }, 'could not run a job');
      return failedReturn(id, load, errorLine(err));
    } finally {
      this.removeProc(load);
    }
    const { jid } = load;
    switch (outcome.kind) {
      case 'done':
        return outcome.ret;
      case 'killed':
        this.log.info(
          { jid, pid: outcome.pid },
          `job ${jid} was killed by signal ${outcome.signal}; no return is sent`,
        );
        return undefined;
      case 'crashed': {
        const how = outcome.signal ? `was killed by ${outcome.signal}` : `exited with code ${outcome.code}`;
        this.log.warn({ jid, pid: outcome.pid }, `the process of job ${jid} ${how}`);
        return failedReturn(id, load, `the job process (pid ${outcome.pid}) ${how}`);
      }
    }
  }

  /**
   * Runs `send` (the return's trip to the master, retries included) with the
   * job still listed by `saltutil.running` and `find_job`, as Salt's job
   * process is until its return is sent.
   */
  whileReturning<T>(load: PublishLoad, send: () => Promise<T>): Promise<T> {
    return this.returning.during(this.o.opts.id, load, send);
  }

  /** The proc file is best effort: a job still runs when it cannot be written. */
  private writeProc(load: PublishLoad, pid: number): void {
    if (!isJid(load.jid)) return;
    try {
      writeProcFile(this.o.opts.cachedir, load, pid);
    } catch (err) {
      this.log.error({ jid: load.jid, err: errorLine(err) }, 'could not write the proc file');
    }
  }

  private removeProc(load: PublishLoad): void {
    if (!isJid(load.jid)) return;
    try {
      removeProcFile(this.o.opts.cachedir, load.jid);
    } catch (err) {
      this.log.warn({ jid: load.jid, err: errorLine(err) }, 'could not remove the proc file');
    }
  }

  async stop(): Promise<void> {
    await this.pool?.close();
  }
}
