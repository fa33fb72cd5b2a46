import type { KeyObject } from 'node:crypto';
import { errorLine, type Logger } from '@tsalt/core';
import type { KeyStore } from '@tsalt/crypto';
import type { PillarCompiler } from '@tsalt/pillar';
import { parsePillarLoad, sealAes, sealPrivate, type PillarLoad } from '@tsalt/transport';
import type { SessionKeys } from './session.js';
import { tokenValid } from './minion-token.js';

/** Where the master's minion data cache takes what a `_pillar` request teaches it (libs/cache). */
export interface MinionDataSink {
  storeGrains(id: string, grains: Record<string, unknown>): void | Promise<void>;
  storePillar(id: string, pillar: Record<string, unknown>): void | Promise<void>;
}

export interface PillarDeps {
  keys: KeyStore;
  session: SessionKeys;
  masterPrivate: KeyObject;
  log: Logger;
  /** Compiles a minion's pillar from pillar_roots. */
  pillar: PillarCompiler;
  /** The minion data cache: the grains sent and the pillar compiled for each minion. */
  minionData?: MinionDataSink;
}

/**
 * Salt's AESFuncs `_pillar`: the minion's pillar, compiled from its grains,
 * answered in Salt's `send_private` form, under a one-off key encrypted to
 * that minion's accepted key, so no other minion (all share the session key)
 * can read it. A salt-minion sends this first after signing in and cannot
 * finish starting without an answer.
 */
export async function servePillar(
  load: Record<string, unknown>,
  id: string,
  nonce: string | undefined,
  d: PillarDeps,
): Promise<unknown> {
  const req = parsePillarLoad(load, id);
  if (req.overrideIgnored) d.log.error({ minion: id }, '_pillar: pillar_override must be a dictionary; ignored');
  // A tok is optional here (Salt 3006.8 sends none), but a wrong one is an impostor.
  if (req.tok !== undefined && !tokenValid(d.keys, id, req.tok)) {
    d.log.warn({ minion: id }, 'refused _pillar: token invalid');
    return sealAes(d.session.aes, false, nonce);
  }
  const key = d.keys.acceptedKey(id);
  // Salt's wording for a minion whose key the master does not hold.
  if (!key) return { error: 'AES key not found' };
  if (nonce === undefined) return { error: 'Nonce not included in request' };
  // Salt answers a load without grains with False, which send_private turns into {}.
  const value = req.grains ? await compileAndStore(req, req.grains, d) : false;
  return sealPrivate({ minionPub: key.key, masterPrivate: d.masterPrivate, dictKey: 'pillar', value, nonce });
}

async function compileAndStore(
  req: PillarLoad,
  sent: Record<string, unknown>,
  d: PillarDeps,
): Promise<Record<string, unknown>> {
  const grains = { ...sent, id: req.id };
  let pillar: Record<string, unknown>;
  try {
    pillar = await d.pillar.compile({
      id: req.id,
      grains,
      saltenv: req.saltenv,
      pillarenv: req.pillarenv,
      pillarOverride: req.pillarOverride,
    });
  } catch (err) {
    // The compiler reports broken SLS files in _errors; reaching here is a bug, and still not the master's end.
    d.log.error({ minion: req.id, err: errorLine(err) }, 'pillar compilation failed');
    pillar = { _errors: ['Pillar compilation failed. Please see master log for details.'] };
  }
  if (d.minionData) {
    await store(() => d.minionData?.storeGrains(req.id, grains), 'grains', req.id, d.log);
    await store(() => d.minionData?.storePillar(req.id, pillar), 'pillar', req.id, d.log);
  }
  return pillar;
}

/** One call into the cache; its failure is logged, never the minion's problem. */
async function store(fn: () => void | Promise<void>, what: string, id: string, log: Logger): Promise<void> {
  try {
    await fn();
  } catch (err) {
    log.warn({ minion: id, err: errorLine(err) }, `minion data cache: storing ${what} failed`);
  }
}
