import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Crypticle, generateKeyPair, rsaSign } from '@tsalt/crypto';
import {
  acceptedInner,
  asBytes,
  BadMessageError,
  decodeEnvelope,
  newNonce,
  openPrivate,
  pack,
  parseAuthReply,
  sealPrivate,
  signAuthReply,
  unpack,
} from './index.js';

/** msgpack as Salt packs it (use_bin_type=False): bytes go out as str, whatever they hold. */
function saltStr(bytes: Uint8Array): Buffer {
  const n = bytes.length;
  const head =
    n < 32 ? Buffer.from([0xa0 | n]) : n < 256 ? Buffer.from([0xd9, n]) : Buffer.from([0xda, n >> 8, n & 0xff]);
  return Buffer.concat([head, bytes]);
}

function saltMap(entries: [string, Buffer][]): Buffer {
  const parts: Buffer[] = [Buffer.from([0x80 | entries.length])];
  for (const [k, v] of entries) parts.push(saltStr(Buffer.from(k)), v);
  return Buffer.concat(parts);
}

const BINARY = Buffer.from([0xc3, 0x28, 0xff, 0x00, 0x80, 0xfe]); // not UTF-8

test('str that is not UTF-8 arrives as bytes, unchanged; UTF-8 str as text', () => {
  const v = unpack(
    saltMap([
      ['sig', saltStr(BINARY)],
      ['id', saltStr(Buffer.from('mïnion'))],
    ]),
  ) as Record<string, unknown>;
  assert.ok(v['sig'] instanceof Uint8Array);
  assert.deepEqual(Buffer.from(v['sig']), BINARY);
  assert.equal(v['id'], 'mïnion');
});

test('bin is read by the same rule as str, as Salt reads it', () => {
  const v = unpack(pack({ a: Buffer.from('text'), b: BINARY, c: [Buffer.from('x'), { d: BINARY }] })) as Record<
    string,
    unknown
  >;
  assert.equal(v['a'], 'text');
  assert.ok(v['b'] instanceof Uint8Array);
  const c = v['c'] as unknown[];
  assert.equal(c[0], 'x');
  assert.ok((c[1] as Record<string, unknown>)['d'] instanceof Uint8Array, 'nested values too');
});

test('asBytes gives the original bytes back from either form', () => {
  const utf8Bytes = Buffer.from('ünïcode €', 'utf8');
  const v = unpack(
    saltMap([
      ['t', saltStr(utf8Bytes)],
      ['b', saltStr(BINARY)],
    ]),
  ) as Record<string, unknown>;
  assert.equal(typeof v['t'], 'string');
  assert.deepEqual(asBytes(v['t']), utf8Bytes);
  assert.deepEqual(asBytes(v['b']), BINARY);
  assert.equal(asBytes(42), undefined);
});

test("decodeEnvelope takes Salt's str sig and load, and refuses a sig of another type", () => {
  const env = decodeEnvelope(
    saltMap([
      ['enc', saltStr(Buffer.from('aes'))],
      ['load', saltStr(BINARY)],
      ['sig', saltStr(BINARY)],
    ]),
  );
  assert.equal(env.enc, 'aes');
  assert.deepEqual(asBytes(env.sig), BINARY);
  assert.throws(() => decodeEnvelope(pack({ enc: 'aes', load: 'x', sig: 5 })), BadMessageError);
});

test('garbage and absurd nesting are a BadMessageError, not a crash', () => {
  assert.throws(() => unpack(Buffer.from([0xc1])), BadMessageError);
  // 600 one-element arrays around nil, as a hostile peer could send.
  const deep = Buffer.concat([Buffer.alloc(600, 0x91), Buffer.from([0xc0])]);
  assert.throws(() => unpack(deep), /nested deeper/);
});

const master = generateKeyPair(2048);
const minion = generateKeyPair(2048);

test("the auth reply in Salt's wire form (str fields, nested msgpack load) parses", () => {
  const nonce = newNonce();
  const sessionKey = Crypticle.generateKeyString();
  const inner = acceptedInner({
    masterPrivate: master.privateKey,
    masterPubPem: master.publicPem,
    minionPub: minion.publicKey,
    sessionKey,
    publishPort: 4505,
    nonce,
  });
  assert.equal(inner['pub_key'], master.publicPem.trim(), "pub_key in Salt's clean_key form");
  // Re-pack everything as Salt would: every bytes value as str.
  const load = pack(inner);
  const saltReply = saltMap([
    ['enc', saltStr(Buffer.from('clear'))],
    ['load', saltStr(load)],
    ['sig', saltStr(rsaSign(master.privateKey, load))],
  ]);
  const out = parseAuthReply(unpack(saltReply), { minionPrivate: minion.privateKey, nonce });
  assert.equal(out.kind, 'accepted');
  if (out.kind === 'accepted') {
    assert.equal(out.sessionKey, sessionKey);
    assert.deepEqual(out.features, ['presence'], 'a tsalt-master says what it understands');
  }
});

test("a pending reply is Salt's {ret, nonce}; a reply without tsalt features is a Salt master", () => {
  const nonce = newNonce();
  const pending = signAuthReply(master.privateKey, { ret: true, nonce });
  assert.deepEqual(unpack(asBytes(pending['load']) ?? Buffer.alloc(0)), { ret: true, nonce }, 'ret at the top');
  assert.equal(parseAuthReply(unpack(pack(pending)), { minionPrivate: minion.privateKey, nonce }).kind, 'pending');
  const rejected = signAuthReply(master.privateKey, { ret: false, nonce });
  assert.deepEqual(parseAuthReply(unpack(pack(rejected)), { minionPrivate: minion.privateKey, nonce }), {
    kind: 'rejected',
  });
  // A tsalt-master's refusal of an id says why; the minion shows it (cut to 200 characters).
  const why = signAuthReply(master.privateKey, { ret: false, nonce, reason: 'minion id is longer than 234 bytes' });
  assert.deepEqual(parseAuthReply(unpack(pack(why)), { minionPrivate: minion.privateKey, nonce }), {
    kind: 'rejected',
    reason: 'minion id is longer than 234 bytes',
  });
  const inner = acceptedInner({
    masterPrivate: master.privateKey,
    masterPubPem: master.publicPem,
    minionPub: minion.publicKey,
    sessionKey: Crypticle.generateKeyString(),
    publishPort: 4505,
    nonce,
  });
  delete inner['tsalt'];
  const out = parseAuthReply(unpack(pack(signAuthReply(master.privateKey, inner))), {
    minionPrivate: minion.privateKey,
    nonce,
  });
  assert.ok(out.kind === 'accepted' && out.features.length === 0);
});

test("send_private: only the minion's key opens it, the nonce and the key echo are checked", () => {
  const nonce = newNonce();
  const reply = unpack(
    pack(
      sealPrivate({
        minionPub: minion.publicKey,
        masterPrivate: master.privateKey,
        dictKey: 'pillar',
        value: { a: 1 },
        nonce,
      }),
    ),
  );
  const p = { minionPrivate: minion.privateKey, masterPub: master.publicKey, dictKey: 'pillar', nonce };
  assert.deepEqual(openPrivate(reply, p), { a: 1 });
  assert.throws(() => openPrivate(reply, { ...p, nonce: newNonce() }), /nonce/);
  assert.throws(() => openPrivate(reply, { ...p, masterPub: minion.publicKey }), /signature/);
  assert.throws(() => openPrivate(reply, { ...p, minionPrivate: generateKeyPair(2048).privateKey }));
  const falsy = sealPrivate({
    minionPub: minion.publicKey,
    masterPrivate: master.privateKey,
    dictKey: 'pillar',
    value: false,
    nonce,
  });
  assert.deepEqual(openPrivate(unpack(pack(falsy)), p), {}, 'Salt sends {} for False');
});
