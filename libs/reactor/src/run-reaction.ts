import { genJid } from '@tsalt/job';
import { ReactorError } from './errors.js';
import type { Reaction } from './reactions.js';
import type { FireFn, ReactorClients } from './types.js';

/** Salt's ReactWrap.event_user: runner and wheel calls run as this user, and events carrying it are not reacted to. */
export const REACTOR_USER = 'Reactor';

/** Salt's condition_input: kwargs travel as one trailing `{__kwarg__: true, ...}` dict. */
function withKwarg(arg: readonly unknown[], kwarg: Record<string, unknown>): unknown[] {
  return Object.keys(kwarg).length > 0 ? [...arg, { __kwarg__: true, ...kwarg }] : [...arg];
}

export interface RunOutcome {
  /** The jid a local reaction published, or the runner/wheel call's jid. */
  jid?: string;
  minions?: string[];
}

/**
 * Runs one reaction through the master's clients. `fire` marks the events
 * the call fires as caused by this reaction (the storm guard's depth).
 * @throws ReactorError REACTION_FAILED or NO_CLIENT; a client's own error propagates
 */
export async function runReaction(
  r: Reaction,
  clients: ReactorClients,
  fire: FireFn,
  opts: { utc_jid?: boolean },
): Promise<RunOutcome> {
  if (r.kind === 'local') {
    const reply = await clients.publish({
      tgt: r.tgt ?? '',
      tgt_type: r.tgt_type ?? 'glob',
      fun: r.fun,
      arg: withKwarg(r.arg, r.kwarg),
      ret: r.ret ?? '',
      ...(r.timeout !== undefined ? { timeout: r.timeout } : {}),
      ...(r.metadata ? { metadata: r.metadata } : {}),
    });
    if (reply.error)
      throw new ReactorError(
        'REACTION_FAILED',
        `${reply.error.name ?? 'Error'}: ${reply.error.message ?? 'publish refused'}`,
      );
    return { ...(reply.jid ? { jid: reply.jid } : {}), minions: reply.minions ?? [] };
  }
  const client = clients[r.kind];
  if (!client) throw new ReactorError('NO_CLIENT', `${r.kind} reactions are not available on this master`);
  const jid = genJid({ utc_jid: opts.utc_jid === true });
  const out = await client(r.fun, r.arg, r.kwarg, { jid, fire, user: REACTOR_USER, looseKwarg: r.looseKwarg === true });
  if (!out.success) {
    const shown = typeof out.return === 'string' ? out.return : JSON.stringify(out.return);
    throw new ReactorError('REACTION_FAILED', (shown ?? 'failed').split('\n')[0] ?? 'failed');
  }
  return { jid };
}
