import { createHash } from 'node:crypto';
import type { MasterConfig } from '@tsalt/config';

/**
 * Requests seen on the request port, so that a captured AES request sent
 * again is not acted on again (Salt 3006.8 keeps no such record). The
 * identities are per session key: a new key forgets them all, since nothing
 * sealed with the old one decrypts any more. Bounded by a cap and a TTL
 * (`request_replay_max`, `request_replay_ttl`): past either, an exact replay
 * under the same session key is accepted again; `publish_session` bounds how
 * long a key lives.
 */
export class RequestReplayGuard {
  /** identity → when first seen (ms); Map order is insertion order, so the oldest is first. */
  private readonly seen = new Map<string, number>();
  /** Identities whose replay was already logged: one line each, however often it comes back. */
  private readonly told = new Set<string>();
  private key: string | undefined;

  constructor(
    /** How long an identity is remembered, ms. */
    private readonly ttlMs: number,
    /** The most identities remembered (about 150 bytes each); the oldest go first. */
    private readonly max: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Records `identity` under the session key `sessionKey`; false when it was
   * already there (a replay). `firstReplay` says whether to log it.
   */
  admit(sessionKey: string, identity: string): { fresh: boolean; firstReplay: boolean } {
    if (sessionKey !== this.key) {
      this.key = sessionKey;
      this.seen.clear();
      this.told.clear();
    }
    const t = this.now();
    this.expire(t);
    if (this.seen.has(identity)) {
      const firstReplay = !this.told.has(identity);
      if (firstReplay) this.told.add(identity);
      return { fresh: false, firstReplay };
    }
    this.seen.set(identity, t);
    while (this.seen.size > this.max) this.forgetOldest();
    return { fresh: true, firstReplay: false };
  }

  /** Forgets `identity` (its request failed, so a retry must be served). */
  forget(identity: string): void {
    this.seen.delete(identity);
    this.told.delete(identity);
  }

  get size(): number {
    return this.seen.size;
  }

  private expire(t: number): void {
    for (const at of this.seen.values()) {
      if (t - at < this.ttlMs) break;
      this.forgetOldest();
    }
  }

  private forgetOldest(): void {
    const first = this.seen.keys().next();
    if (first.done) return;
    this.seen.delete(first.value);
    this.told.delete(first.value);
  }
}

/** The guard the config asks for: none when `request_replay_max` is 0. */
export function requestReplayGuard(
  opts: Pick<MasterConfig, 'request_replay_max' | 'request_replay_ttl_ms'>,
): RequestReplayGuard | undefined {
  if (opts.request_replay_max === 0) return undefined;
  return new RequestReplayGuard(opts.request_replay_ttl_ms, opts.request_replay_max);
}

/**
 * What makes one request the same as another. A `_return` for a job the
 * master published (`jobJid`) is one per minion and job, so a retry (which
 * Salt and tsalt minions send with a new nonce) is the same return. Any
 * other request (a `_return` under jid `req`, where two runs may return
 * alike) is its nonce when it has one, else the digest of the sealed bytes.
 */
export function requestIdentity(
  cmd: string,
  id: string,
  load: Record<string, unknown>,
  sealed: Uint8Array,
  jobJid?: string,
): string {
  if (cmd === '_return' && jobJid !== undefined) return `ret\0${id}\0${jobJid}`;
  const nonce = load['nonce'];
  if (typeof nonce === 'string' && nonce !== '') return `n\0${id}\0${cmd}\0${nonce}`;
  return `s\0${digest(sealed)}`;
}

function digest(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('base64');
}
