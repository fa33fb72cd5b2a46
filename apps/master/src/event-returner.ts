import type { Logger } from '@tsalt/core';
import { errorLine, fnmatch } from '@tsalt/core';
import type { Registry } from '@tsalt/loader';
import type { EventBus } from '@tsalt/events';
import { optionList, type MasterConfig } from '@tsalt/config';

interface QueuedEvent {
  tag: string;
  data: Record<string, unknown>;
}

/**
 * Salt's EventReturn: every event on the master bus that passes
 * `event_return_whitelist`/`_blacklist` goes to the `event_return`
 * returners, in batches of `event_return_queue` (0: as they come) or after
 * `event_return_queue_max_seconds`. Durability is the returner's: the mysql
 * returner spools to disk, so an outage loses nothing.
 */
export class EventReturner {
  private readonly returners: string[];
  private queue: QueuedEvent[] = [];
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private sending: Promise<void> = Promise.resolve();

  constructor(
    private readonly opts: MasterConfig,
    private readonly registry: Registry,
    private readonly log: Logger,
  ) {
    this.returners = optionList(opts.event_return);
  }

  /** Checks the returners exist (a one-line error otherwise) and starts listening. */
  start(bus: EventBus): void {
    if (this.returners.length === 0) return;
    for (const r of this.returners) {
      if (!this.registry.has(`${r}.event_return`)) {
        this.log.error(
          `event_return: returner '${r}' is not available or has no event_return; its events are not stored`,
        );
      }
    }
    this.unsubscribe = bus.onEvent((tag, data) => this.offer(tag, data));
  }

  private wanted(tag: string): boolean {
    const white = optionList(this.opts.event_return_whitelist);
    const black = optionList(this.opts.event_return_blacklist);
    if (white.length > 0 && !white.some((p) => fnmatch(tag, p))) return false;
    return !black.some((p) => fnmatch(tag, p));
  }

  private offer(tag: string, data: Record<string, unknown>): void {
    // Our own readiness pings are not events anyone asked to keep.
    if (tag.startsWith('tsalt/sync/') || !this.wanted(tag)) return;
    this.queue.push({ tag, data });
    const size = this.opts.event_return_queue;
    if (this.queue.length >= Math.max(1, size)) {
      this.flush();
      return;
    }
    const maxMs = this.opts.event_return_queue_max_ms;
    if (maxMs > 0) this.timer ??= setTimeout(() => this.flush(), maxMs);
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    this.sending = this.sending.then(() => this.send(batch));
  }

  private async send(batch: QueuedEvent[]): Promise<void> {
    for (const r of this.returners) {
      if (!this.registry.has(`${r}.event_return`)) continue;
      try {
        await this.registry.call(`${r}.event_return`, [batch]);
      } catch (err) {
        this.log.error({ returner: r, events: batch.length, err: errorLine(err) }, 'event_return failed');
      }
    }
  }

  /** Flushes what is queued (Salt lost it before #22814) and waits for it to be handed over. */
  async close(): Promise<void> {
    this.unsubscribe?.();
    this.flush();
    await this.sending;
  }
}
