import type { Logger } from '@tsalt/core';
import { errorLine } from '@tsalt/core';
import { DecryptError, type KeyPair } from '@tsalt/crypto';
import {
  BadMessageError,
  filePin,
  minionAesRequest,
  minionFireMaster,
  minionPrivateRequest,
  openPublish,
  parsePublishLoad,
  parsePublishSerial,
  signIn,
  tcpAddress,
  zmqTransport,
  type MasterPin,
  type MinionChannel,
  type PublishLoad,
  type Session,
  type RequestChannel,
  type Subscription,
  type Transport,
} from '@tsalt/transport';
import { matchMinion } from '@tsalt/targeting';
import type { MinionConfig } from '@tsalt/config';
import type { JobReturn } from './executor.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** How long a replaced SUB keeps delivering after its successor opened (ms): long enough for the successor to join. */
const SUB_HANDOVER_MS = 5000;

/** How long a stopping minion spends telling the master it is leaving (ms). */
const LEAVE_TIMEOUT_MS = 1000;

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Python's `time.asctime()`, local time: `Sun Jun  2 23:21:05 1993` (the day padded with a space). */
export function asctime(d = new Date()): string {
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())} ${d.getFullYear()}`;
}

export interface MasterLinkOptions {
  opts: MinionConfig;
  pair: KeyPair;
  /** The minion's grains, updated in place on every refresh (so matching sees the current ones). */
  grains: Record<string, unknown>;
  /** The pillar the master compiled for us, updated in place the same way; `-I`/`-J` targets match on it. */
  pillar?: Record<string, unknown>;
  log: Logger;
  /** The trusted master key; Salt's `minion_master.pub` unless given. */
  pin?: MasterPin;
  /** A publish that decrypted, verified, is new, and targets this minion. */
  onJob(load: PublishLoad): void;
  /** The master refused this minion for good (rejected key, master key changed). */
  onFatal(err: unknown): void;
  /** The channels to the master; ZeroMQ unless given (unit tests pass a MemoryTransport). */
  transport?: Transport;
}

/**
 * One minion's connection to its master: sign-in and re-auth, the SUB with
 * decrypt, replay and target checks, and the AES requests (returns, events,
 * heartbeats). tsalt-minion runs one; tsalt-swarm runs thousands in one
 * process, so nothing here touches process-wide state.
 */
export class MasterLink {
  private readonly req: RequestChannel;
  private sub: Subscription | undefined;
  private subPort = 0;
  /** SUBs replaced but still delivering until their successor has joined. */
  private readonly retiring = new Set<Subscription>();
  private session: Session | undefined;
  private reauth: Promise<void> | undefined;
  /**
   * The highest publish serial seen under `serialKey` (the session key it
   * counts under). Only a new session key resets it: a re-auth that hands
   * back the same key (after an injected publish that did not decrypt) must
   * not reopen the door to publishes captured earlier.
   */
  private lastSerial = 0;
  private serialKey: string | undefined;
  /** Jids already run, oldest first, at most `minion_jid_queue_hwm`: a second guard whatever the serial says. */
  private readonly recentJids: string[] = [];
  private stopped = false;
  private heartbeats: NodeJS.Timeout[] = [];
  private readonly pin: MasterPin;
  private readonly transport: Transport;
  /** How many times this link has signed in (1 after the first). */
  signIns = 0;

  constructor(private readonly o: MasterLinkOptions) {
    const { opts } = o;
    this.pin = o.pin ?? filePin(opts.pki_dir);
    this.transport = o.transport ?? zmqTransport;
    this.req = this.transport.requestChannel({
      address: tcpAddress(this.masterHost, opts.master_port),
      reconnectInterval: this.reconInterval(),
      reconnectMaxInterval: opts.recon_max_ms,
      maxMessageSize: opts.max_request_size * 2,
      keepalive: opts,
    });
    // Connected before the sign-in, so that by the time the session key
    // arrives the SUB has joined and the first publish is not missed.
    this.openSub(opts.publish_port);
  }

  get id(): string {
    return this.o.opts.id;
  }

  /** This link as @tsalt/transport's request helpers see it. */
  private get channel(): MinionChannel {
    return {
      id: this.o.opts.id,
      req: this.req,
      minionPrivate: this.o.pair.privateKey,
      session: () => this.session,
      reauthenticate: (freshSub) => this.reauthenticate(0, freshSub),
    };
  }

  get authenticated(): boolean {
    return this.session !== undefined;
  }

  /** The master said, at sign-in, that it understands tsalt's `_presence`. */
  private get masterHasPresence(): boolean {
    return this.session?.features.includes('presence') ?? false;
  }

  private get masterHost(): string {
    const m = this.o.opts.master;
    return Array.isArray(m) ? String(m[0] ?? 'salt') : m;
  }

  /** Salt's `recon_randomize`: the first reconnect interval is random in [default, default+max]. */
  private reconInterval(): number {
    const { recon_default_ms: d, recon_max_ms: m, recon_randomize: r } = this.o.opts;
    return r ? d + Math.floor(Math.random() * m) : d;
  }

  /**
   * Opens the SUB, or a fresh one (`fresh`): after the master went away, the
   * old SUB may wait up to recon_max to reconnect, and a publish sent
   * meanwhile would be lost. The old one keeps delivering for a moment, so
   * nothing falls in the gap; the serial check drops what both deliver.
   */
  private openSub(port: number, fresh = false): void {
    if (this.sub && this.subPort === port && !fresh) return;
    const old = this.sub;
    const { opts } = this.o;
    this.subPort = port;
    this.sub = this.transport.subscription({
      address: tcpAddress(this.masterHost, port),
      identity: opts.id,
      reconnectInterval: this.reconInterval(),
      reconnectMaxInterval: opts.recon_max_ms,
      maxMessageSize: opts.max_request_size * 2,
      keepalive: opts,
    });
    void this.publishLoop(this.sub);
    if (old) {
      this.retiring.add(old);
      setTimeout(() => {
        this.retiring.delete(old);
        old.close();
      }, SUB_HANDOVER_MS).unref();
    }
  }

  /** Signs in (waiting as long as the key is pending); throws when refused for good. */
  async authenticate(freshSub = false): Promise<void> {
    // Before the request: the new SUB joins while the master works on the sign-in.
    if (freshSub) this.openSub(this.subPort, true);
    const session = await signIn(this.o.opts, this.o.pair, this.req, this.o.log, () => this.stopped, this.pin);
    this.session = session;
    const sameKey = session.aes.keyString === this.serialKey;
    if (!sameKey) {
      this.serialKey = session.aes.keyString;
      this.lastSerial = 0;
    }
    // After the first sign-in, say whether the replay guard was kept (same key) or started over.
    if (this.signIns > 0) {
      this.o.log.info(
        { serial: this.lastSerial },
        sameKey ? 're-authenticated: same session key, publish serial kept' : 're-authenticated: new session key',
      );
    }
    this.signIns++;
    this.openSub(session.publishPort);
  }

  /**
   * Re-authenticates once, however many publishes or replies failed to
   * decrypt meanwhile. `freshSub` when a request found the master without
   * our session (it restarted): our SUB may still be waiting to reconnect.
   */
  private reauthenticate(delayMs: number, freshSub = false): Promise<void> {
    this.reauth ??= (async () => {
      await sleep(delayMs);
      this.o.log.info('session key no longer valid; re-authenticating');
      await this.authenticate(freshSub);
    })().finally(() => (this.reauth = undefined));
    return this.reauth;
  }

  private async publishLoop(sub: Subscription): Promise<void> {
    for await (const msg of sub.messages()) {
      if (this.stopped) break;
      // Before the first sign-in there is no key: the publish was not for us yet.
      if (!this.session) continue;
      let load: Record<string, unknown>;
      try {
        load = openPublish(msg, this.session.aes, this.o.opts.sign_pub_messages ? this.session.masterPub : undefined);
      } catch (err) {
        if (err instanceof DecryptError) {
          // A new session key (rotation, master restart): re-auth, then read
          // this publish again with the new key, as Salt does, so the job is
          // not lost. Salt's random_reauth_delay spreads the storm (s).
          void this.reauthenticate(Math.random() * this.o.opts.random_reauth_delay_ms)
            .then(() => this.retryPublish(msg))
            .catch((e: unknown) => this.o.onFatal(e));
        } else {
          this.o.log.warn({ err: errorLine(err) }, 'dropped a publish that does not verify');
        }
        continue;
      }
      this.handlePublish(load);
    }
  }

  private retryPublish(msg: Buffer): void {
    if (!this.session || this.stopped) return;
    try {
      this.handlePublish(
        openPublish(msg, this.session.aes, this.o.opts.sign_pub_messages ? this.session.masterPub : undefined),
      );
    } catch {
      // Made with a key older than ours: nothing to run.
    }
  }

  private handlePublish(raw: Record<string, unknown>): void {
    const serial = parsePublishSerial(raw);
    if (serial <= this.lastSerial) {
      this.o.log.warn({ serial }, 'dropped a replayed publish');
      return;
    }
    this.lastSerial = serial;
    let load: PublishLoad;
    try {
      load = parsePublishLoad(raw);
    } catch (err) {
      if (!(err instanceof BadMessageError)) throw err;
      this.o.log.warn({ field: err.field }, `dropped a bad publish: ${err.message}`);
      return;
    }
    const { jid } = load;
    try {
      // Salt's minion: the publish's delimiter applies to grain/pillar targets.
      const delimiter = load.delimiter || undefined;
      const me = { id: this.o.opts.id, grains: this.o.grains, ...(this.o.pillar ? { pillar: this.o.pillar } : {}) };
      if (!matchMinion(load.tgt, load.tgt_type, me, delimiter ? { delimiter } : {})) return;
    } catch (err) {
      this.o.log.warn({ jid, err: errorLine(err) }, 'dropped a publish with a bad target');
      return;
    }
    if (this.recentJids.includes(jid)) {
      this.o.log.warn({ jid }, 'dropped a publish for a job already run');
      return;
    }
    this.recentJids.push(jid);
    if (this.recentJids.length > this.o.opts.minion_jid_queue_hwm) this.recentJids.shift();
    this.o.onJob(load);
  }

  /** Sends an AES request, re-authenticating once if the master no longer knows our session key. */
  aesRequest(load: Record<string, unknown>, timeoutMs: number): Promise<unknown> {
    return minionAesRequest(this.channel, load, timeoutMs);
  }

  /** `_pillar` and its kind: the reply only this minion can read (@tsalt/transport's minionPrivateRequest). */
  privateRequest(load: Record<string, unknown>, dictKey: string, timeoutMs: number): Promise<unknown> {
    return minionPrivateRequest(this.channel, load, dictKey, timeoutMs);
  }

  /** Salt's return with `return_retry_tries`, each try waiting a random `return_retry_timer`..`_max`. */
  async sendReturn(ret: JobReturn): Promise<boolean> {
    const { return_retry_tries: tries, return_retry_timer_ms: lo, return_retry_timer_max_ms: hi } = this.o.opts;
    for (let i = 0; i <= tries; i++) {
      const timeout = lo + Math.random() * Math.max(0, hi - lo); // ms
      try {
        // A tsalt-master answers true; a Salt master None once it stored the
        // return, and False only when it refused it.
        const ok = await this.aesRequest(ret, timeout);
        if (ok === false) this.o.log.warn({ jid: ret.jid }, 'master refused the return');
        return ok !== false;
      } catch (err) {
        this.o.log.warn({ jid: ret.jid, err: errorLine(err) }, 'return not acknowledged; retrying');
      }
    }
    this.o.log.error({ jid: ret.jid }, `The minion failed to return the job information for job ${ret.jid}.`);
    return false;
  }

  /** `event.fire_master`: Salt's `_minion_event` (@tsalt/transport's minionFireMaster). */
  fireMaster(tag: string, data: unknown, preload?: Record<string, unknown>): Promise<void> {
    return minionFireMaster(this.channel, tag, data, preload, this.o.opts.auth_timeout_ms);
  }

  /** Salt's `_fire_master_minion_start`: the legacy `minion_start` (when enabled), then `salt/minion/<id>/start`. */
  async fireStartEvents(): Promise<void> {
    const { opts, grains: all } = this.o;
    const msg = `Minion ${opts.id} started at ${asctime()}`;
    const wanted = opts.start_event_grains ?? [];
    const grains = wanted.length
      ? Object.fromEntries(wanted.filter((k) => k in all).map((k) => [k, all[k]]))
      : undefined;
    const tags = [...(opts.enable_legacy_startup_events ? ['minion_start'] : []), `salt/minion/${opts.id}/start`];
    try {
      for (const tag of tags) {
        await this.aesRequest(
          { cmd: '_minion_event', tag, data: msg, pretag: null, ...(grains ? { grains } : {}) },
          opts.auth_timeout_ms,
        );
      }
    } catch (err) {
      this.o.log.warn({ err: errorLine(err) }, 'could not fire the start events');
    }
  }

  /**
   * The presence heartbeat (tsalt's `presence_interval`, s; 0 turns it off):
   * a small `_presence` request the master counts as "connected" for
   * `salt/presence/*`, without an event on the bus. And Salt's own
   * `ping_interval` (minutes): a `minion_ping` event. The first beat comes
   * at a random point of the first interval, so a thousand minions started
   * together do not beat together.
   */
  startHeartbeats(): void {
    if (this.heartbeats.length || this.stopped) return;
    const { opts, log } = this.o;
    const everyMs = opts.presence_interval_ms;
    // A Salt master knows no `_presence` ("Requested method not exposed"): only a tsalt-master gets the beat.
    if (everyMs > 0 && this.masterHasPresence) {
      const beat = (): void => {
        this.aesRequest(
          // The master's wire field is in s, as the config key is.
          { cmd: '_presence', interval: opts.presence_interval },
          Math.min(everyMs, opts.auth_timeout_ms),
        ).catch((err: unknown) => log.debug({ err: errorLine(err) }, 'presence heartbeat not acknowledged'));
      };
      // The start events already told the master we are here.
      const first = setTimeout(() => {
        beat();
        this.heartbeats.push(setInterval(beat, everyMs).unref());
      }, Math.random() * everyMs);
      this.heartbeats.push(first);
    }
    if (opts.ping_interval_ms > 0) {
      const ping = (): void => {
        this.fireMaster('minion_ping', 'ping').catch((err: unknown) =>
          log.warn({ err: errorLine(err) }, 'minion_ping not acknowledged'),
        );
      };
      this.heartbeats.push(setInterval(ping, opts.ping_interval_ms));
    }
    for (const t of this.heartbeats) t.unref();
  }

  /** Tells the master this minion is going, so presence reports it lost at once; bounded, best effort. */
  private async leave(): Promise<void> {
    if (!this.session || this.heartbeats.length === 0 || !this.masterHasPresence) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.aesRequest({ cmd: '_presence', leaving: true }, LEAVE_TIMEOUT_MS).catch(() => undefined),
      new Promise((r) => (timer = setTimeout(r, LEAVE_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
  }

  /** Stops listening and the heartbeats, and says goodbye (when `leave`); requests still go out until close(). */
  async stopListening(leave = true): Promise<void> {
    this.stopped = true;
    for (const t of this.heartbeats) clearTimeout(t);
    if (leave) await this.leave();
    this.heartbeats = [];
    this.closeSubs();
  }

  private closeSubs(): void {
    this.sub?.close();
    for (const s of this.retiring) s.close();
    this.retiring.clear();
  }

  close(): void {
    this.stopped = true;
    for (const t of this.heartbeats) clearTimeout(t);
    this.closeSubs();
    this.req.close();
  }
}
