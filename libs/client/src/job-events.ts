/** A minion's return event for one job: `salt/job/<jid>/ret/<id>`. */
export interface JobReturnEvent {
  jid: string;
  id: string;
  data: Record<string, unknown>;
}

/**
 * Returns for jids nobody watches yet are kept this long, so a return that
 * lands between the publish reply and `watch(jid)` is not lost. Bounded too,
 * because the subscription sees every job on the master, not just ours.
 */
const UNCLAIMED_MAX = 5000;

/** Parses `salt/job/<jid>/ret/<id>`; anything else (new, prog, find_job...) is not a return. */
export function parseReturnTag(tag: string): { jid: string; id: string } | undefined {
  if (!tag.startsWith('salt/job/')) return undefined;
  const rest = tag.slice('salt/job/'.length);
  const slash = rest.indexOf('/');
  if (slash <= 0 || !rest.startsWith('/ret/', slash)) return undefined;
  const id = rest.slice(slash + '/ret/'.length);
  if (!id) return undefined;
  return { jid: rest.slice(0, slash), id };
}

/**
 * Sorts the return events of one bus subscription by jid, so that any number
 * of waits (a job and its find_job probes, or several runner calls) share one
 * socket. Readers `watch` a jid, `take` what arrived and `changed()` to sleep
 * until something new comes.
 */
export class JobEvents {
  private readonly queues = new Map<string, JobReturnEvent[]>();
  private unclaimed: JobReturnEvent[] = [];
  private wakers = new Set<() => void>();
  private ended = false;

  /** Feeds one bus event in. Not a return: ignored. */
  route(tag: string, data: Record<string, unknown>): void {
    const parsed = parseReturnTag(tag);
    if (!parsed) return;
    const ev: JobReturnEvent = { ...parsed, data };
    const queue = this.queues.get(ev.jid);
    if (queue) {
      queue.push(ev);
      this.wake();
      return;
    }
    this.unclaimed.push(ev);
    if (this.unclaimed.length > UNCLAIMED_MAX) this.unclaimed = this.unclaimed.slice(-Math.floor(UNCLAIMED_MAX / 2));
  }

  /** Starts keeping the returns of `jid`, including any that already arrived unclaimed. */
  watch(jid: string): void {
    if (this.queues.has(jid)) return;
    const early = this.unclaimed.filter((e) => e.jid === jid);
    if (early.length) this.unclaimed = this.unclaimed.filter((e) => e.jid !== jid);
    this.queues.set(jid, early);
  }

  unwatch(jid: string): void {
    this.queues.delete(jid);
  }

  /** The returns of `jid` that arrived since the last take. */
  take(jid: string): JobReturnEvent[] {
    const q = this.queues.get(jid);
    if (!q || q.length === 0) return [];
    this.queues.set(jid, []);
    return q;
  }

  /** True once the subscription is gone: no more events will come. */
  get closed(): boolean {
    return this.ended;
  }

  /** Marks the end of the subscription and wakes every reader. */
  end(): void {
    this.ended = true;
    this.wake();
  }

  /** Resolves when a watched jid gets an event, the source ends, or `ms` passes. */
  changed(ms: number): Promise<void> {
    if (this.ended) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      this.wakers.add(done);
    });
  }

  private wake(): void {
    for (const w of [...this.wakers]) w();
  }
}
