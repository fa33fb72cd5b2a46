import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Slots } from './index.js';

test('Slots: waiters get the slot in order, a release hands it over', async () => {
  const s = new Slots(1);
  await s.acquire();
  assert.ok(s.full);
  const order: number[] = [];
  const a = s.acquire().then(() => order.push(1));
  const b = s.acquire().then(() => order.push(2));
  s.release();
  await a;
  assert.equal(s.busy, 1);
  s.release();
  await b;
  s.release();
  assert.deepEqual(order, [1, 2]);
  assert.equal(s.busy, 0);
});

test('Slots: size <= 0 never waits; abort fails the waiters', async () => {
  const free = new Slots(0);
  for (let i = 0; i < 5; i++) await free.acquire();
  assert.ok(!free.full);
  const s = new Slots(1);
  await s.acquire();
  const waiting = s.acquire();
  s.abort(new Error('stopping'));
  await assert.rejects(waiting, /stopping/);
});
