import type { Logger } from '@tsalt/core';
import { errorLine } from '@tsalt/core';
import { DecryptError, loadOrCreateKeyPair, type KeyPair } from '@tsalt/crypto';
import { newNonce, openAes, openPublish, pack, ReqClient, sealAes, SubClient, unpack } from '@tsalt/transport';
import { matchMinion } from '@tsalt/targeting';
import type { MinionOpts } from '@tsalt/config';
import { coreGrains } from '@tsalt/modules';
import { signIn, type Session } from './auth-client.js';
import type { JobReturn } from './executor.js';
import { JobRunner } from './job-runner.js';
import { MinionReturners } from './returners.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The heartbeat the master's presence events rely on, when the config does not say (s). */
const DEFAULT_PRESENCE_INTERVAL_S = 30;

/** How long a stopping minion spends telling the master it is leaving (ms). */
const LEAVE_TIMEOUT_MS = 1000;

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Python's `time.asctime()`, local time: `Sun Jun  2 23:21:05 1993` (the day padded with a space). */
export function asctime(d = new Date()): string {
  const p2 = (n: number): string => String(n).padStart(2, '0');
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())} ${d.getFullYear()}`;
}

function tcp(host: string, port: number): string {
  return `tcp://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * tsalt-minion: signs in, listens on the master's PUB, selects itself by
 * target, runs the function and returns over the request socket.
 */
export class Minion {
  private pair!: KeyPair;
  private req!: ReqClient;
  private sub: SubClient | undefined;
  private session: Session | undefined;
  private reauth: Promise<void> | undefined;
  private lastSerial = 0;
  private readonly recentJids: string[] = [];
  private jobs!: JobRunner;
  private returners: MinionReturners | undefined;
  private grains: Record<string, unknown> = {};
  private stopped = false;
  private heartbeats: NodeJS.Timeout[] = [];
  /** Called when the master refuses this minion for good; the bin exits. */
  onFatal: (err: unknown) => void = () => undefined;

  constructor(private readonly opts: MinionOpts, private readonly log: Logger) {}

  private get masterHost(): string {
    const m = this.opts.master;
    return Array.isArray(m) ? String(m[0] ?? 'salt') : m;
  }

  async start(): Promise<void> {
    const { opts } = this;
    this.grains = coreGrains(opts.id, opts.grains ?? {});
    const returners = new MinionReturners({ opts: opts as unknown as Record<string, unknown>, grains: this.grains, log: this.log });
    // First: it checks job_pool_size, so a bad value stops start-up before anything is written.
    this.jobs = new JobRunner({ opts, grains: this.grains, log: this.log, fireEvent: (tag, data, preload) => this.fireMaster(tag, data, preload), returnerNames: returners.names() });
    this.returners = returners;
    returners.resume();
    this.jobs.cleanStale();
    this.pair = loadOrCreateKeyPair(opts.pki_dir, 'minion', opts.keysize);
    this.req = new ReqClient({ address: tcp(this.masterHost, opts.master_port), reconnectInterval: this.reconInterval(), reconnectMaxInterval: opts.recon_max, maxMessageSize: opts.max_request_size * 2 });
    void this.connect();
  }

  /** Salt's `recon_randomize`: the first reconnect interval is random in [default, default+max]. */
  private reconInterval(): number {
    const { recon_default: d, recon_max: m, recon_randomize: r } = this.opts;
    return r ? d + Math.floor(Math.random() * m) : d;
  }

  private async connect(): Promise<void> {
    try {
      await this.authenticate();
      this.log.info({ master: this.masterHost }, 'minion authenticated');
      this.jobs.warm();
      await this.fireStartEvents();
      this.startHeartbeats();
    } catch (err) {
      if (!this.stopped) this.onFatal(err);
    }
  }

  private async authenticate(): Promise<void> {
    const session = await signIn(this.opts, this.pair, this.req, this.log, () => this.stopped);
    this.session = session;
    this.lastSerial = 0;
    if (!this.sub) {
      this.sub = new SubClient({ address: tcp(this.masterHost, session.publishPort), identity: this.opts.id, reconnectInterval: this.reconInterval(), reconnectMaxInterval: this.opts.recon_max, maxMessageSize: this.opts.max_request_size * 2 });
      void this.publishLoop(this.sub);
    }
  }

  /** Re-authenticates once, however many publishes or replies failed to decrypt meanwhile. */
  private reauthenticate(delayMs: number): Promise<void> {
    this.reauth ??= (async () => {
      await sleep(delayMs);
      this.log.info('session key no longer valid; re-authenticating');
      await this.authenticate();
    })().finally(() => (this.reauth = undefined));
    return this.reauth;
  }

  private async publishLoop(sub: SubClient): Promise<void> {
    for await (const msg of sub.messages()) {
      if (this.stopped) break;
      const session = this.session;
      if (!session) continue;
      let load: Record<string, unknown>;
      try {
        load = openPublish(msg, session.aes, this.opts.sign_pub_messages ? session.masterPub : undefined);
      } catch (err) {
        if (err instanceof DecryptError) {
          // Salt's random_reauth_delay spreads the re-auth storm after a rotation (s).
          void this.reauthenticate(Math.random() * this.opts.random_reauth_delay * 1000).catch((e: unknown) => this.onFatal(e));
        } else {
          this.log.warn({ err: errorLine(err) }, 'dropped a publish that does not verify');
        }
        continue;
      }
      this.handlePublish(load);
    }
  }

  private handlePublish(load: Record<string, unknown>): void {
    const serial = typeof load['serial'] === 'number' ? load['serial'] : 0;
    if (serial <= this.lastSerial) {
      this.log.warn({ serial }, 'dropped a replayed publish');
      return;
    }
    this.lastSerial = serial;
    const { tgt, jid, fun } = load;
    if (tgt === undefined || typeof jid !== 'string' || fun === undefined) return;
    try {
      const tgtType = typeof load['tgt_type'] === 'string' ? load['tgt_type'] : 'glob';
      if (!matchMinion(tgt as string | string[], tgtType, { id: this.opts.id, grains: this.grains })) return;
    } catch (err) {
      this.log.warn({ jid, err: errorLine(err) }, 'dropped a publish with a bad target');
      return;
    }
    if (this.recentJids.includes(jid)) return;
    this.recentJids.push(jid);
    if (this.recentJids.length > this.opts.minion_jid_queue_hwm) this.recentJids.shift();
    void this.execute(load);
  }

  private async execute(load: Record<string, unknown>): Promise<void> {
    try {
      const ret = await this.jobs.run(load);
      if (!ret || this.stopped) return;
      await this.sendReturn(ret);
      // Salt's order: the master first, then the job's returners (a failing one never touches the master's copy).
      await this.returners?.dispatch(load, ret);
    } catch (err) {
      this.log.error({ jid: load['jid'], err: errorLine(err) }, 'a job failed outside its function');
    }
  }

  /** Sends an AES request, re-authenticating once if the master no longer knows our session key. */
  private async aesRequest(load: Record<string, unknown>, timeoutMs: number): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      const session = this.session ?? (await this.reauthenticate(0).then(() => this.session));
      if (!session) throw new Error('not authenticated');
      const nonce = newNonce();
      const body = sealAes(session.aes, { ...load, id: this.opts.id, tok: session.tok, nonce });
      const raw = await this.req.request(pack({ enc: 'aes', load: body, version: 2 }), timeoutMs);
      const reply = unpack(raw);
      if (reply instanceof Uint8Array) {
        try {
          return openAes(session.aes, reply, nonce);
        } catch (err) {
          if (!(err instanceof DecryptError) || attempt > 0) throw err;
        }
      } else if (attempt > 0) {
        throw new Error(`master answered ${JSON.stringify(reply)}`);
      }
      await this.reauthenticate(0);
    }
  }

  private async sendReturn(ret: JobReturn): Promise<void> {
    const { return_retry_tries: tries, return_retry_timer: lo, return_retry_timer_max: hi } = this.opts;
    for (let i = 0; i <= tries; i++) {
      const timeout = (lo + Math.random() * Math.max(0, hi - lo)) * 1000;
      try {
        const ok = await this.aesRequest(ret, timeout);
        if (ok !== true) this.log.warn({ jid: ret.jid }, 'master refused the return');
        return;
      } catch (err) {
        this.log.warn({ jid: ret.jid, err: errorLine(err) }, 'return not acknowledged; retrying');
      }
    }
    this.log.error({ jid: ret.jid }, `The minion failed to return the job information for job ${ret.jid}.`);
  }

  /**
   * `event.fire_master`: Salt's `_minion_event` request, `{cmd, id, tag, data,
   * pretag, tok}`; the master fires the load (less tok) as the event data.
   * `preload` keys join the load but never replace cmd, tag, data, id or tok.
   */
  async fireMaster(tag: string, data: unknown, preload?: Record<string, unknown>): Promise<void> {
    const ok = await this.aesRequest({ ...(preload ?? {}), cmd: '_minion_event', tag, data, pretag: null }, this.opts.auth_timeout * 1000);
    if (ok !== true) throw new Error(`the master refused the event ${tag}`);
  }

  /** Salt's `_fire_master_minion_start`: the legacy `minion_start` (when enabled), then `salt/minion/<id>/start`. */
  private async fireStartEvents(): Promise<void> {
    const { opts } = this;
    const msg = `Minion ${opts.id} started at ${asctime()}`;
    const wanted = opts.start_event_grains ?? [];
    const grains = wanted.length ? Object.fromEntries(wanted.filter((k) => k in this.grains).map((k) => [k, this.grains[k]])) : undefined;
    const tags = [...(opts.enable_legacy_startup_events ? ['minion_start'] : []), `salt/minion/${opts.id}/start`];
    try {
      for (const tag of tags) {
        await this.aesRequest({ cmd: '_minion_event', tag, data: msg, pretag: null, ...(grains ? { grains } : {}) }, opts.auth_timeout * 1000);
      }
    } catch (err) {
      this.log.warn({ err: errorLine(err) }, 'could not fire the start events');
    }
  }

  /**
   * The presence heartbeat (tsalt's `presence_interval`, s; 0 turns it off):
   * a small `_presence` request the master counts as "connected" for
   * `salt/presence/*`, without an event on the bus. And Salt's own
   * `ping_interval` (minutes): a `minion_ping` event.
   */
  private startHeartbeats(): void {
    if (this.heartbeats.length || this.stopped) return;
    const raw = (this.opts as unknown as Record<string, unknown>)['presence_interval'];
    const everyS = typeof raw === 'number' && raw >= 0 ? raw : DEFAULT_PRESENCE_INTERVAL_S;
    if (everyS > 0) {
      const beat = (): void => {
        this.aesRequest({ cmd: '_presence', interval: everyS }, Math.min(everyS * 1000, this.opts.auth_timeout * 1000))
          .catch((err: unknown) => this.log.debug({ err: errorLine(err) }, 'presence heartbeat not acknowledged'));
      };
      beat();
      this.heartbeats.push(setInterval(beat, everyS * 1000));
    }
    if (this.opts.ping_interval > 0) {
      const ping = (): void => {
        this.fireMaster('minion_ping', 'ping').catch((err: unknown) => this.log.warn({ err: errorLine(err) }, 'minion_ping not acknowledged'));
      };
      this.heartbeats.push(setInterval(ping, this.opts.ping_interval * 60_000));
    }
    for (const t of this.heartbeats) t.unref();
  }

  /** Tells the master this minion is going, so presence reports it lost at once; bounded, best effort. */
  private async leave(): Promise<void> {
    if (!this.session || this.heartbeats.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.aesRequest({ cmd: '_presence', leaving: true }, LEAVE_TIMEOUT_MS).catch(() => undefined),
      new Promise((r) => (timer = setTimeout(r, LEAVE_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.heartbeats) clearInterval(t);
    await this.leave();
    this.heartbeats = [];
    this.sub?.close();
    await this.jobs?.stop();
    // After the jobs: returns being handed to returners land in their spools, which then flush.
    await this.returners?.shutdown();
    this.req?.close();
  }
}
