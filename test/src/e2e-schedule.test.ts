import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { cluster, waitFor, type Cluster } from './harness.js';

/*
 * The minion scheduler end to end: a real master and minion, `schedule:` in
 * the minion config, the jobs' returns reaching the master's job cache
 * (Salt's `req` jid, given a jid by the master), and schedule.* from tsalt.
 */

const SCHEDULE = `schedule:
  job1:
    function: test.echo
    args:
      - hi
    seconds: 2
  broken:
    function: test.ping
    seconds: often
`;

const PILLAR_SCHEDULE = `schedule:
  pjob:
    function: test.echo
    args:
      - from-pillar
    seconds: 2
`;

type Jobs = Record<string, { Function?: string; Arguments?: unknown[]; Target?: unknown }>;

async function jobsOf(c: Cluster, fun: string): Promise<[string, Jobs[string]][]> {
  const r = await c.runner(['jobs.list_jobs', `search_function=${fun}`, '--out', 'json']);
  assert.equal(r.code, 0, r.stderr);
  return Object.entries(JSON.parse(r.stdout) as Jobs).filter(([, j]) => j.Function === fun);
}

async function lookup(c: Cluster, jid: string): Promise<unknown> {
  const r = await c.runner(['jobs.lookup_jid', jid, '--out', 'json']);
  return JSON.parse(r.stdout) as unknown;
}

/** m1's answer; a return with `result: false` exits 1, as Salt's CLI does. */
async function onM1(c: Cluster, args: string[], code = 0): Promise<unknown> {
  const r = await c.tsalt(['-t', '10', 'm1', ...args, '--out', 'json', '--static']);
  assert.equal(r.code, code, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
  return (JSON.parse(r.stdout) as Record<string, unknown>)['m1'];
}

describe('the minion scheduler', () => {
  let c: Cluster;
  before(async () => {
    c = await cluster('auto_accept: True\n');
    const pillarDir = path.join(c.root, 'srv', 'pillar');
    fs.mkdirSync(pillarDir, { recursive: true });
    fs.writeFileSync(path.join(pillarDir, 'top.sls'), "base:\n  '*':\n    - sched\n");
    fs.writeFileSync(path.join(pillarDir, 'sched.sls'), PILLAR_SCHEDULE);
    await c.startMaster(`auto_accept: True\npillar_roots:\n  base:\n    - ${pillarDir}\n`);
    await c.startMinion('m1', SCHEDULE);
    await c.waitPing('m1');
  });
  after(async () => {
    await c?.cleanup();
  });

  test('a config entry fires every 2 s and its return reaches the master', async () => {
    const alive = { alive: [c.master, c.minions.get('m1')] };
    let seen: [string, Jobs[string]][] = [];
    await waitFor(
      'two scheduled test.echo jobs in the job cache',
      async () =>
        (seen = (await jobsOf(c, 'test.echo')).filter(([, j]) => JSON.stringify(j.Arguments) === '["hi"]')).length >= 2,
      20_000,
      alive,
    );
    const [jid, job] = seen[0]!;
    assert.equal(job.Target, 'm1');
    assert.deepEqual(job.Arguments, ['hi']);
    assert.deepEqual(await lookup(c, jid), { m1: 'hi' });
  });

  test('the master fires salt/job/<jid>/ret/m1 for a scheduled return, with its schedule key', async () => {
    // The entries fire every 2 s: state.event needs no probe, the next return comes soon enough.
    const r = await c.runner(['state.event', 'pretty=True', 'count=1', 'tagmatch=salt/job/*/ret/m1']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^salt\/job\/\d{20}\/ret\/m1\t\{/);
    assert.match(r.stdout, /"schedule": "(?:job1|pjob)"/);
    assert.match(r.stdout, /"fun": "test\.echo"/);
    assert.match(r.stdout, /"tgt": "m1"/);
  });

  test('a pillar entry fires too; schedule.delete leaves it, as Salt does', async () => {
    await waitFor(
      'the pillar job in the job cache',
      async () => (await jobsOf(c, 'test.echo')).some(([, j]) => JSON.stringify(j.Arguments) === '["from-pillar"]'),
      20_000,
      { alive: [c.master, c.minions.get('m1')] },
    );
    const pillarOnly = (await onM1(c, ['schedule.list', 'where=pillar', 'return_yaml=False'])) as Record<
      string,
      unknown
    >;
    assert.deepEqual(Object.keys(pillarOnly), ['pjob']);
    const del = (await onM1(c, ['schedule.delete', 'pjob'], 1)) as Record<string, unknown>;
    assert.equal(del['comment'], 'Failed to delete job pjob from schedule.');
  });

  test('an entry with a bad interval is logged by name and skipped', async () => {
    const log = path.join(c.root, 'minions', 'm1', 'var/log/tsalt/minion');
    await waitFor('the bad entry in the minion log', () => fs.readFileSync(log, 'utf8').includes('job broken'), 10_000);
    const line = fs
      .readFileSync(log, 'utf8')
      .split('\n')
      .find((l) => l.includes('job broken'));
    assert.match(line ?? '', /Invalid seconds value 'often' in scheduled job broken/);
  });

  test('schedule.list shows the config entries as YAML', async () => {
    const text = await onM1(c, ['schedule.list']);
    assert.equal(typeof text, 'string');
    assert.match(text as string, /^schedule:\n/);
    assert.match(text as string, /\n {2}job1:\n(?: {4}.*\n)*? {4}function: test\.echo\n/);
    const jobs = (await onM1(c, ['schedule.list', 'return_yaml=False'])) as Record<string, Record<string, unknown>>;
    assert.deepEqual(jobs['job1']?.['args'], ['hi']);
    assert.equal(jobs['job1']?.['seconds'], 2);
    assert.equal(jobs['job1']?.['enabled'], true);
  });

  test('schedule.add, run_job and delete', async () => {
    const added = await onM1(c, ['schedule.add', 'job2', 'function=test.echo', 'job_args=[ran-now]', 'seconds=3600']);
    assert.deepEqual(added, { comment: 'Added job: job2 to schedule.', result: true, changes: { job2: 'added' } });
    const again = (await onM1(c, ['schedule.add', 'job2', 'function=test.echo', 'seconds=60'], 1)) as Record<
      string,
      unknown
    >;
    assert.equal(again['comment'], 'Job job2 already exists in schedule.');
    const listed = (await onM1(c, ['schedule.list', 'return_yaml=False'])) as Record<string, Record<string, unknown>>;
    assert.equal(listed['job2']?.['function'], 'test.echo');
    assert.equal(listed['job2']?.['seconds'], 3600);
    // Persisted as Salt does: <config_dir>/minion.d/_schedule.conf.
    const conf = path.join(c.minionDir('m1'), 'minion.d', '_schedule.conf');
    assert.match(fs.readFileSync(conf, 'utf8'), /job2:/);

    assert.deepEqual(await onM1(c, ['schedule.run_job', 'job2']), {
      comment: 'Scheduling Job job2 on minion.',
      result: true,
    });
    await waitFor(
      'the run_job return in the job cache',
      async () => {
        for (const [jid, j] of await jobsOf(c, 'test.echo')) {
          if (JSON.stringify(j.Arguments) === '["ran-now"]') return await lookup(c, jid);
        }
        return undefined;
      },
      15_000,
      { alive: [c.master, c.minions.get('m1')] },
    );

    assert.deepEqual(await onM1(c, ['schedule.delete', 'job2']), {
      comment: 'Deleted Job job2 from schedule.',
      result: true,
      changes: { job2: 'removed' },
    });
    const after = (await onM1(c, ['schedule.list', 'return_yaml=False'])) as Record<string, unknown>;
    assert.equal('job2' in after, false);
    assert.doesNotMatch(fs.readFileSync(conf, 'utf8'), /job2:/);
    assert.deepEqual(await onM1(c, ['schedule.delete', 'job2'], 1), {
      comment: 'Job job2 does not exist.',
      result: false,
      changes: {},
    });
  });

  test('disable_job stops a job; enable_job starts it again', async () => {
    const off = await onM1(c, ['schedule.disable_job', 'job1']);
    assert.deepEqual(off, { comment: 'Disabled Job job1 in schedule.', result: true, changes: { job1: 'disabled' } });
    const before = (await jobsOf(c, 'test.echo')).filter(([, j]) => JSON.stringify(j.Arguments) === '["hi"]').length;
    await new Promise((r) => setTimeout(r, 4500));
    const during = (await jobsOf(c, 'test.echo')).filter(([, j]) => JSON.stringify(j.Arguments) === '["hi"]').length;
    // One may have been on its way when the job was disabled.
    assert.ok(during - before <= 1, `${during - before} runs while disabled`);
    assert.deepEqual(await onM1(c, ['schedule.run_job', 'job1']), { comment: 'Job job1 is disabled.', result: true });
    const on = await onM1(c, ['schedule.enable_job', 'job1']);
    assert.deepEqual(on, { comment: 'Enabled Job job1 in schedule.', result: true, changes: { job1: 'enabled' } });
  });
});
