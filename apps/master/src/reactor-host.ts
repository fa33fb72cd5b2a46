import os from 'node:os';
import type { Logger } from '@tsalt/core';
import { errorLine, isRecord } from '@tsalt/core';
import type { KeyStore } from '@tsalt/crypto';
import type { EventBus, LocalSubscription } from '@tsalt/events';
import { computeRetcode, FunctionNotAvailableError, Registry } from '@tsalt/loader';
import { minionConfig, type MasterConfig } from '@tsalt/config';
import type { JobCache } from '@tsalt/returners';
import type { RunnerFileServer, RunnerMinionData } from '@tsalt/runners';
import { runWheel, wheelPlugins } from '@tsalt/wheel';
import { coreGrains, executionModulePlugins } from '@tsalt/modules';
import { LocalClient } from '@tsalt/client';
import { masterRunners } from './master-runners.js';
import { Reactor, type CallClient, type CallOptions, type LocalPublish, type PublishReply } from '@tsalt/reactor';

export interface ReactorHostDeps {
  bus: EventBus;
  keys: KeyStore;
  jobCache: JobCache;
  returners: Registry;
  /** The master's minion data cache, for cache.* reactions. */
  minionData?: RunnerMinionData;
  /** The master's file server, for fileserver.* reactions. */
  fileserver?: RunnerFileServer;
  log: Logger;
  /** The master's own clear `publish` (root key added by the master): resolves to the reply envelope. */
  publish(load: Record<string, unknown>): Promise<unknown>;
}

// Events waiting for the reactor's bus handler; it only appends to its durable queue, so this is slack for bursts.
const BUS_QUEUE = 100_000;
// How long a stopping master waits for running reactions before leaving them to the next start (ms).
const STOP_WAIT_MS = 2000;

/** Only the keyword arguments `fun` declares: Salt's format_call for the legacy runner/wheel syntax. */
function declared(reg: Registry, fun: string, kwarg: Record<string, unknown>, loose: boolean): Record<string, unknown> {
  const spec = reg.spec(fun);
  if (!loose || !spec || spec.varkw) return kwarg;
  const names = new Set((spec.params ?? []).map((p) => (typeof p === 'string' ? p : p.name)));
  return Object.fromEntries(Object.entries(kwarg).filter(([k]) => names.has(k)));
}

function funArgs(arg: unknown[], kwarg: Record<string, unknown>): unknown[] {
  return Object.keys(kwarg).length > 0 ? [...arg, kwarg] : [...arg];
}

/**
 * The reactor inside tsalt-master: wires @tsalt/reactor to the master's bus
 * (in-process), its publish path (local.*), and runner, wheel and execution
 * module registries (runner.*, wheel.*, caller.*), firing Salt's salt/run
 * and salt/wheel events with `user: 'Reactor'`.
 */
export class ReactorHost {
  private reactor: Reactor | undefined;
  private local: LocalClient | undefined;
  private subscription: LocalSubscription | undefined;

  constructor(
    private readonly opts: MasterConfig,
    private readonly deps: ReactorHostDeps,
  ) {}

  start(): void {
    const { opts, deps } = this;
    const log = deps.log;
    const configured: unknown = opts.reactor;
    if (!(typeof configured === 'string' || (Array.isArray(configured) && configured.length > 0))) return;
    // A runner that publishes (manage.up, jobs.active) talks to this master like tsalt-run does; sockets open on first use.
    this.local = new LocalClient(opts, { log, user: 'Reactor' });
    const runners = masterRunners(opts, deps, this.local, log);
    const wheel = new Registry({ kind: 'wheel', opts, log, services: { keys: deps.keys } }, wheelPlugins());
    const modules = new Registry(
      // Execution modules read a minion's config: the master's keys over the minion defaults.
      { kind: 'module', opts: minionConfig({ ...opts }), grains: coreGrains(opts.id, {}), log },
      executionModulePlugins(),
    );
    const user = os.userInfo().username;

    const runner: CallClient = async (fun, arg, kwarg, c) => {
      const base = { fun: `runner.${fun}`, fun_args: funArgs(arg, kwarg), jid: c.jid, user: c.user };
      await c.fire(`salt/run/${c.jid}/new`, { ...base });
      let ret: unknown;
      let success: boolean;
      try {
        const r = await runners.call(fun, arg, declared(runners, fun, kwarg, c.looseKwarg), {
          jid: c.jid,
          fireEvent: async (t, d) => void (await c.fire(t, d)),
        });
        ret = r.return;
        success = r.retcode === 0;
      } catch (err) {
        ret =
          err instanceof FunctionNotAvailableError
            ? `'${fun}' is not available.`
            : `Exception occurred in runner ${fun}: ${errorLine(err)}`;
        success = false;
      }
      await c.fire(`salt/run/${c.jid}/ret`, { ...base, return: ret, success });
      return { return: ret, success };
    };
    const wheelClient: CallClient = async (fun, arg, kwarg, c: CallOptions) => {
      const r = await runWheel(wheel, fun, declared(wheel, fun, kwarg, c.looseKwarg), {
        fire: async (t, d) => void (await c.fire(t, d)),
        user: c.user,
        jid: c.jid,
        args: arg,
      });
      return { return: r.data.return, success: r.data.success !== false };
    };
    const caller: CallClient = async (fun, arg, kwarg, c) => {
      try {
        const r = await modules.call(fun, arg, kwarg, {
          jid: c.jid,
          fireEvent: async (t, d) => void (await c.fire(t, d)),
        });
        const retcode = computeRetcode(r.return, r.retcode);
        return {
          return: retcode === 0 ? r.return : `retcode ${retcode}: ${JSON.stringify(r.return)}`,
          success: retcode === 0,
        };
      } catch (err) {
        return {
          return: err instanceof FunctionNotAvailableError ? `'${fun}' is not available.` : errorLine(err),
          success: false,
        };
      }
    };
    const publish = async (load: LocalPublish): Promise<PublishReply> => {
      const reply = await deps.publish({
        tgt: load.tgt,
        fun: load.fun,
        arg: load.arg,
        tgt_type: load.tgt_type,
        ret: load.ret,
        user,
        kwargs: load.metadata ? { metadata: load.metadata } : {},
      });
      const body = isRecord(reply) && isRecord(reply['load']) ? reply['load'] : {};
      return body;
    };

    this.reactor = new Reactor({
      opts,
      log,
      subscribe: (handler) => {
        this.subscription = deps.bus.onEvent(handler, { maxQueue: BUS_QUEUE, name: 'reactor' });
        return this.subscription;
      },
      fire: (tag, data) => void deps.bus.fire(tag, data),
      clients: { publish, runner, wheel: wheelClient, caller },
    });
    this.reactor.start();
  }

  async stop(): Promise<void> {
    await this.reactor?.stop(STOP_WAIT_MS);
    const lost = this.subscription?.dropped ?? 0;
    if (lost > 0)
      this.deps.log.error(`the reactor's bus queue overflowed: ${lost} events were never seen by the reactor`);
    this.local?.close();
  }
}
