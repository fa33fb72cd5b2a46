import type { ReqServerOptions } from './req-server.js';
import type { RequestHandler } from './request-reader.js';
import type { ReqClientOptions } from './req-client.js';
import type { PublisherOptions, SubClientOptions } from './pub-channel.js';

/** The master's request port (`ret_port`): decodes each request, hands it to the handler, sends the reply. */
export interface RequestServer {
  start(): Promise<void>;
  close(): Promise<void>;
}

/** A client's channel to the request port: one request at a time, each with its timeout (ms). */
export interface RequestChannel {
  request(payload: Buffer, timeoutMs: number): Promise<Buffer>;
  close(): void;
}

/** The master's publish port (`publish_port`): each payload goes to every subscription. */
export interface PublishChannel {
  start(): Promise<void>;
  publish(payload: Buffer): Promise<void>;
  close(): void;
}

/** A minion's subscription to the publish port: every payload, until closed. */
export interface Subscription {
  messages(): AsyncGenerator<Buffer>;
  close(): void;
}

/**
 * Makes the four channel kinds. `zmqTransport` is Salt's ZeroMQ wire;
 * `MemoryTransport` (./memory) connects them inside one process, for unit
 * tests. Addresses are strings either way (`tcp://host:port`).
 */
export interface Transport {
  requestServer(opts: ReqServerOptions, handler: RequestHandler): RequestServer;
  requestChannel(opts: ReqClientOptions): RequestChannel;
  publishChannel(opts: PublisherOptions): PublishChannel;
  subscription(opts: SubClientOptions): Subscription;
}
