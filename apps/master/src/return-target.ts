import type { Logger } from '@tsalt/core';
import { errorLine, isRecord } from '@tsalt/core';
import { checkMinions } from '@tsalt/targeting';
import type { JobCache } from '@tsalt/returners';
import type { JobTarget, JobTargets } from './job-targets.js';

export interface ReturnTargetDeps {
  targets?: JobTargets;
  /** The job cache, read when the jid is older than this master process. */
  jobCache?: Pick<JobCache, 'getLoad'>;
  log: Logger;
}

/** The job's target from its saved load (`tgt`, `tgt_type`, and `Minions`, the expected minions). */
function fromLoad(load: Record<string, unknown>): JobTarget | undefined {
  const tgt = load['tgt'];
  if (typeof tgt !== 'string' && !(Array.isArray(tgt) && tgt.every((t) => typeof t === 'string'))) return undefined;
  const minions = Array.isArray(load['Minions']) ? load['Minions'].filter((m) => typeof m === 'string') : [];
  const tgtType = typeof load['tgt_type'] === 'string' ? load['tgt_type'] : 'glob';
  return { minions: new Set(minions), tgt, tgtType };
}

/**
 * Whether the job `jid` was published to minion `id`, so that its return
 * may be added to the job. The master's expected minions say yes at once.
 * Otherwise the target is matched against the id alone, keeping every
 * grain, pillar and ipcidr term (the minion matches those on its own data,
 * which the master's cache may hold stale): a minion whose grains changed
 * still answers a grain job, but `-L a,b` or `web*` cannot gain a return
 * from `db1`. A jid this master never published, and whose load the job
 * cache does not hold, was not published to anyone.
 */
export async function jobTargetedMinion(jid: string, id: string, d: ReturnTargetDeps): Promise<boolean> {
  let job = d.targets?.lookup(jid);
  if (!job && d.jobCache) {
    try {
      const load = await d.jobCache.getLoad(jid);
      if (isRecord(load)) job = fromLoad(load);
    } catch (err) {
      d.log.warn({ jid, err: errorLine(err) }, 'could not read the job load to check a return against its target');
    }
  }
  if (!job) return false;
  if (job.minions.has(id)) return true;
  try {
    return checkMinions(job.tgt, job.tgtType, [id], { greedy: true }).minions.includes(id);
  } catch {
    return false;
  }
}
