import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { silentLogger } from '@tsalt/core';
import { isFlatAesEnvelope } from './envelope-peek.js';
import { BadMessageError, DecodeBudgetError } from './errors.js';
import { NO_REPLY, RequestReader, type ClearLimits } from './request-reader.js';
import { pack, unpack, unpackWithin } from './serialize.js';

const log = silentLogger();
const limits: ClearLimits = { maxSize: 4096, perPeer: 2, total: 3, decodeBudgetMs: 50 };

/** A map of `n` small entries: cheap to send, dear to decode. */
function wideMap(n: number): Record<string, number> {
  const m: Record<string, number> = {};
  for (let i = 0; i < n; i++) m[`k${i}`] = i;
  return m;
}

describe('isFlatAesEnvelope: which requests skip the clear limits', () => {
  test('an AES envelope of bytes and scalars, in any field order', () => {
    assert.ok(isFlatAesEnvelope(pack({ enc: 'aes', load: randomBytes(300), version: 2 })));
    assert.ok(isFlatAesEnvelope(pack({ version: 2, load: 'x'.repeat(70_000), enc: 'aes', id: 'm1', n: -1.5 })));
    assert.ok(isFlatAesEnvelope(pack({ enc: 'aes', load: randomBytes(10), sig: randomBytes(256), v: null })));
  });

  test('anything else is clear: maps or arrays inside, another enc, no load, trailing bytes, garbage', () => {
    assert.ok(!isFlatAesEnvelope(pack({ enc: 'aes', load: { cmd: '_return' } })));
    assert.ok(!isFlatAesEnvelope(pack({ enc: 'aes', load: randomBytes(10), pad: [1, 2] })));
    assert.ok(!isFlatAesEnvelope(pack({ enc: 'clear', load: randomBytes(10) })));
    assert.ok(!isFlatAesEnvelope(pack({ enc: 'aes' })));
    assert.ok(!isFlatAesEnvelope(Buffer.concat([pack({ enc: 'aes', load: 'x' }), Buffer.from([0])])));
    assert.ok(!isFlatAesEnvelope(pack({ enc: 'aes', load: 'x' }).subarray(0, 8)));
    for (let i = 0; i < 2000; i++) isFlatAesEnvelope(randomBytes(1 + (i % 64)));
  });
});

describe('unpack: a length header cannot make the decoder allocate more than the message holds', () => {
  test('an array or map header claiming 2^32 - 1 items in a few bytes is refused before any allocation', () => {
    for (const head of [0xdd, 0xdf]) {
      const frame = Buffer.from([head, 0xff, 0xff, 0xff, 0xff, 0x01]);
      assert.throws(() => unpack(frame), BadMessageError);
      assert.throws(() => unpack(Buffer.concat([frame, Buffer.alloc(70_000)])), BadMessageError);
    }
    // Within the message's own length, arrays decode as ever.
    assert.deepEqual(unpack(pack([1, 2, 3])), [1, 2, 3]);
    assert.equal((unpack(pack(new Array(100_000).fill(0))) as unknown[]).length, 100_000);
  });
});

describe('unpackWithin: a decode with a time budget', () => {
  test('decodes small and large messages like unpack', async () => {
    assert.deepEqual(await unpackWithin(pack({ a: 'b' }), 50), { a: 'b' });
    const big = wideMap(5000);
    assert.deepEqual(await unpackWithin(pack(big), 5000), big);
  });

  test('a message that cannot decode within its budget is abandoned', async () => {
    await assert.rejects(unpackWithin(pack(wideMap(400_000)), 1), DecodeBudgetError);
  });
});

describe('RequestReader: limits on clear requests', () => {
  test('a clear request over max_clear_request_size is "bad load" and never reaches the handler', async () => {
    const r = new RequestReader({ maxRequestSize: 1 << 20, clear: limits, log });
    let calls = 0;
    const handler = (): Promise<unknown> => Promise.resolve(++calls);
    assert.equal(await r.answer(pack({ enc: 'clear', load: { pad: 'x'.repeat(5000) } }), handler, 'p'), 'bad load');
    assert.equal(await r.answer(pack({ enc: 'clear', load: { cmd: 'ping' } }), handler, 'p'), 1);
    // An AES envelope is not clear: up to max_request_size.
    assert.equal(await r.answer(pack({ enc: 'aes', load: randomBytes(100_000) }), handler, 'p'), 2);
    r.close();
  });

  test('clear requests in flight are capped per peer and in total; more are dropped unread, AES ones are not', async () => {
    const r = new RequestReader({ maxRequestSize: 1 << 20, clear: limits, log });
    const held: (() => void)[] = [];
    const handler = (): Promise<unknown> => new Promise((resolve) => held.push(() => resolve('done')));
    const clear = pack({ enc: 'clear', load: { cmd: '_auth' } });
    const a1 = r.answer(clear, handler, 'a');
    const a2 = r.answer(clear, handler, 'a');
    assert.equal(await r.answer(clear, handler, 'a'), NO_REPLY);
    const b1 = r.answer(clear, handler, 'b');
    assert.equal(await r.answer(clear, handler, 'c'), NO_REPLY);
    assert.equal(r.clearRequestsInFlight, 3);
    const aes = r.answer(pack({ enc: 'aes', load: randomBytes(64) }), handler, 'c');
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(held.length, 4);
    for (const release of held) release();
    assert.deepEqual(await Promise.all([a1, a2, b1, aes]), ['done', 'done', 'done', 'done']);
    assert.equal(r.clearRequestsInFlight, 0);
    held.length = 0;
    const again = r.answer(clear, handler, 'a');
    await new Promise((resolve) => setImmediate(resolve));
    held[0]?.();
    assert.equal(await again, 'done');
    r.close();
  });

  test('a clear request that runs over max_decode_time is "bad load"', async () => {
    const r = new RequestReader({
      maxRequestSize: 64 << 20,
      clear: { ...limits, maxSize: 64 << 20, decodeBudgetMs: 1 },
      log,
    });
    const reply = await r.answer(pack({ enc: 'clear', load: wideMap(400_000) }), () => Promise.resolve('x'), 'p');
    assert.equal(reply, 'bad load');
    r.close();
  });

  test('without clear limits (the local socket) a big clear request is read', async () => {
    const r = new RequestReader({ maxRequestSize: 64 << 20, log });
    const reply = await r.answer(pack({ enc: 'clear', load: wideMap(50_000) }), () => Promise.resolve('read'), 'p');
    assert.equal(reply, 'read');
    r.close();
  });
});
