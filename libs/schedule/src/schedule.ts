import { errorLine, isRecord, type Logger } from '@tsalt/core';
import { nextCronTime } from './cron.js';
import { entryFunction, entryRange, entryTiming, splaySeconds, type Timing } from './entry.js';
import { fingerprint, freshState, type JobState } from './job-state.js';
import { isoLocal, parseDate } from './times.js';
import {
  systemClock,
  type Clock,
  type DueJob,
  type ScheduleEntry,
  type ScheduleMap,
  type ScheduleOptions,
} from './types.js';

/** Global settings inside a schedule, not jobs (Salt's `_hidden`). */
export const GLOBAL_KEYS: ReadonlySet<string> = new Set(['enabled', 'skip_function', 'skip_during_range', 'splay']);

const defaultRandomInt = (lo: number, hi: number): number => lo + Math.floor(Math.random() * (hi - lo + 1));

function copy<T>(v: T): T {
  return structuredClone(v);
}

/**
 * A minion's schedule (Salt's salt.utils.schedule.Schedule): the entries
 * from the config and from pillar, the changes schedule.* makes, and
 * `evaluate()`, which says which jobs start now. It runs nothing itself and
 * reads time only from its Clock, so tests drive it with a fake one.
 */
export class Schedule {
  /** The config's entries and those schedule.add made (Salt's `opts['schedule']`). */
  private opts: ScheduleMap;
  /** The pillar's `schedule:` (Salt's `opts['pillar']['schedule']`). */
  private pillar: ScheduleMap = {};
  private readonly state = new Map<string, JobState>();
  private readonly log: Logger;
  private readonly clock: Clock;
  private readonly loopMs: number;
  private readonly randomInt: (lo: number, hi: number) => number;
  /** When evaluate last ran (ms): a `when` time between then and now fires. */
  private lastEval: number | undefined;

  constructor(private readonly o: ScheduleOptions) {
    this.opts = isRecord(o.opts) ? copy(o.opts) : {};
    this.log = o.log;
    this.clock = o.clock ?? systemClock;
    this.loopMs = o.loopIntervalMs ?? 1000;
    this.randomInt = o.randomInt ?? defaultRandomInt;
  }

  /** Salt's `_get_schedule`: pillar entries under the config's (the config wins a name both have). */
  entries(where?: 'opts' | 'pillar'): ScheduleMap {
    if (where === 'opts') return copy(this.opts);
    if (where === 'pillar') return copy(this.pillar);
    return copy({ ...this.pillar, ...this.opts });
  }

  /** The config's entries without the pillar's: what `persist` writes. */
  persistable(): ScheduleMap {
    return copy(this.opts);
  }

  /** New pillar: its `schedule:` replaces the pillar entries; unchanged ones keep their timers. */
  setPillar(schedule: unknown): void {
    if (schedule !== undefined && !isRecord(schedule)) {
      this.log.error('Schedule must be of type dict.');
      return;
    }
    this.pillar = copy(schedule ?? {});
  }

  has(name: string): boolean {
    return name in this.opts || name in this.pillar;
  }

  /** Salt's add_job: one entry, `enabled: true` unless given; a pillar entry cannot be replaced. */
  add(name: string, entry: ScheduleEntry): void {
    if (name in this.pillar && !(name in this.opts)) {
      this.log.warn(`Cannot update job ${name}, it's in the pillar!`);
      return;
    }
    const data = copy(entry);
    if (!('enabled' in data)) data['enabled'] = true;
    this.log.info(
      name in this.opts ? `Updating job settings for scheduled job: ${name}` : `Added new job ${name} to scheduler`,
    );
    this.opts[name] = data;
  }

  /** Salt's modify_job: replaces a config entry (or adds it); a pillar entry is left alone. */
  modify(name: string, entry: ScheduleEntry): void {
    if (!(name in this.opts) && name in this.pillar) {
      this.log.warn(`Cannot modify job ${name}, it's in the pillar!`);
      return;
    }
    this.state.delete(name);
    this.opts[name] = copy(entry);
  }

  delete(name: string): void {
    if (name in this.opts) {
      delete this.opts[name];
      this.state.delete(name);
    } else if (name in this.pillar) this.log.warn(`Cannot delete job ${name}, it's in the pillar!`);
  }

  /** Salt's delete_job_prefix. */
  deletePrefix(prefix: string): void {
    for (const name of Object.keys(this.opts)) if (name.startsWith(prefix)) this.delete(name);
  }

  setJobEnabled(name: string, enabled: boolean): void {
    const entry = this.opts[name];
    if (isRecord(entry)) {
      entry['enabled'] = enabled;
      this.log.info(`${enabled ? 'Enabling' : 'Disabling'} job ${name} in scheduler`);
    } else if (name in this.pillar) {
      this.log.warn(`Cannot modify job ${name}, it's in the pillar!`);
    }
  }

  /** Salt's enable_schedule / disable_schedule: the `enabled` key of the config's schedule. */
  setEnabled(enabled: boolean): void {
    this.opts['enabled'] = enabled;
  }

  /** Salt's get_next_fire_time: `%Y-%m-%dT%H:%M:%S`, local time, or null. */
  nextFireTime(name: string): string | null {
    const s = this.state.get(name);
    const t = s?.splayAt ?? s?.nextFire;
    return t === undefined ? null : isoLocal(t);
  }

  /** Salt's job_status: the entry with the scheduler's own `_` fields. */
  jobStatus(name: string): ScheduleEntry {
    const entry = this.entries()[name];
    if (!isRecord(entry)) return {};
    const s = this.state.get(name);
    const out: ScheduleEntry = { ...entry };
    if (s?.nextFire !== undefined) out['_next_fire_time'] = isoLocal(s.nextFire);
    if (s?.lastRun !== undefined) out['_last_run'] = isoLocal(s.lastRun);
    if (s?.skipped) {
      out['_skipped'] = true;
      out['_skip_reason'] = s.skipped.reason;
      out['_skipped_time'] = isoLocal(s.skipped.at);
    }
    return out;
  }

  /**
   * Salt's run_job: the entry now, whatever its timing (schedule.run_job
   * checks `enabled` itself); undefined when there is no such entry or
   * `maxrunning` copies already run.
   */
  runNow(name: string): DueJob | undefined {
    const entry = this.entries()[name];
    if (!isRecord(entry) || GLOBAL_KEYS.has(name)) return undefined;
    const fun = entryFunction(entry);
    if (!fun) {
      this.log.info(`Invalid function: None in scheduled job ${name}.`);
      return undefined;
    }
    if (this.atMaxRunning(name, entry)) return undefined;
    this.log.info(`Running Job: ${name}`);
    return this.due(name, fun, entry, 0);
  }

  /** Salt's eval: the jobs to start now, in entry order. An entry that is wrong is logged (once) and skipped. */
  evaluate(): DueJob[] {
    const now = this.clock.now();
    const since = this.lastEval ?? now - this.loopMs;
    this.lastEval = now;
    const all: ScheduleMap = { ...this.pillar, ...this.opts };
    const globalOn = all['enabled'] !== false;
    const jobs: DueJob[] = [];
    for (const [name, raw] of Object.entries(all)) {
      if (GLOBAL_KEYS.has(name)) continue;
      if (!isRecord(raw)) {
        this.logOnce(name, `Scheduled job "${name}" should have a dict value, not ${typeof raw}`);
        continue;
      }
      try {
        const job = this.evaluateOne(name, raw, all, now, since, globalOn);
        if (job) jobs.push(job);
      } catch (err) {
        this.logOnce(name, errorLine(err));
      }
    }
    for (const name of this.state.keys()) if (!(name in all)) this.state.delete(name);
    return jobs;
  }

  private stateOf(name: string, entry: ScheduleEntry): JobState {
    let s = this.state.get(name);
    if (!s || s.fingerprint !== fingerprint(entry)) this.state.set(name, (s = freshState(entry)));
    return s;
  }

  private logOnce(name: string, message: string): void {
    let s = this.state.get(name);
    if (!s) this.state.set(name, (s = freshState({})));
    if (s.loggedError === message) return;
    s.loggedError = message;
    this.log.error({ job: name }, message);
  }

  private evaluateOne(
    name: string,
    entry: ScheduleEntry,
    all: ScheduleMap,
    now: number,
    since: number,
    globalOn: boolean,
  ): DueJob | undefined {
    const state = this.stateOf(name, entry);
    const whens = this.o.whens?.();
    const timing = entryTiming(name, entry, now, whens);
    state.loggedError = undefined;
    // Salt sets the name into the entry on every evaluation; schedule.list shows it.
    entry['name'] ??= name;
    const fun = entryFunction(entry);
    let fireAt = this.dueTime(timing, state, now, since);
    // A splay postpones the due run by a random number of seconds, drawn once per run.
    const splay = 'splay' in entry ? entry['splay'] : all['splay'];
    if (state.splayAt !== undefined) fireAt = now >= state.splayAt ? state.splayAt : undefined;
    else if (fireAt !== undefined) {
      const extra = splaySeconds(splay, this.randomInt);
      if (extra === 'bad')
        this.log.error('schedule.handle_func: Invalid Splay, end must be larger than start. Ignoring splay.');
      else if (extra !== undefined && now < fireAt + extra * 1000) {
        state.splayAt = fireAt + extra * 1000;
        this.log.debug(`schedule.handle_func: Adding splay of ${extra} seconds to next run.`);
        fireAt = undefined;
      }
    }
    let run = fireAt !== undefined;
    let target = fun;
    let skipped: string | undefined;
    if (entry['run_on_start'] && !state.startedOnce && timing.kind !== 'none') {
      run = true;
      fireAt = now;
    } else if (run) {
      ({ run, target, skipped } = this.windows(name, entry, all, now, target));
    }
    state.startedOnce = true;
    if (run && (!globalOn || entry['enabled'] === false)) {
      run = false;
      skipped = 'disabled';
    }
    if (run && !target) {
      this.log.info(`Invalid function: None in scheduled job ${name}.`);
      run = false;
    }
    if (run && this.atMaxRunning(name, entry)) {
      run = false;
      skipped = 'maxrunning';
    }
    if (skipped && !run) state.skipped = { reason: skipped, at: now };
    if (timing.kind === 'interval' && (run || skipped) && (state.nextFire ?? 0) <= now)
      state.nextFire = now + timing.seconds * 1000;
    if (timing.kind === 'cron' && (fireAt !== undefined || (state.nextFire ?? 0) <= now))
      state.nextFire = nextCronTime(timing.spec, now);
    if (!run) return undefined;
    state.lastRun = now;
    state.splayAt = undefined;
    state.skipped = undefined;
    const late = Math.max(0, Math.floor((now - (fireAt ?? now)) / 1000));
    return this.due(name, target!, entry, late);
  }

  /** When the entry's timing says it is due (ms), or undefined when it is not due now. */
  private dueTime(timing: Timing, state: JobState, now: number, since: number): number | undefined {
    switch (timing.kind) {
      case 'interval':
        state.nextFire ??= now + timing.seconds * 1000;
        return state.nextFire <= now ? state.nextFire : undefined;
      case 'cron':
        state.nextFire ??= nextCronTime(timing.spec, now);
        return state.nextFire !== undefined && state.nextFire <= now ? state.nextFire : undefined;
      case 'once':
      case 'when': {
        const times = timing.kind === 'once' ? [timing.at] : timing.at;
        state.nextFire = times.find((t) => t > now && !state.fired.has(t));
        const due = times.find((t) => t > since && t <= now && !state.fired.has(t));
        if (due === undefined) return undefined;
        state.fired.add(due);
        return due;
      }
      case 'none':
        return undefined;
    }
  }

  /** `range`, `skip_during_range`, `until` and `after`: whether a due run happens, and with which function. */
  private windows(
    name: string,
    entry: ScheduleEntry,
    all: ScheduleMap,
    now: number,
    fun: string | undefined,
  ): { run: boolean; target: string | undefined; skipped?: string } {
    const skipFunction = typeof all['skip_function'] === 'string' ? all['skip_function'] : undefined;
    const skip = (reason: string): { run: boolean; target: string | undefined; skipped?: string } => {
      if (skipFunction && reason !== 'until_passed' && reason !== 'after_not_passed')
        return { run: true, target: skipFunction };
      return { run: false, target: fun, skipped: reason };
    };
    if ('range' in entry) {
      const [start, end] = entryRange(name, entry['range'], now, 'range');
      const invert = isRecord(entry['range']) && entry['range']['invert'] === true;
      const inside = start <= now && now <= end;
      if (invert ? inside : !inside)
        return invert ? { run: false, target: fun, skipped: 'in_skip_range' } : skip('not_in_range');
    }
    const during = entry['skip_during_range'] ?? all['skip_during_range'];
    if (during) {
      const [start, end] = entryRange(name, during, now, 'skip_during_range');
      if (start <= now && now <= end) return skip('in_skip_range');
    }
    for (const [key, passed] of [
      ['until', (t: number) => t <= now],
      ['after', (t: number) => t >= now],
    ] as const) {
      if (!(key in entry)) continue;
      const t = parseDate(entry[key], now);
      if (t === undefined) throw new Error(`Invalid date string ${String(entry[key])}. Ignoring job ${name}.`);
      if (passed(t)) {
        this.log.debug(
          `${key === 'until' ? 'Until time has passed' : 'After time has not passed'} skipping job: ${name}.`,
        );
        return skip(key === 'until' ? 'until_passed' : 'after_not_passed');
      }
    }
    return { run: true, target: fun };
  }

  /** Salt's _check_max_running: `jid_include: false` entries are never counted. */
  private atMaxRunning(name: string, entry: ScheduleEntry): boolean {
    if (entry['jid_include'] === false || !this.o.running) return false;
    const max = typeof entry['maxrunning'] === 'number' ? entry['maxrunning'] : 1;
    const n = this.o.running(name);
    if (n < max) return false;
    this.log.debug(`schedule.handle_func: The scheduled job ${name} was not started, ${max} already running`);
    return true;
  }

  private due(name: string, fun: string, entry: ScheduleEntry, late: number): DueJob {
    // Salt writes these into the entry the first time it runs; schedule.list shows them afterwards.
    if (entry['jid_include'] !== false) {
      entry['jid_include'] = true;
      if (!('maxrunning' in entry)) {
        this.log.info(`schedule: maxrunning parameter was not specified for job ${name}, defaulting to 1.`);
        entry['maxrunning'] = 1;
      }
    }
    const args = Array.isArray(entry['args']) ? copy(entry['args'] as unknown[]) : [];
    const kwargs = isRecord(entry['kwargs']) ? copy(entry['kwargs']) : undefined;
    return { name, fun, args, kwargs, entry: copy(entry), lateSeconds: late };
  }
}
