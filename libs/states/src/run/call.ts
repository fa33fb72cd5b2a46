import { fnmatch, pyRepr, pyStr, type Logger } from '@tsalt/core';
import type { HighstateResult, LowChunk, StateReturn } from '../types.js';
import type { RunRet } from './requisites.js';
import { checkRefresh } from './refresh.js';
import type { RunChecker } from './run-check.js';
import { durationMs, localTimeOfDay, nowMs } from './timing.js';
import type { RunOptions } from './runner.js';

/*
 * Salt's State.call: one state function for one chunk, with what wraps
 * it: the chunk's sanity checks (verify_data), onlyif/unless/creates,
 * check_cmd, the shape of the return (OutputUnifier), the bookkeeping keys
 * and `retry`. A prereq test run skips the bookkeeping: its result is only
 * looked at, never shown as is.
 */

/** The run's state that State.call reads and advances. */
export interface CallContext {
  o: RunOptions;
  checker: RunChecker;
  log: Logger;
  /** The results so far (Salt's `__running__` for the state functions). */
  running: Record<string, RunRet>;
  /** Salt's `__run_num__` counter: every call that is shown takes the next number. */
  nextRunNum(): number;
  /** Parallel chunks still running, by tag: their placeholders are filled in when they finish. */
  pending: Map<string, Promise<void>>;
}

interface RetryData {
  until: boolean;
  attempts: number;
  interval: number;
  splay: number;
}

const RETRY_DEFAULTS: RetryData = { until: true, attempts: 2, splay: 0, interval: 30 };

/** Salt's verify_retry_data: each key of the right type, else its default (with a warning). */
export function retryData(raw: unknown, log: Logger): RetryData {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    log.warn('State is set to retry, but a valid dict for retry configuration was not found.  Using retry defaults');
    return { ...RETRY_DEFAULTS };
  }
  const r = raw as Record<string, unknown>;
  const out = { ...RETRY_DEFAULTS };
  for (const key of ['until', 'attempts', 'interval', 'splay'] as const) {
    if (!(key in r)) continue;
    const v = r[key];
    const ok = key === 'until' ? typeof v === 'boolean' : Number.isInteger(v);
    if (ok) (out as Record<string, unknown>)[key] = v;
    else
      log.warn(`An invalid value was passed for the retry ${key}, using default value '${pyStr(RETRY_DEFAULTS[key])}'`);
  }
  return out;
}

/** Salt's verify_data, the parts that apply after compiling: the function exists, and the chunk does not require itself. */
function verifyErrors(low: LowChunk, hasState: (fun: string) => boolean): string[] {
  const full = `${low.state}.${low.fun}`;
  const errors: string[] = [];
  if (!hasState(full)) errors.push(`State '${full}' was not found in SLS '${low.__sls__}'`);
  const reqdec = low.watch !== undefined ? 'watch' : low.require !== undefined ? 'require' : undefined;
  const refs = reqdec === undefined ? [] : low[reqdec];
  for (const req of Array.isArray(refs) ? refs : []) {
    if (req === null || typeof req !== 'object') continue;
    const [first] = Object.entries(req as Record<string, unknown>);
    if (first === undefined || first[0] !== low.state) continue;
    const pat = pyStr(first[1]);
    if (fnmatch(String(low.name), pat) || fnmatch(low.__id__, pat)) {
      errors.push(`Recursive require detected in SLS ${low.__sls__} for require ${pyRepr(req)} in ID ${low.__id__}`);
    }
  }
  return errors;
}

/** One-line reason of a thrown value, like the last line of a Python traceback. */
function exceptionLine(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message.split('\n')[0] ?? ''}`;
  return String(err);
}

/** Salt's OutputUnifier: a return must be a dict with name/result/changes/comment; comments as lists are joined. */
function unify(raw: unknown, low: LowChunk): RunRet {
  let problem: string | undefined;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    problem = 'Malformed state return. Data must be a dictionary type.';
  } else {
    const r = raw as Record<string, unknown>;
    if (r.changes === null || typeof r.changes !== 'object' || Array.isArray(r.changes)) {
      problem = "'Changes' should be a dictionary.";
    } else {
      const missing = ['name', 'result', 'changes', 'comment'].filter((k) => !(k in r));
      if (missing.length > 0) {
        problem = `The following keys were not present in the state return: ${missing.join(', ')}.`;
      }
    }
  }
  if (problem !== undefined) {
    return { result: false, name: low.name, changes: {}, comment: `An exception occurred in this state: ${problem}` };
  }
  const ret = { ...(raw as StateReturn) } as RunRet;
  if (Array.isArray(ret.comment)) ret.comment = ret.comment.map((c) => pyStr(c)).join('\n');
  if (ret.result !== null) ret.result = Boolean(ret.result);
  return ret;
}

/** The state function itself, its exceptions made into a failed result. */
async function invoke(ctx: CallContext, low: LowChunk, test: boolean): Promise<RunRet> {
  try {
    return unify(await ctx.o.callState(low, { test, running: ctx.running as HighstateResult }), low);
  } catch (err) {
    ctx.log.debug({ err, state: `${low.state}.${low.fun}`, name: low.name }, 'An exception occurred in this state');
    return {
      result: false,
      name: low.name,
      changes: {},
      comment: `An exception occurred in this state: ${exceptionLine(err)}`,
    };
  }
}

/** The call and check_cmd, the part a parallel chunk runs in the background. */
async function execute(ctx: CallContext, low: LowChunk, test: boolean): Promise<RunRet> {
  let ret = await invoke(ctx, low, test);
  if (low.check_cmd !== undefined && !ctx.o.hasState(`${low.state}.mod_run_check_cmd`)) {
    const check = await ctx.checker.checkCmd(low);
    ret = { ...ret, ...check, comment: check.comment.join('\n') };
  }
  return ret;
}

function stamp(ret: RunRet, low: LowChunk, runNum: number, t0: number, t1: number): RunRet {
  ret.__sls__ = low.__sls__;
  ret.__run_num__ = runNum;
  ret.start_time = localTimeOfDay(t0);
  ret.duration = durationMs(t0, t1);
  ret.__id__ = low.__id__;
  return ret;
}

/**
 * State.call for `low`. `prereq`: this is the test run of a prereq target
 * (test mode forced, no bookkeeping). `tag` is the chunk's result key,
 * under which a parallel chunk's placeholder is filled in.
 */
export async function callLow(
  ctx: CallContext,
  low: LowChunk,
  opts: { prereq: boolean; tag: string },
  retries = 1,
): Promise<RunRet> {
  const t0 = nowMs();
  const { o } = ctx;
  ctx.log.info({ state: `${low.state}.${low.fun}`, name: low.name }, 'Running state');
  const errors = verifyErrors(low, (fun) => o.hasState(fun));
  if (errors.length > 0) {
    const ret: RunRet = { result: false, name: low.name, changes: {}, comment: errors.map((e) => `${e}\n`).join('') };
    if (opts.prereq) return ret;
    stamp(ret, low, ctx.nextRunNum(), t0, nowMs());
    await checkRefresh(o, low, ret);
    return ret;
  }
  const test = o.test || opts.prereq;
  let ret: RunRet = { result: false, name: low.name, changes: {} } as RunRet;
  if (['unless', 'onlyif', 'creates'].some((k) => k in low) && !o.hasState(`${low.state}.mod_run_check`)) {
    const check = await ctx.checker.check(low);
    ret = { ...ret, ...check, comment: check.comment.join('\n') };
  }
  if (ret.result === false && low.parallel === true && !opts.prereq) {
    return parallel(ctx, low, opts.tag, test, t0);
  }
  if (ret.result === false) ret = await execute(ctx, low, test);
  if (opts.prereq) return ret;
  const runNum = ctx.nextRunNum();
  await checkRefresh(o, low, ret);
  stamp(ret, low, runNum, t0, nowMs());
  ctx.log.info({ name: low.name, duration_ms: ret.duration }, 'Completed state');
  if (low.retry !== undefined && low.parallel !== true) return retry(ctx, low, opts, retries, ret);
  return ret;
}

async function sleepS(o: RunOptions, seconds: number): Promise<void> {
  if (o.sleep !== undefined) return o.sleep(seconds * 1000);
  await new Promise<void>((resolve) => setTimeout(resolve, seconds * 1000));
}

function splayed(r: RetryData): number {
  return r.splay === 0 ? r.interval : r.interval + Math.floor(Math.random() * (r.splay + 1));
}

function wouldRetry(r: RetryData): string {
  return (
    `The state would be retried every ${r.interval} seconds (with a splay of up to ${r.splay} seconds) ` +
    `a maximum of ${r.attempts} times or until a result of ${pyStr(r.until)} is returned`
  );
}

function attemptLine(attempt: number, ret: RunRet): string {
  return `Attempt ${attempt}: Returned a result of "${pyStr(ret.result)}", with the following comment: "${pyStr(ret.comment)}"`;
}

/** Salt's retry: call again (after interval + splay seconds) until the result is `until`, at most `attempts` calls. */
async function retry(
  ctx: CallContext,
  low: LowChunk,
  opts: { prereq: boolean; tag: string },
  retries: number,
  ret: RunRet,
): Promise<RunRet> {
  const r = retryData(low.retry, ctx.log);
  if (ctx.o.test) {
    return { ...ret, comment: [ret.comment ? pyStr(ret.comment) : '', wouldRetry(r)].join('  ') };
  }
  if (r.until === ret.result || r.attempts <= retries) return ret;
  const interval = splayed(r);
  ctx.log.info({ interval_s: interval }, 'State result does not match retry until value, state will be re-run');
  await sleepS(ctx.o, interval);
  const next = await callLow(ctx, low, opts, retries + 1);
  next.comment = [attemptLine(retries, ret), next.comment ? pyStr(next.comment) : ''].join('\n');
  next.duration = (next.duration ?? 0) + (ret.duration ?? 0) + interval * 1000;
  if (retries === 1) next.start_time = ret.start_time;
  return next;
}

/**
 * Salt's call_parallel: the state runs in the background and its result
 * stands in as "Started in a separate process" until it ends; requisites on
 * it and the end of the run wait for it (Salt's reconcile_procs).
 */
function parallel(ctx: CallContext, low: LowChunk, tag: string, test: boolean, t0: number): RunRet {
  const placeholder: RunRet = {
    name: low.name,
    result: null,
    changes: {},
    comment: 'Started in a separate process',
  };
  stamp(placeholder, low, ctx.nextRunNum(), t0, nowMs());
  const job = (async (): Promise<void> => {
    const s0 = nowMs();
    let ret = await execute(ctx, low, test);
    ret.start_time = localTimeOfDay(s0);
    ret.duration = durationMs(s0, nowMs());
    ret.__parallel__ = true;
    if (low.retry !== undefined) ret = await parallelRetry(ctx, low, test, ret);
    Object.assign(placeholder, ret);
  })();
  ctx.pending.set(
    tag,
    job.finally(() => ctx.pending.delete(tag)),
  );
  return placeholder;
}

/** Retry inside a parallel state (Salt's loop in _call_parallel_target, with its own comment format). */
async function parallelRetry(ctx: CallContext, low: LowChunk, test: boolean, first: RunRet): Promise<RunRet> {
  const r = retryData(low.retry, ctx.log);
  if (test) return { ...first, comment: [first.comment ? pyStr(first.comment) : '', wouldRetry(r)].join('  ') };
  let ret = first;
  for (let attempt = 1; r.attempts >= attempt && r.until !== ret.result; attempt++) {
    const interval = splayed(r);
    await sleepS(ctx.o, interval);
    const s0 = nowMs();
    const next = await execute(ctx, low, test);
    next.duration = durationMs(s0, nowMs()) + (ret.duration ?? 0) + interval * 1000;
    next.start_time = first.start_time;
    next.__parallel__ = true;
    const line = next.comment ? attemptLine(attempt, next) : '';
    next.comment = [pyStr(ret.comment), line].join('\n');
    ret = next;
  }
  return ret;
}
