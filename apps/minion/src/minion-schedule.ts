import path from 'node:path';
import { errorLine, isRecord, readIfExists, writeFileAtomic, type Logger } from '@tsalt/core';
import type { MinionConfig } from '@tsalt/config';
import type { ScheduleReply, ScheduleRequest, ScheduleService } from '@tsalt/modules';
import {
  mineIntervalEntry,
  MINE_INTERVAL_JOB,
  Schedule,
  systemClock,
  type Clock,
  type DueJob,
  type ScheduleMap,
} from '@tsalt/schedule';
import { parse, stringify } from 'yaml';

/** The longest gap between two evaluations (ms): Salt's minion loop_interval default (1 s). */
const MAX_TICK_MS = 1000;
/** The shortest, however small loop_interval is set (ms). */
const MIN_TICK_MS = 100;

export interface MinionScheduleOptions {
  opts: MinionConfig;
  log: Logger;
  /** Runs a due job like a published one (job pool, proc file, jid) and sends its return; resolves when done. */
  run(job: DueJob): Promise<void>;
  /** Whether this minion has an execution function (`mine.update` for `__mine_interval`). */
  hasFunction(fun: string): boolean;
  /** The grains and pillar the daemon holds, for `whens:` aliases. */
  grains: Record<string, unknown>;
  pillar: Record<string, unknown>;
  clock?: Clock;
}

/**
 * The minion's scheduler (the daemon side of Salt's Schedule): evaluates
 * the schedule every loop_interval, starts what is due through `run`,
 * counts what still runs for `maxrunning`, and answers schedule.* through
 * the ScheduleService (Salt's `manage_schedule` event). Changes made by
 * schedule.* are persisted, as Salt's, to `<config_dir>/minion.d/_schedule.conf`.
 */
export class MinionSchedule implements ScheduleService {
  readonly schedule: Schedule;
  private readonly running = new Map<string, number>();
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(private readonly o: MinionScheduleOptions) {
    this.log = o.log.child({ component: 'schedule' });
    const tick = this.tickMs();
    this.schedule = new Schedule({
      opts: isRecord(o.opts.schedule) ? o.opts.schedule : {},
      log: this.log,
      clock: o.clock ?? systemClock,
      loopIntervalMs: tick,
      running: (name) => this.running.get(name) ?? 0,
      whens: () => {
        const w = isRecord(o.pillar['whens']) ? o.pillar['whens'] : o.grains['whens'];
        return isRecord(w) ? w : undefined;
      },
    });
  }

  private tickMs(): number {
    const ms = this.o.opts.loop_interval_ms;
    return Math.max(MIN_TICK_MS, Math.min(MAX_TICK_MS, Number.isFinite(ms) && ms > 0 ? ms : MAX_TICK_MS));
  }

  /** Salt's setup_scheduler: the built-in entries, then the first evaluation and the loop. */
  start(): void {
    if (this.timer) return;
    const mine = mineIntervalEntry(this.o.opts, this.o.hasFunction('mine.update'));
    if (mine) {
      this.schedule.add(MINE_INTERVAL_JOB, mine);
      this.log.info('Added mine.update to scheduler');
    } else if (this.schedule.has(MINE_INTERVAL_JOB)) {
      this.schedule.delete(MINE_INTERVAL_JOB);
    }
    this.tick();
    this.timer = setInterval(() => this.tick(), this.tickMs());
    this.timer.unref();
  }

  /** New pillar: its `schedule:` replaces the pillar's entries (unchanged ones keep their timers). */
  setPillar(pillar: Record<string, unknown>): void {
    this.schedule.setPillar(pillar['schedule']);
  }

  private tick(): void {
    let due: DueJob[];
    try {
      due = this.schedule.evaluate();
    } catch (err) {
      this.log.error(`Exception ${errorLine(err)} occurred in scheduled job`);
      return;
    }
    for (const job of due) this.launch(job);
  }

  private launch(job: DueJob): void {
    const { name } = job;
    this.running.set(name, (this.running.get(name) ?? 0) + 1);
    const p = this.o
      .run(job)
      .catch((err: unknown) =>
        this.log.error({ job: name, err: errorLine(err) }, `Unhandled exception running ${job.fun}`),
      )
      .finally(() => {
        const n = (this.running.get(name) ?? 1) - 1;
        if (n > 0) this.running.set(name, n);
        else this.running.delete(name);
        this.inFlight.delete(p);
      });
    this.inFlight.add(p);
  }

  /** Salt's `<config_dir>/<dirname of default_include>/_schedule.conf`. */
  private confFile(): string {
    const { opts } = this.o;
    const include = typeof opts.default_include === 'string' ? opts.default_include : 'minion.d/*.conf';
    return path.join(opts.config_dir, path.dirname(include), '_schedule.conf');
  }

  /** Salt's persist: the config's entries (never the pillar's), as `schedule:` YAML. */
  private persist(): boolean {
    const file = this.confFile();
    try {
      writeFileAtomic(file, stringify({ schedule: this.schedule.persistable() }, { indentSeq: false }), 0o600);
      return true;
    } catch (err) {
      this.log.error({ err: errorLine(err) }, 'Failed to persist the updated schedule');
      return false;
    }
  }

  private savedNames(): string[] {
    try {
      const text = readIfExists(this.confFile());
      const doc: unknown = text ? parse(text.toString('utf8')) : undefined;
      const sched = isRecord(doc) ? doc['schedule'] : undefined;
      return isRecord(sched) ? Object.keys(sched) : [];
    } catch {
      return [];
    }
  }

  /** Salt's manage_schedule, answered with what its `*_complete` event carries. */
  async manage(req: ScheduleRequest): Promise<ScheduleReply> {
    const s = this.schedule;
    const name = req.name ?? '';
    const persist = req.persist !== false;
    const after = (changed: boolean): ScheduleReply => {
      if (changed && persist) this.persist();
      return { complete: true, schedule: s.entries() };
    };
    switch (req.func) {
      case 'list':
        return { complete: true, schedule: s.entries(req.where), saved: this.savedNames() };
      case 'add': {
        const data: ScheduleMap = req.schedule ?? {};
        const names = Object.keys(data);
        const entry = data[names[0] ?? ''];
        if (names.length !== 1 || !isRecord(entry)) {
          this.log.error('You can only schedule one new job at a time.');
          return { complete: false };
        }
        s.add(names[0]!, entry);
        return after(true);
      }
      case 'modify':
        if (!isRecord(req.schedule)) return { complete: false };
        s.modify(name, req.schedule);
        return after(true);
      case 'delete':
        s.delete(name);
        return after(true);
      case 'enable_job':
      case 'disable_job':
        s.setJobEnabled(name, req.func === 'enable_job');
        return after(true);
      case 'enable':
      case 'disable':
        s.setEnabled(req.func === 'enable');
        return after(true);
      case 'run_job': {
        const job = s.runNow(name);
        if (job) this.launch(job);
        return { complete: true };
      }
      case 'save_schedule':
        return { complete: this.persist() };
      case 'get_next_fire_time':
        return { complete: true, next_fire_time: s.nextFireTime(name) };
      case 'job_status':
        return { complete: true, data: s.jobStatus(name) };
    }
  }

  /** Stops evaluating; jobs already started end with the job pool, which the minion closes next. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Scheduled jobs still running or returning (for tests and shutdown logs). */
  get busy(): number {
    return this.inFlight.size;
  }
}
