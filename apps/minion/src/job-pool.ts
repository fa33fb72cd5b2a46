import { fileURLToPath } from 'node:url';
import { errorLine, type Logger } from '@tsalt/core';
import { JobProcessError } from './errors.js';
import { JobProcess, type JobOutcome, type JobProcessState } from './job-process.js';
import type { MasterRequestService, MinionDataService, ScheduleService } from '@tsalt/modules';
import type { WorkerInit } from './worker-protocol.js';
import type { FileServerRequest, PublishLoad } from '@tsalt/transport';

export type { JobOutcome } from './job-process.js';

/*
 * A job process takes ~300 ms of CPU to start, and many minions may share a
 * host, so the pool forks sparingly:
 * - a job that finds no idle process waits for the first one to become
 *   free; only when it has waited FORK_DELAY_MS, and no other start is in
 *   flight, is a process forked (one start at a time per minion: parallel
 *   starts on a host of many minions starve the CPU, jobs then wait longer,
 *   which asks for more forks). Short jobs in a burst are so served in turn
 *   by the processes that free up within milliseconds, with no fork;
 * - the idle process a job takes is replaced only if that job still runs
 *   after FORK_DELAY_MS, so a long job soon has a warm process beside it;
 * - a surplus process (beyond `size`) stays idle for SURPLUS_LINGER_MS
 *   before it exits, so the next burst finds it warm.
 */
const FORK_DELAY_MS = 100;
/** How long a job must hold its process before it counts as long, for forking (ms). */
const LONG_JOB_MS = 200;
const SURPLUS_LINGER_MS = 10_000;

export interface JobPoolOptions {
  /** Idle job processes kept warm (tsalt's `job_pool_size`). */
  size: number;
  init: Omit<WorkerInit, 'type'>;
  log: Logger;
  /** Fires a job's event towards the master (the daemon's `_minion_event`). */
  fireEvent: (tag: string, data: unknown, preload?: Record<string, unknown>) => Promise<void>;
  /** The worker entry file. @default job-worker.js beside this file */
  workerFile?: string;
  /** The daemon's grains and pillar, for jobs that refresh them. */
  minionData?: MinionDataService;
  /** Forwards a job's file-server request to the master. */
  fileServer?: (load: FileServerRequest) => Promise<unknown>;
  /** Forwards a job's AES request (publish.*, saltutil.runner) to the master. */
  masterRequest?: MasterRequestService;
  /** The daemon's scheduler, for schedule.* in job processes. */
  schedule?: ScheduleService;
  /** How long a new job process may take to load its modules (ms). @default 30000 */
  startTimeoutMs?: number;
  /** On close, how long busy job processes get after SIGTERM before SIGKILL (ms). @default 1000 */
  stopGraceMs?: number;
}

/**
 * Warm job processes: `size` idle ones wait with their modules loaded, more
 * are forked on demand, and the surplus exit after lingering idle. Each runs
 * one job at a time, so signalling its pid signals exactly that job.
 */
export class JobPool {
  /** Ready and idle, most recently used last (taken first, so the others can linger out). */
  private readonly idle: JobProcess[] = [];
  private readonly all = new Set<JobProcess>();
  /** Jobs waiting for a process, first come first served; `since` in ms since epoch. */
  private readonly waiters: { since: number; resolve(p: JobProcess): void; reject(err: unknown): void }[] = [];
  private readonly file: string;
  private forkTimer: NodeJS.Timeout | undefined;
  private sweeper: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly opts: JobPoolOptions) {
    this.file = opts.workerFile ?? fileURLToPath(new URL('./job-worker.js', import.meta.url));
  }

  /** Pids and states, for tests and logs. */
  processes(): { pid: number; state: JobProcessState; jid?: string }[] {
    return [...this.all].map((p) => ({ pid: p.pid, state: p.state, ...(p.jid ? { jid: p.jid } : {}) }));
  }

  private startingCount(): number {
    let n = 0;
    for (const p of this.all) if (p.state === 'starting') n += 1;
    return n;
  }

  /** Forks processes until `size` are idle or starting. */
  warm(): void {
    while (!this.closed && this.idle.length + this.startingCount() < this.opts.size) this.spawn();
  }

  /** Hands idle processes to waiting jobs; jobs left waiting get a fork once they have waited FORK_DELAY_MS. */
  private pump(): void {
    while (this.waiters.length > 0 && this.idle.length > 0) this.waiters.shift()!.resolve(this.idle.pop()!);
    if (this.forkTimer || this.closed || this.waiters.length === 0) return;
    const wait = Math.max(0, this.waiters[0]!.since + FORK_DELAY_MS - Date.now());
    this.forkTimer = setTimeout(
      () => {
        this.forkTimer = undefined;
        if (!this.closed && this.startingCount() === 0 && this.agedWaiters() > 0 && this.allBusyOnLongJobs())
          this.spawn();
        this.pump();
      },
      wait || FORK_DELAY_MS / 2,
    );
  }

  /**
   * True when every busy process has held its current job for LONG_JOB_MS.
   * A job that merely waited in the queue does not justify a fork: on a
   * saturated CPU short jobs wait too, and forking a Node process then only
   * makes it worse (a burst of 200 pings on 10 minions grew 10 job processes
   * to 44 and cut throughput threefold). A long job holding a process does.
   */
  private allBusyOnLongJobs(): boolean {
    const now = Date.now();
    for (const p of this.all) if (p.state === 'busy' && now - p.busySince < LONG_JOB_MS) return false;
    return true;
  }

  private agedWaiters(): number {
    const now = Date.now();
    return this.waiters.filter((w) => now - w.since >= FORK_DELAY_MS).length;
  }

  private spawn(): void {
    const p = new JobProcess(
      {
        log: this.opts.log,
        fireEvent: this.opts.fireEvent,
        noteSignal: (jid, pid, sig) => this.noteSignal(jid, pid, sig),
        exited: (q) => this.forget(q),
        ...(this.opts.minionData ? { minionData: this.opts.minionData } : {}),
        ...(this.opts.fileServer ? { fileServer: this.opts.fileServer } : {}),
        ...(this.opts.masterRequest ? { masterRequest: this.opts.masterRequest } : {}),
        ...(this.opts.schedule ? { schedule: this.opts.schedule } : {}),
      },
      this.file,
      { type: 'init', ...this.opts.init },
      this.opts.startTimeoutMs ?? 30_000,
    );
    this.all.add(p);
    p.ready.then(
      () => this.offer(p),
      (err: unknown) => {
        this.opts.log.error(errorLine(err));
        // A failed start fails the oldest job it was forked for (a broken install must not hang jobs).
        if (this.agedWaiters() > 0) this.waiters.shift()!.reject(err);
      },
    );
  }

  /** A process is ready or done: give it to a waiting job, or keep it idle. */
  private offer(p: JobProcess): void {
    if (p.state !== 'idle') return;
    if (this.closed || p.signalled !== undefined) {
      p.retire();
      return;
    }
    this.idle.push(p);
    this.pump();
    if (this.idle.length > this.opts.size)
      this.sweeper ??= setInterval(() => this.sweep(), SURPLUS_LINGER_MS / 2).unref();
  }

  /**
   * Runs one job in a process of its own. `onStart(pid)` runs just before
   * the job is handed over (the caller writes the proc file there); nothing
   * else runs in between, so a kill never finds a half-started job.
   */
  async run(load: PublishLoad, onStart: (pid: number) => void): Promise<JobOutcome> {
    let p: JobProcess;
    do {
      if (this.closed) throw new JobProcessError('JOB_PROCESS_START_FAILED', 'the minion is stopping');
      p =
        this.idle.pop() ??
        (await new Promise<JobProcess>((resolve, reject) => {
          this.waiters.push({ since: Date.now(), resolve, reject });
          this.pump();
        }));
    } while (p.state !== 'idle'); // it died meanwhile
    onStart(p.pid);
    const job = p.run(load);
    const jid = p.jid;
    // Keep a warm process for the next job only when this one turns out long.
    const topUp = setTimeout(() => p.state === 'busy' && p.jid === jid && this.warm(), LONG_JOB_MS);
    const outcome = await job;
    clearTimeout(topUp);
    this.offer(p);
    return outcome;
  }

  /**
   * New grains and pillar: every live process gets them now; processes
   * forked later read them from `init`, which holds the daemon's objects.
   */
  pushData(grains: Record<string, unknown>, pillar: Record<string, unknown>): void {
    for (const p of this.all) p.pushData(grains, pillar);
  }

  /** Retires surplus idle processes that have lingered long enough, oldest first. */
  private sweep(): void {
    const now = Date.now();
    while (this.idle.length > this.opts.size && now - this.idle[0]!.idleSince >= SURPLUS_LINGER_MS)
      this.idle.shift()!.retire();
    if (this.idle.length <= this.opts.size) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  /** A process exited. An idle one is replaced (only idle ones: a broken install cannot fork in a loop). */
  private forget(p: JobProcess): void {
    this.all.delete(p);
    const i = this.idle.indexOf(p);
    if (i < 0) return;
    this.idle.splice(i, 1);
    this.warm();
  }

  /**
   * saltutil is about to signal `pid` for `jid`. True (and the process is
   * marked so its death is a kill, and it is never reused) only when that
   * process is running that job right now.
   */
  noteSignal(jid: string, pid: number, signal: number): boolean {
    for (const p of this.all) {
      if (p.pid === pid && p.state === 'busy' && p.jid === jid) {
        p.signalled = signal;
        return true;
      }
    }
    return false;
  }

  /** Stops every job process: idle ones exit, busy ones get SIGTERM (their trees too), then SIGKILL. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.forkTimer);
    clearInterval(this.sweeper);
    this.idle.length = 0;
    for (const w of this.waiters.splice(0))
      w.reject(new JobProcessError('JOB_PROCESS_START_FAILED', 'the minion is stopping'));
    const procs = [...this.all];
    for (const p of procs) {
      if (p.state === 'busy') p.kill('SIGTERM');
      else p.retire();
    }
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), this.opts.stopGraceMs ?? 1000)));
    if ((await Promise.race([Promise.all(procs.map((p) => p.exited)), grace])) === 'late')
      for (const p of procs) p.kill('SIGKILL');
    clearTimeout(timer);
  }
}
