import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { encode } from '@msgpack/msgpack';
import { cluster, waitFor, type Cluster, type RunResult } from './harness.js';

/*
 * Targeting by what the master knows: real tsalt-master and tsalt-minions
 * with different custom grains (`grains:` in their configs, which they
 * match themselves on), and the master's minion data cache filled the way
 * Salt's master leaves it (`<cachedir>/minions/<id>/data.p`, msgpack of
 * {grains, pillar}) before the master starts. The live minions then send
 * their own grains with `_pillar` and get the pillar the master compiles
 * from its pillar_roots (the same data as their seeds, so the cache says
 * the same either way). `ghost` has an accepted key and cached data but no
 * process: Salt's `[Not connected]`.
 */

interface Seed {
  grains: Record<string, unknown>;
  pillar: Record<string, unknown>;
}

const SEEDS: Record<string, Seed> = {
  'web-1': {
    grains: { role: 'web', app: { tier: 'front' }, ipv4: ['10.1.0.5'] },
    pillar: { env: 'prod', team: 'blue' },
  },
  'web-2': {
    grains: { role: 'web', app: { tier: 'back' }, ipv4: ['10.1.0.6'] },
    pillar: { env: 'dev', team: 'blue' },
  },
  'db-1': { grains: { role: 'db', app: { tier: 'data' }, ipv4: ['10.2.0.7'] }, pillar: { env: 'prod', team: 'red' } },
  ghost: { grains: { role: 'ghost', ipv4: ['10.9.0.1'] }, pillar: { env: 'none' } },
};
const LIVE = ['web-1', 'web-2', 'db-1'];

const NODEGROUPS = `nodegroups:
  webs: 'G@role:web'
  dbs:
    - db-1
  both: 'N@webs or N@dbs'
`;

/** pillar_roots giving each live minion its seed's pillar, by id. */
function writePillarRoots(dir: string): void {
  const top = LIVE.map((id) => `  '${id}':\n    - ${id.replace('-', '_')}\n`).join('');
  fs.writeFileSync(path.join(dir, 'top.sls'), `base:\n${top}`);
  for (const id of LIVE)
    fs.writeFileSync(path.join(dir, `${id.replace('-', '_')}.sls`), JSON.stringify(SEEDS[id]?.pillar));
}

function minionConfig(id: string): string {
  const g = SEEDS[id]?.grains ?? {};
  return `grains: ${JSON.stringify(g)}\n`;
}

/** `{id: return}` from `--out json --static`, failing with the CLI's stderr. */
function json(r: RunResult): Record<string, unknown> {
  assert.ok(r.stdout.trim(), `no output (exit ${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

describe('targeting on the master’s minion data cache', { timeout: 240_000 }, () => {
  let c: Cluster;
  let cachedir: string;
  const pillarDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-target-pillar-'));

  /** Whom the master published a job to: `--async`, then the job's Minions from the job cache. */
  async function published(args: string[]): Promise<string[]> {
    const r = await c.tsalt([...args, 'test.ping', '--async']);
    assert.equal(r.code, 0, r.stderr + r.stdout);
    const jid = /job ID: (\d+)/.exec(r.stdout)?.[1];
    assert.ok(jid, r.stdout);
    const job = await c.runner(['jobs.list_job', jid, '--out', 'json']);
    return ((json(job)['Minions'] as string[] | undefined) ?? []).slice().sort();
  }

  async function ping(args: string[]): Promise<{ r: RunResult; ids: string[] }> {
    const r = await c.tsalt(['-t', '3', ...args, 'test.ping', '--out', 'json', '--static']);
    return { r, ids: Object.keys(json(r)).sort() };
  }

  before(async () => {
    writePillarRoots(pillarDir);
    c = await cluster(
      `auto_accept: True\ngather_job_timeout: 2\npillar_roots:\n  base:\n    - ${pillarDir}\n${NODEGROUPS}`,
    );
    cachedir = path.join(c.root, 'var/cache/tsalt/master');
    for (const [id, seed] of Object.entries(SEEDS)) {
      const file = path.join(cachedir, 'minions', id, 'data.p');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, encode(seed));
    }
    // ghost: an accepted key, cached data, no process.
    const { publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    fs.mkdirSync(c.pki('minions'), { recursive: true });
    fs.writeFileSync(c.pki('minions', 'ghost'), publicKey.export({ type: 'spki', format: 'pem' }));
    await c.startMaster();
    for (const id of LIVE) await c.startMinion(id, minionConfig(id));
    for (const id of LIVE) await c.waitPing(id);
  });
  after(async () => {
    await c?.cleanup();
    fs.rmSync(pillarDir, { recursive: true, force: true });
  });

  test('-G, -P, -S select exactly the matching minions and exit 0 without waiting for the rest', async () => {
    const g = await ping(['-G', 'role:web']);
    assert.equal(g.r.code, 0, g.r.stderr);
    assert.deepEqual(g.ids, ['web-1', 'web-2']);
    const p = await ping(['-P', 'role:^d']);
    assert.equal(p.r.code, 0, p.r.stderr);
    assert.deepEqual(p.ids, ['db-1']);
    const s = await ping(['-S', '10.1.0.0/16']);
    assert.equal(s.r.code, 0, s.r.stderr);
    assert.deepEqual(s.ids, ['web-1', 'web-2']);
    const nested = await ping(['-G', 'app:tier:front']);
    assert.deepEqual(nested.ids, ['web-1']);
  });

  test('--delimiter applies on the master and on the minions', async () => {
    const d = await ping(['-G', 'app|tier|back', '--delimiter', '|']);
    assert.equal(d.r.code, 0, d.r.stderr);
    assert.deepEqual(d.ids, ['web-2']);
  });

  test('-I and -J match on the cached pillar', async () => {
    assert.deepEqual(await published(['-I', 'env:prod']), ['db-1', 'web-1']);
    assert.deepEqual(await published(['-J', 'team:^bl']), ['web-1', 'web-2']);
    // End to end: the minions hold the pillar compiled for them, match on it, and only their own.
    const own = await ping(['-I', 'env:prod']);
    assert.equal(own.r.code, 0, own.r.stderr);
    assert.deepEqual(own.ids, ['db-1', 'web-1']);
    const items = json(await c.tsalt(['-L', 'web-1,db-1', 'pillar.items', '--out', 'json', '--static']));
    assert.deepEqual(items, { 'web-1': SEEDS['web-1']?.pillar, 'db-1': SEEDS['db-1']?.pillar });
  });

  test('compound with every engine, and/or/not and parentheses', async () => {
    const a = await ping(['-C', 'G@role:web and ( E@web-1 or S@10.2.0.0/16 ) and not L@web-2']);
    assert.equal(a.r.code, 0, a.r.stderr);
    assert.deepEqual(a.ids, ['web-1']);
    const b = await ping(['-C', 'P@role:^db or N@webs and not web-1']);
    assert.deepEqual(b.ids, ['db-1', 'web-2']);
    assert.deepEqual(await published(['-C', 'I@env:dev or J@team:^re']), ['db-1', 'web-2']);
  });

  test('-N nodegroups are expanded on the master; the minions never see the name', async () => {
    const w = await ping(['-N', 'webs']);
    assert.equal(w.r.code, 0, w.r.stderr);
    assert.deepEqual(w.ids, ['web-1', 'web-2']);
    const b = await ping(['-N', 'both']);
    assert.deepEqual(b.ids, ['db-1', 'web-1', 'web-2']);
    const bad = await c.tsalt(['-N', 'nope', 'test.ping']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /Node group nope unavailable in /);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
  });

  test('a target nobody matches says so at once; bad targets get one line and exit 2', async () => {
    const none = await c.tsalt(['-G', 'role:nothing', 'test.ping']);
    assert.equal(none.code, 2);
    assert.equal(none.stdout, 'No minions matched the target. No command was sent, no jid was assigned.\n');
    assert.match(none.stderr, /ERROR: No return received/);
    for (const args of [
      ['-G', 'foo'],
      ['-C', 'web* and'],
      ['-C', '( web* or db*'],
    ]) {
      const r = await c.tsalt([...args, 'test.ping']);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.match(r.stderr, /Invalid (grain|compound) target/);
    }
  });

  test('a known minion that is not connected is reported [Not connected]', async () => {
    const r = await c.tsalt(['-t', '1', '*', 'test.ping', '--out', 'json', '--static']);
    assert.notEqual(r.code, 0);
    const out = json(r);
    assert.equal(out['ghost'], 'Minion did not return. [Not connected]');
    for (const id of LIVE) assert.equal(out[id], true);
    const sum = await c.tsalt(['-t', '1', 'ghost', 'test.ping', '--summary', '-v']);
    assert.match(sum.stdout, /ghost:\n {4}Minion did not return\. \[Not connected\]\n/);
    assert.match(sum.stdout, /Minions not connected: ghost\n/);
  });

  test('cache.grains, cache.pillar and cache.clear_*; the master follows the clears', async () => {
    const grains = json(await c.runner(['cache.grains', 'tgt=web*', '--out', 'json']));
    // The live minions' own grains: core grains plus the custom ones of their configs.
    assert.deepEqual(Object.keys(grains).sort(), ['web-1', 'web-2']);
    for (const id of ['web-1', 'web-2']) {
      const got = grains[id] as Record<string, unknown>;
      for (const [k, v] of Object.entries(SEEDS[id]?.grains ?? {})) assert.deepEqual(got[k], v, `${id} ${k}`);
      assert.equal(got['id'], id);
    }
    const byGrain = json(await c.runner(['cache.grains', 'tgt=role:db', 'tgt_type=grain', '--out', 'json']));
    assert.deepEqual(Object.keys(byGrain), ['db-1']);
    const pillar = json(await c.runner(['cache.pillar', '--out', 'json']));
    assert.deepEqual(Object.keys(pillar).sort(), ['db-1', 'ghost', 'web-1', 'web-2']);
    const bad = await c.runner(['cache.grains', 'tgt=foo', 'tgt_type=grain']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stdout + bad.stderr, /Invalid grain target 'foo'/);

    const cleared = await c.runner(['cache.clear_pillar', 'tgt=web-2', '--out', 'json']);
    assert.equal(cleared.stdout.trim(), 'true');
    assert.deepEqual(Object.keys(json(await c.runner(['cache.pillar', 'tgt=web*', '--out', 'json']))), ['web-1']);
    // The running master sees the clear: web-2 has grains cached but no pillar now.
    await waitFor(
      'the master to drop web-2 from -I team:blue',
      async () => {
        const ids = await published(['-I', 'team:blue']);
        return ids.join() === 'web-1';
      },
      15_000,
    );

    // clear_all: db-1 has nothing cached, so a grain target includes it (greedy) and it answers for itself.
    await c.runner(['cache.clear_all', 'tgt=db-1']);
    assert.equal(fs.existsSync(path.join(cachedir, 'minions', 'db-1', 'data.p')), false);
    await waitFor(
      'the master to forget db-1',
      async () => (await published(['-G', 'role:web'])).includes('db-1'),
      15_000,
    );
    const g = await ping(['-G', 'role:db']);
    assert.deepEqual(g.ids, ['db-1']);
  });

  test('deleting a key drops that minion’s cache', async () => {
    const d = await c.key(['-d', 'ghost', '-y']);
    assert.equal(d.code, 0, d.stderr);
    assert.equal(fs.existsSync(path.join(cachedir, 'minions', 'ghost')), false);
    const all = json(await c.runner(['cache.grains', 'tgt=*', '--out', 'json']));
    assert.equal('ghost' in all, false);
  });
});
