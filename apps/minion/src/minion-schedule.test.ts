import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { silentLogger } from '@tsalt/core';
import { minionConfig } from '@tsalt/config';
import type { DueJob } from '@tsalt/schedule';
import { MinionSchedule } from './minion-schedule.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-sched-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

function fixture(schedule: Record<string, unknown>, has: (fun: string) => boolean = () => false) {
  let now = new Date(2026, 11, 3, 10, 0, 0).getTime();
  const started: DueJob[] = [];
  const finish: (() => void)[] = [];
  const s = new MinionSchedule({
    opts: minionConfig({ id: 'm1', config_dir: dir, schedule }),
    log: silentLogger(),
    grains: {},
    pillar: {},
    clock: { now: () => now },
    hasFunction: has,
    run: (job) => {
      started.push(job);
      return new Promise<void>((r) => finish.push(r));
    },
  });
  return { s, started, finish, tick: (ms: number) => (now += ms) };
}

test('__mine_interval: added when mine.update exists, run at start, two at most at a time', async () => {
  const f = fixture({}, (fun) => fun === 'mine.update');
  f.s.start();
  f.s.stop();
  assert.deepEqual(
    f.started.map((j) => [j.name, j.fun]),
    [['__mine_interval', 'mine.update']],
  );
  const all = await f.s.manage({ func: 'list' });
  assert.equal((all.schedule?.['__mine_interval'] as Record<string, unknown>)['maxrunning'], 2);
  const none = fixture({});
  none.s.start();
  none.s.stop();
  assert.equal('__mine_interval' in ((await none.s.manage({ func: 'list' })).schedule ?? {}), false);
});

test('maxrunning counts the runs still in flight; run_job starts one now', async () => {
  const f = fixture({ j: { function: 'test.sleep', seconds: 1 } });
  f.s.start();
  f.s.stop();
  assert.deepEqual(await f.s.manage({ func: 'run_job', name: 'j' }), { complete: true });
  assert.equal(f.started.length, 1);
  // One still runs: maxrunning 1 refuses another.
  await f.s.manage({ func: 'run_job', name: 'j' });
  assert.equal(f.started.length, 1);
  f.finish[0]!();
  await new Promise((r) => setImmediate(r));
  await f.s.manage({ func: 'run_job', name: 'j' });
  assert.equal(f.started.length, 2);
  assert.equal(f.s.busy, 1);
});

test('add, disable_job and delete answer with the schedule after the change and persist it', async () => {
  const f = fixture({ keep: { function: 'test.ping', minutes: 5 } });
  const added = await f.s.manage({ func: 'add', schedule: { n: { function: 'test.ping', seconds: 60 } } });
  assert.equal((added.schedule?.['n'] as Record<string, unknown>)['enabled'], true);
  const file = path.join(dir, 'minion.d', '_schedule.conf');
  assert.match(fs.readFileSync(file, 'utf8'), /^schedule:\n {2}keep:\n[\s\S]* {2}n:\n/);
  assert.deepEqual((await f.s.manage({ func: 'list' })).saved, ['keep', 'n']);
  const off = await f.s.manage({ func: 'disable_job', name: 'n' });
  assert.equal((off.schedule?.['n'] as Record<string, unknown>)['enabled'], false);
  const gone = await f.s.manage({ func: 'delete', name: 'n', persist: false });
  assert.equal('n' in (gone.schedule ?? {}), false);
  assert.match(fs.readFileSync(file, 'utf8'), / {2}n:\n/, 'persist: false leaves the file');
  assert.deepEqual(await f.s.manage({ func: 'add', schedule: { a: {}, b: {} } }), { complete: false });
});
