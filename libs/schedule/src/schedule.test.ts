import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Logger } from '@tsalt/core';
import { Schedule } from './schedule.js';
import { mineIntervalEntry } from './builtin.js';
import type { ScheduleMap, ScheduleOptions } from './types.js';

function recordingLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const keep = (o: unknown, msg?: string): void => void lines.push(String(msg ?? o));
  const log = { warn: keep, error: keep, info: keep, debug: () => undefined, child: () => log };
  return { log: log as unknown as Logger, lines };
}

/** A schedule on a fake clock at local 2026-12-03 10:00:00, stepped one second per `tick`. */
function fixture(opts: ScheduleMap, extra: Partial<ScheduleOptions> = {}) {
  const { log, lines } = recordingLogger();
  let now = new Date(2026, 11, 3, 10, 0, 0).getTime();
  const s = new Schedule({ opts, log, clock: { now: () => now }, ...extra });
  // The minion evaluates once as it starts: second 0.
  const first = s.evaluate().map((j) => j.name);
  /** Evaluates once a second for `seconds` s; the names fired, with the second each fired at. */
  const run = (seconds: number): [number, string][] => {
    const out: [number, string][] = [];
    for (let i = 1; i <= seconds; i++) {
      now += 1000;
      for (const j of s.evaluate()) out.push([i, j.name]);
    }
    return out;
  };
  return { s, lines, run, first, at: () => now, set: (t: number) => (now = t) };
}

test('an interval entry fires every interval, first one interval after start', () => {
  const f = fixture({ job1: { function: 'test.echo', args: ['hi'], seconds: 2 } });
  assert.deepEqual(f.run(7), [
    [2, 'job1'],
    [4, 'job1'],
    [6, 'job1'],
  ]);
});

test('minutes, hours and days add up; the due job carries args, kwargs and the entry', () => {
  const f = fixture({ j: { function: 'cmd.run', args: ['date'], kwargs: { cwd: '/' }, minutes: 1, seconds: 30 } });
  const fired = f.run(90);
  assert.deepEqual(fired, [[90, 'j']]);
  const g = fixture({ j: { function: 'cmd.run', args: ['date'], kwargs: { cwd: '/' }, seconds: 1 } });
  assert.deepEqual(g.s.evaluate(), []); // the same instant: not due yet
  g.set(g.at() + 1000);
  const due = g.s.evaluate();
  assert.equal(due.length, 1);
  assert.deepEqual(due[0]!.args, ['date']);
  assert.deepEqual(due[0]!.kwargs, { cwd: '/' });
  assert.equal(due[0]!.fun, 'cmd.run');
  assert.equal(due[0]!.entry['maxrunning'], 1); // Salt's default, written into the entry
});

test('an entry with a bad interval logs its name and is skipped; the others still fire', () => {
  const f = fixture({
    broken: { function: 'test.ping', seconds: 'often' },
    zero: { function: 'test.ping', minutes: 0 },
    good: { function: 'test.ping', seconds: 1 },
  });
  const fired = f.run(3);
  assert.deepEqual(fired, [
    [1, 'good'],
    [2, 'good'],
    [3, 'good'],
  ]);
  assert.equal(f.lines.filter((l) => l.includes('scheduled job broken')).length, 1, 'logged once, not every second');
  assert.ok(f.lines.some((l) => l.includes('scheduled job zero')));
});

test("conflicting options are refused with Salt's text", () => {
  const f = fixture({ j: { function: 'test.ping', seconds: 5, cron: '* * * * *' } });
  assert.deepEqual(f.run(10), []);
  assert.ok(
    f.lines.includes(
      'Unable to use "seconds", "minutes", "hours", "days" with "when", "cron", "once" options. Ignoring',
    ),
  );
});

test('run_on_start fires at the first evaluation, then on the interval', () => {
  const f = fixture({ j: { function: 'test.ping', seconds: 3, run_on_start: true } });
  assert.deepEqual(f.first, ['j']);
  assert.deepEqual(f.run(4), [[3, 'j']]);
});

test('enabled: false, on the job or the whole schedule, stops it; the timer keeps going', () => {
  const f = fixture({ j: { function: 'test.ping', seconds: 2, enabled: false } });
  assert.deepEqual(f.run(4), []);
  assert.equal(f.s.jobStatus('j')['_skip_reason'], 'disabled');
  f.s.setJobEnabled('j', true);
  assert.deepEqual(f.run(2), [[2, 'j']]);
  f.s.setEnabled(false);
  assert.deepEqual(f.run(4), []);
});

test('maxrunning: no new run while that many of the entry still run', () => {
  let running = 1;
  const f = fixture({ j: { function: 'test.sleep', seconds: 1 } }, { running: () => running });
  assert.deepEqual(f.run(2), []);
  running = 0;
  assert.deepEqual(f.run(1), [[1, 'j']]);
  const g = fixture({ j: { function: 'test.sleep', seconds: 1, maxrunning: 2 } }, { running: () => 1 });
  assert.equal(g.run(1).length, 1);
});

test('once fires at its time only; a bad once is logged with Salt text', () => {
  const f = fixture({
    j: { function: 'test.ping', once: '2026-12-03T10:00:03' },
    k: { function: 'test.ping', once: '03/12/2026', once_fmt: '%Y-%m-%d' },
  });
  assert.deepEqual(f.run(10), [[3, 'j']]);
  assert.ok(f.lines.includes('Date string could not be parsed: 03/12/2026, %Y-%m-%d. Ignoring job k.'));
});

test('when: ISO times fire once each; a time of day means today; an unreadable one is skipped', () => {
  const f = fixture({
    j: { function: 'test.ping', when: ['2026-12-03 10:00:05', '2026-12-03T10:00:02'] },
    t: { function: 'test.ping', when: '10:00:04' },
    bad: { function: 'test.ping', when: 'Monday 5:00pm' },
  });
  assert.deepEqual(f.run(6), [
    [2, 'j'],
    [4, 't'],
    [5, 'j'],
  ]);
  assert.ok(f.lines.includes('Invalid date string Monday 5:00pm. Ignoring job bad.'));
  assert.equal(f.s.nextFireTime('j'), null);
});

test('cron: five fields, and six with seconds last as croniter reads them', () => {
  const f = fixture({
    j: { function: 'test.ping', cron: '*/2 * * * *' },
    s: { function: 'test.ping', cron: '* * * * * */20' },
  });
  assert.equal(f.s.nextFireTime('j'), '2026-12-03T10:02:00');
  const fired = f.run(240);
  assert.deepEqual(
    fired.filter(([, n]) => n === 'j').map(([t]) => t),
    [120, 240],
  );
  assert.deepEqual(
    fired
      .filter(([, n]) => n === 's')
      .map(([t]) => t)
      .slice(0, 3),
    [20, 40, 60],
  );
  const g = fixture({ j: { function: 'test.ping', cron: '61 * * * *' } });
  g.run(1);
  assert.ok(g.lines.includes('Invalid cron string. Ignoring job j.'));
});

test('splay postpones each run by a random number of seconds', () => {
  const f = fixture({ j: { function: 'test.ping', seconds: 10, splay: 5 } }, { randomInt: (lo, hi) => hi });
  assert.deepEqual(f.run(16), [[15, 'j']]);
});

test('range: runs only inside [start, end]; skip_function runs instead outside', () => {
  const r = { start: '2026-12-03 10:00:03', end: '2026-12-03 10:00:05' };
  const f = fixture({ j: { function: 'test.ping', seconds: 1, range: r } });
  assert.deepEqual(
    f.run(7).map(([t]) => t),
    [3, 4, 5],
  );
  const g = fixture({ skip_function: 'test.true', j: { function: 'test.ping', seconds: 1, range: r } });
  g.set(g.at() + 1000);
  assert.equal(g.s.evaluate()[0]!.fun, 'test.true');
});

test('pillar entries merge under the config; they cannot be deleted; a refresh keeps unchanged timers', () => {
  const f = fixture({ a: { function: 'test.ping', seconds: 3 } });
  f.s.setPillar({ p: { function: 'test.ping', seconds: 2 }, a: { function: 'test.echo', seconds: 1 } });
  // p starts counting at its first evaluation (second 1); the config's a wins over the pillar's.
  assert.deepEqual(f.run(3), [
    [3, 'p'],
    [3, 'a'],
  ]);
  f.s.delete('p');
  assert.ok(f.lines.includes("Cannot delete job p, it's in the pillar!"));
  f.s.setPillar({ p: { function: 'test.ping', seconds: 2 } });
  assert.deepEqual(f.run(2), [[2, 'p']]);
  f.s.setPillar({});
  assert.deepEqual(f.s.entries('pillar'), {});
});

test('add, modify, delete and run_job', () => {
  const f = fixture({});
  f.s.add('n', { function: 'test.ping', seconds: 60 });
  assert.equal((f.s.entries()['n'] as Record<string, unknown>)['enabled'], true);
  f.run(1);
  assert.equal(f.s.nextFireTime('n'), '2026-12-03T10:01:01');
  f.s.modify('n', { function: 'test.ping', seconds: 2 });
  assert.deepEqual(f.run(3), [[3, 'n']]);
  assert.equal(f.s.runNow('n')?.name, 'n');
  assert.equal(f.s.runNow('missing'), undefined);
  f.s.delete('n');
  assert.deepEqual(f.s.entries(), {});
});

test("__mine_interval: Salt's entry when the mine is on and mine.update exists", () => {
  assert.deepEqual(mineIntervalEntry({ mine_enabled: true, mine_interval: 60, mine_return_job: false }, true), {
    function: 'mine.update',
    minutes: 60,
    jid_include: true,
    maxrunning: 2,
    run_on_start: true,
    return_job: false,
  });
  assert.equal(mineIntervalEntry({ mine_enabled: true, mine_interval: 60, mine_return_job: false }, false), undefined);
  assert.equal(mineIntervalEntry({ mine_enabled: false, mine_interval: 60, mine_return_job: false }, true), undefined);
});
