import type { Logger } from '@tsalt/core';

/** One subscription a publish-port peer sent: subscribe (byte 1 or SUBSCRIBE) or cancel, and the topic. */
export interface SubscriptionMessage {
  subscribe: boolean;
  topic: Buffer;
}

/** At most one summary line about ignored subscriptions per this long (ms). */
export const IGNORED_LOG_INTERVAL_MS = 60_000;

export interface SubscriptionGateOptions {
  /** The longest topic applied, bytes (`pub_subscription_max_bytes`); 0 applies only ''. */
  maxBytes: number;
  log: Logger;
  /** Clock (ms), for tests. @default Date.now */
  now?: () => number;
}

/**
 * Decides which peer subscriptions the publish socket applies, and counts
 * the rest. The count is logged as one summary line at most every
 * `IGNORED_LOG_INTERVAL_MS`, so a peer sending millions cannot flood the log.
 */
export class SubscriptionGate {
  private ignoredSinceLog = 0;
  private ignoredTotal = 0;
  private lastLogAt = -Infinity;
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly o: SubscriptionGateOptions) {
    this.now = o.now ?? Date.now;
  }

  /** Whether to apply `m` to the peer that sent it. Unsubscribes of topics we would have applied pass too. */
  admit(m: SubscriptionMessage): boolean {
    if (m.topic.length <= this.o.maxBytes) return true;
    // An unsubscribe of a topic never applied has nothing to undo.
    if (m.subscribe) this.ignore();
    return false;
  }

  /** Subscriptions ignored since start. */
  get ignoredCount(): number {
    return this.ignoredTotal;
  }

  close(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
  }

  /** Counts a subscription not applied for another reason (the peer holds its quota of topics). */
  ignore(): void {
    this.ignoredTotal++;
    this.ignoredSinceLog++;
    const wait = this.lastLogAt + IGNORED_LOG_INTERVAL_MS - this.now();
    if (wait <= 0) this.flush();
    else if (!this.flushTimer) {
      // The rest of a burst is reported when the interval is up, not lost.
      this.flushTimer = setTimeout(() => this.flush(), wait);
      this.flushTimer.unref();
    }
  }

  private flush(): void {
    this.flushTimer = undefined;
    if (this.ignoredSinceLog === 0) return;
    this.o.log.warn(
      { ignored: this.ignoredSinceLog, total: this.ignoredTotal, max_bytes: this.o.maxBytes },
      'ignored subscriptions on the publish port (longer than pub_subscription_max_bytes, or past the per-peer count)',
    );
    this.ignoredSinceLog = 0;
    this.lastLogAt = this.now();
  }
}
