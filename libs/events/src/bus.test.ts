import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '@tsalt/core';
import { EventBus, EventListener, fireMasterEvent, tagMatcher, tagPrefix } from './index.js';

/** A Logger that keeps warn lines: enough for the bus and listener. */
function recordingLogger(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const log = {
    warn: (_o: unknown, msg?: string) => void lines.push(String(msg)),
    error: (_o: unknown, msg?: string) => void lines.push(String(msg)),
    info: () => undefined,
    debug: () => undefined,
    child() {
      return log;
    },
  };
  return { log: log as unknown as Logger, lines };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(5);
  }
}

describe('EventBus: bounded subscribers, counted drops, max_event_size', () => {
  let dir = '';
  let bus: EventBus;
  const rec = recordingLogger();

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-bus-'));
    bus = new EventBus({ sockDir: dir, maxEventSize: 4096, log: rec.log });
    await bus.start();
  });
  after(async () => {
    await bus.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  test('a listener gets Salt-shaped events with _stamp, by prefix', async () => {
    const l = new EventListener({ sockDir: dir, prefixes: ['myco/'] });
    try {
      await l.ready(3000);
      bus.fire('other/tag', { a: 1 });
      await fireMasterEvent(dir, 'myco/app/deployed', { version: 3 });
      const ev = await l.next(3000);
      assert.equal(ev?.tag, 'myco/app/deployed');
      assert.equal(ev?.data['version'], 3);
      assert.match(String(ev?.data['_stamp']), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/);
      assert.equal(l.dropped, 0);
    } finally {
      l.close();
    }
  });

  test('a slow listener loses events, counts them, logs; a fast one misses none', async () => {
    // Its own bus with a small per-subscriber queue, so the slow reader overflows quickly.
    const sockDir = path.join(dir, 'small');
    const small = new EventBus({ sockDir, maxEventSize: 4096, highWaterMark: 1000, log: rec.log });
    await small.start();
    const slowRec = recordingLogger();
    const slow = new EventListener({ sockDir, prefixes: ['load/'], highWaterMark: 100, log: slowRec.log });
    const fast = new EventListener({ sockDir, prefixes: ['load/'] });
    try {
      await slow.ready(3000);
      await fast.ready(3000);
      const total = 20_000;
      let fastGot = 0;
      const fastDone = (async () => {
        while (fastGot < total + 1) {
          if (!(await fast.next(5000))) break;
          fastGot++;
        }
      })();
      for (let i = 0; i < total; i++) {
        assert.equal(small.fire('load/x', { i }), true);
        // Let the bus's send chain run now and then, as a real master does between requests; and let the
        // fast reader keep within its queue (1000), so that a loaded machine cannot make it a slow one.
        if (i % 100 === 0) await until(() => fastGot >= i - 100, 5000);
      }
      await sleep(200);
      // The slow reader wakes up: it drains what ZeroMQ kept, then a last event shows the gap.
      let slowGot = 0;
      while (await slow.next(200)) slowGot++;
      small.fire('load/end', { i: total });
      const end = await slow.next(2000);
      assert.equal(end?.tag, 'load/end');
      slowGot++;
      await fastDone;
      assert.equal(fastGot + fast.dropped, total + 1);
      assert.equal(fast.dropped, 0);
      assert.ok(slow.dropped > 0, 'the slow listener lost events');
      assert.equal(slowGot + slow.dropped, total + 1);
      slow.close();
      assert.ok(
        slowRec.lines.some((l) => /^dropped \d+ events \(slow reader\)$/.test(l)),
        slowRec.lines.join('\n'),
      );
    } finally {
      slow.close();
      fast.close();
      await small.close();
    }
  });

  test('an in-process subscriber runs off the publish path, bounded, drops counted', async () => {
    let seen = 0;
    const sub = bus.onEvent(
      async () => {
        seen++;
        await sleep(20);
      },
      { maxQueue: 10, name: 'slow-test' },
    );
    const fastSeen: string[] = [];
    const fastSub = bus.onEvent((tag) => void fastSeen.push(tag));
    try {
      const t0 = Date.now();
      for (let i = 0; i < 100; i++) bus.fire('local/x', { i });
      assert.ok(Date.now() - t0 < 500, 'fire never waits for a subscriber');
      assert.equal(seen, 0, 'handlers run later, not inside fire');
      assert.equal(sub.dropped, 90);
      await until(() => fastSeen.length === 100, 2000);
      await until(() => seen === 10, 3000);
      // The first loss is logged at once, the rest as a total when the queue drains.
      const logged = (): number =>
        rec.lines
          .map((l) => /^dropped (\d+) events \(slow reader\)$/.exec(l)?.[1])
          .reduce((a, n) => a + Number(n ?? 0), 0);
      await until(() => logged() === 90, 2000);
    } finally {
      sub();
      fastSub();
    }
  });

  test('an event over max_event_size is refused with a log line', async () => {
    const l = new EventListener({ sockDir: dir, prefixes: ['big/'] });
    try {
      await l.ready(3000);
      assert.equal(bus.fire('big/direct', { blob: 'x'.repeat(5000) }), false);
      await fireMasterEvent(dir, 'big/pushed', { blob: 'y'.repeat(6000) });
      await fireMasterEvent(dir, 'big/small', { ok: true });
      const ev = await l.next(3000);
      assert.equal(ev?.tag, 'big/small');
      assert.equal(rec.lines.filter((x) => x === 'refused event larger than max_event_size').length, 2);
      assert.equal(bus.stats().refused, 2);
    } finally {
      l.close();
    }
  });

  test('tagMatcher and tagPrefix', () => {
    assert.equal(tagMatcher('salt/job/*/ret/*')('salt/job/1/ret/m1'), true);
    assert.equal(tagMatcher('salt/job/*')('salt/run/1/new'), false);
    assert.equal(tagMatcher('salt/', 'startswith')('salt/auth'), true);
    assert.equal(tagMatcher('salt/(auth|key)', 'regex')('salt/key'), true);
    assert.equal(tagPrefix('salt/job/*/ret/*'), 'salt/job/');
    assert.equal(tagPrefix('*'), '');
    assert.equal(tagPrefix('salt/auth'), 'salt/auth');
  });
});
