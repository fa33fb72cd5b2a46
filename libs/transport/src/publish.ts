import type { KeyObject } from 'node:crypto';
import { type Crypticle, rsaSign, rsaVerify, DecryptError } from '@tsalt/crypto';
import { openAes, sealAes } from './aes-payload.js';
import { BadMessageError } from './errors.js';
import { isRecord } from '@tsalt/core';
import { asBytes, decodeEnvelope, pack } from './serialize.js';

/** Master: `{enc: aes, load: aes(load), sig: RSA(master, encrypted load)}`, one frame. */
export function sealPublish(
  aes: Crypticle,
  masterPrivate: KeyObject | undefined,
  load: Record<string, unknown>,
): Buffer {
  const ct = sealAes(aes, load);
  const env: Record<string, unknown> = { enc: 'aes', load: ct };
  if (masterPrivate) env['sig'] = rsaSign(masterPrivate, ct);
  return pack(env);
}

/**
 * Minion: checks the signature (when `masterPub` is given) and decrypts.
 * Throws BadMessageError for garbage or a bad signature, DecryptError when
 * the session key is not ours (the master rotated it).
 */
export function openPublish(data: Uint8Array, aes: Crypticle, masterPub?: KeyObject): Record<string, unknown> {
  const env = decodeEnvelope(data);
  if (env.enc !== 'aes') throw new BadMessageError(`publish with enc ${env.enc}`);
  const ct = asBytes(env.load);
  if (!ct) throw new BadMessageError('publish load is not bytes');
  if (masterPub) {
    const sig = asBytes(env.sig);
    if (!sig || !rsaVerify(masterPub, ct, sig)) throw new BadMessageError('publish signature does not verify');
  }
  const load = openAes(aes, ct);
  if (!isRecord(load)) throw new DecryptError('publish load is not a map');
  return load;
}
