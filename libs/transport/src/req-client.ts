import { MINION_DEFAULTS } from '@tsalt/config';
import { Dealer } from 'zeromq';
import { RequestTimeoutError, SocketClosedError } from './errors.js';
import { retryOnEintr } from './eintr.js';
import type { RequestChannel } from './types.js';
import { keepaliveSocketOptions, type TcpKeepaliveOpts } from './keepalive.js';

export interface ReqClientOptions {
  /** e.g. `tcp://127.0.0.1:4506`. */
  address: string;
  /** ZMQ reconnect interval, Salt's `recon_default` (ms); a client with no minion config (the CLI) takes its default. */
  reconnectInterval?: number;
  /** ZMQ reconnect interval cap, Salt's `recon_max` (ms). */
  reconnectMaxInterval?: number;
  /** Largest reply accepted (bytes). */
  maxMessageSize?: number;
  /** Salt's `tcp_keepalive*` keys; Salt's defaults when absent. */
  keepalive?: Partial<TcpKeepaliveOpts>;
}

/**
 * A request client with REQ semantics (one request in flight, replies in
 * order) built on a DEALER, so that a timeout does not wedge the socket: on
 * timeout the socket is replaced, as Salt does with its REQ socket. The
 * framing (`['', payload]`) is what a REQ sends, so a Salt ROUTER accepts it.
 */
export class ReqClient implements RequestChannel {
  private sock: Dealer;
  private chain: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(private readonly opts: ReqClientOptions) {
    this.sock = this.open();
  }

  private open(): Dealer {
    const sock = retryOnEintr(
      () =>
        new Dealer({
          linger: 0,
          reconnectInterval: this.opts.reconnectInterval ?? MINION_DEFAULTS.recon_default,
          reconnectMaxInterval: this.opts.reconnectMaxInterval ?? MINION_DEFAULTS.recon_max,
          maxMessageSize: this.opts.maxMessageSize ?? -1,
          ...keepaliveSocketOptions(this.opts.keepalive),
        }),
    );
    retryOnEintr(() => sock.connect(this.opts.address));
    return sock;
  }

  /** The current socket (replaced after a timeout), for tests that read its options back. */
  get socket(): Dealer {
    return this.sock;
  }

  /** Sends one request and waits up to `timeoutMs` for its reply. */
  request(payload: Buffer, timeoutMs: number): Promise<Buffer> {
    const run = this.chain.then(() => this.once(payload, timeoutMs));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async once(payload: Buffer, timeoutMs: number): Promise<Buffer> {
    if (this.closed) throw new SocketClosedError();
    // A replacement that failed to open (out of sockets or files) is retried
    // here, so the real error is reported rather than "Socket is closed".
    if (this.sock.closed) this.sock = this.open();
    const sock = this.sock;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new RequestTimeoutError(this.opts.address, timeoutMs)), timeoutMs);
    });
    try {
      const exchange = (async () => {
        await sock.send([Buffer.alloc(0), payload]);
        for (;;) {
          const frames = (await sock.receive()) as Buffer[];
          const body = frames.length >= 2 && frames[0]?.length === 0 ? frames[1] : frames[0];
          if (body) return body;
        }
      })();
      exchange.catch(() => undefined);
      return await Promise.race([exchange, timeout]);
    } catch (err) {
      if (err instanceof RequestTimeoutError && !this.closed) {
        // A late reply must never be read as the answer to the next request.
        sock.close();
        this.sock = this.open();
      }
      if (this.closed) throw new SocketClosedError();
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }

  close(): void {
    this.closed = true;
    this.sock.close();
  }
}
