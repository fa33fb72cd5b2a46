import { isRecord } from '@tsalt/core';
import { jidToTime } from '@tsalt/job';
import type { JidSummary } from './types.js';

// The one isRecord is core's; passed on here so the returners' modules keep their import lines.
export { isRecord };

/** Salt's `format_jid_instance`, with its defaults for loads missing a field. */
export function formatJidInstance(jid: string, load: Record<string, unknown>): JidSummary {
  const arg = load['arg'];
  const tgtType = load['tgt_type'];
  const user = load['user'];
  const ret: JidSummary = {
    Function: load['fun'] ?? 'unknown-function',
    Arguments: Array.isArray(arg) ? [...arg] : arg === undefined || arg === null ? [] : [arg],
    Target: load['tgt'] ?? 'unknown-target',
    'Target-type': typeof tgtType === 'string' ? tgtType : 'list',
    User: typeof user === 'string' ? user : 'root',
    StartTime: jidToTime(jid),
  };
  const kwargs = load['kwargs'];
  if ('metadata' in load) ret.Metadata = load['metadata'] ?? {};
  else if (isRecord(kwargs) && 'metadata' in kwargs) ret.Metadata = kwargs['metadata'] ?? {};
  return ret;
}

/**
 * Salt's `get_keep_jobs_seconds`: an edited (deprecated) `keep_jobs` in hours
 * wins over `keep_jobs_seconds`; 24 is its default, so it means "not edited".
 * 0 keeps jobs forever.
 */
export function keepJobsSeconds(opts: Readonly<Record<string, unknown>>): number {
  const hours = opts['keep_jobs'];
  if (typeof hours === 'number' && hours !== 24) return Math.max(0, hours * 3600);
  const secs = opts['keep_jobs_seconds'];
  return typeof secs === 'number' ? Math.max(0, secs) : 86400;
}
