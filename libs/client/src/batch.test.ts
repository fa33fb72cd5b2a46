import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { batchRetcode, runBatch, type BatchDeps, type BatchEvent } from './batch.js';
import { invalidBatchText, parseBatchSize } from './batch-size.js';
import type { CliReturn } from './types.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

interface Minion {
  /** ms the job takes there */
  ms: number;
  retcode?: number;
  /** Never returns: reported as given up on when the others are done. */
  silent?: boolean;
}

/** A fake cluster: each group's job runs concurrently on its minions; records who ran when. */
function fake(minions: Record<string, Minion>): {
  deps: BatchDeps;
  groups: string[][];
  spans: Map<string, [number, number]>;
} {
  const groups: string[][] = [];
  const spans = new Map<string, [number, number]>();
  const deps: BatchDeps = {
    run(group, onJid) {
      groups.push(group);
      const jid = `2026010100000000000${groups.length}`;
      return (async function* (): AsyncGenerator<CliReturn> {
        await sleep(1);
        onJid(jid);
        const t0 = Date.now();
        const order = [...group].sort((a, b) => (minions[a]?.ms ?? 0) - (minions[b]?.ms ?? 0));
        for (const id of order) {
          const m = minions[id];
          if (!m || m.silent) continue;
          await sleep(Math.max(0, t0 + m.ms - Date.now()));
          spans.set(id, [t0, Date.now()]);
          yield { kind: 'return', id, data: { id, return: true, retcode: m.retcode ?? 0 } };
        }
        for (const id of order) if (minions[id]?.silent) yield { kind: 'missing', id, reason: 'No response' };
      })();
    },
  };
  return { deps, groups, spans };
}

async function all(gen: AsyncIterable<BatchEvent>): Promise<BatchEvent[]> {
  const out: BatchEvent[] = [];
  for await (const ev of gen) out.push(ev);
  return out;
}

const brief = (evs: BatchEvent[]): string[] =>
  evs.map((e) => (e.kind === 'start' ? `start ${e.minions.join(',')}` : `${e.kind} ${e.id}`));

describe('runBatch', { timeout: 10_000 }, () => {
  test('a batch of 1 runs one minion at a time, in order', async () => {
    const f = fake({ a: { ms: 20 }, b: { ms: 5 }, c: { ms: 10 } });
    const evs = await all(runBatch(f.deps, ['a', 'b', 'c'], { size: 1 }));
    assert.deepEqual(brief(evs), ['start a', 'return a', 'start b', 'return b', 'start c', 'return c']);
    assert.deepEqual(f.groups, [['a'], ['b'], ['c']]);
    const [a, b, c] = ['a', 'b', 'c'].map((m) => f.spans.get(m) as [number, number]);
    assert.ok(a && b && c);
    assert.ok(b[0] >= a[1] && c[0] >= b[1], 'the jobs overlap');
  });

  test('a batch of 2: the next minion starts as soon as one returns', async () => {
    const f = fake({ a: { ms: 60 }, b: { ms: 5 }, c: { ms: 5 } });
    const evs = await all(runBatch(f.deps, ['a', 'b', 'c'], { size: 2 }));
    assert.deepEqual(brief(evs), ['start a,b', 'return b', 'start c', 'return c', 'return a']);
    const ret = evs.find((e) => e.kind === 'return' && e.id === 'c');
    assert.equal(ret?.kind === 'return' && ret.jid, '20260101000000000002');
  });

  test('--batch-wait keeps a freed slot closed that long', async () => {
    const f = fake({ a: { ms: 5 }, b: { ms: 5 } });
    const evs = await all(runBatch(f.deps, ['a', 'b'], { size: 1, waitS: 0.1 }));
    assert.deepEqual(brief(evs), ['start a', 'return a', 'start b', 'return b']);
    const gap = (f.spans.get('b')?.[0] ?? 0) - (f.spans.get('a')?.[1] ?? 0);
    assert.ok(gap >= 95, `b started ${gap} ms after a returned`);
  });

  test('--failhard stops at the first non-zero retcode; nothing more starts', async () => {
    const f = fake({ a: { ms: 5 }, b: { ms: 5, retcode: 2 }, c: { ms: 5 } });
    const evs = await all(runBatch(f.deps, ['a', 'b', 'c'], { size: 1, failhard: true }));
    assert.deepEqual(brief(evs), ['start a', 'return a', 'start b', 'return b', 'failhard b']);
    assert.deepEqual(f.groups, [['a'], ['b']]);
  });

  test('without --failhard a failure does not stop the run', async () => {
    const f = fake({ a: { ms: 5, retcode: 2 }, b: { ms: 5 } });
    const evs = await all(runBatch(f.deps, ['a', 'b'], { size: 1 }));
    assert.deepEqual(brief(evs), ['start a', 'return a', 'start b', 'return b']);
    assert.equal(evs[1]?.kind === 'return' && evs[1].retcode, 2);
  });

  test('a minion given up on frees its slot; one its publish did not reach is given up on too', async () => {
    const f = fake({ a: { ms: 5, silent: true }, c: { ms: 5 } });
    // b has no entry: the fake's job never reports it, as a publish that matched fewer.
    const evs = await all(runBatch(f.deps, ['a', 'b', 'c'], { size: 1 }));
    assert.deepEqual(brief(evs), ['start a', 'missing a', 'start b', 'missing b', 'start c', 'return c']);
  });

  test('a publish that fails ends the run with its error', async () => {
    const deps: BatchDeps = {
      run() {
        return (async function* (): AsyncGenerator<CliReturn> {
          await sleep(1);
          throw new Error('master down');
          yield* []; // the shape of a job that fails before any return
        })();
      },
    };
    await assert.rejects(all(runBatch(deps, ['a'], { size: 1 })), /master down/);
  });

  test('the retcode of a multi-function job is its highest', () => {
    assert.equal(batchRetcode({ retcode: { 'test.ping': 0, 'cmd.run': 3 } }), 3);
    assert.equal(batchRetcode({ retcode: {} }), 0);
    assert.equal(batchRetcode({ retcode: 1 }), 1);
    assert.equal(batchRetcode({}), 0);
  });
});

describe('parseBatchSize', () => {
  test('a count, or a share of the minions that answered', () => {
    assert.equal(parseBatchSize('3', 10), 3);
    assert.equal(parseBatchSize(' 2 ', 10), 2);
    assert.equal(parseBatchSize('34%', 3), 1);
    assert.equal(parseBatchSize('%50', 10), 5);
    assert.equal(parseBatchSize('50%', 5), 2);
    assert.equal(parseBatchSize('10%', 3), 1, 'under one minion rounds up');
    assert.equal(parseBatchSize('100%', 3), 3);
    assert.equal(parseBatchSize('12.5%', 16), 2);
  });

  test('anything else is refused with Salt’s words', () => {
    for (const bad of ['x', '1.5', '', '%', '-1', '0', '0%', 'ten%'])
      assert.equal(parseBatchSize(bad, 3), undefined, bad);
    assert.equal(invalidBatchText('x'), 'Invalid batch data sent: x\nData must be in the form of %10, 10% or 3');
  });
});
