import type { Logger } from '@tsalt/core';
import { errorLine } from '@tsalt/core';
import { NO_REPLY } from '@tsalt/transport';

/** Work done per turn of the event loop before returns and events get their turn (ms). */
const SLICE_MS = 10;

interface Entry {
  load: Record<string, unknown>;
  resolve(reply: unknown): void;
}

/**
 * The auth storm defence. Each `_auth` costs the master an RSA signature
 * (~0.5 ms here) and a key file; 10,000 minions at once queue for seconds,
 * each gives up after `auth_timeout` and asks again on a new socket, and a
 * master answering every stale request too falls further behind with each
 * retry. Here a minion has at most one request in the queue: a retry takes
 * over its place (the older socket gets nothing) instead of joining the end.
 * The queue is worked in slices, so returns and events from minions already
 * in keep flowing during a storm.
 */
export class AuthQueue {
  private readonly pending = new Map<string, Entry>();
  private draining = false;
  /** Requests answered by a newer one from the same minion (for the logs). */
  superseded = 0;

  constructor(private readonly handle: (load: Record<string, unknown>) => unknown, private readonly log: Logger) {}

  submit(load: Record<string, unknown>): Promise<unknown> {
    const id = load['id'];
    // A request without a usable id is refused at once by the handler: cheap, nothing to merge.
    if (typeof id !== 'string' || id === '') return Promise.resolve(this.run(load));
    return new Promise((resolve) => {
      const prev = this.pending.get(id);
      if (prev) {
        prev.resolve(NO_REPLY);
        prev.load = load;
        prev.resolve = resolve;
        this.superseded++;
      } else {
        this.pending.set(id, { load, resolve });
      }
      if (!this.draining) {
        this.draining = true;
        setImmediate(() => this.drain());
      }
    });
  }

  get size(): number {
    return this.pending.size;
  }

  private run(load: Record<string, unknown>): unknown {
    try {
      return this.handle(load);
    } catch (err) {
      this.log.warn({ err: errorLine(err) }, 'auth request failed');
      return 'bad load';
    }
  }

  private drain(): void {
    const until = performance.now() + SLICE_MS;
    for (const [id, entry] of this.pending) {
      this.pending.delete(id);
      entry.resolve(this.run(entry.load));
      if (performance.now() >= until) break;
    }
    if (this.pending.size > 0) setImmediate(() => this.drain());
    else this.draining = false;
  }
}
