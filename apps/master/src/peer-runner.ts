import type { Logger } from '@tsalt/core';
import { errorLine } from '@tsalt/core';
import type { KeyStore } from '@tsalt/crypto';
import { genJid } from '@tsalt/job';
import { FunctionNotAvailableError, Registry, splitPublishArgs } from '@tsalt/loader';
import type { MasterConfig } from '@tsalt/config';
import type { JobCache } from '@tsalt/returners';
import type { RunnerFileServer, RunnerMinionData } from '@tsalt/runners';
import { runWheel, wheelPlugins } from '@tsalt/wheel';
import { LocalClient } from '@tsalt/client';
import { masterRunners } from './master-runners.js';

export interface PeerRunnerDeps {
  keys: KeyStore;
  jobCache: JobCache;
  returners: Registry;
  minionData?: RunnerMinionData;
  fileserver?: RunnerFileServer;
  log: Logger;
  /** Fires on the master bus (salt/run/<jid>/new and ret). */
  fire(tag: string, data: Record<string, unknown>): void;
}

/**
 * The runners and wheel functions a minion may call under `peer_run`
 * (Salt's minion_runner): the same registries tsalt-run and the reactor
 * use, built on the first call. Each call fires Salt's salt/run (or
 * salt/wheel) events with the minion's id as the user.
 */
export class PeerRunner {
  private runners: Registry | undefined;
  private wheel: Registry | undefined;
  private local: LocalClient | undefined;

  constructor(
    private readonly opts: MasterConfig,
    private readonly d: PeerRunnerDeps,
  ) {}

  private runnerRegistry(): Registry {
    if (this.runners) return this.runners;
    const { d, opts } = this;
    // A runner that publishes (manage.up) talks to this master as tsalt-run does; its socket opens on first use.
    this.local = new LocalClient(opts, { log: d.log });
    this.runners = masterRunners(opts, d, this.local, d.log);
    return this.runners;
  }

  /** Runs runner `fun` for minion `id`; what Salt's minion_runner answers: the runner's return. */
  async runner(id: string, fun: string, arg: unknown[]): Promise<unknown> {
    const reg = this.runnerRegistry();
    const { args, kwargs } = splitPublishArgs(arg);
    const jid = genJid(this.opts);
    const base = { fun: `runner.${fun}`, fun_args: arg, jid, user: id };
    this.d.fire(`salt/run/${jid}/new`, { ...base });
    let ret: unknown;
    let success = false;
    try {
      const r = await reg.call(fun, args, kwargs, { jid, fireEvent: async (t, data) => void this.d.fire(t, data) });
      ret = r.return;
      success = r.retcode === 0;
    } catch (err) {
      ret =
        err instanceof FunctionNotAvailableError
          ? `'${fun}' is not available.`
          : `Exception occurred in runner ${fun}: ${errorLine(err)}`;
    }
    this.d.fire(`salt/run/${jid}/ret`, { ...base, return: ret, success });
    return ret;
  }

  /** Runs wheel `fun` for minion `id`: the full return, as Salt's saltutil.wheel gives. */
  async wheelCall(id: string, fun: string, arg: unknown[]): Promise<Record<string, unknown>> {
    this.wheel ??= new Registry(
      { kind: 'wheel', opts: this.opts, log: this.d.log, services: { keys: this.d.keys } },
      wheelPlugins(),
    );
    const { args, kwargs } = splitPublishArgs(arg);
    const r = await runWheel(this.wheel, fun, kwargs, {
      fire: async (t, data) => void this.d.fire(t, data),
      user: id,
      args,
    });
    return { ...r.data };
  }

  close(): void {
    this.local?.close();
  }
}
