import type { MasterConfig } from '@tsalt/config';
import type { JobCache } from '@tsalt/returners';
import { isJid } from '@tsalt/job';
import { RunnerError } from './errors.js';

/**
 * What the master injects into the runner registry's `services`:
 * `jobCache` (the master job cache), and optionally `jobCacheFor(name)` to
 * reach another returner by name (ext_job_cache / ext_source).
 */
export interface JobsRunnerServices {
  jobCache?: JobCache;
  jobCacheFor?: (name: string) => JobCache;
}

function nonEmpty(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** Salt's `_get_returner`: the first of ext_job_cache, ext_source, master_job_cache. */
export function pickJobCache(
  ctx: { opts: Readonly<MasterConfig>; services: Readonly<Partial<JobsRunnerServices>> },
  extSource: unknown,
): JobCache {
  const services = ctx.services;
  const explicit = nonEmpty(ctx.opts.ext_job_cache) ?? nonEmpty(extSource);
  const name = explicit ?? nonEmpty(ctx.opts.master_job_cache);
  if (typeof services.jobCacheFor === 'function' && name) return services.jobCacheFor(name);
  const cache = services.jobCache;
  if (!cache) {
    throw new RunnerError(
      'JOB_CACHE_MISSING',
      'No job cache is available to the jobs runner (the master did not provide services.jobCache)',
    );
  }
  if (explicit && explicit !== cache.name) {
    throw new RunnerError(
      'JOB_CACHE_MISSING',
      `Returner '${explicit}' is not available as a job cache (only '${cache.name}' is)`,
    );
  }
  return cache;
}

/**
 * A jid from the command line. A number has already lost digits (20 > 15
 * significant), so refuse it; so is anything that is not a jid, by name,
 * rather than answering "no such job" for a typo.
 */
export function jidArg(v: unknown): string {
  const jid = typeof v === 'bigint' ? v.toString() : v;
  if (typeof jid !== 'string')
    throw new RunnerError('BAD_JID', `The jid must be given as a string, got ${JSON.stringify(v) ?? String(v)}`);
  if (!isJid(jid)) {
    const shown = JSON.stringify(jid.length > 60 ? `${jid.slice(0, 60)}...` : jid);
    throw new RunnerError('BAD_JID', `${shown} is not a jid: a jid is 20 digits, YYYYMMDDhhmmssffffff`);
  }
  return jid;
}
