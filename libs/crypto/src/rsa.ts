import crypto, { type KeyObject } from 'node:crypto';
import { SignatureError } from './errors.js';

type Key = KeyObject | string;

/** RSA-OAEP with SHA-1, Salt's default `enc_algo`, for the session key and the token. */
export function rsaOaepEncrypt(publicKey: Key, data: Uint8Array): Buffer {
  return crypto.publicEncrypt(
    { key: publicKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
    data,
  );
}

export function rsaOaepDecrypt(privateKey: Key, data: Uint8Array): Buffer {
  return crypto.privateDecrypt(
    { key: privateKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha1' },
    data,
  );
}

/** RSA PKCS#1 v1.5 with SHA-1, Salt's default `sig_algo`, for auth replies and publishes. */
export function rsaSign(privateKey: Key, data: Uint8Array): Buffer {
  return crypto.sign('sha1', data, { key: asKey(privateKey, 'private'), padding: crypto.constants.RSA_PKCS1_PADDING });
}

export function rsaVerify(publicKey: Key, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    return crypto.verify(
      'sha1',
      data,
      { key: asKey(publicKey, 'public'), padding: crypto.constants.RSA_PKCS1_PADDING },
      signature,
    );
  } catch {
    return false;
  }
}

function modulusBytes(key: KeyObject): number {
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 2048;
  return Math.ceil(bits / 8);
}

function asKey(key: Key, kind: 'private' | 'public'): KeyObject {
  if (typeof key !== 'string') return key;
  return kind === 'private' ? crypto.createPrivateKey(key) : crypto.createPublicKey(key);
}

/**
 * OpenSSL's RSA_private_encrypt with X9.31 padding, which Salt uses for the
 * `sig` over the session key digest: 0x6B, 0xBB.., 0xBA, message, 0xCC,
 * then raw RSA. OpenSSL 3 no longer offers the padding mode, so we pad here.
 */
export function x931Sign(privateKey: Key, message: Uint8Array): Buffer {
  const key = asKey(privateKey, 'private');
  const k = modulusBytes(key);
  const padLen = k - message.length - 1;
  if (padLen < 2) throw new SignatureError('message too long for X9.31 signature');
  const block = Buffer.alloc(k);
  block[0] = padLen === 2 ? 0x6a : 0x6b;
  if (padLen > 2) block.fill(0xbb, 1, padLen - 1);
  block[padLen - 1] = 0xba;
  Buffer.from(message).copy(block, padLen);
  block[k - 1] = 0xcc;
  return crypto.privateEncrypt({ key, padding: crypto.constants.RSA_NO_PADDING }, block);
}

/** Reverses x931Sign with the public key; returns the message, or undefined if the padding is wrong. */
export function x931Recover(publicKey: Key, signature: Uint8Array): Buffer | undefined {
  try {
    const block = crypto.publicDecrypt(
      { key: asKey(publicKey, 'public'), padding: crypto.constants.RSA_NO_PADDING },
      signature,
    );
    const first = block[0];
    if (block[block.length - 1] !== 0xcc) return undefined;
    if (first === 0x6a) return block[1] === 0xba ? block.subarray(2, block.length - 1) : undefined;
    if (first !== 0x6b) return undefined;
    let i = 1;
    while (i < block.length && block[i] === 0xbb) i++;
    if (block[i] !== 0xba) return undefined;
    return block.subarray(i + 1, block.length - 1);
  } catch {
    return undefined;
  }
}

/** Salt's `gen_token`: RSA private-encrypt (PKCS#1 v1.5) of a short string. */
export function privateEncrypt(privateKey: Key, data: Uint8Array): Buffer {
  return crypto.privateEncrypt({ key: privateKey, padding: crypto.constants.RSA_PKCS1_PADDING }, data);
}

/** The master's check of a minion token; undefined when the key did not make it. */
export function publicDecrypt(publicKey: Key, data: Uint8Array): Buffer | undefined {
  try {
    return crypto.publicDecrypt({ key: publicKey, padding: crypto.constants.RSA_PKCS1_PADDING }, data);
  } catch {
    return undefined;
  }
}
