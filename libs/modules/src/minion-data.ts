import { errorLine, isRecord, type Logger } from '@tsalt/core';
import type { MinionConfig } from '@tsalt/config';
import { loadGrains, type Grains } from '@tsalt/grains';
import type { MinionDataService } from './context.js';

/** Replaces an object's contents, keeping its identity (registries, the master link and job processes hold it). */
export function replaceContents(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const k of Object.keys(target)) delete target[k];
  Object.assign(target, source);
}

export interface MinionDataOptions {
  opts: MinionConfig;
  log: Logger;
  /** libzmq's version, for the zmqversion grain. */
  zmqversion?: string;
  /** Sends `_pillar` and answers the decrypted pillar; throws when the master refuses or does not answer. */
  requestPillar?: (load: Record<string, unknown>) => Promise<unknown>;
  /** Called after grains or pillar changed (the job runner pushes them to its job processes). */
  changed?: (grains: Grains, pillar: Record<string, unknown>) => void;
}

/**
 * The grains and pillar a minion holds: grains computed at start and on
 * saltutil.refresh_grains, pillar from the master (Salt's RemotePillar)
 * at start and on saltutil.refresh_pillar. `grains` and `pillar` keep
 * their identity for the daemon's life; a refresh replaces their contents.
 */
export class MinionData implements MinionDataService {
  readonly grains: Grains = {};
  readonly pillar: Record<string, unknown> = {};
  private readonly log: Logger;

  constructor(private readonly o: MinionDataOptions) {
    this.log = o.log.child({ component: 'minion-data' });
  }

  /** Core grains, then the grains file, then `grains:` from the config. */
  computeGrains(): Grains {
    const { opts } = this.o;
    const fresh = loadGrains({
      id: opts.id,
      master: opts.master,
      configDir: opts.config_dir,
      configured: opts.grains ?? {},
      log: this.log,
      ...(this.o.zmqversion ? { zmqversion: this.o.zmqversion } : {}),
    });
    replaceContents(this.grains, fresh);
    return this.grains;
  }

  /** Salt's `_pillar` load (salt/pillar RemotePillar.compile_pillar). */
  pillarLoad(pillarOverride: Record<string, unknown> = {}): Record<string, unknown> {
    const { opts } = this.o;
    return {
      cmd: '_pillar',
      id: opts.id,
      grains: this.grains,
      saltenv: opts.saltenv,
      pillarenv: opts.pillarenv,
      pillar_override: pillarOverride,
      extra_minion_data: {},
      ver: '2',
    };
  }

  async fetchPillar(pillarOverride?: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
    if (!this.o.requestPillar) return undefined;
    try {
      const got = await this.o.requestPillar(this.pillarLoad(pillarOverride));
      if (isRecord(got)) return got;
      this.log.error(`Got a bad pillar from master, expecting dict: ${JSON.stringify(got)?.slice(0, 80)}`);
    } catch (err) {
      this.log.warn(`could not get the pillar from the master; keeping the last one: ${errorLine(err)}`);
    }
    return undefined;
  }

  async refreshPillar(): Promise<boolean> {
    const got = await this.fetchPillar();
    if (!got) return false;
    replaceContents(this.pillar, got);
    this.o.changed?.(this.grains, this.pillar);
    return true;
  }

  /**
   * Salt's `grains_refresh_every` tick: recomputes the grains and, only
   * when they changed, hands them out and refreshes the pillar (which tells
   * the master). True when they changed.
   */
  async refreshIfChanged(): Promise<boolean> {
    const before = JSON.stringify(this.grains);
    this.computeGrains();
    if (JSON.stringify(this.grains) === before) return false;
    this.o.changed?.(this.grains, this.pillar);
    await this.refreshPillar();
    return true;
  }

  /**
   * Recomputes grains and hands them to the job processes; then, when
   * `refreshPillar`, asks for the pillar, which also tells the master the
   * new grains (Salt's design: grains reach the master in `_pillar`).
   */
  async refreshGrains(refreshPillar: boolean): Promise<boolean> {
    this.computeGrains();
    this.o.changed?.(this.grains, this.pillar);
    if (refreshPillar) await this.refreshPillar();
    return true;
  }
}
