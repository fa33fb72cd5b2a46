/*
 * Keeps a reaction from triggering itself without end, in three layers:
 * 1. Salt's rule: events whose data `user` is `Reactor` (the salt/run and
 *    salt/wheel events of the reactor's own runner and wheel calls) are not
 *    reacted to. Applied by the engine.
 * 2. Depth: events a reaction causes carry the depth of the reaction plus
 *    one: those fired by its runner/wheel/caller calls and the reactor's
 *    error events carry `_reactor_depth`; the events of a job a local
 *    reaction published are found by their jid. A chain deeper than
 *    `reactor_max_depth` is cut, with one log line and one error event.
 * 3. Rate, for loops no marker can follow (a local reaction whose command
 *    sends the same event back from the minion): one SLS reacting to one tag
 *    from one sender more than `reactor_storm_limit` times within
 *    `reactor_storm_window` is suppressed until that tag has been quiet for
 *    a whole window.
 */

export const DEPTH_KEY = '_reactor_depth';

// Jids of published local reactions remembered (their events arrive within the job's life).
const JID_MEMORY = 10_000;
// Past this many rate entries, those idle for a window are swept, at most once per window: the live
// ones are bounded by event rate x window, and a sweep per event would cost O(n) each.
const SWEEP_AT = 10_000;

export type Verdict = { ok: true } | { ok: false; reason: string; report: boolean };

interface Rate {
  windowStart: number;
  count: number;
  lastSeen: number;
  tripped: boolean;
}

export interface StormGuardOptions {
  maxDepth: number;
  /** 0 disables the rate layer. */
  limit: number;
  windowMs: number;
  now?: () => number;
}

const JID_TAG = /^salt\/job\/(\d{20})(?:\/|$)/;

export class StormGuard {
  private readonly jids = new Map<string, number>();
  private readonly rates = new Map<string, Rate>();
  private readonly depthReported = new Map<string, number>();
  private readonly now: () => number;
  private lastSweep = 0;

  constructor(private readonly o: StormGuardOptions) {
    this.now = o.now ?? Date.now;
  }

  /** A local reaction at `depth` published `jid`: that job's events are one level deeper. */
  noteJid(jid: string, depth: number): void {
    if (this.jids.size >= JID_MEMORY) this.jids.delete(this.jids.keys().next().value!);
    this.jids.set(jid, depth + 1);
  }

  /** How many reactions deep the cause of this event is (0: not caused by a reaction). */
  depthOf(tag: string, data: Record<string, unknown>): number {
    let depth = typeof data[DEPTH_KEY] === 'number' ? data[DEPTH_KEY] : 0;
    const jid =
      JID_TAG.exec(tag)?.[1] ??
      (/^\d{20}$/.test(tag) ? tag : typeof data['jid'] === 'string' ? data['jid'] : undefined);
    if (jid !== undefined) depth = Math.max(depth, this.jids.get(jid) ?? 0);
    return depth;
  }

  /** Whether `sls` may react to this event. */
  admit(sls: string, tag: string, data: Record<string, unknown>, depth: number): Verdict {
    const now = this.now();
    if (depth >= this.o.maxDepth) {
      const key = `${sls}\0${tag}`;
      const last = this.depthReported.get(key);
      const report = last === undefined || now - last >= this.o.windowMs;
      if (report) this.depthReported.set(key, now);
      if (this.depthReported.size > SWEEP_AT) this.depthReported.clear();
      return {
        ok: false,
        report,
        reason: `reaction chain too deep: ${tag} was caused by ${depth} reactions in a row (reactor_max_depth ${this.o.maxDepth}); ${sls} does not react to it`,
      };
    }
    if (this.o.limit <= 0) return { ok: true };
    const sender = typeof data['id'] === 'string' ? data['id'] : '';
    const key = `${sls}\0${tag}\0${sender}`;
    let r = this.rates.get(key);
    if (!r) {
      if (this.rates.size >= SWEEP_AT) this.sweep(now);
      r = { windowStart: now, count: 0, lastSeen: now, tripped: false };
      this.rates.set(key, r);
    }
    if (r.tripped) {
      if (now - r.lastSeen < this.o.windowMs) {
        r.lastSeen = now;
        return { ok: false, report: false, reason: '' };
      }
      r.tripped = false;
      r.windowStart = now;
      r.count = 0;
    }
    if (now - r.windowStart >= this.o.windowMs) {
      r.windowStart = now;
      r.count = 0;
    }
    r.count++;
    r.lastSeen = now;
    if (r.count > this.o.limit) {
      r.tripped = true;
      const s = this.o.windowMs / 1000;
      return {
        ok: false,
        report: true,
        reason: `reaction storm: ${sls} reacted to ${tag}${sender ? ` from ${sender}` : ''} more than ${this.o.limit} times in ${s} s (reactor_storm_limit); suppressed until the tag is quiet for ${s} s`,
      };
    }
    return { ok: true };
  }

  private sweep(now: number): void {
    if (now - this.lastSweep < this.o.windowMs) return;
    this.lastSweep = now;
    for (const [k, r] of this.rates) if (now - r.lastSeen >= this.o.windowMs) this.rates.delete(k);
  }
}
