import type { Logger } from '@tsalt/core';
import { errorLine } from '@tsalt/core';
import { genJid } from '@tsalt/job';
import type { JobCache, ReturnLoad } from '@tsalt/returners';
import type { MasterConfig } from '@tsalt/config';

/** Writes held in memory while the job cache fails, before the oldest is dropped (with an error line). */
const MAX_PENDING = 100_000;
/** How often the held writes are retried (ms). */
const RETRY_MS = 1000;

interface PendingWrite {
  what: string;
  jid: string;
  run: () => Promise<void>;
}

/**
 * The master's writes to the job cache. A cache that fails (an unwritable
 * or full disk, a database that is down) must neither stop the master nor
 * lose returns silently: a failed write is logged, held in order, and
 * retried until it succeeds. Once one write is held, later ones queue
 * behind it so a job's load is always written before its returns.
 */
export class CacheWriter {
  private readonly pending: PendingWrite[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing = false;

  constructor(
    readonly cache: JobCache,
    private readonly opts: MasterConfig,
    private readonly log: Logger,
  ) {}

  /** A jid from the cache, or from memory when the cache cannot reserve one: publishing goes on. */
  async prepJid(passed?: string): Promise<string> {
    try {
      return await this.cache.prepJid(false, passed);
    } catch (err) {
      this.log.error({ err: errorLine(err) }, 'job cache could not reserve a jid; using one made in memory');
      return passed ?? genJid(this.opts);
    }
  }

  saveLoad(jid: string, load: Record<string, unknown>, minions: string[]): Promise<void> {
    return this.write({ what: 'load', jid, run: () => this.cache.saveLoad(jid, load, minions) });
  }

  returner(ret: ReturnLoad): Promise<void> {
    return this.write({ what: `return of ${ret.id}`, jid: ret.jid, run: () => this.cache.returner(ret) });
  }

  /** Writes held for a retry right now. */
  get backlog(): number {
    return this.pending.length;
  }

  private async write(w: PendingWrite): Promise<void> {
    if (this.pending.length > 0) {
      this.hold(w);
      return;
    }
    try {
      await w.run();
    } catch (err) {
      this.log.error(
        { jid: w.jid, err: errorLine(err) },
        `job cache failed to store the ${w.what}; holding it and retrying`,
      );
      this.hold(w);
    }
  }

  private hold(w: PendingWrite): void {
    if (this.pending.length >= MAX_PENDING) {
      const lost = this.pending.shift()!;
      this.log.error(
        { jid: lost.jid },
        `job cache still failing: dropped the ${lost.what} after holding ${MAX_PENDING} writes`,
      );
    }
    this.pending.push(w);
    this.timer ??= setInterval(() => void this.flush(), RETRY_MS);
  }

  private async flush(): Promise<void> {
    if (this.flushing || this.pending.length === 0) return;
    this.flushing = true;
    let written = 0;
    try {
      while (this.pending.length > 0) {
        const head = this.pending[0]!;
        try {
          await head.run();
        } catch {
          return;
        }
        this.pending.shift();
        written++;
      }
      clearInterval(this.timer);
      this.timer = undefined;
      this.log.warn({ written }, 'job cache is writable again; held writes stored');
    } finally {
      this.flushing = false;
      if (written > 0 && this.pending.length > 0)
        this.log.info({ written, left: this.pending.length }, 'job cache partly caught up');
    }
  }

  /** Tries once more; what still fails is reported, never dropped without a word. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
    clearInterval(this.timer);
    if (this.pending.length > 0) {
      this.log.error(
        { pending: this.pending.length, jids: [...new Set(this.pending.map((p) => p.jid))].slice(0, 20) },
        'job cache writes still failing at shutdown are lost',
      );
    }
  }
}
