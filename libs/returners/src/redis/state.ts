import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Redis as RedisClient, RedisOptions } from 'ioredis';
import { errorLine, readIfExists, writeFileAtomic, type Logger } from '@tsalt/core';
import type { ReturnerConfig, ReturnerContext as PluginContext } from '../context.js';
import { ReturnerError } from '../errors.js';
import { isRecord } from '../format.js';
import { optionInt, optionString, returnerOptions } from '../options.js';
import { Spool } from '@tsalt/spool';

/*
 * Module state of the redis returner: one connection and one spool per
 * (cachedir, server, db), for the life of the daemon. Writes are spooled
 * under <cachedir>/spool/redis/<host>_<port>_<db>/ beside a target.json
 * (no password) that lets resumeRedisSpools reconnect after a restart.
 */

export const NAME = 'redis';
const DEFAULTS = { host: 'salt', port: 6379, db: 0, username: null, password: null, unix_socket_path: null };
// A call fails fast instead of hanging: the spool retries, a reader gets an error (ms).
const CONNECT_TIMEOUT_MS = 5_000;
const COMMAND_TIMEOUT_MS = 10_000;
// Redis is cheap to reconnect to: retry sooner than the spool's default 30 s cap (ms).
const RETRY_MAX_MS = 5_000;
// How long shutdown gives each spool for a last attempt; the rest stays on disk (ms).
const CLOSE_MS = 1_500;
// How often a spool's owner looks for folders other processes left beside it (ms).
const ADOPT_EVERY_MS = 60_000;
// How long a read waits for this process's own spooled writes to land first (ms).
const READ_DRAIN_MS = 1_000;

export interface Target {
  host: string;
  port: number;
  db: number;
  unixSocketPath?: string;
  username?: string;
  password?: string;
}

export type Item =
  | { op: 'ret'; jid: string; minion: string; fun: string; json: string; ttl: number }
  | { op: 'load'; jid: string; json: string; ttl: number };

export interface Conn {
  target: Target;
  where: string;
  client?: RedisClient;
  connecting?: Promise<RedisClient>;
  lastError?: string;
  spool?: Spool<Item>;
  adoptTimer?: NodeJS.Timeout;
}

const conns = new Map<string, Conn>();
type RedisCtor = new (o: RedisOptions) => RedisClient;
let ioredis: Promise<RedisCtor> | undefined;

function cachedir(opts: Readonly<ReturnerConfig>): string {
  const dir = opts.cachedir;
  if (typeof dir !== 'string' || dir === '')
    throw new ReturnerError('NO_CACHEDIR', 'the redis returner needs the cachedir option');
  return dir;
}

/** The connection settings for a call: ret_config / ret_kwargs of `ret` first, then the config. */
export function redisTarget(opts: Readonly<Record<string, unknown>>, ret?: unknown): Target {
  const o = returnerOptions(opts, NAME, DEFAULTS, isRecord(ret) ? ret : undefined);
  const t: Target = { host: optionString(o.host) ?? 'salt', port: optionInt(o.port, 6379), db: optionInt(o.db, 0) };
  const sock = optionString(o.unix_socket_path);
  if (sock) t.unixSocketPath = sock;
  const user = optionString(o.username);
  if (user) t.username = user;
  const pass = optionString(o.password);
  if (pass) t.password = pass;
  return t;
}

/** Where a target is, for messages: never the password. */
function describe(t: Target): string {
  return `${t.unixSocketPath ?? `${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`} db ${t.db}`;
}

function slug(t: Target): string {
  const at = t.unixSocketPath
    ? `sock-${createHash('sha256').update(t.unixSocketPath).digest('hex').slice(0, 16)}`
    : `${t.host.replace(/[^A-Za-z0-9.-]/g, '_')}_${t.port}`;
  return `${at}_${t.db}`;
}

export function conn(ctx: Pick<PluginContext, 'opts' | 'log'>, t: Target): Conn {
  const key = [cachedir(ctx.opts), t.unixSocketPath ?? `${t.host}:${t.port}`, t.db].join('\0');
  let c = conns.get(key);
  if (!c) {
    c = { target: t, where: describe(t) };
    conns.set(key, c);
  }
  // Credentials may have changed in the config; the next connection uses the newest.
  c.target = t;
  return c;
}

/** ioredis is loaded on first use: a process that never talks to Redis never pays for it. */
function loadIoredis(): Promise<RedisCtor> {
  ioredis ??= import('ioredis').then((m) => m.Redis as RedisCtor);
  return ioredis;
}

function newClient(Redis: RedisCtor, c: Conn): RedisClient {
  const t = c.target;
  const o: RedisOptions = {
    host: t.host,
    port: t.port,
    db: t.db,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
    // No reconnect loop inside the client: the next call connects again, and the spool paces the retries.
    retryStrategy: () => null,
  };
  if (t.unixSocketPath) o.path = t.unixSocketPath;
  if (t.username) o.username = t.username;
  if (t.password) o.password = t.password;
  const cl = new Redis(o);
  // ioredis prints unhandled 'error' events to the console; keep the cause for the one-line message instead.
  cl.on('error', (err: Error) => (c.lastError = err.message));
  return cl;
}

/** The connection, connected: one attempt shared by concurrent callers; it rejects when Redis does not answer. */
export async function client(c: Conn): Promise<RedisClient> {
  if (c.client?.status === 'ready') return c.client;
  c.connecting ??= (async () => {
    const cl = (c.client ??= newClient(await loadIoredis(), c));
    if (cl.status === 'ready') return cl;
    if (cl.status === 'wait' || cl.status === 'end' || cl.status === 'close') {
      c.lastError = undefined;
      await cl.connect();
    } else {
      await new Promise<void>((resolve, reject) => {
        const ok = (): void => {
          cl.off('end', no);
          resolve();
        };
        const no = (): void => {
          cl.off('ready', ok);
          reject(new Error(c.lastError ?? 'connection closed'));
        };
        cl.once('ready', ok);
        cl.once('end', no);
      });
    }
    return cl;
  })().finally(() => (c.connecting = undefined));
  return c.connecting;
}

/** One line for a failure: where, and the cause ioredis saw (its "Connection is closed." hides it). */
function failure(c: Conn, err: unknown): string {
  const msg = errorLine(err);
  const cause = /Connection is closed|Stream isn't writeable/.test(msg) && c.lastError ? c.lastError : msg;
  return `Redis server unavailable at ${c.where}: ${cause}`;
}

export function isReplyError(err: unknown): boolean {
  return err instanceof Error && err.name === 'ReplyError';
}

async function writeBatch(c: Conn, batch: Item[]): Promise<void> {
  const cl = await client(c);
  const m = cl.multi();
  for (const it of batch) {
    if (it.op === 'ret') {
      const key = `ret:${it.jid}`;
      const funKey = `${it.minion}:${it.fun}`;
      m.hset(key, it.minion, it.json);
      if (it.ttl > 0) m.expire(key, it.ttl);
      if (it.ttl > 0) m.set(funKey, it.jid, 'EX', it.ttl);
      else m.set(funKey, it.jid);
      m.sadd('minions', it.minion);
    } else if (it.ttl > 0) {
      m.setex(`load:${it.jid}`, it.ttl, it.json);
    } else {
      m.set(`load:${it.jid}`, it.json);
    }
  }
  const res = await m.exec();
  if (!res) throw new Error('the transaction was aborted');
  for (const [err] of res) if (err) throw err;
}

function spoolDir(opts: Readonly<ReturnerConfig>, t: Target): string {
  return path.join(cachedir(opts), 'spool', NAME, slug(t));
}

/** Takes over `<dir>.<pid>` folders that processes now gone spooled to beside the owner; never throws. */
function adoptOrphans(sp: Spool<Item>, dir: string, log: Logger): void {
  const base = path.basename(dir);
  try {
    for (const name of fs.readdirSync(path.dirname(dir))) {
      if (name.startsWith(`${base}.`) && /^\d+$/.test(name.slice(base.length + 1)))
        sp.adopt(path.join(path.dirname(dir), name));
    }
  } catch (err) {
    log.warn(`cannot take over spool folders beside ${dir}: ${errorLine(err)}`);
  }
}

export function spool(ctx: Pick<PluginContext, 'opts' | 'log'>, c: Conn, retConfig?: string): Spool<Item> {
  if (c.spool) return c.spool;
  const t = c.target;
  const dir = spoolDir(ctx.opts, t);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  // What resume_spool needs to reconnect after a restart; the password is looked up again, never stored.
  const saved = {
    host: t.host,
    port: t.port,
    db: t.db,
    unix_socket_path: t.unixSocketPath ?? null,
    username: t.username ?? null,
    ret_config: retConfig ?? null,
  };
  writeFileAtomic(path.join(dir, 'target.json'), JSON.stringify(saved), 0o600);
  const log = ctx.log.child({ returner: NAME });
  const options = {
    log,
    retryMaxMs: RETRY_MAX_MS,
    write: (batch: Item[]) => writeBatch(c, batch),
    // A key of another type (WRONGTYPE) refuses this item for good; everything else is the server's state.
    classify: (err: unknown) =>
      isReplyError(err) && /^WRONGTYPE/.test(errorLine(err)) ? ('reject' as const) : ('retry' as const),
    describeError: (err: unknown) =>
      isReplyError(err) ? `Redis refused a write at ${c.where}: ${errorLine(err)}` : failure(c, err),
    describeItem: (it: Item) =>
      it.op === 'ret' ? `the return of job ${it.jid} from ${it.minion}` : `the load of job ${it.jid}`,
  };
  try {
    c.spool = new Spool<Item>({ dir, ...options });
    adoptOrphans(c.spool, dir, log);
    c.adoptTimer = setInterval(() => adoptOrphans(c.spool!, dir, log), ADOPT_EVERY_MS);
    c.adoptTimer.unref();
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'SPOOL_LOCKED') throw err;
    // The minion daemon owns the folder (this is a tsalt-call beside it): spool beside it; the owner adopts it later.
    const own = `${dir}.${process.pid}`;
    log.warn(`${errorLine(err)}; this process spools to ${own}`);
    c.spool = new Spool<Item>({ dir: own, ...options });
  }
  return c.spool;
}

/** A read, straight to Redis, after this process's own pending writes (briefly). */
export async function read<T>(ctx: PluginContext, fn: (cl: RedisClient) => Promise<T>): Promise<T> {
  const c = conn(ctx, redisTarget(ctx.opts));
  if (c.spool) await c.spool.drain(READ_DRAIN_MS);
  try {
    return await fn(await client(c));
  } catch (err) {
    throw new ReturnerError(
      'REDIS_UNAVAILABLE',
      isReplyError(err) ? `Redis refused a read at ${c.where}: ${errorLine(err)}` : failure(c, err),
      { cause: err },
    );
  }
}

/** Opens the spools a previous run left under this cachedir, so what they hold is sent; answers how many items wait. */
export function resumeRedisSpools(ctx: Pick<PluginContext, 'opts' | 'log'>): number {
  const root = path.join(cachedir(ctx.opts), 'spool', NAME);
  let pending = 0;
  if (!fs.existsSync(root)) return pending;
  for (const name of fs.readdirSync(root)) {
    const saved: unknown = parseJson(readIfExists(path.join(root, name, 'target.json'))?.toString('utf8'));
    if (!isRecord(saved)) continue;
    const retConfig = typeof saved['ret_config'] === 'string' ? saved['ret_config'] : undefined;
    // The server comes from the saved target; credentials from the config (never stored in the spool).
    const where = {
      host: saved['host'],
      port: saved['port'],
      db: saved['db'],
      unix_socket_path: saved['unix_socket_path'],
      username: saved['username'],
    };
    const t = redisTarget(ctx.opts, { ret_config: retConfig, ret_kwargs: where });
    if (slug(t) !== name) continue; // a `<slug>.<pid>` folder: its owner adopts it
    pending += spool(ctx, conn(ctx, t), retConfig).stats().pending;
  }
  return pending;
}

/** Closes this cachedir's spools (one last bounded attempt; the rest stays on disk) and connections. Never throws. */
export async function shutdownRedis(opts: Readonly<ReturnerConfig>): Promise<void> {
  const dir = opts.cachedir;
  if (typeof dir !== 'string' || dir === '') return;
  const prefix = `${dir}\0`;
  for (const [key, c] of conns) {
    if (!key.startsWith(prefix)) continue;
    conns.delete(key);
    clearInterval(c.adoptTimer);
    await c.spool?.close(CLOSE_MS).catch(() => undefined);
    c.client?.disconnect();
  }
}

function parseJson(s: string | undefined): unknown {
  try {
    return s ? JSON.parse(s) : undefined;
  } catch {
    return undefined;
  }
}
