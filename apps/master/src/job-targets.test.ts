import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JobTargets } from './job-targets.js';

test('a tokless return is accepted once per targeted minion, and never for another job or id', () => {
  const t = new JobTargets(3600_000);
  t.record('20260101000000000001', ['a', 'b']);
  assert.equal(t.claim('20260101000000000001', 'a'), true);
  assert.equal(t.claim('20260101000000000001', 'a'), false, 'a second answer');
  assert.equal(t.claim('20260101000000000001', 'c'), false, 'an id the job did not target');
  assert.equal(t.claim('20260101000000000002', 'b'), false, 'a job this master did not publish');
  assert.equal(t.claim('20260101000000000001', 'b'), true);
});

test('targets older than the keep time are forgotten', async () => {
  const t = new JobTargets(20);
  t.record('20260101000000000001', ['a']);
  await new Promise((r) => setTimeout(r, 40));
  assert.equal(t.claim('20260101000000000001', 'a'), false);
  t.record('20260101000000000002', ['a']);
  assert.equal(t.claim('20260101000000000002', 'a'), true);
});

test('a claimed minion stays a target of its job: lookup still lists it', () => {
  const t = new JobTargets(3600_000);
  t.record('20260101000000000001', ['a'], { tgt: 'a*', tgtType: 'glob' });
  assert.equal(t.claim('20260101000000000001', 'a'), true);
  const job = t.lookup('20260101000000000001');
  assert.ok(job && job.minions.has('a'));
  assert.deepEqual([job.tgt, job.tgtType], ['a*', 'glob']);
  assert.equal(t.lookup('20260101000000000002'), undefined);
});
