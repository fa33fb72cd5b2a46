import { Pull, Push } from 'zeromq';
import type { Logger } from '@tsalt/core';
import { errorLine } from '@tsalt/core';
import { SendQueue } from './send-queue.js';
import { lastFrames } from './last-frames.js';

/**
 * Salt's `publish_pull.ipc`: the master process hands each signed publish
 * to the Publisher process, which owns the PUB socket. Two processes, so
 * that each holds one socket per minion: a single process with both the
 * ROUTER and the PUB needs two files per minion, over 20,000 at 10,000
 * minions.
 */
export class PublishRelayClient {
  private readonly sock: Push;
  private readonly queue: SendQueue;

  constructor(address: string, log: Logger) {
    // No high-water mark: a publish must wait for a restarting Publisher rather than be dropped.
    this.sock = new Push({ sendHighWaterMark: 0, linger: 0 });
    this.sock.connect(address);
    this.queue = new SendQueue(
      (f) => this.sock.send(f),
      (err) => log.warn({ err: errorLine(err) }, 'publish relay send failed'),
    );
  }

  send(payload: Buffer): Promise<void> {
    return this.queue.send([payload]);
  }

  close(): void {
    this.sock.close();
  }
}

/** The Publisher's end: binds the relay and yields each publish payload. */
export class PublishRelayServer {
  private readonly sock = new Pull({ receiveHighWaterMark: 0, linger: 0 });

  async bind(address: string): Promise<void> {
    await this.sock.bind(address);
  }

  payloads(): AsyncGenerator<Buffer> {
    return lastFrames(this.sock);
  }

  close(): void {
    this.sock.close();
  }
}
