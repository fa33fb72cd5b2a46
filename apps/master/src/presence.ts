import type { Logger } from '@tsalt/core';
import { errorLine } from '@tsalt/core';
import { MINION_DEFAULTS } from '@tsalt/config';

/** When a minion does not say how often it beats (an older minion, a return), assume a minion's default `presence_interval`, s. */
const DEFAULT_INTERVAL_S = MINION_DEFAULTS.presence_interval;

/**
 * A minion is present until it misses this many heartbeats: one late
 * packet or a busy master must not flap it to "lost" and back.
 */
const MISSES_ALLOWED = 2.5;

export interface PresenceOptions {
  /** Salt's `presence_events`: fire salt/presence/* at all. */
  enabled: boolean;
  /** Salt's `loop_interval`, compiled to ms: how often `salt/presence/present` fires. */
  loopIntervalMs: number;
  fire(tag: string, data: Record<string, unknown>): void;
  log: Logger;
  /** For tests. @default Date.now */
  now?: () => number;
}

/**
 * Which minions are connected, for `salt/presence/present` and
 * `salt/presence/change`. Salt asks the kernel which TCP peers hold the
 * publish port; tsalt counts authenticated requests instead: every minion
 * sends a small `_presence` heartbeat each `presence_interval` seconds (and
 * says when it leaves), and any other request it makes counts too. A minion
 * is present until it misses 2.5 heartbeats. See docs/decisions.md.
 */
export class Presence {
  private readonly lastSeen = new Map<string, { atMs: number; intervalS: number }>();
  private previous = new Set<string>();
  private timer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(private readonly o: PresenceOptions) {
    this.now = o.now ?? Date.now;
  }

  /** An authenticated request from `id`; `intervalS` when it is a heartbeat that says its period. */
  seen(id: string, intervalS?: number): void {
    const prev = this.lastSeen.get(id);
    const every =
      intervalS !== undefined && Number.isFinite(intervalS) && intervalS > 0
        ? intervalS
        : (prev?.intervalS ?? DEFAULT_INTERVAL_S);
    this.lastSeen.set(id, { atMs: this.now(), intervalS: every });
  }

  /** The minion said it is stopping. */
  left(id: string): void {
    this.lastSeen.delete(id);
  }

  /** The connected minion ids, sorted; forgets the ones gone quiet. */
  present(): string[] {
    const now = this.now();
    const out: string[] = [];
    for (const [id, s] of this.lastSeen) {
      if (now - s.atMs <= s.intervalS * MISSES_ALLOWED * 1000) out.push(id);
      else this.lastSeen.delete(id);
    }
    return out.sort();
  }

  /** Salt's Maintenance.handle_presence: `change` {new, lost} when the set moved, then `present` {present}. */
  tick(): void {
    const present = this.present();
    const now = new Set(present);
    const added = present.filter((id) => !this.previous.has(id));
    const lost = [...this.previous].filter((id) => !now.has(id)).sort();
    if (added.length || lost.length) this.o.fire('salt/presence/change', { new: added, lost });
    this.o.fire('salt/presence/present', { present });
    this.previous = now;
  }

  start(): void {
    if (!this.o.enabled || this.timer) return;
    this.timer = setInterval(
      () => {
        try {
          this.tick();
        } catch (err) {
          this.o.log.error({ err: errorLine(err) }, 'presence check failed');
        }
      },
      Math.max(1000, this.o.loopIntervalMs),
    );
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
