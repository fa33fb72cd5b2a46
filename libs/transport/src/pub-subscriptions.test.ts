import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Subscriber } from 'zeromq';
import { silentLogger, type Logger } from '@tsalt/core';
import { PubServer } from './index.js';
import { IGNORED_LOG_INTERVAL_MS, SubscriptionGate } from './pub-subscriptions.js';

/** A logger whose warn lines land in `lines`. */
function capturing(): { log: Logger; lines: unknown[] } {
  const log = silentLogger();
  const lines: unknown[] = [];
  log.warn = (obj: unknown) => void lines.push(obj);
  return { log, lines };
}

test('the gate applies topics up to max_bytes, counts the rest, and logs one summary line per interval', () => {
  const { log, lines } = capturing();
  let now = 1_000_000;
  const gate = new SubscriptionGate({ maxBytes: 3, log, now: () => now });
  try {
    assert.equal(gate.admit({ subscribe: true, topic: Buffer.alloc(0) }), true);
    assert.equal(gate.admit({ subscribe: true, topic: Buffer.from('abc') }), true);
    assert.equal(gate.admit({ subscribe: false, topic: Buffer.from('abc') }), true);
    for (let i = 0; i < 10_000; i++) assert.equal(gate.admit({ subscribe: true, topic: Buffer.from('abcd') }), false);
    // An unsubscribe of a topic never applied is not counted.
    assert.equal(gate.admit({ subscribe: false, topic: Buffer.from('abcd') }), false);
    assert.equal(gate.ignoredCount, 10_000);
    assert.equal(lines.length, 1, 'the first one is reported at once, the rest wait for the interval');
    now += IGNORED_LOG_INTERVAL_MS;
    gate.admit({ subscribe: true, topic: Buffer.from('abcde') });
    assert.equal(lines.length, 2);
    assert.deepEqual(lines[1], { ignored: 10_000, total: 10_001, max_bytes: 3 });
  } finally {
    gate.close();
  }
});

/** A SUB on `pub` with its own subscription, counting what it receives. */
function sub(endpoint: string, topic?: string): { sock: Subscriber; got: Buffer[] } {
  const sock = new Subscriber({ linger: 0 });
  sock.connect(endpoint);
  if (topic === undefined) sock.subscribe();
  else sock.subscribe(topic);
  const got: Buffer[] = [];
  void (async () => {
    try {
      for await (const [m] of sock) if (m) got.push(m);
    } catch {
      // Closed.
    }
  })();
  return { sock, got };
}

async function until(what: string, check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('the PUB delivers only to applied subscriptions, honours unsubscribe, and outlives over-long ones', async () => {
  const { log } = capturing();
  const pub = new PubServer({
    address: 'tcp://127.0.0.1:0',
    highWaterMark: 100,
    backlog: 10,
    subscriptionMaxBytes: 4,
    log,
  });
  await pub.start();
  const endpoint = pub.endpoint ?? '';
  const all = sub(endpoint);
  const short = sub(endpoint, 'abcd');
  const long = sub(endpoint, 'abcde');
  // Far over maxMessageSize: libzmq drops this peer's connection (it reconnects and is dropped again).
  const huge = sub(endpoint, 'a'.repeat(500));
  try {
    // Publish until the subscriptions are in: the '' and 'abcd' SUBs get the probe.
    const probe = setInterval(() => void pub.publish(Buffer.from('abcdefg')), 20);
    try {
      await until('both applied subscriptions to get a publish', () => all.got.length > 0 && short.got.length > 0);
    } finally {
      clearInterval(probe);
    }
    assert.equal(long.got.length, 0, 'a 5-byte topic over the 4-byte limit is not applied');
    assert.equal(huge.got.length, 0);
    assert.ok(pub.ignoredSubscriptions >= 1);

    short.sock.unsubscribe('abcd');
    const before = { all: all.got.length, short: short.got.length };
    // The unsubscribe reaches the PUB asynchronously: publish until '' has moved well past it.
    const more = setInterval(() => void pub.publish(Buffer.from('abcdefg')), 20);
    try {
      await until("'' to get 20 more", () => all.got.length >= before.all + 20);
    } finally {
      clearInterval(more);
    }
    const afterUnsub = short.got.length;
    await pub.publish(Buffer.from('abcdefg'));
    const seen = all.got.length;
    await until("'' to get the last one", () => all.got.length > seen);
    assert.equal(short.got.length, afterUnsub, 'no publish after the unsubscribe took effect');
    assert.equal(long.got.length, 0);
  } finally {
    for (const s of [all, short, long, huge]) s.sock.close();
    pub.close();
  }
});
