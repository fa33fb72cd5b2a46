import net from 'node:net';
import type { Logger } from '@tsalt/core';
import { encodeFrame } from './codec.js';
import { formatTcpAddress, parseTcpAddress, type TcpEndpoint } from './address.js';
import { PubConnection, type SubscriptionSink } from './connection.js';

export interface ZmtpPubServerOptions {
  address: string;
  /** listen(2)'s backlog (`zmq_backlog`). */
  backlog: number;
  /** Messages queued per peer before publishes to it are dropped (`pub_hwm`). */
  highWaterMark: number;
  /** The largest frame a peer may send, bytes; a larger one closes its connection. */
  maxFrameBytes: number;
  /** Topics kept per peer. */
  maxTopics: number;
  /** TCP keepalive on each peer, and the idle time before the first probe (ms; 0 leaves the OS default). */
  keepalive: { enable: boolean; idleMs: number };
  /** How long a peer has to finish the ZMTP handshake (ms), libzmq's ZMQ_HANDSHAKE_IVL. */
  handshakeMs: number;
  sink: SubscriptionSink;
  log: Logger;
}

/**
 * A ZMTP 3.0 PUB over `net`: one listening socket, one `PubConnection` per
 * peer, and a fan-out that encodes each publish once and writes the same
 * Buffer to every peer subscribed to a prefix of it.
 */
export class ZmtpPubServer {
  private readonly server: net.Server;
  private readonly conns = new Set<PubConnection>();
  private bound: TcpEndpoint | undefined;

  constructor(private readonly o: ZmtpPubServerOptions) {
    this.server = net.createServer((s) => this.accept(s));
    // An accept error (EMFILE) must not end the publisher; libzmq retries too.
    this.server.on('error', (err) => o.log.warn({ err: err.message }, 'publish port accept failed'));
  }

  async listen(): Promise<void> {
    const { host, port } = parseTcpAddress(this.o.address);
    await new Promise<void>((resolve, reject) => {
      const fail = (err: Error): void => reject(err);
      this.server.once('error', fail);
      this.server.listen({ host, port, backlog: this.o.backlog, ipv6Only: false }, () => {
        this.server.off('error', fail);
        resolve();
      });
    });
    const a = this.server.address();
    if (a && typeof a === 'object') this.bound = { host: a.address, port: a.port };
  }

  /** `tcp://host:port` as bound (the real port when 0 was asked). */
  get endpoint(): string | undefined {
    return this.bound ? formatTcpAddress(this.bound) : undefined;
  }

  /** Peers, for tests. */
  get connections(): ReadonlySet<PubConnection> {
    return this.conns;
  }

  /** Encodes `payload` as one frame and writes it to every subscribed peer not at its high-water mark. */
  publish(payload: Buffer): void {
    let frame: Buffer | undefined;
    for (const c of this.conns) {
      if (!c.wants(payload)) continue;
      frame ??= encodeFrame(payload);
      c.send(frame);
    }
  }

  close(): void {
    this.server.close();
    for (const c of [...this.conns]) c.close();
    this.conns.clear();
  }

  private accept(s: net.Socket): void {
    try {
      s.setNoDelay(true);
      s.setKeepAlive(this.o.keepalive.enable, this.o.keepalive.idleMs);
      const conn = new PubConnection(s, {
        maxFrameBytes: this.o.maxFrameBytes,
        maxTopics: this.o.maxTopics,
        highWaterMark: this.o.highWaterMark,
        sink: this.o.sink,
        onClose: (c, reason) => {
          clearTimeout(timer);
          this.conns.delete(c);
          if (reason) this.o.log.debug({ peer: s.remoteAddress, reason }, 'publish port peer closed');
        },
      });
      // onClose runs only on a later socket event, after this is set.
      const timer = setTimeout(() => {
        if (!conn.isOpen) conn.close('handshake timed out');
      }, this.o.handshakeMs);
      timer.unref();
      this.conns.add(conn);
    } catch (err) {
      this.o.log.debug({ err: err instanceof Error ? err.message : String(err) }, 'publish port accept failed');
      s.destroy();
    }
  }
}
