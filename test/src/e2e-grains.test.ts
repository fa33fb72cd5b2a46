import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { cluster, waitFor, type Cluster } from './harness.js';

type Returns = Record<string, unknown>;

/** grains.* and pillar.* against a real master and two minions with different custom grains. */
describe('grains and pillar end to end', { timeout: 180_000 }, () => {
  let c: Cluster;
  const json = async (args: string[]): Promise<Returns> => {
    const r = await c.tsalt([...args, '--out', 'json', '--static']);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
    return JSON.parse(r.stdout) as Returns;
  };

  before(async () => {
    c = await cluster('auto_accept: True');
    await c.startMaster();
    // web-1: `grains:` in its config and a grains file; db-1: a grains file that is not YAML, and
    // jobs in the daemon (multiprocessing: False), so both ways of holding grains are exercised.
    fs.mkdirSync(c.minionDir('web-1'), { recursive: true });
    fs.writeFileSync(path.join(c.minionDir('web-1'), 'grains'), 'role: web\nroles:\n  - a\n');
    fs.mkdirSync(c.minionDir('db-1'), { recursive: true });
    fs.writeFileSync(path.join(c.minionDir('db-1'), 'grains'), 'role: [db\n  : :\n');
    await c.startMinion('web-1', 'grains:\n  tier: front\n  os: FromConfig\n');
    await c.startMinion('db-1', 'multiprocessing: False\ngrains:\n  tier: back\n');
    await c.waitPing('web-1');
    await c.waitPing('db-1');
  });
  after(async () => c?.cleanup());

  test("grains.items: Salt's core grains, custom grains over them", async () => {
    const r = await json(['*', 'grains.items']);
    const web = r['web-1'] as Returns;
    const db = r['db-1'] as Returns;
    for (const g of [web, db]) {
      for (const k of ['kernel', 'os_family', 'osrelease', 'cpuarch', 'num_cpus', 'mem_total', 'ipv4', 'fqdn', 'pid'])
        assert.ok(k in g, `grain ${k} missing`);
      assert.equal(g['saltversion'], '3006.8');
      assert.deepEqual(g['saltversioninfo'], [3006, 8]);
      assert.equal(typeof g['num_cpus'], 'number');
      assert.ok(Array.isArray(g['ipv4']) && (g['ipv4'] as string[]).includes('127.0.0.1'));
    }
    assert.equal(web['id'], 'web-1');
    assert.equal(web['role'], 'web');
    assert.deepEqual(web['roles'], ['a']);
    assert.equal(web['tier'], 'front');
    assert.equal(web['os'], 'FromConfig', '`grains:` in the config beat core grains');
    assert.equal(db['id'], 'db-1');
    assert.equal(db['tier'], 'back');
    assert.equal(db['role'], undefined, 'a grains file that is not YAML adds nothing');
  });

  test('a grains file that is not YAML: one log line, the minion still answers', () => {
    const log = c.minions.get('db-1')!.output();
    assert.match(log, /Bad syntax in grains file! Skipping\./);
    assert.equal(log.match(/Bad syntax in grains file/g)?.length, 1);
  });

  test('grains.get, grains.item, grains.ls, filter_by', async () => {
    const os = await json(['db-1', 'grains.get', 'os']);
    assert.equal(typeof os['db-1'], 'string');
    assert.notEqual(os['db-1'], '');
    assert.deepEqual(await json(['web-1', 'grains.get', 'roles:0']), { 'web-1': 'a' });
    assert.deepEqual(await json(['web-1', 'grains.get', 'nope', 'default=none']), { 'web-1': 'none' });
    const item = (await json(['*', 'grains.item', 'os_family', 'tier'])) as Record<string, Returns>;
    assert.deepEqual(Object.keys(item['web-1']!).sort(), ['os_family', 'tier']);
    assert.equal(item['db-1']!['tier'], 'back');
    const ls = (await json(['web-1', 'grains.ls']))['web-1'] as string[];
    assert.ok(ls.includes('role') && ls.includes('kernel'));
    const f = await json(['*', 'grains.filter_by', '{front: F, back: B}', 'tier']);
    assert.deepEqual(f, { 'web-1': 'F', 'db-1': 'B' });
  });

  test('grains.setval writes the grains file and the next job sees it', async () => {
    assert.deepEqual(await json(['web-1', 'grains.setval', 'role', 'api']), { 'web-1': { role: 'api' } });
    assert.deepEqual(await json(['web-1', 'grains.get', 'role']), { 'web-1': 'api' });
    assert.equal(fs.readFileSync(path.join(c.minionDir('web-1'), 'grains'), 'utf8'), 'role: api\nroles:\n  - a\n');
    // The master learns the new grain (the minion sends it with _pillar): -G role:api is web-1 alone.
    await waitFor(
      'the master to target web-1 by its new grain',
      async () => {
        const r = await c.tsalt(['-t', '3', '-G', 'role:api', 'test.ping', '--out', 'json', '--static']);
        return r.code === 0 && r.stdout.trim() !== '' && Object.keys(JSON.parse(r.stdout) as object).join() === 'web-1';
      },
      15_000,
    );
    await json(['web-1', 'grains.append', 'roles', 'b']);
    assert.deepEqual(await json(['web-1', 'grains.get', 'roles']), { 'web-1': ['a', 'b'] });
    // db-1's file was not YAML: setval says so and leaves it alone.
    const bad = await c.tsalt(['db-1', 'grains.setval', 'role', 'db', '--out', 'json']);
    assert.match(bad.stdout, /Unable to read existing grains file/);
    // A grain from the config still beats the file, as in Salt.
    await json(['web-1', 'grains.setval', 'tier', 'other']);
    assert.deepEqual(await json(['web-1', 'grains.get', 'tier']), { 'web-1': 'front' });
    await json(['web-1', 'grains.delkey', 'tier']);
  });

  test('pillar: {} from a master with no pillar; refresh_pillar and refresh_grains answer', async () => {
    assert.deepEqual(await json(['*', 'pillar.items']), { 'web-1': {}, 'db-1': {} });
    assert.deepEqual(await json(['*', 'pillar.raw']), { 'web-1': {}, 'db-1': {} });
    assert.deepEqual(await json(['web-1', 'pillar.get', 'a:b:c', 'default=x']), { 'web-1': 'x' });
    assert.deepEqual(await json(['*', 'saltutil.refresh_pillar']), { 'web-1': true, 'db-1': true });
    fs.writeFileSync(path.join(c.minionDir('db-1'), 'grains'), 'role: db\n');
    assert.deepEqual(await json(['db-1', 'saltutil.refresh_grains']), { 'db-1': true });
    assert.deepEqual(await json(['db-1', 'grains.get', 'role']), { 'db-1': 'db' });
  });

  test('tsalt-call --local grains.get id, grains.items', async () => {
    const r = await c.call('web-1', ['--local', 'grains.get', 'id', '--out', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { local: 'web-1' });
    const all = await c.call('web-1', ['--local', 'grains.items', '--out', 'json']);
    const g = (JSON.parse(all.stdout) as { local: Returns }).local;
    assert.equal(g['role'], 'api');
    assert.equal(g['tier'], 'front');
  });
});
