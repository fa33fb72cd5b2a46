import fs from 'node:fs';
import { Pull, XPublisher } from 'zeromq';
import type { Logger } from '@tsalt/core';
import { errorLine } from '@tsalt/core';
import { busAddresses, decodeEvent, encodeEvent, encodeSeqFrame, stamp, SYNC_PREFIX } from './wire.js';
import { LocalQueue, type LocalHandler, type LocalQueueOptions, type LocalSubscription } from './local-queue.js';

export interface EventBusOptions {
  sockDir: string;
  /** Largest event in bytes, Salt's `max_event_size`; larger ones are refused with a log line. */
  maxEventSize: number;
  /** Per-subscriber queue in messages: a slow listener loses events, never stalls the bus. @default 10000 */
  highWaterMark?: number;
  log: Logger;
}

/**
 * Subscription prefixes the bus counts events for. Each listener adds one
 * private sync prefix while it lives; past this many (a leak, or thousands
 * of listeners) new prefixes go uncounted rather than slow every publish.
 */
const MAX_COUNTED_PREFIXES = 4096;

/**
 * How much larger than max_event_size a pushed frame may be before ZeroMQ
 * itself drops it (and the pusher's connection) without a word: between the
 * two the bus refuses it with a log line. Bounds memory per frame (bytes).
 */
const PULL_SLACK_FACTOR = 4;

/**
 * The master event bus: anything may PUSH to `master_event_pull.ipc`; the
 * bus republishes on `master_event_pub.ipc`. The master's own code fires
 * directly. Sockets are made 0600-equivalent by living in sock_dir (0700).
 *
 * The PUB side is an XPUB so the bus sees which tag prefixes are subscribed
 * and can number the events under each (`encodeSeqFrame`); listeners count
 * the gaps as drops. In-process subscribers each get a bounded queue.
 */
export class EventBus {
  private readonly pub: XPublisher;
  private readonly pull: Pull;
  private readonly local = new Set<LocalQueue>();
  private readonly counters = new Map<string, number>();
  private tail: Promise<void> = Promise.resolve();
  private closed = false;
  private published = 0;
  private refused = 0;

  constructor(private readonly opts: EventBusOptions) {
    this.pub = new XPublisher({ sendHighWaterMark: opts.highWaterMark ?? 10000, linger: 0 });
    this.pull = new Pull({
      receiveHighWaterMark: opts.highWaterMark ?? 10000,
      linger: 0,
      maxMessageSize: opts.maxEventSize * PULL_SLACK_FACTOR + 65536,
    });
  }

  async start(): Promise<void> {
    fs.mkdirSync(this.opts.sockDir, { recursive: true, mode: 0o700 });
    const addr = busAddresses(this.opts.sockDir);
    for (const a of [addr.pub, addr.pull]) fs.rmSync(a.slice('ipc://'.length), { force: true });
    await this.pub.bind(addr.pub);
    await this.pull.bind(addr.pull);
    void this.pullLoop();
    void this.subscriptionLoop();
  }

  /** Events published and refused since start (for tests and the benchmark). */
  stats(): { published: number; refused: number; prefixes: number } {
    return { published: this.published, refused: this.refused, prefixes: this.counters.size };
  }

  private async pullLoop(): Promise<void> {
    try {
      for await (const [frame] of this.pull) {
        if (!frame) continue;
        try {
          const ev = decodeEvent(frame);
          // A stamped event is republished as pushed: no second encode.
          if (ev.data['_stamp'] === undefined) this.fire(ev.tag, ev.data);
          else this.publish(ev.tag, ev.data, frame);
        } catch (err) {
          this.opts.log.warn({ err: errorLine(err) }, 'dropped malformed event');
        }
      }
    } catch (err) {
      if (!this.closed) this.opts.log.error({ err: errorLine(err) }, 'event bus pull loop stopped');
    }
  }

  /** XPUB hands us `\x01prefix` when a prefix gains its first subscriber and `\x00prefix` when it loses its last. */
  private async subscriptionLoop(): Promise<void> {
    try {
      for await (const [msg] of this.pub) {
        if (!msg || msg.length === 0) continue;
        const prefix = Buffer.from(msg.buffer, msg.byteOffset + 1, msg.byteLength - 1).toString('utf8');
        if (msg[0] === 1) {
          if (this.counters.size < MAX_COUNTED_PREFIXES) this.counters.set(prefix, 0);
        } else if (msg[0] === 0) {
          this.counters.delete(prefix);
        }
      }
    } catch (err) {
      if (!this.closed) this.opts.log.error({ err: errorLine(err) }, 'event bus subscription loop stopped');
    }
  }

  /**
   * Subscribes in-process (reactor, event returners) without a socket. The
   * handler runs from its own bounded queue (`maxQueue`, default 10,000
   * events), never inside `fire`; an async handler is awaited before its
   * next event. Returns an unsubscribe function that also reports drops.
   */
  onEvent(handler: LocalHandler, o: LocalQueueOptions = {}): LocalSubscription {
    const q = new LocalQueue(handler, this.opts.log, o);
    this.local.add(q);
    const unsubscribe = (): void => {
      this.local.delete(q);
      q.close();
    };
    Object.defineProperties(unsubscribe, {
      dropped: { get: () => q.dropped, enumerable: true },
      queued: { get: () => q.queued, enumerable: true },
    });
    return unsubscribe as LocalSubscription;
  }

  /**
   * Fires an event: adds `_stamp` if missing, enforces max_event_size.
   * Returns false if refused. Never blocks: the PUB drops for a full
   * subscriber, an in-process subscriber's queue drops when full.
   */
  fire(tag: string, data: Record<string, unknown>): boolean {
    const full = data['_stamp'] === undefined ? { ...data, _stamp: stamp() } : data;
    return this.publish(tag, full, encodeEvent(tag, full));
  }

  /** `full` carries `_stamp`; `frame` is its encoding. */
  private publish(tag: string, full: Record<string, unknown>, frame: Uint8Array): boolean {
    if (this.closed) return false;
    if (frame.length > this.opts.maxEventSize) {
      this.refused++;
      this.opts.log.warn(
        { tag: tag.slice(0, 200), bytes: frame.length, limit: this.opts.maxEventSize },
        'refused event larger than max_event_size',
      );
      return false;
    }
    this.published++;
    const frames = this.numbered(tag, frame);
    this.tail = this.tail
      .then(() => this.pub.send(frames))
      .catch((err: unknown) => {
        this.opts.log.warn({ err: errorLine(err), tag }, 'event publish failed');
      });
    // Listener plumbing (EventListener.ready) is no one's business in-process.
    if (!tag.startsWith(SYNC_PREFIX)) for (const q of this.local) q.push(tag, full);
    return true;
  }

  private numbered(tag: string, frame: Uint8Array): Uint8Array[] {
    if (this.counters.size === 0) return [frame];
    let seqs: Record<string, number> | undefined;
    for (const [prefix, n] of this.counters) {
      if (!tag.startsWith(prefix)) continue;
      this.counters.set(prefix, n + 1);
      (seqs ??= {})[prefix] = n + 1;
    }
    return seqs ? [frame, encodeSeqFrame(seqs)] : [frame];
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.tail;
    for (const q of this.local) q.close();
    this.local.clear();
    this.pub.close();
    this.pull.close();
  }
}
