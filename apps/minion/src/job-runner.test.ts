import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { readProcStat, silentLogger } from '@tsalt/core';
import { minionConfig, type MinionConfig } from '@tsalt/config';
import { descendantPids, genJid, readProcFile } from '@tsalt/job';
import { JobPool, JobRunner } from './index.js';
import type { PublishLoad } from '@tsalt/transport';

const T = { timeout: 20_000 };
let root = '';
const runners: JobRunner[] = [];

function opts(extra: Partial<MinionConfig> & Record<string, unknown> = {}): MinionConfig {
  const cachedir = fs.mkdtempSync(path.join(root, 'cache-'));
  return minionConfig({
    id: 'm1',
    cachedir,
    log_level: 'quiet',
    log_level_logfile: 'quiet',
    log_file: '',
    ...extra,
  });
}

function runner(extra: Partial<MinionConfig> & Record<string, unknown> = {}): JobRunner {
  const r = new JobRunner({ opts: opts(extra), grains: {}, log: silentLogger(), fireEvent: async () => undefined });
  runners.push(r);
  return r;
}

function load(fun: string, arg: unknown[] = []): PublishLoad {
  return { fun, arg, jid: genJid(), tgt: 'm1', tgt_type: 'glob', user: 'root', ret: '' };
}

/** Alive and not a zombie. */
function alive(pid: number): boolean {
  const s = readProcStat(pid);
  return s !== undefined && s.state !== 'Z';
}

async function waitFor(what: string, cond: () => boolean, ms = 8000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await delay(20);
  }
}

before(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-jobs-'));
});
after(async () => {
  await Promise.all(runners.map((r) => r.stop()));
  fs.rmSync(root, { recursive: true, force: true });
});

describe('jobs in job processes (multiprocessing: True)', () => {
  it('a job runs in a warm job process, not the daemon; its proc file goes when it ends', T, async () => {
    const r = runner({ cache_jobs: true });
    r.warm();
    const l = load('cmd.run', ['echo $PPID']);
    const ret = await r.run(l);
    assert.equal(ret?.retcode, 0);
    const pid = Number(ret?.return);
    assert.ok(pid > 0 && pid !== process.pid, String(ret?.return));
    assert.deepEqual(
      r.pool?.processes().map((p) => [p.pid, p.state]),
      [[pid, 'idle']],
      'the process is kept warm',
    );
    assert.equal(readProcFile(r.registry.context().opts['cachedir'] as string, String(l['jid'])), undefined);
    // The same warm process takes the next job.
    assert.equal((await r.run(load('cmd.run', ['echo $PPID'])))?.return, String(pid));
    // cache_jobs: the minion keeps its own copy, which find_cached_job reads (in the daemon).
    const cached = await r.run(load('saltutil.find_cached_job', [l['jid']]));
    assert.equal((cached?.return as Record<string, unknown>)['return'], String(pid));
  });

  it('kill_job kills the job process and its command; no return is sent; find_job answers meanwhile', T, async () => {
    const r = runner({ process_count_max: 1 });
    const cachedir = r.registry.context().opts['cachedir'] as string;
    const l = load('cmd.run', ['sleep 30; echo never']);
    const jid = String(l['jid']);
    const job = r.run(l);
    await waitFor('the proc file', () => readProcFile(cachedir, jid) !== undefined);
    const info = readProcFile(cachedir, jid)!;
    const pid = info['pid'] as number;
    assert.notEqual(pid, process.pid);
    assert.equal(info['fun'], 'cmd.run');
    let sleepPid = 0;
    await waitFor(
      'the sleep',
      () => (sleepPid = descendantPids(pid).find((d) => cmdline(d).startsWith('sleep')) ?? 0) > 0,
    );
    // The one slot is taken by the job: find_job and kill_job are answered by the daemon itself.
    const found = await r.run(load('saltutil.find_job', [jid]));
    assert.equal((found?.return as Record<string, unknown>)['pid'], pid);
    const killed = await r.run(load('saltutil.kill_job', [jid]));
    assert.equal(killed?.return, `Signal 9 sent to job ${jid} at pid ${pid}`);
    assert.equal(await job, undefined, 'a killed job sends no return');
    assert.equal(readProcFile(cachedir, jid), undefined);
    await waitFor('the command to die', () => !alive(sleepPid) && !alive(pid));
    assert.deepEqual((await r.run(load('saltutil.find_job', [jid])))?.return, {});
    assert.match(
      String((await r.run(load('saltutil.kill_job', [jid])))?.return),
      new RegExp(`Job ${jid} is not running`),
    );
  });

  it('a job process that dies on its own gives a return with retcode 1', T, async () => {
    const r = runner();
    const ret = await r.run(load('cmd.run', ['kill -SEGV $PPID']));
    assert.equal(ret?.retcode, 1);
    assert.equal(ret?.success, false);
    assert.match(
      String(ret?.return),
      /^The minion function caused an exception: the job process \(pid \d+\) was killed by SIGSEGV$/,
    );
    // The pool recovers.
    assert.equal((await r.run(load('test.ping')))?.return, true);
  });

  it('process_count_max: 1 runs jobs one after the other, in order', T, async () => {
    const r = runner({ process_count_max: 1, job_pool_size: 2 });
    const order: string[] = [];
    const started = Date.now();
    await Promise.all(['a', 'b', 'c'].map((x) => r.run(load('test.sleep', [0.2])).then(() => order.push(x))));
    assert.deepEqual(order, ['a', 'b', 'c']);
    assert.ok(Date.now() - started >= 600, 'they did not overlap');
  });

  it('stop() ends busy job processes and what they started', T, async () => {
    const r = runner();
    const l = load('cmd.run', ['sleep 30']);
    const job = r.run(l);
    const cachedir = r.registry.context().opts['cachedir'] as string;
    await waitFor('the proc file', () => readProcFile(cachedir, String(l['jid'])) !== undefined);
    const pid = readProcFile(cachedir, String(l['jid']))!['pid'] as number;
    await r.stop();
    await job;
    await waitFor('the job process to die', () => !alive(pid));
    assert.deepEqual(r.pool?.processes(), []);
  });

  it('a bad job_pool_size stops start-up with the key name', () => {
    assert.throws(() => runner({ job_pool_size: -1 }), /job_pool_size/);
    assert.throws(() => runner({ job_pool_size: 'two' as unknown as number }), /job_pool_size/);
  });
});

describe('jobs in the daemon (multiprocessing: False)', () => {
  it('runs in-process with the daemon pid in the proc file; kill_job will not kill the daemon', T, async () => {
    const r = runner({ multiprocessing: false });
    assert.equal(r.pool, undefined);
    const cachedir = r.registry.context().opts['cachedir'] as string;
    assert.equal((await r.run(load('cmd.run', ['echo $PPID'])))?.return, String(process.pid));
    const l = load('cmd.run', ['sleep 30']);
    const jid = String(l['jid']);
    const job = r.run(l);
    await waitFor('the proc file', () => readProcFile(cachedir, jid) !== undefined);
    assert.equal(readProcFile(cachedir, jid)!['pid'], process.pid);
    const k = await r.run(load('saltutil.kill_job', [jid]));
    assert.match(String(k?.return), /^Signal 9 sent to the commands of job/);
    const ret = await job;
    assert.notEqual(ret?.retcode, 0, 'the command was killed, the job returned');
    assert.equal(readProcFile(cachedir, jid), undefined);
  });
});

describe('a return on its way to the master', () => {
  it('keeps the job in find_job and running until the master has it; there is nothing to signal', T, async () => {
    const r = runner({ multiprocessing: false });
    const l = load('test.ping');
    const jid = String(l['jid']);
    assert.equal((await r.run(l))?.return, true);
    let acknowledge!: (ok: boolean) => void;
    const sending = r.whileReturning(l, () => new Promise<boolean>((res) => (acknowledge = res)));
    const found = (await r.run(load('saltutil.find_job', [jid])))?.return as Record<string, unknown>;
    assert.equal(found['jid'], jid);
    assert.equal(found['fun'], 'test.ping');
    assert.equal(found['pid'], process.pid);
    const listed = (await r.run(load('saltutil.running')))?.return as Record<string, unknown>[];
    assert.deepEqual(
      listed.map((d) => d['jid']),
      [jid],
    );
    const kill = await r.run(load('saltutil.kill_job', [jid]));
    assert.equal(kill?.return, `Job ${jid} is not running on this minion`);
    acknowledge(true);
    assert.equal(await sending, true);
    assert.deepEqual((await r.run(load('saltutil.find_job', [jid])))?.return, {});
    assert.deepEqual((await r.run(load('saltutil.running')))?.return, []);
  });
});

describe('the job pool protocol', () => {
  it("routes a job's events to the daemon and answers the worker", T, async () => {
    // A stand-in worker: fires one event during its job and returns the reply.
    const file = path.join(root, 'fake-worker.mjs');
    fs.writeFileSync(
      file,
      `
      process.on('message', (m) => {
        if (m.type === 'init') process.send({ type: 'ready' });
        if (m.type === 'run') process.send({ type: 'event', seq: 1, tag: 'my/tag', data: { x: 1 } });
        if (m.type === 'reply') process.send({ type: 'done', ret: { ok: m.ok, error: m.error } });
      });
      process.on('disconnect', () => process.exit());
    `,
    );
    const events: unknown[] = [];
    const pool = new JobPool({
      size: 0,
      init: { id: 'm1', opts: minionConfig(), grains: {} },
      log: silentLogger(),
      workerFile: file,
      fireEvent: async (tag, data) => void events.push([tag, data]),
    });
    try {
      const out = await pool.run(load('x.y'), () => undefined);
      assert.equal(out.kind, 'done');
      assert.deepEqual(out.kind === 'done' ? out.ret : undefined, { ok: true, error: undefined });
      assert.deepEqual(events, [['my/tag', { x: 1 }]]);
      // Beyond `size` (0 here) a process lingers idle for the next burst before it exits.
      assert.deepEqual(pool.processes(), [{ pid: out.pid, state: 'idle' }]);
      const again = await pool.run(load('x.y'), () => undefined);
      assert.equal(again.pid, out.pid);
    } finally {
      await pool.close();
    }
  });

  it("forwards a job's master request (publish.*) to the daemon's service and answers its MasterReply", T, async () => {
    const file = path.join(root, 'peer-worker.mjs');
    fs.writeFileSync(
      file,
      `
      process.on('message', (m) => {
        if (m.type === 'init') process.send({ type: 'ready' });
        if (m.type === 'run') process.send({ type: 'master-request', seq: 1, load: { cmd: 'minion_runner', fun: 'jobs.list_jobs' }, timeoutMs: 1234 });
        if (m.type === 'reply') process.send({ type: 'done', ret: { ok: m.ok, value: m.value } });
      });
      process.on('disconnect', () => process.exit());
    `,
    );
    const asked: unknown[] = [];
    const pool = new JobPool({
      size: 0,
      init: { id: 'm1', opts: minionConfig(), grains: {} },
      log: silentLogger(),
      workerFile: file,
      fireEvent: async () => undefined,
      masterRequest: {
        send: async (req, timeoutMs) => {
          asked.push([req, timeoutMs]);
          return { ok: true, value: { listed: 1 } };
        },
      },
    });
    try {
      const out = await pool.run(load('publish.runner'), () => undefined);
      assert.deepEqual(out.kind === 'done' ? out.ret : undefined, {
        ok: true,
        value: { ok: true, value: { listed: 1 } },
      });
      assert.deepEqual(asked, [[{ cmd: 'minion_runner', fun: 'jobs.list_jobs' }, 1234]]);
    } finally {
      await pool.close();
    }
  });
});

describe('a job process that cannot start', () => {
  it('fails the job with one line instead of hanging it', T, async () => {
    const file = path.join(root, 'broken-worker.mjs');
    fs.writeFileSync(file, "process.send({ type: 'init-failed', error: 'no modules here' }); process.disconnect();\n");
    const pool = new JobPool({
      size: 0,
      init: { id: 'm1', opts: minionConfig(), grains: {} },
      log: silentLogger(),
      workerFile: file,
      fireEvent: async () => undefined,
    });
    try {
      await assert.rejects(
        pool.run(load('test.ping'), () => undefined),
        {
          code: 'JOB_PROCESS_START_FAILED',
          message: 'a job process failed to load its modules: no modules here',
        },
      );
    } finally {
      await pool.close();
    }
  });
});

function cmdline(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}
