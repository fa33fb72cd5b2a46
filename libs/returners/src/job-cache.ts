import type { Registry } from '@tsalt/loader';
import { ReturnerError } from './errors.js';
import { isRecord } from './format.js';
import type { JidResult, JidSummary, JobCache, ReturnLoad } from './types.js';

// Salt 8.1: what a returner needs to serve as master_job_cache.
const REQUIRED = ['returner', 'prep_jid', 'save_load', 'get_load', 'get_jid', 'get_jids'] as const;

function asRecord(v: unknown): Record<string, unknown> {
  return isRecord(v) ? v : {};
}

/** One minion's stored result as JidResult; a bare value (very old caches) is the return itself. */
function jidResult(v: unknown): JidResult {
  if (!isRecord(v) || !('return' in v)) return { return: v };
  const r: JidResult = { return: v['return'] };
  if (typeof v['retcode'] === 'number') r.retcode = v['retcode'];
  if (typeof v['success'] === 'boolean') r.success = v['success'];
  if (typeof v['out'] === 'string') r.out = v['out'];
  return r;
}

/**
 * Wraps the returner `name` of a returner registry as the job cache. Fails
 * at once when the returner is not loaded or lacks a required function;
 * the optional ones (get_fun, get_jids_filter, get_minions) fail when called;
 * save_minions and clean_old_jobs do nothing and get_endtime answers false
 * when absent.
 */
export function jobCacheFrom(registry: Registry, name: string): JobCache {
  if (!registry.modules().includes(name)) {
    const why = registry.missing()[name];
    throw new ReturnerError('RETURNER_MISSING', `Returner '${name}' is not available${why ? `: ${why}` : ''}`);
  }
  for (const f of REQUIRED) {
    if (!registry.has(`${name}.${f}`)) {
      throw new ReturnerError('RETURNER_MISSING', `Returner '${name}' does not support function ${f}`);
    }
  }
  const call = async (f: string, args: unknown[] = []): Promise<unknown> => {
    const fun = `${name}.${f}`;
    if (!registry.has(fun))
      throw new ReturnerError('RETURNER_MISSING', `Returner '${name}' does not support function ${f}`);
    return (await registry.call(fun, args)).return;
  };
  const has = (f: string): boolean => registry.has(`${name}.${f}`);

  return {
    name,
    async prepJid(nocache = false, passedJid) {
      const jid = await call('prep_jid', [nocache, passedJid ?? null]);
      if (typeof jid !== 'string') throw new ReturnerError('BAD_JID', `Returner '${name}' prep_jid returned no jid`);
      return jid;
    },
    async saveLoad(jid, load, minions) {
      await call('save_load', [jid, load, minions ?? null]);
    },
    async saveMinions(jid, minions) {
      if (has('save_minions')) await call('save_minions', [jid, minions]);
    },
    async returner(ret: ReturnLoad) {
      await call('returner', [ret]);
    },
    async getLoad(jid) {
      return asRecord(await call('get_load', [jid]));
    },
    async getJid(jid) {
      const out: Record<string, JidResult> = {};
      // Returners answer more than JidResult (mysql gives the whole stored return, as Salt does): keep its fields.
      for (const [id, v] of Object.entries(asRecord(await call('get_jid', [jid])))) out[id] = jidResult(v);
      return out;
    },
    async getFun(fun) {
      return asRecord(await call('get_fun', [fun]));
    },
    async getJids() {
      return asRecord(await call('get_jids')) as Record<string, JidSummary>;
    },
    async getJidsFilter(count, filterFindJob = true) {
      const list = await call('get_jids_filter', [count, filterFindJob]);
      // Salt's get_jids_filter answers a list of summaries carrying `JID`; key them by jid.
      const out: Record<string, JidSummary> = {};
      if (Array.isArray(list)) {
        for (const item of list) {
          if (!isRecord(item) || typeof item['JID'] !== 'string') continue;
          const { JID, ...summary } = item;
          out[JID] = summary as unknown as JidSummary;
        }
      } else if (isRecord(list)) {
        Object.assign(out, list);
      }
      return out;
    },
    async getMinions() {
      const list = await call('get_minions');
      return Array.isArray(list) ? list.filter((m): m is string => typeof m === 'string') : [];
    },
    async cleanOldJobs() {
      if (has('clean_old_jobs')) await call('clean_old_jobs');
    },
    async getEndtime(jid) {
      if (!has('get_endtime')) return false;
      const t = await call('get_endtime', [jid]);
      return typeof t === 'string' && t !== '' ? t : false;
    },
  };
}
