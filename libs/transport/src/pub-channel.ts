import { Publisher, Subscriber } from 'zeromq';
import type { Logger } from '@tsalt/core';
import { errorLine } from '@tsalt/core';
import { SendQueue } from './send-queue.js';
import { lastFrames } from './last-frames.js';
import { retryOnEintr } from './eintr.js';
import { useSmallPeerBuffers } from './batch-size.js';
import type { PublishChannel, Subscription } from './types.js';
import { keepaliveSocketOptions, type TcpKeepaliveOpts } from './keepalive.js';

export interface PublisherOptions {
  address: string;
  /** Per-subscriber queue limit in messages, Salt's `pub_hwm`. */
  highWaterMark: number;
  backlog: number;
  /** Salt's `tcp_keepalive*` keys; Salt's defaults when absent. */
  keepalive?: Partial<TcpKeepaliveOpts>;
  log: Logger;
}

/** The publish side on `publish_port`: one PUB, one frame per job, every minion receives it. */
export class PubServer implements PublishChannel {
  private readonly sock: Publisher;
  private readonly queue: SendQueue;

  constructor(private readonly opts: PublisherOptions) {
    this.sock = new Publisher({
      sendHighWaterMark: opts.highWaterMark,
      backlog: opts.backlog,
      linger: 0,
      ...keepaliveSocketOptions(opts.keepalive),
    });
    useSmallPeerBuffers(this.sock);
    this.queue = new SendQueue(
      (f) => this.sock.send(f),
      (err) => opts.log.warn({ err: errorLine(err) }, 'publish send failed'),
    );
  }

  /** The socket, for tests that read its options back. */
  get socket(): Publisher {
    return this.sock;
  }

  async start(): Promise<void> {
    await this.sock.bind(this.opts.address);
  }

  publish(payload: Buffer): Promise<void> {
    return this.queue.send([payload]);
  }

  close(): void {
    this.sock.close();
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
