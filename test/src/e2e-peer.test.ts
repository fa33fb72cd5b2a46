import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import os from 'node:os';
import { startedCluster, waitFor, type Cluster } from './harness.js';

/*
 * Peer publishing end to end (docs/peer.md): the master config seed
 * block, its ids adapted to the test's minions (m1 may publish test.ping and
 * cmd.run; ids starting `shidc` network.*; m1 may run jobs.list_jobs).
 */
const MASTER = `peer:
    m1:
        - test.ping
        - cmd.run
    shidc.*:
        - network.*
peer_run:
    m1:
        - jobs.list_jobs
        - jobs.lookup_jid
        - wheel.key.list_all
`;

describe('peer publishing', { timeout: 180_000 }, () => {
  let c: Cluster;
  before(async () => {
    c = await startedCluster(['m1', 'm2'], MASTER);
  });
  after(async () => c?.cleanup());

  const json = async (args: string[]): Promise<Record<string, unknown>> => {
    const r = await c.tsalt([...args, '--out', 'json', '-t', '30'], 60_000);
    assert.equal(r.code === 0 || r.code === 1, true, r.stderr);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };
  const jobs = async (): Promise<Record<string, Record<string, unknown>>> => {
    const r = await c.runner(['jobs.list_jobs', '--out', 'json']);
    return JSON.parse(r.stdout) as Record<string, Record<string, unknown>>;
  };

  test("the seed: tsalt m1 publish.publish '*' cmd.run 'hostname' answers every minion's hostname", async () => {
    const out = await json(['m1', 'publish.publish', '*', 'cmd.run', 'hostname']);
    assert.deepEqual(out, { m1: { m1: os.hostname(), m2: os.hostname() } });
    // The job shows in jobs.list_jobs with the minion as its user.
    const all = await jobs();
    const peerJob = Object.values(all).find((j) => j['Function'] === 'cmd.run' && j['User'] === 'm1');
    assert.ok(peerJob, JSON.stringify(all));
    assert.deepEqual(peerJob['Arguments'], ['hostname']);
    assert.equal(peerJob['Target'], '*');
  });

  test("the seed verbatim from tsalt-call: tsalt-call publish.publish '*' cmd.run 'hostname'", async () => {
    const r = await c.call('m1', ['publish.publish', '*', 'cmd.run', 'hostname', '--out', 'json']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { local: { m1: os.hostname(), m2: os.hostname() } });
  });

  test('tgt_type and timeout: a pcre target; returns that come after the timeout are not waited for', async () => {
    assert.deepEqual(await json(['m1', 'publish.publish', 'm[2]', 'test.ping', 'tgt_type=pcre']), { m1: { m2: true } });
    const t0 = Date.now();
    const late = await json(['m1', 'publish.publish', 'm2', 'cmd.run', 'sleep 4; echo late', 'timeout=1']);
    assert.deepEqual(late, { m1: {} });
    assert.ok(Date.now() - t0 < 4000 + 3000, 'it gave up after about a second');
  });

  test('publish.full_data answers the full returns', async () => {
    const out = await json(['m1', 'publish.full_data', 'm2', 'test.ping']);
    assert.deepEqual(out, { m1: { m2: { ret: true, retcode: 0 } } });
  });

  test('a function outside the ACL is refused: {} as Salt, a master log line, and no minion runs it', async () => {
    const out = await json(['m1', 'publish.publish', '*', 'test.echo', 'peer-refused-marker']);
    assert.deepEqual(out, { m1: {} });
    await waitFor('the master log line', () =>
      /peer publish refused[^\n]*|"minion":"m1"[^\n]*"fun":"test.echo"/.test(c.master?.output() ?? ''),
    );
    const line = (c.master?.output() ?? '').split('\n').find((l) => l.includes('peer publish refused')) ?? '';
    assert.match(line, /m1/);
    assert.match(line, /test\.echo/);
    // A minion the ACL does not name may publish nothing.
    assert.deepEqual(await json(['m2', 'publish.publish', 'm1', 'test.ping']), { m2: {} });
    // Never published: no job in the cache, so neither minion ran it.
    const all = await jobs();
    assert.equal(
      Object.values(all).some((j) => j['Function'] === 'test.echo'),
      false,
      JSON.stringify(all),
    );
  });

  test('a recursive publish.* is refused before it leaves the minion', async () => {
    assert.deepEqual(await json(['m1', 'publish.publish', 'm2', 'publish.publish', 'm1,test.ping']), { m1: {} });
  });

  test('tsalt m1 saltutil.runner jobs.list_jobs runs on the master under peer_run', async () => {
    const out = await json(['m1', 'saltutil.runner', 'jobs.list_jobs']);
    const listed = out['m1'] as Record<string, Record<string, unknown>>;
    assert.equal(typeof listed, 'object');
    assert.ok(
      Object.values(listed).some((j) => j['Function'] === 'cmd.run' && j['User'] === 'm1'),
      JSON.stringify(listed),
    );
    // publish.runner is the same request.
    const viaPublish = await json(['m1', 'publish.runner', 'jobs.list_jobs']);
    assert.equal(typeof viaPublish['m1'], 'object');
  });

  test('a runner outside peer_run is refused with {} and logged; m2 may run none', async () => {
    assert.deepEqual(await json(['m1', 'saltutil.runner', 'manage.up']), { m1: {} });
    assert.deepEqual(await json(['m2', 'saltutil.runner', 'jobs.list_jobs']), { m2: {} });
    await waitFor('the master log line', () =>
      /peer runner refused: minion m2 may not run jobs.list_jobs/.test(c.master?.output() ?? ''),
    );
    assert.match(c.master?.output() ?? '', /peer runner refused: minion m1 may not run manage\.up/);
  });

  test('saltutil.wheel runs a wheel function on the master, named wheel.<fun> in peer_run', async () => {
    const out = (await json(['m1', 'saltutil.wheel', 'key.list_all']))['m1'] as Record<string, unknown>;
    assert.equal(out['fun'], 'wheel.key.list_all');
    assert.equal(out['user'], 'm1');
    assert.deepEqual((out['return'] as Record<string, unknown>)['minions'], ['m1', 'm2']);
    assert.deepEqual(await json(['m1', 'saltutil.wheel', 'key.delete', 'm2']), { m1: {} });
  });

  test("saltutil.cmd publishes under the peer ACL and answers Salt's full returns", async () => {
    const out = await json(['m1', 'saltutil.cmd', 'm2', 'test.ping']);
    assert.deepEqual(out, { m1: { m2: { ret: true, retcode: 0 } } });
  });
});
