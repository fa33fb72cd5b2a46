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
    Arguments: Array.isArray(arg) ? [...(arg as unknown[])] : arg === undefined || arg === null ? [] : [arg],
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
