import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import {
  Crypticle,
  DecryptError,
  generateKeyPair,
  loadOrCreateKeyPair,
  pemFingerprint,
  rsaOaepDecrypt,
  rsaOaepEncrypt,
  rsaSign,
  rsaVerify,
  samePublicKey,
  sessionKeyDigest,
  x931Recover,
  x931Sign,
  minionToken,
  minionTokenValid,
  parsePublicKey,
  KeyError,
} from './index.js';

const pair = generateKeyPair(2048);

test('key files: PKCS#1 private at 0400, SPKI public, reused on second load', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tsalt-crypto-'));
  try {
    const a = loadOrCreateKeyPair(dir, 'master');
    assert.match(a.privatePem, /BEGIN RSA PRIVATE KEY/);
    assert.match(a.publicPem, /BEGIN PUBLIC KEY/);
    assert.equal(fs.statSync(path.join(dir, 'master.pem')).mode & 0o777, 0o400);
    const b = loadOrCreateKeyPair(dir, 'master');
    assert.equal(a.publicPem, b.publicPem);
    assert.equal(a.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('fingerprint is sha256 of the DER body in colon hex, as Salt computes it', () => {
  const der = pair.publicKey.export({ type: 'spki', format: 'der' });
  const want = crypto.createHash('sha256').update(der).digest('hex').match(/../g)!.join(':');
  assert.equal(pemFingerprint(pair.publicPem), want);
  assert.equal(pemFingerprint(pair.publicPem, 'md5').split(':').length, 16);
});

test('OAEP round trip and PKCS#1 v1.5 SHA-1 signatures', () => {
  const secret = Buffer.from(Crypticle.generateKeyString());
  assert.deepEqual(rsaOaepDecrypt(pair.privateKey, rsaOaepEncrypt(pair.publicPem, secret)), secret);
  const sig = rsaSign(pair.privatePem, Buffer.from('load'));
  assert.equal(rsaVerify(pair.publicKey, Buffer.from('load'), sig), true);
  assert.equal(rsaVerify(pair.publicKey, Buffer.from('lead'), sig), false);
  assert.equal(rsaVerify(generateKeyPair(1024).publicKey, Buffer.from('load'), sig), false);
});

test('X9.31 signature over the session key digest recovers the digest', () => {
  const key = Crypticle.generateKeyString();
  const digest = sessionKeyDigest(key);
  assert.equal(digest.length, 64);
  const sig = x931Sign(pair.privateKey, digest);
  assert.equal(sig.length, 256);
  assert.deepEqual(x931Recover(pair.publicKey, sig), digest);
  assert.equal(x931Recover(generateKeyPair(2048).publicKey, sig), undefined);
});

test('token: X9.31 private encrypt of "salt", checked with the public key', () => {
  const tok = minionToken(pair.privateKey);
  assert.equal(x931Recover(pair.publicKey, tok)?.toString(), 'salt');
  assert.equal(minionTokenValid(pair.publicKey, tok), true);
  assert.equal(minionTokenValid(generateKeyPair(1024).publicKey, tok), false);
});

test('Crypticle: 76-char key string, IV||CT||MAC layout, tamper detection', () => {
  const ks = Crypticle.generateKeyString();
  assert.equal(ks.length, 76);
  const c = new Crypticle(ks);
  const msg = Buffer.from('pickle::hello world');
  const ct = c.encrypt(msg);
  assert.equal((ct.length - 16 - 32) % 16, 0);
  assert.deepEqual(c.decrypt(ct), msg);
  const bad = Buffer.from(ct);
  bad[20] = (bad[20] ?? 0) ^ 1;
  assert.throws(() => c.decrypt(bad), DecryptError);
  assert.throws(() => new Crypticle(Crypticle.generateKeyString()).decrypt(ct), DecryptError);
  assert.throws(() => c.decrypt(Buffer.from('short')), DecryptError);
});

test('samePublicKey ignores PEM formatting', () => {
  const pkcs1 = pair.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  assert.equal(samePublicKey(pair.publicPem, pkcs1), true);
  assert.equal(samePublicKey(pair.publicPem, generateKeyPair(1024).publicPem), false);
  assert.equal(samePublicKey(pair.publicPem, 'garbage'), false);
});

test('parsePublicKey reads SPKI and PKCS#1 PEMs alike, and refuses damaged ones', () => {
  const spkiDer = (k: crypto.KeyObject): string => k.export({ type: 'spki', format: 'der' }).toString('hex');
  const pkcs1 = pair.publicKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  assert.equal(spkiDer(parsePublicKey(pair.publicPem)), spkiDer(pair.publicKey));
  assert.equal(spkiDer(parsePublicKey(pkcs1)), spkiDer(pair.publicKey));
  // A byte short of what the SPKI's lengths say: the fast path declines, and OpenSSL refuses it too.
  const der = pair.publicKey.export({ type: 'spki', format: 'der' });
  const pem = (b: Buffer): string =>
    `-----BEGIN PUBLIC KEY-----\n${b.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END PUBLIC KEY-----\n`;
  assert.throws(() => parsePublicKey(pem(der.subarray(0, der.length - 1))), KeyError);
  assert.equal(spkiDer(parsePublicKey(pem(der))), spkiDer(pair.publicKey));
  assert.throws(() => parsePublicKey('garbage'), KeyError);
});
