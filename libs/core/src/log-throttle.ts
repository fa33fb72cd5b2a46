import type { Logger } from './logger.js';

/** How often a run of lines for one message is summed up in one line (ms). */
const WINDOW_MS = 10_000;
/** Lines of one message logged in full per window: enough to see who and why. */
const BURST = 5;

/**
 * Log lines a peer can cause, one message at a time: the first few of each
 * 10 s are written in full, the rest counted and summed up in one line when
 * the window ends. A flood costs the log a handful of lines per 10 s per
 * message, not one per frame.
 */
export class LogThrottle {
  private readonly counts = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly log: Logger) {}

  warn(fields: Record<string, unknown>, msg: string): void {
    this.line('warn', fields, msg);
  }

  info(fields: Record<string, unknown>, msg: string): void {
    this.line('info', fields, msg);
  }

  private line(level: 'warn' | 'info', fields: Record<string, unknown>, msg: string): void {
    const n = (this.counts.get(msg) ?? 0) + 1;
    this.counts.set(msg, n);
    if (n <= BURST) this.log[level](fields, msg);
    this.timer ??= setTimeout(() => this.flush(), WINDOW_MS).unref();
  }

  private flush(): void {
    this.timer = undefined;
    for (const [msg, n] of this.counts) {
      if (n > BURST)
        this.log.warn({ count: n - BURST, window_s: WINDOW_MS / 1000 }, `${msg}: ${n - BURST} more in the last 10 s`);
    }
    this.counts.clear();
  }

  close(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
