import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '@tsalt/core';
import { minionConfig } from '@tsalt/config';
import { Registry } from '@tsalt/loader';
import { executionModulePlugins } from './index.js';
import type { ScheduleReply, ScheduleRequest, ScheduleService } from './context.js';

/** A daemon scheduler holding a plain map, recording the requests. */
function fakeDaemon(initial: Record<string, unknown>): { svc: ScheduleService; reqs: ScheduleRequest[] } {
  const sched: Record<string, unknown> = structuredClone(initial);
  const reqs: ScheduleRequest[] = [];
  const svc: ScheduleService = {
    manage(req): Promise<ScheduleReply> {
      reqs.push(req);
      const name = req.name ?? '';
      if (req.func === 'add') Object.assign(sched, req.schedule);
      if (req.func === 'delete') delete sched[name];
      if (req.func === 'disable_job') (sched[name] as Record<string, unknown>)['enabled'] = false;
      if (req.func === 'get_next_fire_time')
        return Promise.resolve({ complete: true, next_fire_time: '2026-12-03T10:00:02' });
      return Promise.resolve({ complete: true, schedule: structuredClone(sched), saved: ['job1'] });
    },
  };
  return { svc, reqs };
}

function registry(svc?: ScheduleService): Registry {
  return new Registry(
    { kind: 'module', opts: minionConfig({ id: 'm1' }), log: silentLogger(), services: svc ? { schedule: svc } : {} },
    executionModulePlugins(),
  );
}

const JOB1 = { function: 'test.echo', args: ['hi'], seconds: 2, name: 'job1', _next: 'x', __internal: 1 };

test("schedule.list: Salt's YAML, SCHEDULE_CONF keys only, saved flag, __ jobs hidden", async () => {
  const { svc } = fakeDaemon({ job1: JOB1, __mine_interval: { function: 'mine.update', minutes: 60 } });
  const out = (await registry(svc).call('schedule.list')).return;
  assert.equal(
    out,
    'schedule:\n  job1:\n    args:\n    - hi\n    enabled: true\n    function: test.echo\n    name: job1\n    saved: true\n    seconds: 2\n',
  );
  const all = (await registry(svc).call('schedule.list', [], { show_all: true, return_yaml: false })).return;
  assert.deepEqual(Object.keys(all as object), ['job1', '__mine_interval']);
});

test('schedule.add builds the entry Salt builds, refuses a name in use and bad combinations', async () => {
  const { svc, reqs } = fakeDaemon({});
  const reg = registry(svc);
  const r = await reg.call('schedule.add', ['job2'], { function: 'test.ping', seconds: 3600, job_args: ['a'] });
  assert.deepEqual(r.return, { comment: 'Added job: job2 to schedule.', result: true, changes: { job2: 'added' } });
  assert.deepEqual(reqs.at(-1), {
    func: 'add',
    name: 'job2',
    schedule: {
      job2: {
        function: 'test.ping',
        seconds: 3600,
        args: ['a'],
        maxrunning: 1,
        name: 'job2',
        enabled: true,
        jid_include: true,
      },
    },
    persist: true,
  });
  const again = await reg.call('schedule.add', ['job2'], { function: 'test.ping', seconds: 1 });
  assert.equal((again.return as Record<string, unknown>)['comment'], 'Job job2 already exists in schedule.');
  const both = await reg.call('schedule.add', ['job3'], { function: 'test.ping', seconds: 1, cron: '* * * * *' });
  assert.equal(
    (both.return as Record<string, unknown>)['comment'],
    'Error: Unable to use "seconds", "minutes", "hours", or "days" with "when" or "cron" options.',
  );
});

test('delete, disable_job, run_job and show_next_fire_time answer with Salt texts', async () => {
  const { svc } = fakeDaemon({ job1: { ...JOB1 } });
  const reg = registry(svc);
  assert.deepEqual((await reg.call('schedule.disable_job', ['job1'])).return, {
    comment: 'Disabled Job job1 in schedule.',
    result: true,
    changes: { job1: 'disabled' },
  });
  assert.deepEqual((await reg.call('schedule.run_job', ['job1'])).return, {
    comment: 'Job job1 is disabled.',
    result: true,
  });
  assert.deepEqual((await reg.call('schedule.run_job', ['job1'], { force: true })).return, {
    comment: 'Scheduling Job job1 on minion.',
    result: true,
  });
  assert.deepEqual((await reg.call('schedule.show_next_fire_time', ['job1'])).return, {
    result: true,
    next_fire_time: '2026-12-03T10:00:02',
  });
  assert.deepEqual((await reg.call('schedule.delete', ['job1'])).return, {
    comment: 'Deleted Job job1 from schedule.',
    result: true,
    changes: { job1: 'removed' },
  });
  assert.deepEqual((await reg.call('schedule.delete', ['job1'])).return, {
    comment: 'Job job1 does not exist.',
    result: false,
    changes: {},
  });
});

test('without the daemon (tsalt-call) the answers are Salt\'s "Event module not available"', async () => {
  const reg = registry();
  assert.deepEqual((await reg.call('schedule.list')).return, {
    comment: 'Event module not available. Schedule list failed.',
    result: true,
  });
});
