import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isJid } from '@tsalt/job';
import type { DueJob } from '@tsalt/schedule';
import { scheduledLoad, scheduledReturn } from './scheduled-job.js';
import type { JobReturn } from './executor.js';

const opts = { id: 'm1', schedule_returner: '' };

function due(entry: Record<string, unknown> = {}, kwargs?: Record<string, unknown>): DueJob {
  return {
    name: 'job1',
    fun: 'test.echo',
    args: ['hi'],
    kwargs,
    entry: { function: 'test.echo', ...entry },
    lateSeconds: 0,
  };
}

function ret(load: { jid: string }): JobReturn {
  return {
    cmd: '_return',
    id: 'm1',
    jid: load.jid,
    fun: 'test.echo',
    fun_args: [],
    return: 'hi',
    retcode: 0,
    success: true,
  };
}

test('the load: a new jid, this minion as target, kwargs as a __kwarg__ dict, the schedule key', () => {
  const load = scheduledLoad(opts, due({}, { x: 1 }));
  assert.ok(isJid(load.jid));
  assert.deepEqual(
    { ...load, jid: 'J' },
    {
      jid: 'J',
      fun: 'test.echo',
      arg: ['hi', { x: 1, __kwarg__: true }],
      tgt: 'm1',
      tgt_type: 'glob',
      schedule: 'job1',
    },
  );
});

test("the return: Salt's fun_args and schedule key; jid req to the master when no returner is named", () => {
  const job = due({}, { x: 1 });
  const load = scheduledLoad(opts, job);
  const out = scheduledReturn(opts, job, ret(load));
  assert.equal(out.returnerLoad, undefined);
  assert.equal(out.toMaster?.jid, 'req');
  assert.deepEqual(out.toMaster?.fun_args, ['hi', { x: 1 }]);
  assert.equal(out.toMaster?.['schedule'], 'job1');
  assert.equal(out.full.jid, load.jid);
});

test('returner and schedule_returner keep the real jid; return_job false sends nothing to the master; nocache', () => {
  const job = due({ returner: 'redis', return_config: 'alt' });
  const load = scheduledLoad(opts, job);
  const out = scheduledReturn({ ...opts, schedule_returner: ['mysql', 'redis'] }, job, ret(load));
  assert.deepEqual(out.returnerLoad, { ret: ['redis', 'mysql'], ret_config: 'alt' });
  assert.equal(out.toMaster?.jid, load.jid);
  assert.equal(scheduledReturn(opts, due({ return_job: false }), ret(load)).toMaster, undefined);
  assert.equal(scheduledReturn(opts, due({ return_job: 'nocache' }), ret(load)).toMaster?.jid, 'nocache');
});
