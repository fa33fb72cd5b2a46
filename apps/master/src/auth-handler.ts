import fs from 'node:fs';
import type { KeyObject } from 'node:crypto';
import type { Logger, LogThrottle } from '@tsalt/core';
import { errorLine, fnmatch, peerText } from '@tsalt/core';
import { type KeyStore, parsePublicKey } from '@tsalt/crypto';
import {
  acceptedInner,
  BadMessageError,
  NO_REPLY,
  parseAuthLoad,
  parseNonce,
  signAuthReply,
  type AuthLoad,
} from '@tsalt/transport';
import type { MasterConfig } from '@tsalt/config';
import type { SessionKeys } from './session.js';

export interface AuthDeps {
  opts: MasterConfig;
  keys: KeyStore;
  session: SessionKeys;
  masterPrivate: KeyObject;
  masterPubPem: string;
  log: Logger;
  /** Lines any peer can cause (a refused sign-in), a few per 10 s; `log` when absent. */
  peerLog?: LogThrottle;
  /** Whether a refusal may be signed now (each costs an RSA signature); always when absent. */
  refusals?: { take(): boolean };
  fire(tag: string, data: Record<string, unknown>): void;
}

/** How much of a refused minion id a log line shows, UTF-16 units: enough to recognise it. */
const ID_LOGGED_CHARS = 80;

type Act = 'accept' | 'pend' | 'reject' | 'denied' | 'full' | 'error';

/** Lines of an autosign/autoreject file: globs, or regexes when they compile and the glob does not match. */
function listedIn(file: string | undefined, id: string): boolean {
  if (!file) return false;
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    if (fnmatch(id, line)) return true;
    try {
      if (new RegExp(`^(?:${line})$`).test(id)) return true;
    } catch {
      // Not a regex: the glob test above was the whole check.
    }
  }
  return false;
}

/** The signed reply Salt's minion reads: `{ret, nonce, ...extra}` under the master's signature. */
function signedReply(
  d: AuthDeps,
  nonce: string,
  act: Act,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const ret = act === 'full' ? 'full' : act === 'pend';
  // Salt's `_clear_signed({ret, nonce})`: a salt-minion reads `ret` at the top of the inner load.
  return signAuthReply(d.masterPrivate, { ret, nonce, ...extra });
}

/**
 * The edge of `_auth`: its typed load, or the signed refusal to send at once
 * (a bad id or no public key; no key state is touched, no event fired), or
 * NO_REPLY when refusals come faster than `d.refusals` allows signing them.
 */
export function parseAuthOrRefuse(
  load: Record<string, unknown>,
  d: AuthDeps,
): { req: AuthLoad; refusal?: undefined } | { req?: undefined; refusal: Record<string, unknown> | typeof NO_REPLY } {
  try {
    return { req: parseAuthLoad(load) };
  } catch (err) {
    if (!(err instanceof BadMessageError)) throw err;
    const what = err.field === 'pub' ? 'no public key' : 'bad minion id';
    // The id is the peer's: only its start is logged (an id can be megabytes).
    const id = typeof load['id'] === 'string' ? { minion: peerText(load['id'], ID_LOGGED_CHARS) } : {};
    (d.peerLog ?? d.log).warn({ ...id, field: err.field, reason: err.message }, `refused authentication: ${what}`);
    if (d.refusals && !d.refusals.take()) return { refusal: NO_REPLY };
    return { refusal: signedReply(d, parseNonce(load) ?? '', 'error', { reason: err.message }) };
  }
}

/** `handleAuthRequest` for a raw load: the refusal, or the decision. */
export function handleAuth(load: Record<string, unknown>, d: AuthDeps): Record<string, unknown> | typeof NO_REPLY {
  const { req, refusal } = parseAuthOrRefuse(load, d);
  return req ? handleAuthRequest(req, d) : refusal;
}

/**
 * Salt's `ReqServerChannel._auth`: decides the key state of a minion and,
 * only for an accepted key, hands out the session key. Every decision fires
 * `salt/auth` (when `auth_events`).
 */
export function handleAuthRequest(req: AuthLoad, d: AuthDeps): Record<string, unknown> {
  const { id, pub, nonce } = req;
  const reply = (act: Act, extra: Record<string, unknown> = {}): Record<string, unknown> => {
    const result = act === 'accept' || act === 'pend';
    if (d.opts.auth_events && act !== 'error') d.fire('salt/auth', { result, act, id, pub });
    return signedReply(d, nonce, act, extra);
  };
  const { keys, opts } = d;
  // A minion signing in again with the key we hold: no file read, no parse.
  const known = keys.acceptedKey(id);
  let minionKey: KeyObject;
  try {
    minionKey = known && known.pem === pub ? known.key : parsePublicKey(pub);
  } catch (err) {
    (d.peerLog ?? d.log).warn({ minion: id, err: errorLine(err) }, 'refused authentication: bad public key');
    return reply('error', { reason: 'public key does not parse' });
  }
  const accepted = known?.pem ?? keys.read('accepted', id);
  const accept = (): Record<string, unknown> => {
    keys.rememberAccepted(id, pub, minionKey);
    if (opts.auth_events) d.fire('salt/auth', { result: true, act: 'accept', id, pub });
    const inner = acceptedInner({
      masterPrivate: d.masterPrivate,
      masterPubPem: d.masterPubPem,
      minionPub: minionKey,
      sessionKey: d.session.aes.keyString,
      sessionKeySig: d.session.keySignature(d.masterPrivate),
      publishPort: opts.publish_port,
      nonce,
      ...(req.token ? { token: req.token } : {}),
    });
    return signAuthReply(d.masterPrivate, inner);
  };

  if (opts.open_mode) {
    if (!accepted || !keys.sameKey(accepted, pub)) keys.write('accepted', id, pub);
    return accept();
  }
  if (opts.max_minions > 0 && !accepted && keys.ids('accepted').length >= opts.max_minions) {
    d.log.info({ minion: id }, 'refused authentication: max_minions reached');
    return reply('full');
  }
  if (keys.read('rejected', id) !== undefined) {
    d.log.info({ minion: id }, 'public key is rejected');
    return reply('reject');
  }
  if (accepted !== undefined) {
    if (keys.sameKey(accepted, pub)) return accept();
    keys.write('denied', id, pub);
    d.log.warn({ minion: id }, 'a different key was offered for an accepted minion id; written to minions_denied');
    return reply('denied');
  }
  if (listedIn(opts.autoreject_file, id)) {
    keys.remove('pending', id);
    keys.write('rejected', id, pub);
    return reply('reject');
  }
  const autoSign = opts.auto_accept || listedIn(opts.autosign_file, id);
  const pending = keys.read('pending', id);
  if (pending !== undefined && !keys.sameKey(pending, pub)) {
    keys.write('denied', id, pub);
    d.log.warn({ minion: id }, 'a different key was offered for a pending minion id; written to minions_denied');
    return reply('denied');
  }
  if (autoSign) {
    keys.write('accepted', id, pub);
    keys.remove('pending', id);
    return accept();
  }
  if (pending === undefined) {
    keys.write('pending', id, pub);
    d.log.info({ minion: id }, 'new minion key is pending acceptance');
  }
  return reply('pend');
}
