import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { Subscriber } from 'zeromq';
import { childPids, sleep, startedCluster, waitFor, type Cluster } from './harness.js';

/** The attack: raw SUB sockets on publish_port, each subscribing to many random topics. */
const SOCKETS = 5;
const TOPICS_PER_SOCKET = 20_000;
/** The long attack's topics are 1..200 bytes; the short one's 1..22, all under libzmq's old 32-byte message limit. */
const LONG_TOPIC_BYTES = 200;
const SHORT_TOPIC_BYTES = 22;
/** Subscriptions sent per socket between short pauses, so a SUB's own queue (1,000) does not drop them. */
const CHUNK = 200;
/**
 * The publisher process's RSS may grow by at most this much (kB) under
 * either attack; docs/limits.md "Publish port: subscriptions" documents it.
 * A libzmq PUB that applied them all grew by ~500 MB; libzmq's manual XPUB,
 * which kept every short topic, by ~85 MB per 100,000.
 */
const RSS_GROWTH_BOUND_KB = 16 * 1024;

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]);
}

function publisherPid(c: Cluster): number {
  const pid = c.master?.proc.pid;
  assert.ok(pid, 'the master runs');
  const found = childPids(pid).find((p) => {
    try {
      return fs.readFileSync(`/proc/${p}/cmdline`, 'utf8').includes('publisher-process');
    } catch {
      return false;
    }
  });
  assert.ok(found, 'the master has a publisher process');
  return found;
}

/** A raw SUB with a reading loop (libzmq's SUB only moves its queue while the socket is polled); counts what it receives. */
function rawSub(port: number): { sock: Subscriber; received: () => number; first: Promise<Buffer> } {
  const sock = new Subscriber({ linger: 0 });
  sock.connect(`tcp://127.0.0.1:${port}`);
  let n = 0;
  let gotFirst: (b: Buffer) => void = () => undefined;
  const first = new Promise<Buffer>((r) => (gotFirst = r));
  void (async () => {
    try {
      for await (const frames of sock) {
        n++;
        const last = frames.at(-1);
        if (last) gotFirst(last);
      }
    } catch {
      // Closed.
    }
  })();
  return { sock, received: () => n, first };
}

async function ping(c: Cluster): Promise<Record<string, unknown>> {
  const r = await c.tsalt(['-t', '5', '*', 'test.ping', '--out', 'json', '--static']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

test('random subscriptions on publish_port do not grow the publisher; only the empty one gets publishes', async (t) => {
  const c = await startedCluster(['m1']);
  const socks: Subscriber[] = [];
  t.after(async () => {
    for (const s of socks) s.close();
    await c.cleanup();
  });
  const pub = publisherPid(c);

  /** 5 raw SUBs send 20,000 random topics each of 1..`maxTopicBytes`; returns the publisher's RSS growth (kB). */
  async function attack(maxTopicBytes: number): Promise<number> {
    const attackers = Array.from({ length: SOCKETS }, () => rawSub(c.ports.publish));
    socks.push(...attackers.map((a) => a.sock));
    await sleep(300); // let the connections come up, so the first subscriptions are not queued behind a handshake
    const before = rssKb(pub);
    let peak = before;
    for (let i = 0; i < TOPICS_PER_SOCKET; i++) {
      for (const a of attackers) a.sock.subscribe(crypto.randomBytes(1 + crypto.randomInt(maxTopicBytes)));
      if (i % CHUNK === CHUNK - 1) {
        await sleep(2);
        peak = Math.max(peak, rssKb(pub));
      }
    }
    assert.equal((await ping(c)).m1, true, 'm1 answers test.ping during the attack');
    for (let i = 0; i < 10; i++) {
      peak = Math.max(peak, rssKb(pub));
      await sleep(100);
    }
    for (const a of attackers) assert.equal(a.received(), 0, 'a random-topic subscriber gets no publish');
    for (const a of attackers) a.sock.close();
    t.diagnostic(
      `1..${maxTopicBytes}-byte topics: publisher RSS ${before} kB before, peak ${peak} kB: +${peak - before} kB`,
    );
    return peak - before;
  }

  await t.test(
    '100,000 random topics of 1..200 bytes from 5 peers: RSS stays within the bound, the minion keeps answering',
    async () => {
      const growth = await attack(LONG_TOPIC_BYTES);
      assert.ok(growth <= RSS_GROWTH_BOUND_KB, `publisher grew by ${growth} kB, bound ${RSS_GROWTH_BOUND_KB} kB`);
      // One summary line, not one per subscription (the next is due after 60 s).
      const lines = (c.master?.output() ?? '').split('\n').filter((l) => l.includes('ignored subscriptions'));
      assert.equal(lines.length, 1, `the subscriptions arrived and were summed up in one line: ${lines.length}`);
    },
  );

  await t.test(
    '100,000 random short topics (1..22 bytes, what libzmq kept) from 5 peers: RSS stays within the bound',
    async () => {
      const growth = await attack(SHORT_TOPIC_BYTES);
      assert.ok(growth <= RSS_GROWTH_BOUND_KB, `publisher grew by ${growth} kB, bound ${RSS_GROWTH_BOUND_KB} kB`);
      const lines = (c.master?.output() ?? '').split('\n').filter((l) => l.includes('ignored subscriptions'));
      assert.ok(lines.length <= 2, `at most one summary line per 60 s: ${lines.length}`);
    },
  );

  await t.test("a SUB to '' gets every publish; one to a publish's own prefix gets none", async () => {
    const all = rawSub(c.ports.publish);
    socks.push(all.sock);
    all.sock.subscribe();
    await waitFor("the '' subscriber to get a publish", async () => {
      await ping(c);
      return all.received() > 0;
    });
    // The first bytes of a real publish: a PUB would deliver every later publish to this subscriber.
    const prefix = (await all.first).subarray(0, 4);
    const picky = rawSub(c.ports.publish);
    const random = rawSub(c.ports.publish);
    socks.push(picky.sock, random.sock);
    picky.sock.subscribe(prefix);
    random.sock.subscribe(crypto.randomBytes(8));
    await sleep(300);
    const seen = all.received();
    for (let i = 0; i < 3; i++) assert.equal((await ping(c)).m1, true);
    await waitFor("the '' subscriber to get the new publishes", () => all.received() >= seen + 3);
    assert.equal(picky.received(), 0, 'the prefix subscriber gets nothing');
    assert.equal(random.received(), 0, 'the random-topic subscriber gets nothing');
  });
});
