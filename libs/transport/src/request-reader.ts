import type { Logger } from '@tsalt/core';
import { errorLine, LogThrottle } from '@tsalt/core';
import { isFlatAesEnvelope } from './envelope-peek.js';
import { decodeEnvelope, decodeEnvelopeWithin, type Envelope } from './serialize.js';

/** Handles one decoded request; returns the reply value (msgpack-encoded by the server). */
export type RequestHandler = (env: Envelope, peer: string) => Promise<unknown>;

/**
 * A handler's (or the reader's) answer meaning "send nothing": the request
 * was superseded by a newer one from the same peer, or dropped unread.
 */
export const NO_REPLY: unique symbol = Symbol('no reply');

/** What a REQ peer gets back for a request we could not read: Salt's wording. */
const BAD_LOAD = 'bad load';

/**
 * What an unauthenticated peer may make the server do (docs/limits.md). A
 * clear request is anything but a flat AES envelope: sign-ins, publishes,
 * garbage.
 */
export interface ClearLimits {
  /** Bytes: `max_clear_request_size`. */
  maxSize: number;
  /** Clear requests one connection may have in flight: `max_clear_requests_per_peer`. */
  perPeer: number;
  /** Clear requests in flight from every connection: `max_clear_requests`. */
  total: number;
  /** ms one clear request's decode may take: `max_decode_time`. */
  decodeBudgetMs: number;
}

export interface RequestReaderOptions {
  /** Requests larger than this (bytes) are dropped with a log line: `max_request_size`. */
  maxRequestSize: number;
  /** Absent on a channel only local users reach (the master's IPC request socket). */
  clear?: ClearLimits;
  log: Logger;
}

/**
 * One server's reading of requests, shared by the ZeroMQ server and the
 * in-memory one: too large, not msgpack or not an envelope is "bad load",
 * and so is a handler that throws; a clear request over its in-flight
 * limits is dropped unread (NO_REPLY), so a flood costs a counter, not a
 * decode. Drops are logged through a LogThrottle.
 */
export class RequestReader {
  private readonly drops: LogThrottle;
  private readonly perPeer = new Map<string, number>();
  private clearInFlight = 0;

  constructor(private readonly opts: RequestReaderOptions) {
    this.drops = new LogThrottle(opts.log);
  }

  /** Clear requests being decoded or handled now (for tests and the bench). */
  get clearRequestsInFlight(): number {
    return this.clearInFlight;
  }

  async answer(payload: Buffer, handler: RequestHandler, peer: string): Promise<unknown> {
    const { opts } = this;
    if (payload.length > opts.maxRequestSize) {
      this.drops.warn(
        {
          peer,
          bytes: payload.length,
          limit: opts.maxRequestSize,
        },
        'dropped request larger than max_request_size',
      );
      return BAD_LOAD;
    }
    const clear = opts.clear && !isFlatAesEnvelope(payload) ? opts.clear : undefined;
    if (!clear) return this.decodeAndHandle(payload, handler, peer, undefined);
    if (payload.length > clear.maxSize) {
      this.drops.warn(
        {
          peer,
          bytes: payload.length,
          limit: clear.maxSize,
        },
        'dropped clear request larger than max_clear_request_size',
      );
      return BAD_LOAD;
    }
    const mine = this.perPeer.get(peer) ?? 0;
    if (mine >= clear.perPeer) {
      this.drops.warn({ peer, limit: clear.perPeer }, 'dropped clear request over max_clear_requests_per_peer');
      return NO_REPLY;
    }
    if (this.clearInFlight >= clear.total) {
      this.drops.warn({ peer, limit: clear.total }, 'dropped clear request over max_clear_requests');
      return NO_REPLY;
    }
    this.perPeer.set(peer, mine + 1);
    this.clearInFlight++;
    try {
      return await this.decodeAndHandle(payload, handler, peer, clear.decodeBudgetMs);
    } finally {
      this.clearInFlight--;
      const left = (this.perPeer.get(peer) ?? 1) - 1;
      if (left > 0) this.perPeer.set(peer, left);
      else this.perPeer.delete(peer);
    }
  }

  private async decodeAndHandle(
    payload: Buffer,
    handler: RequestHandler,
    peer: string,
    budgetMs: number | undefined,
  ): Promise<unknown> {
    let env: Envelope;
    try {
      env = budgetMs === undefined ? decodeEnvelope(payload) : await decodeEnvelopeWithin(payload, budgetMs);
    } catch (err) {
      this.drops.warn({ peer, err: errorLine(err) }, 'dropped malformed request');
      return BAD_LOAD;
    }
    try {
      return await handler(env, peer);
    } catch (err) {
      this.drops.warn({ peer, err: errorLine(err) }, 'request handler failed');
      return BAD_LOAD;
    }
  }

  /** A drop the server made before the reader saw the request (framing), logged the same way. */
  noteDrop(reason: string, fields: Record<string, unknown>): void {
    this.drops.warn(fields, reason);
  }

  close(): void {
    this.drops.close();
  }
}
