import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '@tsalt/core';
import { masterConfig } from '@tsalt/config';
import { Registry } from '@tsalt/loader';
import redis, { redisTarget } from './redis.js';
import { recordingLogger, type LogLine } from '../testing/recording-logger.js';

/*
 * Against a real redis-server on a free port (skipped when it is not
 * installed: scripts/test-deps.sh installs it).
 */
const BIN = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => fs.existsSync(p));
const CLI = ['/usr/bin/redis-cli', '/usr/local/bin/redis-cli'].find((p) => fs.existsSync(p));
const skip = BIN && CLI ? false : 'redis-server is not installed';
const T = { timeout: 20_000 };
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * A port for redis-server, from 20000-32767: below Linux's ephemeral range
 * (32768-60999), so neither another test's bind(0) nor any outgoing
 * connection takes it while Redis is down in the outage tests; at random, so
 * the test process beside this one rarely looks at the same numbers; and
 * checked free with a bind. A taken port still shows at once: Redis exits.
 */
async function freePort(): Promise<number> {
  for (let i = 0; i < 100; i++) {
    const port = 20000 + Math.floor(Math.random() * 12768);
    const free = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port in 20000-32767');
}

let root = '';
let port = 0;
let proc: ChildProcess | undefined;
const cli = (...args: string[]): string =>
  spawnSync(CLI!, ['-p', String(port), ...args], { encoding: 'utf8' }).stdout.trim();

const running = (p: ChildProcess): boolean => p.exitCode === null && p.signalCode === null;

/** Starts redis-server on `port`; resolves once it answers PING, fails at once (with its output) if it exits first. */
async function startRedis(): Promise<void> {
  const p = spawn(
    BIN!,
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', root, '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  proc = p;
  let out = '';
  const keep = (d: Buffer): void => void (out = (out + d.toString()).slice(-4000));
  p.stdout.on('data', keep);
  p.stderr.on('data', keep);
  const end = Date.now() + 10_000;
  while (cli('PING') !== 'PONG') {
    if (!running(p)) throw new Error(`redis-server exited (${p.exitCode ?? p.signalCode}) on start:\n${out}`);
    if (Date.now() > end) throw new Error(`redis-server did not answer PING on port ${port} in 10 s:\n${out}`);
    await sleep(25);
  }
}

async function stopRedis(): Promise<void> {
  const p = proc;
  if (!p || !running(p)) return;
  const gone = new Promise((r) => p.once('exit', r));
  p.kill('SIGTERM');
  await gone;
}

const registries: Registry[] = [];
function reg(extra: Record<string, unknown> = {}, log = silentLogger()): Registry {
  const cachedir = fs.mkdtempSync(path.join(root, 'cache-'));
  const r = new Registry(
    {
      kind: 'returner',
      opts: masterConfig({
        cachedir,
        'redis.host': '127.0.0.1',
        'redis.port': port,
        keep_jobs_seconds: 3600,
        ...extra,
      }),
      log,
    },
    [redis],
  );
  registries.push(r);
  return r;
}

async function until(what: string, cond: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

const ret = (id: string, jid: string, extra: Record<string, unknown> = {}) => ({
  id,
  jid,
  fun: 'test.ping',
  fun_args: [],
  return: true,
  retcode: 0,
  success: true,
  ...extra,
});

describe('redis returner', { skip }, () => {
  before(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-redis-'));
    port = await freePort();
    await startRedis();
  });
  afterEach(async () => {
    for (const r of registries.splice(0)) await r.shutdown();
    if (!proc || !running(proc)) await startRedis();
    cli('FLUSHALL');
  });
  after(async () => {
    await stopRedis();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('options: Salt defaults, the config, then ret_config and ret_kwargs', T, () => {
    assert.deepEqual(redisTarget({}), { host: 'salt', port: 6379, db: 0 });
    const opts = { 'redis.host': 'h', 'redis.port': '7000', 'alt.redis.db': 3, 'redis.password': 'pw' };
    assert.deepEqual(redisTarget(opts, { ret_config: 'alt', ret_kwargs: { port: 7001 } }), {
      host: 'h',
      port: 7001,
      db: 3,
      password: 'pw',
    });
  });

  it("a return lands in Salt's keys: ret:<jid> hash, <minion>:<fun>, minions; with keep_jobs expiry", T, async () => {
    const r = reg();
    await r.call('redis.returner', [ret('m1', '20250101000000000001')]);
    await r.call('redis.returner', [ret('m2', '20250101000000000001', { return: 'x' })]);
    await until('the keys', () => cli('HLEN', 'ret:20250101000000000001') === '2');
    assert.deepEqual(JSON.parse(cli('HGET', 'ret:20250101000000000001', 'm1')), ret('m1', '20250101000000000001'));
    assert.match(cli('HGET', 'ret:20250101000000000001', 'm1'), /^\{"id": "m1", "jid": /, "Salt's JSON layout");
    assert.equal(cli('GET', 'm1:test.ping'), '20250101000000000001');
    assert.deepEqual(cli('SMEMBERS', 'minions').split('\n').sort(), ['m1', 'm2']);
    const ttl = Number(cli('TTL', 'ret:20250101000000000001'));
    assert.ok(ttl > 3500 && ttl <= 3600, `ttl ${ttl}`);
    assert.ok(Number(cli('TTL', 'm1:test.ping')) > 3500);
  });

  it('the job-cache reads: get_jid, get_fun, get_load, get_jids, get_minions, clean_old_jobs', T, async () => {
    const r = reg();
    const jid = '20250101000000000002';
    await r.call('redis.save_load', [
      jid,
      { fun: 'test.ping', arg: [], tgt: '*', tgt_type: 'glob', jid, user: 'root' },
      ['m2', 'm1'],
    ]);
    await r.call('redis.returner', [ret('m1', jid)]);
    assert.deepEqual((await r.call('redis.get_jid', [jid])).return, { m1: ret('m1', jid) });
    assert.deepEqual((await r.call('redis.get_fun', ['test.ping'])).return, { m1: ret('m1', jid) });
    const load = (await r.call('redis.get_load', [jid])).return as Record<string, unknown>;
    assert.deepEqual(load['Minions'], ['m1', 'm2']);
    assert.equal(Number(cli('TTL', `load:${jid}`)) > 3500, true);
    const jids = (await r.call('redis.get_jids')).return as Record<string, Record<string, unknown>>;
    assert.equal(jids[jid]?.['Function'], 'test.ping');
    assert.deepEqual((await r.call('redis.get_minions')).return, ['m1']);
    assert.deepEqual((await r.call('redis.get_load', ['20250101000000000099'])).return, {});
    // A return whose load is gone is cleaned; one with a load stays.
    await r.call('redis.returner', [ret('m1', '20250101000000000003')]);
    assert.deepEqual(Object.keys((await r.call('redis.get_jid', ['20250101000000000003'])).return as object), ['m1']);
    await r.call('redis.clean_old_jobs');
    assert.equal(cli('EXISTS', 'ret:20250101000000000003'), '0');
    assert.equal(cli('EXISTS', `ret:${jid}`), '1');
    assert.equal((await r.call('redis.prep_jid', [false, 'x1'])).return, 'x1');
  });

  it('--return_kwargs picks another db', T, async () => {
    const r = reg();
    await r.call('redis.returner', [ret('m1', '20250101000000000004', { ret_kwargs: { db: 2 } })]);
    await until('db 2', () => cli('-n', '2', 'HLEN', 'ret:20250101000000000004') === '1');
    assert.equal(cli('EXISTS', 'ret:20250101000000000004'), '0');
  });

  it(
    'Redis down: returns are spooled at once and arrive, in order, when it is back; reads fail with one line',
    T,
    async () => {
      const lines: LogLine[] = [];
      const r = reg({ 'redis.password': '' }, recordingLogger(lines));
      await stopRedis();
      const t0 = Date.now();
      for (let i = 0; i < 5; i++) await r.call('redis.returner', [ret('m1', `2025010100000000010${i}`)]);
      assert.ok(Date.now() - t0 < 500, 'the returner never waits for Redis');
      await assert.rejects(r.call('redis.get_jid', ['20250101000000000100']), (err: Error) => {
        assert.match(
          err.message,
          new RegExp(`^Redis server unavailable at 127\\.0\\.0\\.1:${port} db 0: .*ECONNREFUSED`),
        );
        return true;
      });
      await startRedis();
      await until(
        '5 returns',
        () => [0, 1, 2, 3, 4].every((i) => cli('HLEN', `ret:2025010100000000010${i}`) === '1'),
        15_000,
      );
      assert.equal(cli('GET', 'm1:test.ping'), '20250101000000000104', 'written in order');
      assert.ok(lines.some((l) => l.level === 'warn' && /Redis server unavailable/.test(l.text)));
    },
  );

  it('writes left in the spool by a stopped process are sent by resume_spool after a restart', T, async () => {
    const r1 = reg({ 'redis.password': 's3cret' });
    const cachedir = r1.context().opts['cachedir'];
    await stopRedis();
    await r1.call('redis.returner', [ret('m9', '20250101000000000200')]);
    await r1.shutdown();
    const spoolDir = path.join(String(cachedir), 'spool', 'redis', `127.0.0.1_${port}_0`);
    assert.ok(
      fs.readdirSync(spoolDir).some((f) => f.endsWith('.spool')),
      'the write waits on disk',
    );
    assert.doesNotMatch(fs.readFileSync(path.join(spoolDir, 'target.json'), 'utf8'), /s3cret/);
    await startRedis();
    const r2 = new Registry(
      {
        kind: 'returner',
        opts: masterConfig({
          cachedir: String(cachedir),
          'redis.host': '127.0.0.1',
          'redis.port': port,
          'redis.password': '',
        }),
        log: silentLogger(),
      },
      [redis],
    );
    registries.push(r2);
    assert.equal((await r2.call('redis.resume_spool')).return, 1);
    await until('the spooled return', () => cli('HLEN', 'ret:20250101000000000200') === '1');
  });
});
