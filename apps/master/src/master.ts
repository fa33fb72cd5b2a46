import { FileServer } from '@tsalt/fileserver';
import fs from 'node:fs';
import type { Logger } from '@tsalt/core';
import { errorLine, isRecord, LogThrottle } from '@tsalt/core';
import { raiseOpenFilesLimit } from '@tsalt/daemon';
import { KeyStore, loadOrCreateKeyPair, type KeyPair } from '@tsalt/crypto';
import {
  localRequestAddress,
  parseCommand,
  tcpAddress,
  zmqTransport,
  type Envelope,
  type RequestServer,
  type Transport,
} from '@tsalt/transport';
import { EventBus } from '@tsalt/events';
import { Registry } from '@tsalt/loader';
import { jobCacheFrom, returnerPlugins, type JobCache } from '@tsalt/returners';
import type { MasterConfig } from '@tsalt/config';
import { handleAuthRequest, parseAuthOrRefuse, type AuthDeps } from './auth-handler.js';
import { AuthQueue } from './auth-queue.js';
import { CLEAR_COMMANDS, handlePublish } from './clear-funcs.js';
import { handleAes } from './aes-funcs.js';
import { requestReplayGuard, type RequestReplayGuard } from './request-replay.js';
import { SessionKeys, dropfilePath } from './session.js';
import { writeRootKey } from './root-key.js';
import { CacheWriter } from './cache-writer.js';
import { EventReturner } from './event-returner.js';
import { Presence } from './presence.js';
import { Publisher } from './publisher.js';
import { ReactorHost } from './reactor-host.js';
import { JobTargets } from './job-targets.js';
import { PillarCompiler, pillarOptions } from '@tsalt/pillar';
import { MinionDataCache } from '@tsalt/cache';
import { checkMinions, resolveNodegroups } from '@tsalt/targeting';
import type { PeerDeps } from './peer-funcs.js';
import { PeerRunner } from './peer-runner.js';
import { TokenBucket } from './token-bucket.js';

/** Requests the master holds at once before it stops reading more: an auth storm of 10,000 fits. */
const MAX_IN_FLIGHT = 20_000;
/**
 * Signed refusals of malformed sign-ins per second (RSA, ~1 ms each): an
 * honest minion with a bad id needs one per retry; a flood gets no reply
 * beyond this, so it cannot spend the master's CPU on signatures.
 */
const SIGNED_REFUSALS_PER_S = 50;

/**
 * tsalt-master: the request server on `ret_port`, the publisher on
 * `publish_port`, the event bus in `sock_dir`, the job cache and the
 * maintenance loop, in one process.
 */
export class Master {
  private readonly keys: KeyStore;
  private readonly session = new SessionKeys();
  /** AES requests already served: a captured one sent again is answered, not acted on (none: `request_replay_max: 0`). */
  private readonly replay: RequestReplayGuard | undefined;
  private pair!: KeyPair;
  private rootKey = '';
  private bus!: EventBus;
  private pub!: Publisher;
  private req!: RequestServer;
  /** The same requests from local clients (the CLI) over IPC in sock_dir, out of the clear limits' reach. */
  private localReq: RequestServer | undefined;
  private jobCache!: JobCache;
  private cache!: CacheWriter;
  private returners!: Registry;
  private eventReturner: EventReturner | undefined;
  private presence: Presence | undefined;
  /** Grains and pillar per minion (Salt's minion data cache), for targeting and cache.* runners. */
  private minionData: MinionDataCache | undefined;
  private reactor: ReactorHost | undefined;
  /** Peer publishing and peer_run (minion_pub, pub_ret, minion_runner). */
  private peer: PeerDeps | undefined;
  private timer: NodeJS.Timeout | undefined;
  private watcher: fs.FSWatcher | undefined;
  private lastClean = 0;
  private readonly auth: AuthQueue;
  /** Log lines any peer can cause: a few per message per 10 s. */
  private readonly peerLog: LogThrottle;
  private readonly refusals = new TokenBucket(SIGNED_REFUSALS_PER_S);
  /** Who each recent job went to, for tokless returns (keep_jobs hours). */
  private readonly targets: JobTargets;
  /** Each minion's pillar, compiled per `_pillar` request from pillar_roots. */
  private readonly pillar: PillarCompiler;
  /** Serves file_roots to the minions' file clients. */
  private readonly fileserver: FileServer;

  constructor(
    private readonly opts: MasterConfig,
    private readonly log: Logger,
    /** The request port's channels; ZeroMQ unless given. (The publisher runs in its own process, on ZeroMQ.) */
    private readonly transport: Transport = zmqTransport,
  ) {
    this.keys = new KeyStore(opts.pki_dir, opts.hash_type);
    this.replay = requestReplayGuard(opts);
    this.targets = new JobTargets(Math.max(1, opts.keep_jobs) * 3600_000);
    this.fileserver = new FileServer({ file_roots: opts.file_roots, hash_type: opts.hash_type });
    this.pillar = new PillarCompiler(pillarOptions(opts), log.child({ component: 'pillar' }));
    this.peerLog = new LogThrottle(log);
    this.auth = new AuthQueue((req) => handleAuthRequest(req, this.authDeps()), log.child({ component: 'auth' }));
  }

  private authDeps(): AuthDeps {
    return {
      opts: this.opts,
      keys: this.keys,
      session: this.session,
      masterPrivate: this.pair.privateKey,
      masterPubPem: this.pair.publicPem,
      log: this.log,
      peerLog: this.peerLog,
      refusals: this.refusals,
      fire: this.fire,
    };
  }

  async start(): Promise<void> {
    const { opts, log } = this;
    fs.mkdirSync(opts.cachedir, { recursive: true, mode: 0o700 });
    this.keys.ensureDirs();
    this.checkOpenFiles();
    this.pair = loadOrCreateKeyPair(opts.pki_dir, 'master', opts.keysize);
    this.rootKey = writeRootKey(opts.cachedir, log);
    this.minionData = new MinionDataCache({
      cachedir: opts.cachedir,
      enabled: opts.minion_data_cache,
      mine: opts.minion_data_cache || opts.enforce_mine_cache,
      log: log.child({ component: 'minion-data-cache' }),
    });
    this.minionData.watch();
    fs.rmSync(dropfilePath(opts.cachedir), { force: true });
    this.returners = new Registry(
      { kind: 'returner', opts, log: log.child({ component: 'returner' }) },
      returnerPlugins(),
    );
    this.jobCache = jobCacheFrom(this.returners, opts.master_job_cache);
    this.cache = new CacheWriter(this.jobCache, opts, log.child({ component: 'job-cache' }));

    this.bus = new EventBus({
      sockDir: opts.sock_dir,
      maxEventSize: opts.max_event_size,
      log: log.child({ component: 'event' }),
    });
    await this.bus.start();
    this.eventReturner = new EventReturner(opts, this.returners, log.child({ component: 'event_return' }));
    this.eventReturner.start(this.bus);
    this.pub = new Publisher({
      address: tcpAddress(opts.interface, opts.publish_port),
      sockDir: opts.sock_dir,
      highWaterMark: opts.pub_hwm,
      backlog: opts.zmq_backlog,
      keepalive: opts,
      subscriptionMaxBytes: opts.pub_subscription_max_bytes,
      logLevel: opts.log_level,
      log,
    });
    await this.pub.start();
    this.req = this.transport.requestServer(
      // In flight includes sign-ins waiting in the auth queue: one per minion in a storm (~2 KB each).
      {
        address: tcpAddress(opts.interface, opts.ret_port),
        maxRequestSize: opts.max_request_size,
        maxInFlight: MAX_IN_FLIGHT,
        clear: {
          maxSize: opts.max_clear_request_size,
          perPeer: opts.max_clear_requests_per_peer,
          total: opts.max_clear_requests,
          decodeBudgetMs: opts.max_decode_time_ms,
        },
        backlog: opts.zmq_backlog,
        keepalive: opts,
        log: log.child({ component: 'req' }),
      },
      (env) => this.dispatch(env),
    );
    await this.req.start();
    // sock_dir is 0700 (made by the bus), so only the master's user reaches this one.
    const local = localRequestAddress(opts.sock_dir);
    fs.rmSync(local.slice('ipc://'.length), { force: true });
    this.localReq = this.transport.requestServer(
      {
        address: local,
        maxRequestSize: opts.max_request_size,
        maxInFlight: MAX_IN_FLIGHT,
        backlog: opts.zmq_backlog,
        log: log.child({ component: 'local-req' }),
      },
      (env) => this.dispatch(env),
    );
    await this.localReq.start();
    this.startMaintenance();
    this.presence = new Presence({
      enabled: opts.presence_events,
      loopIntervalMs: opts.loop_interval_ms,
      fire: this.fire,
      log: log.child({ component: 'presence' }),
    });
    this.presence.start();
    // The reactor publishes local.* reactions through the same path as a client's clear `publish`.
    this.reactor = new ReactorHost(opts, {
      bus: this.bus,
      keys: this.keys,
      jobCache: this.jobCache,
      returners: this.returners,
      ...(this.minionData.enabled ? { minionData: this.minionData } : {}),
      fileserver: this.fileserver,
      log: log.child({ component: 'reactor' }),
      publish: (load) => this.dispatch({ enc: 'clear', load: { ...load, cmd: 'publish', key: this.rootKey } }),
    });
    this.reactor.start();
    this.peer = {
      opts,
      log: log.child({ component: 'peer' }),
      publish: (load) => this.dispatch({ enc: 'clear', load: { ...load, cmd: 'publish', key: this.rootKey } }),
      jobCache: this.jobCache,
      minions: (tgt, tgtType) => this.expectedMinions(tgt, tgtType),
      runner: new PeerRunner(opts, {
        keys: this.keys,
        jobCache: this.jobCache,
        returners: this.returners,
        ...(this.minionData.enabled ? { minionData: this.minionData } : {}),
        fileserver: this.fileserver,
        log: log.child({ component: 'peer' }),
        fire: this.fire,
      }),
    };
    log.info({ publish_port: opts.publish_port, ret_port: opts.ret_port }, 'tsalt-master started');
  }

  /**
   * Salt's check_max_open_files: every connected minion holds a socket on
   * the publisher and one on the request server, so 10,000 minions need
   * over 20,000 open files; raise the limit towards `max_open_files`.
   */
  private checkOpenFiles(): void {
    const limit = raiseOpenFilesLimit(this.opts.max_open_files);
    if (!limit) return;
    const accepted = this.keys.ids('accepted').length;
    if (accepted * 4 > limit.soft) {
      this.log.warn(
        `The number of accepted minion keys (${accepted}) should be lower than 1/4 of the max open files soft setting (${limit.soft}). Raise max_open_files or the hard limit (ulimit -Hn).`,
      );
    } else {
      this.log.debug({ soft: limit.soft, hard: limit.hard }, 'open files limit');
    }
  }

  private extSaveLoad = async (
    returner: string,
    jid: string,
    load: Record<string, unknown>,
    minions: string[],
  ): Promise<void> => {
    try {
      await this.returners.call(`${returner}.save_load`, [jid, load, minions]);
    } catch (err) {
      this.log.error({ jid, returner, err: errorLine(err) }, 'ext_job_cache save_load failed');
    }
  };

  /** Salt's check_minions for the peer ACL: the accepted minions a target reaches, nodegroups resolved. */
  private expectedMinions(tgt: string | string[], tgtType: string): string[] {
    const nodegroups = isRecord(this.opts.nodegroups)
      ? (this.opts.nodegroups as Record<string, string | string[]>)
      : {};
    const r = resolveNodegroups(tgt, tgtType, nodegroups, this.opts.conf_file || undefined);
    const cache = this.minionData?.enabled ? this.minionData : undefined;
    return checkMinions(r.tgt as string | string[], r.tgtType, this.keys.ids('accepted'), {
      nodegroups,
      ...(cache
        ? {
            data: (id: string) => {
              const data = cache.get(id);
              return data ? { id, ...data } : undefined;
            },
          }
        : {}),
    }).minions;
  }

  private fire = (tag: string, data: Record<string, unknown>): boolean => this.bus.fire(tag, data);

  private async dispatch(env: Envelope): Promise<unknown> {
    if (env.enc === 'aes') {
      return handleAes(env, {
        opts: this.opts,
        keys: this.keys,
        session: this.session,
        cache: this.cache,
        log: this.log,
        fire: this.fire,
        ...(this.presence ? { presence: this.presence } : {}),
        masterPrivate: this.pair.privateKey,
        targets: this.targets,
        pillar: this.pillar,
        fileserver: this.fileserver,
        ...(this.minionData?.enabled ? { minionData: this.minionData } : {}),
        ...(this.peer ? { peer: this.peer } : {}),
        ...(this.minionData?.mineEnabled ? { mine: this.minionData } : {}),
        ...(this.replay ? { replay: this.replay } : {}),
      });
    }
    if (env.enc !== 'clear' || !isRecord(env.load)) return 'bad load';
    const load = env.load;
    const { cmd, shown } = parseCommand(load);
    if (cmd === '_auth') {
      // A bad id or no key is refused at once: cheap, nothing to queue.
      const { req, refusal } = parseAuthOrRefuse(load, this.authDeps());
      return req ? this.auth.submit(req) : refusal;
    }
    if (cmd === undefined || !CLEAR_COMMANDS.has(cmd)) {
      this.peerLog.warn({ cmd: shown }, 'refused clear command outside the allow-list');
      return { enc: 'clear', load: { error: { name: 'AuthorizationError', message: `'${shown}' is not allowed` } } };
    }
    if (cmd === 'ping') return { enc: 'clear', load: true };
    return handlePublish(load, {
      opts: this.opts,
      rootKey: this.rootKey,
      keys: this.keys,
      session: this.session,
      masterPrivate: this.pair.privateKey,
      pub: this.pub,
      cache: this.cache,
      log: this.log,
      fire: this.fire,
      extSaveLoad: this.extSaveLoad,
      targets: this.targets,
      ...(this.minionData?.enabled ? { minionData: this.minionData } : {}),
      ...(this.presence ? { connected: () => this.presence?.present() ?? [] } : {}),
    });
  }

  /**
   * Salt's Maintenance process: rotate the session key on the dropfile or
   * after `publish_session` seconds, and clean old jobs. The dropfile is
   * also watched, so a `tsalt-key -d` cuts the minion off at once rather
   * than within `loop_interval`.
   */
  private startMaintenance(): void {
    const tick = (): void => {
      try {
        this.maintain();
      } catch (err) {
        this.log.error({ err: errorLine(err) }, 'maintenance failed');
      }
    };
    this.timer = setInterval(tick, Math.max(1000, this.opts.loop_interval_ms));
    this.timer.unref();
    try {
      this.watcher = fs.watch(this.opts.cachedir, (_ev, name) => {
        if (name === '.dfn') tick();
      });
      this.watcher.on('error', () => undefined);
    } catch {
      // The loop still catches the dropfile.
    }
  }

  private maintain(): void {
    const dfn = dropfilePath(this.opts.cachedir);
    const expired =
      this.opts.publish_session_ms > 0 && Date.now() - this.session.createdAt > this.opts.publish_session_ms;
    if (fs.existsSync(dfn) || expired) {
      fs.rmSync(dfn, { force: true });
      this.session.rotate();
      this.log.info('rotated the AES session key');
      this.fire('key', { rotate_aes_key: true });
    }
    const now = Date.now();
    if (now - this.lastClean >= this.opts.loop_interval_ms) {
      this.lastClean = now;
      this.jobCache
        .cleanOldJobs()
        .catch((err: unknown) => this.log.error({ err: errorLine(err) }, 'clean_old_jobs failed'));
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.presence?.stop();
    // First, while the publisher is up: running reactions may still publish.
    await this.reactor?.stop();
    this.peer?.runner.close();
    this.watcher?.close();
    await this.req?.close();
    await this.localReq?.close();
    await this.cache?.close();
    await this.minionData?.close();
    await this.eventReturner?.close();
    // Returners flush their spools and close their connections.
    await this.returners?.shutdown();
    this.pub?.close();
    this.peerLog.close();
    await this.bus?.close();
    this.log.info('tsalt-master stopped');
  }
}
