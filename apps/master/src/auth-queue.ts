import type { Logger } from '@tsalt/core';
import { errorLine } from '@tsalt/core';
import { NO_REPLY, type AuthLoad } from '@tsalt/transport';

/** Work done per turn of the event loop before returns and events get their turn (ms). */
const SLICE_MS = 10;

interface Entry {
  load: AuthLoad;
  resolve(reply: unknown): void;
  /** Superseded by a newer request from the same minion, already answered with NO_REPLY. */
  dead: boolean;
}

/**
 * The auth storm defence. Each `_auth` costs the master an RSA signature
 * (~0.5 ms here) and a key file; 10,000 minions at once queue for seconds.
 * Each minion gives up after `auth_timeout` (5 s) and asks again on a new
 * socket, and a master answering in arrival order spends its time on
 * requests whose sockets are gone, falling further behind with each retry.
 *
 * So the newest request is served first (a stack): while the master is
 * behind, what it answers is what a minion still waits for, and a minion
 * whose request went stale comes back as a new one on top. A minion has at
 * most one request queued: a retry replaces the older one (which gets no
 * answer). The work is done in slices, so returns and events from minions
 * already signed in keep flowing during a storm. When the master keeps up,
 * the stack never holds more than a slice's worth and order does not matter.
 */
export class AuthQueue {
  private readonly stack: Entry[] = [];
  private readonly byId = new Map<string, Entry>();
  private draining = false;
  /** Requests replaced by a newer one from the same minion. */
  superseded = 0;

  constructor(
    private readonly handle: (load: AuthLoad) => unknown,
    private readonly log: Logger,
  ) {}

  /** A parsed `_auth` (a bad id was refused at the edge, before the queue). */
  submit(load: AuthLoad): Promise<unknown> {
    const { id } = load;
    return new Promise((resolve) => {
      const prev = this.byId.get(id);
      if (prev) {
        prev.dead = true;
        prev.resolve(NO_REPLY);
        this.superseded++;
      }
      const entry: Entry = { load, resolve, dead: false };
      this.byId.set(id, entry);
      this.stack.push(entry);
      if (!this.draining) {
        this.draining = true;
        setImmediate(() => this.drain());
      }
    });
  }

  /** Sign-ins waiting. */
  get size(): number {
    return this.byId.size;
  }

  private run(load: AuthLoad): unknown {
    try {
      return this.handle(load);
    } catch (err) {
      this.log.warn({ err: errorLine(err) }, 'auth request failed');
      return 'bad load';
    }
  }

  private drain(): void {
    const until = performance.now() + SLICE_MS;
    while (this.stack.length > 0 && performance.now() < until) {
      const entry = this.stack.pop()!;
      if (entry.dead) continue;
      const { id } = entry.load;
      if (this.byId.get(id) === entry) this.byId.delete(id);
      entry.resolve(this.run(entry.load));
    }
    if (this.stack.length > 0) setImmediate(() => this.drain());
    else this.draining = false;
  }
}
