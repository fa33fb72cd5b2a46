import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { EventListener, type BusEvent } from '@tsalt/events';
import { cluster, freePort, waitFor, type Cluster } from './harness.js';

/**
 * tsalt-call with a master: it signs in as the minion (its own keys, no
 * daemon running), and what needs the master works from it: events on the
 * master bus, salt:// through the master's file server, the pillar the
 * master compiles, and the return stored under a jid the master makes for
 * Salt's `req`.
 */
describe('tsalt-call with a master', { timeout: 180_000 }, () => {
  let c: Cluster;
  let listener: EventListener;
  const seen: BusEvent[] = [];
  const waitEvent = (tag: string): Promise<BusEvent> =>
    waitFor(`event ${tag} on the bus`, () => seen.find((e) => e.tag === tag), 15_000, { alive: [c.master] });

  before(async () => {
    c = await cluster();
    const files = path.join(c.root, 'srv', 'salt');
    const pillar = path.join(c.root, 'srv', 'pillar');
    fs.mkdirSync(files, { recursive: true });
    fs.mkdirSync(pillar, { recursive: true });
    fs.writeFileSync(path.join(files, 'x'), 'from the master\n');
    fs.writeFileSync(
      path.join(files, 'hello.sls'),
      'say hi:\n  test.succeed_without_changes:\n    - name: {{ pillar.role }}\n',
    );
    fs.writeFileSync(path.join(pillar, 'top.sls'), "base:\n  'm1':\n    - m1\n");
    fs.writeFileSync(path.join(pillar, 'm1.sls'), 'role: web\n');
    await c.startMaster(
      `auto_accept: True\nfile_roots:\n  base:\n    - ${files}\npillar_roots:\n  base:\n    - ${pillar}\n`,
    );
    listener = new EventListener({ sockDir: path.join(c.root, 'var/run/tsalt/master'), prefixes: ['my/', 'salt/'] });
    await listener.ready(5000);
    void (async () => {
      for await (const ev of listener.events()) seen.push(ev);
    })();
    c.writeMinionConfig('m1');
  });
  after(async () => {
    listener?.close();
    await c?.cleanup();
  });

  test('event.send my/tag reaches the master bus, sent as m1', async () => {
    const r = await c.call('m1', ['event.send', 'my/tag', '{"a": 1}', '--out', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { local: true });
    const ev = await waitEvent('my/tag');
    assert.deepEqual(ev.data['data'], { a: 1 });
    assert.equal(ev.data['id'], 'm1');
    const fm = await c.call('m1', ['event.fire_master', '{"b": 2}', 'my/fired', '--out', 'json']);
    assert.equal(fm.code, 0, fm.stderr);
    assert.deepEqual((await waitEvent('my/fired')).data['data'], { b: 2 });
  });

  test("cp.get_file_str salt://x reads the master's file server", async () => {
    const r = await c.call('m1', ['cp.get_file_str', 'salt://x', '--out', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { local: 'from the master\n' });
  });

  test('pillar.items is the pillar the master compiles for m1', async () => {
    const r = await c.call('m1', ['pillar.items', '--out', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { local: { role: 'web' } });
  });

  test('state.apply hello: the SLS from the master, rendered with the pillar from the master', async () => {
    const r = await c.call('m1', ['state.apply', 'hello', '--out', 'json']);
    const run = (JSON.parse(r.stdout) as { local: Record<string, Record<string, unknown>> }).local;
    // The state came from the master's file server and its name from the master's pillar; whether
    // it then succeeds is up to the state modules this build has, not to tsalt-call.
    const one = run['test_|-say hi_|-web_|-succeed_without_changes'];
    assert.ok(one, r.stdout + r.stderr);
    assert.equal(one['__sls__'], 'hello');
  });

  test("test.ping's return is stored under a jid of the master's, shown by jobs.list_jobs", async () => {
    const r = await c.call('m1', ['test.ping', '--out', 'json']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), { local: true });
    const ret = await waitFor(
      'the return event of the req job',
      () => seen.find((e) => /^salt\/job\/\d{20}\/ret\/m1$/.test(e.tag) && e.data['fun'] === 'test.ping'),
      15_000,
      { alive: [c.master] },
    );
    const jid = String(ret.data['jid']);
    assert.notEqual(jid, 'req');
    const l = await c.runner(['jobs.list_jobs', '--out', 'json']);
    assert.equal(l.code, 0, l.stderr);
    const job = (JSON.parse(l.stdout) as Record<string, Record<string, unknown>>)[jid];
    assert.ok(job, l.stdout);
    assert.equal(job['Function'], 'test.ping');
    assert.equal(job['Target'], 'm1');
    const lookup = await c.runner(['jobs.lookup_jid', jid, '--out', 'json']);
    assert.deepEqual(JSON.parse(lookup.stdout), { m1: true });
  });

  test('--return runs the returner here', async () => {
    const out = path.join(c.root, 'rawfile.json');
    fs.appendFileSync(path.join(c.minionDir('m1'), 'minion'), `rawfile_json.filename: ${out}\n`);
    const r = await c.call('m1', ['test.echo', 'hi', '--return', 'rawfile_json', '--out', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const line = JSON.parse(fs.readFileSync(out, 'utf8').trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
    assert.equal(line['return'], 'hi');
    assert.equal(line['fun'], 'test.echo');
    assert.equal(line['id'], 'm1');
    assert.equal(line['success'], true);
  });

  test('a master that is down: one line after auth_tries x auth_timeout, exit 1', async () => {
    const port = await freePort();
    const dir = path.join(c.root, 'etc', 'minion-m2');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, 'minion'),
      `id: m2\nroot_dir: ${path.join(c.root, 'minions', 'm2')}\nmaster: 127.0.0.1\nmaster_port: ${port}\n` +
        'auth_timeout: 1\nauth_tries: 2\nlog_level: quiet\n',
    );
    const t0 = Date.now();
    const r = await c.call('m2', ['test.ping']);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr.trim(),
      'Unable to sign_in to master: Attempt to authenticate with the salt master failed with timeout error',
    );
    assert.equal(r.stdout, '');
    assert.ok(Date.now() - t0 >= 2000);
  });
});
