import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { genJid } from '@tsalt/job';
import { noMariaDb, startMariaDb, type MariaDb } from './db-harness.js';
import { waitFor } from './harness.js';
import {
  assertNoSecret,
  count,
  mysqlOpts,
  returnerRegistry,
  sampleRet,
  tempCachedir,
  type TestRegistry,
} from './mysql-fixture.js';

const T = { timeout: 40_000 };

/** Lines that report a failure held in the spool (one per failure kind). */
function heldLines(r: TestRegistry): string[] {
  return r.lines.filter((l) => l.text.includes('held in the spool')).map((l) => l.text);
}

// Wrong credentials, a missing table, a value too large for its column: each is one clear line, and no row is lost.
describe('mysql bad input', { skip: noMariaDb }, () => {
  let db: MariaDb;
  const dirs: string[] = [];
  const regs: TestRegistry[] = [];
  const fresh = (): TestRegistry => {
    const cachedir = tempCachedir();
    dirs.push(cachedir);
    const r = returnerRegistry(mysqlOpts(db, cachedir));
    regs.push(r);
    return r;
  };
  before(
    async () => {
      db = await startMariaDb();
    },
    { timeout: 60_000 },
  );
  after(
    async () => {
      for (const r of regs) await r.shutdown();
      for (const r of regs) assertNoSecret(r.lines, db.password);
      await db?.cleanup();
      for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
    },
    { timeout: 30_000 },
  );

  test('wrong credentials: one line, returns held, delivered once the password is fixed', T, async () => {
    db.sql("ALTER USER 'salt'@'%' IDENTIFIED BY 'not-the-configured-one'; FLUSH PRIVILEGES;");
    const r = fresh();
    const jid = genJid();
    for (const id of ['a1', 'a2', 'a3']) await r.call('mysql.returner', [sampleRet(jid, id)]);
    await waitFor('the access error to be logged', () => heldLines(r).length > 0, 10_000);
    await assert.rejects(
      r.call('mysql.get_jid', [jid]),
      (e: Error & { code?: string }) =>
        e.code === 'MYSQL_ERROR' &&
        /^MySQL error at 127\.0\.0\.1:\d+: Access denied for user 'salt'@'[^']+' \(using password: YES\)$/.test(
          e.message,
        ),
    );
    assert.equal(count(db, 'salt_returns', `jid = '${jid}'`), 0);
    db.sql(`ALTER USER 'salt'@'%' IDENTIFIED BY '${db.password}'; FLUSH PRIVILEGES;`);
    await waitFor(
      'the held returns',
      async () => Object.keys((await r.call('mysql.get_jid', [jid]).catch(() => ({}))) as object).length === 3,
      20_000,
    );
    const held = heldLines(r);
    assert.equal(held.length, 1, held.join('\n'));
    assert.match(
      held[0]!,
      /MySQL error at 127\.0\.0\.1:\d+: Access denied for user 'salt'@'[^']+' \(using password: YES\); \d+ writes? held in the spool$/,
    );
  });

  test('a missing table: held, delivered after CREATE TABLE', T, async () => {
    db.sql('RENAME TABLE salt_returns TO salt_returns_away', db.database);
    const r = fresh();
    const jid = genJid();
    try {
      await r.call('mysql.returner', [sampleRet(jid, 'b1')]);
      await r.call('mysql.returner', [sampleRet(jid, 'b2')]);
      await waitFor('the missing table to be logged', () => heldLines(r).length > 0, 10_000);
      assert.match(
        heldLines(r)[0]!,
        /MySQL error at 127\.0\.0\.1:\d+: Table 'salt\.salt_returns' doesn't exist; \d+ writes? held in the spool$/,
      );
    } finally {
      db.sql(
        'CREATE TABLE salt_returns LIKE salt_returns_away; INSERT INTO salt_returns SELECT * FROM salt_returns_away; DROP TABLE salt_returns_away;',
        db.database,
      );
    }
    await waitFor(
      'the held returns',
      async () => Object.keys((await r.call('mysql.get_jid', [jid]).catch(() => ({}))) as object).length === 2,
      20_000,
    );
    assert.equal(heldLines(r).length, 1);
  });

  test('a return too large for its column is set aside in rejected/; later returns still arrive', T, async () => {
    // TEXT holds 64 KiB; Salt's MEDIUMTEXT 16 MiB. A smaller column makes the case cheap.
    db.sql('ALTER TABLE salt_returns MODIFY `return` TEXT NOT NULL', db.database);
    try {
      const r = fresh();
      const jid = genJid();
      await r.call('mysql.returner', [sampleRet(jid, 'small1')]);
      await r.call('mysql.returner', [sampleRet(jid, 'big', 'x'.repeat(100_000), { fun: 'cmd.run' })]);
      await r.call('mysql.returner', [sampleRet(jid, 'small2')]);
      const got = (await r.call('mysql.get_jid', [jid])) as Record<string, unknown>;
      assert.deepEqual(Object.keys(got).sort(), ['small1', 'small2']);
      const later = genJid();
      await r.call('mysql.returner', [sampleRet(later, 'small3')]);
      assert.deepEqual(Object.keys((await r.call('mysql.get_jid', [later])) as object), ['small3']);

      const errors = r.lines.filter((l) => l.level === 'error').map((l) => l.text);
      assert.equal(errors.length, 1, errors.join('\n'));
      assert.match(
        errors[0]!,
        new RegExp(
          `Rejected the return of jid ${jid} from minion big \\(cmd\\.run\\): MySQL error at 127\\.0\\.0\\.1:\\d+: Data too long for column 'return' at row 1; kept in .*/rejected/\\d+-\\d+\\.json$`,
        ),
      );
      const spoolRoot = path.join(dirs[dirs.length - 1]!, 'spool');
      const [spoolDir] = fs.readdirSync(spoolRoot);
      const rejected = fs.readdirSync(path.join(spoolRoot, spoolDir!, 'rejected'));
      assert.equal(rejected.length, 1);
      const kept = JSON.parse(fs.readFileSync(path.join(spoolRoot, spoolDir!, 'rejected', rejected[0]!), 'utf8')) as {
        item: Record<string, unknown>;
      };
      assert.equal(kept.item['id'], 'big');
      assert.equal(kept.item['jid'], jid);
    } finally {
      db.sql('ALTER TABLE salt_returns MODIFY `return` MEDIUMTEXT NOT NULL', db.database);
    }
  });
});
