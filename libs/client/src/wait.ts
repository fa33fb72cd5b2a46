import type { Logger } from '@tsalt/core';
import type { JobEvents } from './job-events.js';
import type { CliReturn, NoReturnReason, PublishReply } from './types.js';

/*
 * Salt's LocalClient.get_iter_returns, the way the `salt` CLI waits:
 *
 * - every targeted minion has a deadline, `timeout` s after the publish;
 * - when minions pass their deadline without a return, they are asked
 *   `saltutil.find_job <jid>` (one publish, tgt_type list) and their answers
 *   are gathered for up to `gather_job_timeout` s, or until all have answered
 *   (Salt always sits out the whole gather timeout; nothing is gained by it);
 * - a minion whose answer is a non-empty dict still runs the job: its
 *   deadline moves `timeout` s on, and it is asked again then;
 * - a minion that answered `{}` (not running) has finished or never started:
 *   its return may be in flight, so it gets a short grace, then is reported;
 * - a minion that does not answer at all is reported as `No response`.
 *
 * Returns are yielded whenever they arrive, during the probes too. The probes'
 * own returns are read here and never yielded.
 */

/** How long a minion that says the job is not running may still return (ms). */
export const NOT_RUNNING_GRACE_MS = 1000;

export interface WaitDeps {
  events: JobEvents;
  /** Publishes `saltutil.find_job <jid>` to these minions (tgt_type list); undefined if it could not. */
  findJob(jid: string, minions: string[]): Promise<PublishReply | undefined>;
  log?: Logger | undefined;
  /** ms since epoch; injectable for tests. */
  now?: () => number;
}

export interface WaitParams {
  /** s */
  timeout: number;
  /** s */
  gatherJobTimeout: number;
  /** ms; @default NOT_RUNNING_GRACE_MS */
  graceMs?: number;
  /** Minions the master said are not connected (refreshed by each find_job reply). */
  notConnected?: Iterable<string>;
}

interface Probe {
  jid: string;
  asked: Set<string>;
  /** Asked minions that have neither answered nor returned yet. */
  open: Set<string>;
  answers: Map<string, Record<string, unknown>>;
  /** ms since epoch */
  until: number;
}

/** A find_job answer that says the job still runs there: a non-empty dict, and no error retcode. */
function stillRunning(data: Record<string, unknown>): boolean {
  const ret = data['return'];
  const rc = data['retcode'];
  if (typeof rc === 'number' && rc > 0) return false;
  return typeof ret === 'object' && ret !== null && !Array.isArray(ret) && Object.keys(ret).length > 0;
}

export async function* waitForReturns(
  deps: WaitDeps,
  jid: string,
  minions: Iterable<string>,
  p: WaitParams,
): AsyncGenerator<CliReturn> {
  const now = deps.now ?? Date.now;
  const { events, log } = deps;
  const timeoutMs = Math.max(0, p.timeout) * 1000;
  const gatherMs = Math.max(0, p.gatherJobTimeout) * 1000;
  const graceMs = p.graceMs ?? NOT_RUNNING_GRACE_MS;

  const start = now();
  /** Minions still owed a return, each with its deadline (ms since epoch). */
  const deadline = new Map<string, number>();
  for (const m of minions) deadline.set(m, start + timeoutMs);
  const returned = new Set<string>();
  /** Salt's `[Not connected]`: known to the master, not connected to it. */
  const offline = new Set<string>(p.notConnected ?? []);
  const reason = (m: string): NoReturnReason => (offline.has(m) ? 'Not connected' : 'No response');
  /** Minions that said the job is not running there: reported when their grace ends. */
  const lastChance = new Set<string>();
  let probe: Probe | undefined;
  /**
   * No deadline falls before this (ms since epoch). Returns only remove
   * deadlines, so it may be early, never late: an early wake rescans. It
   * keeps each return O(1): with 10,000 minions a scan per return was
   * seconds of CPU.
   */
  let nextDue = start + timeoutMs;
  const earliest = (): number => {
    let min = Infinity;
    for (const d of deadline.values()) if (d < min) min = d;
    return min;
  };

  events.watch(jid);
  try {
    for (;;) {
      for (const ev of events.take(jid)) {
        if (returned.has(ev.id)) continue;
        returned.add(ev.id);
        deadline.delete(ev.id);
        lastChance.delete(ev.id);
        probe?.open.delete(ev.id);
        yield { kind: 'return', id: ev.id, data: ev.data };
      }
      if (deadline.size === 0 || events.closed) break;

      if (probe) {
        const pr = probe;
        for (const ev of events.take(pr.jid)) {
          if (!pr.asked.has(ev.id)) continue;
          pr.answers.set(ev.id, ev.data);
          pr.open.delete(ev.id);
        }
        if (pr.open.size === 0 || now() >= pr.until) {
          const t = now();
          for (const m of pr.asked) {
            if (!deadline.has(m)) continue;
            const answer = pr.answers.get(m);
            if (answer === undefined) {
              deadline.delete(m);
              yield { kind: 'missing', id: m, reason: reason(m) };
            } else if (stillRunning(answer)) {
              deadline.set(m, t + timeoutMs);
            } else {
              lastChance.add(m);
              deadline.set(m, t + graceMs);
            }
          }
          events.unwatch(pr.jid);
          probe = undefined;
          nextDue = earliest();
          continue;
        }
      }

      if (!probe && now() >= nextDue) {
        const t = now();
        const due = [...deadline]
          .filter(([, d]) => d <= t)
          .map(([m]) => m)
          .sort();
        const ask: string[] = [];
        for (const m of due) {
          if (lastChance.has(m)) {
            deadline.delete(m);
            lastChance.delete(m);
            yield { kind: 'missing', id: m, reason: reason(m) };
          } else {
            ask.push(m);
          }
        }
        if (ask.length) {
          log?.debug({ jid, minions: ask }, 'checking whether the job is still running');
          const reply = await deps.findJob(jid, ask);
          if (!reply || !reply.jid) {
            // Nothing was sent, so no answer can come: report them now.
            for (const m of ask) {
              deadline.delete(m);
              yield { kind: 'missing', id: m, reason: reason(m) };
            }
            continue;
          }
          // The master's view now, fresher than at the publish.
          for (const m of ask) offline.delete(m);
          for (const m of reply.notConnected ?? []) offline.add(m);
          events.watch(reply.jid);
          probe = {
            jid: reply.jid,
            asked: new Set(ask),
            open: new Set(ask),
            answers: new Map(),
            until: now() + gatherMs,
          };
          for (const m of reply.missing) {
            // No accepted key: the master did not send it the probe.
            if (!deadline.has(m)) continue;
            probe.asked.delete(m);
            probe.open.delete(m);
            deadline.delete(m);
            yield { kind: 'missing', id: m, reason: reason(m) };
          }
          continue;
        }
        nextDue = earliest();
      }

      // Sleep until an event, the probe's end, or the next deadline.
      if (deadline.size === 0) continue;
      // While a probe runs, minions falling due wait for it to end (then one probe asks them all).
      const wakeAt = probe ? probe.until : nextDue;
      await events.changed(Math.max(1, wakeAt - now()));
    }
  } finally {
    events.unwatch(jid);
    if (probe) events.unwatch(probe.jid);
  }
}
