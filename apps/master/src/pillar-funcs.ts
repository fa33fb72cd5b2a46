import type { KeyObject } from 'node:crypto';
import { isRecord, type Logger } from '@tsalt/core';
import type { KeyStore } from '@tsalt/crypto';
import { sealAes, sealPrivate } from '@tsalt/transport';
import type { SessionKeys } from './session.js';
import { tokenValid } from './minion-token.js';

export interface PillarDeps {
  keys: KeyStore;
  session: SessionKeys;
  masterPrivate: KeyObject;
  log: Logger;
  /** Salt's `_pillar` stores the minion's grains in the minion data cache. */
  minionData?: { storeGrains(id: string, grains: Record<string, unknown>): Promise<void> | void };
}

/**
 * Salt's AESFuncs `_pillar`, the first request a salt-minion sends after
 * signing in: it cannot finish starting without an answer. Answered in
 * Salt's `send_private` form, under a one-off key encrypted to that
 * minion's accepted key. The pillar is empty until pillar compilation lands.
 */
export function servePillar(
  load: Record<string, unknown>,
  id: string,
  nonce: string | undefined,
  d: PillarDeps,
): unknown {
  // A tok is optional here (Salt 3006.8 sends none), but a wrong one is an impostor.
  if (load['tok'] !== undefined && !tokenValid(d.keys, id, load['tok'])) {
    d.log.warn({ minion: id }, 'refused _pillar: token invalid');
    return sealAes(d.session.aes, false, nonce);
  }
  const key = d.keys.acceptedKey(id);
  // Salt's wording for a minion whose key the master does not hold.
  if (!key) return { error: 'AES key not found' };
  if (nonce === undefined) return { error: 'Nonce not included in request' };
  // Salt answers a load without grains with False, which send_private turns into {}.
  const pillar: Record<string, unknown> = {};
  const grains = load['grains'];
  // Never rejects (the cache logs its own failures); the reply does not wait for the disk.
  if (isRecord(grains)) void d.minionData?.storeGrains(id, grains);
  const value = isRecord(load['grains']) ? pillar : false;
  return sealPrivate({ minionPub: key.key, masterPrivate: d.masterPrivate, dictKey: 'pillar', value, nonce });
}
