import type { Logger } from '@tsalt/core';
import { fnmatch } from '@tsalt/core';
import { chunkTag, type HighstateResult, type LowChunk, type StateResult, type StateReturn } from '../types.js';
import { aggregate } from './aggregate.js';
import { callLow, type CallContext } from './call.js';
import { listenChunks } from './listen.js';
import {
  hasRequisites,
  lostComment,
  lostRequisites,
  prepareChunks,
  RUN_REQUISITES,
  refsOf,
  findTargets,
  requisiteStatus,
  resolveRequisites,
  type ReqStatus,
  type ResolvedReqs,
  type RunRet,
} from './requisites.js';
import { RunChecker } from './run-check.js';
import { fakeTiming } from './timing.js';

/** Calls one state function for a chunk: the state registry's `<state>.<fun>` with the chunk's arguments. */
export type StateFunctionCall = (
  chunk: LowChunk,
  opts: { test: boolean; running: HighstateResult },
) => Promise<StateReturn>;

export interface RunOptions {
  /** Runs a chunk's function (mod_watch too: `fun: 'mod_watch'`, with `sfun` and `__reqs__`). */
  callState: StateFunctionCall;
  /** Whether state function `<state>.<fun>` exists (`service.mod_watch`, `cmd.mod_run_check`...). */
  hasState(fun: string): boolean;
  /** `unless`/`onlyif`/`check_cmd` commands run through here (`cmd.retcode` with python_shell). */
  salt: (fun: string, args?: unknown[], kwargs?: Record<string, unknown>) => Promise<unknown>;
  test: boolean;
  /** The run stops at the first failure (Salt's `failhard` option); a chunk's own `failhard` also stops it. */
  failhard: boolean;
  log: Logger;
  /** The `shell` grain: the shell unless/onlyif commands run with when the chunk names none. */
  shell?: string;
  /** The `state_runs_disabled` grain: `state.fun` globs that are not run (Salt's state.disable). */
  disabled?: readonly string[];
  /** The `disabled_requisites` option: requisite kinds that are ignored (`require`, `onchanges`...). */
  disabledRequisites?: readonly string[];
  /** The `state_aggregate` option: true, or the state modules whose chunks are aggregated. @default false */
  stateAggregate?: boolean | readonly string[];
  /** Calls `<low.state>.mod_aggregate(low, chunks, running)`, which returns the chunk to run (Salt's aggregation). */
  aggregate?: (low: LowChunk, chunks: readonly LowChunk[], running: Readonly<HighstateResult>) => Promise<LowChunk>;
  /** Salt's check_pause (`state.pause`): 'kill' ends the run before `low`, 'run' goes on (after any wait). */
  checkPause?: (low: LowChunk) => Promise<'run' | 'kill'>;
  /** Waits between retries (ms); tests pass a fake. @default setTimeout */
  sleep?: (ms: number) => Promise<void>;
  /** Reloads grains, pillar or the execution modules after a state that asks for it (Salt's check_refresh). */
  refresh?: (what: 'grains' | 'pillar' | 'modules') => Promise<void>;
  /** Called with each result as it lands (Salt fires its per-state events here). */
  onResult?: (tag: string, ret: StateResult, total: number) => void;
}

/** Salt's depth bound on re-checking one chunk's requisites: past it, the chunk is a recursive requisite. */
const MAX_DEPTH = 20;

/** The requisite kinds whose targets call_chunk runs first (onfail_all too, which Salt leaves out, see docs/states.md). */
const PULL_FORWARD = [...RUN_REQUISITES] as string[];

function isEmpty(changes: unknown): boolean {
  return (
    changes === null || changes === undefined || (typeof changes === 'object' && Object.keys(changes).length === 0)
  );
}

/** Salt's State for one run: call_chunks, call_chunk, check_requisite's callers, check_failhard, call_listen. */
class ChunkRunner {
  private running: Record<string, RunRet> = {};
  /** Test-run results of prereq targets, and results of chunks that prereq-ed (Salt's `self.pre`). */
  private readonly pre: Record<string, RunRet> = {};
  /** Chunks being run on the current path (Salt's `self.active`): meeting one again is a recursive requisite. */
  private active = new Set<string>();
  /** Chunks due for a prereq test run (Salt's `__prereq__` on the chunk). */
  private readonly prereqRun = new Set<string>();
  /** Chunks reached as a prereq target's `prerequired` (Salt's `__prerequired__`). */
  private readonly prerequiredSeen = new Set<string>();
  private failhardHit = false;
  private runNum = 0;
  private total = 0;
  private readonly ctx: CallContext;
  private chunks: LowChunk[] = [];

  constructor(private readonly o: RunOptions) {
    const checker = new RunChecker(o.salt, o.log, o.shell);
    this.ctx = {
      o,
      checker,
      log: o.log,
      running: this.running,
      nextRunNum: () => this.runNum++,
      pending: new Map(),
    };
  }

  /** Salt's call_chunks: every chunk in order (each after its requisites), then waits for parallel ones. */
  async callChunks(input: LowChunk[]): Promise<Record<string, RunRet>> {
    this.chunks = input;
    this.total = input.length;
    this.running = {};
    this.ctx.running = this.running;
    this.failhardHit = false;
    const disabled = this.disable();
    for (const low of this.chunks) {
      if (this.failhardHit) break;
      if (!(chunkTag(low) in this.running)) {
        if (this.o.checkPause !== undefined && (await this.o.checkPause(low)) === 'kill') break;
        await this.callChunk(low);
        if (this.failhard(low)) break;
      }
      this.active = new Set();
    }
    await this.settle([...this.ctx.pending.keys()]);
    return { ...disabled, ...this.running };
  }

  /** Chunks whose `state.fun` a `state_runs_disabled` glob names: not run, and failed. */
  private disable(): Record<string, RunRet> {
    const out: Record<string, RunRet> = {};
    const patterns = this.o.disabled ?? [];
    if (patterns.length === 0) return out;
    this.chunks = this.chunks.filter((low) => {
      const fun = `${low.state}.${low.fun}`;
      const pat = patterns.find((p) => fnmatch(fun, p));
      if (pat === undefined) return true;
      out[chunkTag(low)] = this.synthetic(
        low,
        false,
        `The state function "${fun}" is currently disabled by "${pat}", to re-enable, run state.enable ${pat}.`,
      );
      return false;
    });
    return out;
  }

  /** Waits for the parallel chunks among `tags` (Salt's reconcile_procs loop). */
  private async settle(tags: readonly string[]): Promise<void> {
    const waits = tags.map((t) => this.ctx.pending.get(t)).filter((p) => p !== undefined);
    await Promise.all(waits);
  }

  /** A result for a chunk that was not called, with the next run number. */
  private synthetic(low: LowChunk, result: boolean, comment: string, extra: Partial<RunRet> = {}): RunRet {
    const { start_time, duration } = fakeTiming();
    // Salt's key order (its JSON output shows it).
    return {
      changes: {},
      result,
      duration,
      start_time,
      comment,
      ...extra,
      __run_num__: this.runNum++,
      __sls__: low.__sls__,
      __id__: low.__id__,
      name: low.name,
    };
  }

  /** Salt's result for a requisite loop (in its key order, the timing it lacks last). */
  private recursive(low: LowChunk): RunRet {
    this.o.log.error({ id: low.__id__ }, 'Recursive requisite found');
    return {
      changes: {},
      result: false,
      comment: 'Recursive requisite found',
      __run_num__: this.runNum++,
      __sls__: low.__sls__,
      __id__: low.__id__,
      name: low.name,
      ...fakeTiming(),
    };
  }

  /** Salt's check_failhard: a failed (not merely pending) chunk with failhard stops the run; never in test mode. */
  private failhard(low: LowChunk): boolean {
    if (this.o.test) return false;
    const fh = low.failhard ?? this.o.failhard;
    const r = this.running[chunkTag(low)];
    if (!fh || r === undefined || r.result === null) return false;
    return !r.result;
  }

  private async check(low: LowChunk, pre: boolean): Promise<{ status: ReqStatus; reqs: ResolvedReqs }> {
    if (!hasRequisites(low)) return { status: 'met', reqs: {} };
    const reqs = resolveRequisites(low, this.chunks, pre);
    if (reqs === undefined) return { status: 'unmet', reqs: {} };
    await this.settle(Object.values(reqs).flatMap((list) => list.map(chunkTag)));
    return { status: requisiteStatus(reqs, this.running, this.pre), reqs };
  }

  private call(low: LowChunk, tag: string): Promise<RunRet> {
    return callLow(this.ctx, low, { prereq: this.prereqRun.has(tag), tag });
  }

  /** Salt's call_chunk: runs the chunk's requisites first when they have not run, then the chunk as they decide. */
  private async callChunk(input: LowChunk, depth = 0): Promise<void> {
    const low = await aggregate(this.o, input, this.chunks, this.running as HighstateResult);
    const tag = chunkTag(low);
    if (low.prerequired === undefined) this.active.add(tag);
    const isPre = this.prereqRun.has(tag);
    const { status, reqs } = await this.check(low, !isPre);
    switch (status) {
      case 'unmet':
        if (await this.runRequisites(low, tag, isPre, depth)) return;
        break;
      case 'met':
        await this.store(low, tag, isPre);
        break;
      case 'fail':
        this.failed(low, tag, reqs);
        break;
      case 'change':
        if (isPre) {
          await this.store(low, tag, true);
        } else {
          let ret = await this.call(low, tag);
          if (isEmpty(ret.changes) && ret.skip_watch !== true) {
            const watch: LowChunk = { ...low, sfun: low.fun, fun: 'mod_watch', __reqs__: reqs };
            ret = await this.call(watch, tag);
          }
          this.running[tag] = ret;
        }
        break;
      case 'pre': {
        const ret = this.synthetic(low, true, 'No changes detected');
        this.running[tag] = ret;
        this.pre[tag] = ret;
        break;
      }
      case 'onfail':
        this.running[tag] = this.synthetic(low, true, 'State was not run because onfail req did not change', {
          __state_ran__: false,
        });
        break;
      case 'onchanges':
        this.running[tag] = this.synthetic(low, true, 'State was not run because none of the onchanges reqs changed', {
          __state_ran__: false,
        });
        break;
    }
    this.landed(low, tag);
  }

  /** Calls the chunk; a prereq target's test run goes to `pre`, and clears its prereq mark as Salt's call does. */
  private async store(low: LowChunk, tag: string, isPre: boolean): Promise<void> {
    const ret = await this.call(low, tag);
    if (isPre) {
      this.prereqRun.delete(tag);
      this.pre[tag] = ret;
    } else {
      this.running[tag] = ret;
    }
  }

  /**
   * The unmet branch of call_chunk: reports requisites that name nothing,
   * else runs each target not yet run and checks the chunk again. True
   * when the chunk's result is settled (or left for later) here.
   */
  private async runRequisites(low: LowChunk, tag: string, isPre: boolean, depth: number): Promise<boolean> {
    const kinds = isPre ? PULL_FORWARD : [...PULL_FORWARD, 'prerequired'];
    const lost = lostRequisites(low, this.chunks, !isPre).filter(([kind]) => kinds.includes(kind));
    if (lost.length > 0) {
      const ret = this.synthetic(low, false, lostComment(lost));
      if (isPre) this.pre[tag] = ret;
      else this.running[tag] = ret;
      this.emit(tag, ret);
      return true;
    }
    const targets: LowChunk[] = [];
    for (const kind of kinds) {
      for (const [key, val] of refsOf(low, kind)) {
        for (const target of findTargets(this.chunks, key, val)) {
          if (kind === 'prereq') this.prereqRun.add(chunkTag(target));
          else if (kind === 'prerequired') this.prerequiredSeen.add(chunkTag(target));
          targets.push(target);
        }
      }
    }
    for (const target of targets) {
      const ctag = chunkTag(target);
      if (ctag in this.running) continue;
      if (this.active.has(ctag)) {
        if (this.prerequiredSeen.has(ctag)) {
          // A prereq loop through this chunk: test-run it instead (Salt's "Prereq recursive").
          if (!(tag in this.pre)) {
            this.prereqRun.add(tag);
            this.pre[ctag] = await this.call(low, tag);
            this.prereqRun.delete(tag);
          }
          return true;
        }
        const ret = this.recursive(low);
        this.running[tag] = ret;
        this.emit(tag, ret);
        return true;
      }
      await this.callChunk(target);
      if (this.failhard(target)) {
        this.failhardHit = true;
        return true;
      }
      if (this.failhardHit) return true;
    }
    if (this.prereqRun.has(tag)) {
      const { status } = await this.check(low, false);
      const ret = await this.call(low, tag);
      this.prereqRun.delete(tag);
      if (isEmpty(ret.changes) && status === 'change') {
        ret.changes = { watch: 'watch' };
        ret.result = null;
      }
      this.pre[tag] = ret;
      return false;
    }
    if (depth + 1 >= MAX_DEPTH) {
      this.running[tag] = this.recursive(low);
      return false;
    }
    await this.callChunk(low, depth + 1);
    return true;
  }

  /** A chunk whose requisite failed: Salt names the failed ones as `<sls>.<id>`. */
  private failed(low: LowChunk, tag: string, reqs: ResolvedReqs): void {
    const prior = this.pre[tag];
    if (prior !== undefined) {
      // This chunk's own prereq test run: its would-be changes were never made.
      const ret: RunRet = { ...prior, changes: {} };
      Object.assign(ret, { __run_num__: this.runNum++, __sls__: low.__sls__, __id__: low.__id__, name: low.name });
      // A test run has no timing of its own (Salt shows none); the result type wants it.
      this.running[tag] = ret.start_time === undefined ? { ...ret, ...fakeTiming() } : ret;
      return;
    }
    const failedReqs = new Set<string>();
    for (const list of Object.values(reqs)) {
      for (const req of list) {
        const rtag = chunkTag(req);
        const r = this.pre[rtag] ?? this.running[rtag];
        if (r?.result === false) failedReqs.add(`${req.__sls__}.${req.__id__}`);
      }
    }
    const ret = this.synthetic(low, false, `One or more requisite failed: ${[...failedReqs].join(', ')}`);
    this.running[tag] = ret;
    this.pre[tag] = ret;
  }

  /** After a chunk's result lands: the event hook, and the extra results a state reported (`sub_state_run`). */
  private landed(low: LowChunk, tag: string): void {
    const ret = this.running[tag];
    if (ret === undefined) return;
    this.emit(tag, ret);
    const subs = ret.sub_state_run;
    delete ret.sub_state_run;
    if (!Array.isArray(subs)) return;
    for (const sub of subs as Record<string, unknown>[]) {
      const subLow = sub.low as LowChunk;
      const timing = fakeTiming();
      this.running[chunkTag(subLow)] = {
        name: low.name,
        changes: (sub.changes as Record<string, unknown> | undefined) ?? {},
        result: (sub.result as boolean | null | undefined) ?? null,
        duration: (sub.duration as number | undefined) ?? timing.duration,
        start_time: (sub.start_time as string | undefined) ?? timing.start_time,
        comment: (sub.comment as string | undefined) ?? '',
        __state_ran__: true,
        __run_num__: this.runNum++,
        __sls__: low.__sls__,
        __id__: low.__id__,
      };
    }
  }

  private emit(tag: string, ret: RunRet): void {
    this.o.onResult?.(tag, ret as StateResult, this.total);
  }

  /** Salt's call_listen: mod_watch, after the run, for every listener whose target changed. */
  async callListen(chunks: LowChunk[], running: Record<string, RunRet>): Promise<Record<string, RunRet>> {
    const { watchers, errors } = listenChunks(chunks, running);
    const ret = watchers.length > 0 ? await this.callChunks(watchers) : {};
    const out: Record<string, RunRet> = { ...running, ...ret };
    for (const [etag, err] of Object.entries(errors)) {
      out[etag] = { ...err, __run_num__: this.runNum++, ...fakeTiming() };
    }
    return out;
  }
}

/**
 * Salt's State.call_chunks then call_listen: runs the ordered chunks, each
 * after its requisites, and returns every chunk's result keyed by its tag.
 */
export async function runChunks(chunks: readonly LowChunk[], o: RunOptions): Promise<HighstateResult> {
  const disabled = o.disabledRequisites ?? [];
  for (const kind of disabled) o.log.warn(`The ${kind} requisite has been disabled, Ignoring.`);
  const prepared = prepareChunks(chunks, (fun) => o.hasState(fun), disabled);
  const runner = new ChunkRunner(o);
  const running = await runner.callChunks(prepared);
  return (await runner.callListen(prepared, running)) as HighstateResult;
}
