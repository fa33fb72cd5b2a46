import type { KeyObject } from 'node:crypto';
import { Crypticle, rsaOaepDecrypt, rsaOaepEncrypt, rsaSign, rsaVerify } from '@tsalt/crypto';
import { BadMessageError } from './errors.js';
import { openAes, sealAes } from './aes-payload.js';
import { isRecord } from '@tsalt/core';
import { asBytes, pack, unpack } from './serialize.js';

export interface PrivateReplyParams {
  /** The requesting minion's accepted key: only its holder can read the reply. */
  minionPub: KeyObject;
  masterPrivate: KeyObject;
  /** Where the value goes in the reply: Salt uses `pillar` for `_pillar`. */
  dictKey: string;
  value: unknown;
  /** The request's nonce, bound into the signed part so the reply cannot be replayed to another request. */
  nonce: string;
}

/**
 * Salt's `send_private` reply (the server's `_encrypt_private` with signed
 * messages): a clear map `{key: RSA-OAEP(minion, k), <dictKey>: aes_k(
 * {data: msgpack({key, <dictKey>: value, nonce}), sig: RSA-SHA1(master, data)})}`
 * under a one-off session key k, so no other minion holding the shared
 * session key can read it. Salt sends `{}` for a False value.
 */
export function sealPrivate(p: PrivateReplyParams): Record<string, unknown> {
  const oneOff = new Crypticle(Crypticle.generateKeyString());
  const key = rsaOaepEncrypt(p.minionPub, Buffer.from(oneOff.keyString, 'ascii'));
  const data = pack({ key, [p.dictKey]: p.value === false ? {} : p.value, nonce: p.nonce });
  const signed = { data, sig: rsaSign(p.masterPrivate, data) };
  return { key, [p.dictKey]: sealAes(oneOff, signed) };
}

export interface OpenPrivateParams {
  minionPrivate: KeyObject;
  masterPub: KeyObject;
  dictKey: string;
  nonce: string;
}

/**
 * The minion's side (Salt's `crypted_transfer_decode_dictentry`): checks the
 * master's signature, the key echo and the nonce. Throws BadMessageError.
 */
export function openPrivate(reply: unknown, p: OpenPrivateParams): unknown {
  if (!isRecord(reply)) throw new BadMessageError('private reply is not a map');
  const key = asBytes(reply['key']);
  const sealed = asBytes(reply[p.dictKey]);
  if (!key || !sealed) throw new BadMessageError(`private reply has no key or ${p.dictKey}`);
  const oneOff = new Crypticle(rsaOaepDecrypt(p.minionPrivate, key).toString('ascii'));
  const signed = openAes(oneOff, sealed);
  if (!isRecord(signed)) throw new BadMessageError('private reply payload is not a map');
  const data = asBytes(signed['data']);
  const sig = asBytes(signed['sig']);
  if (!data || !sig || !rsaVerify(p.masterPub, data, sig))
    throw new BadMessageError('private reply signature does not verify with the master key');
  const inner = unpack(data);
  if (!isRecord(inner)) throw new BadMessageError('private reply data is not a map');
  const echo = asBytes(inner['key']);
  if (!echo?.equals(key)) throw new BadMessageError('private reply key does not match the signed key');
  if (inner['nonce'] !== p.nonce) throw new BadMessageError('private reply nonce does not match the request');
  return inner[p.dictKey];
}
