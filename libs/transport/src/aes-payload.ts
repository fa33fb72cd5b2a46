import type { Crypticle } from '@tsalt/crypto';
import { DecryptError } from '@tsalt/crypto';
import { pack, unpack } from './serialize.js';

/** Salt's plaintext marker inside every AES payload. */
const PREFIX = Buffer.from('pickle::');
/** Request nonces are uuid4 hex: 32 characters. */
export const NONCE_LENGTH = 32;

/** `pickle::` [+ nonce] + msgpack(value), then Crypticle. */
export function sealAes(aes: Crypticle, value: unknown, nonce?: string): Buffer {
  const parts: Buffer[] = [PREFIX];
  if (nonce !== undefined) parts.push(Buffer.from(nonce, 'ascii'));
  parts.push(pack(value));
  return aes.encrypt(Buffer.concat(parts));
}

/**
 * Decrypts and checks the prefix (and the nonce, when one is expected).
 * Throws DecryptError when the key is wrong or the nonce does not match.
 */
export function openAes(aes: Crypticle, data: Uint8Array, nonce?: string): unknown {
  const plain = aes.decrypt(data);
  if (!plain.subarray(0, PREFIX.length).equals(PREFIX)) return {};
  let body = plain.subarray(PREFIX.length);
  if (nonce !== undefined) {
    const got = body.subarray(0, NONCE_LENGTH).toString('ascii');
    if (got !== nonce) throw new DecryptError('reply nonce does not match the request');
    body = body.subarray(NONCE_LENGTH);
  }
  return unpack(body);
}
