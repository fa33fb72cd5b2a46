import crypto from 'node:crypto';
import { errorLine, fnmatch, Slots } from '@tsalt/core';
import { Spool } from '@tsalt/spool';
import { ReactorError } from './errors.js';
import { RunJournal, type JobState } from './journal.js';
import { compileReactorOptions, expandSls, type CompiledReactorOptions } from './options.js';
import { compileReactions, type Reaction } from './reactions.js';
import { Constant, RenderError } from '@tsalt/render';
import { renderSls } from './render-sls.js';
import { REACTOR_USER, runReaction } from './run-reaction.js';
import { DEPTH_KEY, StormGuard } from './storm-guard.js';
import type { ReactionJob, ReactorDeps, ReactorStats } from './types.js';

/** The tag of every reactor failure event: data `{sls, tag, error, line, kind, reaction?, fun?}`. */
export const REACTOR_ERROR_TAG = 'salt/reactor/error';

export type ReactorErrorKind = 'render' | 'reaction' | 'storm' | 'queue';

const ABORTED = new ReactorError('STOPPING', 'the reactor is stopping');
const CURSOR_DELAY_MS = 50;
// Job ids: a random prefix per process and a counter, cheaper than random bytes per event.
const ID_PREFIX = crypto.randomBytes(4).toString('hex');
let idCounter = 0;

/**
 * Salt's reactor, on the master bus. Each event whose tag matches a
 * configured glob is accepted into a durable queue (a Spool in
 * `<cachedir>/reactor_queue/`, with a journal of what workers have taken),
 * then rendered (Jinja, then YAML) and its reactions run, on at most
 * `reactor_worker_threads` jobs at once. Failures fire `salt/reactor/error`
 * and are logged with the file and line; nothing stops the reactor.
 *
 *   const reactor = new Reactor({ opts, log, subscribe: (h) => bus.onEvent(h), fire: (t, d) => bus.fire(t, d), clients });
 *   reactor.start();
 *   await reactor.stop(5000);
 */
export class Reactor {
  private readonly cfg: CompiledReactorOptions;
  private readonly guard: StormGuard;
  private readonly slots: Slots;
  private readonly templateOpts: Constant;
  private journal: RunJournal | undefined;
  private spool: Spool<ReactionJob> | undefined;
  private unsubscribe: (() => void) | undefined;
  /**
   * Jobs the journal knows were taken (unfinished ones restarted from it, and
   * ended ones): the spool may hand them over again when its position had not
   * been recorded yet, and they must not run twice.
   */
  private seen = new Set<string>();
  private readonly inflight = new Set<Promise<void>>();
  private stopping = false;
  private readonly counts = { accepted: 0, reactions: 0, errors: 0 };

  constructor(private readonly deps: ReactorDeps) {
    this.cfg = compileReactorOptions(deps.opts);
    this.guard = new StormGuard({
      maxDepth: this.cfg.maxDepth,
      limit: this.cfg.stormLimit,
      windowMs: this.cfg.stormWindowMs,
    });
    this.slots = new Slots(this.cfg.workers);
    this.templateOpts = new Constant(this.cfg.templateOpts);
  }

  /** Whether any reactor entry is configured (an idle reactor opens no files). */
  get enabled(): boolean {
    return this.cfg.entries.length > 0;
  }

  /**
   * Logs each bad config entry on one line, re-runs what a previous run left
   * unfinished, and starts listening. Throws only if the queue folder cannot
   * be used (SPOOL_LOCKED: another master owns it).
   */
  start(): void {
    const { log } = this.deps;
    for (const p of this.cfg.problems) log.error(p);
    if (!this.enabled) return;
    this.journal = new RunJournal(this.cfg.queueDir, log, () => this.spool?.saveCursor());
    const { unfinished, ended } = this.journal.recover();
    this.seen = ended;
    this.spool = new Spool<ReactionJob>({
      dir: this.cfg.queueDir,
      log,
      write: (batch) => this.take(batch),
      batchMax: this.cfg.workers,
      memoryMaxItems: this.cfg.hwm,
      // Recorded every 50 ms, not per job: at 1,000 events/s a rename per job costs more than
      // the reaction. A crash may hand over the last 50 ms again; `seen` skips those.
      cursorDelayMs: CURSOR_DELAY_MS,
      reuseOpenSegment: true,
      noun: ['queued reaction', 'queued reactions'],
      describeItem: (job) => `reaction to ${job.tag}`,
    });
    if (unfinished.length > 0) log.warn(`${unfinished.length} reaction job(s) interrupted by the last stop run again`);
    for (const st of unfinished) {
      this.seen.add(st.job.id);
      void this.slots.acquire().then(
        () => this.launch(st.job, st),
        () => undefined,
      );
    }
    this.unsubscribe = this.deps.subscribe((tag, data) => this.offer(tag, data));
    log.info({ entries: this.cfg.entries.length, workers: this.cfg.workers }, 'reactor started');
  }

  stats(): ReactorStats {
    return {
      ...this.counts,
      queued: this.spool?.stats().pending ?? 0,
      running: this.slots.busy,
    };
  }

  /**
   * Stops accepting events, waits up to `timeoutMs` for running jobs, and
   * closes the queue: what did not start stays queued on disk, what did not
   * finish is in the journal, and both run at the next start.
   */
  async stop(timeoutMs = 5000): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.unsubscribe?.();
    await this.spool?.close(0);
    this.slots.abort(ABORTED);
    let timer: NodeJS.Timeout | undefined;
    const all = Promise.allSettled([...this.inflight]);
    await Promise.race([all, new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    if (this.inflight.size > 0)
      this.deps.log.warn(
        `${this.inflight.size} reaction job(s) still running at stop; they run again at the next start`,
      );
    this.journal?.close();
  }

  /** The bus handler: cheap checks only, then one durable append. */
  private offer(tag: string, data: Record<string, unknown>): void {
    if (this.stopping || tag.startsWith('tsalt/sync/')) return;
    // Salt's loop rule: the events of the reactor's own runner and wheel calls.
    if (data['user'] === REACTOR_USER) return;
    const matched: string[] = [];
    for (const e of this.cfg.entries) if (fnmatch(tag, e.glob)) matched.push(...e.sls);
    if (matched.length === 0) return;
    const depth = this.guard.depthOf(tag, data);
    const admitted: string[] = [];
    for (const sls of matched) {
      const v = this.guard.admit(sls, tag, data, depth);
      if (v.ok) admitted.push(sls);
      else if (v.report) this.report({ tag, depth }, sls, 'storm', v.reason);
    }
    if (admitted.length === 0) return;
    const job: ReactionJob = {
      id: `${ID_PREFIX}${(idCounter++).toString(16).padStart(8, '0')}`,
      tag,
      data,
      sls: admitted,
      depth,
      at: Date.now(),
    };
    try {
      this.spool!.push(job);
      this.counts.accepted++;
    } catch (err) {
      this.report(
        job,
        admitted.join(', '),
        'queue',
        `cannot queue the reaction to ${tag}; it is NOT run: ${errorLine(err)}`,
      );
    }
  }

  /** The spool's writer: hands each job to a worker as a slot frees up, journaling it first. */
  private async take(batch: ReactionJob[]): Promise<void> {
    for (const job of batch) {
      if (this.seen.size > 0 && this.seen.delete(job.id)) continue;
      await this.slots.acquire();
      this.launch(job, undefined);
    }
  }

  private launch(job: ReactionJob, resumed: JobState | undefined): void {
    let state = resumed;
    if (!state) {
      // Rendered before the journal record: a crash while rendering leaves the job in the
      // spool (its position moves only once this batch is handed over), so it is not lost.
      state = { job, plan: job.sls.flatMap(expandSls).flatMap((file) => this.render(job, file)), done: [] };
      this.journal!.start(job, state.plan);
    }
    const p = this.work(state)
      .then((finished) => {
        if (finished) this.journal!.end(job.id);
      })
      .catch((err: unknown) =>
        this.deps.log.error({ err: errorLine(err), event: job.tag }, 'reactor job failed unexpectedly'),
      )
      .finally(() => {
        this.slots.release();
        this.inflight.delete(p);
      });
    this.inflight.add(p);
  }

  /** Runs the job's reactions not done yet, in order; false when interrupted by stop. */
  private async work({ job, plan, done }: JobState): Promise<boolean> {
    const skip = new Set(done);
    for (let i = 0; i < plan.length; i++) {
      if (skip.has(i)) continue;
      if (this.stopping) return false;
      await this.react(job, plan[i]!);
      // The last one is recorded by `end`.
      if (i < plan.length - 1) this.journal!.done(job.id, i);
    }
    return true;
  }

  private render(job: ReactionJob, file: string): Reaction[] {
    try {
      const high = renderSls(file, { tag: job.tag, data: job.data, opts: this.templateOpts }, this.deps.opts.renderer);
      return compileReactions(file, high);
    } catch (err) {
      // One broken SLS costs only its own reactions (Salt drops every reaction of the event).
      this.report(
        job,
        file,
        'render',
        errorLine(err),
        err instanceof ReactorError || err instanceof RenderError ? err.line : undefined,
      );
      return [];
    }
  }

  private async react(job: ReactionJob, r: Reaction): Promise<void> {
    const { log } = this.deps;
    for (const w of r.warnings) log.warn({ sls: r.sls }, w);
    this.counts.reactions++;
    this.deps.onReactionStart?.(r, job);
    const fire = (tag: string, data: Record<string, unknown>): void =>
      this.deps.fire(tag, { ...data, [DEPTH_KEY]: job.depth + 1 });
    try {
      const out = await runReaction(r, this.deps.clients, fire, { utc_jid: this.deps.opts.utc_jid === true });
      if (r.kind === 'local' && out.jid) this.guard.noteJid(out.jid, job.depth);
      log.debug(
        {
          sls: r.sls,
          reaction: r.name,
          fun: `${r.kind}.${r.fun}`,
          event: job.tag,
          jid: out.jid,
          minions: out.minions?.length,
        },
        'reaction ran',
      );
    } catch (err) {
      this.report(
        job,
        r.sls,
        'reaction',
        `reaction '${r.name}' (${r.kind}.${r.fun}) in ${r.sls} failed: ${errorLine(err)}`,
        undefined,
        r,
      );
    }
  }

  /** One log line and one `salt/reactor/error` event; the event counts as caused by the reaction. */
  private report(
    job: Pick<ReactionJob, 'tag' | 'depth'>,
    sls: string,
    kind: ReactorErrorKind,
    error: string,
    line?: number,
    r?: Reaction,
  ): void {
    this.counts.errors++;
    const fields = { sls, event: job.tag, ...(line ? { line } : {}), ...(r ? { reaction: r.name } : {}) };
    if (kind === 'storm') this.deps.log.warn(fields, error);
    else this.deps.log.error(fields, `${error} (reacting to ${job.tag})`);
    this.deps.fire(REACTOR_ERROR_TAG, {
      sls,
      tag: job.tag,
      error,
      line: line ?? null,
      kind,
      ...(r ? { reaction: r.name, fun: `${r.kind}.${r.fun}` } : {}),
      [DEPTH_KEY]: job.depth + 1,
    });
  }
}
