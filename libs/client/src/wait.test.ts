import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { JobEvents, parseReturnTag } from './job-events.js';
import { waitForReturns, type WaitDeps } from './wait.js';
import type { CliReturn, PublishReply } from './types.js';

const JID = '20240101000000000001';

/** Per minion, how it answers find_job: 'running', 'idle' ({}), 'silent', or 'unknown' (no key). */
type Answer = 'running' | 'idle' | 'silent' | 'unknown';

interface Fake {
  deps: WaitDeps;
  events: JobEvents;
  probes: string[][];
  ret(id: string, value: unknown, afterMs?: number): void;
}

function fake(answers: (minion: string, probe: number) => Answer): Fake {
  const events = new JobEvents();
  const probes: string[][] = [];
  let n = 0;
  const f: Fake = {
    events,
    probes,
    ret(id, value, afterMs = 0) {
      setTimeout(() => events.route(`salt/job/${JID}/ret/${id}`, { id, return: value, retcode: 0 }), afterMs);
    },
    deps: {
      events,
      async findJob(jid: string, minions: string[]): Promise<PublishReply | undefined> {
        assert.equal(jid, JID);
        const probe = probes.push([...minions]) - 1;
        const fjid = `2024010100000000${String(100 + ++n)}`;
        const missing: string[] = [];
        for (const m of minions) {
          const a = answers(m, probe);
          if (a === 'unknown') missing.push(m);
          if (a === 'running')
            setTimeout(
              () =>
                events.route(`salt/job/${fjid}/ret/${m}`, { return: { jid, pid: 42, fun: 'test.sleep' }, retcode: 0 }),
              5,
            );
          if (a === 'idle') setTimeout(() => events.route(`salt/job/${fjid}/ret/${m}`, { return: {}, retcode: 0 }), 5);
        }
        return { jid: fjid, minions: minions.filter((m) => !missing.includes(m)), missing };
      },
    },
  };
  return f;
}

async function collect(
  f: Fake,
  minions: string[],
  timeout: number,
  gather: number,
  graceMs = 50,
): Promise<{ items: CliReturn[]; ms: number }> {
  const start = Date.now();
  const items: CliReturn[] = [];
  for await (const r of waitForReturns(f.deps, JID, minions, { timeout, gatherJobTimeout: gather, graceMs }))
    items.push(r);
  return { items, ms: Date.now() - start };
}

describe('waitForReturns (Salt get_iter_returns)', { timeout: 10_000 }, () => {
  test('parseReturnTag reads only return tags', () => {
    assert.deepEqual(parseReturnTag('salt/job/123/ret/web-1'), { jid: '123', id: 'web-1' });
    assert.equal(parseReturnTag('salt/job/123/new'), undefined);
    assert.equal(parseReturnTag('salt/job/123/prog/web-1/0'), undefined);
    assert.equal(parseReturnTag('salt/job/123/ret/'), undefined);
    assert.equal(parseReturnTag('salt/run/123/ret'), undefined);
  });

  test('all minions return before the timeout: no find_job at all', async () => {
    const f = fake(() => 'silent');
    f.ret('a', true, 10);
    f.ret('b', false, 20);
    const { items, ms } = await collect(f, ['a', 'b'], 5, 5);
    assert.deepEqual(
      items.map((i) => [i.kind, i.id]),
      [
        ['return', 'a'],
        ['return', 'b'],
      ],
    );
    assert.equal(f.probes.length, 0);
    assert.ok(ms < 1000, `${ms} ms`);
  });

  test('a return that landed before the wait began is not lost', async () => {
    const f = fake(() => 'silent');
    f.events.route(`salt/job/${JID}/ret/a`, { return: 'early' });
    const { items } = await collect(f, ['a'], 5, 5);
    assert.deepEqual(items, [{ kind: 'return', id: 'a', data: { return: 'early' } }]);
  });

  test('a minion still running the job is waited for through several checks', async () => {
    const f = fake(() => 'running');
    f.ret('slow', 'done', 550);
    const { items } = await collect(f, ['slow'], 0.15, 2);
    assert.deepEqual(
      items.map((i) => [i.kind, i.id]),
      [['return', 'slow']],
    );
    assert.ok(f.probes.length >= 2, `probes: ${JSON.stringify(f.probes)}`);
    assert.deepEqual(f.probes[0], ['slow']);
  });

  test('every asked minion answered: the check ends without sitting out gather_job_timeout', async () => {
    const f = fake(() => 'idle');
    const { items, ms } = await collect(f, ['x'], 0.1, 5, 50);
    assert.deepEqual(items, [{ kind: 'missing', id: 'x', reason: 'No response' }]);
    assert.ok(ms < 1500, `${ms} ms`);
  });

  test('a minion that never answers find_job is reported after timeout + gather_job_timeout', async () => {
    const f = fake(() => 'silent');
    const { items, ms } = await collect(f, ['down'], 0.1, 0.2);
    assert.deepEqual(items, [{ kind: 'missing', id: 'down', reason: 'No response' }]);
    assert.ok(ms >= 280 && ms < 1500, `${ms} ms`);
  });

  test('idle minion whose return arrives within its grace is a return, not missing', async () => {
    const f = fake(() => 'idle');
    f.ret('late', 42, 150);
    const { items } = await collect(f, ['late'], 0.1, 2, 300);
    assert.deepEqual(
      items.map((i) => [i.kind, i.id]),
      [['return', 'late']],
    );
  });

  test('mixed: one returns, one runs then returns, one is down, one has no key', async () => {
    const f = fake((m) => (m === 'busy' ? 'running' : m === 'ghost' ? 'unknown' : 'silent'));
    f.ret('quick', true, 5);
    f.ret('busy', 'finally', 400);
    const { items } = await collect(f, ['quick', 'busy', 'down', 'ghost'], 0.15, 0.3);
    const byId = Object.fromEntries(items.map((i) => [i.id, i.kind === 'return' ? i.data['return'] : i.reason]));
    assert.deepEqual(byId, { quick: true, busy: 'finally', down: 'No response', ghost: 'No response' });
    assert.deepEqual(f.probes[0], ['busy', 'down', 'ghost']);
    // The minion without a key is reported as soon as the master says so, before the silent one.
    assert.ok(items.findIndex((i) => i.id === 'ghost') < items.findIndex((i) => i.id === 'down'));
  });

  test('find_job could not be published: the silent minions are reported at once', async () => {
    const f = fake(() => 'silent');
    f.deps.findJob = async () => undefined;
    const { items, ms } = await collect(f, ['a'], 0.1, 5);
    assert.deepEqual(items, [{ kind: 'missing', id: 'a', reason: 'No response' }]);
    assert.ok(ms < 1000, `${ms} ms`);
  });

  test("the probes' own returns are never yielded", async () => {
    const f = fake(() => 'running');
    f.ret('m', 'real', 300);
    const { items } = await collect(f, ['m'], 0.1, 1);
    assert.deepEqual(items, [{ kind: 'return', id: 'm', data: { id: 'm', return: 'real', retcode: 0 } }]);
  });

  test('a closed event source ends the wait', async () => {
    const f = fake(() => 'silent');
    setTimeout(() => f.events.end(), 50);
    const { items, ms } = await collect(f, ['a'], 5, 5);
    assert.deepEqual(items, []);
    assert.ok(ms < 1000, `${ms} ms`);
  });

  test('minions the master says are not connected are given up on as [Not connected]', async () => {
    const f = fake(() => 'silent');
    const inner = f.deps.findJob.bind(f.deps);
    // The find_job reply refreshes the master's view: b came back, c is gone.
    f.deps.findJob = async (jid, minions) => {
      const r = await inner(jid, minions);
      return r && { ...r, notConnected: ['c'] };
    };
    f.ret('a', true, 5);
    const items: CliReturn[] = [];
    for await (const r of waitForReturns(f.deps, JID, ['a', 'b', 'c'], {
      timeout: 0.05,
      gatherJobTimeout: 0.05,
      graceMs: 10,
      notConnected: ['b'],
    }))
      items.push(r);
    const missing = items.filter((i) => i.kind === 'missing').map((i) => [i.id, i.kind === 'missing' && i.reason]);
    assert.deepEqual(missing.sort(), [
      ['b', 'No response'],
      ['c', 'Not connected'],
    ]);
  });
});
