import type { Logger } from '@tsalt/core';

/** At most one log line per second (ms) for a reader that keeps losing events. */
const LOG_EVERY_MS = 1000;

/**
 * Logs `dropped N events (slow reader)`: the first loss at once, then a
 * running total at most once a second, so a stuck reader cannot flood the log.
 */
export class DropLog {
  private pending = 0;
  private lastLogMs = 0;

  constructor(
    private readonly log: Logger | undefined,
    private readonly fields: Record<string, unknown> = {},
  ) {}

  note(n: number): void {
    this.pending += n;
    if (Date.now() - this.lastLogMs >= LOG_EVERY_MS) this.flush();
  }

  /** Logs what is pending now (the queue drained, or the listener closed). */
  flush(): void {
    if (this.pending === 0) return;
    this.log?.warn({ ...this.fields, dropped: this.pending }, `dropped ${this.pending} events (slow reader)`);
    this.pending = 0;
    this.lastLogMs = Date.now();
  }
}
