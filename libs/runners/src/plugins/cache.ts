import type { MasterConfig } from '@tsalt/config';
import { definePlugin } from '@tsalt/loader';
import type { ClearWhat } from '@tsalt/cache';
import type { RunnerContext as PluginContext, RunnerServices } from '../context.js';
import { minionDataOf, targetedIds } from '../minion-data-service.js';

/*
 * cache.*: read and clear the master's minion data cache
 * (salt/runners/cache.py). The mine parts come with the mine.
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

/** Salt's `_clear_cache`: False without a target, else True once the targeted minions are cleared. */
async function clear(ctx: PluginContext, tgt: unknown, tgtType: unknown, what: ClearWhat): Promise<boolean> {
  if (tgt === undefined || tgt === null) return false;
  const cache = minionDataOf(ctx);
  const have = new Set(cache.ids());
  for (const id of targetedIds(ctx, tgt, tgtType)) if (have.has(id)) await cache.clear(id, what);
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
    clear_all: {
      doc: clearDoc('grains, pillar and mine', 'clear_all'),
      params: TGT,
      fn: (ctx, a) => clear(ctx, a['tgt'], a['tgt_type'], 'all'),
    },
  },
});
