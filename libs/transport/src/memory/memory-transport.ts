import { RequestTimeoutError, SocketClosedError } from '../errors.js';
import type { ReqServerOptions } from '../req-server.js';
import { NO_REPLY, RequestReader, type RequestHandler } from '../request-reader.js';
import type { ReqClientOptions } from '../req-client.js';
import type { PublisherOptions, SubClientOptions } from '../pub-channel.js';
import { pack } from '../serialize.js';
import type { PublishChannel, RequestChannel, RequestServer, Subscription, Transport } from '../types.js';
import { MemorySubscription } from './memory-subscription.js';

/**
 * Where a channel meets its server: the port of a `tcp://host:port` address,
 * as a server binds `0.0.0.0` and its clients connect to `127.0.0.1`.
 */
function endpoint(address: string): string {
  return /:(\d+)$/.exec(address)?.[1] ?? address;
}

interface Bound {
  reader: RequestReader;
  handler: RequestHandler;
}

/**
 * The transport inside one process, for unit tests: the same envelope
 * decoding, limits and "bad load" answers as the ZeroMQ server (`RequestReader`),
 * replies packed as on the wire, no sockets. As with ZeroMQ, a request to a
 * port nobody serves (or one the server leaves unanswered) times out, and a
 * subscription made before its publisher started still gets what it publishes.
 * Every request payload is recorded per port, so a test can replay one.
 */
export class MemoryTransport implements Transport {
  private readonly servers = new Map<string, Bound>();
  private readonly subs = new Map<string, Set<MemorySubscription>>();
  private readonly sent = new Map<string, Buffer[]>();
  private peers = 0;

  /** The request payloads sent to `address`'s port so far, oldest first. */
  recorded(address: string): Buffer[] {
    return this.sent.get(endpoint(address)) ?? [];
  }

  requestServer(opts: ReqServerOptions, handler: RequestHandler): RequestServer {
    const at = endpoint(opts.address);
    return {
      start: () => {
        if (this.servers.has(at)) return Promise.reject(new Error(`address in use: ${opts.address}`));
        this.servers.set(at, { reader: new RequestReader(opts), handler });
        return Promise.resolve();
      },
      close: () => {
        const bound = this.servers.get(at);
        if (bound?.handler === handler) {
          bound.reader.close();
          this.servers.delete(at);
        }
        return Promise.resolve();
      },
    };
  }

  requestChannel(opts: ReqClientOptions): RequestChannel {
    const at = endpoint(opts.address);
    const peer = `memory-${++this.peers}`;
    let chain: Promise<unknown> = Promise.resolve();
    let closed = false;
    const once = async (payload: Buffer, timeoutMs: number): Promise<Buffer> => {
      if (closed) throw new SocketClosedError();
      let list = this.sent.get(at);
      if (!list) this.sent.set(at, (list = []));
      list.push(payload);
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new RequestTimeoutError(opts.address, timeoutMs)), timeoutMs);
      });
      const exchange = (async (): Promise<Buffer> => {
        await new Promise<void>((r) => setImmediate(r)); // never answered in the caller's turn
        const server = this.servers.get(at);
        if (!server) return timeout;
        const reply = await server.reader.answer(payload, server.handler, peer);
        return reply === NO_REPLY ? timeout : pack(reply ?? null);
      })();
      exchange.catch(() => undefined);
      try {
        return await Promise.race([exchange, timeout]);
      } finally {
        clearTimeout(timer);
      }
    };
    return {
      request: (payload, timeoutMs) => {
        const run = chain.then(() => once(payload, timeoutMs));
        chain = run.catch(() => undefined);
        return run;
      },
      close: () => void (closed = true),
    };
  }

  publishChannel(opts: PublisherOptions): PublishChannel {
    const at = endpoint(opts.address);
    let started = false;
    return {
      start: () => {
        started = true;
        return Promise.resolve();
      },
      publish: (payload) => {
        if (started) for (const sub of this.subs.get(at) ?? []) sub.push(payload);
        return Promise.resolve();
      },
      close: () => void (started = false),
    };
  }

  subscription(opts: SubClientOptions): Subscription {
    const at = endpoint(opts.address);
    let set = this.subs.get(at);
    if (!set) this.subs.set(at, (set = new Set()));
    const sub = new MemorySubscription(() => set.delete(sub));
    set.add(sub);
    return sub;
  }
}
