import type { MinionConfig } from '@tsalt/config';
import { definePlugin, pyTruthy, type BoundArgs } from '@tsalt/loader';
import { errorLine } from '@tsalt/core';
import type { ModuleContext as PluginContext, ModuleServices } from '../context.js';

/*
 * Salt's `event` execution module (salt/modules/event.py): a minion sends
 * events to the master bus. The master fires the whole `_minion_event` load
 * as the event data, so the payload given here arrives under `data['data']`
 * and `data['id']` is the sender.
 */

export type { MinionEventService } from '../context.js';

/** The service key of the minion's link to the master (ModuleServices['minionEvents']). */
export const MINION_EVENTS_SERVICE = 'minionEvents' satisfies keyof ModuleServices;

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Salt's `_dict_subset`: only the named keys that exist. */
function subset(keys: unknown[], from: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of keys) if (typeof k === 'string' && k in from) out[k] = from[k];
  return out;
}

/** Masterless (`--local`, file_client local, master_type disable): Salt fires on the local bus only. */
function isLocal(opts: Readonly<MinionConfig>): boolean {
  return opts.local === true || opts.file_client === 'local' || opts.master_type === 'disable';
}

async function fireMaster(ctx: PluginContext, tag: unknown, data: unknown, preload: unknown): Promise<boolean> {
  if (typeof tag !== 'string' || tag === '') {
    ctx.log.warn('event.fire_master: the tag must be a non-empty string');
    return false;
  }
  if (isLocal(ctx.opts) && ctx.opts.use_master_when_local !== true) {
    ctx.log.warn(`Local mode detected. Event with tag ${tag} will NOT be sent.`);
    return false;
  }
  const svc = ctx.services.minionEvents;
  try {
    if (svc) await svc.fireMaster(tag, data, isMap(preload) ? preload : undefined);
    else if (ctx.fireEvent) await ctx.fireEvent(tag, isMap(data) ? data : { data });
    else {
      ctx.log.warn({ tag }, 'no connection to the master here: the event was not sent');
      return false;
    }
    return true;
  } catch (err) {
    ctx.log.warn({ tag, err: errorLine(err) }, 'Unable to fire event to the master');
    return false;
  }
}

/**
 * The minion-local bus: tsalt has none, so nothing could hear the event.
 * Salt's one useful local tag, `fire_master`, is relayed to the master as
 * Salt's minion does; anything else is logged at debug and reported sent.
 */
async function fireLocal(ctx: PluginContext, data: unknown, tag: unknown): Promise<boolean> {
  if (tag === 'fire_master' && isMap(data) && typeof data['tag'] === 'string') {
    return fireMaster(ctx, data['tag'], data['data'], undefined);
  }
  ctx.log.debug({ tag }, 'event.fire: tsalt minions have no local event bus; nothing listens for this event');
  return true;
}

export default definePlugin<MinionConfig, ModuleServices>({
  name: 'event',
  doc: 'Use the Salt Event System to fire events from the master to the minion and vice-versa.',
  functions: {
    fire_master: {
      doc: "Fire an event off up to the master server\n\nThe master receives ``data`` under ``data['data']``; ``preload`` keys go\ninto the request load itself.\n\nCLI Example:\n\n    salt '*' event.fire_master '{\"data\":\"my event data\"}' 'tag'",
      params: ['data', 'tag', { name: 'preload', default: null }, { name: 'timeout', default: 60 }],
      fn: (ctx, a) => fireMaster(ctx, a['tag'], a['data'], a['preload']),
    },
    fire: {
      doc: "Fire an event on the local minion event bus. Data must be formed as a dict.\n\ntsalt minions have no local bus: the tag ``fire_master`` is relayed to the\nmaster, anything else is only logged.\n\nCLI Example:\n\n    salt '*' event.fire '{\"data\":\"my event data\"}' 'tag'",
      params: ['data', 'tag', { name: 'timeout', default: null }],
      fn: (ctx, a) => fireLocal(ctx, a['data'], a['tag']),
    },
    send: {
      doc: "Send an event to the Salt Master\n\n``data`` (a dict) and any extra keyword arguments make the payload; with_env,\nwith_grains and with_pillar add ``environ``, ``grains`` and ``pillar`` (all, or\nthe listed keys); with_env_opts adds ``saltenv`` and ``pillarenv``. The master\nbus shows the payload under ``data['data']``.\n\nCLI Example:\n\n    salt-call event.send myco/mytag foo=Foo bar=Bar\n    salt-call event.send 'myco/mytag' '{foo: Foo, bar: Bar}'",
      params: [
        'tag',
        { name: 'data', default: null },
        { name: 'preload', default: null },
        { name: 'with_env', default: false },
        { name: 'with_grains', default: false },
        { name: 'with_pillar', default: false },
        { name: 'with_env_opts', default: false },
        { name: 'timeout', default: 60 },
      ],
      varkw: true,
      fn: (ctx, a) => send(ctx, a),
    },
  },
});

async function send(ctx: PluginContext, a: BoundArgs): Promise<boolean> {
  const payload: Record<string, unknown> = {};
  const withEnv = a['with_env'];
  if (pyTruthy(withEnv)) {
    // The job's environment is the point of with_env: the one place a module reads process.env.
    const env = { ...process.env } as Record<string, unknown>;
    payload['environ'] = Array.isArray(withEnv) ? subset(withEnv, env) : env;
  }
  const withGrains = a['with_grains'];
  if (pyTruthy(withGrains))
    payload['grains'] = Array.isArray(withGrains) ? subset(withGrains, ctx.grains) : { ...ctx.grains };
  const withPillar = a['with_pillar'];
  if (pyTruthy(withPillar))
    payload['pillar'] = Array.isArray(withPillar) ? subset(withPillar, ctx.pillar) : { ...ctx.pillar };
  if (pyTruthy(a['with_env_opts'])) {
    payload['saltenv'] = ctx.opts.saltenv ?? 'base';
    payload['pillarenv'] = ctx.opts.pillarenv ?? null;
  }
  // Salt's clean_kwargs: the job's own __pub_* fields are not payload.
  const extra = isMap(a['__kwargs__']) ? a['__kwargs__'] : {};
  for (const [k, v] of Object.entries(extra)) if (!k.startsWith('__')) payload[k] = v;
  // Values in `data` win over everything above.
  if (isMap(a['data'])) Object.assign(payload, a['data']);
  if (isLocal(ctx.opts)) return fireLocal(ctx, payload, a['tag']);
  return fireMaster(ctx, a['tag'], payload, a['preload']);
}
