/** Minion ids remembered across all recent jobs, before the oldest jobs are forgotten. */
const MAX_ENTRIES = 1_000_000;

/**
 * Which minions each recent job was published to, and which of them have
 * not answered yet: the proof a `_return` without `tok` can still offer
 * (`tokless_returns: targeted`). It is held in memory, so after a master
 * restart a tokless return for an older job is refused.
 */
export class JobTargets {
  private readonly jobs = new Map<string, { at: number; waiting: Set<string> }>();
  private entries = 0;

  /** @param ttlMs how long a job's targets are kept (ms): the master's keep_jobs. */
  constructor(private readonly ttlMs: number) {}

  record(jid: string, minions: readonly string[]): void {
    this.forget(jid);
    this.jobs.set(jid, { at: Date.now(), waiting: new Set(minions) });
    this.entries += minions.length;
    this.evict();
  }

  /** True once for each minion the job was published to; the return is then no longer awaited. */
  claim(jid: string, id: string): boolean {
    const job = this.jobs.get(jid);
    if (!job || Date.now() - job.at > this.ttlMs || !job.waiting.delete(id)) return false;
    this.entries--;
    return true;
  }

  private forget(jid: string): void {
    const job = this.jobs.get(jid);
    if (!job) return;
    this.entries -= job.waiting.size;
    this.jobs.delete(jid);
  }

  private evict(): void {
    const now = Date.now();
    for (const [jid, job] of this.jobs) {
      if (this.entries <= MAX_ENTRIES && now - job.at <= this.ttlMs) break;
      this.forget(jid);
    }
  }
}
