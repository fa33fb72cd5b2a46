import type { MinionConfig } from '@tsalt/config';
import { isRecord } from '@tsalt/core';
import { genJid } from '@tsalt/job';
import { pyTruthy } from '@tsalt/loader';
import type { DueJob } from '@tsalt/schedule';
import type { PublishLoad } from '@tsalt/transport';
import type { JobReturn } from './executor.js';

type JobOpts = Pick<MinionConfig, 'id' | 'schedule_returner'> & { utc_jid?: boolean; unique_jid?: boolean };

/**
 * The load a scheduled job runs under: a publish load addressed to this
 * minion, with a fresh jid and Salt's `schedule` key (so saltutil.running
 * and the proc file name the entry). Keyword arguments travel as Salt's
 * `__kwarg__` dict, as a published job's do.
 */
export function scheduledLoad(opts: JobOpts, job: DueJob): PublishLoad {
  const arg: unknown[] = [...job.args];
  if (job.kwargs) arg.push({ ...job.kwargs, __kwarg__: true });
  const load: PublishLoad = {
    jid: genJid(opts),
    fun: job.fun,
    arg,
    tgt: opts.id,
    tgt_type: 'glob',
    schedule: job.name,
  };
  if (isRecord(job.entry['metadata'])) load.metadata = job.entry['metadata'];
  return load;
}

/** Salt's returner names for a scheduled job: the entry's `returner`, then `schedule_returner` (each a name or a list). */
export function scheduleReturners(opts: JobOpts, job: DueJob): string[] {
  const names: string[] = [];
  for (const v of [job.entry['returner'], opts.schedule_returner]) {
    for (const n of Array.isArray(v) ? v : [v])
      if (typeof n === 'string' && n !== '' && !names.includes(n)) names.push(n);
  }
  return names;
}

/**
 * What becomes of a scheduled job's return (Salt's handle_func): Salt's
 * return shape (`fun_args` as the entry gives them, the `schedule` key); the
 * load for the entry's returners, if it names any; and the `_return` for
 * the master unless `return_job` is false, under jid `req` (the master
 * gives it a jid) or `nocache` when no returner has the real one.
 */
export function scheduledReturn(
  opts: JobOpts,
  job: DueJob,
  ret: JobReturn,
): { full: JobReturn; toMaster: JobReturn | undefined; returnerLoad: Record<string, unknown> | undefined } {
  const full: JobReturn = {
    ...ret,
    fun_args: [...job.args, ...(job.kwargs ? [job.kwargs] : [])],
    schedule: job.name,
  };
  const { entry } = job;
  if ('return_config' in entry) full['ret_config'] = entry['return_config'];
  if ('return_kwargs' in entry) full['ret_kwargs'] = entry['return_kwargs'];
  const returners = scheduleReturners(opts, job);
  const returnerLoad = returners.length
    ? {
        ret: returners,
        ...('return_config' in entry ? { ret_config: entry['return_config'] } : {}),
        ...('return_kwargs' in entry ? { ret_kwargs: entry['return_kwargs'] } : {}),
      }
    : undefined;
  const returnJob = entry['return_job'];
  if ('return_job' in entry && !pyTruthy(returnJob)) return { full, toMaster: undefined, returnerLoad };
  const toMaster: JobReturn = { ...full };
  if (!returnerLoad) toMaster.jid = returnJob === 'nocache' ? 'nocache' : 'req';
  return { full, toMaster, returnerLoad };
}
