import { errorLine, type Logger } from '@tsalt/core';
import type { MinionConfig } from '@tsalt/config';
import { Registry } from '@tsalt/loader';
import { returnerPlugins, type ReturnerConfig, type ReturnerPlugin, type ReturnerServices } from '@tsalt/returners';
import type { PublishLoad } from '@tsalt/transport';
import type { JobReturn } from './executor.js';

/**
 * Which returners a job's return goes to, as Salt's minion decides after
 * sending it to the master (`_thread_return`): the publish load's `ret`
 * (`--return a,b`), then the minion config `return:` (a string, comma list
 * or list), then the minion config `ext_job_cache` (a tsalt addition: in
 * Salt the master's `ext_job_cache` reaches minions through the publish
 * `ret`). Order kept, duplicates and blanks dropped.
 */
export function returnerNamesFor(
  load: Readonly<Pick<PublishLoad, 'ret'>>,
  opts: Readonly<Partial<Pick<MinionConfig, 'return' | 'ext_job_cache'>>>,
): string[] {
  const names: string[] = [];
  const add = (v: unknown): void => {
    if (typeof v === 'string') {
      for (const n of v.split(',')) {
        const name = n.trim();
        if (name && !names.includes(name)) names.push(name);
      }
    } else if (Array.isArray(v)) {
      for (const item of v) add(item);
    }
  };
  add(load.ret);
  add(opts.return);
  add(opts.ext_job_cache);
  return names;
}

/** The ret a returner sees: Salt's return dict, with the publish's `ret_config` / `ret_kwargs` copied in. */
export function returnerRet(
  id: string,
  load: Readonly<Pick<PublishLoad, 'ret_config' | 'ret_kwargs'>>,
  ret: JobReturn,
): Record<string, unknown> {
  const out: Record<string, unknown> = Object.fromEntries(Object.entries(ret).filter(([k]) => k !== 'cmd'));
  if (load.ret_config !== undefined) out['ret_config'] = load.ret_config;
  if (load.ret_kwargs !== undefined) out['ret_kwargs'] = load.ret_kwargs;
  out['id'] = id;
  return out;
}

export interface MinionReturnersOptions {
  opts: MinionConfig;
  grains: Record<string, unknown>;
  log: Logger;
  /** For tests: the returner plugins. @default returnerPlugins() */
  plugins?: readonly ReturnerPlugin[];
}

/**
 * The minion daemon's returners. They live in the daemon, not in the job
 * processes, so one process owns each returner's spool and connections;
 * `shutdown()` flushes them when the minion stops.
 */
export class MinionReturners {
  readonly registry: Registry<ReturnerConfig, ReturnerServices>;
  private readonly log: Logger;
  private readonly opts: MinionConfig;
  private readonly id: string;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(o: MinionReturnersOptions) {
    this.log = o.log.child({ component: 'returners' });
    this.opts = o.opts;
    this.id = o.opts.id;
    this.registry = new Registry(
      { kind: 'returner', opts: o.opts, grains: o.grains, log: this.log },
      o.plugins ?? returnerPlugins(),
    );
  }

  /** The returners whose `virtual()` passed here: what `sys.list_returners` shows. */
  names(): string[] {
    return this.registry.modules();
  }

  /**
   * Sends what earlier runs left in returner spools (the tsalt function
   * `<returner>.resume_spool`), so a restart while Redis or MySQL was down
   * loses nothing even when no job names that returner again. Never throws.
   */
  resume(): void {
    for (const name of this.names()) {
      const fun = `${name}.resume_spool`;
      if (!this.registry.has(fun)) continue;
      this.registry
        .call(fun)
        .catch((err: unknown) => this.log.warn(`could not resume the ${name} spool: ${errorLine(err)}`));
    }
  }

  /**
   * Sends one job's return to every returner the job and the config name.
   * Never throws: a missing or failing returner logs one line, as Salt's
   * minion does, and the others still run.
   */
  dispatch(load: Readonly<Record<string, unknown>>, ret: JobReturn): Promise<void> {
    const names = returnerNamesFor(load, this.opts);
    if (names.length === 0) return Promise.resolve();
    const p = this.callAll(names, returnerRet(this.id, load, ret)).finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
    return p;
  }

  private async callAll(names: string[], ret: Record<string, unknown>): Promise<void> {
    const jid = typeof ret['jid'] === 'string' ? ret['jid'] : undefined;
    for (const name of names) {
      const fun = `${name}.returner`;
      if (!this.registry.has(fun)) {
        const why = this.registry.missing()[name];
        this.log.error({ jid }, `Returner '${name}' is not available${why ? `: ${why}` : ''}`);
        continue;
      }
      try {
        await this.registry.call(fun, [ret], {}, jid ? { jid } : {});
      } catch (err) {
        this.log.error({ jid }, `The return failed for job ${jid ?? '?'} in returner '${name}': ${errorLine(err)}`);
      }
    }
  }

  /** Waits for returns being handed over, then flushes every returner (spools, connections). */
  async shutdown(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
    await this.registry.shutdown();
  }
}
