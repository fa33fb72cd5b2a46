import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { genJid } from '@tsalt/job';
import { noMariaDb, startMariaDb, type MariaDb } from './db-harness.js';
import { waitFor } from './harness.js';
import { assertNoSecret, count, mysqlOpts, returnerRegistry, rows, sampleRet, tempCachedir } from './mysql-fixture.js';

// Nothing is lost when MySQL is down: returns wait in the spool and arrive in order.
describe('mysql outage', { skip: noMariaDb }, () => {
  let db: MariaDb;
  const dirs: string[] = [];
  before(
    async () => {
      db = await startMariaDb();
    },
    { timeout: 60_000 },
  );
  after(
    async () => {
      await db?.cleanup();
      for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    },
    { timeout: 30_000 },
  );

  test(
    'MariaDB stopped: 20 returns each return at once, and all arrive in order after it starts',
    { timeout: 60_000 },
    async () => {
      const cachedir = tempCachedir();
      dirs.push(cachedir);
      const r = returnerRegistry(mysqlOpts(db, cachedir));
      try {
        await db.stop();
        const jid = genJid();
        const ids = Array.from({ length: 20 }, (_, i) => `m${String(i).padStart(2, '0')}`);
        let slowest = 0;
        for (const id of ids) {
          const t0 = Date.now();
          await r.call('mysql.returner', [sampleRet(jid, id, { n: id })]);
          slowest = Math.max(slowest, Date.now() - t0);
        }
        // "At once" means the call never waits on the database: a blocking call would take the
        // 5 s connect timeout. The bound is behavioural, not a speed target (that lives in the bench).
        assert.ok(slowest < 2500, `a returner call took ${slowest} ms while MySQL was down`);
        const down = await waitFor(
          'the outage to be logged',
          () => r.lines.find((l) => l.text.includes('MySQL server unavailable')),
          10_000,
        );
        assert.match(
          down.text,
          new RegExp(
            `MySQL server unavailable at 127\\.0\\.0\\.1:${db.port}: connect ECONNREFUSED; \\d+ writes? held in the spool`,
          ),
        );
        // A lookup during the outage fails with one clear line instead of hanging.
        await assert.rejects(
          r.call('mysql.get_jid', [jid]),
          (e: Error & { code?: string }) =>
            e.code === 'MYSQL_UNAVAILABLE' &&
            e.message === `MySQL server unavailable at 127.0.0.1:${db.port}: connect ECONNREFUSED`,
        );
        await db.start();
        const got = await waitFor(
          'the held returns',
          async () => {
            const res = (await r.call('mysql.get_jid', [jid]).catch(() => ({}))) as Record<string, unknown>;
            return Object.keys(res).length === 20 ? res : undefined;
          },
          30_000,
        );
        assert.equal(Object.keys(got).length, 20);
        // InnoDB hands rows of a table without a primary key back in insertion order.
        assert.deepEqual(
          rows(db, `SELECT id FROM salt_returns WHERE jid = '${jid}'`).map((x) => x[0]),
          ids,
        );
        const held = r.lines.filter((l) => /MySQL server unavailable.*held in the spool/.test(l.text));
        assert.equal(held.length, 1, `one line for the outage: ${JSON.stringify(r.lines)}`);
        assert.ok(r.lines.some((l) => l.text.includes('Writes resumed after: MySQL server unavailable')));
      } finally {
        await r.shutdown();
      }
      assertNoSecret(r.lines, db.password);
    },
  );

  test(
    'a restart (new registry and spool over the same cachedir) delivers what the old one held',
    { timeout: 60_000 },
    async () => {
      const cachedir = tempCachedir();
      dirs.push(cachedir);
      const first = returnerRegistry(mysqlOpts(db, cachedir));
      const jid = genJid();
      await db.stop();
      for (let i = 0; i < 10; i++) await first.call('mysql.returner', [sampleRet(jid, `r${i}`)]);
      await first.call('mysql.save_load', [jid, { fun: 'test.ping', jid, tgt: '*', tgt_type: 'glob' }]);
      await first.shutdown();
      const spoolDirs = fs.readdirSync(path.join(cachedir, 'spool'));
      assert.equal(spoolDirs.length, 1);
      assert.ok(
        fs.readdirSync(path.join(cachedir, 'spool', spoolDirs[0]!)).some((f) => f.endsWith('.spool')),
        'the old process left its rows on disk',
      );
      assert.ok(
        first.lines.some((l) => /11 writes left in the spool/.test(l.text)),
        JSON.stringify(first.lines),
      );

      await db.start();
      const second = returnerRegistry(mysqlOpts(db, cachedir));
      try {
        const got = (await second.call('mysql.get_jid', [jid])) as Record<string, unknown>;
        assert.equal(Object.keys(got).length, 10);
        assert.equal(((await second.call('mysql.get_load', [jid])) as Record<string, unknown>)['fun'], 'test.ping');
        assert.equal(count(db, 'salt_returns', `jid = '${jid}'`), 10, 'each row once');
      } finally {
        await second.shutdown();
      }
      assertNoSecret([...first.lines, ...second.lines], db.password);
    },
  );
});
