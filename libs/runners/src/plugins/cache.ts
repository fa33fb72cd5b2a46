import type { MasterConfig } from '@tsalt/config';
import { definePlugin } from '@tsalt/loader';
import type { ClearWhat } from '@tsalt/cache';
import type { RunnerContext as PluginContext, RunnerServices } from '../context.js';
import { minionDataOf, targetedIds } from '../minion-data-service.js';

/*
 * cache.*: read and clear the master's minion data cache
 * (salt/runners/cache.py): grains and pillar (`data.p`) and the mine (`mine.p`).
 */

type Part = 'grains' | 'pillar';

/** `{minion: data}` for the targeted minions that have that part cached. */
function cached(ctx: PluginContext, tgt: unknown, tgtType: unknown, part: Part): Record<string, unknown> {
  const cache = minionDataOf(ctx);
  const out: Record<string, unknown> = {};
  for (const id of targetedIds(ctx, tgt, tgtType)) {
    const data = cache.get(id)?.[part];
    if (data !== undefined) out[id] = data;
  }
  return out;
}

/**
 * Salt's cache.mine: `{minion: mine}` for every targeted minion, `{}` for
 * one with no mine (Salt's get_cached_mine_data starts each at `{}`).
 */
function mine(ctx: PluginContext, tgt: unknown, tgtType: unknown): Record<string, unknown> {
  const cache = minionDataOf(ctx);
  const out: Record<string, unknown> = {};
  for (const id of targetedIds(ctx, tgt, tgtType)) out[id] = { ...(cache.getMine?.(id) ?? {}) };
  return out;
}

/** Salt's `_clear_cache`: False without a target, else True once the targeted minions are cleared. */
async function clear(ctx: PluginContext, tgt: unknown, tgtType: unknown, what: ClearWhat): Promise<boolean> {
  if (tgt === undefined || tgt === null) return false;
  const cache = minionDataOf(ctx);
  const have = new Set([...cache.ids(), ...(cache.mineIds?.() ?? [])]);
  for (const id of targetedIds(ctx, tgt, tgtType)) if (have.has(id)) await cache.clear(id, what);
  return true;
}

/** Salt's clear_mine_func: one function out of the targeted minions' mines. */
async function clearMineFunc(ctx: PluginContext, tgt: unknown, tgtType: unknown, fun: unknown): Promise<boolean> {
  if (tgt === undefined || tgt === null || typeof fun !== 'string') return false;
  const cache = minionDataOf(ctx);
  const have = new Set(cache.mineIds?.() ?? []);
  for (const id of targetedIds(ctx, tgt, tgtType)) if (have.has(id)) await cache.deleteMine?.(id, fun);
  return true;
}

const TGT = [
  { name: 'tgt', default: null },
  { name: 'tgt_type', default: 'glob' },
];

const clearDoc = (what: string, fun: string): string => `Clear the cached ${what} data of the targeted minions.

CLI Example:

    tsalt-run cache.${fun} tgt='*'`;

export default definePlugin<MasterConfig, RunnerServices>({
  name: 'cache',
  doc: "Return or clear cached grains and pillar data of the minions (the master's minion data cache).",
  functions: {
    grains: {
      doc: `Return cached grains of the targeted minions.

tgt
    Target to match minion ids.

tgt_type
    The type of targeting to use for matching, such as glob, list, etc.

CLI Example:

    tsalt-run cache.grains '*'`,
      params: ['tgt', { name: 'tgt_type', default: 'glob' }],
      varkw: true,
      fn: (ctx, a) => cached(ctx, a['tgt'], a['tgt_type'], 'grains'),
    },
    pillar: {
      doc: `Return cached pillars of the targeted minions if tgt is set.
If tgt is not set will return cached pillars for all minions.

CLI Example:

    tsalt-run cache.pillar`,
      params: TGT,
      varkw: true,
      fn: (ctx, a) => cached(ctx, a['tgt'], a['tgt_type'], 'pillar'),
    },
    clear_grains: {
      doc: clearDoc('grains', 'clear_grains'),
      params: TGT,
      fn: (ctx, a) => clear(ctx, a['tgt'], a['tgt_type'], 'grains'),
    },
    clear_pillar: {
      doc: clearDoc('pillar', 'clear_pillar'),
      params: TGT,
      fn: (ctx, a) => clear(ctx, a['tgt'], a['tgt_type'], 'pillar'),
    },
    mine: {
      doc: `Return cached mine data of the targeted minions

CLI Example:

    tsalt-run cache.mine`,
      params: TGT,
      varkw: true,
      fn: (ctx, a) => mine(ctx, a['tgt'], a['tgt_type']),
    },
    clear_mine: {
      doc: clearDoc('mine', 'clear_mine'),
      params: TGT,
      fn: (ctx, a) => clear(ctx, a['tgt'], a['tgt_type'], 'mine'),
    },
    clear_mine_func: {
      doc: `Clear the cached mine function data of the targeted minions

CLI Example:

    tsalt-run cache.clear_mine_func tgt='*' clear_mine_func_flag='network.interfaces'`,
      params: [...TGT, { name: 'clear_mine_func_flag', default: null }],
      fn: (ctx, a) => clearMineFunc(ctx, a['tgt'], a['tgt_type'], a['clear_mine_func_flag']),
    },
    clear_all: {
      doc: clearDoc('grains, pillar and mine', 'clear_all'),
      params: TGT,
      fn: (ctx, a) => clear(ctx, a['tgt'], a['tgt_type'], 'all'),
    },
  },
});
