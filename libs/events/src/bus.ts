import fs from 'node:fs';
import { Publisher, Pull } from 'zeromq';
import type { Logger } from '@tsalt/core';
import { errorLine } from '@tsalt/core';
import { busAddresses, decodeEvent, encodeEvent, stamp } from './wire.js';

export interface EventBusOptions {
  sockDir: string;
  /** Largest event in bytes, Salt's `max_event_size`; larger ones are refused with a log line. */
  maxEventSize: number;
  /** Per-subscriber queue in messages: a slow listener loses events, never stalls the bus. */
  highWaterMark?: number;
  log: Logger;
}

type LocalHandler = (tag: string, data: Record<string, unknown>) => void;

/**
 * The master event bus: anything may PUSH to `master_event_pull.ipc`; the
 * bus republishes on `master_event_pub.ipc`. The master's own code fires
 * directly. Sockets are made 0600-equivalent by living in sock_dir (0700).
 */
export class EventBus {
  private readonly pub: Publisher;
  private readonly pull: Pull;
  private readonly local = new Set<LocalHandler>();
  private tail: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly opts: EventBusOptions) {
    this.pub = new Publisher({ sendHighWaterMark: opts.highWaterMark ?? 10000, linger: 0 });
    this.pull = new Pull({ receiveHighWaterMark: opts.highWaterMark ?? 10000, linger: 0, maxMessageSize: opts.maxEventSize + 4096 });
  }

  async start(): Promise<void> {
    fs.mkdirSync(this.opts.sockDir, { recursive: true, mode: 0o700 });
    const addr = busAddresses(this.opts.sockDir);
    for (const a of [addr.pub, addr.pull]) fs.rmSync(a.slice('ipc://'.length), { force: true });
    await this.pub.bind(addr.pub);
    await this.pull.bind(addr.pull);
    void this.pullLoop();
  }

  private async pullLoop(): Promise<void> {
    try {
      for await (const [frame] of this.pull) {
        if (!frame) continue;
        try {
          const ev = decodeEvent(frame);
          this.fire(ev.tag, ev.data);
        } catch (err) {
          this.opts.log.warn({ err: errorLine(err) }, 'dropped malformed event');
        }
      }
    } catch (err) {
      if (!this.closed) this.opts.log.error({ err: errorLine(err) }, 'event bus pull loop stopped');
    }
  }

  /** Subscribes in-process (reactor, event returners) without a socket. Returns an unsubscribe function. */
  onEvent(handler: LocalHandler): () => void {
    this.local.add(handler);
    return () => this.local.delete(handler);
  }

  /** Fires an event: adds `_stamp` if missing, enforces max_event_size. Returns false if refused. */
  fire(tag: string, data: Record<string, unknown>): boolean {
    if (this.closed) return false;
    const full = data['_stamp'] === undefined ? { ...data, _stamp: stamp() } : data;
    const frame = encodeEvent(tag, full);
    if (frame.length > this.opts.maxEventSize) {
      this.opts.log.warn({ tag, bytes: frame.length, limit: this.opts.maxEventSize }, 'refused event larger than max_event_size');
      return false;
    }
    this.tail = this.tail.then(() => this.pub.send(frame)).catch((err: unknown) => {
      this.opts.log.warn({ err: errorLine(err), tag }, 'event publish failed');
    });
    for (const h of this.local) {
      try {
        h(tag, full);
      } catch (err) {
        this.opts.log.warn({ err: errorLine(err), tag }, 'event handler failed');
      }
    }
    return true;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.tail;
    this.pub.close();
    this.pull.close();
  }
}
