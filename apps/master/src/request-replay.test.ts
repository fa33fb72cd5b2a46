import { test } from 'node:test';
import assert from 'node:assert/strict';
import { masterConfig } from '@tsalt/config';
import { RequestReplayGuard, requestIdentity, requestReplayGuard } from './request-replay.js';

test('an identity is fresh once, then a replay logged once', () => {
  const g = new RequestReplayGuard(900_000, 100_000);
  assert.deepEqual(g.admit('k', 'a'), { fresh: true, firstReplay: false });
  assert.deepEqual(g.admit('k', 'a'), { fresh: false, firstReplay: true });
  assert.deepEqual(g.admit('k', 'a'), { fresh: false, firstReplay: false });
});

test('a new session key forgets every identity', () => {
  const g = new RequestReplayGuard(900_000, 100_000);
  g.admit('k1', 'a');
  assert.equal(g.admit('k2', 'a').fresh, true);
  assert.equal(g.size, 1);
});

test('identities expire after the TTL and the cap drops the oldest first', () => {
  let now = 0;
  const g = new RequestReplayGuard(1000, 3, () => now);
  g.admit('k', 'a');
  now = 500;
  g.admit('k', 'b');
  now = 1000;
  assert.equal(g.admit('k', 'a').fresh, true, 'a expired after 1000 ms');
  assert.equal(g.admit('k', 'b').fresh, false);
  g.admit('k', 'c');
  g.admit('k', 'd');
  assert.equal(g.size, 3);
  assert.equal(g.admit('k', 'c').fresh, false);
  assert.equal(g.admit('k', 'b').fresh, true, 'b was the oldest, pushed out by the cap');
});

test('forget lets a failed request be served again', () => {
  const g = new RequestReplayGuard(900_000, 100_000);
  g.admit('k', 'a');
  g.forget('a');
  assert.equal(g.admit('k', 'a').fresh, true);
});

test('a return for a published job is one per minion and jid, whatever its nonce; others go by nonce or bytes', () => {
  const sealed = Buffer.from('x');
  const r1 = requestIdentity('_return', 'm1', { nonce: 'n1' }, sealed, '20261202120000000001');
  const r2 = requestIdentity('_return', 'm1', { nonce: 'n2' }, sealed, '20261202120000000001');
  assert.equal(r1, r2);
  assert.notEqual(r1, requestIdentity('_return', 'm2', { nonce: 'n1' }, sealed, '20261202120000000001'));
  assert.notEqual(
    requestIdentity('_return', 'm1', { jid: 'req', nonce: 'n1' }, sealed),
    requestIdentity('_return', 'm1', { jid: 'req', nonce: 'n2' }, sealed),
  );
  assert.notEqual(
    requestIdentity('_minion_event', 'm1', {}, Buffer.from('a')),
    requestIdentity('_minion_event', 'm1', {}, Buffer.from('b')),
  );
});

test('the config sizes the guard; request_replay_max 0 turns it off', () => {
  assert.equal(requestReplayGuard(masterConfig({ request_replay_max: 0 })), undefined);
  const g = requestReplayGuard(masterConfig({ request_replay_max: 2, request_replay_ttl: 1 }));
  assert.ok(g);
  g.admit('k', 'a');
  g.admit('k', 'b');
  g.admit('k', 'c');
  assert.equal(g.size, 2, 'request_replay_max caps the entries');
  assert.equal(g.admit('k', 'a').fresh, true, 'the oldest went first');
});
