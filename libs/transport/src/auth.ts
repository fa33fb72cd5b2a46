import crypto, { type KeyObject } from 'node:crypto';
import {
  rsaOaepDecrypt,
  rsaOaepEncrypt,
  rsaSign,
  rsaVerify,
  sessionKeyDigest,
  x931Recover,
  x931Sign,
  parsePublicKey,
  samePublicKey,
  cleanKey,
} from '@tsalt/crypto';
import { BadMessageError, MasterKeyChangedError } from './errors.js';
import { isRecord } from '@tsalt/core';
import { asBytes, pack, unpack } from './serialize.js';

/** The clear `_auth` load a minion sends (Salt's `minion_sign_in_payload`). */
export interface AuthRequest {
  cmd: '_auth';
  id: string;
  pub: string;
  nonce: string;
  /** Random token, OAEP-encrypted to the pinned master key; echoed back to prove the master holds that key. */
  token?: Uint8Array;
  [key: string]: unknown;
}

/**
 * Master keys seen in auth replies, parsed once: a swarm process signs in
 * thousands of minions against one master key. Bounded, as a master could
 * offer a new key on every reply.
 */
const masterKeys = new Map<string, KeyObject>();
const MASTER_KEYS_MAX = 16;

/** parsePublicKey for a master key, remembered by its PEM text. */
export function parseMasterKey(pem: string): KeyObject {
  let key = masterKeys.get(pem);
  if (!key) {
    key = parsePublicKey(pem);
    if (masterKeys.size >= MASTER_KEYS_MAX) masterKeys.clear();
    masterKeys.set(pem, key);
  }
  return key;
}

/**
 * What a tsalt-master adds to its accepted auth reply, under `tsalt`: the
 * requests beyond Salt's that it understands. A Salt minion ignores the key;
 * a tsalt-minion sends those requests only to a master that lists them.
 */
export const TSALT_FEATURES: readonly string[] = ['presence'];

/** What the minion learns from an auth reply. */
export type AuthOutcome =
  | {
      kind: 'accepted';
      sessionKey: string;
      masterPub: string;
      publishPort: number;
      /** TSALT_FEATURES of a tsalt-master; empty for a Salt master. */
      features: string[];
    }
  | { kind: 'pending' }
  /** `reason`: why, when the master said (a tsalt-master refusing an id it cannot store). */
  | { kind: 'rejected'; reason?: string }
  | { kind: 'full' };

export function newNonce(): string {
  return crypto.randomBytes(16).toString('hex');
}

export function buildAuthRequest(
  id: string,
  pubPem: string,
  nonce: string,
  pinnedMasterPub?: KeyObject,
  token?: Buffer,
): AuthRequest {
  const load: AuthRequest = { cmd: '_auth', id, pub: pubPem, nonce };
  if (pinnedMasterPub && token) load.token = rsaOaepEncrypt(pinnedMasterPub, token);
  return load;
}

/** Master side: wraps an inner reply as Salt ≥3004.1 does, `{enc: clear, load: msgpack(inner), sig}`. */
export function signAuthReply(masterPrivate: KeyObject, inner: Record<string, unknown>): Record<string, unknown> {
  const load = pack(inner);
  return { enc: 'clear', load, sig: rsaSign(masterPrivate, load) };
}

export interface AcceptedReplyParams {
  masterPrivate: KeyObject;
  masterPubPem: string;
  minionPub: KeyObject;
  sessionKey: string;
  publishPort: number;
  nonce: string;
  /** The minion's token ciphertext from the request, if it sent one. */
  token?: Uint8Array;
  /** x931Sign(masterPrivate, sessionKeyDigest(sessionKey)), when the caller keeps it per session key. */
  sessionKeySig?: Buffer;
}

/** The inner reply that hands an accepted minion the session key. */
export function acceptedInner(p: AcceptedReplyParams): Record<string, unknown> {
  const inner: Record<string, unknown> = {
    enc: 'pub',
    // Salt's clean_key form: a re-authenticating salt-minion compares it, as text, with its pinned copy.
    pub_key: cleanKey(p.masterPubPem),
    publish_port: p.publishPort,
    aes: rsaOaepEncrypt(p.minionPub, Buffer.from(p.sessionKey, 'ascii')),
    sig: p.sessionKeySig ?? x931Sign(p.masterPrivate, sessionKeyDigest(p.sessionKey)),
    nonce: p.nonce,
    tsalt: TSALT_FEATURES,
  };
  if (p.token) {
    try {
      inner['token'] = rsaOaepEncrypt(p.minionPub, rsaOaepDecrypt(p.masterPrivate, p.token));
    } catch {
      // A token made for another master key: leave it out; the minion then refuses us.
    }
  }
  return inner;
}

export interface ParseAuthParams {
  minionPrivate: KeyObject;
  nonce: string;
  /** The master key pinned in `minion_master.pub`, when there is one. */
  pinnedMasterPub?: KeyObject;
  /** The plain token the minion sent, to check the echo. */
  token?: Buffer;
}

/**
 * Minion side: checks the outer signature, the nonce, the session key's
 * X9.31 signature and the token echo, and decrypts the session key. Throws
 * BadMessageError with a one-line reason for anything that does not check out.
 */
export function parseAuthReply(reply: unknown, p: ParseAuthParams): AuthOutcome {
  if (reply === 'bad load') throw new BadMessageError('master answered "bad load" to the auth request');
  if (!isRecord(reply)) throw new BadMessageError('auth reply is not a map');
  const loadBytes = asBytes(reply['load']);
  const sig = asBytes(reply['sig']);
  if (!loadBytes || !sig) throw new BadMessageError('auth reply is not signed');
  const inner = unpack(loadBytes);
  if (!isRecord(inner)) throw new BadMessageError('auth reply load is not a map');
  if (inner['nonce'] !== p.nonce) throw new BadMessageError('auth reply nonce does not match');
  const pubPem = typeof inner['pub_key'] === 'string' ? inner['pub_key'] : undefined;
  // The reply is checked against the key it carries; a pinned minion then
  // refuses any key other than the pinned one (TOFU), with Salt's message.
  const offered = pubPem ? parseMasterKey(pubPem) : undefined;
  const verifyKey = offered ?? p.pinnedMasterPub;
  if (verifyKey && !rsaVerify(verifyKey, loadBytes, sig))
    throw new BadMessageError('auth reply signature does not verify with the master key');
  if (pubPem && p.pinnedMasterPub && !samePublicKey(p.pinnedMasterPub, pubPem)) throw new MasterKeyChangedError();
  if (inner['enc'] !== 'pub') {
    const ret = isRecord(inner['load']) ? inner['load']['ret'] : inner['ret'];
    if (ret === 'full') return { kind: 'full' };
    if (ret === true) return { kind: 'pending' };
    const reason = inner['reason'];
    return typeof reason === 'string' && reason
      ? { kind: 'rejected', reason: reason.slice(0, 200) }
      : { kind: 'rejected' };
  }
  if (!pubPem || !offered) throw new BadMessageError('auth reply has no master key');
  const aes = asBytes(inner['aes']);
  const aesSig = asBytes(inner['sig']);
  if (!aes || !aesSig) throw new BadMessageError('auth reply has no session key');
  const sessionKey = rsaOaepDecrypt(p.minionPrivate, aes).toString('ascii');
  const digest = x931Recover(offered, aesSig);
  if (!digest || !digest.equals(sessionKeyDigest(sessionKey)))
    throw new BadMessageError('session key signature does not verify');
  if (p.token) {
    const echo = asBytes(inner['token']);
    if (!echo || !rsaOaepDecrypt(p.minionPrivate, echo).equals(p.token))
      throw new BadMessageError('master did not echo our token: it does not hold the pinned key');
  }
  const port = inner['publish_port'];
  const features = Array.isArray(inner['tsalt']) ? inner['tsalt'].filter((f) => typeof f === 'string') : [];
  return {
    kind: 'accepted',
    sessionKey,
    masterPub: pubPem,
    publishPort: typeof port === 'number' ? port : 4505,
    features,
  };
}
