import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { cluster, waitFor, type Cluster } from './harness.js';
import { noRedis, startRedis, type Redis } from './db-harness.js';

/**
 * Returners on real minions: `--return`, `return:`, `--return_kwargs`, a
 * missing returner, `sys.list_returners`, and the redis returner against a
 * real Redis, through an outage and a minion restart.
 */
describe('returners end to end', { timeout: 180_000, skip: noRedis ?? false }, () => {
  let c: Cluster;
  let r: Redis;
  /** m1 sends to Redis when asked; m2 has `return: rawfile_json` in its config. */
  let m1Config = '';
  const m2File = (): string => path.join(c.root, 'm2-events.json');

  before(async () => {
    r = await startRedis();
    c = await cluster('auto_accept: True');
    await c.startMaster();
    m1Config = `redis.host: 127.0.0.1\nredis.port: ${r.port}\nalt.rawfile_json.filename: ${path.join(c.root, 'alt.json')}\n`;
    await c.startMinion('m1', m1Config);
    await c.startMinion('m2', `return: rawfile_json\nrawfile_json.filename: ${m2File()}\n`);
    await c.waitPing('m1');
    await c.waitPing('m2');
  });
  after(async () => {
    await c?.cleanup();
    await r?.cleanup();
  });

  /** Runs a job on `tgt`; the jid and the parsed JSON returns. */
  async function job(
    tgt: string,
    args: string[],
  ): Promise<{ jid: string; ret: Record<string, unknown>; stderr: string }> {
    const res = await c.tsalt([tgt, ...args, '--show-jid', '--out', 'json', '--static']);
    const jid = /jid: (\d{20})/.exec(res.stdout)?.[1];
    assert.ok(jid, `no jid in ${res.stdout} ${res.stderr}`);
    return {
      jid,
      ret: JSON.parse(res.stdout.slice(res.stdout.indexOf('{'))) as Record<string, unknown>,
      stderr: res.stderr,
    };
  }

  const lines = (file: string): Record<string, unknown>[] =>
    fs.existsSync(file)
      ? fs
          .readFileSync(file, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Record<string, unknown>)
      : [];

  test("--return redis leaves Salt's keys in Redis", async () => {
    const { jid, ret } = await job('m1', ['test.ping', '--return', 'redis']);
    assert.deepEqual(ret, { m1: true });
    await waitFor('ret:<jid> in Redis', () => r.cli('HLEN', `ret:${jid}`).trim() === '1');
    const stored = JSON.parse(r.cli('HGET', `ret:${jid}`, 'm1')) as Record<string, unknown>;
    assert.equal(stored['return'], true);
    assert.equal(stored['id'], 'm1');
    assert.equal(stored['fun'], 'test.ping');
    assert.equal(stored['jid'], jid);
    assert.equal(stored['success'], true);
    assert.equal(r.cli('GET', 'm1:test.ping').trim(), jid);
    assert.ok(r.cli('SMEMBERS', 'minions').split('\n').includes('m1'));
    assert.ok(Number(r.cli('TTL', `ret:${jid}`)) > 0, 'expires after keep_jobs');
  });

  test('--return rawfile_json appends one JSON line to /var/log/tsalt/events under the root_dir', async () => {
    const file = path.join(c.root, 'minions', 'm1', 'var', 'log', 'tsalt', 'events');
    const { jid } = await job('m1', ['test.echo', 'hello', '--return', 'rawfile_json']);
    await waitFor('the rawfile_json line', () => lines(file).some((l) => l['jid'] === jid));
    const line = lines(file).find((l) => l['jid'] === jid)!;
    assert.equal(line['return'], 'hello');
    assert.equal(line['fun'], 'test.echo');
    assert.deepEqual(line['fun_args'], ['hello']);
  });

  test('return: rawfile_json in the minion config works without --return', async () => {
    const { jid } = await job('m2', ['test.ping']);
    await waitFor('the line from return:', () => lines(m2File()).some((l) => l['jid'] === jid));
  });

  test('--return_kwargs overrides the returner options, and reaches the ret', async () => {
    const file = path.join(c.root, 'kwargs.json');
    const { jid } = await job('m1', [
      'test.ping',
      '--return',
      'rawfile_json',
      '--return_kwargs',
      JSON.stringify({ filename: file }),
    ]);
    await waitFor('the line in the --return_kwargs file', () => lines(file).some((l) => l['jid'] === jid));
    assert.deepEqual(lines(file)[0]?.['ret_kwargs'], { filename: file });
  });

  test('--return_config reads the alternative prefix', async () => {
    const file = path.join(c.root, 'alt.json');
    const { jid } = await job('m1', ['test.ping', '--return', 'rawfile_json', '--return_config', 'alt']);
    await waitFor('the line in the alt file', () =>
      lines(file).some((l) => l['jid'] === jid && l['ret_config'] === 'alt'),
    );
  });

  test('--return nosuch warns once, the job still returns True, the minion logs one line', async () => {
    const { ret, stderr } = await job('m1', ['test.ping', '--return', 'nosuch']);
    assert.deepEqual(ret, { m1: true });
    assert.equal(stderr, "WARNING: Returner 'nosuch' is not available; the minions will skip it.\n");
    await waitFor('the minion log line', () =>
      c.minions.get('m1')!.output().includes("Returner 'nosuch' is not available"),
    );
    assert.equal(c.minions.get('m1')!.output().split("Returner 'nosuch' is not available").length - 1, 1);
  });

  test('--return local prints the return on the minion console', async () => {
    const { jid } = await job('m1', ['test.echo', 'printed', '--return', 'local']);
    await waitFor('the printed return', () => c.minions.get('m1')!.output().includes(`'jid': '${jid}'`));
  });

  test('sys.list_returners lists the returners available on the minion', async () => {
    const { ret } = await job('m1', ['sys.list_returners']);
    const names = ret['m1'] as string[];
    for (const n of ['local', 'local_cache', 'mysql', 'rawfile_json', 'redis', 'syslog'])
      assert.ok(names.includes(n), `${n} in ${names.join(', ')}`);
    assert.deepEqual(names, [...names].sort());
  });

  test('Redis down: 5 jobs still return at once, and all 5 reach Redis when it is back', async () => {
    await r.stop();
    const jids: string[] = [];
    try {
      for (let i = 0; i < 5; i++) {
        const { jid, ret } = await job('m1', ['test.echo', `out-${i}`, '--return', 'redis']);
        assert.deepEqual(ret, { m1: `out-${i}` });
        jids.push(jid);
      }
    } finally {
      await r.start();
    }
    await waitFor(
      'all 5 returns in Redis',
      () => jids.every((jid) => r.cli('HLEN', `ret:${jid}`).trim() === '1'),
      30_000,
    );
    assert.equal(r.cli('GET', 'm1:test.echo').trim(), jids[4], 'written in order');
  });

  test('Redis down and the minion restarted: the spooled returns arrive after the restart', async () => {
    await r.stop();
    const jids: string[] = [];
    try {
      for (let i = 0; i < 2; i++) jids.push((await job('m1', ['test.echo', `held-${i}`, '--return', 'redis'])).jid);
      // Let the returner hand them to the spool (it runs right after the return to the master).
      await waitFor('the spooled writes', () =>
        fs
          .readdirSync(path.join(c.root, 'minions', 'm1', 'var', 'cache', 'tsalt', 'minion', 'spool', 'redis'), {
            recursive: true,
          })
          .some((f) => String(f).endsWith('.spool')),
      );
      const m1 = c.minions.get('m1')!;
      await m1.stop();
      assert.equal(m1.proc.signalCode ?? m1.proc.exitCode, 0, 'a clean stop');
    } finally {
      await r.start();
    }
    assert.equal(
      jids.filter((jid) => r.cli('EXISTS', `ret:${jid}`).trim() === '1').length,
      0,
      'nothing was written while Redis was down',
    );
    await c.startMinion('m1', m1Config);
    await waitFor(
      'the held returns in Redis',
      () => jids.every((jid) => r.cli('HLEN', `ret:${jid}`).trim() === '1'),
      30_000,
    );
  });
});
