/** Minion ids remembered across all recent jobs, before the oldest jobs are forgotten. */
const MAX_ENTRIES = 1_000_000;

/** What a job was published to: the expected minions and the target the minions matched themselves against. */
export interface JobTarget {
  minions: ReadonlySet<string>;
  tgt: string | string[];
  tgtType: string;
}

interface Job extends JobTarget {
  at: number;
  /** Minions whose tokless return was taken: one each. */
  claimed: Set<string>;
}

/**
 * Which minions each recent job was published to, and which of them have
 * not answered yet without `tok`: the proof a `_return` without `tok` can
 * still offer (`tokless_returns: targeted`), and the first place a return
 * with `tok` is checked against (a minion adds returns only to its own
 * jobs). It is held in memory; after a master restart the job cache's saved
 * load answers for older jobs (see return-target.ts).
 */
export class JobTargets {
  private readonly jobs = new Map<string, Job>();
  private entries = 0;

  /** @param ttlMs how long a job's targets are kept (ms): the master's keep_jobs. */
  constructor(private readonly ttlMs: number) {}

  record(jid: string, minions: readonly string[], target?: { tgt: string | string[]; tgtType: string }): void {
    this.forget(jid);
    // Without the target, only the listed ids match (a list target of them).
    const job: Job = {
      at: Date.now(),
      minions: new Set(minions),
      claimed: new Set(),
      tgt: target?.tgt ?? [...minions],
      tgtType: target?.tgtType ?? 'list',
    };
    this.jobs.set(jid, job);
    this.entries += job.minions.size;
    this.evict();
  }

  /** The job's target while it is remembered, else undefined. */
  lookup(jid: string): JobTarget | undefined {
    const job = this.jobs.get(jid);
    if (!job || Date.now() - job.at > this.ttlMs) return undefined;
    return job;
  }

  /** True once for each minion the job was published to; its tokless return is then no longer awaited. */
  claim(jid: string, id: string): boolean {
    const job = this.jobs.get(jid);
    if (!job || Date.now() - job.at > this.ttlMs || !job.minions.has(id) || job.claimed.has(id)) return false;
    job.claimed.add(id);
    this.entries++;
    return true;
  }

  private forget(jid: string): void {
    const job = this.jobs.get(jid);
    if (!job) return;
    this.entries -= job.minions.size + job.claimed.size;
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
