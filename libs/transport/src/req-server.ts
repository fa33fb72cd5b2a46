import { Router } from 'zeromq';
import type { Logger } from '@tsalt/core';
import { errorLine } from '@tsalt/core';
import { SendQueue } from './send-queue.js';
import { decodeEnvelope, pack, type Envelope } from './serialize.js';
import { useSmallPeerBuffers } from './batch-size.js';
import type { RequestServer } from './types.js';
import { keepaliveSocketOptions, type TcpKeepaliveOpts } from './keepalive.js';

export interface ReqServerOptions {
  /** e.g. `tcp://0.0.0.0:4506`. */
  address: string;
  /** Requests larger than this (bytes) are dropped with a log line: `max_request_size`. */
  maxRequestSize: number;
  /** Most requests handled at once; the receive loop waits beyond it, so memory stays bounded. */
  maxInFlight?: number;
  /** Listen backlog, Salt's `zmq_backlog`. */
  backlog: number;
  /** Salt's `tcp_keepalive*` keys; Salt's defaults when absent. */
  keepalive?: Partial<TcpKeepaliveOpts>;
  log: Logger;
}

/** Handles one decoded request; returns the reply value (msgpack-encoded by the server). */
export type RequestHandler = (env: Envelope, peer: string) => Promise<unknown>;

/**
 * A handler's answer meaning "send nothing": the request was superseded by a
 * newer one from the same peer, whose socket gets the answer instead.
 */
export const NO_REPLY: unique symbol = Symbol('no reply');

/** What a REQ peer gets back for a request we could not read: Salt's wording. */
const BAD_LOAD = 'bad load';

/**
 * One request's answer, whatever carries it: too large, not msgpack or not
 * an envelope is "bad load", and so is a handler that throws. Shared by the
 * ZeroMQ server and the in-memory one, so both read requests alike.
 */
export async function answerRequest(
  payload: Buffer,
  handler: RequestHandler,
  opts: Pick<ReqServerOptions, 'maxRequestSize' | 'log'>,
  peer: string,
): Promise<unknown> {
  if (payload.length > opts.maxRequestSize) {
    opts.log.warn(
      { peer, bytes: payload.length, limit: opts.maxRequestSize },
      'dropped request larger than max_request_size',
    );
    return BAD_LOAD;
  }
  let env: Envelope;
  try {
    env = decodeEnvelope(payload);
  } catch (err) {
    opts.log.warn({ peer, err: errorLine(err) }, 'dropped malformed request');
    return BAD_LOAD;
  }
  try {
    return await handler(env, peer);
  } catch (err) {
    opts.log.warn({ peer, err: errorLine(err) }, 'request handler failed');
    return BAD_LOAD;
  }
}

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
    try {
      for await (const frames of this.sock) {
        if (this.closed) break;
        void this.handle(frames);
        if (this.inFlight >= max) await new Promise<void>((r) => (this.wake = r));
      }
    } catch (err) {
      if (!this.closed) this.opts.log.error({ err: errorLine(err) }, 'request server loop stopped');
    }
  }

  private async handle(frames: Buffer[]): Promise<void> {
    this.inFlight++;
    const identity = frames[0];
    const peer = identity ? identity.toString('hex') : '?';
    try {
      if (!identity) return;
      let head: Buffer[];
      let payload: Buffer | undefined;
      if (frames.length === 3 && frames[1]?.length === 0) {
        head = [identity, Buffer.alloc(0)];
        payload = frames[2];
      } else if (frames.length === 2) {
        head = [identity];
        payload = frames[1];
      } else {
        this.opts.log.warn({ peer, frames: frames.length }, 'dropped request with unexpected framing');
        return;
      }
      if (!payload) return;
      const reply = await answerRequest(payload, this.handler, this.opts, peer);
      if (!this.closed && reply !== NO_REPLY) await this.queue.send([...head, pack(reply ?? null)]);
    } finally {
      this.inFlight--;
      const w = this.wake;
      this.wake = undefined;
      w?.();
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    this.wake?.();
    this.sock.close();
    await this.loop?.catch(() => undefined);
  }
}
