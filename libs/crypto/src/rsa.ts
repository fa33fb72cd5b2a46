import crypto, { type KeyObject } from 'node:crypto';

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

function asKey(key: Key, kind: 'private' | 'public'): KeyObject {
  if (typeof key !== 'string') return key;
  return kind === 'private' ? crypto.createPrivateKey(key) : crypto.createPublicKey(key);
}
