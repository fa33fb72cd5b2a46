import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import crypto from 'node:crypto';
import { Subscriber } from 'zeromq';
import { silentLogger } from '@tsalt/core';
import { PubServer } from '../index.js';
import {
  encodeCommand,
  encodeFrame,
  encodeGreeting,
  encodeReady,
  FrameReader,
  parseCommand,
  parseProperties,
} from './codec.js';

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function started(o: { highWaterMark?: number; subscriptionMaxBytes?: number; address?: string } = {}): Promise<{
  pub: PubServer;
  port: number;
}> {
  const pub = new PubServer({
    address: o.address ?? 'tcp://127.0.0.1:0',
    highWaterMark: o.highWaterMark ?? 1000,
    backlog: 10,
    subscriptionMaxBytes: o.subscriptionMaxBytes,
    log: silentLogger(),
  });
  await pub.start();
  return { pub, port: Number(/:(\d+)$/.exec(pub.endpoint ?? '')?.[1]) };
}

/** A hand-driven ZMTP peer: what it receives is in `got`, `closed` once the server hangs up. */
class RawPeer {
  readonly sock: net.Socket;
  got = Buffer.alloc(0);
  closed = false;
  constructor(port: number) {
    this.sock = net.connect(port, '127.0.0.1');
    this.sock.on('data', (d: Buffer) => (this.got = Buffer.concat([this.got, d])));
    this.sock.on('close', () => (this.closed = true));
    this.sock.on('error', () => undefined);
  }
  /** Greeting (3.1 as libzmq 4.3 says) and READY as `type`; waits for the server's greeting and READY. */
  async handshake(type = 'SUB'): Promise<void> {
    const g = encodeGreeting();
    g[11] = 1;
    this.sock.write(g);
    this.sock.write(encodeReady({ 'Socket-Type': type }));
    await until('greeting and READY', () => this.got.length >= 64 + 2 + 1 + 5 + 1 + 11 + 4 + 3 || this.closed);
  }
  /** Frames received after the greeting. */
  frames(): { flags: number; body: Buffer }[] {
    return new FrameReader(1 << 20).push(this.got.subarray(64));
  }
  subscribe(topic: Buffer | string): void {
    this.sock.write(encodeFrame(Buffer.concat([Buffer.from([1]), Buffer.from(topic)])));
  }
}

test('a zeromq.js Subscriber gets every publish in order, short and long; one subscribed to another topic gets none', async () => {
  // 'zz' is applied (under 4 bytes) and matches no publish.
  const { pub, port } = await started({ subscriptionMaxBytes: 4 });
  const all = new Subscriber({ linger: 0 });
  const other = new Subscriber({ linger: 0 });
  all.connect(`tcp://127.0.0.1:${port}`);
  other.connect(`tcp://127.0.0.1:${port}`);
  all.subscribe();
  other.subscribe('zz');
  const got: Buffer[] = [];
  const otherGot: Buffer[] = [];
  void (async () => {
    for await (const [m] of all) if (m) got.push(m);
  })().catch(() => undefined);
  void (async () => {
    for await (const [m] of other) if (m) otherGot.push(m);
  })().catch(() => undefined);
  try {
    await until(
      'both peers ready',
      () => [...pub.zmtp.connections].filter((c) => c.isOpen && c.topicCount > 0).length === 2,
    );
    const sent = Array.from({ length: 200 }, (_, i) =>
      Buffer.concat([Buffer.from(`m${i}:`), crypto.randomBytes(i * 7)]),
    );
    for (const m of sent) await pub.publish(m);
    await until('all 200', () => got.length === 200);
    assert.deepEqual(got, sent);
    assert.equal(otherGot.length, 0);
  } finally {
    all.close();
    other.close();
    pub.close();
  }
});

test('IPv6 [::1] binds and serves a Subscriber', async (t) => {
  let s: { pub: PubServer; port: number };
  try {
    s = await started({ address: 'tcp://[::1]:0' });
  } catch {
    t.skip('no IPv6 loopback here');
    return;
  }
  const { pub, port } = s;
  const sub = new Subscriber({ linger: 0, ipv6: true });
  sub.connect(`tcp://[::1]:${port}`);
  sub.subscribe();
  try {
    assert.match(pub.endpoint ?? '', /^tcp:\/\/\[::1\]:\d+$/);
    await until('ready', () => [...pub.zmtp.connections].some((c) => c.isOpen && c.topicCount > 0));
    await pub.publish(Buffer.from('hello'));
    const [m] = await sub.receive();
    assert.equal(m?.toString(), 'hello');
  } finally {
    sub.close();
    pub.close();
  }
});

test('the handshake: our READY says PUB; a PING gets a PONG; SUBSCRIBE and CANCEL commands apply', async () => {
  const { pub, port } = await started();
  const p = new RawPeer(port);
  try {
    await p.handshake();
    const [ready] = p.frames();
    assert.ok(ready);
    const cmd = parseCommand(ready.body);
    assert.equal(cmd.name, 'READY');
    assert.equal(parseProperties(cmd.data).get('socket-type')?.toString(), 'PUB');
    p.sock.write(encodeCommand('PING', Buffer.from([0, 10, 7, 7])));
    await until('PONG', () => p.frames().length >= 2);
    const pong = parseCommand(p.frames()[1]?.body ?? Buffer.alloc(0));
    assert.deepEqual([pong.name, [...pong.data]], ['PONG', [7, 7]]);
    p.sock.write(encodeCommand('SUBSCRIBE'));
    await until('the subscription', () => [...pub.zmtp.connections].some((c) => c.topicCount === 1));
    await pub.publish(Buffer.from('x'));
    await until('the publish', () => p.frames().length >= 3);
    p.sock.write(encodeCommand('CANCEL'));
    await until('the cancel', () => [...pub.zmtp.connections].every((c) => c.topicCount === 0));
    assert.equal(p.closed, false);
  } finally {
    p.sock.destroy();
    pub.close();
  }
});

test('garbage, an oversize frame, a wrong Socket-Type or data before READY close the connection; the server serves on', async () => {
  const { pub, port } = await started();
  const peers: RawPeer[] = [];
  try {
    const garbage = new RawPeer(port);
    garbage.sock.write(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    const oversize = new RawPeer(port);
    await oversize.handshake();
    oversize.sock.write(Buffer.from([0x02, 0, 0, 0, 0, 0x10, 0, 0, 0]));
    const longTopic = new RawPeer(port);
    await longTopic.handshake();
    longTopic.subscribe(Buffer.alloc(300, 0x61));
    const pubPeer = new RawPeer(port);
    await pubPeer.handshake('PUB');
    const early = new RawPeer(port);
    early.sock.write(Buffer.concat([encodeGreeting(), encodeFrame(Buffer.from([1]))]));
    const badFlags = new RawPeer(port);
    await badFlags.handshake();
    badFlags.sock.write(Buffer.from([0xf0, 1, 1]));
    peers.push(garbage, oversize, longTopic, pubPeer, early, badFlags);
    await until('all six closed', () => peers.every((x) => x.closed));
    await until('the server forgets them', () => pub.zmtp.connections.size === 0);
    const good = new RawPeer(port);
    peers.push(good);
    await good.handshake();
    good.subscribe('');
    await until('subscribed', () => [...pub.zmtp.connections].some((c) => c.topicCount === 1));
    await pub.publish(Buffer.from('still here'));
    await until('the publish', () => good.frames().length >= 2);
    assert.equal(good.frames()[1]?.body.toString(), 'still here');
  } finally {
    for (const x of peers) x.sock.destroy();
    pub.close();
  }
});

test('100,000 short random subscriptions are counted, not stored: the peer keeps at most 8 topics and still gets publishes', async () => {
  const { pub, port } = await started({ subscriptionMaxBytes: 22 });
  const p = new RawPeer(port);
  try {
    await p.handshake();
    p.subscribe('');
    const N = 100_000;
    const chunks: Buffer[] = [];
    for (let i = 0; i < N; i++)
      chunks.push(encodeFrame(Buffer.concat([Buffer.from([1]), crypto.randomBytes(1 + (i % 22))])));
    p.sock.write(Buffer.concat(chunks));
    // 7 of the random topics fill the per-peer quota; every other one is ignored.
    await until('all counted', () => pub.ignoredSubscriptions === N - 7, 60_000);
    const [conn] = pub.zmtp.connections;
    assert.equal(conn?.topicCount, 8);
    await pub.publish(Buffer.from('job'));
    await until('the publish', () => p.frames().length >= 2);
    assert.equal(p.closed, false);
  } finally {
    p.sock.destroy();
    pub.close();
  }
});

test('a peer that stops reading misses publishes past the high-water mark; the others get every one', async () => {
  const { pub, port } = await started({ highWaterMark: 10 });
  const slow = new RawPeer(port);
  const fast = new RawPeer(port);
  try {
    await slow.handshake();
    await fast.handshake();
    slow.subscribe('');
    fast.subscribe('');
    await until('both subscribed', () => [...pub.zmtp.connections].every((c) => c.topicCount === 1));
    slow.sock.pause();
    const slowConn = [...pub.zmtp.connections].find((c) => c.socket.remotePort === slow.sock.localPort);
    assert.ok(slowConn);
    // 64 KiB each: the kernel's buffers fill after a few MB, then Node queues, then the mark drops.
    const payload = crypto.randomBytes(64 * 1024);
    let n = 0;
    while (slowConn.dropped === 0 && n < 2000) {
      await pub.publish(payload);
      n++;
      await new Promise((r) => setImmediate(r));
    }
    assert.ok(slowConn.dropped > 0, `dropped after ${n} publishes`);
    assert.ok(slowConn.queuedCount <= 10);
    const want = 64 + 27 + n * (9 + payload.length);
    await until('the fast peer gets all', () => fast.got.length >= want, 30_000);
    assert.equal(fast.got.length, want);
  } finally {
    slow.sock.destroy();
    fast.sock.destroy();
    pub.close();
  }
});
