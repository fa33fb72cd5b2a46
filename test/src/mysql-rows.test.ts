import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { genJid } from '@tsalt/job';
import { noMariaDb, startMariaDb, type MariaDb } from './db-harness.js';
import { REPO } from './harness.js';
import {
  assertNoSecret,
  count,
  mysqlOpts,
  returnerRegistry,
  rows,
  sampleRet,
  tempCachedir,
  type TestRegistry,
} from './mysql-fixture.js';

const T = { timeout: 20_000 };

// Salt's row shapes, column by column, as tools built on Salt's tables read them.
describe('mysql returner rows', { skip: noMariaDb }, () => {
  let db: MariaDb;
  let r: TestRegistry;
  let cachedir: string;
  before(
    async () => {
      db = await startMariaDb();
      cachedir = tempCachedir();
      r = returnerRegistry(mysqlOpts(db, cachedir));
    },
    { timeout: 60_000 },
  );
  after(
    async () => {
      await r?.shutdown();
      if (r) assertNoSecret(r.lines, db.password);
      await db?.cleanup();
      if (cachedir) fs.rmSync(cachedir, { recursive: true, force: true });
    },
    { timeout: 30_000 },
  );

  test('a returner call leaves one salt_returns row shaped as Salt writes it', T, async () => {
    const jid = genJid();
    assert.equal(await r.call('mysql.returner', [sampleRet(jid, 'web1')]), undefined);
    await r.call('mysql.returner', [sampleRet(jid, 'web2', 'boom', { fun: 'test.ping', retcode: 1, success: false })]);
    await r.call('mysql.get_jid', [jid]); // flushes the spool
    const got = rows(
      db,
      `SELECT fun, jid, \`return\`, id, success, full_ret, alter_time FROM salt_returns WHERE jid = '${jid}'`,
    );
    assert.equal(got.length, 2);
    const [fun, rjid, ret, id, success, fullRet, alterTime] = got[0]!;
    assert.equal(fun, 'test.ping');
    assert.equal(rjid, jid);
    assert.equal(ret, 'true');
    assert.equal(id, 'web1');
    assert.equal(success, '1');
    assert.deepEqual(JSON.parse(fullRet!), {
      fun: 'test.ping',
      fun_args: [],
      jid,
      return: true,
      retcode: 0,
      success: true,
      id: 'web1',
    });
    // Python's json.dumps layout, as Salt stores it.
    assert.match(
      fullRet!,
      /^\{"fun": "test\.ping", "fun_args": \[\], "jid": "\d{20}", "return": true, "retcode": 0, "success": true, "id": "web1"\}$/,
    );
    assert.match(alterTime!, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    assert.deepEqual(got[1]!.slice(0, 5), ['test.ping', jid, '"boom"', 'web2', '0']);
  });

  test('non-ASCII returns are stored as ASCII JSON escapes and read back intact', T, async () => {
    const jid = genJid();
    const value = { text: 'héllo ✓ 😀', list: [1, 2.5, null] };
    await r.call('mysql.returner', [sampleRet(jid, 'web1', value, { fun: 'cmd.run' })]);
    const res = (await r.call('mysql.get_jid', [jid])) as Record<string, Record<string, unknown>>;
    assert.deepEqual(res['web1']!['return'], value);
    const [[ret]] = rows(db, `SELECT \`return\` FROM salt_returns WHERE jid = '${jid}'`) as [[string]];
    assert.equal(ret, '{"text": "h\\u00e9llo \\u2713 \\ud83d\\ude00", "list": [1, 2.5, null]}');
  });

  test("a 'req' return (salt-call) gets a new jid and a jids row", T, async () => {
    await r.call('mysql.returner', [sampleRet('req', 'callme', 42, { fun: 'test.arg' })]);
    await r.call('mysql.get_minions');
    const [[jid, loadText]] = rows(
      db,
      "SELECT j.jid, j.load FROM jids j JOIN salt_returns s ON s.jid = j.jid WHERE s.id = 'callme'",
    ) as [[string, string]];
    assert.match(jid, /^\d{20}$/);
    assert.deepEqual(JSON.parse(loadText), sampleRet(jid, 'callme', 42, { fun: 'test.arg' }));
  });

  test('save_load writes a jids row once; a second save of the jid is ignored (Salt #22171)', T, async () => {
    const jid = genJid();
    const load = { cmd: 'publish', fun: 'test.ping', arg: [], tgt: '*', tgt_type: 'glob', jid, user: 'root' };
    await r.call('mysql.save_load', [jid, load, ['a']]);
    await r.call('mysql.save_load', [jid, { ...load, fun: 'other.fun' }]);
    assert.deepEqual(await r.call('mysql.get_load', [jid]), load);
    assert.equal(count(db, 'jids', `jid = '${jid}'`), 1);
    const [[text]] = rows(db, `SELECT \`load\` FROM jids WHERE jid = '${jid}'`) as [[string]];
    assert.ok(text.includes('"fun": "test.ping"'), text);
  });

  test('event_return rows: tag, data as JSON, master_id', T, async () => {
    await r.call('mysql.event_return', [
      [
        { tag: 'salt/job/20240101000000000000/new', data: { jid: '20240101000000000000', minions: ['a'] } },
        { tag: 'salt/auth', data: { result: true, id: 'web1' } },
      ],
    ]);
    await r.call('mysql.get_minions');
    const got = rows(db, 'SELECT id, tag, data, master_id, alter_time FROM salt_events ORDER BY id');
    assert.equal(got.length, 2);
    assert.deepEqual(
      got.map((g) => g.slice(1, 4)),
      [
        ['salt/job/20240101000000000000/new', '{"jid": "20240101000000000000", "minions": ["a"]}', 'master1'],
        ['salt/auth', '{"result": true, "id": "web1"}', 'master1'],
      ],
    );
    assert.ok(Number(got[1]![0]) > Number(got[0]![0]));
    assert.match(got[0]![4]!, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });

  test(
    '--return_config and --return_kwargs pick another database; credentials in ret_kwargs are not stored',
    T,
    async () => {
      const schema = fs.readFileSync(path.join(REPO, 'libs/returners/schema/mysql.sql'), 'utf8');
      db.sql("CREATE DATABASE IF NOT EXISTS salt2; GRANT ALL ON salt2.* TO 'salt'@'%';");
      db.sql(schema, 'salt2');
      r.opts['alt.mysql.db'] = 'salt2';
      const a = genJid();
      await r.call('mysql.returner', [sampleRet(a, 'alt1', true, { ret_config: 'alt' })]);
      const b = genJid();
      await r.call('mysql.returner', [sampleRet(b, 'kw1', true, { ret_kwargs: { db: 'salt2', pass: db.password } })]);
      const c = genJid();
      await r.call('mysql.returner', [sampleRet(c, 'plain1')]);
      await r.call('mysql.get_minions', [], {});
      await r.call('mysql.returner', [sampleRet(genJid(), 'flush', true, { ret_config: 'alt' })]);
      const ids = (): string[] => db.sql('SELECT id FROM salt_returns ORDER BY id', 'salt2').trim().split('\n');
      // The salt2 spool flushes on its own; wait for it (bounded).
      for (let i = 0; i < 100 && ids().length < 3; i++) await new Promise((res) => setTimeout(res, 50));
      assert.deepEqual(ids(), ['alt1', 'flush', 'kw1']);
      assert.equal(count(db, 'salt_returns', "id = 'plain1'"), 1);
      const full = db.sql(`SELECT full_ret FROM salt_returns WHERE jid = '${b}'`, 'salt2');
      assert.ok(!full.includes(db.password), full);
      assert.ok(full.includes('"pass": "******"'), full);
      delete r.opts['alt.mysql.db'];
    },
  );

  test('sys.doc shows key names, never values', T, async () => {
    const docs = JSON.stringify(r.reg.doc('mysql'));
    assert.ok(docs.includes('mysql.pass'));
    assert.ok(!docs.includes(db.password));
  });
});
