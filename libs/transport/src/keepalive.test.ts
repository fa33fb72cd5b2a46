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

test('the minion REQ and SUB and the master ROUTER and PUB carry the configured keepalive', () => {
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
  const pub = new PubServer({ address: 'tcp://127.0.0.1:0', highWaterMark: 10, backlog: 10, keepalive: CUSTOM, log });
  try {
    for (const s of [req.socket, sub.socket, router.socket, pub.socket]) assert.deepEqual(readBack(s), [1, 60, 4, 15]);
  } finally {
    req.close();
    sub.close();
    pub.close();
    void router.close();
  }
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
