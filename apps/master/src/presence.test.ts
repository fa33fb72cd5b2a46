import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '@tsalt/core';
import { Presence } from './presence.js';

describe('presence', () => {
  test('change {new, lost} when the set moves, then present, as Salt orders them', () => {
    let now = 1_000_000;
    const events: [string, Record<string, unknown>][] = [];
    const p = new Presence({
      enabled: true,
      loopIntervalMs: 60_000,
      fire: (t, d) => void events.push([t, d]),
      log: silentLogger(),
      now: () => now,
    });
    p.seen('web2', 10);
    p.seen('web1', 10);
    p.tick();
    assert.deepEqual(events, [
      ['salt/presence/change', { new: ['web1', 'web2'], lost: [] }],
      ['salt/presence/present', { present: ['web1', 'web2'] }],
    ]);
    events.length = 0;
    p.tick();
    assert.deepEqual(events, [['salt/presence/present', { present: ['web1', 'web2'] }]], 'no change, no change event');
    events.length = 0;
    // web1 leaves cleanly; web2 goes quiet for more than 2.5 of its 10 s heartbeats.
    p.left('web1');
    now += 20_000;
    p.seen('db1');
    p.tick();
    assert.deepEqual(events[0], ['salt/presence/change', { new: ['db1'], lost: ['web1'] }]);
    events.length = 0;
    now += 6_000;
    p.tick();
    assert.deepEqual(events, [
      ['salt/presence/change', { new: [], lost: ['web2'] }],
      ['salt/presence/present', { present: ['db1'] }],
    ]);
  });
});
