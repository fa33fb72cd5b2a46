import type { MinionConfig } from '@tsalt/config';
import type { Logger } from '@tsalt/core';
import type { KeyPair } from '@tsalt/crypto';
import { minionAesRequest, minionFireMaster, minionPrivateRequest, type MinionChannel } from './minion-request.js';
import { filePin, signIn, type MasterPin, type Session } from './sign-in.js';
import type { RequestChannel, Transport } from './types.js';
import { zmqTransport } from './zmq-transport.js';
import { tcpAddress } from './tcp-address.js';

export interface MasterClientOptions {
  opts: MinionConfig;
  pair: KeyPair;
  log: Logger;
  /** The trusted master key; Salt's `minion_master.pub` unless given. */
  pin?: MasterPin;
  /** ZeroMQ unless given (unit tests pass a MemoryTransport). */
  transport?: Transport;
}

/** `tcp://host:port`, brackets around an IPv6 host. */
export function masterAddress(opts: MinionConfig, port: number): string {
  const m = opts.master;
  const host = Array.isArray(m) ? String(m[0] ?? 'salt') : m;
  return tcpAddress(host, port);
}

/**
 * A minion's request channel to its master without a SUB, for one-shot
 * callers (tsalt-call, Salt's SMinion with `caller`): sign in once with the
 * minion's own keys, giving up as salt-call does (SignInError), then AES
 * and `_pillar` requests that re-authenticate once when the session went.
 */
export class MasterClient implements MinionChannel {
  readonly req: RequestChannel;
  private current: Session | undefined;
  private readonly pin: MasterPin;

  constructor(private readonly o: MasterClientOptions) {
    const { opts } = o;
    this.pin = o.pin ?? filePin(opts.pki_dir);
    this.req = (o.transport ?? zmqTransport).requestChannel({
      address: masterAddress(opts, opts.master_port),
      reconnectInterval: opts.recon_default_ms,
      reconnectMaxInterval: opts.recon_max_ms,
      maxMessageSize: opts.max_request_size * 2,
      keepalive: opts,
    });
  }

  get id(): string {
    return this.o.opts.id;
  }

  get minionPrivate(): MinionChannel['minionPrivate'] {
    return this.o.pair.privateKey;
  }

  session(): Session | undefined {
    return this.current;
  }

  /** Signs in, or throws (SignInError, AuthRefusedError) rather than wait. */
  async reauthenticate(): Promise<void> {
    this.current = await signIn(this.o.opts, this.o.pair, this.req, this.o.log, () => false, this.pin, {
      caller: true,
    });
  }

  aesRequest(load: Record<string, unknown>, timeoutMs: number): Promise<unknown> {
    return minionAesRequest(this, load, timeoutMs);
  }

  privateRequest(load: Record<string, unknown>, dictKey: string, timeoutMs: number): Promise<unknown> {
    return minionPrivateRequest(this, load, dictKey, timeoutMs);
  }

  fireMaster(tag: string, data: unknown, preload?: Record<string, unknown>): Promise<void> {
    return minionFireMaster(this, tag, data, preload, this.o.opts.auth_timeout_ms);
  }

  close(): void {
    this.req.close();
  }
}
