import type { CachedMinionData, ClearWhat } from '@tsalt/cache';
import type { KeyStore } from '@tsalt/crypto';
import { checkMinions, type MinionData } from '@tsalt/targeting';
import { isRecord } from '@tsalt/core';
import type { MasterConfig } from '@tsalt/config';
import { RunnerError } from './errors.js';

/** The part of the master's minion data cache the cache.* runners use. */
export interface RunnerMinionData {
  get(id: string): CachedMinionData | undefined;
  ids(): string[];
  clear(id: string | undefined, what: ClearWhat): Promise<void> | void;
  /** The minion's mine (`mine.p`), when the cache keeps mines. */
  getMine?(id: string): Readonly<Record<string, unknown>> | undefined;
  mineIds?(): string[];
  /** Drops one function from a minion's mine (cache.clear_mine_func). */
  deleteMine?(id: string, fun: string): Promise<void>;
}

/**
 * What tsalt-run and the reactor inject for cache.*: the minion data cache
 * (`minionData`, absent with `minion_data_cache: False`) and the key store
 * (`keys`), whose accepted ids the target is matched against.
 */
export interface MinionDataRunnerServices {
  minionData?: RunnerMinionData;
  keys?: KeyStore;
}

interface Ctx {
  opts: Readonly<MasterConfig>;
  services: Readonly<Partial<MinionDataRunnerServices>>;
}

/** The cache, or a RunnerError saying why there is none. */
export function minionDataOf(ctx: Ctx): RunnerMinionData {
  const cache = ctx.services.minionData;
  if (!cache) {
    throw new RunnerError(
      'CACHE_MISSING',
      ctx.opts.minion_data_cache
        ? 'No minion data cache is available to this runner'
        : 'The minion data cache is disabled (minion_data_cache: False)',
    );
  }
  return cache;
}

/**
 * Salt's MasterPillarUtil `_tgt_to_list`: the accepted minions the target
 * matches, judged on the cache (greedy for minions with nothing cached, as
 * the master's publish is). Without a key store, every cached id counts.
 */
export function targetedIds(ctx: Ctx, tgt: unknown, tgtType: unknown): string[] {
  const cache = minionDataOf(ctx);
  const accepted = ctx.services.keys
    ? ctx.services.keys.ids('accepted')
    : [...new Set([...cache.ids(), ...(cache.mineIds?.() ?? [])])];
  const target = tgt === undefined || tgt === null || tgt === '' ? '*' : (tgt as string | string[]);
  const type = typeof tgtType === 'string' && tgtType ? tgtType : 'glob';
  const nodegroups = isRecord(ctx.opts.nodegroups) ? (ctx.opts.nodegroups as Record<string, string | string[]>) : {};
  const data = (id: string): MinionData | undefined => {
    const d = cache.get(id);
    return d ? { id, ...d } : undefined;
  };
  return checkMinions(target, type, accepted, { nodegroups, data }).minions.sort();
}
