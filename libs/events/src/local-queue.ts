import type { Logger } from '@tsalt/core';
import { errorLine } from '@tsalt/core';
import { DropLog } from './drop-log.js';

/** An in-process subscriber: may be async; the next event waits for its promise. */
export type LocalHandler = (tag: string, data: Record<string, unknown>) => void | Promise<void>;

/** What `EventBus.onEvent` returns: call it to unsubscribe; it also reports the queue. */
export interface LocalSubscription {
  (): void;
  /** Events this subscriber lost because its queue was full. */
  readonly dropped: number;
  /** Events waiting for it now. */
  readonly queued: number;
}

export interface LocalQueueOptions {
  /** Events held for a slow handler before new ones are dropped. @default 10000 */
  maxQueue?: number;
  /** Names the subscriber in the drop log line. */
  name?: string;
}

export const DEFAULT_LOCAL_QUEUE = 10_000;

/**
 * One in-process subscriber's bounded queue. The bus only appends (O(1));
 * the handler runs later, one event at a time, so a slow or async handler
 * (the reactor, event returners) never holds up the publish path or the
 * other subscribers. When full, new events are dropped and counted.
 */
export class LocalQueue {
  private readonly items: { tag: string; data: Record<string, unknown> }[] = [];
  private head = 0;
  private running = false;
  private closed = false;
  private lost = 0;
  private readonly max: number;
  private readonly drops: DropLog;

  constructor(
    private readonly handler: LocalHandler,
    private readonly log: Logger,
    o: LocalQueueOptions = {},
  ) {
    this.max = Math.max(1, o.maxQueue ?? DEFAULT_LOCAL_QUEUE);
    this.drops = new DropLog(log, { subscriber: o.name ?? 'local' });
  }

  get dropped(): number {
    return this.lost;
  }

  get queued(): number {
    return this.items.length - this.head;
  }

  push(tag: string, data: Record<string, unknown>): void {
    if (this.closed) return;
    if (this.queued >= this.max) {
      this.lost++;
      this.drops.note(1);
      return;
    }
    this.items.push({ tag, data });
    if (!this.running) {
      this.running = true;
      // A macrotask, not a microtask: the publisher finishes its own work first.
      setImmediate(() => void this.drain());
    }
  }

  private async drain(): Promise<void> {
    try {
      while (!this.closed && this.head < this.items.length) {
        const ev = this.items[this.head++]!;
        // Compact now and then rather than shift() per event (O(n)).
        if (this.head >= 1024 && this.head * 2 >= this.items.length) {
          this.items.splice(0, this.head);
          this.head = 0;
        }
        try {
          const r = this.handler(ev.tag, ev.data);
          if (r && typeof r.then === 'function') await r;
        } catch (err) {
          this.log.warn({ err: errorLine(err), tag: ev.tag }, 'event handler failed');
        }
      }
    } finally {
      this.running = false;
      this.drops.flush();
    }
  }

  close(): void {
    this.closed = true;
    this.items.length = 0;
    this.head = 0;
  }
}
