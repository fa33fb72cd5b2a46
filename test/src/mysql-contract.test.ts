import { compileConfig } from '@tsalt/config';
import { after, before, describe } from 'node:test';
import fs from 'node:fs';
import { jobCacheFrom } from '@tsalt/returners';
import { jobCacheContract } from '@tsalt/returners/testing';
import { noMariaDb, startMariaDb, type MariaDb } from './db-harness.js';
import { assertNoSecret, mysqlOpts, returnerRegistry, tempCachedir } from './mysql-fixture.js';

// The shared job-cache contract against Salt's tables in a real MariaDB.
describe('mysql master job cache', { skip: noMariaDb }, () => {
  let db: MariaDb | undefined;
  before(
    async () => {
      db = await startMariaDb();
    },
    { timeout: 60_000 },
  );
  after(
    async () => {
      await db?.cleanup();
    },
    { timeout: 30_000 },
  );

  jobCacheContract('mysql', async () => {
    const d = db!;
    d.sql('TRUNCATE `jids`; TRUNCATE `salt_returns`; TRUNCATE `salt_events`;', d.database);
    const cachedir = tempCachedir();
    const r = returnerRegistry(mysqlOpts(d, cachedir));
    return {
      cache: jobCacheFrom(r.reg, 'mysql'),
      // Salt's mysql returner keeps no minion lists (save_minions is a no-op).
      storesMinions: false,
      setKeepSeconds: (s) => {
        // Retention is read from the compiled form (keep_jobs_ms): recompile, as a restart would.
        Object.assign(r.opts, compileConfig('master', { ...r.opts, keep_jobs_seconds: s }));
      },
      cleanup: async () => {
        await r.shutdown();
        assertNoSecret(r.lines, d.password);
        fs.rmSync(cachedir, { recursive: true, force: true });
      },
    };
  });
});
