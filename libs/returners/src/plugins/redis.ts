import { pyStr } from '@tsalt/core';
import type { Redis as RedisClient } from 'ioredis';
import { genJid } from '@tsalt/job';
import { definePlugin } from '@tsalt/loader';
import { ReturnerError } from '../errors.js';
import { formatJidInstance, isRecord } from '../format.js';
import type { ReturnerConfig, ReturnerServices } from '../context.js';
import { pyJsonDumps } from '../mysql/py-json.js';
import { conn, NAME, read, redisTarget, resumeRedisSpools, shutdownRedis, spool } from '../redis/state.js';
import type { JidSummary } from '../types.js';

export { redisTarget } from '../redis/state.js';

/*
 * redis: Salt's redis_return, with its key layout:
 *   ret:<jid>        hash, minion id -> JSON of the whole return, expires after keep_jobs
 *   <minion>:<fun>   the jid of that minion's latest <fun>, same expiry
 *   minions          set of minion ids that returned
 *   load:<jid>       JSON of the publish load (+ Minions), same expiry (save_load)
 * Options: redis.host ('salt'), redis.port (6379), redis.db (0),
 * redis.username, redis.password, redis.unix_socket_path, read through
 * returnerOptions (so --return_config / --return_kwargs apply).
 *
 * Writes (returner, save_load) go to a durable spool per target under
 * <cachedir>/spool/redis/ and return at once; the spool writes them in order
 * once Redis answers, so an outage loses nothing and blocks no job. Reads go
 * straight to Redis and fail with one line when it is down. One connection
 * per (cachedir, target, db), kept in module state and closed by shutdown().
 */

function parse(s: string | null | undefined): unknown {
  if (!s) return undefined;
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

function jidOf(v: unknown): string {
  if (typeof v !== 'string' || v === '') throw new ReturnerError('BAD_JID', 'a jid must be a non-empty string');
  return v;
}

/** All keys matching a pattern, with SCAN (KEYS blocks the server on a big database). */
async function scanKeys(cl: RedisClient, match: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await cl.scan(cursor, 'MATCH', match, 'COUNT', 1000);
    cursor = next;
    out.push(...keys);
  } while (cursor !== '0');
  return [...new Set(out)];
}

export default definePlugin<ReturnerConfig, ReturnerServices>({
  name: NAME,
  doc: "Return data to a Redis server (Salt's redis_return key layout). Options: redis.host, redis.port, redis.db, redis.username, redis.password, redis.unix_socket_path.\n\n    salt '*' test.ping --return redis",
  functions: {
    returner: {
      doc: 'Store one return: ret:<jid> hash field <minion>, <minion>:<fun> -> jid, and the minions set, expiring after keep_jobs. Spooled: it never waits for Redis.',
      params: ['ret'],
      fn(ctx, { ret }) {
        if (!isRecord(ret) || typeof ret['id'] !== 'string' || ret['id'] === '')
          throw new ReturnerError('BAD_RETURN', 'A return load needs a string id');
        const c = conn(ctx, redisTarget(ctx.opts, ret));
        const retConfig =
          typeof ret['ret_config'] === 'string' && ret['ret_config'] !== '' ? ret['ret_config'] : undefined;
        spool(ctx, c, retConfig).push({
          op: 'ret',
          jid: jidOf(ret['jid']),
          minion: ret['id'],
          fun: pyStr(ret['fun']),
          json: pyJsonDumps(ret),
          ttl: ctx.opts.keep_jobs_ms / 1000, // Redis EXPIRE takes s
        });
      },
    },
    save_load: {
      doc: 'Save the publish load (with Minions) as load:<jid>, expiring after keep_jobs. Spooled.',
      params: ['jid', 'load', { name: 'minions', default: null }],
      async fn(ctx, { jid, load, minions }) {
        const j = jidOf(jid);
        if (!isRecord(load) || load['tgt'] === undefined || load['tgt'] === '') return; // as Salt: only targeted loads
        let list = Array.isArray(minions) ? minions.filter((m): m is string => typeof m === 'string') : undefined;
        const check = ctx.services.checkMinions;
        if (!list && typeof check === 'function') {
          list = await check(load['tgt'], typeof load['tgt_type'] === 'string' ? load['tgt_type'] : 'glob');
        }
        const full = { ...load, Minions: list && list.length > 0 ? [...list].sort() : (load['id'] ?? []) };
        spool(ctx, conn(ctx, redisTarget(ctx.opts))).push({
          op: 'load',
          jid: j,
          json: pyJsonDumps(full),
          ttl: ctx.opts.keep_jobs_ms / 1000, // Redis EXPIRE takes s
        });
      },
    },
    save_minions: {
      doc: 'Included for API consistency: the minion list is saved with the load.',
      params: ['jid', 'minions', { name: 'syndic_id', default: null }],
      fn: () => undefined,
    },
    get_load: {
      doc: 'Return the load of a job (load:<jid>), or {}.',
      params: ['jid'],
      fn: (ctx, { jid }) => read(ctx, async (cl) => parse(await cl.get(`load:${jidOf(jid)}`)) ?? {}),
    },
    get_jid: {
      doc: 'Return {minion: full return} for a job, from the ret:<jid> hash.',
      params: ['jid'],
      fn: (ctx, { jid }) =>
        read(ctx, async (cl) => {
          const out: Record<string, unknown> = {};
          for (const [minion, data] of Object.entries(await cl.hgetall(`ret:${jidOf(jid)}`))) {
            const v = parse(data);
            if (v !== undefined) out[minion] = v;
          }
          return out;
        }),
    },
    get_fun: {
      doc: 'Return {minion: latest full return of fun} for every minion in the minions set.',
      params: ['fun'],
      fn: (ctx, { fun }) =>
        read(ctx, async (cl) => {
          const out: Record<string, unknown> = {};
          for (const minion of await cl.smembers('minions')) {
            const jid = await cl.get(`${minion}:${pyStr(fun)}`);
            if (!jid) continue;
            // Salt reads "<minion>:<jid>", a key its returner no longer writes; the return lives in ret:<jid>.
            const v = parse(await cl.hget(`ret:${jid}`, minion));
            if (v !== undefined) out[minion] = v;
          }
          return out;
        }),
    },
    get_jids: {
      doc: 'Return {jid: {Function, Arguments, Target, Target-type, User, StartTime}} for every load:<jid>.',
      fn: (ctx) =>
        read(ctx, async (cl) => {
          const out: Record<string, JidSummary> = {};
          const keys = await scanKeys(cl, 'load:*');
          for (let i = 0; i < keys.length; i += 500) {
            for (const s of await cl.mget(keys.slice(i, i + 500))) {
              const load = parse(s);
              if (isRecord(load) && typeof load['jid'] === 'string')
                out[load['jid']] = formatJidInstance(load['jid'], load);
            }
          }
          return out;
        }),
    },
    get_minions: {
      doc: 'Return the ids in the minions set.',
      fn: (ctx) => read(ctx, async (cl) => (await cl.smembers('minions')).sort()),
    },
    clean_old_jobs: {
      doc: 'Delete ret:<jid> hashes whose load:<jid> has expired (a very late return renews the hash expiry).',
      fn: (ctx) =>
        read(ctx, async (cl) => {
          const loads = new Set(await scanKeys(cl, 'load:*'));
          const stale = (await scanKeys(cl, 'ret:*')).filter((k) => !loads.has(`load:${k.slice(4)}`));
          for (let i = 0; i < stale.length; i += 500) await cl.del(...stale.slice(i, i + 500));
          if (stale.length > 0) ctx.log.debug({ removed: stale.length }, 'cleaned old jobs from redis');
        }),
    },
    prep_jid: {
      doc: 'Return passed_jid, or a new jid.',
      params: [
        { name: 'nocache', default: false },
        { name: 'passed_jid', default: null },
      ],
      fn: (ctx, { passed_jid }) =>
        typeof passed_jid === 'string' && passed_jid !== ''
          ? passed_jid
          : genJid({ utc_jid: ctx.opts.utc_jid === true, unique_jid: ctx.opts.unique_jid === true }),
    },
    resume_spool: {
      doc: 'tsalt: deliver the writes a previous run left in the redis spools of this cachedir. Returns how many are pending.',
      fn: (ctx) => resumeRedisSpools(ctx),
    },
  },
  shutdown: (ctx) => shutdownRedis(ctx.opts),
});
