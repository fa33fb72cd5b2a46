import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { cluster, hostInterface, waitFor, type Cluster } from './harness.js';

const IF = hostInterface();

/**
 * The mine end to end: mine_functions from the minion config (Salt's seed
 * block, with this host's interface), mine.send with args and kwargs,
 * mine.get across two minions with tgt_type, the mine_get ACL and
 * allow_tgt, mine.delete / mine.flush, and tsalt-run cache.mine over the
 * master's minion data cache.
 */
describe('the salt mine end to end', { timeout: 240_000, skip: process.platform !== 'linux' && 'Linux only' }, () => {
  let c: Cluster;
  let ips: string[];
  const json = async (args: string[]): Promise<Record<string, unknown>> => {
    const r = await c.tsalt([...args, '--out', 'json', '--static'], 60_000);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };
  const cacheMine = async (): Promise<Record<string, Record<string, unknown>>> => {
    const r = await c.runner(['cache.mine', '--out', 'json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    return JSON.parse(r.stdout) as Record<string, Record<string, unknown>>;
  };

  before(async () => {
    // m2 may read only network.ip_addrs and the alias secret_ips; m1 reads everything.
    c = await cluster(
      `auto_accept: True\nmine_get:\n  m1:\n    - .*\n  m2:\n    - network\\.ip_addrs\n    - secret_ips\n    - nosuch\\.fun\n`,
    );
    await c.startMaster();
    // The seed block, verbatim but for the interface name.
    await c.startMinion('m1', `mine_functions:\n   network.ip_addrs:\n       interface: ${IF}\n`);
    // Salt's list form with a mine_function alias, a bare function, and one that fails.
    await c.startMinion(
      'm2',
      `grains:\n  role: db\nmine_functions:\n  db_ips:\n    - mine_function: network.ip_addrs\n    - interface: ${IF}\n` +
        `  test.ping: []\n  broken:\n    mine_function: file.read\n    path: /nonexistent/tsalt-mine\n`,
    );
    await c.waitPing('m1');
    await c.waitPing('m2');
    ips = (await json(['m1', 'network.ip_addrs', `interface=${IF}`]))['m1'] as string[];
    assert.ok(Array.isArray(ips));
  });
  after(async () => c?.cleanup());

  test("mine_functions reach the master at start, with no mine.update: the scheduler's __mine_interval runs on start", async () => {
    await waitFor(
      "m1's mine_functions in the master's cache",
      async () => JSON.stringify((await cacheMine())['m1']?.['network.ip_addrs']) === JSON.stringify(ips),
      30_000,
    );
  });

  test('tsalt m1 mine.update; tsalt m1 mine.get m1 network.ip_addrs', async () => {
    assert.deepEqual(await json(['m1', 'mine.update']), { m1: true });
    assert.deepEqual(await json(['m1', 'mine.get', 'm1', 'network.ip_addrs']), { m1: { m1: ips } });
    // Stored in Salt's layout: minions/<id>/mine.p beside data.p.
    assert.ok(fs.existsSync(path.join(c.root, 'var/cache/tsalt/master/minions/m1/mine.p')));
  });

  test('tsalt-call reaches the mine too (signed in as the minion)', async () => {
    const r = await c.call('m1', ['mine.get', 'm1', 'network.ip_addrs', '--out', 'json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { local: { m1: ips } });
  });

  test('mine.update with an alias and a failing function: the alias holds the data, the failure nothing', async () => {
    assert.deepEqual(await json(['m2', 'mine.update']), { m2: true });
    const m2 = (await cacheMine())['m2'];
    assert.deepEqual(m2, { db_ips: ips, 'test.ping': true });
    const log = fs.readFileSync(path.join(c.root, 'minions/m2/var/log/tsalt/minion'), 'utf8');
    assert.match(log, /Function file\.read in mine\.update failed to execute/);
  });

  test("tsalt '*' mine.send network.ip_addrs interface=<if>; mine.get across minions", async () => {
    assert.deepEqual(await json(['*', 'mine.send', 'network.ip_addrs', `interface=${IF}`]), { m1: true, m2: true });
    assert.deepEqual(await json(['m1', 'mine.get', '*', 'network.ip_addrs']), { m1: { m1: ips, m2: ips } });
    assert.deepEqual(await json(['m2', 'mine.get', '*', 'network.ip_addrs']), { m2: { m1: ips, m2: ips } });
  });

  test('mine.get with tgt_type: grain, list, pcre, compound; several functions by name', async () => {
    const get = async (...args: string[]): Promise<unknown> => (await json(['m1', 'mine.get', ...args]))['m1'];
    assert.deepEqual(await get('role:db', 'network.ip_addrs', 'tgt_type=grain'), { m2: ips });
    assert.deepEqual(await get('m1,m2', 'network.ip_addrs', 'tgt_type=list'), { m1: ips, m2: ips });
    assert.deepEqual(await get('^m[2-9]$', 'network.ip_addrs', 'tgt_type=pcre'), { m2: ips });
    assert.deepEqual(await get('G@role:db or L@m1', 'network.ip_addrs', 'tgt_type=compound'), { m1: ips, m2: ips });
    assert.deepEqual(await get('m2', 'network.ip_addrs,db_ips'), {
      'network.ip_addrs': { m2: ips },
      db_ips: { m2: ips },
    });
  });

  test('the mine_get ACL and allow_tgt decide what a minion reads', async () => {
    // m2's ACL does not list db_ips.
    assert.deepEqual(await json(['m2', 'mine.get', 'm2', 'db_ips']), { m2: {} });
    assert.deepEqual(await json(['m1', 'mine.get', 'm2', 'db_ips']), { m1: { m2: ips } });
    // A mine_function alias with a minion-side ACL: only m1 may read it.
    assert.deepEqual(
      await json([
        'm1',
        'mine.send',
        'secret_ips',
        'mine_function=network.ip_addrs',
        `interface=${IF}`,
        'allow_tgt=m1',
      ]),
      { m1: true },
    );
    assert.deepEqual(await json(['m1', 'mine.get', 'm1', 'secret_ips']), { m1: { m1: ips } });
    assert.deepEqual(await json(['m2', 'mine.get', 'm1', 'secret_ips']), { m2: {} });
    // The master keeps Salt's ACL structure.
    assert.deepEqual((await cacheMine())['m1']?.['secret_ips'], {
      __data__: ips,
      __saltmine_acl__: 1,
      allow_tgt: 'm1',
    });
  });

  test('mine.get for an unknown function returns {}', async () => {
    assert.deepEqual(await json(['m2', 'mine.get', '*', 'nosuch.fun']), { m2: {} });
  });

  test('mine.valid shows the configured functions, an alias as {function: [args]}', async () => {
    assert.deepEqual(await json(['m2', 'mine.valid']), {
      m2: {
        db_ips: { 'network.ip_addrs': [{ interface: IF }] },
        'test.ping': [],
        broken: { 'file.read': [{ path: '/nonexistent/tsalt-mine' }] },
      },
    });
  });

  test('mine.delete drops one function, mine.flush the whole mine; tsalt-run cache.mine shows what is left', async () => {
    assert.deepEqual(await json(['m2', 'mine.delete', 'db_ips']), { m2: true });
    assert.deepEqual(await json(['m1', 'mine.get', 'm2', 'db_ips']), { m1: {} });
    assert.deepEqual(Object.keys((await cacheMine())['m2'] ?? {}).sort(), ['network.ip_addrs', 'test.ping']);
    assert.deepEqual(await json(['m2', 'mine.flush']), { m2: true });
    const mine = await cacheMine();
    assert.deepEqual(mine['m2'], {});
    assert.deepEqual(Object.keys(mine['m1'] ?? {}).sort(), ['network.ip_addrs', 'secret_ips']);
    assert.deepEqual(await json(['m1', 'mine.get', '*', 'network.ip_addrs']), { m1: { m1: ips } });
  });
});
