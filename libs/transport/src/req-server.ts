import { Router } from 'zeromq';
import { errorLine } from '@tsalt/core';
import { SendQueue } from './send-queue.js';
import { pack } from './serialize.js';
import { NO_REPLY, RequestReader, type RequestHandler, type RequestReaderOptions } from './request-reader.js';
import { useSmallPeerBuffers } from './batch-size.js';
import type { RequestServer } from './types.js';
import { keepaliveSocketOptions, type TcpKeepaliveOpts } from './keepalive.js';

export interface ReqServerOptions extends RequestReaderOptions {
  /** e.g. `tcp://0.0.0.0:4506`. */
  address: string;
  /** Most requests handled at once; the receive loop waits beyond it, so memory stays bounded. */
  maxInFlight?: number;
  /** Listen backlog, Salt's `zmq_backlog`. */
  backlog: number;
  /** Salt's `tcp_keepalive*` keys; Salt's defaults when absent. */
  keepalive?: Partial<TcpKeepaliveOpts>;
}

/**
 * The receive loop hands the event loop back after this many requests or
 * this long (ms), whichever comes first: zeromq.js answers a receive at once
 * while frames are queued, so a stream of them would otherwise keep timers
 * and every other socket (the event bus, the local request socket) waiting.
 */
const YIELD_EVERY = 64;
const YIELD_AFTER_MS = 5;

/**
 * The request server on `ret_port`: a ROUTER, as Salt's MWorkerQueue front.
 * Each request is `[identity, '', payload]` (REQ peers) or `[identity,
 * payload]` (bare DEALER peers); the reply goes back in the same framing.
 * A peer's bad bytes are logged and answered with "bad load"; they never
 * reach the handler and never stop the loop.
 */
export class ReqServer implements RequestServer {
  private readonly sock: Router;
  private readonly queue: SendQueue;
  private readonly reader: RequestReader;
  private inFlight = 0;
  private wake: (() => void) | undefined;
  private closed = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly opts: ReqServerOptions,
    private readonly handler: RequestHandler,
  ) {
    // The hard cap makes libzmq drop absurd frames before they are buffered;
    // the soft cap below gives the log line.
    this.sock = new Router({
      maxMessageSize: opts.maxRequestSize * 2 + 1024 * 1024,
      backlog: opts.backlog,
      linger: 0,
      ...keepaliveSocketOptions(opts.keepalive),
    });
    useSmallPeerBuffers(this.sock);
    this.reader = new RequestReader(opts);
    this.queue = new SendQueue(
      (frames) => this.sock.send(frames),
      (err) => opts.log.warn({ err: errorLine(err) }, 'reply send failed'),
    );
  }

  /** The socket, for tests that read its options back. */
  get socket(): Router {
    return this.sock;
  }

  async start(): Promise<void> {
    await this.sock.bind(this.opts.address);
    this.loop = this.receiveLoop();
  }

  private async receiveLoop(): Promise<void> {
    const max = this.opts.maxInFlight ?? 2000;
    let read = 0;
    let since = performance.now();
    try {
      for await (const frames of this.sock) {
        if (this.closed) break;
        void this.handle(frames);
        if (this.inFlight >= max) await new Promise<void>((r) => (this.wake = r));
        if (++read >= YIELD_EVERY || performance.now() - since > YIELD_AFTER_MS) {
          await new Promise<void>((r) => setImmediate(r));
          read = 0;
          since = performance.now();
        }
      }
    } catch (err) {
      if (!this.closed) this.opts.log.error({ err: errorLine(err) }, 'request server loop stopped');
    }
  }

  private async handle(frames: Buffer[]): Promise<void> {
    this.inFlight++;
    try {
      const req = this.split(frames);
      // The frames are not needed past here: while the reply waits its turn to be
      // sent, only the routing head stays referenced, not a payload of up to
      // max_request_size (thousands of replies can wait behind a busy socket).
      frames.length = 0;
      if (!req) return;
      const { head, peer } = req;
      const reply = await this.reader.answer(req.take(), this.handler, peer);
      if (!this.closed && reply !== NO_REPLY) await this.queue.send([...head, pack(reply ?? null)]);
    } finally {
      this.inFlight--;
      const w = this.wake;
      this.wake = undefined;
      w?.();
    }
  }

  /** `[identity, '', payload]` (REQ peers) or `[identity, payload]` (bare DEALER peers); else undefined. */
  private split(frames: Buffer[]): { head: Buffer[]; take: () => Buffer; peer: string } | undefined {
    const identity = frames[0];
    if (!identity) return undefined;
    const peer = identity.toString('hex');
    // take() hands the payload over once and forgets it, so the caller's context does not hold it.
    const once = (b: Buffer): (() => Buffer) => {
      let held: Buffer | undefined = b;
      return () => {
        const out = held ?? Buffer.alloc(0);
        held = undefined;
        return out;
      };
    };
    if (frames.length === 3 && frames[1]?.length === 0 && frames[2]) {
      return { head: [identity, Buffer.alloc(0)], take: once(frames[2]), peer };
    }
    if (frames.length === 2 && frames[1]) return { head: [identity], take: once(frames[1]), peer };
    this.reader.noteDrop('dropped request with unexpected framing', { peer, frames: frames.length });
    return undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    this.reader.close();
    this.wake?.();
    this.sock.close();
    await this.loop?.catch(() => undefined);
  }
}
