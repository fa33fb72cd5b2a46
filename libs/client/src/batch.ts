import type { CliReturn, NoReturnReason } from './types.js';

/*
 * Salt's batch run (salt/cli/batch.py), the scheduling part: at most `size`
 * minions run the job at once; as each returns (or is given up on), its slot
 * is free again, after `waitS` seconds when `--batch-wait` is set, and the
 * next minions get the job in a publish of their own. Returns are yielded
 * the moment they arrive, from whichever sub-job they belong to.
 */

export interface BatchDeps {
  /**
   * Publishes the job to these minions (tgt_type list) and yields their
   * returns as they come, then those given up on (`getCliReturns`).
   * `onJid` is called with the sub-job's jid once it is published.
   */
  run(minions: string[], onJid: (jid: string) => void): AsyncIterable<CliReturn>;
  /** ms since epoch; injectable for tests. */
  now?: () => number;
}

export interface BatchParams {
  /** Minions running the job at once (>= 1). */
  size: number;
  /** s a freed slot stays closed (`--batch-wait`). @default 0 */
  waitS?: number;
  /** Stop at the first return with a retcode above 0 (`--failhard`). @default false */
  failhard?: boolean;
}

/** What a batch run reports, in the order it happens. */
export type BatchEvent =
  /** A sub-job goes out to these minions (Salt's `Executing run on [...]`). */
  | { kind: 'start'; minions: string[] }
  /** A minion's return; `retcode` is the highest when the job ran several functions. */
  | { kind: 'return'; id: string; jid: string; data: Record<string, unknown>; retcode: number }
  /** A minion that got the job and was given up on (Salt's batch prints it with an empty return). */
  | { kind: 'missing'; id: string; reason: NoReturnReason }
  /** `--failhard`: this return stops the run; nothing more is started or reported. */
  | { kind: 'failhard'; id: string; retcode: number };

/** A return's retcode as Salt's batch reads it: a number, or the highest of a dict of them; else 0. */
export function batchRetcode(data: Record<string, unknown>): number {
  const rc = data['retcode'];
  if (typeof rc === 'number') return rc;
  if (typeof rc === 'object' && rc !== null && !Array.isArray(rc)) {
    const codes = Object.values(rc).filter((v): v is number => typeof v === 'number');
    return codes.length ? Math.max(...codes) : 0;
  }
  return 0;
}

type Inbox =
  { kind: 'ret'; r: CliReturn; jid: string } | { kind: 'end'; unseen: string[] } | { kind: 'error'; err: unknown };

/**
 * Runs the job over `minions` (in this order), `p.size` at a time. Errors of
 * a publish end the run by throwing. Sub-jobs still out when the run ends
 * early (failhard, or the caller stops reading) go on; their returns are no
 * longer read.
 */
export async function* runBatch(
  deps: BatchDeps,
  minions: readonly string[],
  p: BatchParams,
): AsyncGenerator<BatchEvent> {
  const now = deps.now ?? Date.now;
  const size = Math.max(1, Math.floor(p.size));
  const waitMs = Math.max(0, p.waitS ?? 0) * 1000;
  const queue = [...minions];
  const active = new Set<string>();
  /** When each slot closed by --batch-wait opens again (ms since epoch, ascending). */
  const closedUntil: number[] = [];
  const inbox: Inbox[] = [];
  let subJobs = 0;
  let wake: (() => void) | undefined;
  const post = (item: Inbox): void => {
    inbox.push(item);
    wake?.();
  };
  const free = (id: string): void => {
    if (!active.delete(id)) return;
    if (waitMs > 0) closedUntil.push(now() + waitMs);
  };

  const start = (batch: string[]): void => {
    subJobs++;
    void (async () => {
      const seen = new Set<string>();
      let jid = '';
      try {
        for await (const r of deps.run(batch, (j) => (jid = j))) {
          seen.add(r.id);
          post({ kind: 'ret', r, jid });
        }
      } catch (err) {
        post({ kind: 'error', err });
      } finally {
        post({ kind: 'end', unseen: batch.filter((m) => !seen.has(m)) });
      }
    })();
  };

  for (;;) {
    const t = now();
    while (closedUntil.length && (closedUntil[0] ?? 0) <= t) closedUntil.shift();
    const open = size - active.size - closedUntil.length;
    let busy = false;
    if (open > 0 && queue.length) {
      busy = true;
      const next = queue.splice(0, open);
      for (const m of next) active.add(m);
      yield { kind: 'start', minions: next };
      start(next);
    }

    while (inbox.length) {
      const item = inbox.shift() as Inbox;
      busy = true;
      if (item.kind === 'error') throw item.err;
      if (item.kind === 'end') {
        subJobs--;
        // A sub-job that ended without reporting some minions (its publish matched fewer): given up on.
        for (const m of item.unseen) {
          if (!active.has(m)) continue;
          free(m);
          yield { kind: 'missing', id: m, reason: 'No response' };
        }
        continue;
      }
      const { r } = item;
      if (!active.has(r.id)) continue;
      free(r.id);
      if (r.kind === 'missing') {
        yield { kind: 'missing', id: r.id, reason: r.reason };
        continue;
      }
      const retcode = batchRetcode(r.data);
      yield { kind: 'return', id: r.id, jid: item.jid, data: r.data, retcode };
      if (p.failhard && retcode > 0) {
        yield { kind: 'failhard', id: r.id, retcode };
        return;
      }
    }

    if (!queue.length && subJobs === 0) return;
    // Something happened: a slot may have opened; look again before sleeping.
    if (busy || inbox.length) continue;
    // Sleep until a sub-job reports, or the next closed slot opens while minions wait for one.
    const reopen = queue.length && closedUntil.length ? Math.max(1, (closedUntil[0] ?? 0) - now()) : undefined;
    await new Promise<void>((resolve) => {
      const timer = reopen === undefined ? undefined : setTimeout(done, reopen);
      function done(): void {
        if (timer) clearTimeout(timer);
        wake = undefined;
        resolve();
      }
      wake = done;
    });
  }
}
