import os from 'node:os';
import { errorLine, type Logger } from '@tsalt/core';
import { EventListener } from '@tsalt/events';
import { BadMessageError, pack, parsePublishReply, ReqClient, RequestTimeoutError, unpack } from '@tsalt/transport';
import {
  AuthFailedError,
  BadReplyError,
  BusUnreachableError,
  ClientClosedError,
  MasterTimeoutError,
  PublishRefusedError,
} from './errors.js';
import { JobEvents } from './job-events.js';
import { masterReqAddress, readRootKey } from './master-access.js';
import { waitForReturns } from './wait.js';
import { runBatch, type BatchEvent, type BatchParams } from './batch.js';
import type {
  BatchOptions,
  ClientOpts,
  CliReturn,
  CmdOptions,
  PingedTarget,
  PublishOptions,
  PublishReply,
  WaitOptions,
} from './types.js';

/** How long the master may take to answer a publish (ms): it only checks the key and matches targets. */
const PUBLISH_REPLY_TIMEOUT_MS = 10_000;
/** How long the bus may take to confirm our subscription (ms). */
const BUS_READY_TIMEOUT_MS = 3000;

export interface LocalClientOptions {
  log?: Logger;
  /** The user recorded on the job. @default the OS user */
  user?: string;
}

/** Salt's `condition_input`: keyword arguments travel as one trailing `__kwarg__` dict. */
function withKwarg(arg: readonly unknown[], kwarg: Record<string, unknown> | undefined): unknown[] {
  const out = [...arg];
  if (kwarg && Object.keys(kwarg).length) out.push({ __kwarg__: true, ...kwarg });
  return out;
}

/**
 * Salt's LocalClient, for programs on the master host: publishes with the
 * root key over the request port and gathers `salt/job/<jid>/ret/<id>` from
 * the master event bus.
 *
 *   const client = new LocalClient(opts);
 *   try {
 *     const up = await client.cmd('*', 'test.ping', [], { timeout: 5 });
 *   } finally {
 *     client.close();
 *   }
 *
 * Sockets open on first use, so an unused client costs nothing. One bus
 * subscription serves every call on the client.
 */
export class LocalClient {
  private readonly events = new JobEvents();
  private listener: EventListener | undefined;
  private busReady: Promise<void> | undefined;
  private req: ReqClient | undefined;
  private closed = false;
  private readonly log: Logger | undefined;
  private readonly user: string;

  constructor(
    private readonly opts: ClientOpts,
    options: LocalClientOptions = {},
  ) {
    this.log = options.log;
    this.user = options.user ?? os.userInfo().username;
  }

  /** Subscribes to the bus once; later calls share it. */
  private connectBus(): Promise<void> {
    this.busReady ??= (async () => {
      const listener = new EventListener({ sockDir: this.opts.sock_dir, prefixes: ['salt/job/'] });
      this.listener = listener;
      try {
        await listener.ready(BUS_READY_TIMEOUT_MS);
      } catch (err) {
        throw new BusUnreachableError(errorLine(err), { cause: err });
      }
      void this.pump(listener);
    })();
    return this.busReady;
  }

  private async pump(listener: EventListener): Promise<void> {
    try {
      while (!this.closed) {
        // The wait is only an upper bound: close() ends it at once.
        const ev = await listener.next(60_000);
        if (ev) this.events.route(ev.tag, ev.data);
      }
    } catch (err) {
      this.log?.warn({ err: errorLine(err) }, 'the event bus subscription failed');
    } finally {
      this.events.end();
    }
  }

  /**
   * Publishes a job (Salt's `run_job`/`pub`). With `listen` (the default) the
   * bus subscription is live before the publish, so no return is missed.
   * `jid` is '' when the target matched no minion.
   */
  async publish(
    tgt: string | string[],
    fun: string,
    arg: readonly unknown[] = [],
    o: PublishOptions = {},
  ): Promise<PublishReply> {
    if (this.closed) throw new ClientClosedError();
    const key = readRootKey(this.opts);
    if (o.listen !== false) await this.connectBus();
    this.req ??= new ReqClient({ address: masterReqAddress(this.opts) });
    const load = {
      cmd: 'publish',
      tgt,
      fun,
      arg: withKwarg(arg, o.kwarg),
      key,
      tgt_type: o.tgt_type ?? 'glob',
      ret: o.ret ?? '',
      jid: o.jid ?? '',
      kwargs: { show_timeout: true, show_jid: false, delimiter: ':', ...(o.kwargs ?? {}) },
      user: this.user,
    };
    let raw: Buffer;
    try {
      raw = await this.req.request(pack({ enc: 'clear', load, version: 2 }), PUBLISH_REPLY_TIMEOUT_MS);
    } catch (err) {
      if (err instanceof RequestTimeoutError) throw new MasterTimeoutError({ cause: err });
      throw err;
    }
    let reply;
    try {
      reply = parsePublishReply(unpack(raw));
    } catch (err) {
      if (err instanceof BadMessageError) throw new BadReplyError(err.message);
      throw err;
    }
    if (reply.kind === 'error') {
      if (reply.name === 'AuthenticationError') throw new AuthFailedError(reply.message);
      throw new PublishRefusedError(reply.name, reply.message);
    }
    const out: PublishReply = { jid: reply.jid, minions: reply.minions, missing: reply.missing };
    if (reply.not_connected) out.notConnected = reply.not_connected;
    return out;
  }

  /**
   * Salt's `get_cli_event_returns`: yields each minion's return as it comes,
   * checks on silent minions with `saltutil.find_job`, and finally yields the
   * minions given up on (`kind: 'missing'`). Needs a `publish` with `listen`.
   */
  async *getCliReturns(jid: string, minions: Iterable<string>, o: WaitOptions = {}): AsyncGenerator<CliReturn> {
    await this.connectBus();
    yield* waitForReturns(
      { events: this.events, log: this.log, findJob: (j, ms) => this.findJob(j, ms) },
      jid,
      minions,
      {
        timeout: o.timeout ?? this.opts.timeout,
        gatherJobTimeout: o.gatherJobTimeout ?? this.opts.gather_job_timeout,
        ...(o.notConnected ? { notConnected: o.notConnected } : {}),
      },
    );
  }

  private async findJob(jid: string, minions: string[]): Promise<PublishReply | undefined> {
    try {
      return await this.publish(minions, 'saltutil.find_job', [jid], { tgt_type: 'list' });
    } catch (err) {
      this.log?.warn({ jid, err: errorLine(err) }, 'could not ask the minions whether the job is still running');
      return undefined;
    }
  }

  /**
   * Salt's `cmd`: publish, wait, and return `{minion: return}` for the
   * minions that returned. `{}` when nothing matched.
   */
  async cmd(
    tgt: string | string[],
    fun: string,
    arg: readonly unknown[] = [],
    o: CmdOptions = {},
  ): Promise<Record<string, unknown>> {
    const pub = await this.publish(tgt, fun, arg, { ...o, listen: true });
    const ret: Record<string, unknown> = {};
    if (!pub.jid) return ret;
    const wait = pub.notConnected ? { ...o, notConnected: pub.notConnected } : o;
    for await (const r of this.getCliReturns(pub.jid, [...pub.minions, ...pub.missing], wait)) {
      if (r.kind === 'return') ret[r.id] = r.data['return'];
    }
    return ret;
  }

  /** Salt's `cmd_async`: publish without listening; the jid, or '' when nothing matched. */
  async cmdAsync(
    tgt: string | string[],
    fun: string,
    arg: readonly unknown[] = [],
    o: PublishOptions = {},
  ): Promise<string> {
    return (await this.publish(tgt, fun, arg, { ...o, listen: false })).jid;
  }

  /**
   * Salt's batch ping (`Batch.gather_minions`): `test.ping` to the target,
   * waited for as the CLI waits. `up` answered (sorted); `down` was targeted
   * and did not. `matched` is false when the target matched no minion.
   */
  async pingTarget(tgt: string | string[], o: CmdOptions = {}): Promise<PingedTarget> {
    const pub = await this.publish(tgt, 'test.ping', [], { ...o, listen: true });
    if (!pub.jid) return { matched: false, up: [], down: [] };
    const targeted = [...pub.minions, ...pub.missing];
    const up = new Set<string>();
    const wait = pub.notConnected ? { ...o, notConnected: pub.notConnected } : o;
    for await (const r of this.getCliReturns(pub.jid, targeted, wait)) if (r.kind === 'return') up.add(r.id);
    // Salt's `did not respond` names only minions the master sent the ping to, not ids a list named without a key.
    return { matched: true, up: [...up].sort(), down: pub.minions.filter((m) => !up.has(m)).sort() };
  }

  /**
   * Salt's batch run over minions found by `pingTarget`: the job goes to at
   * most `size` of them at a time, one publish (tgt_type list) per group
   * started; see `runBatch` for what is yielded.
   */
  cmdBatch(
    minions: readonly string[],
    fun: string,
    arg: readonly unknown[],
    o: BatchOptions & BatchParams,
  ): AsyncGenerator<BatchEvent> {
    const { size, waitS, failhard, ...rest } = o;
    const params: BatchParams = { size, ...(waitS !== undefined ? { waitS } : {}), ...(failhard ? { failhard } : {}) };
    const run = async function* (this: LocalClient, group: string[], onJid: (jid: string) => void) {
      const pub = await this.publish(group, fun, arg, { ...rest, tgt_type: 'list', listen: true });
      if (!pub.jid) return;
      onJid(pub.jid);
      const wait = pub.notConnected ? { ...rest, notConnected: pub.notConnected } : rest;
      yield* this.getCliReturns(pub.jid, [...pub.minions, ...pub.missing], wait);
    };
    return runBatch({ run: (group, onJid) => run.call(this, group, onJid) }, minions, params);
  }

  /** Releases the sockets; waits in progress end. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.listener?.close();
    this.req?.close();
    this.events.end();
  }
}
