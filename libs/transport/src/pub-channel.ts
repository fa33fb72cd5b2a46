import { Subscriber, XPublisher } from 'zeromq';
import type { Logger } from '@tsalt/core';
import { errorLine } from '@tsalt/core';
import { SendQueue } from './send-queue.js';
import { lastFrames } from './last-frames.js';
import { retryOnEintr } from './eintr.js';
import { useSmallPeerBuffers } from './batch-size.js';
import type { PublishChannel, Subscription } from './types.js';
import { parseSubscription, SubscriptionGate } from './pub-subscriptions.js';
import { keepaliveSocketOptions, type TcpKeepaliveOpts } from './keepalive.js';

export interface PublisherOptions {
  address: string;
  /** Per-subscriber queue limit in messages, Salt's `pub_hwm`. */
  highWaterMark: number;
  backlog: number;
  /** Salt's `tcp_keepalive*` keys; Salt's defaults when absent. */
  keepalive?: Partial<TcpKeepaliveOpts>;
  /** The longest subscription topic applied, bytes (`pub_subscription_max_bytes`). @default 0 (only '') */
  subscriptionMaxBytes?: number;
  log: Logger;
}

/** libzmq's ZMQ_SUBSCRIBE and ZMQ_UNSUBSCRIBE; on a manual XPUB they apply to the peer whose message was read last. */
const ZMQ_SUBSCRIBE = 6;
const ZMQ_UNSUBSCRIBE = 7;

/**
 * Bytes a peer's handshake needs under `maxMessageSize`: libzmq's limit also
 * covers the ZMTP READY command, 25 bytes from a libzmq SUB (tsalt's and
 * salt-minion's alike); the rest is a little room. Kept small because every
 * topic under it reaches libzmq, which keeps it until the peer goes.
 */
const HANDSHAKE_ALLOWANCE_BYTES = 32;
/** A ZMTP 3.1 SUBSCRIBE command is the topic after 10 bytes ("\x09SUBSCRIBE"). */
const SUBSCRIBE_COMMAND_BYTES = 10;

/** An XPUB in manual mode that can apply a subscription to the peer that sent it. */
class ManualXPublisher extends XPublisher {
  apply(subscribe: boolean, topic: Buffer): void {
    this.setStringOption(subscribe ? ZMQ_SUBSCRIBE : ZMQ_UNSUBSCRIBE, topic);
  }
}

/**
 * The publish side on `publish_port`: one frame per job, every minion
 * receives it. An XPUB in manual mode, so libzmq matches publishes only
 * against the subscriptions we apply: '' (every minion's) and topics up to
 * `subscriptionMaxBytes`; the rest are counted and ignored. Messages longer
 * than that (plus the handshake's allowance) end the peer's connection in
 * libzmq, which frees everything it subscribed.
 */
export class PubServer implements PublishChannel {
  private readonly sock: ManualXPublisher;
  private readonly queue: SendQueue;
  private readonly gate: SubscriptionGate;
  private reading: Promise<void> | undefined;

  constructor(private readonly opts: PublisherOptions) {
    const maxBytes = opts.subscriptionMaxBytes ?? 0;
    this.sock = new ManualXPublisher({
      manual: true,
      sendHighWaterMark: opts.highWaterMark,
      backlog: opts.backlog,
      linger: 0,
      maxMessageSize: Math.max(HANDSHAKE_ALLOWANCE_BYTES, SUBSCRIBE_COMMAND_BYTES + maxBytes),
      ...keepaliveSocketOptions(opts.keepalive),
    });
    useSmallPeerBuffers(this.sock);
    this.gate = new SubscriptionGate({ maxBytes, log: opts.log });
    this.queue = new SendQueue(
      (f) => this.sock.send(f),
      (err) => opts.log.warn({ err: errorLine(err) }, 'publish send failed'),
    );
  }

  /** The socket, for tests that read its options back. */
  get socket(): XPublisher {
    return this.sock;
  }

  /** Subscriptions ignored since start (over `subscriptionMaxBytes`). */
  get ignoredSubscriptions(): number {
    return this.gate.ignoredCount;
  }

  async start(): Promise<void> {
    await this.sock.bind(this.opts.address);
    this.reading ??= this.readSubscriptions();
  }

  publish(payload: Buffer): Promise<void> {
    return this.queue.send([payload]);
  }

  close(): void {
    this.gate.close();
    this.sock.close();
  }

  /** Reads every (un)subscription until closed; a peer's message never ends the loop. */
  private async readSubscriptions(): Promise<void> {
    while (!this.sock.closed) {
      let frames: Buffer[];
      try {
        frames = await this.sock.receive();
      } catch (err) {
        if (this.sock.closed) return;
        this.opts.log.warn({ err: errorLine(err) }, 'reading subscriptions failed');
        // A failing socket must not spin this loop: give the event loop a turn.
        await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      try {
        const m = parseSubscription(frames);
        if (m && this.gate.admit(m)) this.sock.apply(m.subscribe, m.topic);
      } catch (err) {
        // The peer may be gone already (libzmq forgets it): nothing to apply to.
        this.opts.log.debug({ err: errorLine(err) }, 'applying a subscription failed');
      }
    }
  }
}

export interface SubClientOptions {
  address: string;
  /** The minion's id (Salt sets it as the SUB identity; zeromq.js SUB sockets take none, so it is informational). */
  identity?: string;
  reconnectInterval: number;
  reconnectMaxInterval: number;
  maxMessageSize?: number;
  /** Salt's `tcp_keepalive*` keys; Salt's defaults when absent. */
  keepalive?: Partial<TcpKeepaliveOpts>;
}

/** The minion's SUB to `publish_port`, subscribed to everything (`zmq_filtering` off). */
export class SubClient implements Subscription {
  private readonly sock: Subscriber;

  constructor(opts: SubClientOptions) {
    const sock = retryOnEintr(
      () =>
        new Subscriber({
          linger: 0,
          reconnectInterval: opts.reconnectInterval,
          reconnectMaxInterval: opts.reconnectMaxInterval,
          maxMessageSize: opts.maxMessageSize ?? -1,
          ...keepaliveSocketOptions(opts.keepalive),
        }),
    );
    retryOnEintr(() => sock.connect(opts.address));
    retryOnEintr(() => sock.subscribe());
    this.sock = sock;
  }

  /** The socket, for tests that read its options back. */
  get socket(): Subscriber {
    return this.sock;
  }

  /** Yields each publish's last frame (the payload), until closed. */
  messages(): AsyncGenerator<Buffer> {
    return lastFrames(this.sock);
  }

  close(): void {
    this.sock.close();
  }
}
