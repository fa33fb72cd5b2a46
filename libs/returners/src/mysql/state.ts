import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Pool } from 'mysql2/promise';
import { errorLine, type Logger } from '@tsalt/core';
import { ReturnerError } from '../errors.js';
import type { ReturnerOptionsSource } from '../options.js';
import type { ReturnerConfig } from '../context.js';
import { Spool } from '@tsalt/spool';
import {
  classifyMysqlError,
  createMysqlPool,
  describeMysqlError,
  isUnavailable,
  mysqlSettings,
  type MysqlSettings,
} from './connection.js';
import { describeItem, writeBatch, type MysqlItem } from './rows.js';

/**
 * Module state of the mysql returner (Salt keeps its connection in
 * `__context__`; we keep a pool and a spool per database and cachedir, for
 * the life of the daemon). The spool folder is named from host:port/db only,
 * so fixing a user name or password in the config and restarting still
 * delivers what was held.
 */
interface MysqlState {
  cachedir: string;
  settings: MysqlSettings;
  /** Everything that shapes a connection, to notice a changed user, password or SSL file. */
  connKey: string;
  pool: Pool | undefined;
  spool: Spool<MysqlItem>;
  adoptTimer: NodeJS.Timeout | undefined;
}

const states = new Map<string, MysqlState>();

// After a job, a lookup waits this long for its rows to leave the spool (ms);
// while writes are failing it only gives the kicked retry a moment.
const READ_DRAIN_MS = 3000;
const READ_DRAIN_FAILING_MS = 250;
const READ_TIMEOUT_MS = 30_000;
// Shutdown: the spool's last attempt, then closing the pool (ms).
const CLOSE_SPOOL_MS = 5000;
const CLOSE_POOL_MS = 2000;
// How often the owner of a spool folder looks for ones other processes left beside it (ms).
const ADOPT_EVERY_MS = 60_000;

function connKey(s: MysqlSettings): string {
  return crypto
    .createHash('sha256')
    .update(JSON.stringify([s.user, s.pass, s.sslCa, s.sslCert, s.sslKey]))
    .digest('hex');
}

/** `<cachedir>/spool/mysql-<hash of host:port/db>`. */
export function spoolDir(cachedir: string, s: MysqlSettings): string {
  const h = crypto.createHash('sha256').update(`${s.host}:${s.port}/${s.db}`).digest('hex').slice(0, 16);
  return path.join(cachedir, 'spool', `mysql-${h}`);
}

function poolOf(st: MysqlState): Pool {
  st.pool ??= createMysqlPool(st.settings);
  return st.pool;
}

function endPool(pool: Pool | undefined): Promise<void> {
  if (!pool) return Promise.resolve();
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    pool.end().catch(() => undefined),
    new Promise<void>((r) => (timer = setTimeout(r, CLOSE_POOL_MS))),
  ]).finally(() => clearTimeout(timer));
}

/** Takes over `<dir>.<pid>` folders of processes that are gone; errors are logged, never thrown. */
function adoptOrphans(spool: Spool<MysqlItem>, dir: string, log: Logger): void {
  const base = path.basename(dir);
  try {
    for (const name of fs.readdirSync(path.dirname(dir))) {
      if (name.startsWith(`${base}.`) && /^\d+$/.test(name.slice(base.length + 1)))
        spool.adopt(path.join(path.dirname(dir), name));
    }
  } catch (err) {
    log.warn(`cannot take over spool folders beside ${dir}: ${errorLine(err)}`);
  }
}

function openSpool(dir: string, batchMax: number, st: () => MysqlState, log: Logger): Spool<MysqlItem> {
  const options = {
    log,
    write: (batch: MysqlItem[]) => writeBatch(poolOf(st()), batch),
    batchMax,
    classify: classifyMysqlError,
    describeError: (err: unknown) => describeMysqlError(err, st().settings),
    describeItem,
  };
  try {
    return new Spool<MysqlItem>({ dir, ...options });
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'SPOOL_LOCKED') throw err;
    // Another process (a tsalt-call beside the minion) owns the folder: use one of our own.
    const own = `${dir}.${process.pid}`;
    log.warn(`${errorLine(err)}; this process spools to ${own}`);
    return new Spool<MysqlItem>({ dir: own, ...options });
  }
}

/** The state for the settings these opts (and a ret's ret_config / ret_kwargs) resolve to. */
export function mysqlState(opts: Readonly<ReturnerConfig>, log: Logger, source?: ReturnerOptionsSource): MysqlState {
  const cachedir = opts.cachedir;
  if (typeof cachedir !== 'string' || cachedir === '') {
    throw new ReturnerError('NO_CACHEDIR', 'The mysql returner needs the cachedir option for its spool');
  }
  const settings = mysqlSettings(opts, source);
  const dir = spoolDir(cachedir, settings);
  const key = connKey(settings);
  const found = states.get(dir);
  if (found) {
    if (found.connKey !== key) {
      // Same database, new credentials: later writes and reads use them.
      void endPool(found.pool);
      found.pool = undefined;
      found.settings = settings;
      found.connKey = key;
    }
    return found;
  }
  // eslint-disable-next-line prefer-const -- the spool's getter reads st, which needs the spool first
  let st: MysqlState | undefined;
  const spoolLog = log.child({ component: 'mysql-returner' });
  const spool = openSpool(dir, settings.batchMax, () => st!, spoolLog);
  st = { cachedir, settings, connKey: key, pool: undefined, spool, adoptTimer: undefined };
  states.set(dir, st);
  if (spool.dir === path.resolve(dir)) {
    adoptOrphans(spool, dir, spoolLog);
    st.adoptTimer = setInterval(() => adoptOrphans(spool, dir, spoolLog), ADOPT_EVERY_MS);
    st.adoptTimer.unref();
  }
  return st;
}

/** Queues rows for the database; returns at once. */
export function spoolRows(st: MysqlState, items: MysqlItem[]): void {
  for (const item of items) st.spool.push(item);
}

/**
 * Runs a read. Rows still in the spool are flushed first (bounded), so a
 * lookup right after a job sees them. A failure is one ReturnerError line:
 * MYSQL_UNAVAILABLE or MYSQL_ERROR.
 */
export async function mysqlQuery<R>(st: MysqlState, sql: string, params: unknown[] = []): Promise<R[]> {
  await st.spool.drain(st.spool.stats().lastError ? READ_DRAIN_FAILING_MS : READ_DRAIN_MS);
  for (let attempt = 0; ; attempt++) {
    try {
      const [rows] = await poolOf(st).query({ sql, timeout: READ_TIMEOUT_MS }, params);
      return rows as R[];
    } catch (err) {
      // A pooled connection that died with a server restart fails once; a fresh one may not.
      if (attempt === 0 && isUnavailable(err) && (err as { code?: unknown }).code !== 'ECONNREFUSED') continue;
      const unavailable = isUnavailable(err);
      throw new ReturnerError(unavailable ? 'MYSQL_UNAVAILABLE' : 'MYSQL_ERROR', describeMysqlError(err, st.settings));
    }
  }
}

/** Runs statements in one transaction (clean_old_jobs). */
export async function mysqlTransaction(st: MysqlState, statements: Array<[string, unknown[]]>): Promise<void> {
  let conn;
  try {
    conn = await poolOf(st).getConnection();
  } catch (err) {
    throw new ReturnerError(
      isUnavailable(err) ? 'MYSQL_UNAVAILABLE' : 'MYSQL_ERROR',
      describeMysqlError(err, st.settings),
    );
  }
  try {
    await conn.beginTransaction();
    for (const [sql, params] of statements) await conn.query({ sql, timeout: READ_TIMEOUT_MS }, params);
    await conn.commit();
  } catch (err) {
    await conn.rollback().catch(() => undefined);
    throw new ReturnerError(
      isUnavailable(err) ? 'MYSQL_UNAVAILABLE' : 'MYSQL_ERROR',
      describeMysqlError(err, st.settings),
    );
  } finally {
    conn.release();
  }
}

/** The plugin's shutdown hook: for this cachedir, flush each spool (bounded), then close its pool. */
export async function shutdownMysql(opts: Readonly<ReturnerConfig>): Promise<void> {
  const cachedir = opts.cachedir;
  const mine = [...states.entries()].filter(([, st]) => cachedir === undefined || st.cachedir === cachedir);
  for (const [dir] of mine) states.delete(dir);
  await Promise.all(
    mine.map(async ([, st]) => {
      clearInterval(st.adoptTimer);
      await st.spool.close(CLOSE_SPOOL_MS);
      await endPool(st.pool);
    }),
  );
}
