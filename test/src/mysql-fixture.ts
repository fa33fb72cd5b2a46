import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { masterConfig, type MasterConfig } from '@tsalt/config';
import { Registry } from '@tsalt/loader';
import { returnerPlugins } from '@tsalt/returners';
import { recordingLogger, type LogLine } from '@tsalt/returners/testing';
import type { MariaDb } from './db-harness.js';

/** Helpers shared by the mysql-*.test.ts files (real MariaDB from db-harness). */

export function tempCachedir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-mysql-cache-'));
}

/** A compiled master config pointing the mysql returner at `db`. */
export function mysqlOpts(db: MariaDb, cachedir: string, extra: Record<string, unknown> = {}): MasterConfig {
  return masterConfig({
    id: 'master1',
    cachedir,
    'mysql.host': db.host,
    'mysql.port': db.port,
    'mysql.user': db.user,
    'mysql.pass': db.password,
    'mysql.db': db.database,
    ...extra,
  });
}

export interface TestRegistry {
  reg: Registry;
  lines: LogLine[];
  opts: MasterConfig;
  /** Calls a returner function; fails the test on a thrown error. */
  call(fun: string, args?: unknown[], kwargs?: Record<string, unknown>): Promise<unknown>;
  shutdown(): Promise<void>;
}

export function returnerRegistry(opts: MasterConfig): TestRegistry {
  const lines: LogLine[] = [];
  const reg = new Registry({ kind: 'returner', opts, log: recordingLogger(lines) }, returnerPlugins());
  return {
    reg,
    lines,
    opts,
    call: async (fun, args = [], kwargs = {}) => (await reg.call(fun, args, kwargs)).return,
    shutdown: () => reg.shutdown(),
  };
}

/** `mariadb -B` output as rows of columns, with its escapes (\\t \\n \\\\ \\0) undone. */
export function rows(db: MariaDb, query: string): string[][] {
  const out = db.sql(query, db.database);
  return out
    .split('\n')
    .filter((l) => l !== '')
    .map((l) =>
      l
        .split('\t')
        .map((c) =>
          c.replace(
            /\\(.)/g,
            (_m, ch: string) => (({ t: '\t', n: '\n', '0': '\0', '\\': '\\' }) as Record<string, string>)[ch] ?? ch,
          ),
        ),
    );
}

export function count(db: MariaDb, table: string, where = '1'): number {
  return Number(rows(db, `SELECT COUNT(*) FROM \`${table}\` WHERE ${where}`)[0]?.[0] ?? 'NaN');
}

export function sampleRet(
  jid: string,
  id: string,
  value: unknown = true,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { fun: 'test.ping', fun_args: [], jid, return: value, retcode: 0, success: true, id, ...extra };
}

/** Asserts that no logged line contains `secret`. */
export function assertNoSecret(lines: LogLine[], secret: string): void {
  const bad = lines.find((l) => l.text.includes(secret));
  if (bad) throw new Error(`a log line shows the password: ${bad.text}`);
}
