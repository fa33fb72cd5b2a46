import fs from 'node:fs';
import { createRequire } from 'node:module';
import type { Pool, PoolOptions } from 'mysql2/promise';
import type * as Mysql2Module from 'mysql2/promise';

type Mysql2 = typeof Mysql2Module;
let mysql2: Mysql2 | undefined;
/**
 * mysql2 loads on first use (about 65 ms): every CLI command imports the
 * returner plugins, and only the ones that touch MySQL should pay for it.
 */
function loadMysql2(): Mysql2 {
  mysql2 ??= createRequire(import.meta.url)('mysql2/promise') as Mysql2;
  return mysql2;
}
import { errorLine } from '@tsalt/core';
import { ReturnerError } from '../errors.js';
import { optionInt, optionString, returnerOptions, type ReturnerOptionsSource } from '../options.js';
import type { SpoolVerdict } from '@tsalt/spool';

/** Salt's mysql returner keys and defaults (`mysql.host` ...), plus our `mysql.batch_max`. */
export const MYSQL_DEFAULTS = {
  host: 'salt',
  user: 'salt',
  pass: 'salt',
  db: 'salt',
  port: 3306,
  ssl_ca: null,
  ssl_cert: null,
  ssl_key: null,
  // Rows per multi-row INSERT from the spool; 1 writes row by row (the benchmark's baseline).
  batch_max: 500,
};

/** The compiled settings. Holds the password: never log it. */
export interface MysqlSettings {
  host: string;
  port: number;
  user: string;
  pass: string;
  db: string;
  sslCa: string | undefined;
  sslCert: string | undefined;
  sslKey: string | undefined;
  batchMax: number;
}

export function mysqlSettings(opts: Readonly<Record<string, unknown>>, source?: ReturnerOptionsSource): MysqlSettings {
  const o = returnerOptions(opts, 'mysql', MYSQL_DEFAULTS, source);
  return {
    host: optionString(o.host) ?? 'salt',
    port: optionInt(o.port, 3306),
    user: optionString(o.user) ?? 'salt',
    pass: typeof o.pass === 'string' || typeof o.pass === 'number' ? String(o.pass) : '',
    db: optionString(o.db) ?? 'salt',
    sslCa: optionString(o.ssl_ca),
    sslCert: optionString(o.ssl_cert),
    sslKey: optionString(o.ssl_key),
    batchMax: Math.max(1, optionInt(o.batch_max, 500)),
  };
}

/** `host:port`, for messages. */
export function serverName(s: MysqlSettings): string {
  return `${s.host}:${s.port}`;
}

function readSslFile(key: string, file: string | undefined): Buffer | undefined {
  if (file === undefined) return undefined;
  try {
    return fs.readFileSync(file);
  } catch (err) {
    throw new ReturnerError('MYSQL_SSL', `Cannot read mysql.${key} file ${file}: ${errorLine(err)}`, { cause: err });
  }
}

// Few connections: the spool writes on one at a time; the rest serve lookups.
const CONNECTION_LIMIT = 4;
// An outage must fail a connect fast instead of hanging a lookup or the flusher (ms).
const CONNECT_TIMEOUT_MS = 5000;

/** A mysql2 pool for the settings, with Salt's SSL keys (file paths, as MySQLdb takes them). */
export function createMysqlPool(s: MysqlSettings): Pool {
  const options: PoolOptions = {
    host: s.host,
    port: s.port,
    user: s.user,
    password: s.pass,
    database: s.db,
    connectionLimit: CONNECTION_LIMIT,
    maxIdle: CONNECTION_LIMIT,
    idleTimeout: 60_000,
    connectTimeout: CONNECT_TIMEOUT_MS,
    waitForConnections: true,
    enableKeepAlive: true,
    dateStrings: true,
    supportBigNumbers: true,
    bigNumberStrings: true,
  };
  if (s.sslCa || s.sslCert || s.sslKey) {
    const ssl: Record<string, Buffer> = {};
    const ca = readSslFile('ssl_ca', s.sslCa);
    const cert = readSslFile('ssl_cert', s.sslCert);
    const key = readSslFile('ssl_key', s.sslKey);
    if (ca) ssl['ca'] = ca;
    if (cert) ssl['cert'] = cert;
    if (key) ssl['key'] = key;
    options.ssl = ssl;
  }
  return loadMysql2().createPool(options);
}

interface MysqlErrorLike {
  code?: unknown;
  errno?: unknown;
  sqlMessage?: unknown;
  message?: unknown;
  syscall?: unknown;
  fatal?: unknown;
  errors?: unknown;
}

// Codes that mean "no server to talk to right now": retry, and say "unavailable".
const UNAVAILABLE = new Set([
  'ECONNREFUSED',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ECONNRESET',
  'EPIPE',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_CON_COUNT_ERROR',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'POOL_CLOSED',
  'ER_SERVER_GONE_ERROR',
  'ER_SERVER_LOST',
]);

// Server errors that are about the data itself: the same row fails every time, so set it aside.
const REJECT_ERRNO = new Set([
  1406, // ER_DATA_TOO_LONG
  1366, // ER_TRUNCATED_WRONG_VALUE_FOR_FIELD (e.g. a bad string value)
  1292, // ER_TRUNCATED_WRONG_VALUE
  1048, // ER_BAD_NULL_ERROR
  1264, // ER_WARN_DATA_OUT_OF_RANGE
  1153, // ER_NET_PACKET_TOO_LARGE (one row past max_allowed_packet)
  1301, // ER_WARN_ALLOWED_PACKET_OVERFLOWED
  4025, // ER_CONSTRAINT_FAILED (MariaDB CHECK)
]);

function asErr(err: unknown): MysqlErrorLike {
  return typeof err === 'object' && err !== null ? err : {};
}

/** The error's code, looking inside an AggregateError (a host name with several addresses). */
function codeOf(err: unknown): string | undefined {
  const e = asErr(err);
  if (typeof e.code === 'string') return e.code;
  if (Array.isArray(e.errors)) return codeOf(e.errors[0]);
  return undefined;
}

export function isUnavailable(err: unknown): boolean {
  const code = codeOf(err);
  return code !== undefined && UNAVAILABLE.has(code);
}

export function classifyMysqlError(err: unknown): SpoolVerdict {
  const errno = asErr(err).errno;
  return typeof errno === 'number' && REJECT_ERRNO.has(errno) ? 'reject' : 'retry';
}

/**
 * One line for a failure, naming the server but never the password:
 * "MySQL server unavailable at 127.0.0.1:3306: connect ECONNREFUSED" or
 * "MySQL error at 127.0.0.1:3306: Table 'salt.salt_returns' doesn't exist".
 */
export function describeMysqlError(err: unknown, s: MysqlSettings): string {
  const e = asErr(err);
  const code = codeOf(err);
  let line: string;
  if (code !== undefined && UNAVAILABLE.has(code)) {
    const syscall =
      typeof e.syscall === 'string'
        ? e.syscall
        : code.startsWith('E') && code !== 'ER_CON_COUNT_ERROR'
          ? 'connect'
          : '';
    const what =
      code.startsWith('ER_') || code.startsWith('PROTOCOL_') || code === 'POOL_CLOSED'
        ? errorLine(err) || code
        : `${syscall} ${code}`.trim();
    line = `MySQL server unavailable at ${serverName(s)}: ${what}`;
  } else {
    const msg = typeof e.sqlMessage === 'string' && e.sqlMessage !== '' ? e.sqlMessage : errorLine(err);
    line = `MySQL error at ${serverName(s)}: ${msg}`;
  }
  // No driver message carries the password, but a config typo could put it in a host or user name.
  if (s.pass.length >= 3) line = line.split(s.pass).join('******');
  return line.replace(/\s+/g, ' ');
}
