import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '@tsalt/core';
import { masterConfig } from '@tsalt/config';
import { Registry } from '@tsalt/loader';
import { jidFromDate, jidToTime } from '@tsalt/job';
import { jobCacheFrom, returnerPlugins, type JobCache, type ReturnLoad } from '@tsalt/returners';
import { runnerPlugins } from './index.js';

const log = silentLogger();

function ret(jid: string, id: string, value: unknown, extra: Partial<ReturnLoad> = {}): ReturnLoad {
  return { id, jid, fun: 'test.ping', fun_args: [], return: value, retcode: 0, success: true, ...extra };
}

function runners(services: Record<string, unknown>, opts: Record<string, unknown> = {}): Registry {
  return new Registry(
    {
      kind: 'runner',
      opts: masterConfig({ master_job_cache: 'local_cache', ext_job_cache: '', ...opts }),
      log,
      services,
    },
    runnerPlugins(),
  );
}

describe('jobs runner over a real local_cache', () => {
  let dir = '';
  let cache: JobCache;
  let reg: Registry;
  const jids: Record<string, string> = {};
  const run = async (fun: string, args: unknown[] = [], kwargs: Record<string, unknown> = {}): Promise<unknown> =>
    (await reg.call(fun, args, kwargs)).return;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-runners-'));
    const retReg = new Registry({ kind: 'returner', opts: masterConfig({ cachedir: dir }), log }, returnerPlugins());
    cache = jobCacheFrom(retReg, 'local_cache');
    reg = runners({ jobCache: cache });

    const old = jidFromDate(new Date(2015, 2, 16, 19, 30, 0));
    await cache.prepJid(false, old);
    await cache.saveLoad(
      old,
      { fun: 'cmd.run', arg: ['uptime'], tgt: 'db1', tgt_type: 'glob', jid: old, user: 'root' },
      ['db1'],
    );
    await cache.returner(ret(old, 'db1', 'up 3 days', { fun: 'cmd.run' }));
    jids['old'] = old;

    const ping = await cache.prepJid();
    await cache.saveLoad(ping, { fun: 'test.ping', arg: [], tgt: '*', tgt_type: 'glob', jid: ping, user: 'root' }, [
      'm1',
      'm2',
      'm3',
    ]);
    await cache.returner(ret(ping, 'm1', true));
    await cache.returner(ret(ping, 'm2', false, { retcode: 1, success: false }));
    jids['ping'] = ping;

    const state = await cache.prepJid();
    await cache.saveLoad(
      state,
      {
        fun: 'state.apply',
        arg: [],
        tgt: ['web1', 'web2'],
        tgt_type: 'list',
        jid: state,
        user: 'alice',
        kwargs: { metadata: { ticket: 'T-7', team: 'web' } },
      },
      ['web1', 'web2'],
    );
    await cache.returner(
      ret(
        state,
        'web1',
        { 'pkg_|-nginx_|-nginx_|-installed': { result: true } },
        { fun: 'state.apply', out: 'highstate' },
      ),
    );
    jids['state'] = state;
  });

  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('lookup_jid: returns, missing minions, returned=False', async () => {
    assert.deepEqual(await run('jobs.lookup_jid', [jids['ping']]), { m1: true, m2: false });
    assert.deepEqual(await run('jobs.lookup_jid', [jids['ping']], { missing: true }), {
      m1: true,
      m2: false,
      m3: 'Minion did not return',
    });
    assert.deepEqual(await run('jobs.lookup_jid', [jids['ping']], { returned: false, missing: true }), {
      m3: 'Minion did not return',
    });
  });

  test('lookup_jid: an outputter carried by the returns comes back as {outputter, data}', async () => {
    assert.deepEqual(await run('jobs.lookup_jid', [jids['state']], { missing: true }), {
      outputter: 'highstate',
      data: { web1: { 'pkg_|-nginx_|-nginx_|-installed': { result: true } }, web2: 'Minion did not return' },
    });
  });

  test('list_job and print_job', async () => {
    const jid = jids['ping']!;
    const result = {
      m1: { return: true, retcode: 0, success: true },
      m2: { return: false, retcode: 1, success: false },
    };
    const job = {
      Function: 'test.ping',
      Arguments: [],
      Target: '*',
      'Target-type': 'glob',
      User: 'root',
      Minions: ['m1', 'm2', 'm3'],
      StartTime: jidToTime(jid),
    };
    assert.deepEqual(await run('jobs.list_job', [jid]), { jid, ...job, Result: result });
    assert.deepEqual(await run('jobs.print_job', [jid]), { [jid]: { ...job, Result: result } });
    const unknown = jidFromDate(new Date(2001, 0, 1));
    assert.deepEqual(await run('jobs.list_job', [unknown]), {
      jid: unknown,
      Error: 'Cannot contact returner or no job with this jid',
      StartTime: jidToTime(unknown),
      Result: {},
    });
  });

  test('list_job shows EndTime when job_cache_store_endtime is on', async () => {
    const retReg = new Registry({ kind: 'returner', opts: masterConfig({ cachedir: dir }), log }, returnerPlugins());
    await retReg.call('local_cache.update_endtime', [jids['old'], '2015, Mar 16 19:30:05.000000']);
    const withEnd = runners({ jobCache: cache }, { job_cache_store_endtime: true });
    const got = (await withEnd.call('jobs.list_job', [jids['old']])).return as Record<string, unknown>;
    assert.equal(got['EndTime'], '2015, Mar 16 19:30:05.000000');
    assert.equal(((await run('jobs.list_job', [jids['old']])) as Record<string, unknown>)['EndTime'], undefined);
  });

  test('list_jobs: every job, with Salt formatting', async () => {
    const all = (await run('jobs.list_jobs')) as Record<string, Record<string, unknown>>;
    assert.deepEqual(Object.keys(all).sort(), [jids['old'], jids['ping'], jids['state']].sort());
    assert.deepEqual(all[jids['state']!], {
      Function: 'state.apply',
      Arguments: [],
      Target: ['web1', 'web2'],
      'Target-type': 'list',
      User: 'alice',
      StartTime: jidToTime(jids['state']!),
      Metadata: { ticket: 'T-7', team: 'web' },
    });
    const wrapped = (await run('jobs.list_jobs', [], { outputter: 'json' })) as Record<string, unknown>;
    assert.equal(wrapped['outputter'], 'json');
    assert.deepEqual(Object.keys(wrapped['data'] as object).length, 3);
  });

  test('list_jobs filters: function and target globs, lists or comma strings, metadata, times', async () => {
    const keys = async (kwargs: Record<string, unknown>): Promise<string[]> =>
      Object.keys((await run('jobs.list_jobs', [], kwargs)) as object).sort();
    assert.deepEqual(await keys({ search_function: 'test.*' }), [jids['ping']]);
    assert.deepEqual(await keys({ search_function: 'state.*,cmd.run' }), [jids['old'], jids['state']].sort());
    assert.deepEqual(await keys({ search_function: ['cmd.ru?'] }), [jids['old']]);
    assert.deepEqual(await keys({ search_target: 'web[12]' }), [jids['state']]);
    assert.deepEqual(await keys({ search_target: 'db*', search_function: 'test.*' }), []);
    assert.deepEqual(await keys({ search_metadata: { ticket: 'T-7', nope: 1 } }), [jids['state']]);
    assert.deepEqual(await keys({ search_metadata: { ticket: 'T-8' } }), []);
    assert.deepEqual(await keys({ search_metadata: 'ticket' }), []);
    assert.deepEqual(await keys({ start_time: '2015, Mar 16 19:00', end_time: '2015, Mar 16 20:00' }), [jids['old']]);
    assert.deepEqual(await keys({ start_time: '2015-03-16 19:31' }), [jids['ping'], jids['state']].sort());
    assert.deepEqual(await keys({ end_time: '03/17/2015' }), [jids['old']]);
    await assert.rejects(run('jobs.list_jobs', [], { start_time: 'next blue moon' }), { code: 'BAD_DATE' });
  });

  test('exit_success: targeted minions without a truthy return are False', async () => {
    assert.deepEqual(await run('jobs.exit_success', [jids['ping']]), { m1: true, m2: false, m3: false });
    assert.deepEqual(await run('jobs.exit_success', [jids['state']]), { web1: true, web2: false });
  });

  test('last_run: print_job of the newest matching job, or False', async () => {
    assert.deepEqual(Object.keys((await run('jobs.last_run')) as object), [jids['state']]);
    assert.deepEqual(Object.keys((await run('jobs.last_run', [], { function: 'cmd.*' })) as object), [jids['old']]);
    assert.deepEqual(Object.keys((await run('jobs.last_run', [], { target: 'nomatch*,[*]' })) as object), [
      jids['ping'],
    ]);
    assert.equal(await run('jobs.last_run', [], { function: 'nothing.*' }), false);
    assert.equal(await run('jobs.last_run', [], { metadata: 'not-a-dict' }), false);
  });

  test('display_progress fires salt/run/<jid>/progress events', async () => {
    const events: Array<[string, Record<string, unknown>]> = [];
    const fireEvent = async (tag: string, data: Record<string, unknown>): Promise<void> => {
      events.push([tag, data]);
    };
    await reg.call(
      'jobs.lookup_jid',
      [jids['ping']],
      { display_progress: true },
      { jid: '20990101000000000000', fireEvent },
    );
    assert.deepEqual(
      events.map(([t, d]) => [t, d['message']]),
      [
        ['salt/run/20990101000000000000/progress', 'Querying returner: local_cache'],
        ['salt/run/20990101000000000000/progress', 'm1'],
        ['salt/run/20990101000000000000/progress', 'm2'],
      ],
    );
  });

  test('bad input: a numeric jid, a path as jid', async () => {
    await assert.rejects(run('jobs.lookup_jid', [20150316193000000000]), { code: 'BAD_JID' });
    await assert.rejects(run('jobs.list_job', ['../../etc']), { code: 'BAD_JID' });
  });

  test('job cache selection: missing cache, ext_source, jobCacheFor', async () => {
    await assert.rejects(runners({}).call('jobs.list_jobs'), { code: 'JOB_CACHE_MISSING' });
    await assert.rejects(reg.call('jobs.list_jobs', [], { ext_source: 'mysql' }), {
      code: 'JOB_CACHE_MISSING',
      message: "Returner 'mysql' is not available as a job cache (only 'local_cache' is)",
    });
    const asked: string[] = [];
    const viaResolver = runners(
      {
        jobCacheFor: (name: string) => {
          asked.push(name);
          return cache;
        },
      },
      { ext_job_cache: 'redis' },
    );
    await viaResolver.call('jobs.list_jobs', [], { ext_source: 'mysql' });
    assert.deepEqual(asked, ['redis']);
  });
});
