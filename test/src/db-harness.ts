import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, waitFor, watched } from './harness.js';

/**
 * Real MariaDB and Redis servers for the database tests, each on a free
 * port with a temporary data dir. The test command installs the Debian
 * packages when they are missing (scripts/test-deps.sh).
 */

function which(cmd: string): string | undefined {
  for (const dir of ['/usr/sbin', '/usr/bin', '/usr/local/bin', '/usr/local/sbin']) {
    const p = path.join(dir, cmd);
    if (fs.existsSync(p)) return p;
  }
  return undefined;
}

const MARIADBD = which('mariadbd') ?? which('mysqld');
const INSTALL_DB = which('mariadb-install-db') ?? which('mysql_install_db');
const CLIENT = which('mariadb') ?? which('mysql');
const REDIS = which('redis-server');

/** Why the MariaDB tests cannot run here, or undefined when they can. */
export const noMariaDb =
  MARIADBD && INSTALL_DB && CLIENT ? undefined : 'mariadb-server is not installed (run scripts/test-deps.sh as root)';
export const noRedis = REDIS ? undefined : 'redis-server is not installed (run scripts/test-deps.sh as root)';

const isRoot = os.userInfo().uid === 0;

export interface MariaDb {
  host: string;
  port: number;
  user: string;
  password: string;
  database: string;
  dataDir: string;
  /** Runs SQL as the server's root user over its socket; returns the tab-separated output. */
  sql(query: string, database?: string): string;
  /** The `mysql.*` keys for a tsalt config file. */
  configYaml(prefix?: string): string;
  stop(): Promise<void>;
  start(): Promise<void>;
  cleanup(): Promise<void>;
}

/**
 * Starts MariaDB with a fresh data dir, creates the `salt` database and a
 * `salt` user, and loads the schema tsalt ships (Salt's jids, salt_returns
 * and salt_events tables).
 */
export async function startMariaDb(opts: { schema?: boolean } = {}): Promise<MariaDb> {
  if (noMariaDb) throw new Error(noMariaDb);
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-mariadb-'));
  const sock = path.join(dataDir, 'mysqld.sock');
  // A tmpdir of its own: with the shared /tmp, a MariaDB starting in the test process beside
  // this one removes the '#sql-temptable-*' files our mariadb-install-db is using (seen:
  // "Could not remove temporary table ... error: 2", then "Aborting").
  // Beside the data dir, not in it: a folder there would be a database.
  const tmpDir = `${dataDir}-tmp`;
  fs.mkdirSync(tmpDir);
  const port = await freePort();
  const install = spawnSync(
    INSTALL_DB!,
    [
      '--no-defaults',
      `--datadir=${dataDir}`,
      `--tmpdir=${tmpDir}`,
      '--auth-root-authentication-method=normal',
      '--skip-test-db',
      ...(isRoot ? ['--user=root'] : []),
    ],
    { encoding: 'utf8' },
  );
  if (install.status !== 0) throw new Error(`mariadb-install-db failed: ${install.stderr.slice(-500)}`);
  let proc: ChildProcess | undefined;
  let log = '';
  const db: MariaDb = {
    host: '127.0.0.1',
    port,
    user: 'salt',
    password: 'salt-pass-1',
    database: 'salt',
    dataDir,
    sql(query, database) {
      const r = spawnSync(
        CLIENT!,
        ['--no-defaults', '-S', sock, '-u', 'root', '-N', '-B', ...(database ? [database] : []), '-e', query],
        { encoding: 'utf8' },
      );
      if (r.status !== 0) throw new Error(`SQL failed: ${r.stderr.trim()}`);
      return r.stdout;
    },
    configYaml(prefix = '') {
      return (
        [
          `${prefix}mysql.host: 127.0.0.1`,
          `${prefix}mysql.port: ${port}`,
          `${prefix}mysql.user: salt`,
          `${prefix}mysql.pass: ${db.password}`,
          `${prefix}mysql.db: salt`,
        ].join('\n') + '\n'
      );
    },
    async start() {
      proc = spawn(
        MARIADBD!,
        [
          '--no-defaults',
          `--datadir=${dataDir}`,
          `--tmpdir=${tmpDir}`,
          `--port=${port}`,
          '--bind-address=127.0.0.1',
          `--socket=${sock}`,
          `--pid-file=${path.join(dataDir, 'mysqld.pid')}`,
          '--skip-log-bin',
          '--skip-name-resolve',
          '--innodb-buffer-pool-size=16M',
          '--innodb-log-file-size=8M',
          '--max-connections=200',
          ...(isRoot ? ['--user=root'] : []),
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      proc.stderr?.on('data', (d: Buffer) => (log = (log + d.toString()).slice(-4000)));
      // (A throw in the check would only be retried: an exit is caught by `alive`, at once.)
      await waitFor(
        'MariaDB to accept connections',
        () => {
          try {
            db.sql('SELECT 1');
            return true;
          } catch {
            return false;
          }
        },
        30_000,
        { alive: [watched('mariadbd', proc, () => log)] },
      );
    },
    async stop() {
      const p = proc;
      if (!p || p.exitCode !== null) return;
      const exited = new Promise((r) => p.on('exit', r));
      p.kill('SIGTERM');
      // A clean InnoDB shutdown takes a moment; past 15 s it is killed. The timer is cleared so it never holds the test process.
      const t = setTimeout(() => p.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(t);
    },
    async cleanup() {
      await db.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
      fs.rmSync(tmpDir, { recursive: true, force: true });
    },
  };
  await db.start();
  db.sql(
    `CREATE DATABASE salt; CREATE USER 'salt'@'%' IDENTIFIED BY '${db.password}'; GRANT ALL ON salt.* TO 'salt'@'%'; FLUSH PRIVILEGES;`,
  );
  if (opts.schema !== false) {
    const schema = fs.readFileSync(
      path.join(path.dirname(new URL(import.meta.url).pathname), '..', '..', 'libs/returners/schema/mysql.sql'),
      'utf8',
    );
    db.sql(schema, 'salt');
  }
  return db;
}

export interface Redis {
  port: number;
  /** Runs a redis-cli command; returns its output. */
  cli(...args: string[]): string;
  stop(): Promise<void>;
  start(): Promise<void>;
  cleanup(): Promise<void>;
}

export async function startRedis(): Promise<Redis> {
  if (noRedis) throw new Error(noRedis);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-redis-'));
  const port = await freePort();
  let proc: ChildProcess | undefined;
  const cliBin = which('redis-cli') ?? 'redis-cli';
  const r: Redis = {
    port,
    cli: (...args) => spawnSync(cliBin, ['-p', String(port), ...args], { encoding: 'utf8' }).stdout,
    async start() {
      const p = spawn(
        REDIS!,
        ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      proc = p;
      let log = '';
      const keep = (d: Buffer): void => void (log = (log + d.toString()).slice(-4000));
      p.stdout.on('data', keep);
      p.stderr.on('data', keep);
      await waitFor('Redis to answer', () => r.cli('PING').trim() === 'PONG', 15_000, {
        alive: [watched('redis-server', p, () => log)],
      });
    },
    async stop() {
      const p = proc;
      if (!p || p.exitCode !== null) return;
      const exited = new Promise((res) => p.on('exit', res));
      p.kill('SIGTERM');
      const t = setTimeout(() => p.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    },
    async cleanup() {
      await r.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  await r.start();
  return r;
}
