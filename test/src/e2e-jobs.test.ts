import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '@tsalt/core';
import { loadConfig } from '@tsalt/config';
import { Registry } from '@tsalt/loader';
import { jobCacheFrom, returnerPlugins } from '@tsalt/returners';
import { pack, ReqClient, unpack } from '@tsalt/transport';
import { EventListener } from '@tsalt/events';
import { spawn } from 'node:child_process';
import { BIN, cluster, startedCluster, waitFor, watched, within, type Cluster } from './harness.js';

/** The master side of the job system: the cache, retention, concurrency, faults. */
describe('jobs on the master', { timeout: 120_000 }, () => {
  let c: Cluster;
  before(async () => {
    c = await cluster('auto_accept: True\nkeep_jobs_seconds: 4\n');
    await c.startMaster();
    await c.startMinion('m1');
    await c.waitPing('m1');
  });
  after(async () => c?.cleanup());

  const jobCache = () => {
    const opts = loadConfig('master', c.masterDir);
    return jobCacheFrom(
      new Registry({ kind: 'returner', opts, log: silentLogger() }, returnerPlugins()),
      'local_cache',
    );
  };

  test("a lookup after --async finds the result; list_jobs shows it in Salt's format", async () => {
    const a = await c.tsalt(['m1', 'test.echo', 'later', '--async']);
    const jid = /Executed command with job ID: (\d{20})/.exec(a.stdout)?.[1];
    assert.ok(jid, a.stdout);
    await waitFor('the async result in the job cache', async () => {
      const r = await c.runner(['jobs.lookup_jid', jid, '--out', 'json']);
      return r.code === 0 && JSON.parse(r.stdout)['m1'] === 'later';
    });
    const l = await c.runner(['jobs.list_jobs', '--out', 'json']);
    const job = JSON.parse(l.stdout)[jid];
    assert.equal(job.Function, 'test.echo');
    assert.deepEqual(job.Arguments, ['later']);
    assert.equal(job.Target, 'm1');
    assert.equal(job['Target-type'], 'glob');
    assert.match(job.StartTime, /^\d{4}, [A-Z][a-z]{2} \d{2} \d{2}:\d{2}:\d{2}\.\d{6}$/);
  });

  test('jobs expire after keep_jobs_seconds, cleaned by the maintenance loop', async () => {
    const r = await c.tsalt(['m1', 'test.ping', '--show-jid']);
    const jid = /jid: (\d{20})/.exec(r.stdout)?.[1];
    assert.ok(jid);
    assert.deepEqual(JSON.parse((await c.runner(['jobs.lookup_jid', jid, '--out', 'json'])).stdout), { m1: true });
    await waitFor('the job to expire', async () => Object.keys(await jobCache().getJid(jid)).length === 0, 15_000);
    const gone = await c.runner(['jobs.lookup_jid', jid, '--out', 'json']);
    assert.equal(gone.code, 0);
    assert.deepEqual(JSON.parse(gone.stdout || '{}'), {});
  });

  test('50 jobs published at the same time each come back intact', async () => {
    const opts = loadConfig('master', c.masterDir);
    const key = fs.readFileSync(path.join(opts.cachedir, '.root_key'), 'utf8');
    const publish = async (i: number): Promise<string> => {
      const client = new ReqClient({ address: `tcp://127.0.0.1:${c.ports.ret}` });
      try {
        const load = {
          cmd: 'publish',
          tgt: 'm1',
          fun: 'test.echo',
          arg: [`job-${i}`],
          key,
          tgt_type: 'glob',
          ret: '',
          jid: '',
          kwargs: {},
          user: os.userInfo().username,
        };
        const reply = unpack(await client.request(pack({ enc: 'clear', load, version: 2 }), 10_000)) as {
          load: { jid: string };
        };
        return reply.load.jid;
      } finally {
        client.close();
      }
    };
    const jids = await Promise.all(Array.from({ length: 50 }, (_, i) => publish(i)));
    assert.equal(new Set(jids).size, 50, 'every job has its own jid');
    const cache = jobCache();
    await waitFor(
      'all 50 returns in the cache',
      async () => {
        for (const jid of jids) if (!(await cache.getJid(jid))['m1']) return false;
        return true;
      },
      30_000,
    );
    for (const [i, jid] of jids.entries()) {
      assert.equal((await cache.getJid(jid))['m1']?.return, `job-${i}`);
      assert.equal((await cache.getLoad(jid))['fun'], 'test.echo');
    }
  });

  test('an unwritable job cache: the master keeps serving, logs the error, and stores the returns once it can', async () => {
    const jobs = path.join(c.root, 'var/cache/tsalt/master/jobs');
    const aside = `${jobs}.aside`;
    fs.renameSync(jobs, aside);
    // A file where the folder should be: every write fails, even for root.
    fs.writeFileSync(jobs, 'not a folder');
    let jid: string | undefined;
    try {
      const r = await c.tsalt(['m1', 'test.echo', 'kept', '--show-jid', '--out', 'json']);
      jid = /jid: (\d{20})/.exec(r.stdout)?.[1];
      assert.ok(jid, r.stdout + r.stderr);
      assert.match(r.stdout, /"m1": "kept"/);
      await waitFor('the error in the master log', () =>
        /job cache failed to store the (load|return)/.test(c.master!.output()),
      );
    } finally {
      fs.rmSync(jobs, { force: true });
      fs.renameSync(aside, jobs);
    }
    await waitFor('the held writes to land', async () => (await jobCache().getJid(jid))['m1']?.return === 'kept');
    await waitFor('the recovery log line', () => /job cache is writable again/.test(c.master!.output()));
  });

  test('runner jobs get jids and fire salt/run/<jid>/new and salt/run/<jid>/ret', async () => {
    const l = new EventListener({ sockDir: path.join(c.root, 'var/run/tsalt/master'), prefixes: ['salt/run/'] });
    try {
      await l.ready(5000);
      const r = await c.runner(['jobs.list_jobs', '--out', 'json']);
      assert.equal(r.code, 0, r.stderr);
      const neu = await l.next(5000);
      const ret = await l.next(5000);
      assert.match(neu?.tag ?? '', /^salt\/run\/\d{20}\/new$/);
      assert.equal(ret?.tag, neu?.tag.replace(/new$/, 'ret'));
      assert.equal(neu?.data['fun'], 'runner.jobs.list_jobs');
      assert.equal(ret?.data['success'], true);
    } finally {
      l.close();
    }
  });

  test('bad jids get one clear line', async () => {
    const r = await c.runner(['jobs.lookup_jid', 'notajid']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr + r.stdout, /notajid/);
    assert.equal((r.stderr || r.stdout).trim().split('\n').length, 1);
    const unknown = await c.runner(['jobs.lookup_jid', '20200101000000000000', '--out', 'json']);
    assert.equal(unknown.code, 0);
    assert.deepEqual(JSON.parse(unknown.stdout || '{}'), {});
  });
});

describe('job control on the minion', { timeout: 120_000 }, () => {
  let c: Cluster;
  before(async () => {
    c = await startedCluster(['m1']);
  });
  after(async () => c?.cleanup());

  test('a long job is found with saltutil.find_job, then killed with its children; its proc file goes', async () => {
    const marker = `tsalt-kill-${process.pid}-${Date.now()}`;
    const a = await c.tsalt(['m1', 'cmd.run', `sleep 1000; echo ${marker}`, '--async']);
    const jid = /Executed command with job ID: (\d{20})/.exec(a.stdout)?.[1];
    assert.ok(jid, a.stdout);
    const procFile = path.join(c.root, 'minions/m1/var/cache/tsalt/minion/proc', jid);
    await waitFor('the proc file', () => fs.existsSync(procFile));
    const f = await c.tsalt(['m1', 'saltutil.find_job', jid, '--out', 'json']);
    const info = JSON.parse(f.stdout)['m1'];
    assert.equal(info.fun, 'cmd.run');
    assert.equal(info.jid, jid);
    assert.equal(info.tgt, 'm1');
    assert.equal(info.tgt_type, 'glob');
    assert.equal(typeof info.pid, 'number');
    assert.ok(Array.isArray(info.arg));
    assert.ok(typeof info.user === 'string');
    const k = await c.tsalt(['m1', 'saltutil.kill_job', jid, '--out', 'json']);
    assert.equal(JSON.parse(k.stdout)['m1'], `Signal 9 sent to job ${jid} at pid ${info.pid}`);
    await waitFor('the proc file to go', () => !fs.existsSync(procFile));
    await waitFor('the sleep to die', () => {
      try {
        process.kill(info.pid, 0);
        return false;
      } catch {
        return true;
      }
    });
    // The shell that ran the command line (and so its children) is gone too.
    const { execFileSync } = await import('node:child_process');
    await waitFor("the job's children to die", () => {
      try {
        execFileSync('pgrep', ['-f', marker]);
        return false;
      } catch {
        return true;
      }
    });
    const gone = await c.tsalt(['m1', 'saltutil.find_job', jid, '--out', 'json']);
    assert.deepEqual(JSON.parse(gone.stdout)['m1'], {});
    const again = await c.tsalt(['m1', 'saltutil.kill_job', jid, '--out', 'json']);
    assert.match(String(JSON.parse(again.stdout)['m1']), new RegExp(jid));
  });

  test("Ctrl-C prints Salt's message with the jid and the lookup hint; the job keeps running", async () => {
    const child = spawn(process.execPath, [BIN.tsalt, '-c', c.masterDir, 'm1', 'cmd.run', 'sleep 3; echo hehe', '-v'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    // 'close', not 'exit': by then all it printed has been read.
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    try {
      const jid = await waitFor('the jid', () => /Executing job with jid (\d{20})/.exec(out)?.[1], 15_000, {
        alive: [watched('tsalt', child, () => out + err)],
      });
      child.kill('SIGINT');
      await within(exited, 5000, 'still running');
      assert.match(err, /Exiting gracefully on Ctrl-c/);
      assert.match(err, new RegExp(`This job's jid is: ${jid}`));
      assert.match(err, new RegExp(`tsalt-run jobs\\.lookup_jid ${jid}`));
      await waitFor(
        'the job to finish anyway',
        async () => {
          const r = await c.runner(['jobs.lookup_jid', jid, '--out', 'json']);
          return r.code === 0 && JSON.parse(r.stdout || '{}')['m1'] === 'hehe';
        },
        15_000,
      );
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
