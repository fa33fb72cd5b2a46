import { definePlugin } from '@tsalt/loader';
import { isRecord } from '../format.js';
import type { ReturnerConfig, ReturnerContext as PluginContext, ReturnerServices } from '../context.js';
import { ReturnerError } from '../errors.js';
import { checkJid, storeFor, type LocalCacheStore } from '../local-cache/store.js';
import type { ReturnRecord } from '../local-cache/files.js';

/*
 * local_cache: the default master job cache, with Salt's returner function
 * names and parameters. Storage is ours (hour buckets, two files per job);
 * see docs/job-cache.md. Config from ctx.opts: cachedir, keep_jobs_ms
 * (compiled from keep_jobs / keep_jobs_seconds), utc_jid / unique_jid (for new jids and to read jid times).
 */

function store(ctx: PluginContext): LocalCacheStore {
  const cachedir = ctx.opts.cachedir;
  if (typeof cachedir !== 'string' || cachedir === '') {
    throw new ReturnerError('NO_CACHEDIR', 'local_cache needs the cachedir option');
  }
  return storeFor(cachedir);
}

function jidOpts(ctx: PluginContext): { utc_jid: boolean; unique_jid: boolean } {
  return { utc_jid: ctx.opts.utc_jid === true, unique_jid: ctx.opts.unique_jid === true };
}

function minionList(v: unknown, what: string): string[] {
  if (!Array.isArray(v) || !v.every((m) => typeof m === 'string')) {
    throw new ReturnerError('BAD_MINIONS', `${what} must be a list of minion ids`);
  }
  return v;
}

/** Optional master service: Salt's CkMinions.check_minions, used when save_load gets no list. */

export default definePlugin<ReturnerConfig, ReturnerServices>({
  name: 'local_cache',
  doc: 'Return data to the local job cache (the default master_job_cache).',
  functions: {
    returner: {
      doc: 'Store one minion return. A second return from the same minion for the same jid is dropped.',
      params: ['ret'],
      fn(ctx, { ret }) {
        if (!isRecord(ret) || typeof ret['id'] !== 'string' || ret['id'] === '') {
          throw new ReturnerError('BAD_RETURN', 'A return load needs a string id');
        }
        const s = store(ctx);
        // A minion-originated job (salt-call, scheduler): the master allocates the jid now.
        const jid =
          ret['jid'] === 'req' ? s.prepJid(jidOpts(ctx), ret['nocache'] === true, null) : checkJid(ret['jid']);
        const rec: ReturnRecord = { id: ret['id'], return: ret['return'] };
        if (typeof ret['retcode'] === 'number') rec.retcode = ret['retcode'];
        if (typeof ret['success'] === 'boolean') rec.success = ret['success'];
        if (typeof ret['out'] === 'string') rec.out = ret['out'];
        if ('fun' in ret) rec.fun = ret['fun'];
        if ('fun_args' in ret) rec.fun_args = ret['fun_args'];
        if ('_stamp' in ret) rec._stamp = ret['_stamp'];
        return s.addReturn(jid, rec, ctx.log) ? undefined : false;
      },
    },
    prep_jid: {
      doc: 'Return a job id and reserve it, so two publishes never share one (unless passed_jid is given).',
      params: [
        { name: 'nocache', default: false },
        { name: 'passed_jid', default: null },
      ],
      fn(ctx, { nocache, passed_jid }) {
        const passed =
          passed_jid === null || passed_jid === undefined || passed_jid === '' ? null : checkJid(passed_jid);
        return store(ctx).prepJid(jidOpts(ctx), nocache === true, passed);
      },
    },
    save_load: {
      doc: 'Save the publish load of a job, and the list of minions it targets.',
      params: ['jid', 'load', { name: 'minions', default: null }],
      async fn(ctx, { jid, load, minions }) {
        const j = checkJid(jid);
        if (!isRecord(load)) throw new ReturnerError('BAD_LOAD', 'The job load must be a mapping');
        let list = minions === null || minions === undefined ? null : minionList(minions, 'minions');
        const check = ctx.services.checkMinions;
        if (list === null && typeof check === 'function' && load['tgt'] !== undefined && load['tgt'] !== '') {
          const tgtType = typeof load['tgt_type'] === 'string' ? load['tgt_type'] : 'glob';
          list = minionList(await check(load['tgt'], tgtType), 'checkMinions result');
        }
        store(ctx).saveLoad(j, load, list);
      },
    },
    save_minions: {
      doc: 'Save the list of minions a job targets (one list per syndic when syndic_id is given).',
      params: ['jid', 'minions', { name: 'syndic_id', default: null }],
      fn(ctx, { jid, minions, syndic_id }) {
        const syndic = typeof syndic_id === 'string' && syndic_id !== '' ? syndic_id : null;
        store(ctx).saveMinions(checkJid(jid), minionList(minions, 'minions'), syndic);
      },
    },
    get_load: {
      doc: 'Return the load of a job, plus Minions when known; {} for an unknown jid.',
      params: ['jid'],
      fn: (ctx, { jid }) => store(ctx).getLoad(checkJid(jid)),
    },
    get_jid: {
      doc: 'Return {minion: {return, retcode, success, out?}} for a job.',
      params: ['jid'],
      fn: (ctx, { jid }) => store(ctx).getJid(checkJid(jid)),
    },
    get_fun: {
      doc: 'Return {minion: newest return of fun} over every cached job.',
      params: ['fun'],
      fn(ctx, { fun }) {
        if (typeof fun !== 'string') throw new ReturnerError('BAD_FUN', 'fun must be a function name');
        return store(ctx).getFun(fun);
      },
    },
    get_jids: {
      doc: 'Return {jid: {Function, Arguments, Target, Target-type, User, StartTime[, Metadata]}} for every job.',
      fn: (ctx) => store(ctx).getJids(),
    },
    get_jids_filter: {
      doc: 'Return a list of the newest count jobs (with JID), skipping saltutil.find_job unless filter_find_job is False.',
      params: ['count', { name: 'filter_find_job', default: true }],
      fn(ctx, { count, filter_find_job }) {
        const n = Number(count);
        if (!Number.isFinite(n)) throw new ReturnerError('BAD_COUNT', 'count must be a number');
        return store(ctx).getJidsFilter(Math.max(0, Math.floor(n)), filter_find_job !== false);
      },
    },
    get_minions: {
      doc: 'Return the ids of every minion with a cached return.',
      fn: (ctx) => store(ctx).getMinions(),
    },
    clean_old_jobs: {
      doc: 'Remove jobs older than keep_jobs_seconds (or an edited keep_jobs, in hours). 0 keeps everything.',
      fn(ctx) {
        const removed = store(ctx).clean(ctx.opts.keep_jobs_ms / 1000, ctx.opts.utc_jid === true, Date.now(), ctx.log);
        if (removed) ctx.log.debug({ removed }, 'cleaned old jobs from the job cache');
      },
    },
    update_endtime: {
      doc: 'Record when a job finished (job_cache_store_endtime).',
      params: ['jid', 'time'],
      fn(ctx, { jid, time }) {
        store(ctx).setEndtime(checkJid(jid), String(time), ctx.log);
      },
    },
    get_endtime: {
      doc: 'Return the recorded end time of a job, or False.',
      params: ['jid'],
      fn: (ctx, { jid }) => store(ctx).getEndtime(checkJid(jid)),
    },
  },
});
