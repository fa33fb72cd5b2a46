import fs from 'node:fs';
import net from 'node:net';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '@tsalt/core';
import { keepaliveSocketOptions, PubServer, ReqClient, ReqServer, SubClient, TCP_KEEPALIVE_DEFAULTS } from './index.js';

/** The four options as libzmq reports them, read back from a live socket. */
function readBack(s: {
  tcpKeepalive: number;
  tcpKeepaliveIdle: number;
  tcpKeepaliveCount: number;
  tcpKeepaliveInterval: number;
}): number[] {
  return [s.tcpKeepalive, s.tcpKeepaliveIdle, s.tcpKeepaliveCount, s.tcpKeepaliveInterval];
}

const CUSTOM = { tcp_keepalive: true, tcp_keepalive_idle: 60.4, tcp_keepalive_cnt: 4, tcp_keepalive_intvl: 15 };

test('Salt defaults map to on, 300 s idle, count and interval from the OS; floats round; 0 and -1 are the OS default', () => {
  assert.deepEqual(keepaliveSocketOptions(), {
    tcpKeepalive: 1,
    tcpKeepaliveIdle: 300,
    tcpKeepaliveCount: -1,
    tcpKeepaliveInterval: -1,
  });
  assert.deepEqual(keepaliveSocketOptions(TCP_KEEPALIVE_DEFAULTS), keepaliveSocketOptions());
  assert.deepEqual(keepaliveSocketOptions({ tcp_keepalive: false, tcp_keepalive_idle: 0, tcp_keepalive_cnt: 2.6 }), {
    tcpKeepalive: 0,
    tcpKeepaliveIdle: -1,
    tcpKeepaliveCount: 3,
    tcpKeepaliveInterval: -1,
  });
});

test('the minion REQ and SUB and the master ROUTER carry the configured keepalive', () => {
  const log = silentLogger();
  const req = new ReqClient({ address: 'tcp://127.0.0.1:1', keepalive: CUSTOM });
  const sub = new SubClient({
    address: 'tcp://127.0.0.1:1',
    reconnectInterval: 1000,
    reconnectMaxInterval: 1000,
    keepalive: CUSTOM,
  });
  const router = new ReqServer(
    { address: 'tcp://127.0.0.1:0', maxRequestSize: 1024, backlog: 10, keepalive: CUSTOM, log },
    () => Promise.resolve('x'),
  );
  try {
    for (const s of [req.socket, sub.socket, router.socket]) assert.deepEqual(readBack(s), [1, 60, 4, 15]);
  } finally {
    req.close();
    sub.close();
    void router.close();
  }
});

/**
 * The kernel's timer on the PUB's side of a connection from `localPort`,
 * from /proc/net/tcp: `tr` 2 is the keepalive timer, `when` its expiry in
 * USER_HZ ticks (100 per second on Linux).
 */
function serverTimer(pubPort: number, peerPort: number): { tr: number; whenS: number } | undefined {
  const hex = (p: number): string => p.toString(16).toUpperCase().padStart(4, '0');
  for (const line of fs.readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f[1]?.endsWith(`:${hex(pubPort)}`) && f[2]?.endsWith(`:${hex(peerPort)}`)) {
      const [tr, when] = (f[5] ?? '0:0').split(':');
      return { tr: parseInt(tr ?? '0', 16), whenS: parseInt(when ?? '0', 16) / 100 };
    }
  }
  return undefined;
}

/** Starts a PUB with `keepalive`, connects to it and reads the PUB side's kernel timer. */
async function pubTimer(keepalive: Partial<typeof CUSTOM>): Promise<{ tr: number; whenS: number } | undefined> {
  const pub = new PubServer({
    address: 'tcp://127.0.0.1:0',
    highWaterMark: 10,
    backlog: 10,
    keepalive,
    log: silentLogger(),
  });
  await pub.start();
  const port = Number(/:(\d+)$/.exec(pub.endpoint ?? '')?.[1]);
  const peer = net.connect(port, '127.0.0.1');
  try {
    await new Promise<void>((resolve) => peer.once('connect', resolve));
    const end = Date.now() + 5000;
    while (pub.zmtp.connections.size === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    return serverTimer(port, peer.localPort ?? 0);
  } finally {
    peer.destroy();
    pub.close();
  }
}

test("the PUB (our ZMTP over net) sets keepalive and its idle time on each peer; count and interval stay the kernel's", async () => {
  // Node sets only SO_KEEPALIVE and TCP_KEEPIDLE: the kernel's timer shows the idle time.
  const on = await pubTimer(CUSTOM);
  assert.ok(on, 'the connection is in /proc/net/tcp');
  assert.equal(on.tr, 2, 'the keepalive timer runs');
  assert.ok(on.whenS > 50 && on.whenS <= 60, `first probe in ~60 s, not the 7200 s default: ${on.whenS}`);
  const off = await pubTimer({ tcp_keepalive: false });
  assert.ok(off);
  assert.equal(off.tr, 0, 'no keepalive timer when tcp_keepalive is False');
});

test('a socket given no keepalive keys takes Salt defaults, and tcp_keepalive False turns it off', () => {
  const plain = new ReqClient({ address: 'tcp://127.0.0.1:1' });
  const off = new ReqClient({ address: 'tcp://127.0.0.1:1', keepalive: { tcp_keepalive: false } });
  try {
    assert.deepEqual(readBack(plain.socket), [1, 300, -1, -1]);
    assert.equal(off.socket.tcpKeepalive, 0);
  } finally {
    plain.close();
    off.close();
  }
});
