import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Logger } from '@tsalt/core';
import { TsaltError } from '@tsalt/core';
import { PublishRelayClient, type TcpKeepaliveOpts } from '@tsalt/transport';
import type { FromPublisher, PublisherInit } from './publisher-protocol.js';

/** Wait between restarts of a Publisher that died (ms). */
const RESTART_DELAY_MS = 1000;

export interface PublisherOptions {
  address: string;
  sockDir: string;
  highWaterMark: number;
  backlog: number;
  keepalive: TcpKeepaliveOpts;
  /** `pub_subscription_max_bytes`. */
  subscriptionMaxBytes: number;
  logLevel: string;
  log: Logger;
}

/**
 * The master's side of the Publisher process: forks it, waits until it has
 * bound `publish_port`, relays publishes to it, and restarts it if it dies
 * (publishes wait in the relay meanwhile).
 */
export class Publisher {
  private child: ChildProcess | undefined;
  private relay: PublishRelayClient | undefined;
  private closing = false;
  private readonly init: PublisherInit;

  constructor(private readonly o: PublisherOptions) {
    this.init = {
      t: 'init',
      address: o.address,
      relayAddress: `ipc://${path.join(o.sockDir, 'publish_pull.ipc')}`,
      highWaterMark: o.highWaterMark,
      backlog: o.backlog,
      // Only the four keys cross the IPC channel, not the whole config.
      keepalive: {
        tcp_keepalive: o.keepalive.tcp_keepalive,
        tcp_keepalive_idle: o.keepalive.tcp_keepalive_idle,
        tcp_keepalive_cnt: o.keepalive.tcp_keepalive_cnt,
        tcp_keepalive_intvl: o.keepalive.tcp_keepalive_intvl,
      },
      subscriptionMaxBytes: o.subscriptionMaxBytes,
      logLevel: o.logLevel,
    };
  }

  async start(): Promise<void> {
    await this.spawn();
    this.relay = new PublishRelayClient(this.init.relayAddress, this.o.log);
  }

  private spawn(): Promise<void> {
    const entry = path.join(path.dirname(new URL(import.meta.url).pathname), 'publisher-process.js');
    const child = fork(entry, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
    this.child = child;
    return new Promise<void>((resolve, reject) => {
      child.on('message', (m: FromPublisher) => {
        if (m.t === 'ready') resolve();
        else reject(new TsaltError('PUBLISHER_FAILED', m.error));
      });
      child.on('exit', (code, signal) => {
        reject(
          new TsaltError(
            'PUBLISHER_FAILED',
            `the publisher process ended (${signal ?? `exit ${code}`}) before binding ${this.init.address}`,
          ),
        );
        if (this.closing || this.child !== child) return;
        this.o.log.error(`the publisher process ended (${signal ?? `exit ${code}`}); restarting it`);
        setTimeout(() => {
          if (!this.closing)
            this.spawn().catch((err: unknown) =>
              this.o.log.error({ err: String(err) }, 'could not restart the publisher'),
            );
        }, RESTART_DELAY_MS).unref();
      });
      child.send(this.init);
    });
  }

  publish(payload: Buffer): Promise<void> {
    if (!this.relay) return Promise.reject(new TsaltError('PUBLISHER_FAILED', 'the publisher is not running'));
    return this.relay.send(payload);
  }

  close(): void {
    this.closing = true;
    this.relay?.close();
    this.child?.kill('SIGTERM');
  }
}
