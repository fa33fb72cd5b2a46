import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { cluster, waitFor, type Cluster } from './harness.js';

/**
 * How the CLI waits (Salt's find_job checks) and the runners that publish
 * (jobs.active, manage.*), against real daemons: m1 stays up, m2 is stopped
 * part way. gather_job_timeout is 3 s so a down minion costs little.
 */
describe('waiting for minions, jobs.active and manage.*', { timeout: 180_000 }, () => {
  let c: Cluster;
  before(async () => {
    c = await cluster('auto_accept: True\ngather_job_timeout: 3');
    await c.startMaster();
    await c.startMinion('m1');
    await c.startMinion('m2');
    await c.waitPing('m1');
    await c.waitPing('m2');
  });
  after(async () => c?.cleanup());

  test('a job that outlasts -t is found running with find_job and waited for', async () => {
    const start = Date.now();
    const r = await c.tsalt(['m1', 'test.sleep', '6', '-t', '2', '--out', 'json'], 30_000);
    const ms = Date.now() - start;
    assert.equal(r.code, 0, r.stderr + r.stdout);
    // Only the job's own return: the find_job answers are never printed.
    assert.deepEqual(JSON.parse(r.stdout), { m1: true });
    assert.ok(ms >= 5500, `returned after ${ms} ms, before the sleep ended`);
  });

  test("jobs.active shows a running --async job with the minion's pid", async () => {
    const a = await c.tsalt(['m1', 'test.sleep', '10', '--async']);
    const jid = /Executed command with job ID: (\d{20})/.exec(a.stdout)?.[1];
    assert.ok(jid, a.stdout + a.stderr);
    const job = await waitFor(
      'the job in jobs.active',
      async () => {
        const r = await c.runner(['jobs.active', '--out', 'json']);
        assert.equal(r.code, 0, r.stderr);
        return (JSON.parse(r.stdout) as Record<string, Record<string, unknown>>)[jid];
      },
      20_000,
    );
    assert.equal(job['Function'], 'test.sleep');
    assert.deepEqual(job['Arguments'], [10]);
    assert.equal(job['Target'], 'm1');
    assert.deepEqual(job['Returned'], []);
    const running = job['Running'] as Record<string, unknown>[];
    assert.equal(running.length, 1);
    const pid = running[0]?.['m1'];
    assert.ok(typeof pid === 'number' && pid > 0, JSON.stringify(running));
  });

  test('a stopped minion is reported as not returning within timeout + gather_job_timeout', async () => {
    await c.minions.get('m2')?.stop();
    const start = Date.now();
    const r = await c.tsalt(['*', 'test.ping', '-t', '2'], 30_000);
    const ms = Date.now() - start;
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stdout, /^m1:\n {4}True\n/);
    // Salt's two words for it: [Not connected] once the master has seen m2 go (no lookup hint then),
    // [No response] while it still counts m2 as connected (with the hint).
    const how = /m2:\n {4}Minion did not return\. \[(No response|Not connected)\]/.exec(r.stdout)?.[1];
    assert.ok(how, r.stdout);
    if (how === 'No response') assert.match(r.stdout, /tsalt-run jobs\.lookup_jid \d{20}/);
    assert.equal(r.stdout.match(/^m1:/gm)?.length, 1, r.stdout);
    // 2 s timeout + 3 s gather_job_timeout, plus start-up.
    assert.ok(ms < 8000, `took ${ms} ms`);
  });

  test('manage.status, manage.up and manage.down ping the minions', async () => {
    const status = await c.runner(['manage.status', 'timeout=1', '--out', 'json']);
    assert.equal(status.code, 0, status.stderr);
    assert.deepEqual(JSON.parse(status.stdout), { up: ['m1'], down: ['m2'] });
    const up = await c.runner(['manage.up', 'timeout=1', '--out', 'json']);
    assert.deepEqual(JSON.parse(up.stdout), ['m1']);
    const down = await c.runner(['manage.down', 'timeout=1', '--out', 'json']);
    assert.deepEqual(JSON.parse(down.stdout), ['m2']);
  });

  test("manage.down removekeys=True deletes the down minion's key", async () => {
    assert.ok(fs.existsSync(c.pki('minions', 'm2')));
    const down = await c.runner(['manage.down', 'removekeys=True', 'timeout=1', '--out', 'json']);
    assert.equal(down.code, 0, down.stderr);
    assert.deepEqual(JSON.parse(down.stdout), ['m2']);
    assert.ok(!fs.existsSync(c.pki('minions', 'm2')));
    assert.ok(fs.existsSync(c.pki('minions', 'm1')));
  });

  test('jobs.lookup_jid: a jid that is not a jid is one line naming it; an unknown jid is empty', async () => {
    const bad = await c.runner(['jobs.lookup_jid', 'notajid']);
    assert.notEqual(bad.code, 0);
    assert.equal(bad.stderr.trim().split('\n').length, 1, bad.stderr);
    assert.match(bad.stderr, /notajid/);
    const unknown = await c.runner(['jobs.lookup_jid', '20000101000000000000', '--out', 'json']);
    assert.equal(unknown.code, 0, unknown.stderr);
    assert.deepEqual(JSON.parse(unknown.stdout), {});
  });
});
