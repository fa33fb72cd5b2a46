import crypto from 'node:crypto';
import net from 'node:net';
import { Push, Subscriber } from 'zeromq';
import type { Logger } from '@tsalt/core';
import { BusUnavailableError } from './errors.js';
import { DropLog } from './drop-log.js';
import { busAddresses, decodeEvent, decodeSeqFrame, encodeEvent, stamp, SYNC_PREFIX, type BusEvent } from './wire.js';

export interface ListenerOptions {
  sockDir: string;
  /** Tag prefixes to receive (ZeroMQ prefix subscriptions; Salt's `startswith` matching). Empty: everything. */
  prefixes?: string[];
  /** Events held for a slow reader before the bus drops them, per listener. @default 100000 */
  highWaterMark?: number;
  /** Where `dropped N events (slow reader)` goes (warn, at most once a second). */
  log?: Logger;
  /** Called with each batch of events found lost (a gap in the bus's numbering). */
  onDrop?: (count: number) => void;
}

/**
 * A listener on the master event bus: the documented way for any program on
 * the master host to watch events (`docs/event-bus.md`).
 *
 *   const l = new EventListener({ sockDir: '/var/run/tsalt/master', prefixes: ['salt/job/'] });
 *   await l.ready();
 *   for await (const ev of l.events()) console.log(ev.tag, ev.data);
 */
export class EventListener {
  private readonly sub: Subscriber;
  private readonly sockDir: string;
  private readonly syncTag = `${SYNC_PREFIX}${crypto.randomBytes(8).toString('hex')}`;
  private readonly buffered: BusEvent[] = [];
  private iterator: AsyncIterator<unknown[]> | undefined;
  /** The bus's last number seen per subscribed prefix; only prefixes no other of ours contains. */
  private readonly lastSeq = new Map<string, number | undefined>();
  private lost = 0;
  private readonly drops: DropLog;
  private readonly onDrop: ((count: number) => void) | undefined;

  constructor(opts: ListenerOptions) {
    this.sockDir = opts.sockDir;
    this.sub = new Subscriber({ linger: 0, receiveHighWaterMark: opts.highWaterMark ?? 100000 });
    this.sub.connect(busAddresses(opts.sockDir).pub);
    const prefixes = opts.prefixes ?? [];
    if (prefixes.length === 0) this.sub.subscribe();
    else this.sub.subscribe(...prefixes, this.syncTag);
    // A tag matching two of our prefixes matches the shorter too: count each loss once, under the shortest.
    const tracked =
      prefixes.length === 0 ? [''] : prefixes.filter((p) => !prefixes.some((q) => q !== p && p.startsWith(q)));
    for (const p of new Set(tracked)) this.lastSeq.set(p, undefined);
    this.drops = new DropLog(opts.log, { component: 'event-listener', prefixes: prefixes.length ? prefixes : ['*'] });
    this.onDrop = opts.onDrop;
  }

  /**
   * Events the bus published for this listener that never arrived: ZeroMQ
   * dropped them because this reader fell more than `highWaterMark` (plus the
   * bus's own per-subscriber queue) behind. Counted from the gaps in the
   * bus's per-prefix numbering, so only losses before a later event arrives.
   */
  get dropped(): number {
    return this.lost;
  }

  private checkSeq(frame: unknown): void {
    if (!(frame instanceof Uint8Array)) return;
    const seqs = decodeSeqFrame(frame);
    if (!seqs) return;
    let gap = 0;
    for (const [prefix, n] of Object.entries(seqs)) {
      if (typeof n !== 'number' || !this.lastSeq.has(prefix)) continue;
      const prev = this.lastSeq.get(prefix);
      if (prev !== undefined && n > prev + 1) gap += n - prev - 1;
      this.lastSeq.set(prefix, n);
    }
    if (gap > 0) {
      this.lost += gap;
      this.drops.note(gap);
      this.onDrop?.(gap);
    }
  }

  /**
   * Resolves once the subscription is live: fires a private sync event and
   * waits to see it come back, so no event fired afterwards can be missed.
   */
  async ready(timeoutMs = 5000): Promise<void> {
    const push = new Push({ linger: 2000, sendTimeout: timeoutMs });
    push.connect(busAddresses(this.sockDir).pull);
    const deadline = Date.now() + timeoutMs;
    const it = this.rawIterator();
    try {
      // The first sync may be sent before the subscription reaches the bus;
      // resend until one arrives, waiting 2 ms, then 4, 8... up to 100 ms, so
      // the usual case (live within a millisecond or two) costs no more.
      let waitMs = 2;
      for (;;) {
        if (Date.now() > deadline) throw await this.unavailable(timeoutMs);
        await push.send(encodeEvent(this.syncTag, { _stamp: stamp() })).catch(() => undefined);
        const got = await this.nextWithin(it, waitMs);
        waitMs = Math.min(waitMs * 2, 100);
        if (got === 'timeout') continue;
        if (got === 'end') throw new BusUnavailableError(this.sockDir);
        if (got.tag === this.syncTag) return;
        this.buffered.push(got);
        // Keep draining: the sync event may be right behind.
        for (;;) {
          const more = await this.nextWithin(it, waitMs);
          if (more === 'timeout' || more === 'end') break;
          if (more.tag === this.syncTag) return;
          this.buffered.push(more);
        }
      }
    } finally {
      push.close();
    }
  }

  /** Why the bus did not answer: a master that accepts the connection is running, only busy. */
  private async unavailable(timeoutMs: number): Promise<BusUnavailableError> {
    const file = busAddresses(this.sockDir).pull.slice('ipc://'.length);
    const listening = await new Promise<boolean>((resolve) => {
      const probe = net.connect({ path: file });
      probe.once('connect', () => {
        probe.destroy();
        resolve(true);
      });
      probe.once('error', () => resolve(false));
    });
    return new BusUnavailableError(this.sockDir, listening ? timeoutMs : undefined);
  }

  private rawIterator(): AsyncIterator<unknown[]> {
    this.iterator ??= this.sub[Symbol.asyncIterator]();
    return this.iterator;
  }

  private pending: Promise<IteratorResult<unknown[]>> | undefined;

  private async nextWithin(it: AsyncIterator<unknown[]>, ms: number): Promise<BusEvent | 'timeout' | 'end'> {
    this.pending ??= it.next();
    let timer: NodeJS.Timeout | undefined;
    const t = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)));
    try {
      const r = await Promise.race([
        this.pending.catch(() => ({ done: true, value: undefined }) as IteratorResult<unknown[]>),
        t,
      ]);
      if (r === 'timeout') return 'timeout';
      this.pending = undefined;
      if (r.done) return 'end';
      const frame = r.value[0];
      if (r.value.length > 1) this.checkSeq(r.value[1]);
      if (!(frame instanceof Uint8Array)) return 'timeout';
      try {
        return decodeEvent(frame);
      } catch {
        return 'timeout';
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /** Waits up to `ms` for the next event; undefined on timeout or close. */
  async next(ms: number): Promise<BusEvent | undefined> {
    for (;;) {
      const b = this.buffered.shift();
      if (b) return b;
      const got = await this.nextWithin(this.rawIterator(), ms);
      if (got === 'timeout' || got === 'end') return undefined;
      if (got.tag.startsWith(SYNC_PREFIX)) continue;
      return got;
    }
  }

  /** All events until close(). */
  async *events(): AsyncGenerator<BusEvent> {
    for (;;) {
      const b = this.buffered.shift();
      if (b) {
        yield b;
        continue;
      }
      const got = await this.nextWithin(this.rawIterator(), 60_000);
      if (got === 'end') return;
      if (got === 'timeout' || got.tag.startsWith(SYNC_PREFIX)) continue;
      yield got;
    }
  }

  close(): void {
    this.drops.flush();
    this.sub.close();
  }
}

/** Fires one event onto the master bus from another process (the CLI, tsalt-run). */
export async function fireMasterEvent(
  sockDir: string,
  tag: string,
  data: Record<string, unknown>,
  timeoutMs = 2000,
  opts: { confirm?: boolean } = {},
): Promise<void> {
  // PUSH has no delivery receipt, and a CLI that exits right after sending can
  // lose the message in ZeroMQ's I/O thread. With `confirm` the caller waits
  // (bounded) until the bus has published the event: a few ms.
  const watch = opts.confirm ? new EventListener({ sockDir, prefixes: [tag] }) : undefined;
  const push = new Push({ linger: timeoutMs, sendTimeout: timeoutMs });
  try {
    await watch?.ready(timeoutMs);
    push.connect(busAddresses(sockDir).pull);
    // The event's own `_stamp` identifies it coming back, so the payload keeps Salt's shape.
    const ourStamp = data['_stamp'] ?? stamp();
    await push.send(encodeEvent(tag, { ...data, _stamp: ourStamp }));
    if (watch) {
      const end = Date.now() + timeoutMs;
      for (let left = timeoutMs; left > 0; left = end - Date.now()) {
        const ev = await watch.next(left);
        if (!ev || (ev.tag === tag && ev.data['_stamp'] === ourStamp)) break;
      }
    }
  } finally {
    push.close();
    watch?.close();
  }
}
