import { Subscriber } from 'zeromq';
import type { Logger } from '@tsalt/core';
import { lastFrames } from './last-frames.js';
import { retryOnEintr } from './eintr.js';
import type { PublishChannel, Subscription } from './types.js';
import { SubscriptionGate } from './pub-subscriptions.js';
import { keepaliveSocketOptions, type TcpKeepaliveOpts } from './keepalive.js';
import { ZmtpPubServer } from './zmtp/pub-server.js';

export interface PublisherOptions {
  address: string;
  /** Per-subscriber queue limit in messages, Salt's `pub_hwm`. */
  highWaterMark: number;
  backlog: number;
  /**
   * Salt's `tcp_keepalive*` keys; Salt's defaults when absent. Node sets
   * only on/off and the idle time, so `tcp_keepalive_cnt`/`_intvl` are the
   * kernel's on this port (docs/limits.md).
   */
  keepalive?: Partial<TcpKeepaliveOpts>;
  /** The longest subscription topic applied, bytes (`pub_subscription_max_bytes`). @default 0 (only '') */
  subscriptionMaxBytes?: number;
  log: Logger;
}

/**
 * The largest frame or command a peer may send beyond the topic, bytes: a
 * libzmq SUB's READY is 25, a ZMTP 3.1 SUBSCRIBE is 10 plus the topic; the
 * rest is room. A larger frame closes the peer's connection.
 */
const FRAME_ALLOWANCE_BYTES = 255;
/** Topics kept per peer ('' and a few more; a minion needs one). Past this a subscription is counted and dropped. */
const MAX_TOPICS_PER_PEER = 8;
/** libzmq's default ZMQ_HANDSHAKE_IVL (ms): a peer that has not finished the handshake by then is dropped. */
const HANDSHAKE_MS = 30_000;

/**
 * The publish side on `publish_port`: one frame per job, every minion
 * receives it. Our own ZMTP 3.0 PUB (zmtp/), not libzmq's, because a libzmq
 * XPUB keeps every subscription a peer sends until it goes; here a peer
 * holds at most `MAX_TOPICS_PER_PEER` topics of at most
 * `subscriptionMaxBytes`, and the rest are counted and ignored.
 */
export class PubServer implements PublishChannel {
  private readonly server: ZmtpPubServer;
  private readonly gate: SubscriptionGate;

  constructor(opts: PublisherOptions) {
    const maxBytes = opts.subscriptionMaxBytes ?? 0;
    this.gate = new SubscriptionGate({ maxBytes, log: opts.log });
    const ka = keepaliveSocketOptions(opts.keepalive);
    this.server = new ZmtpPubServer({
      address: opts.address,
      backlog: opts.backlog,
      highWaterMark: opts.highWaterMark,
      maxFrameBytes: FRAME_ALLOWANCE_BYTES + maxBytes,
      maxTopics: MAX_TOPICS_PER_PEER,
      // -1 (the OS default) becomes 0, which Node reads as "leave the idle time alone".
      keepalive: { enable: ka.tcpKeepalive === 1, idleMs: Math.max(0, ka.tcpKeepaliveIdle) * 1000 },
      handshakeMs: HANDSHAKE_MS,
      sink: {
        admit: (subscribe, topic) => this.gate.admit({ subscribe, topic }),
        overCount: () => this.gate.ignore(),
      },
      log: opts.log,
    });
  }

  /** `tcp://host:port` as bound, once started. */
  get endpoint(): string | undefined {
    return this.server.endpoint;
  }

  /** The ZMTP server, for tests that look at its peers. */
  get zmtp(): ZmtpPubServer {
    return this.server;
  }

  /** Subscriptions ignored since start (over `subscriptionMaxBytes`, or past the per-peer count). */
  get ignoredSubscriptions(): number {
    return this.gate.ignoredCount;
  }

  start(): Promise<void> {
    return this.server.listen();
  }

  /** Resolves once written to every ready peer; a slow peer at its high-water mark misses this one. */
  publish(payload: Buffer): Promise<void> {
    this.server.publish(payload);
    return Promise.resolve();
  }

  close(): void {
    this.gate.close();
    this.server.close();
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
