import type { Logger } from '@tsalt/core';
import { errorLine } from '@tsalt/core';
import { loadOrCreateKeyPair } from '@tsalt/crypto';
import type { MinionConfig } from '@tsalt/config';
import { RequestTimeoutError, zmqVersion, type FileServerRequest, type PublishLoad } from '@tsalt/transport';
import type { MasterReply } from '@tsalt/modules';
import { MasterLink } from './master-link.js';
import { JobRunner } from './job-runner.js';
import { MinionReturners } from './returners.js';
import { MinionData } from '@tsalt/modules';
import { MinionSchedule } from './minion-schedule.js';
import { scheduledLoad, scheduledReturn } from './scheduled-job.js';
import type { DueJob } from '@tsalt/schedule';

/** How long the master may take to compile our pillar (ms): Salt's request_channel_timeout (60 s). */
const PILLAR_TIMEOUT_MS = 60_000;
/** How long the master may take for one file-server request (ms): Salt's request_channel_timeout. */
const FILE_TIMEOUT_MS = 60_000;

/**
 * tsalt-minion: signs in, listens on the master's PUB, selects itself by
 * target, runs the function and returns over the request socket. The
 * connection itself is a MasterLink; this class adds the jobs and returners.
 */
export class Minion {
  private link: MasterLink | undefined;
  private jobs!: JobRunner;
  private returners: MinionReturners | undefined;
  private data!: MinionData;
  private schedule: MinionSchedule | undefined;
  private grainsTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** Called when the master refuses this minion for good; the bin exits. */
  onFatal: (err: unknown) => void = () => undefined;

  constructor(
    private readonly opts: MinionConfig,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    const { opts } = this;
    this.data = new MinionData({
      opts,
      log: this.log,
      zmqversion: zmqVersion,
      requestPillar: (load) => this.requestPillar(load),
      changed: () => {
        this.jobs?.pushData();
        this.schedule?.setPillar(this.data.pillar);
      },
    });
    const grains = this.data.computeGrains();
    const returners = new MinionReturners({ opts, grains, log: this.log });
    // First: it checks job_pool_size, so a bad value stops start-up before anything is written.
    this.jobs = new JobRunner({
      opts,
      grains,
      pillar: this.data.pillar,
      minionData: this.data,
      fileServer: (load) => this.fileRequest(load),
      masterRequest: { send: (load, timeoutMs) => this.masterRequest(load, timeoutMs) },
      log: this.log,
      fireEvent: (tag, data, preload) => this.fireMaster(tag, data, preload),
      returnerNames: returners.names(),
      schedule: {
        manage: (req) => (this.schedule ? this.schedule.manage(req) : Promise.resolve({ complete: false })),
      },
    });
    this.schedule = new MinionSchedule({
      opts,
      log: this.log,
      grains,
      pillar: this.data.pillar,
      run: (job) => this.runScheduled(job),
      hasFunction: (fun) => this.jobs.registry.has(fun),
    });
    this.returners = returners;
    returners.resume();
    this.jobs.cleanStale();
    const pair = loadOrCreateKeyPair(opts.pki_dir, 'minion', opts.keysize);
    this.link = new MasterLink({
      opts,
      pair,
      grains,
      pillar: this.data.pillar,
      log: this.log,
      onJob: (load) => void this.execute(load),
      onFatal: (err) => this.onFatal(err),
    });
    void this.connect(this.link);
  }

  private async connect(link: MasterLink): Promise<void> {
    try {
      await link.authenticate();
      this.log.info({ master: this.opts.master }, 'minion authenticated');
      this.jobs.warm();
      // Salt's minion compiles its pillar before it announces itself; this also gives the master our grains.
      await this.data.refreshPillar();
      await link.fireStartEvents();
      link.startHeartbeats();
      // Salt starts the scheduler once connected (scheduler_before_connect is off by default).
      if (!this.stopped) {
        this.schedule?.setPillar(this.data.pillar);
        this.schedule?.start();
      }
      this.startGrainsRefresh();
    } catch (err) {
      if (!this.stopped) this.onFatal(err);
    }
  }

  private async execute(load: PublishLoad): Promise<void> {
    try {
      const ret = await this.jobs.run(load);
      const link = this.link;
      if (!ret || this.stopped || !link) return;
      await this.jobs.whileReturning(load, () => link.sendReturn(ret));
      // Salt's order: the master first, then the job's returners (a failing one never touches the master's copy).
      await this.returners?.dispatch(load, ret);
    } catch (err) {
      this.log.error({ jid: load.jid, err: errorLine(err) }, 'a job failed outside its function');
    }
  }

  /**
   * A scheduled job (Salt's Schedule.handle_func): run like a published job,
   * in the job pool with a jid and a proc file; its return goes to the
   * entry's returners and, unless `return_job` is false, to the master as
   * Salt's `__schedule_return` does (jid `req` when no returner is named,
   * so the master gives it a jid of its own).
   */
  private async runScheduled(job: DueJob): Promise<void> {
    const { opts } = this;
    const load = scheduledLoad(opts, job);
    this.log.info(
      { jid: load.jid },
      `Running scheduled job: ${job.name}${job.lateSeconds > 0 ? ` (runtime missed by ${job.lateSeconds} seconds)` : ''} with jid ${load.jid}`,
    );
    const ret = await this.jobs.run(load);
    const link = this.link;
    if (!ret || this.stopped || !link) return;
    const { full, toMaster, returnerLoad } = scheduledReturn(opts, job, ret);
    // Salt calls the entry's returners first, with the real jid.
    if (returnerLoad) await this.returners?.dispatch(returnerLoad, full);
    if (toMaster) await this.jobs.whileReturning(load, () => link.sendReturn(toMaster));
  }

  /** Salt's `grains_refresh_every` (minutes; 0: never): grains recomputed, and sent on in a `_pillar` when they changed. */
  private startGrainsRefresh(): void {
    const every = this.opts.grains_refresh_every_ms;
    if (!(every > 0) || this.grainsTimer || this.stopped) return;
    this.grainsTimer = setInterval(() => {
      this.data
        .refreshIfChanged()
        .catch((err: unknown) => this.log.warn({ err: errorLine(err) }, 'grains refresh failed'));
    }, every);
    this.grainsTimer.unref();
  }

  /** `_pillar` to the master; it answers in Salt's send_private form. */
  private async requestPillar(load: Record<string, unknown>): Promise<unknown> {
    const link = this.link;
    if (!link || this.stopped) throw new Error('the minion is not connected');
    return link.privateRequest(load, 'pillar', PILLAR_TIMEOUT_MS);
  }

  /** A job's file-server request (cp.*, cmd.script salt://), sent as Salt's RemoteClient sends it. */
  private async fileRequest(load: FileServerRequest): Promise<unknown> {
    const link = this.link;
    if (!link || this.stopped) throw new Error('the minion is not connected');
    return link.aesRequest({ ...load }, FILE_TIMEOUT_MS);
  }

  /** A job's AES request (publish.*, saltutil.runner/wheel/cmd), over the master link; never rejects. */
  private async masterRequest(load: Record<string, unknown>, timeoutMs: number): Promise<MasterReply> {
    const link = this.link;
    if (!link || this.stopped) return { ok: false, timedOut: false, error: 'the minion is not connected' };
    try {
      return { ok: true, value: await link.aesRequest({ ...load }, timeoutMs) };
    } catch (err) {
      return { ok: false, timedOut: err instanceof RequestTimeoutError, error: errorLine(err) };
    }
  }

  /** `event.fire_master` from a job or module. */
  async fireMaster(tag: string, data: unknown, preload?: Record<string, unknown>): Promise<void> {
    if (!this.link) throw new Error('the minion has not started');
    await this.link.fireMaster(tag, data, preload);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.schedule?.stop();
    clearInterval(this.grainsTimer);
    await this.link?.stopListening();
    await this.jobs?.stop();
    // After the jobs: returns being handed to returners land in their spools, which then flush.
    await this.returners?.shutdown();
    this.link?.close();
  }
}
