import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { cluster, waitFor, type Cluster } from './harness.js';
import { noMariaDb, startMariaDb, type MariaDb } from './db-harness.js';

/** Rows of a query as objects, from the client's tab-separated output. */
function rows(db: MariaDb, cols: string[], sql: string): Record<string, string>[] {
  return db
    .sql(sql, 'salt')
    .split('\n')
    .filter(Boolean)
    .map((line) => Object.fromEntries(line.split('\t').map((v, i) => [cols[i]!, v])));
}

const jidOf = (out: string): string => {
  const jid = /jid: (\d{20})/.exec(out)?.[1];
  if (!jid) throw new Error(`no jid in: ${out}`);
  return jid;
};

describe(
  'MySQL: --return mysql, master_job_cache, event_return, outages',
  { skip: noMariaDb, timeout: 240_000 },
  () => {
    let db: MariaDb;
    let c: Cluster;
    before(async () => {
      db = await startMariaDb();
      c = await cluster(
        `auto_accept: True\nmaster_job_cache: mysql\nevent_return: mysql\nevent_return_blacklist:\n  - 'salt/auth'\n${db.configYaml()}`,
      );
      await c.startMaster();
      await c.startMinion('web-1', db.configYaml());
      await c.startMinion('web-2', db.configYaml());
      await c.waitPing('web-1');
      await c.waitPing('web-2');
    });
    after(async () => {
      await c?.cleanup();
      await db?.cleanup();
    });

    test("tsalt '*' test.ping --return mysql leaves one salt_returns row per minion, shaped as Salt writes it", async () => {
      const r = await c.tsalt(['*', 'test.ping', '--return', 'mysql', '--show-jid']);
      assert.equal(r.code, 0, r.stderr);
      const jid = jidOf(r.stdout);
      // The master job cache writes a row too, so count per minion rows from either writer.
      await waitFor(
        'rows for both minions',
        () => rows(db, ['id'], `SELECT DISTINCT id FROM salt_returns WHERE jid='${jid}'`).length === 2,
      );
      const got = rows(
        db,
        ['fun', 'jid', 'return', 'id', 'success', 'full_ret'],
        `SELECT fun, jid, \`return\`, id, success, full_ret FROM salt_returns WHERE jid='${jid}' ORDER BY id`,
      );
      for (const row of got) {
        assert.equal(row['fun'], 'test.ping');
        assert.equal(row['jid'], jid);
        assert.equal(row['return'], 'true');
        assert.ok(['web-1', 'web-2'].includes(row['id']!));
        assert.equal(row['success'], '1');
        const full = JSON.parse(row['full_ret']!);
        for (const k of ['fun_args', 'jid', 'return', 'retcode', 'success', 'fun', 'id'])
          assert.ok(k in full, `full_ret has ${k}`);
        assert.equal(full.jid, jid);
        assert.equal(full.return, true);
        assert.equal(full.id, row['id']);
      }
    });

    test('master_job_cache: mysql stores every load in jids and every return; jobs.lookup_jid and jobs.list_jobs read MySQL', async () => {
      const r = await c.tsalt(['web-1', 'test.echo', 'from-mysql', '--show-jid']);
      const jid = jidOf(r.stdout);
      await waitFor('the jids row', () => rows(db, ['jid'], `SELECT jid FROM jids WHERE jid='${jid}'`).length === 1);
      const load = JSON.parse(rows(db, ['load'], `SELECT \`load\` FROM jids WHERE jid='${jid}'`)[0]!['load']!);
      assert.equal(load.fun, 'test.echo');
      assert.deepEqual(load.arg, ['from-mysql']);
      await waitFor(
        'the return row',
        () => rows(db, ['id'], `SELECT id FROM salt_returns WHERE jid='${jid}'`).length >= 1,
      );
      const look = await c.runner(['jobs.lookup_jid', jid, '--out', 'json']);
      assert.deepEqual(JSON.parse(look.stdout), { 'web-1': 'from-mysql' });
      const list = await c.runner(['jobs.list_jobs', '--out', 'json']);
      assert.equal(JSON.parse(list.stdout)[jid]?.Function, 'test.echo');
    });

    test('event_return: mysql puts the master events in salt_events with tag, data and master_id, honouring the blacklist', async () => {
      const r = await c.tsalt(['web-2', 'test.ping', '--show-jid']);
      const jid = jidOf(r.stdout);
      await waitFor(
        'the job events in salt_events',
        () => rows(db, ['tag'], `SELECT tag FROM salt_events WHERE tag LIKE 'salt/job/${jid}/%'`).length >= 2,
      );
      const ev = rows(
        db,
        ['tag', 'data', 'master_id'],
        `SELECT tag, data, master_id FROM salt_events WHERE tag='salt/job/${jid}/ret/web-2'`,
      )[0]!;
      assert.equal(JSON.parse(ev['data']!).return, true);
      assert.ok(ev['master_id']!.length > 0);
      assert.equal(rows(db, ['n'], `SELECT COUNT(*) FROM salt_events WHERE tag='salt/auth'`)[0]!['n'], '0');
    });

    test('MariaDB down: 20 jobs run without blocking, and every row arrives once it is back', async () => {
      await db.stop();
      const jids: string[] = [];
      try {
        for (let i = 0; i < 20; i++) {
          const r = await c.tsalt(
            ['*', 'test.echo', `outage-${i}`, '--return', 'mysql', '--show-jid', '--out', 'json', '--static'],
            20_000,
          );
          assert.equal(r.code, 0, `job ${i}: ${r.stderr}`);
          jids.push(jidOf(r.stdout));
        }
      } finally {
        await db.start();
      }
      const list = jids.map((j) => `'${j}'`).join(',');
      await waitFor(
        'all 20 loads in jids',
        () => rows(db, ['n'], `SELECT COUNT(*) FROM jids WHERE jid IN (${list})`)[0]!['n'] === '20',
        60_000,
      );
      await waitFor(
        "both minions' rows for all 20 jobs",
        () =>
          rows(db, ['n'], `SELECT COUNT(DISTINCT jid, id) FROM salt_returns WHERE jid IN (${list})`)[0]!['n'] === '40',
        60_000,
      );
    });

    test('a master restart while the spool holds data loses none of it', async () => {
      await db.stop();
      const jids: string[] = [];
      try {
        for (let i = 0; i < 3; i++)
          jids.push(jidOf((await c.tsalt(['web-1', 'test.echo', `restart-${i}`, '--show-jid'], 20_000)).stdout));
        await c.master!.stop();
        await c.startMaster();
      } finally {
        await db.start();
      }
      const list = jids.map((j) => `'${j}'`).join(',');
      await waitFor(
        'the loads written after the restart',
        () => rows(db, ['n'], `SELECT COUNT(*) FROM jids WHERE jid IN (${list})`)[0]!['n'] === '3',
        60_000,
      );
      await waitFor(
        'the returns written after the restart',
        () => rows(db, ['n'], `SELECT COUNT(DISTINCT jid) FROM salt_returns WHERE jid IN (${list})`)[0]!['n'] === '3',
        60_000,
      );
      await c.waitPing('web-1');
    });
  },
);

describe('MySQL bad input', { skip: noMariaDb, timeout: 120_000 }, () => {
  let db: MariaDb;
  let c: Cluster;
  before(async () => {
    db = await startMariaDb();
  });
  after(async () => {
    await c?.cleanup();
    await db?.cleanup();
  });

  test('wrong credentials: one clear line, the job still runs and returns, the password never shows', async () => {
    const bad = db.configYaml().replace(`mysql.pass: ${db.password}`, 'mysql.pass: not-the-password-42');
    c = await cluster(`auto_accept: True\nmaster_job_cache: mysql\n${bad}`);
    await c.startMaster();
    await c.startMinion('m1', bad);
    await c.waitPing('m1');
    const r = await c.tsalt(['m1', 'test.ping', '--return', 'mysql', '--out', 'json']);
    assert.equal(r.code, 0);
    assert.deepEqual(JSON.parse(r.stdout), { m1: true });
    await waitFor('the access error in the master log', () => /Access denied/.test(c.master!.output()));
    const logs = c.master!.output() + c.minions.get('m1')!.output();
    assert.ok(!logs.includes('not-the-password-42'), 'the password is never logged');
    const docs = await c.tsalt(['m1', 'sys.doc', 'mysql', '--out', 'json']);
    assert.ok(!docs.stdout.includes(db.password) && !docs.stdout.includes('not-the-password-42'));
  });
});

describe('MySQL as ext_job_cache', { skip: noMariaDb, timeout: 120_000 }, () => {
  let db: MariaDb;
  let c: Cluster;
  before(async () => {
    db = await startMariaDb();
    c = await cluster(`auto_accept: True\next_job_cache: mysql\n${db.configYaml()}`);
    await c.startMaster();
    await c.startMinion('x1', db.configYaml());
    await c.waitPing('x1');
  });
  after(async () => {
    await c?.cleanup();
    await db?.cleanup();
  });

  test('the master saves the load, the minion writes its own return, and jobs.lookup_jid reads MySQL', async () => {
    const r = await c.tsalt(['x1', 'test.echo', 'ext', '--show-jid']);
    assert.equal(r.code, 0, r.stderr);
    const jid = jidOf(r.stdout);
    await waitFor('the load in jids', () => rows(db, ['jid'], `SELECT jid FROM jids WHERE jid='${jid}'`).length === 1);
    await waitFor(
      "the minion's row",
      () => rows(db, ['id'], `SELECT id FROM salt_returns WHERE jid='${jid}'`).length === 1,
    );
    const look = await c.runner(['jobs.lookup_jid', jid, '--out', 'json']);
    assert.deepEqual(JSON.parse(look.stdout), { x1: 'ext' });
  });
});
