import { isDeepStrictEqual } from 'node:util';
import type { MasterConfig } from '@tsalt/config';
import { definePlugin } from '@tsalt/loader';
import type { RunnerContext as PluginContext, RunnerServices } from '../context.js';
import { isJid, jidToDate, jidToTime } from '@tsalt/job';
import { formatJidInstance, type JidSummary } from '@tsalt/returners';
import { fnmatch, isRecord, pyStr } from '@tsalt/core';
import { splitInput } from '../split-input.js';
import { parseDate } from '../parse-date.js';
import { jidArg, pickJobCache } from '../job-cache-service.js';
import { localClient } from '../local-client-service.js';

/*
 * jobs.*: look at jobs already run, from the job cache, and at jobs running
 * now, by asking the minions (salt/runners/jobs.py). jobs.master (live
 * runners on the master) is not here.
 */

type Dict = Record<string, unknown>;

/** Python truthiness, for exit_success. */
function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Uint8Array) return v.length > 0;
  if (isRecord(v)) return Object.keys(v).length > 0;
  return true;
}

/** Fires `salt/run/<jid>/progress` when asked; progress is best effort and never fails the runner. */
async function progress(ctx: PluginContext, on: unknown, message: string): Promise<void> {
  if (!on || !ctx.fireEvent || !ctx.jid) return;
  try {
    await ctx.fireEvent(`salt/run/${ctx.jid}/progress`, { message });
  } catch (err) {
    ctx.log.debug({ err: (err as Error).message }, 'could not fire a progress event');
  }
}

/** The runner's own `_format_jid_instance`: Salt's key order, `Minions` kept, an Error for no job. */
function formatJob(jid: string, job: Dict): Dict {
  if (Object.keys(job).length === 0) {
    return { Error: 'Cannot contact returner or no job with this jid', StartTime: jidToTime(jid) };
  }
  const { StartTime, Metadata, ...rest } = formatJidInstance(jid, job);
  const ret: Dict = { ...rest };
  if (Metadata !== undefined) ret['Metadata'] = Metadata;
  if ('Minions' in job) ret['Minions'] = job['Minions'];
  ret['StartTime'] = StartTime;
  return ret;
}

async function listJob(ctx: PluginContext, jid: string, extSource: unknown, displayProgress: unknown): Promise<Dict> {
  const cache = pickJobCache(ctx, extSource);
  await progress(ctx, displayProgress, `Querying returner: ${cache.name}`);
  const ret: Dict = { jid, ...formatJob(jid, await cache.getLoad(jid)) };
  ret['Result'] = await cache.getJid(jid);
  if (ctx.opts.job_cache_store_endtime && cache.getEndtime) {
    const end = await cache.getEndtime(jid);
    if (end) ret['EndTime'] = end;
  }
  return ret;
}

async function printJob(ctx: PluginContext, jid: string, extSource: unknown): Promise<Dict> {
  const cache = pickJobCache(ctx, extSource);
  const one: Dict = { ...formatJob(jid, await cache.getLoad(jid)), Result: await cache.getJid(jid) };
  if (ctx.opts.job_cache_store_endtime && cache.getEndtime) {
    const end = await cache.getEndtime(jid);
    if (end) one['EndTime'] = end;
  }
  return { [jid]: one };
}

/** When the job started, for start/end filters: from the jid, else from StartTime. */
function startOf(jid: string, job: JidSummary): number {
  return (isJid(jid) ? jidToDate(jid) : parseDate(String(job.StartTime))).getTime();
}

interface Filters {
  metadata: unknown;
  fun: unknown;
  target: unknown;
  start: unknown;
  end: unknown;
}

async function listJobs(
  ctx: PluginContext,
  extSource: unknown,
  f: Filters,
  displayProgress: unknown,
): Promise<Record<string, JidSummary>> {
  const cache = pickJobCache(ctx, extSource);
  await progress(ctx, displayProgress, `Querying returner ${cache.name} for jobs.`);
  const all = await cache.getJids();
  const start = f.start ? parseDate(pyStr(f.start)).getTime() : undefined;
  const end = f.end ? parseDate(pyStr(f.end)).getTime() : undefined;
  if (f.metadata && !isRecord(f.metadata))
    ctx.log.info('The search_metadata parameter must be specified as a dictionary.  Ignoring.');
  const out: Record<string, JidSummary> = {};
  for (const [jid, job] of Object.entries(all)) {
    if (f.metadata) {
      // As Salt: any one key/value of the search that equals the job's metadata matches.
      const meta = job.Metadata;
      if (!isRecord(f.metadata) || !isRecord(meta)) continue;
      if (!Object.entries(f.metadata).some(([k, v]) => k in meta && isDeepStrictEqual(meta[k], v))) continue;
    }
    if (f.target) {
      const targets = Array.isArray(job.Target) ? job.Target : [job.Target];
      const keys = splitInput(f.target);
      if (!targets.some((t) => keys.some((k) => fnmatch(String(t), k)))) continue;
    }
    if (f.fun) {
      const funs = Array.isArray(job.Function) ? job.Function : [job.Function];
      const keys = splitInput(f.fun);
      if (!funs.some((fn) => keys.some((k) => fnmatch(String(fn), k)))) continue;
    }
    if (start !== undefined && !(startOf(jid, job) >= start)) continue;
    if (end !== undefined && !(startOf(jid, job) <= end)) continue;
    out[jid] = job;
  }
  return out;
}

/**
 * Salt's `jobs.active`: `saltutil.running` on every minion, grouped by jid,
 * with the minions already in the job cache as Returned.
 */
async function active(ctx: PluginContext, displayProgress: unknown): Promise<Record<string, Dict>> {
  const local = localClient(ctx);
  const timeout = ctx.opts.timeout_ms / 1000; // the local client takes s
  const replies = await local.cmd('*', 'saltutil.running', [], { timeout });
  await progress(ctx, displayProgress, `Attempting to contact minions: ${JSON.stringify(Object.keys(replies))}`);
  const ret: Record<string, Dict> = {};
  for (const [minion, data] of Object.entries(replies)) {
    await progress(ctx, displayProgress, `Received reply from minion ${minion}`);
    if (!Array.isArray(data)) continue;
    for (const job of data) {
      if (!isRecord(job) || typeof job['jid'] !== 'string') continue;
      const jid = job['jid'];
      const pid = job['pid'] ?? null;
      const entry = ret[jid];
      if (entry) (entry['Running'] as Dict[]).push({ [minion]: pid });
      else ret[jid] = { ...formatJob(jid, job), Running: [{ [minion]: pid }], Returned: [] };
    }
  }
  if (Object.keys(ret).length === 0) return ret;
  const cache = pickJobCache(ctx, null);
  for (const [jid, entry] of Object.entries(ret)) {
    const returned = entry['Returned'] as string[];
    for (const minion of Object.keys(await cache.getJid(jid))) if (!returned.includes(minion)) returned.push(minion);
  }
  return ret;
}

export default definePlugin<MasterConfig, RunnerServices>({
  name: 'jobs',
  doc: 'A convenience system to manage jobs, both active and already run.',
  functions: {
    active: {
      doc: `Return a report on all actively running jobs from a job id centric perspective:
{jid: {Function, Arguments, Target, Target-type, User, StartTime, Running: [{minion: pid}], Returned: [minions]}}.
Asks every minion (saltutil.running), waiting the master's timeout.

CLI Example:

    tsalt-run jobs.active`,
      params: [{ name: 'display_progress', default: false }],
      fn: (ctx, a) => active(ctx, a['display_progress']),
    },
    lookup_jid: {
      doc: `Return the printout from a previously executed job.

jid: the jid to look up. ext_source: the external job cache to use.
returned (True): include the minions that did return.
missing (False): include the minions that did not return, as "Minion did not return".
When the returns carry an outputter (e.g. highstate), returns {outputter, data}.

CLI Example:

    tsalt-run jobs.lookup_jid 20130916125524463507
    tsalt-run jobs.lookup_jid 20130916125524463507 missing=True`,
      params: [
        'jid',
        { name: 'ext_source', default: null },
        { name: 'returned', default: true },
        { name: 'missing', default: false },
        { name: 'display_progress', default: false },
      ],
      async fn(ctx, a) {
        const data = await listJob(ctx, jidArg(a['jid']), a['ext_source'], a['display_progress']);
        const targeted = Array.isArray(data['Minions']) ? (data['Minions'] as unknown[]) : [];
        const returns = (isRecord(data['Result']) ? data['Result'] : {}) as Record<string, Dict>;
        const ret: Dict = {};
        for (const [minion, r] of Object.entries(returns)) {
          await progress(ctx, a['display_progress'], minion);
          if (a['returned']) ret[minion] = r['return'];
        }
        if (a['missing']) {
          for (const m of targeted) if (typeof m === 'string' && !(m in returns)) ret[m] = 'Minion did not return';
        }
        const first = Object.values(returns)[0];
        const outputter = isRecord(first) ? first['out'] : undefined;
        return typeof outputter === 'string' && outputter ? { outputter, data: ret } : ret;
      },
    },
    list_job: {
      doc: `List a specific job given by its jid: the job, Minions, and Result per minion.

CLI Example:

    tsalt-run jobs.list_job 20130916125524463507`,
      params: ['jid', { name: 'ext_source', default: null }, { name: 'display_progress', default: false }],
      fn: (ctx, a) => listJob(ctx, jidArg(a['jid']), a['ext_source'], a['display_progress']),
    },
    list_jobs: {
      doc: `List all detectable jobs and associated functions.

Filters (a job must match all given): search_metadata (dict; any key/value matches),
search_function and search_target (globs, as a list or a comma-separated string),
start_time / end_time (jobs started at or after / at or before; e.g. '2015, Mar 16 19:00').

CLI Example:

    tsalt-run jobs.list_jobs
    tsalt-run jobs.list_jobs search_function='test.*' search_target='localhost' search_metadata='{"bar": "foo"}'
    tsalt-run jobs.list_jobs start_time='2015, Mar 16 19:00' end_time='2015, Mar 18 22:00'`,
      params: [
        { name: 'ext_source', default: null },
        { name: 'outputter', default: null },
        { name: 'search_metadata', default: null },
        { name: 'search_function', default: null },
        { name: 'search_target', default: null },
        { name: 'start_time', default: null },
        { name: 'end_time', default: null },
        { name: 'display_progress', default: false },
      ],
      async fn(ctx, a) {
        const ret = await listJobs(
          ctx,
          a['ext_source'],
          {
            metadata: a['search_metadata'],
            fun: a['search_function'],
            target: a['search_target'],
            start: a['start_time'],
            end: a['end_time'],
          },
          a['display_progress'],
        );
        return a['outputter'] ? { outputter: a['outputter'], data: ret } : ret;
      },
    },
    print_job: {
      doc: `Print a specific job's detail given by its jid, including the return data.

CLI Example:

    tsalt-run jobs.print_job 20130916125524463507`,
      params: ['jid', { name: 'ext_source', default: null }],
      fn: (ctx, a) => printJob(ctx, jidArg(a['jid']), a['ext_source']),
    },
    exit_success: {
      doc: `Check if a job has been executed and exit successfully: {minion: True/False}.
Targeted minions without a return count as False.

CLI Example:

    tsalt-run jobs.exit_success 20160520145827701627`,
      params: ['jid', { name: 'ext_source', default: null }],
      async fn(ctx, a) {
        const data = await listJob(ctx, jidArg(a['jid']), a['ext_source'], false);
        const minions = Array.isArray(data['Minions']) ? (data['Minions'] as unknown[]) : [];
        const result = (isRecord(data['Result']) ? data['Result'] : {}) as Record<string, Dict>;
        const ret: Record<string, boolean> = {};
        for (const m of minions) {
          if (typeof m !== 'string') continue;
          const r = result[m];
          ret[m] = isRecord(r) && 'return' in r ? truthy(r['return']) : false;
        }
        for (const [m, r] of Object.entries(result)) if (isRecord(r) && truthy(r['return'])) ret[m] = true;
        return ret;
      },
    },
    last_run: {
      doc: `print_job of the newest job matching the filters (metadata dict, function and target globs), or False.

CLI Example:

    tsalt-run jobs.last_run
    tsalt-run jobs.last_run target=nodename
    tsalt-run jobs.last_run function='cmd.run'
    tsalt-run jobs.last_run metadata="{'foo': 'bar'}"`,
      params: [
        { name: 'ext_source', default: null },
        { name: 'outputter', default: null },
        { name: 'metadata', default: null },
        { name: 'function', default: null },
        { name: 'target', default: null },
        { name: 'display_progress', default: false },
      ],
      async fn(ctx, a) {
        if (a['metadata'] && !isRecord(a['metadata'])) {
          ctx.log.info('The metadata parameter must be specified as a dictionary');
          return false;
        }
        const all = await listJobs(
          ctx,
          a['ext_source'],
          {
            metadata: a['metadata'],
            fun: a['function'],
            target: a['target'],
            start: null,
            end: null,
          },
          a['display_progress'],
        );
        const last = Object.keys(all).sort().at(-1);
        return last === undefined ? false : printJob(ctx, last, a['ext_source']);
      },
    },
  },
});
