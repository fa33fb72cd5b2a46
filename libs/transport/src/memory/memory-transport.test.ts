import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '@tsalt/core';
import { RequestTimeoutError } from '../errors.js';
import { NO_REPLY } from '../request-reader.js';
import { pack, unpack } from '../serialize.js';
import { MemoryTransport } from './memory-transport.js';

const log = silentLogger();

describe('MemoryTransport', () => {
  test('a request reaches the server on the same port and the reply comes back packed', async () => {
    const net = new MemoryTransport();
    const srv = net.requestServer({ address: 'tcp://0.0.0.0:4506', maxRequestSize: 1000, backlog: 1, log }, (env) =>
      Promise.resolve({ got: env.load }),
    );
    await srv.start();
    const ch = net.requestChannel({ address: 'tcp://127.0.0.1:4506' });
    assert.deepEqual(unpack(await ch.request(pack({ enc: 'clear', load: 'x' }), 1000)), { got: 'x' });
    // The same rules as the ZeroMQ server: not an envelope, or too large, is "bad load".
    assert.equal(unpack(await ch.request(Buffer.from([0xc1]), 1000)), 'bad load');
    assert.equal(unpack(await ch.request(pack({ enc: 'clear', load: 'y'.repeat(2000) }), 1000)), 'bad load');
    assert.equal(net.recorded('tcp://x:4506').length, 3);
    await srv.close();
    await assert.rejects(ch.request(pack({ enc: 'clear', load: 1 }), 50), RequestTimeoutError);
  });

  test('NO_REPLY leaves the request to time out', async () => {
    const net = new MemoryTransport();
    await net
      .requestServer({ address: 'tcp://0.0.0.0:1', maxRequestSize: 1000, backlog: 1, log }, () =>
        Promise.resolve(NO_REPLY),
      )
      .start();
    await assert.rejects(
      net.requestChannel({ address: 'tcp://h:1' }).request(pack({ enc: 'clear', load: 1 }), 50),
      RequestTimeoutError,
    );
  });

  test('a subscription made before the publisher started gets every payload in order; close ends it', async () => {
    const net = new MemoryTransport();
    const sub = net.subscription({ address: 'tcp://127.0.0.1:4505', reconnectInterval: 1, reconnectMaxInterval: 1 });
    const pub = net.publishChannel({ address: 'tcp://0.0.0.0:4505', highWaterMark: 10, backlog: 1, log });
    await pub.publish(Buffer.from('before start')); // not started: dropped, as a PUB not yet bound
    await pub.start();
    await pub.publish(Buffer.from('a'));
    await pub.publish(Buffer.from('b'));
    const got: string[] = [];
    const reading = (async () => {
      for await (const m of sub.messages()) got.push(m.toString());
    })();
    await new Promise((r) => setImmediate(r));
    sub.close();
    await reading;
    assert.deepEqual(got, ['a', 'b']);
  });
});
